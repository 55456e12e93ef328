"""The trackers table fits its window: one line per row, a long URL elided in the middle and
never pushing a column out of view at 1100 × 600, and name and status still shown at
480 × 320 (the notifications panel makes way, and comes back when there is room)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.trackers_model import COLUMNS, NAME, NEXT, STATUS, URL
from tests.support.desktop_app import Running, until

LONG_URL = "https://shop.example/" + "catalogue/" * 28 + "item?id=42"


pytestmark = pytest.mark.usefixtures("keep_quit_setting")


async def running_with_a_long_url(data_dir) -> Running:  # type: ignore[no-untyped-def]
    assert len(LONG_URL) >= 300
    running = await Running(data_dir).start()
    trackers = running.app.services.trackers
    await trackers.add(Tracker("Shop with a long address", LONG_URL, schedule="0 9 * * 1-5"))
    await trackers.add(Tracker("Blog", "https://blog.example/"))
    await until(lambda: len(running.rows()) == 2)
    return running


async def settle(window) -> None:  # type: ignore[no-untyped-def]
    """Let the window lay itself out and fit its columns."""
    await until(lambda: window.table.viewport().width() > 0)
    for _ in range(5):
        QApplication.processEvents()
        await until(lambda: not window._fit_timer.isActive(), timeout=2)


def right_edges(table) -> dict[str, int]:  # type: ignore[no-untyped-def]
    header = table.horizontalHeader()
    return {
        COLUMNS[c]: header.sectionViewportPosition(c) + header.sectionSize(c)
        for c in range(len(COLUMNS))
        if not header.isSectionHidden(c)
    }


async def test_at_1100_by_600_a_long_url_pushes_no_column_out_of_view(qapp, data_dir):
    running = await running_with_a_long_url(data_dir)
    try:
        window = running.window
        window.resize(1100, 600)
        await settle(window)
        table = window.table
        room = table.viewport().width()
        edges = right_edges(table)
        assert all(edge <= room for edge in edges.values()), (room, edges)
        assert table.horizontalScrollBar().maximum() == 0
        # The URL gave way and is elided in the middle, on one line.
        assert table.columnWidth(URL) < table.fontMetrics().horizontalAdvance(LONG_URL)
        assert table.textElideMode() == Qt.TextElideMode.ElideMiddle
        assert not table.wordWrap()
        for column in (STATUS, NEXT):  # their words whole
            assert table.columnWidth(column) >= table.sizeHintForColumn(column), COLUMNS[column]
    finally:
        await running.quit()


async def test_rows_are_one_line_high_whatever_they_hold(qapp, data_dir):
    running = await running_with_a_long_url(data_dir)
    try:
        table = running.window.table
        heights = {table.rowHeight(row) for row in range(running.window.proxy.rowCount())}
        assert len(heights) == 1
        (height,) = heights
        assert height < 2 * table.fontMetrics().height()
    finally:
        await running.quit()


async def test_at_480_by_320_name_and_status_show_and_the_panel_makes_way(qapp, data_dir):
    running = await running_with_a_long_url(data_dir)
    try:
        window = running.window
        assert window.inbox_dock.isVisible()
        window.resize(480, 320)
        await settle(window)
        assert not window.inbox_dock.isVisible()
        table = window.table
        room = table.viewport().width()
        header = table.horizontalHeader()
        for column in (NAME, STATUS):
            left = header.sectionViewportPosition(column)
            assert left >= 0 and left + header.sectionSize(column) <= room, COLUMNS[column]
        # The window widens again: the panel comes back.
        window.resize(1000, 600)
        await settle(window)
        assert window.inbox_dock.isVisible()
    finally:
        await running.quit()


async def test_a_panel_the_user_opens_in_a_narrow_window_stays_their_choice(qapp, data_dir):
    running = await running_with_a_long_url(data_dir)
    try:
        window = running.window
        window.resize(480, 320)
        await settle(window)
        toggle = window.inbox_dock.toggleViewAction()
        toggle.trigger()  # the user opens it anyway
        assert window.inbox_dock.isVisible()
        toggle.trigger()  # and closes it again
        window.resize(1000, 600)
        await settle(window)
        assert not window.inbox_dock.isVisible()  # not brought back against their choice
    finally:
        await running.quit()
