"""The main window is as the user left it after a restart: its place and size, the
notifications panel, the table's columns (widths, order, sort, hidden ones), the selected
tracker, and "Pause all". Each test runs the real app twice on one data directory."""

from __future__ import annotations

import configparser

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication

from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.trackers_model import KIND, NAME, NEXT, STATUS, URL
from desktop_tracker.gui.window_state import FILE_NAME
from tests.support.desktop_app import Running, until

pytestmark = pytest.mark.usefixtures("keep_quit_setting")


async def start_with(data_dir, names: list[str]) -> Running:  # type: ignore[no-untyped-def]
    running = await Running(data_dir).start()
    for name in names:
        await running.app.services.trackers.add(Tracker(name, f"https://{name.lower()}.test/"))
    await until(lambda: sorted(running.rows()) == sorted(names))
    return running


async def test_place_size_and_the_notifications_panel_come_back(qapp, data_dir):
    running = await start_with(data_dir, ["Shop"])
    running.window.setGeometry(QRect(10, 20, 780, 500))  # within the offscreen screen, 800 × 600
    running.window.inbox_dock.hide()
    await running.quit()

    again = await Running(data_dir).start()
    try:
        assert (again.window.width(), again.window.height()) == (780, 500)
        assert not again.window.inbox_dock.isVisible()
    finally:
        await again.quit()


async def test_columns_widths_order_sort_and_hidden_ones_come_back(qapp, qtbot, data_dir):
    running = await start_with(data_dir, ["Beta", "Alpha", "Gamma"])
    window = running.window
    header = window.table.horizontalHeader()
    header.moveSection(header.visualIndex(URL), 1)  # URL right after the name
    window.table.sortByColumn(NAME, Qt.SortOrder.DescendingOrder)
    window.set_column_shown(KIND, False)
    qtbot.mousePress(header.viewport(), Qt.MouseButton.LeftButton)  # a resize by the user
    header.resizeSection(NAME, 173)
    qtbot.mouseRelease(header.viewport(), Qt.MouseButton.LeftButton)
    assert running.rows() == ["Gamma", "Beta", "Alpha"]
    await running.quit()

    again = await Running(data_dir).start()
    try:
        await until(lambda: len(again.rows()) == 3)
        header = again.window.table.horizontalHeader()
        assert header.visualIndex(URL) == 1
        assert header.isSectionHidden(KIND)
        assert not again.window.column_actions[KIND].isChecked()
        assert header.sectionSize(NAME) == 173
        assert header.sortIndicatorSection() == NAME
        assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        assert again.rows() == ["Gamma", "Beta", "Alpha"]
    finally:
        await again.quit()


async def test_name_and_status_cannot_be_hidden(qapp, data_dir):
    running = await start_with(data_dir, ["Shop"])
    try:
        window = running.window
        for column in (NAME, STATUS):
            window.set_column_shown(column, False)
            assert not window.table.horizontalHeader().isSectionHidden(column)
            assert not window.column_actions[column].isEnabled()
        window.set_column_shown(NEXT, False)
        assert window.table.horizontalHeader().isSectionHidden(NEXT)
    finally:
        await running.quit()


async def test_the_selected_tracker_is_selected_again(qapp, data_dir):
    running = await start_with(data_dir, ["Alpha", "Beta", "Gamma"])
    beta = next(
        running.window.model.overview(r).tracker.id
        for r in range(running.window.model.rowCount())
        if running.window.model.overview(r).tracker.name == "Beta"
    )
    running.window.select(beta)
    await running.quit()

    again = await Running(data_dir).start()
    try:
        await until(lambda: again.window.selected_id() == beta)
    finally:
        await again.quit()


async def test_pause_all_is_still_paused_after_a_restart(qapp, data_dir):
    running = await start_with(data_dir, ["Shop"])
    running.window.pause_all_action.trigger()
    await until(lambda: running.app.services.preferences.current.scheduler_paused)
    await running.quit()

    again = await Running(data_dir).start()
    try:
        assert again.app.services.scheduler.paused
        assert "paused" in again.window.scheduler_label.text()
        assert again.window.pause_all_action.text() == "Resume &all"
        assert again.app.tray.paused
        again.window.pause_all_action.trigger()
        await until(lambda: not again.app.services.preferences.current.scheduler_paused)
    finally:
        await again.quit()

    third = await Running(data_dir).start()
    try:
        assert not third.app.services.scheduler.paused
    finally:
        await third.quit()


async def test_a_window_saved_off_every_screen_comes_back_onto_one(qapp, data_dir):
    running = await start_with(data_dir, ["Shop"])
    screens = QRect()
    for screen in QGuiApplication.screens():
        screens = screens.united(screen.availableGeometry())
    running.window.move(screens.right() + 3000, screens.bottom() + 3000)
    await running.quit()

    again = await Running(data_dir).start()
    try:
        frame = again.window.frameGeometry()
        assert any(s.availableGeometry().intersects(frame) for s in QGuiApplication.screens())
    finally:
        await again.quit()


async def test_the_state_is_kept_in_the_data_directory_and_a_damaged_file_is_ignored(
    qapp, data_dir
):
    running = await start_with(data_dir, ["Shop"])
    await running.quit()
    state = data_dir / FILE_NAME
    assert state.is_file()
    parsed = configparser.ConfigParser()
    parsed.read(state, encoding="utf-8")
    assert parsed.has_section("window") and parsed.has_section("table")

    state.write_bytes(b"\x00\xff garbage [window\ngeometry=@ByteArray(\\x01")
    again = await Running(data_dir).start()
    try:
        await until(lambda: again.rows() == ["Shop"])
        assert again.window.isVisible()
    finally:
        await again.quit()
