"""Bad input through the real command line: a message in words that says what is wrong and what
to do, a non-zero exit, no traceback, and the data file left as it was, byte for byte."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_tracker.cli import main
from desktop_tracker.data_dir import DATABASE_NAME, LOCK_NAME
from tests.support.damaged_database import overwrite_table_page

FORMAT = '{"format": "desktop-tracker/trackers", "version": 1, "trackers": [%s]}'
GOOD = '{"name": "New", "url": "https://new.test/"}'


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_headless(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """`run --headless` as the user starts it; it must stop at once, or the timeout fails it."""
    return subprocess.run(
        [sys.executable, "-m", "desktop_tracker", "run", "--headless", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def refused_in_words(code: int, err: str, words: str, exit_code: int) -> None:
    assert code == exit_code, err
    assert words in err, err
    assert err.startswith("desktop-tracker: error: ")
    assert "Traceback" not in err and "Errno" not in err
    assert len(err) < 600, err


@pytest.fixture
def data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A data directory with one tracker in it."""
    folder = tmp_path / "data"
    assert run(capsys, "add", "https://a.test/", "--name", "A", "--data-dir", str(folder))[0] == 0
    return folder


def stored(data_dir: Path) -> bytes:
    return (data_dir / DATABASE_NAME).read_bytes()


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """`path` (a folder or a file) made unwritable for real: by its permission bits or, where
    they stop nobody (the tests run as root here), by the immutable attribute (chattr +i)."""
    if os.geteuid() != 0:
        mode = stat.S_IMODE(path.stat().st_mode)
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode:
        pytest.skip("running as root without chattr +i: nothing can make a path unwritable")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


# -- import ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (FORMAT % '{"name": "B", "url": "https://b.test/", "enabled": "false"}',
         "tracker 1 ('B'): enabled: expected true or false, found the text 'false'"),
        (FORMAT % '{"name": "B", "url": "https://b.test/", "verify_tls": []}',
         "tracker 1 ('B'): verify_tls: expected true or false, found a list"),
        (FORMAT % (GOOD + ', {"name": "C", "url": "https://c.test/", "revisions": true}'),
         "tracker 2 ('C'): revisions: expected a whole number, found true"),
        (FORMAT % '{"name": "B", "url": "https://b.test/", "verfiy_tls": false}',
         "unknown field 'verfiy_tls' (did you mean 'verify_tls'?)"),
        (FORMAT % '{"name": "B", "url": "https://b.test/", "retry": {"strategy": "constant", '
         '"attempts": "3"}}', "retry: attempts: expected a whole number, found the text '3'"),
        (FORMAT % ('{"name": "%s", "url": "https://b.test/"}' % ("n" * 5_000_000)),
         "name: the name must be 1 to 100 characters long, not 5,000,000"),
        ('{"format": "desktop-tracker/trackers", "version": true, "trackers": []}',
         '"version": expected a whole number, found true'),
        ("[" * 100_000, "is not an export: its lists or objects are nested too deeply"),
        ('{"format": "desktop-tracker/trackers", "trackers": [{"name": ' + "[" * 100_000,
         "nested too deeply"),
        ('{"format": "desktop-tracker/trackers",\n "version": 1,\n "trackers": [}',
         "is not JSON: Expecting value at line 3, column 15"),
        ('{"enabled": true, "enabled": false}', "the key 'enabled' twice in one object"),
    ],
)  # fmt: skip
def test_a_bad_import_file_is_refused_in_words_and_nothing_changes(
    capsys, data_dir, tmp_path, content, words
):
    before = stored(data_dir)
    path = tmp_path / "in.json"
    path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "import", str(path), "--data-dir", str(data_dir))
    refused_in_words(code, err, words, exit_code=2)
    assert "nothing was imported" in err
    assert stored(data_dir) == before
    listed = json.loads(run(capsys, "list", "--json", "--data-dir", str(data_dir))[1])
    assert [tracker["name"] for tracker in listed] == ["A"]


