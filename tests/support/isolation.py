"""Tests that do not depend on the machine they run on: the environment they see is this one.

CI runs on a developer's own machine, from inside a desktop session as often as not. What that
session and that machine have must not change what a test sees, or a good change could fail
there and a bad one pass. So before any test (and before Qt starts), `isolate_from_the_machine`:

- **display, tray, notification daemon**: Qt runs offscreen always (`QT_QPA_PLATFORM` forced, not
  defaulted: a Wayland session often sets it), and DISPLAY, WAYLAND_DISPLAY and the session's
  D-Bus are removed, so no test reaches the user's screen, tray or notification daemon, and
  nothing is auto-launched over X11. Tests that want a bus start their own (tests/support/dbus.py).
- **Qt's look**: every other `QT_*` variable is removed (platform theme, style override, scale
  factors, font DPI, plugin paths, input method, fatal warnings), with the desktop's names for
  itself (XDG_CURRENT_DESKTOP, KDE_*, GNOME_*, GTK_*) that themes read: offscreen, Qt's own
  theme and palette, whatever the desktop or its dark mode.
- **time zone**: TZ=UTC (and `time.tzset()`), so local times are the same everywhere; tests that
  want another zone say so. Zone rules come from the `tzdata` package alone (PYTHONTZPATH empty,
  `zoneinfo.reset_tzpath([])`), not from whichever system tzdata is installed, if any.
- **locale**: LC_ALL=LANG=C.UTF-8 (and `setlocale`), LANGUAGE removed: Qt's QLocale, strftime and
  the default text encoding are the same for a user in German as in CI.
- **home and data**: HOME, the XDG base directories and XDG_RUNTIME_DIR point into a directory of
  the session's own (and the `isolated_home` fixture gives each test fresh ones);
  DESKTOP_TRACKER_HOME is removed. No test reads or writes the user's
  ~/.local/share/desktop-tracker, ~/.config (Qt's file dialogs remember folders in QtProject.conf
  there) or runtime directory.
- **network**: proxy variables (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY, any case) and
  SSL_CERT_FILE / SSL_CERT_DIR (which httpx reads for its default certificate store) are removed:
  tests talk to 127.0.0.1 only, with certificates they make themselves.
- **umask**: 022, the usual one, whatever the user's (002 and 077 are common): a file's mode is
  what the code gives it, and a test of "readable by the user alone" cannot pass by the umask.

Subprocesses the tests start inherit all of this.
"""

from __future__ import annotations

import atexit
import locale
import os
import shutil
import tempfile
import time
import zoneinfo
from pathlib import Path

__all__ = ["FIXED", "PROXIES", "REMOVED", "home_environment", "isolate_from_the_machine"]

FIXED = {
    "QT_QPA_PLATFORM": "offscreen",
    "QT_API": "pyside6",  # qasync picks the first binding it finds otherwise
    "TZ": "UTC",
    "PYTHONTZPATH": "",  # zoneinfo: the tzdata package only
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
}

REMOVED = {
    # the display, and the session's bus (and what autolaunches one over X11)
    "DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET", "XAUTHORITY",
    "DBUS_SESSION_BUS_ADDRESS", "DBUS_STARTER_ADDRESS", "DBUS_STARTER_BUS_TYPE",
    # the desktop's names for itself, which platform themes, styles and dark mode follow
    "DESKTOP_SESSION", "XDG_CURRENT_DESKTOP", "XDG_SESSION_DESKTOP", "XDG_SESSION_TYPE",
    "KDE_FULL_SESSION", "KDE_SESSION_VERSION", "GNOME_DESKTOP_SESSION_ID",
    "GTK_THEME", "GTK_MODULES", "GTK2_RC_FILES", "XMODIFIERS",
    # where the app's data is (XDG_DATA_DIRS and XDG_CONFIG_DIRS, the system's, are kept)
    "DESKTOP_TRACKER_HOME",
    # language, and the zone files the C library would read
    "LANGUAGE", "TZDIR",
    # certificates httpx would load instead of its own store
    "SSL_CERT_FILE", "SSL_CERT_DIR",
}  # fmt: skip

PROXIES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "ftp_proxy", "socks_proxy"}

HOME_DIRS = {
    "XDG_DATA_HOME": ".local/share",
    "XDG_CONFIG_HOME": ".config",
    "XDG_CACHE_HOME": ".cache",
    "XDG_STATE_HOME": ".local/state",
}


SANDBOX_PREFIX = "desktop-tracker-tests-"  # then the pid of the run, so a later run can tell
# that a run killed before its exit (atexit never ran) is gone, and remove what it left


def _remove_stale_sandboxes() -> None:
    for path in Path(tempfile.gettempdir()).glob(f"{SANDBOX_PREFIX}*-*"):
        pid = path.name.removeprefix(SANDBOX_PREFIX).split("-", 1)[0]
        try:
            if not pid.isdigit() or path.stat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)  # the run is still going (or the pid is someone else's now)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def _removed(name: str) -> bool:
    return (
        name in REMOVED
        or (name.startswith("QT_") and name not in FIXED)
        or name.startswith("LC_")
        or name.lower() in PROXIES
    )


def home_environment(home: Path) -> dict[str, str]:
    """HOME and the XDG base directories, all inside `home` (created here)."""
    values = {"HOME": str(home)}
    for name, relative in HOME_DIRS.items():
        path = home / relative
        path.mkdir(parents=True, exist_ok=True)
        values[name] = str(path)
    return values


def isolate_from_the_machine() -> Path:
    """Make this process's environment the tests' own (see the module's text); returns the
    session's home directory, removed when the process exits."""
    for name in [name for name in os.environ if _removed(name)]:
        del os.environ[name]
    os.environ.update(FIXED)

    _remove_stale_sandboxes()
    sandbox = Path(tempfile.mkdtemp(prefix=f"{SANDBOX_PREFIX}{os.getpid()}-"))
    atexit.register(shutil.rmtree, sandbox, ignore_errors=True)
    os.environ.update(home_environment(sandbox / "home"))
    runtime = sandbox / "runtime"
    runtime.mkdir(mode=0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)

    os.umask(0o022)
    time.tzset()
    for name in ("C.UTF-8", "C.utf8", "C"):
        try:
            locale.setlocale(locale.LC_ALL, name)
            break
        except locale.Error:
            continue
    zoneinfo.reset_tzpath([])
    zoneinfo.ZoneInfo.clear_cache()
    return sandbox / "home"
