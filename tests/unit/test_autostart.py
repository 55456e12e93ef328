"""Start at login (desktop_tracker/autostart.py): what each platform's entry would hold, quoted
by that platform's rules, and how `status` reads it back. Windows and macOS are tested here on
Linux: the Run key is a fake, the LaunchAgents folder a temporary one."""

from __future__ import annotations

import json
import os
import plistlib
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_tracker import autostart
from desktop_tracker.autostart import (
    AutostartError,
    LaunchAgent,
    WindowsRunEntry,
    XdgAutostart,
    exec_value,
    launch_command,
    login_entry,
    parse_exec_value,
    program_command,
    split_windows_command_line,
    windows_command_line,
    xdg_autostart_dir,
)

OURS = ("/opt/desktop tracker/desktop-tracker", "run", "--in-tray")


# -- the command --------------------------------------------------------------------------------


def test_the_frozen_app_starts_its_own_executable(tmp_path):
    exe = tmp_path / "Desktop Tracker" / "desktop-tracker"
    assert program_command(executable=str(exe), frozen=True, windows=False) == (str(exe),)


def test_an_appimage_starts_its_file_not_its_mount(tmp_path, monkeypatch):
    image = tmp_path / "Desktop_Tracker-x86_64.AppImage"
    image.touch()
    monkeypatch.setenv("APPIMAGE", str(image))
    mounted = "/tmp/.mount_DeskXYZ/usr/bin/desktop-tracker"
    assert program_command(executable=mounted, frozen=True, windows=False) == (str(image),)


def test_a_script_beside_the_interpreter_is_this_environment(tmp_path):
    bin_dir = tmp_path / "venv with space" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.touch()
    script = bin_dir / "desktop-tracker"
    script.write_text(f"#!{python}\n")
    found = program_command(executable=str(python), frozen=False, windows=False)
    assert found == (str(script),)


def test_a_script_of_another_environment_is_not_used(tmp_path, monkeypatch):
    ours, theirs = tmp_path / "ours" / "bin", tmp_path / "theirs" / "bin"
    for folder in (ours, theirs):
        folder.mkdir(parents=True)
        (folder / "python").touch()
    (theirs / "desktop-tracker").write_text(f"#!{theirs / 'python'}\n")
    monkeypatch.setenv("PATH", str(theirs))
    python = str(ours / "python")
    assert program_command(executable=python, frozen=False, windows=False) == (
        python,
        "-m",
        "desktop_tracker",
    )


