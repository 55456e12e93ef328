"""A DesktopApp started in a test's Qt loop (tests/gui), and waiting for it without sleeping a
fixed time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QApplication

from desktop_tracker.gui.app import DesktopApp
from desktop_tracker.gui.single_instance import server_name
from desktop_tracker.gui.trackers_model import NAME


async def until(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Let the loop run until `condition()` is truthy (never sleeps a fixed time to pass)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = condition()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the app")
        await asyncio.sleep(0.02)


class Running:
    """A DesktopApp started in the test's loop, stopped by `quit()`."""

    def __init__(self, data_dir: Path) -> None:
        self.app = DesktopApp(data_dir, server_name(data_dir))
        self.task: asyncio.Task[int] | None = None

    async def start(self) -> Running:
        QApplication.instance().setQuitOnLastWindowClosed(False)  # type: ignore[union-attr]
        self.task = asyncio.ensure_future(self.app.run())
        await until(lambda: self.app.window is not None and self.app.window.isVisible())
        return self

    @property
    def window(self) -> Any:
        assert self.app.window is not None
        return self.app.window

    async def quit(self) -> int:
        self.app.quit.set()
        assert self.task is not None
        return await asyncio.wait_for(self.task, 30)

    def rows(self) -> list[str]:
        model = self.window.proxy
        return [model.index(r, NAME).data() for r in range(model.rowCount())]

    def cell(self, name: str, column: int) -> str:
        model = self.window.proxy
        for row in range(model.rowCount()):
            if model.index(row, NAME).data() == name:
                return str(model.index(row, column).data())
        raise AssertionError(f"no row {name}")


async def emitted(signal: SignalInstance, action: Callable[[], object] | None = None) -> None:
    """Do `action`, then let the loop run until `signal` is emitted."""
    seen: list[bool] = []

    def note(*_: object) -> None:
        seen.append(True)

    signal.connect(note)
    try:
        if action is not None:
            action()
        await until(lambda: seen)
    finally:
        signal.disconnect(note)
