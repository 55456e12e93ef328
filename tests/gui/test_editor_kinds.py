"""The tracker editor's kinds: the kind choice, each kind's own fields and their options, the
mask rules and the noise dialog, driven as a user would, offscreen, without the network (the
tests that fetch pages are in test_editor_fetching.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.kinds.content_fields import ContentFields
from desktop_tracker.gui.kinds.editors import FIELDS, NoFields, fields_for
from desktop_tracker.gui.kinds.headers_fields import HeadersFields, split_names
from desktop_tracker.gui.kinds.resources_fields import ResourcesFields
from desktop_tracker.gui.noise_dialog import NoiseDialog
from desktop_tracker.gui.tracker_editor import TrackerEditor
from desktop_tracker.gui.trackers_model import kind_label
from desktop_tracker.kinds.noise import ProposedRule
from desktop_tracker.kinds.registry import KINDS, kind_for

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

OPTIONS: dict[str, dict[str, Any]] = {
    "resources": {},
    "content": {"selector": "main .prices", "additions_only": True},
    "headers": {"headers": ["cache-control", "server"]},
}


@pytest.fixture(autouse=True)
def keep_running_when_windows_close(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


def make_editor(qtbot: QtBot, tracker: Tracker | None = None) -> TrackerEditor:
    editor = TrackerEditor(None, tracker)
    qtbot.addWidget(editor)
    return editor


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def choose_kind(editor: TrackerEditor, name: str) -> None:
    editor.kind.setCurrentIndex(editor.kind.findData(name))


def fill_common(qtbot: QtBot, editor: TrackerEditor) -> None:
    type_into(qtbot, editor.name, "Shop")
    type_into(qtbot, editor.url, "https://shop.example.com/")
    editor.ignore.setPlainText("^Share this")
    editor.masks.setPlainText(r"\d+ visitors")
    editor.notify.setChecked(False)
    editor.verify_tls.setChecked(False)
    qtbot.mouseClick(editor.add_header, Qt.MouseButton.LeftButton)
    editor.headers.item(0, 0).setText("Cookie")
    editor.headers.item(0, 1).setText("sid=1")


def shown_fields(editor: TrackerEditor) -> list[QWidget]:
    """The kind fields the user can see: exactly one kind's."""
    return [
        fields  # type: ignore[misc]
        for fields in editor.kind_fields.values()
        if fields.isVisibleTo(editor)  # type: ignore[attr-defined]
    ]


# --- the kind choice ------------------------------------------------------------------------


def test_the_kind_choice_lists_every_kind_by_its_label_and_says_what_it_watches(
    qtbot: QtBot,
) -> None:
    editor = make_editor(qtbot)
    labels = [editor.kind.itemText(i) for i in range(editor.kind.count())]
    assert labels == [kind.label for kind in KINDS.values()]
    assert editor.kind_name() == "resources"  # the default kind
    for name in KINDS:
        choose_kind(editor, name)
        assert editor.kind_summary.text() == fields_for(name).summary
        assert editor.kind_summary.textFormat() == Qt.TextFormat.PlainText
        # The ignore field says what a rule of this kind matches.
        assert kind_for(name).describe_ignore() in editor.ignore_hint.text()
        assert editor.ignore.placeholderText() == fields_for(name).ignore_example
    assert editor.kind.accessibleName()


