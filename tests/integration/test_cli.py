"""The command line's contracts: `schedule` output (text and exact JSON), errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_tracker.cli import main
from desktop_tracker.data_dir import ENV_HOME, resolve_data_dir


def schedule_json(capsys, *args: str) -> dict[str, object]:
    assert main(["schedule", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_schedule_json_has_exactly_the_documented_keys_and_offsets(capsys):
    out = schedule_json(
        capsys,
        "30 1 * * *",
        "--tz",
        "America/New_York",
        "--after",
        "2025-11-01T12:00",
        "--count",
        "3",
    )
    assert list(out) == ["expression", "timezone", "description", "next"]
    assert out["expression"] == "30 1 * * *"
    assert out["timezone"] == "America/New_York"
    assert "01:30" in str(out["description"])
    # A fixed-time job: once on the fall-back night, as Debian runs it, then in EST.
    assert out["next"] == [
        "2025-11-02T01:30:00-04:00",
        "2025-11-03T01:30:00-05:00",
        "2025-11-04T01:30:00-05:00",
    ]


def test_schedule_after_with_an_offset_is_that_instant(capsys):
    out = schedule_json(
        capsys, "0 * * * *", "--tz", "UTC", "--after", "2025-06-01T10:30:00+02:00", "--count", "1"
    )
    assert out["next"] == ["2025-06-01T09:00:00+00:00"]


def test_schedule_seconds_first_and_count(capsys):
    out = schedule_json(
        capsys, "*/20 * * * * *", "--tz", "UTC", "--after", "2025-06-01T10:00:00", "--count", "4"
    )
    assert out["next"] == [f"2025-06-01T10:00:{s:02d}+00:00" for s in (20, 40)] + [
        "2025-06-01T10:01:00+00:00",
        "2025-06-01T10:01:20+00:00",
    ]


def test_schedule_defaults_to_five_times_from_now(capsys):
    out = schedule_json(capsys, "@hourly", "--tz", "Asia/Tokyo")
    assert len(out["next"]) == 5  # type: ignore[arg-type]
    assert all(str(t).endswith("+09:00") for t in out["next"])  # type: ignore[union-attr]


def test_schedule_text_output_describes_and_lists(capsys):
    assert main(["schedule", "0 0 * * 6", "--tz", "Europe/Paris", "--count", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "Saturday" in lines[0]
    assert len(lines) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["61 * * * *"], "minute"),
        (["0 0 31 2 *"], "never"),
        (["@daily", "--tz", "Mars/Base"], "time zone"),
        (["@daily", "--after", "yesterday"], "ISO 8601"),
        (["@daily", "--count", "0"], "--count"),
    ],
)
def test_schedule_refuses_bad_input_with_exit_code_2_and_a_message(capsys, args, message):
    assert main(["schedule", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


def test_entry_point_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "desktop_tracker", "schedule", "@daily", "--tz", "UTC", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["timezone"] == "UTC"


def test_data_dir_comes_from_the_flag_then_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_HOME, str(tmp_path / "from-env"))
    assert resolve_data_dir(tmp_path / "flag") == (tmp_path / "flag").resolve()
    assert resolve_data_dir(None) == (tmp_path / "from-env").resolve()
    monkeypatch.delenv(ENV_HOME)
    assert resolve_data_dir(None).name == "desktop-tracker"
    assert Path.home() in resolve_data_dir(None).parents