def test_names_that_exist_already_are_listed_short_and_nothing_is_imported(
    capsys, data_dir, tmp_path
):
    path = tmp_path / "many.json"
    names = ["A", *(f"T{n}" for n in range(7))]
    trackers = [{"name": name, "url": f"https://{n}.test/"} for n, name in enumerate(names)]
    path.write_text(FORMAT % ", ".join(json.dumps(t) for t in trackers), encoding="utf-8")
    other = ["--data-dir", str(tmp_path / "other")]
    assert run(capsys, "import", str(path), *other)[0] == 0
    before = stored(tmp_path / "other")
    code, _, err = run(capsys, "import", str(path), *other)
    refused_in_words(code, err, "exist already: 'A', 'T0', 'T1', 'T2', 'T3' and 3 more", 2)
    assert stored(tmp_path / "other") == before


def test_an_import_file_that_is_not_utf8_is_refused_in_words(capsys, data_dir, tmp_path):
    before = stored(data_dir)
    path = tmp_path / "latin1.json"
    path.write_bytes((FORMAT % '{"name": "Café", "url": "https://b.test/"}').encode("latin-1"))
    code, _, err = run(capsys, "import", str(path), "--data-dir", str(data_dir))
    refused_in_words(code, err, f"{path} is not UTF-8 text: the byte at offset", exit_code=2)
    assert "export files are UTF-8 JSON" in err and "codec" not in err
    assert stored(data_dir) == before


def test_standard_input_is_read_as_strictly(capsys, data_dir, monkeypatch):
    before = stored(data_dir)
    raw = (FORMAT % '{"name": "Café", "url": "https://b.test/"}').encode("latin-1")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    code, _, err = run(capsys, "import", "-", "--data-dir", str(data_dir))
    refused_in_words(code, err, "standard input is not UTF-8 text", exit_code=2)
    assert stored(data_dir) == before


def test_an_import_file_larger_than_50_mb_is_refused_in_words(capsys, data_dir, tmp_path):
    before = stored(data_dir)
    path = tmp_path / "huge.json"
    with path.open("wb") as file:
        file.truncate(60_000_000)  # sparse: no disk is used
    code, _, err = run(capsys, "import", str(path), "--data-dir", str(data_dir))
    refused_in_words(code, err, "is larger than 50 MB: it is not an export", exit_code=2)
    assert stored(data_dir) == before


def test_an_import_file_that_cannot_be_read_is_said_in_words(capsys, data_dir, tmp_path):
    before = stored(data_dir)
    for path, words in [
        (tmp_path / "missing.json", "there is no file"),
        (tmp_path, "is a folder: name an export file"),
    ]:
        code, _, err = run(capsys, "import", str(path), "--data-dir", str(data_dir))
        refused_in_words(code, err, words, exit_code=2)
    assert stored(data_dir) == before


def test_an_import_file_without_read_permission_is_said_in_words(
    capsys, data_dir, tmp_path, monkeypatch
):
    path = tmp_path / "secret.json"
    path.write_text(FORMAT % GOOD, encoding="utf-8")
    if os.geteuid() == 0:  # root reads whatever the permission bits say: fail at the OS call
        real_open = Path.open

        def refuse(self, *args, **kwargs):
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    else:
        path.chmod(0)
    code, _, err = run(capsys, "import", str(path), "--data-dir", str(data_dir))
    refused_in_words(code, err, f"cannot read {path}: permission denied", exit_code=2)


# -- the data directory ---------------------------------------------------------------------------

# Every command that uses the data directory, with what it needs to get that far.
COMMANDS = [
    ["list"],
    ["add", "https://b.test/", "--name", "B"],
    ["history", "A"],
    ["remove", "A"],
    ["export"],
    ["import", "IMPORT_FILE"],
]


def command(args: list[str], tmp_path: Path) -> list[str]:
    good = tmp_path / "good.json"
    good.write_text(FORMAT % GOOD, encoding="utf-8")
    return [str(good) if arg == "IMPORT_FILE" else arg for arg in args]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: args[0])
