"""What a bug report needs, said alike by `--version` and by the first line of the log: the
version, the platform, Python, Qt if loaded, and how this copy was built."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import desktop_tracker
from desktop_tracker import FROZEN, INSTALLED_PACKAGE, SOURCE_CHECKOUT, __version__

PROGRAM = [sys.executable, "-m", "desktop_tracker"]


def run(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PROGRAM, *args], capture_output=True, text=True, timeout=60, check=False, **kwargs
    )


def test_build_kind(monkeypatch, tmp_path):
    assert desktop_tracker.build_kind() == SOURCE_CHECKOUT  # these tests run from the checkout
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert desktop_tracker.build_kind() == FROZEN
    monkeypatch.delattr(sys, "frozen")
    monkeypatch.setattr(desktop_tracker, "__file__", str(tmp_path / "site" / "x" / "__init__.py"))
    assert desktop_tracker.build_kind() == INSTALLED_PACKAGE


def test_qt_is_named_only_once_loaded(monkeypatch):
    class QtCore:
        @staticmethod
        def qVersion() -> str:
            return "6.11.3"

    monkeypatch.delitem(sys.modules, "PySide6.QtCore", raising=False)
    assert desktop_tracker.qt_version() is None
    assert desktop_tracker.build_facts()["qt"].startswith("not loaded")
    assert "PySide6.QtCore" not in sys.modules  # asking did not load it
    monkeypatch.setitem(sys.modules, "PySide6.QtCore", QtCore)
    assert desktop_tracker.build_facts()["qt"] == "6.11.3"


def test_version_prints_the_facts_after_the_usual_first_line():
    done = run("--version")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"desktop-tracker {__version__}"  # what scripts read
    facts = dict(line.split(": ", 1) for line in lines[1:])
    assert list(facts) == ["platform", "python", "qt", "build"]
    assert facts["platform"].split()[0] == platform.system()
    assert platform.machine() in facts["platform"]
    assert facts["python"].startswith(platform.python_version())
    assert facts["qt"].startswith("not loaded")  # --version does not load Qt
    assert facts["build"] == SOURCE_CHECKOUT


def first_log_line(data_dir: Path) -> str:
    return (data_dir / "desktop-tracker.log").read_text(encoding="utf-8").splitlines()[0]


def assert_start_line(line: str) -> None:
    assert f"start: desktop-tracker {__version__}; " in line
    assert f"; {platform.system()} {platform.release()} {platform.machine()}; " in line
    assert f"; Python {platform.python_version()} " in line
    assert "; Qt " in line
    assert line.endswith(f"; {SOURCE_CHECKOUT}")


def test_a_command_that_opens_the_data_dir_logs_the_start_line_there(tmp_path):
    done = run("--data-dir", str(tmp_path / "data"), "list")
    assert done.returncode == 0, done.stderr
    assert_start_line(first_log_line(tmp_path / "data"))
    assert "start:" not in done.stderr  # the terminal keeps to warnings


def test_a_windowed_build_without_stdout_and_stderr_logs_to_the_file(tmp_path):
    # PyInstaller --windowed and pythonw: sys.stdout and sys.stderr are None.
    script = textwrap.dedent(
        """
        import logging, sys
        sys.stdout = sys.stderr = None
        from desktop_tracker.launcher import main
        code = main(["--data-dir", sys.argv[1], "list"])
        logging.getLogger("desktop_tracker.test").error("after the command")
        assert not [
            h for h in logging.getLogger().handlers
            if isinstance(h, logging.StreamHandler) and not hasattr(h, "baseFilename")
        ], logging.getLogger().handlers
        main(["--version"])
        """
    )
    data = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-c", script, str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    text = (data / "desktop-tracker.log").read_text(encoding="utf-8")
    assert_start_line(text.splitlines()[0])
    assert "after the command" in text
