"""What the tests see of the machine is what tests/support/isolation.py gives them, whatever the
session they are run from has: a display, a tray, a notification daemon on the session bus, a
platform theme, a dark mode, a scale factor, a time zone, a language, proxies, a home with data in
it. Run from inside a desktop session, the suite behaves as in CI; these tests say so."""

from __future__ import annotations

import locale
import os
import subprocess
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

from PySide6.QtCore import QLocale, QTimeZone
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from desktop_tracker.core.schedules import system_timezone
from desktop_tracker.data_dir import resolve_data_dir
from tests.support.isolation import PROXIES, REMOVED


def test_nothing_of_the_session_is_in_the_environment():
    assert not [name for name in REMOVED if name in os.environ]
    assert not [name for name in os.environ if name.lower() in PROXIES]
    assert not [name for name in os.environ if name.startswith("LC_") and name != "LC_ALL"]
    assert {n: v for n, v in os.environ.items() if n.startswith("QT_")} == {
        "QT_QPA_PLATFORM": "offscreen",
        "QT_API": "pyside6",
    }


def test_home_and_data_are_the_tests_own(isolated_home: Path):
    assert Path.home() == isolated_home
    assert Path(tempfile.gettempdir()) in isolated_home.parents
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        assert isolated_home in Path(os.environ[name]).parents
    runtime = Path(os.environ["XDG_RUNTIME_DIR"])
    assert runtime.is_dir() and runtime.stat().st_mode & 0o777 == 0o700
    assert resolve_data_dir(None) == isolated_home / ".local" / "share" / "desktop-tracker"


def test_time_zone_and_zone_rules_are_fixed():
    assert system_timezone() == "UTC"
    assert time.timezone == 0 and time.localtime(0).tm_hour == 0
    assert zoneinfo.TZPATH == ()  # the tzdata package's rules, not the system's, if any
    assert zoneinfo.ZoneInfo.no_cache("Pacific/Chatham").key == "Pacific/Chatham"  # from tzdata


def test_the_umask_is_the_usual_one():
    current = os.umask(0o022)
    os.umask(current)
    assert current == 0o022


def test_locale_is_c_utf8():
    assert locale.setlocale(locale.LC_ALL) in ("C.UTF-8", "C.utf8", "C")
    assert os.environ["LANG"] == os.environ["LC_ALL"] == "C.UTF-8"


def test_qt_is_offscreen_with_its_own_look(qapp: QApplication):
    assert QGuiApplication.platformName() == "offscreen"
    assert not QSystemTrayIcon.isSystemTrayAvailable()
    assert qapp.devicePixelRatio() == 1.0
    assert QApplication.style().name() == "fusion"
    assert QLocale().name() == "C"
    assert QTimeZone.systemTimeZoneId() == b"UTC"


def test_subprocesses_inherit_the_same_environment():
    code = "import os, time; print(os.environ.get('DISPLAY'), os.environ['TZ'], time.timezone)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["None", "UTC", "0"]
