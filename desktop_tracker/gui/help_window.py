"""The app's own help (F1): what trackers, kinds and schedules are, and the shortcuts.

The text is a Markdown file shipped as package data (desktop_tracker/resources/help/help.md),
read with importlib.resources like the icons. Its `{shortcuts}` line is filled in from the
window's actions when the help opens, so the list always says the shortcuts the app has.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from desktop_tracker.gui.tray import APP_TITLE

SHORTCUTS_PLACE = "{shortcuts}"


def help_text() -> str:
    """The help's Markdown, shortcuts not yet filled in."""
    return (
        resources.files("desktop_tracker.resources")
        .joinpath("help", "help.md")
        .read_text(encoding="utf-8")
    )


def shortcuts_markdown(actions: Iterable[QAction]) -> str:
    """A list of "shortcut: what it does", one line per action that has a shortcut."""
    lines = []
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            what = action.text().replace("&", "").removesuffix("…")
            lines.append(f"- **{keys}** — {what}")
    return "\n".join(lines)


class HelpWindow(QWidget):
    """A window of its own (not a dialog: it stays open beside the main window)."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle(f"{APP_TITLE} help")
        self.setObjectName("help-window")
        self.resize(640, 560)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(False)
        self.browser.setAccessibleName("Help text")
        # The text is ours (a package file), never the web's: Markdown is safe to render.
        text = help_text().replace(SHORTCUTS_PLACE, shortcuts_markdown(actions))
        self.browser.setMarkdown(text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)

    def text(self) -> str:
        return self.browser.toPlainText()
