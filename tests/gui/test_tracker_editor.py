"""The tracker editor and its schedule and retry editors, driven as a user would: typing into the
fields, offscreen, with a fixed clock so the schedule preview is deterministic."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime, QTimeZone
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.core.schedules import parse_schedule
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.retry_editor import RetryEditor, delays_in_words
from desktop_tracker.gui.schedule_editor import (
    ERROR_ON_DARK,
    ERROR_ON_LIGHT,
    PRESETS,
    ErrorLine,
    ScheduleEditor,
)
from desktop_tracker.gui.tracker_editor import DEFAULT_SCHEDULE, MASK, TrackerEditor

# The offscreen platform warns that it cannot pass size hints to a window manager whenever a
# shown dialog's minimum size changes (an error line appears); it has no window manager to pass
# them to. Any other Qt warning still fails the test.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NOW = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # a Friday, two days before Paris springs forward
HOSTILE = "<img src=x onerror=alert(1)>"
BOLD = "<b>bold</b>"


def clock() -> datetime:
    return NOW


@pytest.fixture(autouse=True)
def keep_running_when_windows_close(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


def make_editor(
    qtbot: QtBot, tracker: Tracker | None = None, taken: Collection[str] = ()
) -> TrackerEditor:
    editor = TrackerEditor(None, tracker, taken, clock=clock)
    qtbot.addWidget(editor)
    return editor


def shown(qtbot: QtBot, editor: TrackerEditor) -> TrackerEditor:
    with qtbot.waitExposed(editor):
        editor.open()  # as the main window does: never exec() in the qasync app
    with qtbot.waitActive(editor):
        editor.activateWindow()
    return editor


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def fill_basics(qtbot: QtBot, editor: TrackerEditor, name: str = "Shop", url: str = "") -> None:
    type_into(qtbot, editor.name, name)
    type_into(qtbot, editor.url, url or "https://shop.example.com/")


def choose_mode(schedule: ScheduleEditor, mode: str) -> None:
    schedule.mode.setCurrentIndex(schedule.mode.findData(mode))


def set_header(editor: TrackerEditor, row: int, name: str, value: str) -> None:
    editor.headers.item(row, 0).setText(name)
    editor.headers.item(row, 1).setText(value)


def focusable_in_order(window: QWidget) -> list[QWidget]:
    """The widgets Tab visits, in the order it visits them."""
    found: list[QWidget] = []
    widget = window.nextInFocusChain()
    while widget is not window:
        if (
            widget.isVisibleTo(window)
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            found.append(widget)
        widget = widget.nextInFocusChain()
    return found


# --- the whole form ---------------------------------------------------------------------------


def test_valid_entry_enables_ok_and_gives_the_validated_tracker(qtbot: QtBot) -> None:
    editor = make_editor(qtbot, taken=["Blog"])
    shown(qtbot, editor)
    assert not editor.ok_button.isEnabled()

    fill_basics(qtbot, editor, "  Shop checkout ", " https://shop.example.com/checkout ")
    editor.revisions.setValue(25)
    choose_mode(editor.schedule, "cron")
    type_into(qtbot, editor.schedule.cron, "0 9 * * 1-5")
    editor.schedule.zone.setEditText("Europe/Paris")
    editor.retry.set_strategy(
        RetryStrategy("exponential", attempts=4, initial=30, multiplier=2, maximum=600)
    )
    qtbot.mouseClick(editor.add_header, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.add_header, Qt.MouseButton.LeftButton)
    set_header(editor, 0, "Authorization", "Bearer s3cret")
    set_header(editor, 1, "Cookie", "sid=42")
    editor.notify.setChecked(False)
    editor.verify_tls.setChecked(False)
    editor.enabled.setChecked(False)
    editor.ignore.setPlainText("^https://www\\.googletagmanager\\.com/\n\n  \\.hotjar\\.  \n")

    assert editor.errors() == {}
    assert editor.ok_button.isEnabled()
    with qtbot.waitSignal(editor.accepted, timeout=1000):
        qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)

    assert editor.result_tracker() == Tracker(
        name="Shop checkout",
        url="https://shop.example.com/checkout",
        revisions=25,
        headers={"Authorization": "Bearer s3cret", "Cookie": "sid=42"},
        schedule="0 9 * * 1-5",
        timezone="Europe/Paris",
        retry=RetryStrategy("exponential", attempts=4, initial=30, multiplier=2, maximum=600),
        notify=False,
        ignore=("^https://www\\.googletagmanager\\.com/", "\\.hotjar\\."),
        verify_tls=False,
        enabled=False,
        id=None,
    )


def test_defaults_follow_the_domain_and_the_system_zone(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    fill_basics(qtbot, editor)
    editor.accept()
    result = editor.result_tracker()
    # Every field is the domain's default but the schedule: a new tracker checks hourly.
    expected = Tracker(name="Shop", url="https://shop.example.com/", schedule=DEFAULT_SCHEDULE)
    assert result == expected.validated()
    assert result is not None and result.timezone == editor.schedule.timezone()


def test_an_empty_form_shows_no_error_but_cannot_be_accepted(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    assert not editor.ok_button.isEnabled()
    assert set(editor.errors()) == {"name", "url"}
    for line in editor.findChildren(ErrorLine):
        assert line.isHidden(), line.text()
    editor.accept()  # e.g. Enter pressed in a field: refused, and now every reason shows
    assert editor.result() == 0 and editor.result_tracker() is None
    assert not editor.name_error.isHidden() and not editor.url_error.isHidden()


def test_leaving_an_empty_name_shows_why(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    editor.name.setFocus()
    qtbot.keyClick(editor.name, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not editor.name_error.isHidden(), timeout=1000)
    assert "1 to 100 characters" in editor.name_error.text()
    assert editor.url_error.isHidden()  # not visited yet


def test_editing_prefills_every_field_and_keeps_the_id(qtbot: QtBot) -> None:
    tracker = Tracker(
        name="Shop",
        url="https://shop.example.com/",
        revisions=42,
        headers={"Authorization": "Bearer abc", "X-Trace": "1"},
        schedule="30 8 * * 1",
        timezone="America/New_York",
        retry=RetryStrategy("linear", attempts=5, initial=60, increment=90, maximum=600),
        notify=False,
        ignore=("analytics", "\\.ads\\."),
        verify_tls=False,
        enabled=False,
        id=17,
    ).validated()
    editor = make_editor(qtbot, tracker, taken=["Shop", "Blog"])

    assert editor.windowTitle() == "Edit tracker: Shop"
    assert editor.name.text() == "Shop"
    assert editor.url.text() == "https://shop.example.com/"
    assert editor.revisions.value() == 42
    assert editor.schedule.mode.currentData() == "cron"
    assert editor.schedule.cron.text() == "30 8 * * 1"
    assert editor.schedule.timezone() == "America/New_York"
    assert editor.retry.kind.currentData() == "linear"
    assert (editor.retry.initial.text(), editor.retry.increment.text()) == ("1m", "1m30s")
    assert editor.retry.maximum.text() == "10m" and editor.retry.attempts.value() == 5
    assert [
        (editor.headers.item(row, 0).text(), editor.headers.item(row, 1).text())
        for row in range(editor.headers.rowCount())
    ] == [("Authorization", "Bearer abc"), ("X-Trace", "1")]
    assert editor.ignore.toPlainText() == "analytics\n\\.ads\\."
    assert not editor.notify.isChecked()
    assert not editor.verify_tls.isChecked() and not editor.tls_warning.isHidden()
    assert not editor.enabled.isChecked()
    # Its own name is not "taken"; OK works straight away and changes nothing.
    assert editor.ok_button.isEnabled()
    editor.accept()
    assert editor.result_tracker() == tracker

    again = make_editor(qtbot, tracker, taken=["Shop", "Blog"])
    type_into(qtbot, again.name, "Shop 2")
    again.accept()
    result = again.result_tracker()
    assert result is not None and result.id == 17 and result.name == "Shop 2"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "not javascript: URLs"),
        ("JavaScript://alert(1)", "only http and https"),
        ("https://", "no host"),
        ("shop", "not a full address"),  # one word is not completed (see test_editor_first_tracker)
    ],
)
def test_urls_that_are_not_web_pages_are_refused_in_place(
    qtbot: QtBot, url: str, words: str
) -> None:
    editor = make_editor(qtbot)
    fill_basics(qtbot, editor, url=url)
    assert not editor.ok_button.isEnabled()
    assert not editor.url_error.isHidden()
    assert words in editor.url_error.text()
    assert editor.url.accessibleDescription() == editor.errors()["url"]


def test_empty_and_too_long_names_are_refused(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    type_into(qtbot, editor.name, "   ")  # and no URL to name the tracker after
    assert "1 to 100 characters" in editor.name_error.text()
    assert not editor.ok_button.isEnabled()
    type_into(qtbot, editor.url, "https://shop.example.com/")
    type_into(qtbot, editor.name, "x" * 101)
    assert "1 to 100 characters" in editor.name_error.text()
    type_into(qtbot, editor.name, "x" * 100)
    assert editor.name_error.isHidden() and editor.ok_button.isEnabled()


def test_a_name_another_tracker_has_is_refused_case_sensitively(qtbot: QtBot) -> None:
    editor = make_editor(qtbot, taken=["Blog", "Shop"])
    fill_basics(qtbot, editor, name="Shop ")
    assert "already called 'Shop'" in editor.name_error.text()
    assert not editor.ok_button.isEnabled()
    type_into(qtbot, editor.name, "shop")
    assert editor.name_error.isHidden() and editor.ok_button.isEnabled()


def test_every_problem_shows_at_once_under_its_own_field(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    fill_basics(qtbot, editor, name=" ", url="ftp://example.com/")
    qtbot.mouseClick(editor.add_header, Qt.MouseButton.LeftButton)
    set_header(editor, 0, "Bad Header", "x")
    editor.ignore.setPlainText("ok\n(unclosed")
    assert set(editor.errors()) == {"name", "url", "headers", "ignore"}
    for line in (editor.name_error, editor.url_error, editor.headers_error, editor.ignore_error):
        assert not line.isHidden()
    assert "'Bad Header' is not a valid header name" in editor.headers_error.text()
    assert "'(unclosed' is not a regular expression" in editor.ignore_error.text()


def test_header_rows_with_a_value_but_no_name_or_twice_the_same_name_are_refused(
    qtbot: QtBot,
) -> None:
    editor = make_editor(qtbot)
    fill_basics(qtbot, editor)
    for _ in range(3):
        qtbot.mouseClick(editor.add_header, Qt.MouseButton.LeftButton)
    assert editor.ok_button.isEnabled()  # empty rows are ignored
    set_header(editor, 1, "", "orphan")
    assert "row 2 has a value but no header name" in editor.headers_error.text()
    set_header(editor, 1, "Cookie", "a=1")
    set_header(editor, 2, "cookie", "b=2")
    assert "given twice" in editor.headers_error.text()
    assert not editor.ok_button.isEnabled()
    editor.headers.setCurrentCell(2, 0)
    qtbot.mouseClick(editor.remove_header, Qt.MouseButton.LeftButton)
    assert editor.headers_error.isHidden() and editor.ok_button.isEnabled()
    editor.accept()
    result = editor.result_tracker()
    assert result is not None and result.headers == {"Cookie": "a=1"}


def test_header_values_are_masked_until_shown(qtbot: QtBot) -> None:
    tracker = Tracker(name="Shop", url="https://example.com/", headers={"Cookie": "sid=SECRET"})
    editor = make_editor(qtbot, tracker)
    delegate = editor.headers.itemDelegateForColumn(1)
    locale = QLocale()
    assert delegate is editor.header_delegate
    assert delegate.displayText("sid=SECRET", locale) == MASK
    assert not editor.show_values.isChecked()
    shown(qtbot, editor)
    editor.headers.setCurrentCell(0, 1)
    editor.headers.editItem(editor.headers.item(0, 1))
    line = QApplication.focusWidget()
    assert isinstance(line, QLineEdit) and line.text() == "sid=SECRET"
    assert line.echoMode() == QLineEdit.EchoMode.Password
    editor.show_values.setChecked(True)  # an open editor follows the switch
    assert line.echoMode() == QLineEdit.EchoMode.Normal
    assert delegate.displayText("sid=SECRET", locale) == "sid=SECRET"


def test_turning_off_tls_verification_shows_a_plain_warning(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    assert editor.verify_tls.isChecked() and editor.tls_warning.isHidden()
    editor.verify_tls.setChecked(False)
    assert not editor.tls_warning.isHidden()
    assert editor.tls_warning.textFormat() == Qt.TextFormat.PlainText
    assert editor.tls_warning.text().startswith("⚠")


# --- schedule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "wrong_part"),
    [("61 * * * *", "'61'"), ("0 0 31 2 *", "day 31"), ("0 25 * * *", "'25'")],
)
def test_an_invalid_cron_shows_its_error_in_place_until_fixed(
    qtbot: QtBot, expression: str, wrong_part: str
) -> None:
    editor = make_editor(qtbot)
    fill_basics(qtbot, editor)
    choose_mode(editor.schedule, "cron")
    type_into(qtbot, editor.schedule.cron, expression)

    error = editor.schedule.expression_error
    assert not error.isHidden()
    assert wrong_part in error.text() and error.text().startswith("⚠")
    assert error.text() == "⚠ " + (editor.schedule.error() or "")
    assert not editor.schedule.is_valid() and not editor.ok_button.isEnabled()
    assert editor.schedule.description.text() == "—"

    type_into(qtbot, editor.schedule.cron, "0 9 * * *")
    assert error.isHidden() and editor.schedule.is_valid()
    assert editor.ok_button.isEnabled()


def test_the_preview_follows_each_keystroke(qtbot: QtBot) -> None:
    schedule = ScheduleEditor(clock=clock)
    qtbot.addWidget(schedule)
    schedule.set_schedule("manual", "Europe/Paris")
    choose_mode(schedule, "cron")
    seen: list[tuple[str, str, str | None]] = []
    schedule.changed.connect(
        lambda: seen.append((schedule.cron.text(), schedule.description.text(), schedule.error()))
    )
    schedule.cron.setFocus()
    qtbot.keyClicks(schedule.cron, "0 9 * * 1-5")

    # One update per keystroke, each with the words or the error for the text so far.
    assert [text for text, _words, _error in seen] == [
        "0 9 * * 1-5"[:length] for length in range(1, 12)
    ]
    text, words, error = seen[2]
    assert (text, words) == ("0 9", "—") and error is not None and "has 2 fields" in error
    assert seen[8][1:] == ("At 09:00, only on Monday (Europe/Paris)", None)
    assert schedule.description.text() == "At 09:00, Monday through Friday (Europe/Paris)"
    # Paris moves to summer time on Sunday 29 March 2026: the offset says so.
    assert schedule.next_runs.text().splitlines() == [
        "Mon 2026-03-30 09:00 CEST (UTC+02:00)",
        "Tue 2026-03-31 09:00 CEST (UTC+02:00)",
        "Wed 2026-04-01 09:00 CEST (UTC+02:00)",
        "Thu 2026-04-02 09:00 CEST (UTC+02:00)",
        "Fri 2026-04-03 09:00 CEST (UTC+02:00)",
    ]


def test_changing_the_zone_moves_the_preview(qtbot: QtBot) -> None:
    schedule = ScheduleEditor(clock=clock)
    qtbot.addWidget(schedule)
    schedule.set_schedule("0 12 * * *", "UTC")
    assert schedule.next_runs.text().splitlines()[0] == "Sat 2026-03-28 12:00 (UTC+00:00)"
    schedule.zone.setEditText("")
    qtbot.keyClicks(schedule.zone.lineEdit(), "Asia/Tokyo")
    assert schedule.timezone() == "Asia/Tokyo"
    assert schedule.next_runs.text().splitlines()[0] == "Sat 2026-03-28 12:00 JST (UTC+09:00)"
    assert schedule.description.text() == "At 12:00 (Asia/Tokyo)"


def test_an_unknown_zone_is_reported_under_the_zone_picker(qtbot: QtBot) -> None:
    schedule = ScheduleEditor(clock=clock)
    qtbot.addWidget(schedule)
    schedule.set_schedule("@daily", "Mars/Olympus_Mons")
    assert not schedule.is_valid()
    assert "unknown time zone 'Mars/Olympus_Mons'" in schedule.zone_error.text()
    assert schedule.expression_error.isHidden()
    schedule.zone.setEditText("europe/paris")  # typed in the wrong case: accepted, spelled right
    assert schedule.is_valid() and schedule.timezone() == "Europe/Paris"


def test_the_zone_list_holds_every_zone_sorted_and_defaults_to_the_system_zone(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Australia/Adelaide")
    schedule = ScheduleEditor(clock=clock)
    qtbot.addWidget(schedule)
    names = [schedule.zone.itemText(i) for i in range(schedule.zone.count())]
    assert names == sorted(names) and "Europe/Paris" in names and len(names) > 300
    assert schedule.timezone() == "Australia/Adelaide"
    assert schedule.zone.isEditable() and schedule.zone.completer() is not None


@pytest.mark.parametrize(("expression", "label", "fields"), PRESETS)
def test_presets_give_their_expression_and_run_like_their_cron_fields(
    qtbot: QtBot, expression: str, label: str, fields: str
) -> None:
    schedule = ScheduleEditor(clock=clock)
    qtbot.addWidget(schedule)
    choose_mode(schedule, "preset")
    schedule.preset.setCurrentIndex(schedule.preset.findData(expression))
    assert schedule.expression() == expression
    assert schedule.preset.currentText() == label
    after = datetime(2025, 10, 20, tzinfo=UTC)
    assert parse_schedule(expression, "Europe/Berlin").next_due_times(after, 5) == parse_schedule(
        fields, "Europe/Berlin"
    ).next_due_times(after, 5)
    # Switching to "Custom" starts from the preset's cron fields, the same schedule.
    choose_mode(schedule, "cron")
    assert schedule.expression() == fields


def test_every_mode_writes_an_interval(qtbot: QtBot) -> None:
    schedule = ScheduleEditor(clock=clock)
    qtbot.addWidget(schedule)
    schedule.set_schedule("manual", "UTC")
    choose_mode(schedule, "every")
    schedule.every_count.setValue(90)
    schedule.every_unit.setCurrentIndex(schedule.every_unit.findData("s"))
    assert schedule.expression() == "@every 90s"
    assert schedule.description.text() == "Every 1 minute 30 seconds"
    assert schedule.next_runs.text().splitlines()[:2] == [
        "Fri 2026-03-27 12:01:30 (UTC+00:00)",
        "Fri 2026-03-27 12:03:00 (UTC+00:00)",
    ]
    schedule.every_unit.setCurrentIndex(schedule.every_unit.findData("h"))
    schedule.every_count.setValue(6)
    assert schedule.expression() == "@every 6h"
    assert schedule.every_count.minimum() == 1  # a zero interval cannot be entered


def test_once_mode_writes_a_wall_time_in_the_chosen_zone(qtbot: QtBot) -> None:
    schedule = ScheduleEditor(clock=clock)
    qtbot.addWidget(schedule)
    schedule.set_schedule("manual", "Europe/Paris")
    choose_mode(schedule, "once")
    # It starts tomorrow at 09:00 where the tracker runs.
    assert schedule.expression() == "once 2026-03-28T09:00"
    schedule.once.setDateTime(QDateTime(QDate(2026, 3, 29), QTime(2, 30), QTimeZone.utc()))
    # 02:30 does not exist in Paris that night; the edit keeps the wall time as typed and the
    # schedule runs at the end of the gap.
    assert schedule.expression() == "once 2026-03-29T02:30"
    assert schedule.next_runs.text() == "Sun 2026-03-29 03:00 CEST (UTC+02:00)"
    schedule.once.setDateTime(QDateTime(QDate(2026, 1, 1), QTime(9, 0), QTimeZone.utc()))
    assert schedule.is_valid()
    assert schedule.next_runs.text() == "None: that time has passed"


@pytest.mark.parametrize(
    ("expression", "mode"),
    [
        ("manual", "manual"),
        ("@weekly", "preset"),
        ("@every 15m", "every"),
        ("once 2026-12-01T09:00", "once"),
        ("*/10 * * * * *", "cron"),
        # Spellings the simple inputs would rewrite open as custom text, unchanged.
        ("@every 1h30m", "cron"),
        ("@midnight", "cron"),
        ("once 2026-12-01T09:00+02:00", "cron"),
        ("2026-12-01 09:00", "cron"),
        ("MANUAL", "cron"),
    ],
)
def test_set_schedule_opens_the_right_mode_and_keeps_the_text(
    qtbot: QtBot, expression: str, mode: str
) -> None:
    schedule = ScheduleEditor(clock=clock)
    qtbot.addWidget(schedule)
    schedule.set_schedule(expression, "Europe/Paris")
    assert schedule.mode.currentData() == mode
    assert schedule.expression() == expression
    assert schedule.is_valid(), schedule.error()


# --- retry ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("strategy", "words", "rows"),
    [
        (
            RetryStrategy(),
            "No retries: a failed check waits for the next scheduled run.",
            set(),
        ),
        (
            RetryStrategy("constant", attempts=3, initial=30),
            "Retries after 30 s, 30 s, then gives up.",
            {"attempts", "initial"},
        ),
        (
            RetryStrategy("linear", attempts=4, initial=60, increment=90, maximum=200),
            "Retries after 1 min, 2 min 30 s, 3 min 20 s, then gives up.",
            {"attempts", "initial", "increment", "maximum"},
        ),
        (
            RetryStrategy("exponential", attempts=4, initial=30, multiplier=2, maximum=3600),
            "Retries after 30 s, 1 min, 2 min, then gives up.",
            {"attempts", "initial", "multiplier", "maximum"},
        ),
        (
            RetryStrategy("constant", attempts=1, initial=30),
            "No retries: gives up after the first failed try (raise Attempts to retry).",
            {"attempts", "initial"},
        ),
    ],
)
def test_retry_editor_says_the_waits_and_shows_only_the_settings_that_apply(
    qtbot: QtBot, strategy: RetryStrategy, words: str, rows: set[str]
) -> None:
    editor = RetryEditor()
    qtbot.addWidget(editor)
    editor.set_strategy(strategy)
    assert editor.strategy() == strategy
    assert editor.summary.text() == words == delays_in_words(strategy)
    assert editor.summary.textFormat() == Qt.TextFormat.PlainText
    inputs = {
        "attempts": editor.attempts,
        "initial": editor.initial,
        "increment": editor.increment,
        "multiplier": editor.multiplier,
        "maximum": editor.maximum,
    }
    assert {name for name, widget in inputs.items() if widget.isVisibleTo(editor)} == rows


def test_retry_durations_are_typed_with_units_and_errors_show_in_place(qtbot: QtBot) -> None:
    editor = RetryEditor()
    qtbot.addWidget(editor)
    editor.kind.setCurrentIndex(editor.kind.findData("linear"))
    assert editor.attempts.value() == 3  # leaving "none" does not start at "no retries"
    type_into(qtbot, editor.initial, "1h 30m")
    type_into(qtbot, editor.increment, "45s")
    type_into(qtbot, editor.maximum, "2h")
    assert editor.strategy() == RetryStrategy(
        "linear", attempts=3, initial=5400, increment=45, maximum=7200
    )
    type_into(qtbot, editor.initial, "soon")
    assert not editor.is_valid()
    assert "'soon' is not a duration" in editor.initial_error.text()
    assert editor.summary.isHidden()
    type_into(qtbot, editor.initial, "0s")
    assert "initial interval must be more than 0 seconds" in editor.error_line.text()
    type_into(qtbot, editor.initial, "10s")
    assert editor.is_valid() and editor.initial_error.isHidden() and editor.error_line.isHidden()


def test_attempts_outside_one_to_ten_cannot_be_entered(qtbot: QtBot) -> None:
    editor = RetryEditor()
    qtbot.addWidget(editor)
    editor.kind.setCurrentIndex(editor.kind.findData("constant"))
    assert (editor.attempts.minimum(), editor.attempts.maximum()) == (1, 10)
    editor.attempts.setValue(11)
    assert editor.attempts.value() == 10
    editor.attempts.setValue(0)
    assert editor.attempts.value() == 1
    editor.attempts.lineEdit().selectAll()
    qtbot.keyClicks(editor.attempts, "42")
    assert 1 <= editor.attempts.value() <= 10
    assert editor.is_valid()


def test_a_retry_problem_keeps_ok_disabled(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    fill_basics(qtbot, editor)
    editor.retry.kind.setCurrentIndex(editor.retry.kind.findData("constant"))
    type_into(qtbot, editor.retry.initial, "later")
    assert not editor.ok_button.isEnabled() and "retry" in editor.errors()
    type_into(qtbot, editor.retry.initial, "5m")
    assert editor.ok_button.isEnabled()


# --- text from the web is plain text ----------------------------------------------------------


def test_markup_in_names_urls_and_schedules_is_shown_literally(qtbot: QtBot) -> None:
    tracker = Tracker(name=f"Shop {BOLD}", url="https://example.com/").validated()
    editor = make_editor(qtbot, tracker, taken=[f"Blog {BOLD}"])
    assert editor.windowTitle() == f"Edit tracker: Shop {BOLD}"

    type_into(qtbot, editor.url, f"https://example.com/{HOSTILE}")
    assert editor.url_error.textFormat() == Qt.TextFormat.PlainText
    assert HOSTILE in editor.url_error.text()

    type_into(qtbot, editor.name, f"Blog {BOLD}")
    assert editor.name_error.textFormat() == Qt.TextFormat.PlainText
    assert BOLD in editor.name_error.text()

    choose_mode(editor.schedule, "cron")
    type_into(qtbot, editor.schedule.cron, f"{BOLD} * * * *")
    assert editor.schedule.expression_error.textFormat() == Qt.TextFormat.PlainText
    assert BOLD in editor.schedule.expression_error.text()

    for label in editor.findChildren(QLabel):
        if "<" in label.text():
            assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
    for label in (editor.schedule.description, editor.schedule.next_runs, editor.retry.summary):
        assert label.textFormat() == Qt.TextFormat.PlainText


# --- keyboard, labels, colours ----------------------------------------------------------------


def test_every_input_has_a_label_with_its_own_mnemonic(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    texts = [label.text() for label in editor.findChildren(QLabel) if label.buddy() is not None]
    texts += [button.text() for button in editor.findChildren(QAbstractButton)]
    texts += [box.title() for box in editor.findChildren(QGroupBox)]
    # Labels that change with the mode or strategy (their letters are the same in each form);
    # the one the default mode shows is counted once.
    changing = ["&Preset:", "Cron e&xpression:", "Ever&y:", "W&hen:", "&Fixed wait:"]
    texts += [text for text in changing if text not in texts]
    letters = [m.group(1).lower() for text in texts for m in re.finditer(r"&([^&])", text)]
    repeated = {letter for letter in letters if letters.count(letter) > 1}
    assert repeated <= {"f"}  # "&Fixed wait" and "&First wait" are one field under two names
    for field in (editor.name, editor.url, editor.revisions, editor.schedule.zone):
        assert any(label.buddy() is field for label in editor.findChildren(QLabel))


def test_tab_visits_the_fields_in_reading_order(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    editor.set_advanced_shown(True)
    order = focusable_in_order(editor)
    expected = [
        editor.name,
        editor.url,
        editor.kind,
        editor.enabled,
        editor.notify,
        editor.schedule.mode,
        editor.schedule.zone,
        editor.advanced_toggle,
        editor.revisions,
        editor.verify_tls,
        editor.retry.kind,
        editor.headers,
        editor.add_header,
        editor.remove_header,
        editor.show_values,
        editor.ignore,
        editor.masks,
    ]
    positions = [order.index(widget) for widget in expected]
    assert positions == sorted(positions)
    cancel = editor.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert order.index(cancel) > order.index(editor.masks)


def test_a_tracker_can_be_made_with_the_keyboard_alone(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    qtbot.waitUntil(lambda: editor.name.hasFocus(), timeout=1000)
    qtbot.keyClicks(editor.name, "Keyboard")
    qtbot.keyClick(editor.name, Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "https://example.com/")
    # Alt+R jumps to the schedule mode, on the hourly preset; Down twice picks "Every".
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is editor.schedule.mode
    assert editor.schedule.expression() == DEFAULT_SCHEDULE
    qtbot.keyClick(editor.schedule.mode, Qt.Key.Key_Down)
    qtbot.keyClick(editor.schedule.mode, Qt.Key.Key_Down)
    assert editor.schedule.expression() == "@every 15m"
    # Tab reaches "Advanced ▸"; Space unfolds it.
    for _ in range(10):
        if QApplication.focusWidget() is editor.advanced_toggle:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.advanced_toggle
    qtbot.keyClick(editor.advanced_toggle, Qt.Key.Key_Space)
    assert editor.advanced_shown()
    # Alt+D adds a header row and starts editing its name; Tab moves to its value.
    qtbot.keyClick(editor.advanced_toggle, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    # A button's mnemonic clicks it after a short animation.
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit), timeout=1000)
    assert editor.headers.rowCount() == 1
    qtbot.keyClicks(QApplication.focusWidget(), "X-Token")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    value_editor = QApplication.focusWidget()
    assert isinstance(value_editor, QLineEdit)
    assert value_editor.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(value_editor, "abc")
    # Return in a cell only commits it (the dialog stays open); a second Return accepts.
    qtbot.keyClick(value_editor, Qt.Key.Key_Return)
    qtbot.waitUntil(editor.headers.hasFocus, timeout=1000)
    assert editor.isVisible() and editor.result_tracker() is None
    assert editor.ok_button.isEnabled()
    with qtbot.waitSignal(editor.accepted, timeout=1000):
        qtbot.keyClick(editor.headers, Qt.Key.Key_Return)
    result = editor.result_tracker()
    assert result is not None
    assert (result.name, result.schedule, result.headers) == (
        "Keyboard",
        "@every 15m",
        {"X-Token": "abc"},
    )


def test_errors_read_in_light_and_dark_palettes_and_not_by_colour_alone(qtbot: QtBot) -> None:
    editor = make_editor(qtbot, taken=["Shop"])
    fill_basics(qtbot, editor, name="Shop")
    line = editor.name_error
    assert line.text().startswith("⚠ ")
    assert line.palette().color(QPalette.ColorRole.WindowText) == QColor(ERROR_ON_LIGHT)

    dark = QPalette(editor.palette())
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f0f0f0"))
    editor.setPalette(dark)
    assert line.palette().color(QPalette.ColorRole.WindowText) == QColor(ERROR_ON_DARK)
    # Only the error colour is set: other labels keep the palette's own text colour.
    assert editor.tls_warning.palette().color(QPalette.ColorRole.WindowText) == QColor("#f0f0f0")
    # An error line takes no focus (Tab goes on to the next field: test_editor_keyboard_and_
    # screen_readers); it is read out as an error, and with its field, as the field's description.
    assert line.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert line.accessibleName().startswith("Error: ")
    assert editor.name.accessibleDescription() == line.message()


def test_a_screenshot_of_the_filled_in_editor_can_be_taken(qtbot: QtBot, tmp_path: Path) -> None:
    tracker = Tracker(
        name="Shop checkout",
        url="https://shop.example.com/checkout",
        headers={"Authorization": "Bearer abc123"},
        schedule="0 9 * * 1-5",
        timezone="Europe/Paris",
        retry=RetryStrategy("exponential", attempts=4, initial=30, multiplier=2, maximum=600),
        ignore=("^https://www\\.googletagmanager\\.com/",),
        id=3,
    )
    editor = shown(qtbot, make_editor(qtbot, tracker))
    image = editor.grab()
    free = editor.screen().availableGeometry()
    assert editor.minimumWidth() <= image.width() <= free.width()
    assert editor.minimumHeight() <= image.height() <= free.height()
    assert editor.advanced_shown()  # its headers, retries and ignore rules are set
    assert image.save(str(tmp_path / "editor.png"))
