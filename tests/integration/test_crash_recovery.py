"""A headless scheduler killed with SIGKILL mid-run, then restarted, on a real SQLite file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX"),
]

# The real headless runner, with one extra handler that marks its runs in a file and takes
# as long as the test says. Everything else is the app's own code.
RUNNER = textwrap.dedent(
    """
    import asyncio, os, signal, sys, time
    from pathlib import Path
    from desktop_tracker.core.jobs import Job
    from desktop_tracker.service import AppServices

    data_dir, mode = Path(sys.argv[1]), sys.argv[2]
    marks = data_dir / "marks.txt"

    async def slow(run):
        with open(marks, "a") as f:
            f.write(f"start {run.planned_at} {run.attempt}\\n")
        await asyncio.sleep(float(os.environ["RUN_SECONDS"]))
        with open(marks, "a") as f:
            f.write(f"end {run.planned_at}\\n")

    async def main():
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        services = AppServices(data_dir, handlers={"slow": slow})
        scheduler = await services.open()
        if mode == "add":
            # Due a moment after the job is added, however long this process took to start.
            due = time.strftime("once %Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + 2))
            await scheduler.add_job(Job("once", due, "UTC", "slow"))
        print("ready", flush=True)
        await stop.wait()
        await services.close(grace=5)

    asyncio.run(main())
    """
)


def start(data_dir: Path, *args: str, run_seconds: float) -> subprocess.Popen[str]:
    env = {**os.environ, "RUN_SECONDS": str(run_seconds)}
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(data_dir), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready", process.stderr.read()  # type: ignore[union-attr]
    return process


def wait_for_marks(data_dir: Path, count: int, timeout: float = 20.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        path = data_dir / "marks.txt"
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count:
            return lines
        time.sleep(0.05)
    raise AssertionError(f"expected {count} marks, got {lines}")


def runs(data_dir: Path) -> list[tuple[float, str, int]]:
    with sqlite3.connect(data_dir / "desktop-tracker.sqlite3") as conn:
        return conn.execute(
            "SELECT planned_at, outcome, attempt FROM runs WHERE job_id = 'once' "
            "ORDER BY started_at"
        ).fetchall()


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0, process.stderr.read()  # type: ignore[union-attr]


def test_run_killed_mid_flight_runs_again_after_restart_and_nothing_runs_twice(tmp_path):
    first = start(tmp_path, "add", run_seconds=60)
    [started] = wait_for_marks(tmp_path, 1)
    time.sleep(0.3)  # the claim is committed within milliseconds of the start
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    planned = float(started.split()[1])
    assert runs(tmp_path) == [(planned, "running", 1)]  # committed, and cut short

    second = start(tmp_path, "keep", run_seconds=0.1)
    marks = wait_for_marks(tmp_path, 3)  # the first start, the re-run's start and its end
    assert marks[1:] == [f"start {planned} 1", f"end {planned}"]
    stop(second)
    assert runs(tmp_path) == [(planned, "interrupted", 1), (planned, "succeeded", 1)]

    third = start(tmp_path, "keep", run_seconds=0.1)
    time.sleep(1.0)  # long enough for anything due to have started
    stop(third)
    assert len((tmp_path / "marks.txt").read_text().splitlines()) == 3  # nothing ran twice
    assert len(runs(tmp_path)) == 2


def test_a_second_headless_process_on_the_same_data_directory_is_refused(tmp_path):
    first = start(tmp_path, "keep", run_seconds=0)
    try:
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "desktop_tracker",
                "run",
                "--headless",
                "--data-dir",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode == 1
        assert "already running" in second.stderr
    finally:
        stop(first)


def test_headless_run_stops_cleanly_on_sigterm(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_tracker", "run", "--headless", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while (
        not (tmp_path / "desktop-tracker.log").exists()
        or "scheduler running" not in (tmp_path / "desktop-tracker.log").read_text()
    ):
        assert time.monotonic() < deadline, process.stderr.read()  # type: ignore[union-attr]
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert "stopped" in (tmp_path / "desktop-tracker.log").read_text()
