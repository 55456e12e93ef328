"""The Preferences dialog over the real services (a data directory of the test's own): it shows
what is saved, saves all of it so that it holds across a restart, refuses what is wrong in words
without saving anything, shows a theme at once and puts the old one back on Cancel."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QLineEdit,
    QListWidget,
    QSpinBox,
    QWidget,
)

from desktop_tracker.autostart import XdgAutostart
from desktop_tracker.domain.preferences import DEFAULTS, InvalidPreference
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui import theme
from desktop_tracker.gui.preferences_dialog import (
    APPEARANCE,
    MAX_HEIGHT,
    NEW_TRACKERS,
    NO_LOGIN_ENTRY,
    STORAGE,
    PreferencesDialog,
)
from desktop_tracker.service import AppServices
from desktop_tracker.service.preferences import PreferencesService
from desktop_tracker.service.trackers import TrackerService
from tests.support.desktop_app import until

COMMAND = ("/opt/desktop-tracker/desktop-tracker", "run", "--in-tray")


@contextlib.asynccontextmanager
async def running(data_dir: Path) -> AsyncIterator[AppServices]:
    services = AppServices(data_dir)
    await services.open()
    try:
        yield services
    finally:
        await services.close()


def parts(services: AppServices) -> tuple[PreferencesService, TrackerService]:
    assert services.preferences is not None and services.trackers is not None
    return services.preferences, services.trackers


@pytest.fixture(autouse=True)
def platform_look(qapp: QApplication) -> Iterator[None]:
    """Every test starts and ends in the platform's look. (And closing the dialog, the last
    window, must not quit the loop the test runs in.)"""
    qapp.setQuitOnLastWindowClosed(False)
    theme.apply_theme(qapp, "system")
    yield
    theme.apply_theme(qapp, "system")
    QCoreApplication.processEvents()


@pytest.fixture
def login(tmp_path: Path) -> XdgAutostart:
    return XdgAutostart(COMMAND, tmp_path / "autostart")


async def opened(
    services: AppServices, login: XdgAutostart | None, trackers: int = 0
) -> PreferencesDialog:
    preferences, tracker_service = parts(services)
    dialog = PreferencesDialog(preferences, tracker_service, login=login)
    dialog.open()
    await until(lambda: dialog.isVisible() and dialog.tracker_list.count() == trackers)
    return dialog


async def closed(dialog: PreferencesDialog) -> int:
    await until(lambda: not dialog.isVisible())
    return dialog.result()


def window_is_dark(app: QApplication) -> bool:
    return app.palette().color(QPalette.ColorRole.Window).lightnessF() < 0.5


def ticks(dialog: PreferencesDialog) -> dict[str, bool]:
    items = [dialog.tracker_list.item(row) for row in range(dialog.tracker_list.count())]
    return {item.text(): item.checkState() == Qt.CheckState.Checked for item in items}


async def test_the_dialog_shows_what_is_saved(qapp, data_dir, login):
    async with running(data_dir) as services:
        preferences, trackers = parts(services)
        await trackers.add(Tracker("Shop", "https://shop.example/"))
        await trackers.add(Tracker("<b>News</b>", "https://news.example/", notify=False))
        await preferences.update(
            popups=False,
            sound=True,
            close_to_tray=False,
            start_in_tray=True,
            default_schedule="@every 30m",
            default_timezone="Europe/Paris",
            storage_cap_mb=1200,
        )
        login.enable()
        dialog = await opened(services, login, trackers=2)

        assert not dialog.popups.isChecked()
        assert dialog.sound.isChecked() and not dialog.sound.isEnabled()  # no pop-ups: no sound
        assert not dialog.close_to_tray.isChecked() and dialog.start_in_tray.isChecked()
        assert dialog.start_at_login.isChecked() and dialog.start_at_login.isEnabled()
        assert dialog.schedule.text() == "@every 30m"
        assert dialog.zone.currentText() == "Europe/Paris" and dialog.timezone() == "Europe/Paris"
        assert dialog.schedule_words.text() != "—" and dialog.schedule_error.message() is None
        assert dialog.storage_cap.value() == 1200
        assert dialog.theme_buttons["system"].isChecked()
        assert ticks(dialog) == {"<b>News</b>": False, "Shop": True}  # names as written
        assert dialog.zone.itemText(0).startswith("System (")  # the system's zone comes first
        dialog.reject()


async def test_ok_saves_everything_and_it_holds_across_a_restart(qapp, data_dir, login):
    async with running(data_dir) as services:
        _, trackers = parts(services)
        shop = await trackers.add(Tracker("Shop", "https://shop.example/"))
        news = await trackers.add(Tracker("News", "https://news.example/", notify=False))
        dialog = await opened(services, login, trackers=2)
        assert ticks(dialog) == {"News": False, "Shop": True}

        dialog.sound.setChecked(True)
        dialog.close_to_tray.setChecked(False)
        dialog.start_in_tray.setChecked(True)
        dialog.start_at_login.setChecked(True)
        dialog.schedule.setText("0 9 * * 1-5")
        dialog.zone.setEditText("asia/tokyo")  # typed in the wrong case: given its spelling
        dialog.storage_cap.setValue(250)
        dialog.theme_buttons["dark"].click()
        for row in range(dialog.tracker_list.count()):  # the other way round for both
            item = dialog.tracker_list.item(row)
            checked = item.checkState() == Qt.CheckState.Checked
            item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)
        # Meanwhile the tracker is edited elsewhere: that edit is kept.
        await trackers.update(replace(shop, url="https://shop.example/new"))
        dialog.ok_button.click()
        assert await closed(dialog) == QDialog.DialogCode.Accepted
        assert window_is_dark(qapp)

    async with running(data_dir) as services:  # the app started again
        preferences, trackers = parts(services)
        assert preferences.current == replace(
            DEFAULTS,
            sound=True,
            close_to_tray=False,
            start_in_tray=True,
            default_schedule="0 9 * * 1-5",
            default_timezone="Asia/Tokyo",
            storage_cap_mb=250,
            theme="dark",
        )
        assert (await trackers.get(shop.id or 0)).notify is False
        assert (await trackers.get(shop.id or 0)).url == "https://shop.example/new"
        assert (await trackers.get(news.id or 0)).notify is True
    assert login.status().is_ours


async def test_an_invalid_default_schedule_is_refused_in_words_and_nothing_saved(
    qapp, qtbot, data_dir, login
):
    async with running(data_dir) as services:
        preferences, _ = parts(services)
        dialog = await opened(services, login)
        dialog.storage_cap.setValue(900)
        dialog.start_at_login.setChecked(True)
        dialog.schedule.clear()
        qtbot.keyClicks(dialog.schedule, "61 * * * *")
        message = dialog.schedule_error.message()  # said while typing
        assert message is not None and "61" in message
        assert dialog.schedule_words.text() == "—"

        dialog.tabs.setCurrentIndex(STORAGE)
        dialog.ok_button.click()
        assert dialog.isVisible()
        assert dialog.tabs.currentIndex() == NEW_TRACKERS  # the user is shown where
        assert dialog.schedule_error.isVisible()
        assert "Nothing was saved" in (dialog.form_error.message() or "")

        dialog.schedule.setText("@hourly")
        dialog.zone.setEditText("Mars/Olympus_Mons")
        assert dialog.zone_error.message() is not None
        dialog.ok_button.click()
        assert dialog.isVisible()
        assert await preferences.load() == DEFAULTS  # as read from the file
        assert not login.status().enabled
        dialog.reject()


async def test_a_value_the_service_refuses_is_said_at_its_field(qapp, data_dir, login):
    async with running(data_dir) as services:
        preferences, _ = parts(services)
        dialog = await opened(services, login)

        async def refuse(**changes: object) -> None:
            raise InvalidPreference("storage_cap_mb", "the storage cap is over what is free")

        preferences.update = refuse  # type: ignore[method-assign]
        dialog.ok_button.click()
        await until(lambda: dialog.storage_error.message() is not None)
        assert dialog.storage_error.message() == "the storage cap is over what is free"
        assert dialog.tabs.currentIndex() == STORAGE and dialog.isVisible()
        assert dialog.ok_button.isEnabled()  # can be tried again
        dialog.reject()


async def test_the_theme_shows_at_once_and_cancel_puts_back_the_one_before(
    qapp, qtbot, data_dir, login
):
    async with running(data_dir) as services:
        preferences, _ = parts(services)
        assert not window_is_dark(qapp)
        dialog = await opened(services, login)
        dialog.theme_buttons["dark"].click()
        assert window_is_dark(qapp) and theme.current_theme() == "dark"
        dialog.theme_buttons["light"].click()
        assert not window_is_dark(qapp) and qapp.style().name().lower() == "fusion"
        dialog.theme_buttons["dark"].click()
        dialog.cancel_button.click()
        assert await closed(dialog) == QDialog.DialogCode.Rejected
        assert theme.current_theme() == "system" and not window_is_dark(qapp)
        assert qapp.palette().resolveMask() == 0  # the platform's own again
        assert preferences.current.theme == "system"

        # Escape is Cancel too.
        dialog = await opened(services, login)
        dialog.theme_buttons["dark"].click()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert await closed(dialog) == QDialog.DialogCode.Rejected
        assert not window_is_dark(qapp)


async def test_without_a_login_entry_start_at_login_is_off_and_says_why(qapp, data_dir):
    async with running(data_dir) as services:
        dialog = await opened(services, None)
        assert not dialog.start_at_login.isEnabled()
        assert dialog.login_note.text() == NO_LOGIN_ENTRY
        assert not dialog.login_note.isHidden()
        dialog.ok_button.click()
        assert await closed(dialog) == QDialog.DialogCode.Accepted


async def test_every_control_is_named_reachable_by_keyboard_and_it_fits(qapp, data_dir, login):
    async with running(data_dir) as services:
        _, trackers = parts(services)
        for number in range(30):
            await trackers.add(Tracker(f"Site {number}", f"https://site{number}.example/"))
        dialog = await opened(services, login, trackers=30)
        assert dialog.height() <= MAX_HEIGHT
        assert dialog.sizeHint().height() <= MAX_HEIGHT
        controls: list[QWidget] = []
        named: list[str] = []
        for kind in (QAbstractButton, QLineEdit, QComboBox, QSpinBox, QListWidget):
            controls += dialog.findChildren(kind)
        for control in controls:
            if control.objectName().startswith("qt_") or isinstance(
                control.parent(), (QComboBox, QSpinBox)
            ):
                continue  # Qt's own parts of a tab bar, a combo, a spin box: named by their owner
            assert control.accessibleName(), f"{type(control).__name__} {control!r} has no name"
            assert control.focusPolicy() & Qt.FocusPolicy.TabFocus, control.accessibleName()
            named.append(control.accessibleName())
        assert len(named) >= 14 and "Theme: dark" in named and "Trackers that notify" in named
        for index in range(dialog.tabs.count()):  # every tab's label has a mnemonic
            assert "&" in dialog.tabs.tabText(index)
        dialog.reject()


async def test_the_keyboard_reaches_a_tab_and_picks_a_theme(qapp, qtbot, data_dir, login):
    async with running(data_dir) as services:
        dialog = await opened(services, login)
        dialog.activateWindow()
        await until(lambda: QApplication.activeWindow() is dialog)
        qtbot.keyClick(dialog, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # &Appearance
        assert dialog.tabs.currentIndex() == APPEARANCE
        qtbot.keyClick(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # &Dark
        await until(dialog.theme_buttons["dark"].isChecked)  # a mnemonic clicks "animated"
        assert window_is_dark(qapp)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert await closed(dialog) == QDialog.DialogCode.Rejected
        assert not window_is_dark(qapp)
