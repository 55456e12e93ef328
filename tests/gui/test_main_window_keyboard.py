"""The main window by keyboard: focusing the table selects a row, Enter opens its history,
Delete asks then deletes, F1 opens the help, Ctrl+, the preferences; every action has a
shortcut of its own, shown in its menu, and every control an accessible name."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QWidget

from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.help_window import HelpWindow
from desktop_tracker.gui.preferences_dialog import PreferencesDialog
from tests.support.desktop_app import Running, until

pytestmark = pytest.mark.usefixtures("keep_quit_setting")


async def active_app_with(data_dir, names: list[str]) -> Running:  # type: ignore[no-untyped-def]
    running = await Running(data_dir).start()
    for name in names:
        await running.app.services.trackers.add(Tracker(name, f"https://{name.lower()}.test/"))
    await until(lambda: sorted(running.rows()) == sorted(names))
    running.window.activateWindow()
    await until(running.window.isActiveWindow)
    return running


def shown(kind: type[QWidget]) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


async def test_focusing_the_table_selects_the_first_row(qapp, data_dir):
    running = await active_app_with(data_dir, ["Beta", "Alpha"])
    try:
        window = running.window
        window.filter_box.setFocus()
        window.table.clearSelection()
        assert window.selected_id() is None
        window.table.setFocus(Qt.FocusReason.TabFocusReason)
        await until(lambda: window.selected_id() is not None)
        assert window.selected_tracker().name == "Alpha"  # the first row shown
        assert window.history_action.isEnabled()
    finally:
        await running.quit()


async def test_enter_opens_the_history_of_the_selected_tracker(qapp, qtbot, data_dir):
    running = await active_app_with(data_dir, ["Alpha", "Beta"])
    try:
        window = running.window
        window.table.setFocus()
        await until(lambda: window.selected_id() is not None)
        qtbot.keyClick(window.table, Qt.Key.Key_Down)
        beta = window.selected_id()
        assert window.selected_tracker().name == "Beta"
        qtbot.keyClick(window.table, Qt.Key.Key_Return)
        await until(lambda: beta in window._history_windows)
        assert window._history_windows[beta].isVisible()
    finally:
        await running.quit()


async def test_delete_asks_first_and_deletes_only_when_confirmed(qapp, qtbot, data_dir):
    running = await active_app_with(data_dir, ["Alpha", "Beta"])
    try:
        window = running.window
        window.table.setFocus()
        await until(lambda: window.selected_tracker() is not None)
        qtbot.keyClick(window.table, Qt.Key.Key_Delete)
        box = await until(lambda: getattr(window, "_confirm", None))
        assert box.isVisible() and "Alpha" in box.text()
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Cancel).click()
        await until(lambda: not box.isVisible())
        assert sorted(running.rows()) == ["Alpha", "Beta"]

        window.activateWindow()
        await until(window.isActiveWindow)
        window.table.setFocus()
        qtbot.keyClick(window.table, Qt.Key.Key_Delete)
        box = await until(lambda: window._confirm if window._confirm is not box else None)
        [delete] = [b for b in box.buttons() if b.text() == "Delete"]
        delete.click()
        await until(lambda: running.rows() == ["Beta"])
    finally:
        await running.quit()


async def test_delete_in_the_filter_box_edits_the_text_and_deletes_no_tracker(
    qapp, qtbot, data_dir
):
    running = await active_app_with(data_dir, ["Alpha"])
    try:
        window = running.window
        window.select(window.model.overview(0).tracker.id)
        qtbot.keyClicks(window.filter_box, "alx")
        qtbot.keyClick(window.filter_box, Qt.Key.Key_Left)
        qtbot.keyClick(window.filter_box, Qt.Key.Key_Delete)
        assert window.filter_box.text() == "al"
        assert getattr(window, "_confirm", None) is None
    finally:
        await running.quit()


async def test_f1_opens_the_help_with_the_apps_shortcuts(qapp, qtbot, data_dir):
    running = await active_app_with(data_dir, ["Alpha"])
    try:
        qtbot.keyClick(running.window, Qt.Key.Key_F1)
        [help_window] = await until(lambda: shown(HelpWindow))
        text = help_window.text()
        assert "Schedules" in text and "Page text" in text and "Security headers" in text
        assert "{shortcuts}" not in text
        for action in (running.window.add_action, running.window.check_all_action):
            assert action.shortcut().toString(action.shortcut().SequenceFormat.NativeText) in text
        qtbot.keyClick(running.window, Qt.Key.Key_F1)  # again: the same window, raised
        assert shown(HelpWindow) == [help_window]
    finally:
        await running.quit()


async def test_ctrl_comma_opens_the_preferences(qapp, qtbot, data_dir):
    running = await active_app_with(data_dir, ["Alpha"])
    try:
        qtbot.keyClick(running.window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
        dialog = await until(lambda: running.window._dialogs.get("preferences"))
        assert isinstance(dialog, PreferencesDialog)
        await until(dialog.isVisible)
        dialog.reject()
    finally:
        await running.quit()


async def test_every_action_has_its_own_shortcut_shown_in_its_menu(qapp, data_dir):
    running = await active_app_with(data_dir, ["Alpha"])
    try:
        window = running.window
        seen: dict[str, str] = {}
        for menu_action in window.menuBar().actions():
            menu = menu_action.menu()
            for action in menu.actions():
                if action.isSeparator() or action.menu() is window.columns_menu:
                    continue  # the columns' show/hide ticks are settings, not commands
                keys = action.shortcut().toString()
                assert keys, f"{action.text()} in {menu.title()} has no shortcut"
                assert keys not in seen, f"{keys}: both {seen[keys]} and {action.text()}"
                seen[keys] = action.text()
        assert {"Ctrl+N", "Ctrl+,", "F1"} <= set(seen)
        # Menus draw each action's shortcut beside it, unless the app turned that off.
        hidden = Qt.ApplicationAttribute.AA_DontShowShortcutsInContextMenus
        assert not QApplication.testAttribute(hidden)
    finally:
        await running.quit()


async def test_every_control_has_an_accessible_name(qapp, data_dir):
    running = await active_app_with(data_dir, [])
    try:
        window = running.window
        controls: list[QWidget] = [
            window.filter_box,
            window.table,
            window.scheduler_label,
            window.progress,
            window.progress_bar,
            window.cancel_button,
            window.empty_add_button,
            window.empty_example_button,
            window.message,
        ]
        for action in window.toolbar.actions():
            button = window.toolbar.widgetForAction(action)
            if button is not None and isinstance(button, QAbstractButton):
                controls.append(button)
        unnamed = [repr(c) for c in controls if not c.accessibleName().strip()]
        assert not unnamed
        # And the toolbar's icons: the theme's, or ours where there is no theme (offscreen).
        for action in window.toolbar.actions():
            assert action.isSeparator() or not action.icon().isNull(), action.text()
    finally:
        await running.quit()
