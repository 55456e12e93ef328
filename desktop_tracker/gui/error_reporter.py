"""Unexpected exceptions: logged with their traceback, shown to the user once, in words."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_tracker.core.words import error_in_words

log = logging.getLogger(__name__)


class ErrorReporter:
    """Catches what nothing else caught: `sys.excepthook` (qasync's async slots report
    exceptions there) and the event loop's exception handler (callbacks, tasks whose result
    nobody reads). Each is written with its traceback to `log_file` and shown once."""

    def __init__(self, parent: QWidget | None = None, log_file: str = "") -> None:
        self._parent = parent
        self._log_file = log_file
        self._shown: set[str] = set()
        self._box: QMessageBox | None = None
        self._handler: logging.Handler | None = None
        self._previous_hook = sys.excepthook
        self._loop: asyncio.AbstractEventLoop | None = None

    def attach(self, parent: QWidget) -> None:
        """Show messages over this window from now on."""
        self._parent = parent

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Take over sys.excepthook and `loop`'s exception handler; log to the file."""
        self._previous_hook = sys.excepthook
        sys.excepthook = self._hook
        if loop is not None:
            self._loop = loop
            loop.set_exception_handler(self._loop_handler)
        self._log_to_file()

    def uninstall(self) -> None:
        if sys.excepthook == self._hook:
            sys.excepthook = self._previous_hook
        if self._loop is not None and not self._loop.is_closed():
            self._loop.set_exception_handler(None)
        self._loop = None
        if self._handler is not None:
            logging.getLogger().removeHandler(self._handler)
            self._handler.close()
            self._handler = None

    def _log_to_file(self) -> None:
        # The command line logs everything to this file already (cli.run.configure_logging);
        # otherwise (the app started another way) errors at least go there.
        if not self._log_file or self._handler is not None:
            return
        path = os.path.abspath(self._log_file)
        root = logging.getLogger()
        if any(getattr(h, "baseFilename", None) == path for h in root.handlers):
            return
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(path, encoding="utf-8")
        except OSError as error:
            log.warning("cannot write the log file %s: %s", path, error)
            return
        handler.setLevel(logging.ERROR)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        self._handler = handler

    def _hook(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        log.error("unexpected error", exc_info=(kind, error, tb))
        self.show(error_in_words(error, named=True))

    def _loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        network = "transport" in context or "protocol" in context
        if not isinstance(error, Exception) or (network and isinstance(error, OSError)):
            # No exception, or a connection that failed under a transport: the loop's own
            # words in the log are enough; it is not the app going wrong.
            loop.default_exception_handler(context)
            return
        self._hook(type(error), error, error.__traceback__)

    def show(self, message: str) -> None:
        """Show a message once per distinct text; never blocks the loop (open, not exec)."""
        if message in self._shown:
            return
        self._shown.add(message)
        box = QMessageBox(self._parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("desktop_tracker")
        box.setTextFormat(Qt.TextFormat.PlainText)
        where = f" Details are in {self._log_file}." if self._log_file else ""
        box.setText(f"Something went wrong; the app keeps running.{where}")
        # The message may quote web text: the detailed text is always shown as plain text.
        box.setDetailedText(message)
        self._box = box
        box.open()
