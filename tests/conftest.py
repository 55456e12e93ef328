"""Shared test set-up: `async def` tests run on a fresh loop each.

Tests under tests/gui/ run in the Qt event loop through qasync, as the app does; the others on a
plain asyncio loop, as `run --headless` does.
"""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any

import pytest

GUI_TESTS = Path(__file__).parent / "gui"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs: dict[str, Any] = {name: pyfuncitem.funcargs[name] for name in names}
    if GUI_TESTS in Path(str(pyfuncitem.fspath)).parents:
        run_in_qt_loop(pyfuncitem.obj(**kwargs))
    else:
        asyncio.run(pyfuncitem.obj(**kwargs))
    return True


def run_in_qt_loop(coro: Any) -> Any:
    """Run a coroutine to the end in a fresh qasync loop on the session's QApplication."""
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)
