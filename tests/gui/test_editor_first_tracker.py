"""A first tracker made in the editor: it checks hourly unless told otherwise, an address typed
as "example.com" is completed, a name left empty is the host's, and what a first tracker does not
need is folded under "Advanced ▸", open by itself when any of it is set or wrong."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.kinds.content_fields import ContentFields
from desktop_tracker.gui.kinds.headers_fields import HeadersFields
from desktop_tracker.gui.tracker_editor import ADVANCED_INSIDE, DEFAULT_SCHEDULE, TrackerEditor
from tests.support.tracker_editor import make_editor, shown, type_into

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def keep_running_when_windows_close(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


def accepted(editor: TrackerEditor) -> Tracker:
    editor.accept()
    result = editor.result_tracker()
    assert result is not None, editor.errors()
    return result


# --- the schedule a new tracker starts with ---------------------------------------------------


def test_a_new_tracker_checks_hourly_on_the_preset_in_the_system_zone(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")
    editor = make_editor(qtbot)
    schedule = editor.schedule
    # Shown as the "Hourly" preset a first-time user can read, not as cron fields.
    assert schedule.mode.currentData() == "preset"
    assert schedule.preset.currentData() == "@hourly"
    assert schedule.timezone() == "Europe/Paris"
    assert schedule.description.text() == "Every hour (Europe/Paris)"
    type_into(qtbot, editor.url, "https://shop.example.com/")
    result = accepted(editor)
    # Saved in the five fields the default is written in, and in the system zone.
    assert (result.schedule, result.timezone) == (DEFAULT_SCHEDULE, "Europe/Paris")


@pytest.mark.parametrize(
    ("schedule", "zone", "mode"),
    [
        ("@daily", "Asia/Tokyo", "preset"),
        ("0 0 * * *", "Asia/Tokyo", "preset"),  # the daily preset's cron fields
        ("*/30 * * * *", "America/New_York", "cron"),
        ("@every 6h", "UTC", "every"),
        ("manual", "Europe/Paris", "manual"),
    ],
)
def test_a_new_tracker_starts_on_the_schedule_and_zone_the_main_window_passes(
    qtbot: QtBot, schedule: str, zone: str, mode: str
) -> None:
    editor = make_editor(qtbot, default_schedule=schedule, default_timezone=zone)
    assert editor.schedule.mode.currentData() == mode
    assert editor.schedule.timezone() == zone
    type_into(qtbot, editor.url, "https://shop.example.com/")
    result = accepted(editor)
    assert (result.schedule, result.timezone) == (schedule, zone)


def test_the_defaults_are_for_a_new_tracker_only(qtbot: QtBot) -> None:
    tracker = Tracker("Shop", "https://shop.example.com/", timezone="UTC", id=4).validated()
    editor = make_editor(qtbot, tracker, default_schedule="@daily", default_timezone="Asia/Tokyo")
    assert editor.schedule.expression() == "manual"
    assert accepted(editor) == tracker


def test_a_preset_stored_as_its_cron_fields_opens_as_the_preset_and_is_saved_unchanged(
    qtbot: QtBot,
) -> None:
    tracker = Tracker("Shop", "https://shop.example.com/", schedule="0 0 * * 0", id=4)
    editor = make_editor(qtbot, tracker.validated())
    assert editor.schedule.mode.currentData() == "preset"
    assert editor.schedule.preset.currentData() == "@weekly"
    assert accepted(editor).schedule == "0 0 * * 0"  # opening and saving rewrites nothing

    again = make_editor(qtbot, tracker.validated())
    again.schedule.preset.setCurrentIndex(again.schedule.preset.findData("@daily"))
    assert accepted(again).schedule == "@daily"  # another preset, in the preset's own words


# --- the URL ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "completed"),
    [
        ("example.com", "https://example.com/"),
        ("example.com/path", "https://example.com/path"),
        ("localhost:8080", "http://localhost:8080/"),
        ("127.0.0.1:5000/api", "http://127.0.0.1:5000/api"),
    ],
)
def test_an_address_without_a_scheme_is_completed_when_the_field_is_left(
    qtbot: QtBot, typed: str, completed: str
) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    type_into(qtbot, editor.name, "Shop")
    type_into(qtbot, editor.url, typed)
    # While typing, the address is judged as it will be completed: no error, OK can be pressed.
    assert editor.url_error.isHidden() and editor.ok_button.isEnabled()
    assert editor.url.text() == typed
    qtbot.keyClick(editor.url, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: editor.url.text() == completed, timeout=1000)
    assert accepted(editor).url == completed


def test_an_address_is_completed_on_ok_without_leaving_the_field(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    type_into(qtbot, editor.name, "Shop")
    type_into(qtbot, editor.url, "shop.example.com/cart")
    with qtbot.waitSignal(editor.accepted, timeout=1000):
        qtbot.keyClick(editor.url, Qt.Key.Key_Return)
    assert editor.url.text() == "https://shop.example.com/cart"  # shown as saved
    result = editor.result_tracker()
    assert result is not None and result.url == "https://shop.example.com/cart"


@pytest.mark.parametrize(
    ("typed", "words"),
    [("shop", "not a full address"), ("javascript:alert(1)", "not javascript: URLs")],
)
def test_an_address_that_is_not_completed_stays_as_typed_and_says_why(
    qtbot: QtBot, typed: str, words: str
) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    type_into(qtbot, editor.url, typed)
    qtbot.keyClick(editor.url, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not editor.url_error.isHidden(), timeout=1000)
    assert editor.url.text() == typed
    assert words in editor.url_error.text()
    assert not editor.ok_button.isEnabled()


def test_an_edited_trackers_url_is_not_rewritten(qtbot: QtBot) -> None:
    tracker = Tracker("Shop", "https://shop.example.com", id=4).validated()  # no "/" at the end
    editor = make_editor(qtbot, tracker)
    editor.url.setFocus()
    editor.name.setFocus()
    assert accepted(editor).url == "https://shop.example.com"


# --- the name ---------------------------------------------------------------------------------


def test_a_name_left_empty_is_the_hosts(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    type_into(qtbot, editor.url, "www.example.com/prices")
    # The empty field says what it stands for, and OK can be pressed.
    assert editor.name.placeholderText() == "example.com (from the URL)"
    assert "named example.com" in editor.name.accessibleDescription()
    assert editor.name_error.isHidden() and editor.ok_button.isEnabled()
    result = accepted(editor)
    assert result.name == "example.com"
    assert editor.name.text() == "example.com"  # the field shows the name saved


def test_a_name_from_the_host_is_not_another_trackers(qtbot: QtBot) -> None:
    editor = make_editor(qtbot, taken=["example.com"])
    type_into(qtbot, editor.url, "https://example.com/other")
    assert accepted(editor).name == "example.com (2)"


def test_a_name_typed_is_kept_and_no_url_means_no_name(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    type_into(qtbot, editor.url, "example.com")
    type_into(qtbot, editor.name, "My shop")
    assert editor.name.placeholderText() == "e.g. Shop checkout page"
    assert accepted(editor).name == "My shop"

    empty = make_editor(qtbot)
    empty.accept()
    assert empty.result_tracker() is None
    assert "1 to 100 characters" in empty.name_error.text()


# --- the advanced section ---------------------------------------------------------------------


def advanced_inputs(editor: TrackerEditor) -> list[QWidget]:
    return [
        editor.revisions,
        editor.verify_tls,
        editor.retry.kind,
        editor.headers,
        editor.add_header,
        editor.ignore,
        editor.masks,
        editor.learn_noise,
    ]


def test_a_new_tracker_folds_what_a_first_tracker_does_not_need(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    assert not editor.advanced_shown()
    assert editor.advanced_toggle.text() == "Advanced ▸"
    assert not editor.advanced_toggle.isChecked()
    for widget in advanced_inputs(editor):
        assert not widget.isVisible(), widget.accessibleName()
    assert editor.advanced_summary.text() == ADVANCED_INSIDE
    assert editor.advanced_toggle.accessibleDescription() == ADVANCED_INSIDE
    # What a first tracker needs is in view.
    for widget in (editor.name, editor.url, editor.kind, editor.schedule.mode, editor.notify):
        assert widget.isVisible()

    qtbot.mouseClick(editor.advanced_toggle, Qt.MouseButton.LeftButton)
    assert editor.advanced_shown() and editor.advanced_toggle.isChecked()
    assert editor.advanced_toggle.text() == "Advanced ▾"
    for widget in advanced_inputs(editor):
        assert widget.isVisible(), widget.accessibleName()
    assert not editor.advanced_summary.isVisible()
    qtbot.mouseClick(editor.advanced_toggle, Qt.MouseButton.LeftButton)
    assert not editor.advanced_shown() and editor.advanced_toggle.text() == "Advanced ▸"


def test_a_kinds_advanced_options_are_folded_with_the_rest(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    editor.kind.setCurrentIndex(editor.kind.findData("content"))
    content = editor.fields()
    assert isinstance(content, ContentFields)
    assert content.selector.isVisible()  # what a content tracker is about
    assert not content.additions_only.isVisible()
    editor.kind.setCurrentIndex(editor.kind.findData("headers"))
    headers = editor.fields()
    assert isinstance(headers, HeadersFields)
    assert headers.note.isVisible() and not headers.extra.isVisible()
    editor.set_advanced_shown(True)
    assert headers.extra.isVisible() and not content.additions_only.isVisible()
    editor.kind.setCurrentIndex(editor.kind.findData("content"))
    assert content.additions_only.isVisible() and not headers.extra.isVisible()


SET: list[tuple[dict[str, Any], str]] = [
    ({"revisions": 25}, "25 revisions kept"),
    ({"verify_tls": False}, "TLS not verified"),
    ({"retry": RetryStrategy("constant", attempts=3, initial=30)}, "retries"),
    ({"headers": {"Cookie": "sid=1", "X-A": "1"}}, "2 request headers"),
    ({"ignore": ("analytics",)}, "1 ignore rule"),
    ({"mask": (r"\d+ visitors", "nonce=\\w+")}, "2 mask rules"),
    ({"kind": "content", "options": {"additions_only": True}}, "notify on additions only"),
    ({"kind": "headers", "options": {"headers": ["server"]}}, "1 more header watched"),
]


@pytest.mark.parametrize(("fields", "words"), SET, ids=[words for _fields, words in SET])
def test_an_edited_tracker_with_an_advanced_setting_shows_the_section_open(
    qtbot: QtBot, fields: dict[str, Any], words: str
) -> None:
    tracker = Tracker("Shop", "https://shop.example.com/", id=4, **fields).validated()
    editor = shown(qtbot, make_editor(qtbot, tracker))
    assert editor.advanced_shown()
    editor.set_advanced_shown(False)  # folded, it says what it holds
    assert editor.advanced_summary.text() == f"Set: {words}"
    assert accepted(editor) == tracker


def test_an_edited_tracker_with_only_defaults_shows_the_section_folded(qtbot: QtBot) -> None:
    tracker = Tracker("Shop", "https://shop.example.com/", schedule="@daily", id=4)
    editor = shown(qtbot, make_editor(qtbot, tracker.validated()))
    assert not editor.advanced_shown()


def test_folded_by_the_user_it_stays_folded_until_something_in_it_is_wrong(
    qtbot: QtBot,
) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    type_into(qtbot, editor.url, "example.com")
    qtbot.mouseClick(editor.advanced_toggle, Qt.MouseButton.LeftButton)
    editor.ignore.setPlainText("analytics")
    qtbot.mouseClick(editor.advanced_toggle, Qt.MouseButton.LeftButton)  # folded again
    assert not editor.advanced_shown()
    assert editor.advanced_summary.text() == "Set: 1 ignore rule"
    editor.ignore.setPlainText("analytics\n(unclosed")  # e.g. pasted by a script
    assert editor.advanced_shown()
    assert editor.ignore_error.isVisible()


def test_an_advanced_error_found_on_ok_opens_the_section(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    type_into(qtbot, editor.url, "example.com")
    editor.kind.setCurrentIndex(editor.kind.findData("headers"))
    headers = editor.fields()
    assert isinstance(headers, HeadersFields)
    editor.set_advanced_shown(True)
    headers.extra.setText("Bad Header")  # set, not typed: its error is not shown yet
    qtbot.mouseClick(editor.advanced_toggle, Qt.MouseButton.LeftButton)
    assert not editor.advanced_shown()
    editor.accept()  # e.g. Enter in the URL field
    assert editor.result_tracker() is None
    assert editor.advanced_shown() and headers.extra_error.isVisible()
    assert "not a header name" in headers.extra_error.text()
