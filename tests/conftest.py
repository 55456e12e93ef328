"""Shared test set-up: `async def` tests run on a fresh loop each; `server` is a local HTTP
server for any test that wants one.

Tests under tests/gui/ run in the Qt event loop through qasync, as the app does; the others on a
plain asyncio loop, as `run --headless` does.

Before anything else, the environment is made the tests' own (tests/support/isolation.py): no
display, no session bus, offscreen Qt with no theme of the desktop's, TZ=UTC, the C.UTF-8 locale,
zone rules from the tzdata package, a home directory of their own, no proxies. A test run from
inside a desktop session behaves as it does in CI.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.isolation import home_environment, isolate_from_the_machine

if TYPE_CHECKING:
    from tests.support.http_server import LocalServer

isolate_from_the_machine()  # at import: before Qt, zoneinfo or a subprocess reads anything

GUI_TESTS = Path(__file__).parent / "gui"


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A fresh HOME and XDG base directories for each test: what one test leaves in ~/.config
    or ~/.local/share, another never finds (and the user's own are never used)."""
    home = tmp_path_factory.mktemp("home")
    for name, value in home_environment(home).items():
        monkeypatch.setenv(name, value)
    return home


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local HTTP server of the test's own (tests/support/http_server.py), with no routes."""
    from tests.support.http_server import LocalServer  # imported once the machine is shut out

    with LocalServer() as local:
        yield local


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
