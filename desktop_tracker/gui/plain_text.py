"""Text from the web is shown as plain text, everywhere.

QLabel, QMessageBox and tool tips guess whether a string is rich text; a URL or a page title
containing `<img src=...>` would render as HTML. Every widget that shows such text goes through
these helpers.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def plain_tooltip(text: str) -> str:
    """A tool tip that Qt will not read as rich text (tool tips have no plain-text switch)."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>"


def window_title_text(text: str) -> str:
    """`text` for setWindowTitle, shown as written: Qt reads "[*]" in a title as the
    "modified" placeholder and drops it; "[*][*]" is how a literal "[*]" is written."""
    return text.replace("[*]", "[*][*]")