def test_a_data_dir_that_is_a_file_is_said_in_words_by_every_command(capsys, tmp_path, args):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("mine")
    code, out, err = run(capsys, *command(args, tmp_path), "--data-dir", str(not_a_folder))
    refused_in_words(
        code,
        err,
        f"the data directory {not_a_folder} is a file, not a folder: pass --data-dir with a folder",
        exit_code=1,
    )
    assert out == "" and not_a_folder.read_text() == "mine"


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: args[0])
def test_a_data_dir_under_a_file_is_said_in_words_by_every_command(capsys, tmp_path, args):
    file = tmp_path / "notes.txt"
    file.write_text("mine")
    code, _, err = run(capsys, *command(args, tmp_path), "--data-dir", str(file / "data"))
    refused_in_words(code, err, f"cannot be made: {file} is a file, not a folder", exit_code=1)


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: args[0])
def test_a_data_dir_that_cannot_be_written_is_said_in_words_by_every_command(
    capsys, tmp_path, args
):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    with unwritable(folder):
        code, _, err = run(capsys, *command(args, tmp_path), "--data-dir", str(folder))
        refused_in_words(
            code,
            err,
            f"cannot write in the data directory {folder}: permission denied; fix its "
            "permissions or pass another --data-dir",
            exit_code=1,
        )
    assert list(folder.iterdir()) == []


def test_a_data_dir_that_cannot_be_made_is_said_in_words(capsys, tmp_path):
    parent = tmp_path / "parent"
    parent.mkdir()
    with unwritable(parent):
        code, _, err = run(capsys, "list", "--data-dir", str(parent / "data"))
    refused_in_words(code, err, f"cannot create the data directory {parent / 'data'}", exit_code=1)


def test_a_data_file_that_cannot_be_written_is_said_in_words(capsys, data_dir):
    before = stored(data_dir)
    with unwritable(data_dir / DATABASE_NAME):
        for args in (["list"], ["add", "https://b.test/", "--name", "B"]):
            code, _, err = run(capsys, *args, "--data-dir", str(data_dir))
            refused_in_words(code, err, "cannot open the data file", exit_code=1)
            assert "for writing: permission denied" in err
    assert stored(data_dir) == before


def test_headless_on_a_data_dir_that_is_a_file_says_so_without_a_traceback(tmp_path):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("mine")
    result = run_headless(not_a_folder)
    refused_in_words(result.returncode, result.stderr, "is a file, not a folder", exit_code=1)


