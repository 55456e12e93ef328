"""The History window from the keyboard, on real services (a real SQLite file): Escape closes it,
every action has a key that its menu or tool tip shows and that does what it says, and every
control a key can reach has a name that assistive technology reads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.history_view import HistoryWindow
from desktop_tracker.gui.kinds.headers_diff_view import HeadersDiffView
from desktop_tracker.gui.kinds.text_diff_view import SIDE_BY_SIDE, TextDiffView
from desktop_tracker.kinds.content import ContentSnapshot
from desktop_tracker.service.app import AppServices
from tests.support.desktop_app import emitted, until
from tests.support.kept_revisions import URL, keep, scripts

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def headers(frame: str) -> dict[str, object]:
    """A headers snapshot (its stored form) with one header that changes."""
    return {
        "headers": {"x-frame-options": frame, "x-content-type-options": "nosniff"},
        "cookies": [],
        "meta_csp": [],
        "https": True,
    }


REVISIONS = {
    "resources": [scripts(1), scripts(2)],
    "content": [
        ContentSnapshot("Shop\nPrice: 10 euros\nContact").to_json(),
        ContentSnapshot("Shop\nPrice: 12 euros\nContact").to_json(),
    ],
    "headers": [headers("DENY"), headers("SAMEORIGIN")],
}


@pytest.fixture(autouse=True)
def keep_running_when_windows_close(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


class Opened:
    """Services with one tracker of each kind, two revisions each, and windows opened on them."""

    def __init__(self, services: AppServices, trackers: dict[str, int]) -> None:
        self.services = services
        self.trackers = trackers

    async def window(self, kind: str = "resources") -> HistoryWindow:
        assert self.services.trackers is not None
        window = HistoryWindow(self.services.trackers, self.trackers[kind])
        window.resize(1000, 700)
        await emitted(window.view.loaded, window.show)
        window.activateWindow()  # keys go to the active window
        await until(window.isActiveWindow)
        return window


@asynccontextmanager
async def opened(data_dir: Path) -> AsyncIterator[Opened]:
    services = AppServices(data_dir)
    await services.open()
    try:
        assert services.trackers is not None
        ids = {}
        for kind, snapshots in REVISIONS.items():
            tracker = await services.trackers.add(
                Tracker(f"{kind} tracker", URL, kind=kind, schedule="manual")
            )
            assert tracker.id is not None
            ids[kind] = tracker.id
            await keep(services, tracker.id, snapshots)
        yield Opened(services, ids)
    finally:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, HistoryWindow):
                widget.close()
        await services.close()


def gone_when_closed(window: HistoryWindow) -> list[bool]:
    """A list that gets an item when the window is deleted (it is deleted once closed)."""
    gone: list[bool] = []
    window.destroyed.connect(lambda *_: gone.append(True))
    return gone


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def unnamed_controls(window: QWidget) -> list[str]:
    """Every control shown that the keyboard can reach and that has no accessible name."""
    return [
        f"{type(widget).__name__} {widget.objectName()!r}"
        for widget in window.findChildren(QWidget)
        if widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        and widget.isVisibleTo(window)
        and not accessible_name(widget)
    ]


async def test_escape_or_ctrl_w_closes_the_history_window_wherever_the_focus_is(
    qapp: QApplication, data_dir: Path
) -> None:
    async with opened(data_dir) as app:
        window = await app.window()
        gone = gone_when_closed(window)
        window.view.revision_table.setFocus()
        QTest.keyClick(window.view.revision_table, Qt.Key.Key_Escape)
        await until(lambda: gone)

        window = await app.window("content")
        gone = gone_when_closed(window)
        diff = window.view.diff_view
        assert isinstance(diff, TextDiffView)
        diff.search_box.setFocus()
        QTest.keyClick(diff.search_box, Qt.Key.Key_W, CTRL)
        await until(lambda: gone)


async def test_escape_answers_a_question_of_the_history_before_it_closes_the_window(
    qapp: QApplication, data_dir: Path
) -> None:
    async with opened(data_dir) as app:
        window = await app.window()
        gone = gone_when_closed(window)
        window.view.revision_table.setFocus()
        QTest.keyClick(window.view.revision_table, Qt.Key.Key_Delete, CTRL | Qt.ShiftModifier)
        box = await until(lambda: next(iter(window.findChildren(QMessageBox)), None))
        await until(box.isVisible)
        assert box.windowTitle() == "Clear history"
        QTest.keyClick(box, Qt.Key.Key_Escape)  # Cancel
        await until(lambda: not box.isVisible())
        assert not gone and window.isVisible()
        assert window.view.revisions_model.rowCount() == 2  # nothing was cleared


async def test_every_action_of_the_history_has_a_key_in_its_menu_and_tool_tip(
    qapp: QApplication, data_dir: Path
) -> None:
    async with opened(data_dir) as app:
        window = await app.window()
        view = window.view
        menu = [a for a in window.history_menu.actions() if not a.isSeparator()]
        assert [a.text() for a in menu] == ["&Refresh", "&Clear history…", "&Close"]
        keys = {a.text(): a.shortcut().toString() for a in menu}
        assert keys == {"&Refresh": "F5", "&Clear history…": "Ctrl+Shift+Del", "&Close": "Esc"}
        assert view.clear_button.toolTip().endswith("(Ctrl+Shift+Del)")
        assert view.compare_combo.toolTip().endswith("(Alt+C)")

        # F5 loads again, Alt+L and Alt+R switch pages, Alt+C goes to "Compare with".
        view.revision_table.setFocus()
        await emitted(view.loaded, lambda: QTest.keyClick(view.revision_table, Qt.Key.Key_F5))
        QTest.keyClick(window, Qt.Key.Key_L, ALT)
        assert view.tabs.currentIndex() == 1
        QTest.keyClick(window, Qt.Key.Key_R, ALT)
        assert view.tabs.currentIndex() == 0
        QTest.keyClick(window, Qt.Key.Key_C, ALT)
        assert view.compare_combo.hasFocus()


async def test_the_text_diff_is_driven_from_the_keyboard(
    qapp: QApplication, data_dir: Path
) -> None:
    async with opened(data_dir) as app:
        window = await app.window("content")
        diff = window.view.diff_view
        assert isinstance(diff, TextDiffView)
        assert diff.ignore_line_button.toolTip().endswith("(Ctrl+I)")
        assert diff.mask_button.toolTip().endswith("(Ctrl+M)")
        pane = diff.unified_pane
        pane.setFocus()
        # A button's Alt key clicks it as a click shows: pressed a moment, then released.
        QTest.keyClick(pane, Qt.Key.Key_S, ALT)
        await until(lambda: diff.mode == SIDE_BY_SIDE)
        QTest.keyClick(window, Qt.Key.Key_W, ALT)
        await until(diff.whole_text_toggle.isChecked)
        QTest.keyClick(window, Qt.Key.Key_U, ALT)
        await until(lambda: diff.mode != SIDE_BY_SIDE)
        QTest.keyClick(pane, Qt.Key.Key_F, CTRL)
        assert diff.search_box.hasFocus()

        # Ctrl+I on a changed line asks for its ignore rule; Ctrl+M for the selected part.
        asked: list[tuple[str, str]] = []
        diff.ignore_requested.connect(lambda kind, rule: asked.append((kind, rule)))
        changed = diff.line_texts(pane).index("Price: 12 euros")
        diff.select_in(pane, changed, 7, 9)
        pane.setFocus()
        QTest.keyClick(pane, Qt.Key.Key_I, CTRL)
        QTest.keyClick(pane, Qt.Key.Key_M, CTRL)
        assert [kind for kind, _ in asked] == ["ignore", "mask"]
        assert asked[0][1] == "^Price: 12 euros$"


async def test_ctrl_i_ignores_the_header_of_the_selected_change(
    qapp: QApplication, data_dir: Path
) -> None:
    async with opened(data_dir) as app:
        window = await app.window("headers")
        diff = window.view.diff_view
        assert isinstance(diff, HeadersDiffView)
        assert diff.ignore_button.toolTip().endswith("(Ctrl+I)")
        asked: list[tuple[str, str]] = []
        diff.ignore_requested.connect(lambda kind, rule: asked.append((kind, rule)))
        [line] = diff.change_lines()
        diff.select_change(line)
        diff.change_table.setFocus()
        QTest.keyClick(diff.change_table, Qt.Key.Key_I, CTRL)
        assert asked == [("ignore", "^x-frame-options:")]


@pytest.mark.parametrize("kind", list(REVISIONS))
async def test_every_control_of_the_history_has_an_accessible_name(
    qapp: QApplication, data_dir: Path, kind: str
) -> None:
    async with opened(data_dir) as app:
        window = await app.window(kind)
        assert unnamed_controls(window) == []
        window.view.tabs.setCurrentIndex(1)  # the run log
        assert unnamed_controls(window) == []
