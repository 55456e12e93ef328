"""Start at login: the entry each desktop reads at login to start the app, in the tray.

- Linux (and other XDG desktops): `$XDG_CONFIG_HOME/autostart/desktop-tracker.desktop`
  (`~/.config/autostart/…`), a Desktop Entry whose `Exec=` is quoted by that spec's rules.
- Windows: the value `desktop-tracker` of `HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run`,
  a command line quoted as CreateProcess and the C runtime read it.
- macOS: a LaunchAgent, `~/Library/LaunchAgents/<MACOS_LABEL>.plist`, `RunAtLoad`, its
  `ProgramArguments` a list (nothing to quote).

The command is this installation's: the frozen app's executable (an AppImage's own file), else
the `desktop-tracker` script of the environment this Python runs from (on Windows `pythonw -m
desktop_tracker`, which opens no console window), else `python -m desktop_tracker`; then
`run --in-tray` (the app starts in the tray, or shows its window where there is none), and
`--data-dir DIR` when the app was told to use a data directory other than the default.

A desktop's own switch is honoured by `status`: `Hidden=true` or `X-GNOME-Autostart-enabled=false`
on Linux, Task Manager's Startup tab on Windows (StartupApproved), `Disabled` in a LaunchAgent.

No Qt and no services: the command line and the window both use it. Where the entry lives is
injected (a folder, or the registry's Run key), so every platform's code is tested anywhere.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import plistlib
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import platformdirs

from desktop_tracker.data_dir import APP_NAME

ENTRY_NAME = "desktop-tracker"  # the .desktop file's name and the Run key's value name
ICON_NAME = "desktop-tracker"  # installed under this name by the packages (hicolor, /usr/share)
MACOS_LABEL = "io.github.desktop-tracker"  # the LaunchAgent's label and file name
IN_TRAY_FLAG = "--in-tray"
IN_TRAY_ARGUMENTS = ("run", IN_TRAY_FLAG)
SCRIPT_NAME = "desktop-tracker"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
# Where Task Manager's Startup tab (and Settings → Apps → Startup) records that the user switched
# a Run entry off: a binary value of the same name, its first byte odd when off.
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"


class AutostartError(RuntimeError):
    """The entry cannot be read or written; the message says why."""


@dataclass(frozen=True)
class AutostartStatus:
    """What the login entry is, beside what this installation would write."""

    enabled: bool
    command: tuple[str, ...] | None  # what the entry runs, as arguments (None: off, or unread)
    expected: tuple[str, ...]  # what `on` would write now
    location: str  # the file, or the registry value

    @property
    def is_ours(self) -> bool:
        """On, and starting this installation the way `on` would."""
        return self.enabled and self.command == self.expected

    def describe(self) -> str:
        if not self.enabled:
            return "off"
        if self.is_ours:
            return "on"
        if self.command is None:
            return f"on, but its command cannot be read: {self.location}"
        if _installation(self.command) != _installation(self.expected):
            return f"on, but for another installation: {' '.join(_installation(self.command))}"
        return f"on, but with another command: {' '.join(self.command)}"


def _installation(command: Sequence[str]) -> tuple[str, ...]:
    """The part of a command that names the installation: the program (and `-m module`)."""
    if len(command) >= 3 and command[1] == "-m":
        return tuple(command[:3])
    return tuple(command[:1])


# -- the command --------------------------------------------------------------------------------


def launch_command(data_dir: Path | None = None) -> tuple[str, ...]:
    """The arguments that start this installation in the tray (on `data_dir` if not the
    default)."""
    command = (*program_command(), *IN_TRAY_ARGUMENTS)
    if data_dir is not None and not _is_default_data_dir(data_dir):
        command = (*command, "--data-dir", str(data_dir))
    return command


def program_command(
    *,
    executable: str | None = None,
    frozen: bool | None = None,
    windows: bool | None = None,
) -> tuple[str, ...]:
    """How to start this installation: the frozen executable, the environment's
    `desktop-tracker` script, or `python -m desktop_tracker`."""
    executable = os.path.abspath(executable or sys.executable)
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    windows = (os.name == "nt") if windows is None else windows
    if frozen:
        # An AppImage runs from a mount that changes at every start: the file is $APPIMAGE.
        appimage = os.environ.get("APPIMAGE", "")
        if not windows and os.path.isabs(appimage) and os.path.isfile(appimage):
            return (appimage,)
        # The Windows build has a console twin for the command line; at login it would open a
        # console window, so the entry names the windowed program beside it.
        windowed = Path(executable).with_name("desktop-tracker.exe")
        if windows and Path(executable).name.lower() != windowed.name and windowed.is_file():
            return (str(windowed),)
        return (executable,)
    if windows:
        # The console script is a console program: at every login it would open a console
        # window. pythonw runs the same installation without one.
        pythonw = Path(executable).with_name("pythonw.exe")
        if pythonw.is_file():
            return (str(pythonw), "-m", "desktop_tracker")
    script = find_script(executable, windows=windows)
    if script is not None:
        return (script,)
    return (executable, "-m", "desktop_tracker")


def find_script(executable: str, *, windows: bool = False) -> str | None:
    """The `desktop-tracker` console script installed with this Python's environment."""
    name = f"{SCRIPT_NAME}.exe" if windows else SCRIPT_NAME
    here = Path(executable).parent
    folders = [here]
    for scheme in (None, f"{os.name}_user"):
        with contextlib.suppress(KeyError):
            scripts = (
                sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
            )
            if scripts:
                folders.append(Path(scripts))
    found = shutil.which(SCRIPT_NAME)
    if found:
        folders.append(Path(found).parent)
    seen: set[str] = set()
    for folder in folders:
        candidate = os.path.abspath(folder / name)
        if candidate in seen or not os.path.isfile(candidate):
            continue
        seen.add(candidate)
        if folder == here or _runs_with(candidate, executable):
            return candidate
    return None