def test_headless_on_a_data_dir_that_cannot_be_written_says_so_without_a_traceback(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    with unwritable(folder):
        result = run_headless(folder)
    refused_in_words(
        result.returncode, result.stderr, "cannot write in the data directory", exit_code=1
    )


def test_headless_with_a_lock_file_it_cannot_open_says_so_without_a_traceback(tmp_path):
    folder = tmp_path / "data"
    (folder / LOCK_NAME).mkdir(parents=True)  # a folder where the lock file should be
    result = run_headless(folder)
    refused_in_words(
        result.returncode, result.stderr, f"cannot open the lock file {folder / LOCK_NAME}", 1
    )


def test_the_window_is_left_to_say_what_is_wrong_with_the_data_dir(tmp_path, monkeypatch, capsys):
    # Someone who starts the app from a menu never sees stderr: the window must get to say it.
    monkeypatch.setattr("desktop_tracker.cli.run.configure_logging", lambda *args, **kw: None)
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("mine")
    opened: list[Path] = []
    code = main(["--data-dir", str(not_a_folder)], open_window=lambda d: opened.append(d) or 7)
    assert (code, opened) == (7, [not_a_folder])
    assert capsys.readouterr().err == ""


# -- a damaged data file --------------------------------------------------------------------------


def random_bytes(data_dir: Path) -> None:
    (data_dir / DATABASE_NAME).write_bytes(random.Random(8).randbytes(64 * 1024))


def truncated(data_dir: Path) -> None:
    path = data_dir / DATABASE_NAME
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def trackers_page_overwritten(data_dir: Path) -> None:
    overwrite_table_page(data_dir / DATABASE_NAME, "trackers")


DAMAGE = [random_bytes, truncated, trackers_page_overwritten]


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("args", [*COMMANDS, ["run", "--headless"]], ids=lambda args: args[0])
def test_a_damaged_data_file_is_refused_by_every_command_and_left_as_it_was(
    capsys, data_dir, tmp_path, damage, args
):
    for n in range(3):  # enough trackers that the file has more than a page or two
        run(capsys, "add", f"https://{n}.test/", "--name", f"T{n}", "--data-dir", str(data_dir))
    damage(data_dir)
    before = stored(data_dir)
    if args[0] == "run":
        result = run_headless(data_dir)
        code, err = result.returncode, result.stderr
    else:
        code, _, err = run(capsys, *command(args, tmp_path), "--data-dir", str(data_dir))
    refused_in_words(code, err, "is damaged or is not a desktop_tracker database", exit_code=1)
    assert "move the file aside (or restore it from a backup)" in err
    assert stored(data_dir) == before


# -- user input quoted short; retry limits; ignore rules -------------------------------------------


def test_a_name_of_any_size_that_names_no_tracker_is_quoted_short(capsys, data_dir):
    for args in (["history", "n" * 5_000_000], ["remove", "n" * 5_000_000]):
        code, _, err = run(capsys, *args, "--data-dir", str(data_dir))
        refused_in_words(code, err, "no tracker is named 'nnnn", exit_code=1)
        assert "(5,000,000 characters) (trackers: A)" in err


@pytest.mark.parametrize(
    ("retry", "words"),
    [
        ("exponential,attempts=4,initial=99999999999d", "initial interval must be at most 7 days"),
        ("linear,attempts=2,increment=1m,max=8d", "maximum interval must be at most 7 days"),
        ("exponential,attempts=4,multiplier=1e300", "multiplier must be at most 10"),
        ("constant,attempts=" + "9" * 100_000, "attempts must be between 1 and 10, not '999"),
        ("constant,attempts=2,interval=" + "x" * 100_000, "is not a duration"),
    ],
    ids=lambda value: value if len(value) < 60 else f"{value[:40]}…",
)
def test_a_retry_beyond_its_limits_is_refused_short_and_nothing_is_added(
    capsys, data_dir, retry, words
):
    before = stored(data_dir)
    code, _, err = run(
        capsys, "add", "https://b.test/", "--name", "B", "--retry", retry, "--data-dir",
        str(data_dir),
    )  # fmt: skip
    refused_in_words(code, err, words, exit_code=2)
    assert stored(data_dir) == before


def test_a_database_with_a_retry_from_before_the_limits_still_opens(capsys, data_dir):
    month = json.dumps({"strategy": "constant", "attempts": 3, "initial": 30 * 86400.0})
    with contextlib.closing(sqlite3.connect(data_dir / DATABASE_NAME)) as db, db:
        db.execute("UPDATE trackers SET retry = ?", (month,))
        db.execute("UPDATE jobs SET retry = ?", (month,))
    code, out, err = run(capsys, "list", "--json", "--data-dir", str(data_dir))
    assert code == 0, err
    assert [row["name"] for row in json.loads(out)] == ["A"]


def add_with_rule(data_dir: Path, rule: str) -> subprocess.CompletedProcess[str]:
    """`add --ignore RULE` as the user runs it: a process of its own, warnings as Python shows
    them by default (pytest's own capture would hide them)."""
    command = [sys.executable, "-m", "desktop_tracker", "add", "https://r.test/", "--name", rule]
    return subprocess.run(
        [*command, "--ignore", rule, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"},
    )


def test_an_ignore_rule_python_warns_about_is_taken_silently_or_refused_once(data_dir):
    # "[[" is no regular expression: one message, and no FutureWarning before it.
    result = add_with_rule(data_dir, "[[")
    assert result.returncode == 2
    assert result.stderr == (
        "desktop-tracker: error: ignore: ignore rule '[[' is not a regular expression: "
        "unterminated character set at position 0\n"
    )
    # These are valid today (and mean what they mean today): added without a word.
    for rule in ("[[]", "[a&&b]", "x[[:alpha:]]"):
        result = add_with_rule(data_dir, rule)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
