"""The tracker editor opened and driven as a user would, for the tests/gui/test_editor_*.py
files: a fixed clock, typing, the Tab chain, and the questions the editor asks."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.tracker_editor import TrackerEditor

NOW = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # a Friday


def clock() -> datetime:
    return NOW


def make_editor(
    qtbot: QtBot,
    tracker: Tracker | None = None,
    taken: Collection[str] = (),
    **options: Any,
) -> TrackerEditor:
    editor = TrackerEditor(None, tracker, taken, clock=clock, **options)
    qtbot.addWidget(editor)
    return editor


def shown(qtbot: QtBot, editor: TrackerEditor) -> TrackerEditor:
    """`editor` opened as the main window opens it (open(), never exec()), active, laid out."""
    with qtbot.waitExposed(editor):
        editor.open()
    with qtbot.waitActive(editor):
        editor.activateWindow()
    QApplication.processEvents()  # the fit to the screen, once the layout has settled
    return editor


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def focusable_in_order(window: QWidget) -> list[QWidget]:
    """The widgets Tab visits, in the order it visits them (a compound widget's inner parts,
    which hand their focus to it, are not counted)."""
    found: list[QWidget] = []
    widget = window.nextInFocusChain()
    while widget is not window:
        if (
            widget.isVisibleTo(window)
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.focusProxy() is None
        ):
            found.append(widget)
        widget = widget.nextInFocusChain()
    return found


def open_question(editor: TrackerEditor) -> QMessageBox:
    question = editor.question
    assert question is not None and question.isVisible(), "no question is being asked"
    return question


def answer(qtbot: QtBot, editor: TrackerEditor, button_text: str) -> None:
    """Click the open question's button that reads `button_text`."""
    question = open_question(editor)
    buttons = [b for b in question.findChildren(QAbstractButton) if b.text() == button_text]
    assert buttons, [b.text() for b in question.findChildren(QAbstractButton)]
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not question.isVisible(), timeout=1000)