def _runs_with(script: str, executable: str) -> bool:
    """Whether a script's `#!` line names an interpreter in `executable`'s folder (a venv's
    `python` and `python3` are the same environment; two venvs are not, even when both link to
    one system Python, so paths are compared unresolved)."""
    try:
        with open(script, "rb") as file:
            first = file.readline(4096)
    except OSError:
        return False
    if not first.startswith(b"#!"):
        return False
    words = first[2:].decode(errors="replace").split()
    if not words:
        return False
    interpreter = words[0]
    return os.path.dirname(os.path.abspath(interpreter)) == os.path.dirname(executable)


def _is_default_data_dir(data_dir: Path) -> bool:
    default = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)).expanduser()
    try:
        return data_dir.resolve() == default.resolve()
    except OSError:
        return False


# -- Linux: an XDG autostart entry --------------------------------------------------------------

# The Desktop Entry spec's reserved characters: an argument holding one is quoted.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def quote_exec_argument(argument: str) -> str:
    """One argument of `Exec=`, quoted by the Desktop Entry spec (before string escapes).

    `%` is written `%%`. GLib looks for the program before it expands that, so a program
    whose path holds a `%` is not started by GNOME and its kin (not worked around: rare)."""
    argument = argument.replace("%", "%%")
    if argument and not (set(argument) & _RESERVED):
        return argument
    inner = re.sub(r'(["`$\\])', r"\\\1", argument)
    return f'"{inner}"'


def exec_value(command: Sequence[str]) -> str:
    """The `Exec=` value for `command`: quoted, then escaped as a string value (so a literal
    backslash in a quoted argument is written as four)."""
    return _string_value(" ".join(quote_exec_argument(argument) for argument in command))


