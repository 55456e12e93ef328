"""The self-test's window step (`desktop-tracker --self-test`, desktop_tracker/self_test.py): the
real desktop app started offscreen on a data directory, until its main window is shown with the
trackers it holds, then quit as the user would quit it.

Qt lives only in gui/, so this is here; the self-test calls `show_window_offscreen`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_API", "pyside6")  # qasync takes the first Qt binding it can import

import qasync
from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from desktop_tracker.gui.app import DesktopApp
from desktop_tracker.gui.single_instance import server_name

log = logging.getLogger(__name__)


class WindowNotShown(RuntimeError):
    """The app did not start, or its window did not show what it should, in time."""


def show_window_offscreen(data_dir: Path, *, rows: int, timeout: float = 30.0) -> str:
    """Start the desktop app on `data_dir` with Qt's offscreen platform (no display needed,
    also as root), wait until the main window is visible with `rows` trackers in its table,
    let it paint, then quit. Returns what was seen, in words.

    :raises WindowNotShown: saying what did not happen.
    """
    # Before the QApplication exists, or Qt picks the display's platform (or aborts without one).
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    previous_handler = qInstallMessageHandler(_to_log)  # Qt's chatter to the log, not stderr
    saved_signals = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        app = QApplication.instance() or QApplication(["desktop-tracker"])
        assert isinstance(app, QApplication)
        app.setQuitOnLastWindowClosed(False)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        try:
            return loop.run_until_complete(_show(data_dir, rows, timeout))
        finally:
            loop.close()
            asyncio.set_event_loop(None)
    finally:
        qInstallMessageHandler(previous_handler)
        for signum, handler in saved_signals.items():  # the app installs its own
            signal.signal(signum, handler)


async def _show(data_dir: Path, rows: int, timeout: float) -> str:
    desktop = DesktopApp(data_dir, server_name(data_dir))
    task = asyncio.ensure_future(desktop.run())
    try:
        await _until(
            lambda: (
                task.done()
                or (
                    desktop.window is not None
                    and desktop.window.isVisible()
                    and desktop.window.model.rowCount() >= rows
                )
            ),
            timeout,
            f"the main window was not shown with {rows} tracker(s) within {timeout:.0f} s",
        )
        if task.done():
            raise WindowNotShown(
                f"the app stopped before its window was shown (exit {task.result()})"
            )
        window = desktop.window
        assert window is not None
        QApplication.processEvents()
        window.repaint()  # paints the whole window once, offscreen
        seen = f"{window.width()}x{window.height()}, {window.model.rowCount()} tracker(s)"
    except BaseException:
        if not task.done():
            desktop.quit.set()
            try:
                await asyncio.wait_for(task, 10)  # cancelled then (a message box, say)
            except BaseException:
                log.exception("the app did not stop after a failed window step")
        raise
    desktop.quit.set()
    code = await asyncio.wait_for(task, 30)
    if code != 0:
        raise WindowNotShown(f"the app quit with exit code {code}")
    return seen


async def _until(condition: Callable[[], Any], timeout: float, message: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise WindowNotShown(message)
        await asyncio.sleep(0.01)


def _to_log(kind: QtMsgType, _context: Any, message: str) -> None:
    level = (
        logging.DEBUG if kind in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg) else logging.WARNING
    )
    logging.getLogger("qt").log(level, "%s", message)
