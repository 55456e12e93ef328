"""The editor on a small screen: it opens within the screen, its form scrolls while OK and Cancel
stay in view (at 700 pixels high, and on a 1024×600 screen), and the form scrolls to the field
that has the keyboard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.tracker_editor import TrackerEditor
from tests.support.tracker_editor import make_editor, shown

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

FULL = Tracker(
    "Shop checkout",
    "https://shop.example.com/checkout",
    kind="content",
    options={"selector": "main", "additions_only": True},
    headers={"Authorization": "Bearer abc123"},
    schedule="0 9 * * 1-5",
    timezone="Europe/Paris",
    retry=RetryStrategy("exponential", attempts=4, initial=30, multiplier=2, maximum=600),
    ignore=("^Last updated",),
    mask=(r"\d+ visitors",),
    verify_tls=False,
    id=3,
).validated()
# Room for the dialog itself: a 1366×768 laptop with its panels (700 high), and a 1024×600
# netbook screen less its panels and the dialog's title bar.
SCREENS = {"1366x768": QSize(1000, 700), "1024x600": QSize(1000, 536)}


@pytest.fixture(autouse=True)
def keep_running_when_windows_close(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


def within(editor: TrackerEditor, widget: QWidget) -> bool:
    """Whether all of `widget` shows inside the editor's window."""
    top_left = widget.mapTo(editor, QPoint(0, 0))
    return widget.isVisible() and editor.rect().contains(QRect(top_left, widget.size()))


def in_view(editor: TrackerEditor, widget: QWidget) -> bool:
    """Whether all of `widget` shows inside the scrolled part of the form."""
    viewport = editor.scroll.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("tracker", [None, FULL], ids=["new", "everything set"])
def test_the_editor_opens_within_its_screen(qtbot: QtBot, tracker: Tracker | None) -> None:
    editor = shown(qtbot, make_editor(qtbot, tracker))
    free = editor.screen().availableGeometry()
    assert editor.frameGeometry().height() <= free.height()
    assert editor.frameGeometry().width() <= free.width()
    assert within(editor, editor.ok_button) and within(editor, editor.cancel_button)


def test_a_first_tracker_needs_no_scrolling_at_700_pixels(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    editor.resize(SCREENS["1366x768"])
    QApplication.processEvents()
    assert not editor.scroll.verticalScrollBar().isVisible()
    for widget in (editor.name, editor.url, editor.schedule.zone, editor.advanced_toggle):
        assert in_view(editor, widget)


@pytest.mark.parametrize("screen", SCREENS.values(), ids=SCREENS.keys())
@pytest.mark.parametrize("tracker", [None, FULL], ids=["new", "everything set"])
@pytest.mark.parametrize("unfolded", [False, True], ids=["folded", "unfolded"])
def test_ok_and_cancel_stay_in_view_while_the_form_scrolls(
    qtbot: QtBot, screen: QSize, tracker: Tracker | None, unfolded: bool
) -> None:
    editor = shown(qtbot, make_editor(qtbot, tracker))
    editor.set_advanced_shown(unfolded)
    assert editor.minimumSize().boundedTo(screen) == editor.minimumSize()
    editor.resize(screen)
    QApplication.processEvents()
    assert editor.size() == screen  # nothing in it makes the dialog taller than that
    assert within(editor, editor.ok_button) and within(editor, editor.cancel_button)
    assert within(editor, editor.scroll)
    if unfolded:
        bar = editor.scroll.verticalScrollBar()
        assert bar.isVisible() and bar.maximum() > 0  # the rest is a scroll away
        bar.setValue(bar.maximum())
        assert in_view(editor, editor.masks)


def test_the_form_scrolls_to_the_field_with_the_keyboard(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot, FULL))
    editor.resize(SCREENS["1024x600"])
    QApplication.processEvents()
    assert not in_view(editor, editor.masks)
    editor.masks.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: in_view(editor, editor.masks), timeout=1000)
    # A mnemonic, Alt+N, jumps back to the name at the top.
    qtbot.keyClick(editor.masks, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is editor.name
    qtbot.waitUntil(lambda: in_view(editor, editor.name), timeout=1000)


def test_unfolding_makes_the_dialog_taller_within_the_screen_and_folding_shorter(
    qtbot: QtBot,
) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    folded = editor.height()
    free = editor.screen().availableGeometry()
    editor.set_advanced_shown(True)
    assert folded < editor.height() and editor.frameGeometry().bottom() <= free.bottom()
    editor.set_advanced_shown(False)
    assert editor.height() == folded


def test_the_smallest_dialog_still_holds_the_form_and_its_buttons(qtbot: QtBot) -> None:
    editor = shown(qtbot, make_editor(qtbot))
    smallest = editor.minimumSize()
    assert QSize(480, 320).boundedTo(smallest) == QSize(480, 320)  # not crushed smaller
    editor.resize(1, 1)
    QApplication.processEvents()
    assert editor.size() == smallest
    assert within(editor, editor.ok_button) and within(editor, editor.cancel_button)
    assert editor.scroll.viewport().height() > 100