def _string_value(text: str) -> str:
    """A Desktop Entry string value: backslash, newline, tab and return escaped."""
    escaped = text.replace("\\", "\\\\")
    return escaped.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def parse_exec_value(value: str) -> tuple[str, ...]:
    """The arguments of an `Exec=` value (the inverse of `exec_value`).

    :raises ValueError: on an unterminated quote."""
    # string escapes first
    text, i = [], 0
    escapes = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value) and value[i + 1] in escapes:
            text.append(escapes[value[i + 1]])
            i += 2
            continue
        text.append(char)
        i += 1
    line = "".join(text)
    arguments: list[str] = []
    current: list[str] = []
    in_word = quoted = False
    i = 0
    while i < len(line):
        char = line[i]
        if quoted:
            if char == "\\" and i + 1 < len(line) and line[i + 1] in '"`$\\':
                current.append(line[i + 1])
                i += 2
                continue
            if char == '"':
                quoted = False
            else:
                current.append(char)
        elif char == '"':
            quoted = in_word = True
        elif char in " \t\n":
            if in_word:
                arguments.append("".join(current))
                current, in_word = [], False
        else:
            current.append(char)
            in_word = True
        i += 1
    if quoted:
        raise ValueError("unterminated quote")
    if in_word:
        arguments.append("".join(current))
    return tuple(argument.replace("%%", "%") for argument in arguments)


def desktop_entry(command: Sequence[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.0\n"
        "Name=desktop_tracker\n"
        "Comment=Watch web pages on schedules and hear when they change\n"
        f"Exec={exec_value(command)}\n"
        # Once this installation is gone, the desktop skips the entry instead of failing on it.
        f"TryExec={_string_value(command[0])}\n"
        f"Icon={ICON_NAME}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def _entry_keys(text: str) -> dict[str, str]:
    """The keys of the [Desktop Entry] group (other groups and localised keys left out)."""
    keys: dict[str, str] = {}
    group = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1]
            continue
        if group == "Desktop Entry" and "=" in line:
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), value.strip())
    return keys


def xdg_autostart_dir() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return base / "autostart"


class XdgAutostart:
    """`desktop-tracker.desktop` in the user's autostart folder."""

    def __init__(self, command: Sequence[str], folder: Path | None = None) -> None:
        self.command = tuple(command)
        self.folder = folder if folder is not None else xdg_autostart_dir()

    @property
    def path(self) -> Path:
        return self.folder / f"{ENTRY_NAME}.desktop"

    def status(self) -> AutostartStatus:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return self._status(False, None)
        except (OSError, UnicodeDecodeError) as error:
            raise AutostartError(f"cannot read {self.path}: {_reason(error)}") from None
        keys = _entry_keys(text)
        # Hidden=true: deleted; X-GNOME-Autostart-enabled=false: switched off in GNOME's
        # Startup Applications. Both mean the desktop will not start it.
        if keys.get("Hidden", "").lower() == "true" or (
            keys.get("X-GNOME-Autostart-enabled", "").lower() == "false"
        ):
            return self._status(False, None)
        try:
            command: tuple[str, ...] | None = parse_exec_value(keys.get("Exec", ""))
        except ValueError:
            command = None
        return self._status(True, command or None)

    def enable(self) -> None:
        _write_text_whole(self.path, desktop_entry(self.command))

    def disable(self) -> None:
        _remove(self.path)

    def _status(self, enabled: bool, command: tuple[str, ...] | None) -> AutostartStatus:
        return AutostartStatus(enabled, command, self.command, str(self.path))


# -- macOS: a LaunchAgent -----------------------------------------------------------------------


def launch_agent(command: Sequence[str]) -> dict[str, object]:
    return {
        "Label": MACOS_LABEL,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",  # a login to the desktop, not an ssh session
    }


