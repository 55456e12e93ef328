"""The app at start and the window on close follow the preferences: the theme, starting in the
tray, and closing to the tray or quitting."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from desktop_tracker.gui.theme import SYSTEM, apply_theme
from desktop_tracker.service.app import CommandServices
from tests.support.desktop_app import Running, until


@pytest.fixture(autouse=True)
def _keep_app_and_theme(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    yield
    apply_theme(qapp, SYSTEM)
    qapp.setQuitOnLastWindowClosed(before)


@pytest.fixture
def tray_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))


async def prefer(data_dir, **changes: object) -> None:  # type: ignore[no-untyped-def]
    services = CommandServices(data_dir)
    await services.open()
    try:
        assert services.preferences is not None
        await services.preferences.update(**changes)
    finally:
        await services.close()


async def test_the_preferred_theme_is_applied_at_start(qapp, data_dir):
    await prefer(data_dir, theme="dark")
    running = await Running(data_dir).start()
    try:
        window = running.app.window
        assert window is not None
        assert qapp.palette().color(QPalette.ColorRole.Window).lightnessF() < 0.5
    finally:
        await running.quit()


async def test_start_in_tray_keeps_the_window_hidden_where_a_tray_is(qapp, data_dir, tray_present):
    await prefer(data_dir, start_in_tray=True)
    running = Running(data_dir)
    QApplication.instance().setQuitOnLastWindowClosed(False)  # type: ignore[union-attr]
    running.task = asyncio.ensure_future(running.app.run())
    try:
        await until(lambda: running.app.tray is not None and running.app.tray.isVisible())
        await asyncio.sleep(0.2)
        assert running.app.window is not None and not running.app.window.isVisible()
    finally:
        await running.quit()


async def test_closing_quits_when_close_to_tray_is_off(qapp, data_dir, tray_present):
    await prefer(data_dir, close_to_tray=False)
    running = await Running(data_dir).start()
    running.window.close()
    assert await asyncio.wait_for(running.task, 30) == 0


async def test_closing_goes_to_the_tray_by_default(qapp, data_dir, tray_present):
    running = await Running(data_dir).start()
    try:
        running.window.close()
        await asyncio.sleep(0.1)
        assert not running.window.isVisible() and not running.app.quit.is_set()
    finally:
        await running.quit()
