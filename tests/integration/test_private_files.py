"""What holds the user's secrets is readable by them alone, and no permission is ever added to a
folder or file of theirs: group and other permissions are taken away, nothing more."""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_tracker.cli import main
from desktop_tracker.data_dir import DATABASE_NAME

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextlib.contextmanager
def umask(value: int) -> Iterator[None]:
    previous = os.umask(value)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    code, _, err = run(
        capsys, "add", "https://a.test/", "--name", "A", "--header", "Cookie: secret=1",
        "--data-dir", str(folder),
    )  # fmt: skip
    assert code == 0, err
    return folder


def test_a_new_data_dir_and_data_file_are_private_even_with_a_permissive_umask(capsys, tmp_path):
    folder = tmp_path / "data"
    with umask(0):
        assert run(capsys, "list", "--data-dir", str(folder))[0] == 0
    assert mode(folder) == 0o700
    assert mode(folder / DATABASE_NAME) == 0o600


def test_group_and_other_permissions_are_taken_away_from_what_exists(capsys, data_dir):
    data_dir.chmod(0o755)
    (data_dir / DATABASE_NAME).chmod(0o664)
    assert run(capsys, "list", "--data-dir", str(data_dir))[0] == 0
    assert mode(data_dir) == 0o700
    assert mode(data_dir / DATABASE_NAME) == 0o600


def test_a_read_only_data_folder_is_never_made_writable(capsys, data_dir):
    data_dir.chmod(0o500)
    try:
        code, _, err = run(capsys, "list", "--data-dir", str(data_dir))
        assert mode(data_dir) == 0o500
        if os.geteuid() != 0:  # root writes in it anyway; anyone else is told
            assert code == 1 and "cannot write in the data directory" in err
    finally:
        data_dir.chmod(0o700)


def test_a_read_only_data_file_is_never_made_writable(capsys, data_dir):
    (data_dir / DATABASE_NAME).chmod(0o400)
    code, _, err = run(capsys, "list", "--data-dir", str(data_dir))
    assert mode(data_dir / DATABASE_NAME) == 0o400
    if os.geteuid() != 0:
        assert code == 1 and "cannot open the data file" in err


def test_a_group_readable_folder_with_only_some_owner_bits_keeps_them(capsys, tmp_path):
    # 0o750 minus group and other is 0o700; 0o550 must become 0o500, not 0o700.
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(0o550)
    try:
        run(capsys, "list", "--data-dir", str(folder))
        assert mode(folder) == 0o500
    finally:
        folder.chmod(0o700)


# -- exports --------------------------------------------------------------------------------------


def test_an_export_is_created_readable_by_the_user_alone(capsys, data_dir, tmp_path):
    target = tmp_path / "trackers.json"
    with umask(0):  # what the file is created with is what it gets: no window for others
        code, _, err = run(capsys, "export", str(target), "--data-dir", str(data_dir))
    assert code == 0, err
    assert mode(target) == 0o600
    assert json.loads(target.read_text())["trackers"][0]["headers"] == {"Cookie": "secret=1"}


def test_an_export_over_a_readable_file_makes_it_private_and_replaces_it_whole(
    capsys, data_dir, tmp_path
):
    target = tmp_path / "trackers.json"
    target.write_text("x" * 100_000)
    target.chmod(0o644)
    assert run(capsys, "export", str(target), "--data-dir", str(data_dir))[0] == 0
    assert mode(target) == 0o600
    assert json.loads(target.read_text())["trackers"][0]["name"] == "A"


def test_an_export_over_a_private_file_keeps_it_so(capsys, data_dir, tmp_path):
    target = tmp_path / "trackers.json"
    target.write_text("old")
    target.chmod(0o400 | 0o200)
    assert run(capsys, "export", str(target), "--data-dir", str(data_dir))[0] == 0
    assert mode(target) == 0o600


def test_an_export_to_standard_output_is_the_same_text(capsys, data_dir, tmp_path):
    target = tmp_path / "trackers.json"
    run(capsys, "export", str(target), "--data-dir", str(data_dir))
    code, out, _ = run(capsys, "export", "--data-dir", str(data_dir))
    assert code == 0 and out == target.read_text()


@pytest.mark.parametrize(
    ("where", "words"),
    [("folder", "is a folder: name a file to export to"), ("missing", "its folder does not exist")],
)
def test_an_export_that_cannot_be_written_is_said_in_words(
    capsys, data_dir, tmp_path, where, words
):
    target = tmp_path if where == "folder" else tmp_path / "nowhere" / "trackers.json"
    code, _, err = run(capsys, "export", str(target), "--data-dir", str(data_dir))
    assert code == 1 and words in err and "Traceback" not in err and "Errno" not in err
