"""The commands that came with tracker kinds (check NAME, edit, pause, resume, learn,
notifications) refuse a data directory or data file that cannot be used as every command does:
in words, exit 1, no traceback, the file left as it was."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from desktop_tracker.cli import main
from desktop_tracker.data_dir import DATABASE_NAME

COMMANDS = [
    ["check", "A"],
    ["edit", "A", "--schedule", "@daily"],
    ["pause", "A"],
    ["resume", "--all"],
    ["learn", "A"],
    ["notifications"],
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def refused_in_words(code: int, err: str, words: str) -> None:
    assert code == 1, err
    assert err.startswith("desktop-tracker: error: ") and words in err, err
    assert "Traceback" not in err and len(err) < 600


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: args[0])
def test_a_data_dir_that_is_a_file_is_said_in_words(capsys, tmp_path, args):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("mine")
    code, out, err = run(capsys, *args, "--data-dir", str(not_a_folder))
    refused_in_words(code, err, "is a file, not a folder: pass --data-dir with a folder")
    assert out == "" and not_a_folder.read_text() == "mine"


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: args[0])
def test_a_damaged_data_file_is_said_in_words_and_left_as_it_was(capsys, tmp_path, args):
    data_dir = tmp_path / "data"
    assert run(capsys, "add", "https://a.test/", "--name", "A", "--data-dir", str(data_dir))[0] == 0
    damaged = random.Random(8).randbytes(64 * 1024)
    (data_dir / DATABASE_NAME).write_bytes(damaged)
    code, out, err = run(capsys, *args, "--data-dir", str(data_dir))
    refused_in_words(code, err, "is damaged or is not a desktop_tracker database")
    assert out == "" and (data_dir / DATABASE_NAME).read_bytes() == damaged


def test_a_name_that_is_not_there_names_those_that_are(capsys, tmp_path):
    data = ["--data-dir", str(tmp_path / "data")]
    assert run(capsys, "add", "https://a.test/", "--name", "Alpha", *data)[0] == 0
    for args in (["check", "Beta"], ["edit", "Beta", "--no-notify"], ["pause", "Beta"],
                 ["learn", "Beta"], ["history", "Beta"], ["remove", "Beta"]):  # fmt: skip
        code, _, err = run(capsys, *args, *data)
        refused_in_words(code, err, "no tracker is named 'Beta' (trackers: Alpha)")


def test_data_dir_before_the_command_is_the_one_used(capsys, tmp_path: Path):
    data = tmp_path / "chosen"
    assert run(capsys, "--data-dir", str(data), "add", "https://a.test/", "--name", "A")[0] == 0
    code, out, err = run(capsys, "--data-dir", str(data), "pause", "A")
    assert code == 0, err
    assert out.startswith("paused 'A'")