def test_a_script_on_the_path_written_for_this_interpreter_is_used(tmp_path, monkeypatch):
    # `pip install --user`: the interpreter in /usr/bin, the script in ~/.local/bin.
    system, local = tmp_path / "usr" / "bin", tmp_path / "home" / ".local" / "bin"
    for folder in (system, local):
        folder.mkdir(parents=True)
    (system / "python3").touch()
    script = local / "desktop-tracker"
    script.write_text(f"#!{system / 'python3'}\n# -*- coding: utf-8 -*-\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(local))
    found = program_command(executable=str(system / "python3"), frozen=False, windows=False)
    assert found == (str(script),)


def test_on_windows_pythonw_starts_the_environment_without_a_console(tmp_path):
    scripts = tmp_path / "Scripts"
    scripts.mkdir()
    for name in ("python.exe", "pythonw.exe", "desktop-tracker.exe"):
        (scripts / name).touch()
    found = program_command(executable=str(scripts / "python.exe"), frozen=False, windows=True)
    assert found == (str(scripts / "pythonw.exe"), "-m", "desktop_tracker")


def test_this_checkout_starts_itself():
    command = launch_command()
    assert command[-2:] == ("run", "--in-tray")
    program = Path(command[0])
    assert program.parent == Path(sys.executable).parent or command[1:3] == (
        "-m",
        "desktop_tracker",
    )


def test_a_data_directory_other_than_the_default_is_passed(tmp_path):
    assert launch_command(tmp_path)[-3:] == ("--in-tray", "--data-dir", str(tmp_path))
    default = Path(os.environ["XDG_DATA_HOME"]) / "desktop-tracker"
    assert launch_command(default)[-1] == "--in-tray"


# -- Linux: the desktop entry -------------------------------------------------------------------


def test_exec_quotes_by_the_desktop_entry_rules():
    assert exec_value(OURS) == '"/opt/desktop tracker/desktop-tracker" run --in-tray'
    assert exec_value(["/usr/bin/desktop-tracker", "run"]) == "/usr/bin/desktop-tracker run"
    # In quotes, " ` $ and \ are escaped; then the string rule doubles every backslash: a
    # literal backslash is four, a dollar two and a dollar (the spec's own examples).
    assert exec_value(["/a $b\\c"]) == '"/a \\\\$b\\\\\\\\c"'
    assert exec_value(['/x"y']) == '"/x\\\\"y"'
    assert exec_value(["/100%/app"]) == "/100%%/app"  # % starts a field code
    assert exec_value(["/with'quote"]) == '"/with\'quote"'
    assert exec_value([""]) == '""'


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=12), max_size=5))
def test_exec_reads_back_what_it_wrote(command):
    assert parse_exec_value(exec_value(command)) == tuple(command)


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed"
)
def test_the_entry_is_a_valid_desktop_entry(tmp_path):
    entry = XdgAutostart(('/opt/a "b" $c\\d/desktop-tracker', "run", "--in-tray"), tmp_path)
    entry.enable()
    result = subprocess.run(
        ["desktop-file-validate", str(entry.path)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("gio") is None, reason="GLib's gio not installed")
def test_glib_starts_the_entry_with_exactly_our_arguments(tmp_path):
    # GLib (GNOME, Xfce, Cinnamon, MATE) reads Exec= as the desktop does at login. A program
    # path with '%' in it is the one thing it cannot start: it looks for the program before
    # it expands %%.
    folder = tmp_path / 'my "apps" $HOME `x` \\ here'
    folder.mkdir()
    program = folder / "desktop-tracker"
    out = tmp_path / "argv.json"
    program.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"open({str(out)!r} + '.part', 'w').write(json.dumps(sys.argv))\n"
        f"os.replace({str(out)!r} + '.part', {str(out)!r})\n"  # whole, or not yet there
    )
    program.chmod(0o755)
    command = (str(program), "run", "--in-tray", "--data-dir", "/d/100% \"x\" $y `z` \\ 'q'")
    entry = XdgAutostart(command, tmp_path / "autostart")
    entry.enable()
    result = subprocess.run(
        ["gio", "launch", str(entry.path)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    deadline = time.monotonic() + 20
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert tuple(json.loads(out.read_text())) == command


def test_the_entry_honours_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert xdg_autostart_dir() == tmp_path / "config" / "autostart"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/is/ignored")  # the spec: absolute only
    assert xdg_autostart_dir() == Path.home() / ".config" / "autostart"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert xdg_autostart_dir() == Path.home() / ".config" / "autostart"


def test_on_writes_the_entry_and_off_removes_it(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    entry = XdgAutostart(OURS)
    assert entry.path == tmp_path / "config" / "autostart" / "desktop-tracker.desktop"
    assert entry.status().describe() == "off"
    entry.enable()
    text = entry.path.read_text()
    assert text.startswith("[Desktop Entry]\n")
    lines = text.splitlines()
    for line in (
        "Type=Application",
        'Exec="/opt/desktop tracker/desktop-tracker" run --in-tray',
        "TryExec=/opt/desktop tracker/desktop-tracker",  # a plain string: no quotes
        "Icon=desktop-tracker",
        "Terminal=false",
    ):
        assert line in lines
    assert stat.S_IMODE(entry.path.stat().st_mode) == 0o644
    assert entry.status().is_ours and entry.status().describe() == "on"
    entry.enable()  # again: the same, no duplicate
    assert entry.status().is_ours
    entry.disable()
    assert not entry.path.exists() and entry.status().describe() == "off"
    entry.disable()  # already off: fine
    assert list(entry.folder.iterdir()) == []  # no temporary file left


def test_status_names_another_installation(tmp_path):
    entry = XdgAutostart(OURS, tmp_path)
    XdgAutostart(("/home/me/old venv/bin/desktop-tracker", "run", "--in-tray"), tmp_path).enable()
    status = entry.status()
    assert status.enabled and not status.is_ours
    assert (
        status.describe()
        == "on, but for another installation: /home/me/old venv/bin/desktop-tracker"
    )
    XdgAutostart((*OURS, "--data-dir", "/data"), tmp_path).enable()
    assert entry.status().describe() == (
        f"on, but with another command: {' '.join(OURS)} --data-dir /data"
    )


@pytest.mark.parametrize("switch", ["Hidden=true", "X-GNOME-Autostart-enabled=false"])
def test_an_entry_the_desktop_switched_off_is_off(tmp_path, switch):
    entry = XdgAutostart(OURS, tmp_path)
    entry.enable()
    entry.path.write_text(entry.path.read_text().replace("X-GNOME-Autostart-enabled=true", switch))
    assert entry.status().describe() == "off"


def test_an_unreadable_entry_is_said_in_words(tmp_path):
    (tmp_path / "autostart").write_text("a file where the folder should be")
    entry = XdgAutostart(OURS, tmp_path / "autostart")
    with pytest.raises(AutostartError, match="cannot write"):
        entry.enable()


# -- Windows: the Run key -----------------------------------------------------------------------


class FakeRunKey:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.off: set[str] = set()  # switched off in Task Manager

    def switched_off(self, name: str) -> bool:
        return name in self.off

    def clear_switch(self, name: str) -> None:
        self.off.discard(name)

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


WINDOWS_EXE = r"C:\Program Files\desktop-tracker\desktop-tracker.exe"


def test_the_run_key_holds_a_quoted_command_line():
    key = FakeRunKey()
    entry = WindowsRunEntry((WINDOWS_EXE, "run", "--in-tray"), key)
    assert entry.status().describe() == "off"
    entry.enable()
    assert key.values == {"desktop-tracker": f'"{WINDOWS_EXE}" run --in-tray'}
    assert entry.status().is_ours
    assert entry.location == (
        r"HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run\desktop-tracker"
    )
    entry.disable()
    assert key.values == {} and entry.status().describe() == "off"


def test_windows_arguments_with_spaces_quotes_and_trailing_backslashes():
    command = (WINDOWS_EXE, "run", "--in-tray", "--data-dir", "C:\\Users\\A B\\data dir\\")
    line = windows_command_line(command)
    # A backslash before the closing quote is doubled, or it would escape it.
    assert line == f'"{WINDOWS_EXE}" run --in-tray --data-dir "C:\\Users\\A B\\data dir\\\\"'
    assert split_windows_command_line(line) == command
    tricky = (r"C:\p\app.exe", 'say "hi"', "a\\\\b", "tab\there", "")
    assert split_windows_command_line(windows_command_line(tricky)) == tricky


def test_the_run_key_names_another_installation():
    key = FakeRunKey()
    key.set("desktop-tracker", r'"D:\old\desktop-tracker.exe" run --in-tray')
    status = WindowsRunEntry((WINDOWS_EXE, "run", "--in-tray"), key).status()
    assert status.describe() == r"on, but for another installation: D:\old\desktop-tracker.exe"
    key.set("desktop-tracker", r"D:\unquoted\desktop-tracker.exe --autostart")
    assert split_windows_command_line(key.values["desktop-tracker"]) == (
        r"D:\unquoted\desktop-tracker.exe",
        "--autostart",
    )


def test_a_pythonw_command_is_one_installation():
    python = (r"C:\Users\me\venv\Scripts\pythonw.exe", "-m", "desktop_tracker")
    key = FakeRunKey()
    WindowsRunEntry((*python, "run", "--in-tray"), key).enable()
    assert key.values["desktop-tracker"] == f'"{python[0]}" -m desktop_tracker run --in-tray'
    other = WindowsRunEntry((r"C:\other\pythonw.exe", "-m", "desktop_tracker", "run"), key)
    assert other.status().describe() == (
        r"on, but for another installation: C:\Users\me\venv\Scripts\pythonw.exe -m desktop_tracker"
    )


def test_an_entry_switched_off_in_task_manager_is_off_until_turned_on():
    key = FakeRunKey()
    entry = WindowsRunEntry((WINDOWS_EXE, "run", "--in-tray"), key)
    entry.enable()
    key.off.add("desktop-tracker")  # the user's Startup tab
    assert entry.status().describe() == "off"
    entry.enable()
    assert entry.status().describe() == "on" and not key.off


class FakeWinreg:
    """The parts of winreg that WinregRunKey uses, over a dict of (key path, name) → value."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_SET_VALUE = 2
    REG_SZ, REG_EXPAND_SZ, REG_BINARY = 1, 2, 3

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], tuple[object, int]] = {}
        self.keys: set[str] = set()

    class _Key:
        def __init__(self, path: str) -> None:
            self.path = path

        def __enter__(self) -> FakeWinreg._Key:
            return self

        def __exit__(self, *_: object) -> None:
            pass

    def OpenKey(self, root: str, path: str, reserved: int = 0, access: int = 0) -> _Key:
        if path not in self.keys:
            raise FileNotFoundError(path)
        return self._Key(f"{root}\\{path}")

    def CreateKeyEx(self, root: str, path: str, reserved: int, access: int) -> _Key:
        self.keys.add(path)
        return self._Key(f"{root}\\{path}")

    def QueryValueEx(self, key: _Key, name: str) -> tuple[object, int]:
        if (key.path, name) not in self.values:
            raise FileNotFoundError(name)
        return self.values[(key.path, name)]

    def SetValueEx(self, key: _Key, name: str, reserved: int, kind: int, value: object) -> None:
        self.values[(key.path, name)] = (value, kind)

    def DeleteValue(self, key: _Key, name: str) -> None:
        if self.values.pop((key.path, name), None) is None:
            raise FileNotFoundError(name)

    def ExpandEnvironmentStrings(self, value: str) -> str:
        return value.replace("%LOCALAPPDATA%", r"C:\Users\me\AppData\Local")


def test_the_real_run_key_is_hkcu_run_as_a_string(monkeypatch):
    fake = FakeWinreg()
    monkeypatch.setattr(autostart, "_winreg", lambda: fake)
    entry = WindowsRunEntry((WINDOWS_EXE, "run", "--in-tray"))
    assert entry.status().describe() == "off"  # no Run key at all yet
    entry.enable()
    run = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"
    assert fake.values == {(run, "desktop-tracker"): (f'"{WINDOWS_EXE}" run --in-tray', 1)}
    assert entry.status().is_ours

    approved = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
    fake.keys.add(approved)
    fake.values[(f"HKCU\\{approved}", "desktop-tracker")] = (b"\x03" + bytes(11), 3)
    assert entry.status().describe() == "off"
    fake.values[(f"HKCU\\{approved}", "desktop-tracker")] = (b"\x02" + bytes(11), 3)
    assert entry.status().describe() == "on"

    fake.values[(run, "desktop-tracker")] = (r'"%LOCALAPPDATA%\dt\desktop-tracker.exe"', 2)
    assert entry.status().describe() == (
        r"on, but for another installation: C:\Users\me\AppData\Local\dt\desktop-tracker.exe"
    )
    entry.disable()
    assert fake.values == {}
    entry.disable()  # already gone: fine


def test_a_registry_error_is_said_in_words():
    class Refusing(FakeRunKey):
        def set(self, name: str, value: str) -> None:
            raise PermissionError(13, "Access is denied")

    with pytest.raises(AutostartError, match=r"cannot write .*Run.*Access is denied"):
        WindowsRunEntry((WINDOWS_EXE,), Refusing()).enable()


def test_winreg_is_not_needed_off_windows():
    entry = login_entry(platform="win32")
    assert isinstance(entry, WindowsRunEntry)  # made without importing winreg
    assert "winreg" not in sys.modules or sys.platform == "win32"


# -- macOS: the LaunchAgent ---------------------------------------------------------------------

MAC_EXE = "/Applications/Desktop Tracker.app/Contents/MacOS/desktop-tracker"


def test_the_launch_agent_runs_at_load_with_a_list_of_arguments(tmp_path):
    agent = LaunchAgent((MAC_EXE, "run", "--in-tray"), tmp_path / "LaunchAgents")
    assert agent.path == tmp_path / "LaunchAgents" / f"{autostart.MACOS_LABEL}.plist"
    assert agent.status().describe() == "off"
    agent.enable()
    with open(agent.path, "rb") as file:
        written = plistlib.load(file)
    assert written == {
        "Label": autostart.MACOS_LABEL,
        "ProgramArguments": [MAC_EXE, "run", "--in-tray"],  # no quoting: one string each
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    }
    assert agent.status().is_ours
    agent.disable()
    assert not agent.path.exists() and agent.status().describe() == "off"


def test_the_default_launch_agents_folder_is_the_users(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    entry = login_entry(platform="darwin")
    assert isinstance(entry, LaunchAgent)
    assert entry.folder == tmp_path / "Library" / "LaunchAgents"


def test_a_launch_agent_of_another_installation_or_disabled(tmp_path):
    agent = LaunchAgent((MAC_EXE, "run", "--in-tray"), tmp_path)
    LaunchAgent(("/Users/me/old/desktop-tracker", "run", "--in-tray"), tmp_path).enable()
    assert agent.status().describe() == (
        "on, but for another installation: /Users/me/old/desktop-tracker"
    )
    with open(agent.path, "rb") as file:
        data = plistlib.load(file)
    agent.path.write_bytes(plistlib.dumps({**data, "Disabled": True}))
    assert agent.status().describe() == "off"


def test_linux_is_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    entry = login_entry(platform="linux")
    assert isinstance(entry, XdgAutostart) and entry.folder == tmp_path / "autostart"


def test_the_windows_console_build_names_its_windowed_twin_at_login(tmp_path):
    console = tmp_path / "desktop-tracker-cli.exe"
    windowed = tmp_path / "desktop-tracker.exe"
    console.write_bytes(b"")
    windowed.write_bytes(b"")
    command = program_command(executable=str(console), frozen=True, windows=True)
    assert command == (str(windowed),)
    assert program_command(executable=str(windowed), frozen=True, windows=True) == (str(windowed),)
