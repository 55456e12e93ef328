"""A schedule that checks more often than once a minute is confirmed before the editor saves it:
"This runs every 10 seconds … Save anyway?"; the safe answer goes back to the schedule."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.schedule_editor import ScheduleEditor
from desktop_tracker.gui.tracker_editor import FAST_WHY, TrackerEditor
from tests.support.tracker_editor import answer, make_editor, open_question, shown, type_into

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def keep_running_when_windows_close(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


def set_cron(qtbot: QtBot, schedule: ScheduleEditor, expression: str) -> None:
    schedule.mode.setCurrentIndex(schedule.mode.findData("cron"))
    type_into(qtbot, schedule.cron, expression)


def filled(qtbot: QtBot, expression: str) -> TrackerEditor:
    editor = shown(qtbot, make_editor(qtbot))
    type_into(qtbot, editor.name, "Shop")
    type_into(qtbot, editor.url, "https://shop.example.com/")
    set_cron(qtbot, editor.schedule, expression)
    assert editor.ok_button.isEnabled(), editor.errors()
    return editor


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("@every 10s", "This runs every 10 seconds: 8,640 checks a day. Save anyway?"),
        ("*/10 * * * * *", "This runs every 10 seconds. Save anyway?"),
        ("0,5 * * * * *", "This runs as often as every 5 seconds. Save anyway?"),
        ("@every 59s", "This runs every 59 seconds: 1,464 checks a day. Save anyway?"),
    ],
)
def test_ok_on_a_schedule_faster_than_once_a_minute_asks_first(
    qtbot: QtBot, expression: str, words: str
) -> None:
    editor = filled(qtbot, expression)
    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    question = open_question(editor)
    assert question.text() == words
    assert question.informativeText() == FAST_WHY
    assert question.textFormat() == Qt.TextFormat.PlainText
    assert editor.isVisible() and editor.result_tracker() is None  # nothing saved yet

    with qtbot.waitSignal(editor.accepted, timeout=1000):
        answer(qtbot, editor, "Save anyway")
    result = editor.result_tracker()
    assert result is not None and result.schedule == expression


def test_the_safe_answer_goes_back_to_the_schedule_and_ok_asks_again(qtbot: QtBot) -> None:
    editor = filled(qtbot, "*/5 * * * * *")
    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    answer(qtbot, editor, "Change schedule")
    assert editor.isVisible() and editor.result_tracker() is None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.schedule.cron, timeout=1000)

    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    question = open_question(editor)
    assert question.defaultButton().text() == "Change schedule"  # Enter is the safe answer
    qtbot.keyClick(question, Qt.Key.Key_Escape)  # and so is Escape
    qtbot.waitUntil(lambda: not question.isVisible(), timeout=1000)
    assert editor.isVisible() and editor.result_tracker() is None

    type_into(qtbot, editor.schedule.cron, "*/5 * * * *")  # every five minutes: no question
    with qtbot.waitSignal(editor.accepted, timeout=1000):
        qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    assert editor.question is None


@pytest.mark.parametrize(
    "expression", ["* * * * *", "0 * * * * *", "@every 1m", "@every 90s", "manual", "@hourly"]
)
def test_once_a_minute_or_less_often_saves_without_a_question(
    qtbot: QtBot, expression: str
) -> None:
    editor = filled(qtbot, expression)
    with qtbot.waitSignal(editor.accepted, timeout=1000):
        qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    assert editor.question is None
    result = editor.result_tracker()
    assert result is not None and result.schedule == expression


def test_a_fast_schedule_a_tracker_already_had_is_not_asked_about_again(qtbot: QtBot) -> None:
    tracker = Tracker("Shop", "https://shop.example.com/", schedule="@every 10s", id=3)
    editor = shown(qtbot, make_editor(qtbot, tracker.validated()))
    type_into(qtbot, editor.name, "Shop 2")
    with qtbot.waitSignal(editor.accepted, timeout=1000):
        qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    assert editor.question is None

    faster = shown(qtbot, make_editor(qtbot, tracker.validated()))
    faster.schedule.every_count.setValue(5)
    qtbot.mouseClick(faster.ok_button, Qt.MouseButton.LeftButton)
    assert open_question(faster).text().startswith("This runs every 5 seconds")


def test_a_default_schedule_that_is_fast_is_asked_about_too(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot, default_schedule="@every 30s"))
    type_into(qtbot, editor.url, "example.com")
    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    assert open_question(editor).text().startswith("This runs every 30 seconds")