class LaunchAgent:
    """`~/Library/LaunchAgents/<MACOS_LABEL>.plist`: launchd reads it at the next login."""

    def __init__(self, command: Sequence[str], folder: Path | None = None) -> None:
        self.command = tuple(command)
        self.folder = folder if folder is not None else Path.home() / "Library" / "LaunchAgents"

    @property
    def path(self) -> Path:
        return self.folder / f"{MACOS_LABEL}.plist"

    def status(self) -> AutostartStatus:
        try:
            with open(self.path, "rb") as file:
                agent = plistlib.load(file)
        except FileNotFoundError:
            return self._status(False, None)
        except OSError as error:
            raise AutostartError(f"cannot read {self.path}: {_reason(error)}") from None
        except (plistlib.InvalidFileException, ValueError):
            return self._status(True, None)
        if not isinstance(agent, dict) or agent.get("Disabled") is True:
            return self._status(False, None)
        if agent.get("RunAtLoad") is not True:
            return self._status(False, None)
        arguments = agent.get("ProgramArguments")
        if isinstance(arguments, list) and all(isinstance(a, str) for a in arguments):
            return self._status(True, tuple(arguments) or None)
        program = agent.get("Program")
        return self._status(True, (program,) if isinstance(program, str) else None)

    def enable(self) -> None:
        _write_whole(self.path, plistlib.dumps(launch_agent(self.command)))

    def disable(self) -> None:
        _remove(self.path)

    def _status(self, enabled: bool, command: tuple[str, ...] | None) -> AutostartStatus:
        return AutostartStatus(enabled, command, self.command, str(self.path))


# -- Windows: the Run key -----------------------------------------------------------------------


class RunKey(Protocol):
    """The values of HKCU\\…\\Run, and beside them the user's switch in Task Manager (a fake
    in tests, winreg on Windows)."""

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...

    def switched_off(self, name: str) -> bool: ...

    def clear_switch(self, name: str) -> None: ...


def _winreg() -> Any:  # pragma: no cover - Windows only
    """The winreg module (a built-in module of Python on Windows only)."""
    return importlib.import_module("winreg")


class WinregRunKey:  # pragma: no cover - exercised on Windows
    """The real Run key of the current user, through winreg (imported only on Windows)."""

    def get(self, name: str) -> str | None:
        winreg = _winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                value, kind = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        if kind == winreg.REG_EXPAND_SZ:
            value = winreg.ExpandEnvironmentStrings(value)
        return value if isinstance(value, str) else None

    def set(self, name: str, value: str) -> None:
        winreg = _winreg()
        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> None:
        self._delete(RUN_KEY, name)

    def switched_off(self, name: str) -> bool:
        winreg = _winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, APPROVED_KEY) as key:
                value, _kind = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return False
        return isinstance(value, bytes) and bool(value) and value[0] % 2 == 1

    def clear_switch(self, name: str) -> None:
        self._delete(APPROVED_KEY, name)

    @staticmethod
    def _delete(path: str, name: str) -> None:
        winreg = _winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, path, 0, winreg.KEY_SET_VALUE) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            pass


def windows_command_line(command: Sequence[str]) -> str:
    """A command line that Windows splits back into `command`: the program always in quotes
    (CreateProcess reads it up to the next quote, without escapes; a path cannot hold one, and
    an unquoted path with spaces is a known hijack), the rest by the C runtime's rules."""
    program, *arguments = command
    if '"' in program:
        raise AutostartError(f"a program path cannot contain a double quote: {program}")
    line = f'"{program}"'
    if arguments:
        line += " " + subprocess.list2cmdline(arguments)
    return line


