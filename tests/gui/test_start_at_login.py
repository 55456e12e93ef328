"""Started at login (`run --in-tray`) the app opens in the tray, not a window, unless there is no
tray; and the File menu's "Start at login" writes the login entry and shows what it really is.
The entry goes to the test's own XDG_CONFIG_HOME (tests/conftest.py)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_tracker.autostart import XdgAutostart, parse_exec_value
from desktop_tracker.gui import app as app_module
from desktop_tracker.gui import tray as tray_module
from desktop_tracker.gui.app import DesktopApp
from desktop_tracker.gui.single_instance import server_name
from desktop_tracker.gui.tray import TrayIcon
from tests.support.desktop_app import Running, until


def entry_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "desktop-tracker.desktop"


class InTray:
    """A DesktopApp started as at login."""

    def __init__(self, data_dir: Path) -> None:
        self.app = DesktopApp(data_dir, server_name(data_dir), in_tray=True)
        self.task: asyncio.Task[int] | None = None

    async def start(self) -> InTray:
        self.task = asyncio.ensure_future(self.app.run())
        await until(lambda: self.app.window is not None)
        return self

    async def quit(self) -> int:
        self.app.quit.set()
        assert self.task is not None
        return await asyncio.wait_for(self.task, 30)


@pytest.fixture
def tray_there(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the desktop has a tray: append True to make one come."""
    there: list[bool] = []
    monkeypatch.setattr(TrayIcon, "available", staticmethod(lambda: bool(there)))
    monkeypatch.setattr(tray_module, "TRAY_RETRY_MS", 10)
    return there


async def test_with_a_tray_it_starts_in_the_tray_without_the_window(qapp, data_dir, tray_there):
    tray_there.append(True)
    running = await InTray(data_dir).start()
    try:
        assert running.app.tray is not None and running.app.tray.isVisible()
        assert running.app.window is not None
        assert not running.app.window.isVisible()
        running.app.tray.trigger("Show window")
        await until(lambda: running.app.window.isVisible())
    finally:
        assert await running.quit() == 0


async def test_without_a_tray_the_window_shows_after_all(qapp, data_dir, tray_there, monkeypatch):
    monkeypatch.setattr(app_module, "TRAY_WAIT_MS", 50)
    running = await InTray(data_dir).start()
    try:
        assert running.app.window is not None
        await until(lambda: running.app.window.isVisible())
    finally:
        await running.quit()


async def test_a_tray_that_comes_at_login_keeps_the_window_hidden(qapp, data_dir, tray_there):
    running = await InTray(data_dir).start()  # the panel is not up yet
    try:
        wait = running.app._tray_wait
        assert wait.isActive() and not running.app.window.isVisible()
        tray_there.append(True)
        await until(lambda: running.app.tray.isVisible())
        assert not wait.isActive()  # the window will not show by itself
        assert not running.app.window.isVisible()
    finally:
        await running.quit()


async def test_a_second_start_at_login_does_not_bring_the_window_forward(
    qapp, data_dir, tray_there
):
    tray_there.append(True)
    running = await InTray(data_dir).start()
    try:
        running.app._on_second_launch(["desktop-tracker", "--in-tray"])
        assert not running.app.window.isVisible()
        running.app._on_second_launch(["desktop-tracker"])  # from the menu: it does
        assert running.app.window.isVisible()
    finally:
        await running.quit()


async def test_start_at_login_in_the_file_menu_writes_and_removes_the_entry(qapp, data_dir):
    running = await Running(data_dir).start()
    try:
        action = running.window.autostart_action
        assert action.isCheckable() and action.isVisible() and not action.isChecked()
        assert action in running.window.file_menu.actions()
        assert action.text().replace("&", "") == "Start at login"

        action.trigger()
        assert action.isChecked() and entry_file().exists()
        [line] = [x for x in entry_file().read_text().splitlines() if x.startswith("Exec=")]
        command = parse_exec_value(line.removeprefix("Exec="))
        # The window's own data directory (a test's, not the default): the entry starts on it.
        assert command[-4:] == ("run", "--in-tray", "--data-dir", str(data_dir))

        action.trigger()
        assert not action.isChecked() and not entry_file().exists()
    finally:
        await running.quit()


async def test_the_menu_shows_what_the_entry_really_is(qapp, data_dir):
    running = await Running(data_dir).start()
    try:
        action = running.window.autostart_action
        assert not action.isChecked()
        # Switched on from the command line, for another installation, while the app runs.
        XdgAutostart(("/opt/old/desktop-tracker", "run", "--in-tray"), entry_file().parent).enable()
        running.window.file_menu.aboutToShow.emit()
        assert action.isChecked()
        assert "another installation: /opt/old/desktop-tracker" in action.toolTip()
        entry_file().unlink()
        running.window.file_menu.aboutToShow.emit()
        assert not action.isChecked()
    finally:
        await running.quit()


async def test_an_entry_that_cannot_be_written_is_said_in_place(qapp, data_dir):
    entry_file().parent.parent.mkdir(parents=True, exist_ok=True)
    entry_file().parent.write_text("not a folder")
    running = await Running(data_dir).start()
    try:
        action = running.window.autostart_action
        action.trigger()
        assert not action.isChecked()
        assert running.window.message.isVisible()
        assert "Start at login: cannot write" in running.window.message.text()
    finally:
        await running.quit()


async def test_run_in_tray_from_a_new_process_hands_over_without_showing(
    qapp, data_dir, tray_there
):
    # The whole path of the login entry's command: launcher → `run --in-tray` → run_gui.
    tray_there.append(True)
    running = await InTray(data_dir).start()
    try:
        heard: list[list[object]] = []
        assert running.app.instance is not None
        running.app.instance.activated.connect(heard.append)
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        second = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "desktop_tracker",
                "run",
                "--in-tray",
                "--data-dir",
                str(data_dir),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert second.returncode == 0, second.stderr
        assert second.stdout == "desktop_tracker is already running.\n"
        await until(lambda: heard)
        assert "--in-tray" in heard[0]
        assert not running.app.window.isVisible()
    finally:
        await running.quit()
