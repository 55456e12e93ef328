"""The editor with the keyboard and a screen reader: Tab goes from field to field in the order
they are shown (never to an error line), every control has an accessible name, and every label
with a mnemonic is the buddy of its field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from desktop_tracker.gui.kinds.content_fields import ContentFields
from desktop_tracker.gui.schedule_editor import ErrorLine
from desktop_tracker.gui.tracker_editor import TrackerEditor
from desktop_tracker.kinds.registry import KINDS
from tests.support.tracker_editor import focusable_in_order, make_editor, shown, type_into

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def keep_running_when_windows_close(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


def buttons(editor: TrackerEditor) -> list[QWidget]:
    """OK and Cancel in the order the platform lays them out."""
    return sorted(
        [editor.ok_button, editor.cancel_button], key=lambda button: button.geometry().x()
    )


def tabbed_through(qtbot: QtBot, editor: TrackerEditor, start: QWidget) -> list[QWidget]:
    """The widgets Tab puts the keyboard in, pressed from `start` until it comes round."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    visited = [start]
    for _ in range(60):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is not None
        while focused.focusProxy() is not None:
            focused = focused.focusProxy()
        if focused is start:
            return visited
        visited.append(focused)
    raise AssertionError(f"Tab never came back to the start: {visited}")


def test_tab_from_a_wrong_url_goes_on_to_the_kind(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    type_into(qtbot, editor.url, "ftp://example.com/")
    assert editor.url_error.isVisible()
    qtbot.keyClick(editor.url, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.kind
    qtbot.keyClick(editor.kind, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is editor.url


def test_no_error_line_takes_focus(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    editor.set_advanced_shown(True)
    editor.accept()  # every empty field says why
    lines = editor.findChildren(ErrorLine)
    assert len(lines) > 10 and any(line.isVisible() for line in lines)
    for line in lines:
        assert line.focusPolicy() == Qt.FocusPolicy.NoFocus, line.message()
    assert not any(isinstance(widget, ErrorLine) for widget in focusable_in_order(editor))


def test_tab_visits_the_first_trackers_fields_in_the_order_they_are_shown(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    type_into(qtbot, editor.url, "example.com")  # OK is enabled, in the chain too
    schedule = editor.schedule
    expected = [
        editor.name,
        editor.url,
        editor.kind,
        editor.enabled,
        editor.notify,
        schedule.mode,
        schedule.preset,
        schedule.zone,
        editor.advanced_toggle,
        *buttons(editor),
    ]
    assert focusable_in_order(editor) == expected
    assert tabbed_through(qtbot, editor, editor.name) == expected


def test_tab_visits_the_advanced_fields_column_by_column(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot, service=_NoService()))
    type_into(qtbot, editor.url, "example.com")
    editor.set_advanced_shown(True)
    retry = editor.retry
    retry.kind.setCurrentIndex(retry.kind.findData("exponential"))
    start = focusable_in_order(editor).index(editor.advanced_toggle)
    expected = [
        editor.advanced_toggle,
        editor.revisions,
        editor.verify_tls,
        retry.kind,
        retry.attempts,
        retry.initial,
        retry.multiplier,
        retry.maximum,
        editor.headers,
        editor.add_header,
        editor.remove_header,
        editor.show_values,
        editor.ignore,
        editor.masks,
        editor.learn_noise,
        *buttons(editor),
    ]
    assert focusable_in_order(editor)[start:] == expected
    assert tabbed_through(qtbot, editor, editor.name)[start:] == expected


def test_tab_goes_through_a_kinds_fields_right_after_the_kind(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    editor.kind.setCurrentIndex(editor.kind.findData("content"))
    fields = editor.fields()
    assert isinstance(fields, ContentFields)
    order = tabbed_through(qtbot, editor, editor.name)
    assert order[:6] == [
        editor.name,
        editor.url,
        editor.kind,
        fields.selector,
        fields.test_button,
        editor.enabled,
    ]


class _NoService:
    """A service the editor is given, so that Learn noise is enabled; never called here."""

    async def check_unsaved(self, tracker: object) -> object:
        raise AssertionError("not called")

    async def learn_noise(self, tracker: object, fetches: int = 3) -> list[object]:
        raise AssertionError("not called")


def unnamed(editor: TrackerEditor) -> list[str]:
    return [
        f"{type(widget).__name__} {widget.objectName()!r} under {type(widget.parent()).__name__}"
        for widget in focusable_in_order(editor)
        if not widget.accessibleName().strip()
    ]


def test_every_control_has_an_accessible_name_in_every_form_it_takes(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot, service=_NoService()))
    type_into(qtbot, editor.url, "example.com")
    editor.set_advanced_shown(True)
    checked = 0
    for kind in KINDS:
        editor.kind.setCurrentIndex(editor.kind.findData(kind))
        for mode in ("manual", "preset", "cron", "every", "once"):
            editor.schedule.mode.setCurrentIndex(editor.schedule.mode.findData(mode))
            for strategy in ("none", "constant", "linear", "exponential"):
                editor.retry.kind.setCurrentIndex(editor.retry.kind.findData(strategy))
                assert unnamed(editor) == [], (kind, mode, strategy)
                checked += len(focusable_in_order(editor))
    assert checked > 1000


def test_a_header_cell_being_edited_is_named_for_its_column(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    editor.set_advanced_shown(True)
    qtbot.mouseClick(editor.add_header, Qt.MouseButton.LeftButton)
    name_cell = QApplication.focusWidget()
    assert isinstance(name_cell, QLineEdit) and name_cell.accessibleName() == "Header name"
    qtbot.keyClicks(name_cell, "Cookie")
    qtbot.keyClick(name_cell, Qt.Key.Key_Tab)
    value_cell = QApplication.focusWidget()
    assert isinstance(value_cell, QLineEdit) and value_cell.accessibleName() == "Header value"


def test_every_label_with_a_mnemonic_is_its_fields_buddy(qtbot: QtBot) -> None:
    editor = make_editor(qtbot)
    labels = [label for label in editor.findChildren(QLabel) if "&" in label.text()]
    assert len(labels) > 10
    for label in labels:
        # The schedule's second row has no input for "manual": its label is blank then.
        assert label.buddy() is not None, label.text()
    for field in (editor.name, editor.url, editor.kind, editor.revisions, editor.schedule.mode):
        assert any(label.buddy() is field for label in labels)