def test_switching_kind_swaps_the_kind_fields_and_keeps_the_common_ones(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    editor.show()
    fill_common(qtbot, editor)
    choose_kind(editor, "content")
    content = editor.fields()
    assert isinstance(content, ContentFields) and shown_fields(editor) == [content]
    type_into(qtbot, content.selector, "article")

    choose_kind(editor, "headers")
    headers = editor.fields()
    assert isinstance(headers, HeadersFields) and shown_fields(editor) == [headers]
    assert not content.isVisibleTo(editor)
    type_into(qtbot, headers.extra, "server")

    # The common fields are as they were; back on content, its selector is too.
    assert editor.name.text() == "Shop" and editor.url.text() == "https://shop.example.com/"
    assert editor.ignore.toPlainText() == "^Share this"
    assert editor.masks.toPlainText() == r"\d+ visitors"
    assert not editor.notify.isChecked() and not editor.verify_tls.isChecked()
    assert editor.headers.item(0, 0).text() == "Cookie"
    choose_kind(editor, "content")
    assert content.selector.text() == "article"

    editor.accept()
    result = editor.result_tracker()
    assert result is not None
    assert result.kind == "content"
    assert result.options == {"selector": "article", "additions_only": False}
    assert (result.name, result.url, result.headers) == (
        "Shop",
        "https://shop.example.com/",
        {"Cookie": "sid=1"},
    )
    assert (result.ignore, result.mask, result.notify, result.verify_tls) == (
        ("^Share this",),
        (r"\d+ visitors",),
        False,
        False,
    )


@pytest.mark.parametrize("kind", list(OPTIONS))
def test_each_kinds_options_round_trip_from_load_to_save(qtbot: QtBot, kind: str) -> None:
    tracker = Tracker(
        name="Shop",
        url="https://shop.example.com/",
        kind=kind,
        options=OPTIONS[kind],
        mask=("(?<=nonce=)[A-Za-z0-9]+",),
        id=5,
    ).validated()
    editor = make_editor(qtbot, tracker)
    assert editor.kind_name() == kind
    assert editor.fields().options() == tracker.options
    assert editor.masks.toPlainText() == "(?<=nonce=)[A-Za-z0-9]+"
    assert editor.ok_button.isEnabled(), editor.errors()
    editor.accept()
    assert editor.result_tracker() == tracker


def test_a_kind_can_be_changed_when_editing(qtbot: QtBot) -> None:
    tracker = Tracker(name="Shop", url="https://shop.example.com/", id=5).validated()
    editor = make_editor(qtbot, tracker)
    choose_kind(editor, "headers")
    fields = editor.fields()
    assert isinstance(fields, HeadersFields)
    type_into(qtbot, fields.extra, "Server, X-Powered-By")
    editor.accept()
    result = editor.result_tracker()
    assert result is not None and (result.id, result.kind) == (5, "headers")
    assert result.options == {"headers": ["server", "x-powered-by"]}


def test_the_content_fields_fill_in_as_typed(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    choose_kind(editor, "content")
    fields = editor.fields()
    assert isinstance(fields, ContentFields)
    assert fields.options() == {"selector": None, "additions_only": False}  # the whole page
    type_into(qtbot, fields.selector, "  #news li  ")
    fields.additions_only.click()
    assert fields.options() == {"selector": "#news li", "additions_only": True}
    type_into(qtbot, fields.selector, "   ")
    assert fields.options()["selector"] is None


# --- validation -------------------------------------------------------------------------------


def test_an_invalid_selector_is_refused_under_the_selector(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    type_into(qtbot, editor.name, "Shop")
    type_into(qtbot, editor.url, "https://shop.example.com/")
    choose_kind(editor, "content")
    fields = editor.fields()
    assert isinstance(fields, ContentFields)
    assert fields.selector_error.isHidden()
    type_into(qtbot, fields.selector, "p[")

    assert not editor.ok_button.isEnabled()
    assert editor.errors()["options"].startswith("selector: the selector 'p[' is not valid CSS")
    assert not fields.selector_error.isHidden()
    assert "'p[' is not valid CSS" in fields.selector_error.text()
    assert fields.selector_error.textFormat() == Qt.TextFormat.PlainText
    assert fields.selector.accessibleDescription() == fields.selector_error.message()
    assert editor.form_error.isHidden()  # said once, where the problem is

    type_into(qtbot, fields.selector, "p.price")
    assert fields.selector_error.isHidden() and editor.ok_button.isEnabled()
    # The error was the content kind's: on another kind, nothing is wrong.
    type_into(qtbot, fields.selector, "p[")
    choose_kind(editor, "resources")
    assert "options" not in editor.errors() and editor.ok_button.isEnabled()


def test_an_invalid_selector_of_a_stored_tracker_shows_at_once(qtbot: QtBot) -> None:
    tracker = Tracker(
        name="Shop", url="https://shop.example.com/", kind="content", options={}, id=2
    ).validated()
    editor = make_editor(qtbot, tracker)
    fields = editor.fields()
    assert isinstance(fields, ContentFields)
    fields.selector.setText(">>>")  # e.g. pasted
    fields.changed.emit()
    assert not fields.selector_error.isHidden() and not editor.ok_button.isEnabled()


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("Bad Header", "'bad header' is not a header name"),
        ("server, set-cookie", "cookies are always watched"),
    ],
)
def test_headers_to_watch_must_be_header_names(qtbot: QtBot, typed: str, words: str) -> None:
    editor = make_editor(qtbot)
    type_into(qtbot, editor.name, "Shop")
    type_into(qtbot, editor.url, "https://shop.example.com/")
    choose_kind(editor, "headers")
    fields = editor.fields()
    assert isinstance(fields, HeadersFields)
    type_into(qtbot, fields.extra, typed)
    assert not editor.ok_button.isEnabled()
    assert editor.errors()["options"].startswith("headers: ")
    assert words in fields.extra_error.text()
    assert fields.extra.accessibleDescription() == fields.extra_error.message()
    type_into(qtbot, fields.extra, "server")
    assert fields.extra_error.isHidden() and editor.ok_button.isEnabled()


def test_header_names_are_split_at_commas_only() -> None:
    assert split_names(" Server ,x-a,, \n y ") == ["Server", "x-a", "y"]
    assert split_names("a b") == ["a b"]  # one wrong name, said so, not two


def test_the_headers_fields_say_what_is_always_watched(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    choose_kind(editor, "headers")
    fields = editor.fields()
    assert isinstance(fields, HeadersFields)
    assert "CSP, HSTS, X-Frame-Options" in fields.note.text()
    assert "cookie" in fields.note.text()
    assert "Strict-Transport-Security" in fields.note.accessibleDescription()


def test_mask_rules_are_one_regex_a_line_and_wrong_ones_are_shown(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    type_into(qtbot, editor.name, "Shop")
    type_into(qtbot, editor.url, "https://shop.example.com/")
    assert "dates, counters, nonces" in editor.mask_hint.text()
    assert "shown as …" in editor.mask_hint.text()
    editor.masks.setPlainText("ok\n(unclosed")
    assert not editor.mask_error.isHidden()
    assert "mask rule '(unclosed' is not a regular expression" in editor.mask_error.text()
    assert editor.masks.accessibleDescription() == editor.errors()["mask"]
    assert not editor.ok_button.isEnabled()
    editor.masks.setPlainText("  \\d+ views \n\n nonce=\\w+")
    assert editor.mask_error.isHidden()
    editor.accept()
    result = editor.result_tracker()
    assert result is not None and result.mask == (r"\d+ views", r"nonce=\w+")


# --- the noise dialog, without fetching -------------------------------------------------------

RULES = [
    ProposedRule(r"(?<=nonce=)[A-Za-z0-9]+", "a nonce that changes between fetches", ("a1", "b2")),
    ProposedRule(r"\d+(?= visitors)", "a counter that changes between fetches", ("41", "42")),
]


def test_the_noise_dialog_lists_each_rule_checked_and_editable(qtbot: QtBot) -> None:
    dialog = NoiseDialog(None, lambda: None)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(dialog)
    dialog.show_rules(RULES)
    assert [row.text() for row in dialog.rows] == [rule.pattern for rule in RULES]
    assert all(row.chosen() for row in dialog.rows)
    first = dialog.rows[0]
    assert first.reason.text() == "A nonce that changes between fetches"
    assert first.examples.text() == "Seen: 'a1', 'b2'"
    assert first.use.accessibleName() == "Use rule 1"
    assert first.pattern.accessibleName() == "Pattern of rule 1"
    assert dialog.accept_button.isEnabled()

    dialog.rows[1].use.setChecked(False)
    first.pattern.setText("(?<=nonce=)\\w+")
    assert dialog.accepted_patterns() == ["(?<=nonce=)\\w+"]
    first.pattern.setText("(?<=nonce=")
    assert not first.error.isHidden() and not dialog.accept_button.isEnabled()
    first.use.setChecked(False)  # a rule left out may stay wrong
    assert first.error.isHidden()
    assert not dialog.accept_button.isEnabled()  # but nothing is chosen


def test_no_proposed_rule_says_so(qtbot: QtBot) -> None:
    dialog = NoiseDialog(None, lambda: None)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(dialog)
    dialog.show_rules([])
    assert "no mask rule is needed" in dialog.status.text()
    assert not dialog.accept_button.isEnabled()
    assert dialog.cancel_button.text() == "Close"


def test_accepted_rules_are_added_to_the_mask_field_once(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    editor.masks.setPlainText("\\d+(?= visitors)\n")
    editor.add_mask_rules([RULES[0].pattern, RULES[1].pattern, RULES[0].pattern])
    assert editor.masks.toPlainText() == "\\d+(?= visitors)\n(?<=nonce=)[A-Za-z0-9]+"
    editor.add_mask_rules([RULES[0].pattern])
    assert editor.masks.toPlainText() == "\\d+(?= visitors)\n(?<=nonce=)[A-Za-z0-9]+"


def test_learn_noise_needs_the_service_and_a_valid_url(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    type_into(qtbot, editor.url, "https://shop.example.com/")
    assert not editor.learn_noise.isEnabled()  # no service to fetch through
    assert "cannot be fetched" in editor.learn_noise.accessibleDescription()

    class Service:
        async def check_unsaved(self, tracker: Tracker) -> Any:
            raise AssertionError("not called")

        async def learn_noise(self, tracker: Tracker, fetches: int = 3) -> list[ProposedRule]:
            raise AssertionError("not called")

    with_service = TrackerEditor(None, None, service=Service())
    qtbot.addWidget(with_service)
    assert not with_service.learn_noise.isEnabled()
    assert with_service.learn_noise.accessibleDescription() == "Give a valid URL first."
    type_into(qtbot, with_service.url, "https://shop.example.com/")
    assert with_service.learn_noise.isEnabled()  # a name is not needed to learn


def test_test_selector_without_a_service_or_url_says_why(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    choose_kind(editor, "content")
    fields = editor.fields()
    assert isinstance(fields, ContentFields)
    qtbot.mouseClick(fields.test_button, Qt.MouseButton.LeftButton)
    assert fields.test_message().startswith("fix the URL first: ")
    type_into(qtbot, editor.url, "https://shop.example.com/")
    qtbot.mouseClick(fields.test_button, Qt.MouseButton.LeftButton)
    assert "cannot be fetched" in fields.test_message()
    type_into(qtbot, fields.selector, "p[")
    qtbot.mouseClick(fields.test_button, Qt.MouseButton.LeftButton)
    assert "is not valid CSS" in fields.test_message()
    assert not fields.is_testing()


# --- registry, model, keyboard ----------------------------------------------------------------


def test_every_kind_has_fields_registered_by_its_name() -> None:
    assert set(FIELDS) == set(KINDS)
    assert FIELDS["resources"] is ResourcesFields
    assert fields_for("a kind to come") is NoFields


def test_the_trackers_table_names_a_kind_by_its_label() -> None:
    assert kind_label("content") == "Page text"
    assert kind_label("headers") == "Security headers"
    assert kind_label("resources") == "Scripts and styles"
    assert kind_label("video") == "video"  # a kind of a newer version, by its stored name


def test_every_new_control_has_an_accessible_name(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    controls: list[QWidget] = [editor.kind, editor.masks, editor.learn_noise]
    for name in KINDS:
        controls += [
            widget
            for widget in editor.kind_fields[name].focus_order()
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and type(widget).__name__ != "ErrorLine"
        ]
    assert len(controls) > 3
    for widget in controls:
        assert widget.accessibleName(), widget


def test_tab_goes_from_the_kind_to_its_fields_then_on(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    with qtbot.waitExposed(editor):
        editor.show()
    editor.set_advanced_shown(True)
    choose_kind(editor, "content")
    fields = editor.fields()
    assert isinstance(fields, ContentFields)
    order = focusable_in_order(editor)
    # "Notify on additions only" is an advanced option: in the advanced section, after the
    # revisions and the TLS check.
    expected = [
        editor.url,
        editor.kind,
        fields.selector,
        fields.test_button,
        editor.schedule.mode,
        editor.revisions,
        editor.verify_tls,
        fields.additions_only,
        editor.retry.kind,
        editor.ignore,
        editor.masks,
    ]
    positions = [order.index(widget) for widget in expected]
    assert positions == sorted(positions)
    choose_kind(editor, "headers")
    headers = editor.fields()
    assert isinstance(headers, HeadersFields)
    order = focusable_in_order(editor)
    # The headers kind's one field, more headers to watch, is advanced too.
    assert order.index(editor.kind) + 1 == order.index(editor.enabled)
    assert order.index(editor.verify_tls) + 1 == order.index(headers.extra)
    assert fields.selector not in order and fields.additions_only not in order


def focusable_in_order(window: QWidget) -> list[QWidget]:
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
