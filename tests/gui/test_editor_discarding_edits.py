"""Cancel, Escape and the window's close button ask "Discard your changes?" when the editor
holds edits, and close at once when it holds none; the program's own reject() and close() (the
main window, quitting) close without asking."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.tracker_editor import DISCARD_QUESTION, TrackerEditor
from tests.support.tracker_editor import answer, make_editor, open_question, shown, type_into

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

TRACKER = Tracker(
    "Shop",
    "https://shop.example.com/",
    schedule="0 9 * * 1-5",
    timezone="Europe/Paris",
    headers={"Cookie": "sid=1"},
    retry=RetryStrategy("constant", attempts=3, initial=30),
    ignore=("analytics",),
    id=8,
).validated()


@pytest.fixture(autouse=True)
def keep_running_when_windows_close(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


def press_cancel(qtbot: QtBot, editor: TrackerEditor) -> None:
    qtbot.mouseClick(editor.cancel_button, Qt.MouseButton.LeftButton)


def press_escape(qtbot: QtBot, editor: TrackerEditor) -> None:
    qtbot.keyClick(QApplication.focusWidget() or editor, Qt.Key.Key_Escape)


def close_window(qtbot: QtBot, editor: TrackerEditor) -> None:
    """What the title bar's close button does: a close event from the window system."""
    QCoreApplication.sendEvent(editor.windowHandle(), QCloseEvent())


WAYS: dict[str, Callable[[QtBot, TrackerEditor], None]] = {
    "Cancel": press_cancel,
    "Escape": press_escape,
    "close button": close_window,
}


@pytest.mark.parametrize("leave", WAYS.values(), ids=WAYS.keys())
def test_without_edits_the_editor_closes_at_once(
    qtbot: QtBot, leave: Callable[[QtBot, TrackerEditor], None]
) -> None:
    for tracker in (None, TRACKER):
        editor = shown(qtbot, make_editor(qtbot, tracker))
        assert not editor.has_changes()
        with qtbot.waitSignal(editor.rejected, timeout=1000):
            leave(qtbot, editor)
        assert editor.question is None and not editor.isVisible()


@pytest.mark.parametrize("leave", WAYS.values(), ids=WAYS.keys())
def test_with_edits_it_asks_and_keep_editing_keeps_them(
    qtbot: QtBot, leave: Callable[[QtBot, TrackerEditor], None]
) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    type_into(qtbot, editor.name, "Shop")
    leave(qtbot, editor)
    question = open_question(editor)
    assert question.text() == DISCARD_QUESTION
    assert question.informativeText() == "The new tracker is not saved."
    assert question.defaultButton().text() == "Keep editing"
    assert editor.isVisible()

    answer(qtbot, editor, "Keep editing")
    assert editor.isVisible() and editor.result() == 0
    assert editor.name.text() == "Shop"

    leave(qtbot, editor)
    with qtbot.waitSignal(editor.rejected, timeout=1000):
        answer(qtbot, editor, "Discard")
    assert not editor.isVisible() and editor.result_tracker() is None


def test_escape_on_the_question_keeps_editing(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    type_into(qtbot, editor.url, "example.com")
    press_escape(qtbot, editor)
    question = open_question(editor)
    qtbot.keyClick(question, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not question.isVisible(), timeout=1000)
    assert editor.isVisible() and "example.com" in editor.url.text()  # completed or not yet


@pytest.mark.parametrize(
    "edit",
    [
        lambda e: e.name.setText("Shop 2"),
        lambda e: e.schedule.cron.setText("0 10 * * 1-5"),
        lambda e: e.schedule.zone.setEditText("Asia/Tokyo"),
        lambda e: e.retry.initial.setText("45s"),
        lambda e: e.headers.item(0, 1).setText("sid=2"),
        lambda e: e.ignore.setPlainText(""),
        lambda e: e.notify.setChecked(False),
        lambda e: e.kind.setCurrentIndex(e.kind.findData("content")),
        lambda e: e.schedule.cron.setText("0 9 * * 1-"),  # invalid edits are edits too
    ],
    ids=["name", "cron", "zone", "retry", "header", "ignore", "notify", "kind", "invalid cron"],
)
def test_any_edit_of_a_stored_tracker_is_asked_about(
    qtbot: QtBot, edit: Callable[[TrackerEditor], object]
) -> None:
    editor = shown(qtbot, make_editor(qtbot, TRACKER))
    edit(editor)
    assert editor.has_changes()
    press_cancel(qtbot, editor)
    assert open_question(editor).informativeText() == "The tracker keeps the settings it had."


def test_an_edit_undone_is_no_change(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot, TRACKER))
    type_into(qtbot, editor.name, "Shop 2")
    type_into(qtbot, editor.name, "Shop")
    editor.retry.kind.setCurrentIndex(editor.retry.kind.findData("linear"))
    editor.retry.kind.setCurrentIndex(editor.retry.kind.findData("constant"))
    assert not editor.has_changes()
    with qtbot.waitSignal(editor.rejected, timeout=1000):
        press_cancel(qtbot, editor)


def test_the_programs_own_reject_and_close_do_not_ask(qtbot: QtBot) -> None:
    for close in (QDialog.reject, QDialog.close):
        editor = shown(qtbot, make_editor(qtbot))
        type_into(qtbot, editor.name, "Shop")
        close(editor)
        assert not editor.isVisible() and editor.question is None
