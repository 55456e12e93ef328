"""Unexpected exceptions: logged with their traceback, shown to the user once, in words."""

from __future__ import annotations

import logging
import sys
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)


class ErrorReporter:
    """Installs itself as sys.excepthook (qasync's async slots report exceptions there)."""

    def __init__(self, parent: QWidget | None = None, log_file: str = "") -> None:
        self._parent = parent
        self._log_file = log_file
        self._shown: set[str] = set()
        self._box: QMessageBox | None = None

    def attach(self, parent: QWidget) -> None:
        """Show messages over this window from now on."""
        self._parent = parent

    def install(self) -> None:
        sys.excepthook = self._hook

    def _hook(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        log.error("unexpected error", exc_info=(kind, error, tb))
        self.show(f"{kind.__name__}: {error}".strip())

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
