"""`desktop-tracker --self-test`: every step passes from the venv, one line each, and nothing is
left behind; a broken step says its name and why, with no traceback on the terminal."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_tracker import self_test
from desktop_tracker.core import cron_words

STEP_NAMES = [step.name for step in self_test.STEPS]
LINE = re.compile(r"^(ok  |FAIL) (\S+) +(\d+) ms  (.*)$")


def run_self_test(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_tracker", "--self-test"],
        capture_output=True,
        text=True,
        timeout=120,
        # its temporary data directory and log go here, so that the test sees what is left
        env={**os.environ, "TMPDIR": str(tmp_path), **env},
        stdin=subprocess.DEVNULL,
    )


def step_lines(stdout: str) -> dict[str, tuple[str, str]]:
    found = {}
    for line in stdout.splitlines()[:-1]:
        match = LINE.match(line)
        assert match, f"not a step line: {line!r}"
        found[match[2]] = (match[1].strip(), match[4])
    return found


@pytest.mark.slow
def test_every_step_passes_from_the_venv_and_nothing_is_left(tmp_path):
    done = run_self_test(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    steps = step_lines(done.stdout)
    assert list(steps) == STEP_NAMES == [
        "migrations", "words", "zone", "suffixes", "check", "revision", "window",
    ]  # fmt: skip
    assert all(status == "ok" for status, _ in steps.values()), done.stdout
    assert steps["words"][1].startswith("At 09:30")
    assert "Europe/Paris" in steps["zone"][1]
    assert steps["check"][1] == "3 scripts, 2 stylesheets, 2 third-party"
    assert steps["window"][1].endswith("1 tracker(s)")
    assert done.stdout.splitlines()[-1].startswith("self-test passed: 7 steps in ")
    assert done.stderr == ""  # Qt's and the app's messages go to the log
    assert list(tmp_path.iterdir()) == []  # data directory and log deleted


@pytest.mark.slow
def test_a_build_without_tzdata_fails_the_zone_step_by_name(tmp_path):
    # What a build that left tzdata out looks like: the package there, its zone files not.
    fake = tmp_path / "fake" / "tzdata"
    (fake / "zoneinfo").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "zoneinfo" / "__init__.py").write_text("")
    (tmp_path / "tmp").mkdir()
    done = run_self_test(tmp_path / "tmp", PYTHONPATH=str(tmp_path / "fake"))
    assert done.returncode == 1
    status, why = step_lines(done.stdout)["zone"]
    assert status == "FAIL"
    assert "Europe/Paris cannot be loaded" in why and "tzdata is not bundled" in why
    assert done.stdout.splitlines()[-1].startswith("self-test FAILED (")
    assert "Traceback" not in done.stdout + done.stderr
    kept = re.search(r"the log is (\S+)$", done.stderr.strip())
    assert kept, done.stderr
    log = Path(kept[1]).read_text(encoding="utf-8")
    assert "Traceback" in log and "self-test step zone failed" in log
    assert [p.name for p in (tmp_path / "tmp").iterdir()] == [Path(kept[1]).name]


@pytest.fixture
def fresh_words():
    cron_words.describe_cron.cache_clear()
    cron_words._descriptor.cache_clear()
    yield
    cron_words.describe_cron.cache_clear()
    cron_words._descriptor.cache_clear()


@pytest.mark.usefixtures("fresh_words")
def test_words_without_cron_descriptors_data_fail_by_name(monkeypatch):
    import cron_descriptor

    def missing(*args, **kwargs):  # as when its locale files were not bundled
        raise FileNotFoundError("cron_descriptor/locale/en_US.mo")

    monkeypatch.setattr(cron_descriptor, "ExpressionDescriptor", missing)
    out = io.StringIO()
    assert self_test.run_self_test(out, only=["words"]) == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("FAIL words ")
    assert "reads 'Cron 30 9 * * 1-5': cron-descriptor's data is missing" in lines[0]
    assert lines[-1].startswith("self-test FAILED (words)")


def test_suffix_and_check_steps_pass_in_process():
    out = io.StringIO()
    assert self_test.run_self_test(out, only=["suffixes", "check"]) == 0, out.getvalue()
    assert [line.split()[1] for line in out.getvalue().splitlines()[:-1]] == ["suffixes", "check"]


def test_a_third_party_taken_for_first_party_fails_the_check_step(monkeypatch):
    # The party of a resource decided wrongly (the suffix data unreadable, say).
    from desktop_tracker.kinds.resources import capture

    monkeypatch.setattr(capture, "is_third_party", lambda url, page: False)
    out = io.StringIO()
    assert self_test.run_self_test(out, only=["check"]) == 1
    failed = re.compile(r"^FAIL check .*lib\.js is taken for a first-party resource", re.M)
    assert failed.search(out.getvalue()), out.getvalue()


def test_an_unknown_step_in_a_copy_of_the_program_fails():
    assert self_test.run_step(["nope"]) == 1
    assert self_test.run_step([]) == 1


def test_the_step_in_a_copy_of_the_program_hides_the_systems_zone_files(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "desktop_tracker", self_test.STEP_OPTION, "zone"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONTZPATH": "/usr/share/zoneinfo"},
    )
    if Path("/usr/share/zoneinfo/Europe/Paris").exists():
        assert done.returncode == 1  # it refuses to pass with the system's files in sight
        assert "not hidden" in done.stdout
    else:
        assert done.returncode == 0, done.stdout


def test_the_command_line_alone_has_no_self_test(capsys):
    from desktop_tracker.cli import main

    assert main(["--self-test"]) == 1  # the launcher passes it; the command line knows no GUI
    assert "the self-test is not available here" in capsys.readouterr().err