def split_windows_command_line(line: str) -> tuple[str, ...]:
    """The inverse of `windows_command_line` (CommandLineToArgvW's rules)."""
    line = line.strip()
    if line.startswith('"'):
        end = line.find('"', 1)
        if end < 0:
            return (line[1:],)
        program, rest = line[1:end], line[end + 1 :]
    else:
        match = re.match(r"[^ \t]*", line)
        program = match.group(0) if match else ""
        rest = line[len(program) :]
    arguments: list[str] = []
    current: list[str] = []
    in_word = quoted = False
    i = 0
    while i < len(rest):
        char = rest[i]
        if char == "\\":
            slashes = 0
            while i < len(rest) and rest[i] == "\\":
                slashes += 1
                i += 1
            if i < len(rest) and rest[i] == '"':
                current.append("\\" * (slashes // 2))
                if slashes % 2:
                    current.append('"')
                    i += 1
                in_word = True
                continue
            current.append("\\" * slashes)
            in_word = True
            continue
        if char == '"':
            if quoted and i + 1 < len(rest) and rest[i + 1] == '"':
                current.append('"')  # "" inside quotes: a literal quote
                i += 2
                continue
            quoted = not quoted
            in_word = True
        elif char in " \t" and not quoted:
            if in_word:
                arguments.append("".join(current))
                current, in_word = [], False
        else:
            current.append(char)
            in_word = True
        i += 1
    if in_word:
        arguments.append("".join(current))
    return (program, *arguments)


class WindowsRunEntry:
    """The value `desktop-tracker` of the current user's Run key."""

    def __init__(self, command: Sequence[str], key: RunKey | None = None) -> None:
        self.command = tuple(command)
        self.key: RunKey = key if key is not None else WinregRunKey()

    @property
    def location(self) -> str:
        return f"HKEY_CURRENT_USER\\{RUN_KEY}\\{ENTRY_NAME}"

    def status(self) -> AutostartStatus:
        try:
            value = self.key.get(ENTRY_NAME)
            switched_off = value is not None and self.key.switched_off(ENTRY_NAME)
        except OSError as error:
            raise AutostartError(f"cannot read {self.location}: {_reason(error)}") from None
        if value is None or switched_off:  # switched off in Task Manager: Windows skips it
            return AutostartStatus(False, None, self.command, self.location)
        command = split_windows_command_line(value) if value.strip() else None
        return AutostartStatus(True, command, self.command, self.location)

    def enable(self) -> None:
        line = windows_command_line(self.command)
        try:
            self.key.set(ENTRY_NAME, line)
            self.key.clear_switch(ENTRY_NAME)  # asked for on: an old "off" in Task Manager goes
        except OSError as error:
            raise AutostartError(f"cannot write {self.location}: {_reason(error)}") from None

    def disable(self) -> None:
        try:
            self.key.delete(ENTRY_NAME)
            self.key.clear_switch(ENTRY_NAME)
        except OSError as error:
            raise AutostartError(f"cannot remove {self.location}: {_reason(error)}") from None


# -- choosing one -------------------------------------------------------------------------------


class LoginEntry(Protocol):
    def status(self) -> AutostartStatus: ...

    def enable(self) -> None: ...

    def disable(self) -> None: ...


def login_entry(data_dir: Path | None = None, platform: str | None = None) -> LoginEntry:
    """This platform's entry, for this installation (on `data_dir`, if not the default)."""
    platform = platform or sys.platform
    command = launch_command(data_dir)
    if platform == "win32":
        return WindowsRunEntry(command)
    if platform == "darwin":
        return LaunchAgent(command)
    return XdgAutostart(command)


def set_enabled(entry: LoginEntry, enabled: bool) -> AutostartStatus:
    """Write or remove the entry; returns what it is afterwards."""
    if enabled:
        entry.enable()
    else:
        entry.disable()
    return entry.status()


# -- files --------------------------------------------------------------------------------------


def _write_text_whole(path: Path, text: str) -> None:
    _write_whole(path, text.encode("utf-8"))


def _write_whole(path: Path, data: bytes) -> None:
    """Write whole or not at all (a temporary file, then a rename)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.chmod(temporary, 0o644)  # the desktop reads it; nothing in it is private
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as error:
        raise AutostartError(f"cannot write {path}: {_reason(error)}") from None


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        raise AutostartError(f"cannot remove {path}: {_reason(error)}") from None


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)
