"""The SQLite store on a real file: what the scheduler writes survives, in few transactions."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from desktop_tracker.core.jobs import Job, JobTiming, RunClaim, RunOutcome, RunResult
from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.data_dir import DataDirInUse, InstanceLock
from desktop_tracker.domain.store_errors import DatabaseDamaged, DatabaseTooNew
from desktop_tracker.store.database import Database
from desktop_tracker.store.job_repository import SqliteJobStore
from desktop_tracker.store.migrations import MIGRATIONS


@pytest.fixture
def database(tmp_path):
    db = Database(tmp_path / "data.sqlite3")
    yield db
    db.close()


def sample_job(job_id: str = "j") -> Job:
    return Job(
        job_id,
        "*/5 * * * *",
        "Europe/Paris",
        "record",
        {"tracker": 7},
        RetryStrategy("linear", attempts=4, initial=10, increment=5, maximum=60),
    )


async def test_jobs_and_timings_round_trip(database):
    store = SqliteJobStore(database)
    await store.save_jobs([(sample_job(), JobTiming(100.0, 50.0, 2, 40.0))])
    assert await store.load_jobs(["j", "missing"]) == {"j": sample_job()}
    assert await store.load_timings() == {"j": JobTiming(100.0, 50.0, 2, 40.0)}


async def test_claim_and_result_are_recorded_with_the_new_timing(database):
    store = SqliteJobStore(database)
    await store.save_jobs([(sample_job(), JobTiming(100.0))])
    claim = RunClaim("r1", "j", 100.0, 100.5, 1, JobTiming(400.0))
    store.record_claims([claim])  # not awaited: the result below is queued after it
    await store.record_results(
        [
            RunResult(
                "r1",
                "j",
                100.6,
                101.0,
                RunOutcome.FAILED,
                "boom",
                JobTiming(400.0, 130.0, 2, 100.0),
            )
        ]
    )
    [run] = await store.runs_for("j")
    assert (run.outcome, run.error, run.started_at, run.ended_at) == (
        RunOutcome.FAILED,
        "boom",
        100.6,
        101.0,
    )
    assert (await store.load_timings())["j"] == JobTiming(400.0, 130.0, 2, 100.0)


async def test_runs_still_marked_running_are_recovered_as_interrupted(database):
    store = SqliteJobStore(database)
    await store.save_jobs([(sample_job(), JobTiming(100.0))])
    await store.record_claims([RunClaim("r1", "j", 100.0, 100.0, 2, JobTiming(400.0))])
    [found] = await store.recover_interrupted(now=200.0)
    assert (found.run_id, found.planned_at, found.attempt) == ("r1", 100.0, 2)
    assert (await store.runs_for("j"))[0].outcome is RunOutcome.INTERRUPTED
    assert await store.recover_interrupted(now=300.0) == []


async def test_a_claim_for_a_removed_job_does_not_fail_the_others_in_its_batch(database):
    store = SqliteJobStore(database)
    await store.save_jobs([(sample_job("a"), JobTiming(1.0)), (sample_job("b"), JobTiming(1.0))])
    await store.delete_job("a")
    await store.record_claims(
        [RunClaim("ra", "a", 1, 1, 1, JobTiming(9.0)), RunClaim("rb", "b", 1, 1, 1, JobTiming(9.0))]
    )
    assert [r.run_id for r in await store.runs_for("b")] == ["rb"]


async def test_ten_thousand_jobs_are_saved_in_one_transaction(database):
    store = SqliteJobStore(database)
    changes_before = database.call(lambda c: c.total_changes)
    await store.save_jobs([(sample_job(f"j{i}"), JobTiming(float(i))) for i in range(10_000)])
    assert len(await store.load_timings()) == 10_000
    assert database.call(lambda c: c.total_changes) - changes_before == 10_000


def test_database_file_is_private_wal_and_has_foreign_keys(tmp_path):
    db = Database(tmp_path / "data.sqlite3")
    try:
        assert db.call(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0]) == "wal"
        assert db.call(lambda c: c.execute("PRAGMA foreign_keys").fetchone()[0]) == 1
        assert db.call(lambda c: c.execute("PRAGMA busy_timeout").fetchone()[0]) >= 1000
        if os.name == "posix":
            assert stat.S_IMODE(os.stat(tmp_path / "data.sqlite3").st_mode) == 0o600
    finally:
        db.close()


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "data.sqlite3"
    garbage = b"this is not sqlite" * 100
    path.write_bytes(garbage)
    with pytest.raises(DatabaseDamaged, match="move the file aside"):
        Database(path)
    assert path.read_bytes() == garbage


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "data.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    with pytest.raises(DatabaseTooNew, match="newer desktop_tracker"):
        Database(path)


def test_reopening_keeps_data_and_does_not_migrate_twice(tmp_path):
    path = tmp_path / "data.sqlite3"
    Database(path).close()
    db = Database(path)
    try:
        assert db.call(lambda c: c.execute("PRAGMA user_version").fetchone()[0]) == len(MIGRATIONS)
    finally:
        db.close()


def test_a_second_process_on_the_same_data_directory_is_refused(tmp_path):
    first = InstanceLock(tmp_path)
    first.acquire()
    try:
        with pytest.raises(DataDirInUse, match="already running"):
            InstanceLock(tmp_path).acquire()
    finally:
        first.release()
    InstanceLock(tmp_path).acquire()  # free again once the first lets go


async def test_a_running_scheduler_picks_up_jobs_another_process_wrote(tmp_path):
    import asyncio
    import time

    from desktop_tracker.core.scheduler import Scheduler, first_timing

    path = tmp_path / "data.sqlite3"
    mine, other = Database(path), Database(path)  # two connections, as two processes have
    ran: list[str] = []

    async def record(run) -> None:
        ran.append(run.job.id)

    scheduler = Scheduler(SqliteJobStore(mine), sync_interval=0.1, max_idle=0.2)
    scheduler.register_handler("record", record)
    await scheduler.start()
    try:
        job = Job("from-cli", "* * * * * *", "UTC", "record")
        await SqliteJobStore(other).save_jobs([(job, first_timing(job, time.time()))])
        deadline = time.monotonic() + 5
        while "from-cli" not in ran and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert "from-cli" in ran
        await SqliteJobStore(other).delete_job("from-cli")
        await asyncio.sleep(0.3)  # the removal is seen
        count = len(ran)
        await asyncio.sleep(1.5)
        assert len(ran) == count
    finally:
        await scheduler.stop()
        mine.close()
        other.close()
