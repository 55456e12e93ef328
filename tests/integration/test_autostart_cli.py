"""`desktop-tracker autostart on|off|status`, and `run --in-tray` reaching the window opener.

Every test has its own HOME and XDG_CONFIG_HOME (tests/conftest.py): the entry is written there,
never in the user's ~/.config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop_tracker.autostart import XdgAutostart, launch_command, parse_exec_value
from desktop_tracker.cli import main


def entry_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "desktop-tracker.desktop"


def exec_of(path: Path) -> tuple[str, ...]:
    [line] = [line for line in path.read_text().splitlines() if line.startswith("Exec=")]
    return parse_exec_value(line.removeprefix("Exec="))


def test_on_status_off(capsys):
    assert main(["autostart", "status"]) == 0
    assert capsys.readouterr().out == "off\n"

    assert main(["autostart", "on"]) == 0
    assert capsys.readouterr().out == "on\n"
    assert exec_of(entry_file()) == launch_command()
    assert exec_of(entry_file())[-2:] == ("run", "--in-tray")

    assert main(["autostart", "status"]) == 0
    assert capsys.readouterr().out == f"on\nentry: {entry_file()}\n"

    assert main(["autostart", "off"]) == 0
    assert capsys.readouterr().out == "off\n"
    assert not entry_file().exists()


def test_a_data_directory_goes_into_the_entry(tmp_path, capsys):
    data = tmp_path / "my data"
    assert main(["autostart", "on", "--data-dir", str(data)]) == 0
    assert exec_of(entry_file())[-2:] == ("--data-dir", str(data.resolve()))
    # Before the command too; and status compares with that data directory.
    assert main(["--data-dir", str(data), "autostart", "status"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["on", f"entry: {entry_file()}"]
    assert main(["autostart", "status"]) == 0
    assert "on, but with another command" in capsys.readouterr().out


def test_status_says_when_the_entry_starts_another_installation(capsys):
    XdgAutostart(
        ("/opt/old copy/desktop-tracker", "run", "--in-tray"), entry_file().parent
    ).enable()
    assert main(["autostart", "status"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "on, but for another installation: /opt/old copy/desktop-tracker"
    assert out[2] == "`desktop-tracker autostart on` makes it start this installation"
    assert main(["autostart", "on"]) == 0
    assert capsys.readouterr().out == "on\n"


def test_an_entry_that_cannot_be_written_fails_in_words(capsys):
    entry_file().parent.parent.mkdir(parents=True, exist_ok=True)
    entry_file().parent.write_text("not a folder")
    assert main(["autostart", "on"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("desktop-tracker: error: cannot write ")
    assert "Traceback" not in err


def test_run_in_tray_reaches_the_window_opener(tmp_path):
    opened: list[tuple[Path, dict[str, object]]] = []

    def opener(data_dir: Path, **options: object) -> int:
        opened.append((data_dir, options))
        return 0

    assert main(["run", "--in-tray", "--data-dir", str(tmp_path)], open_window=opener) == 0
    assert main(["run"], open_window=opener) == 0
    assert main([], open_window=opener) == 0
    assert [options for _, options in opened] == [{"in_tray": True}, {}, {}]


def test_the_command_works_from_a_new_process():
    result = subprocess.run(
        [sys.executable, "-m", "desktop_tracker", "autostart", "status"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "off\n"
