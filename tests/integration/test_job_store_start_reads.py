"""What the scheduler's quick start and quick adds ask of a `JobStore`, on both stores alike:
the jobs due soon with their definitions (`load_due`), and many jobs saved in one call, the last
of a job given twice winning, pending retries kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_tracker.core.job_store import JobStore
from desktop_tracker.core.jobs import Job, JobTiming, MisfirePolicy
from desktop_tracker.core.retry import NO_RETRY, RetryStrategy
from desktop_tracker.store.database import Database
from desktop_tracker.store.job_repository import SqliteJobStore
from tests.support.memory_store import MemoryJobStore

RETRY = RetryStrategy("linear", attempts=4, initial=10, increment=5, maximum=60)


@pytest.fixture(params=["sqlite", "memory"])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[JobStore]:
    if request.param == "memory":
        yield MemoryJobStore()
        return
    database = Database(tmp_path / "data.sqlite3")
    try:
        yield SqliteJobStore(database)
    finally:
        database.close()


def job(job_id: str, *, enabled: bool = True, schedule: str = "*/5 * * * *") -> Job:
    return Job(
        job_id,
        schedule,
        "Europe/Paris",
        "record",
        {"tracker": job_id},
        RETRY,
        MisfirePolicy.SKIP,
        enabled,
    )


async def test_the_jobs_due_by_an_instant_come_with_their_definitions(store):
    await store.save_jobs(
        [
            (job("past"), JobTiming(50.0)),
            (job("at"), JobTiming(100.0)),
            (job("later"), JobTiming(100.5)),
            (job("retrying"), JobTiming(900.0, 99.0, 2, 40.0)),
            (job("never"), JobTiming(None)),
            (job("paused", enabled=False), JobTiming(10.0)),
        ]
    )
    due = await store.load_due(100.0)
    assert sorted(due) == ["at", "past", "retrying"]
    assert due["retrying"] == (job("retrying"), JobTiming(900.0, 99.0, 2, 40.0))
    assert due["past"] == (job("past"), JobTiming(50.0))


async def test_the_jobs_asked_for_by_id_come_too_when_enabled(store):
    await store.save_jobs(
        [
            (job("far"), JobTiming(10_000.0)),
            (job("paused", enabled=False), JobTiming(10.0)),
            (job("due"), JobTiming(1.0)),
        ]
    )
    due = await store.load_due(100.0, ["far", "paused", "unknown"])
    assert sorted(due) == ["due", "far"]
    assert due["far"] == (job("far"), JobTiming(10_000.0))


async def test_many_jobs_saved_together_keep_each_ones_timing_and_the_last_given_wins(store):
    renamed = Job("a", "@every 1h", "UTC", "other", {}, NO_RETRY, MisfirePolicy.RUN_ONCE)
    await store.save_jobs(
        [
            (job("a"), JobTiming(1.0)),
            (job("b"), JobTiming(5.0, 6.0, 2, 4.0)),
            *[(job(f"x{i}"), JobTiming(float(i))) for i in range(1200)],
            (renamed, JobTiming(9.0, 8.0, 1, 7.0)),  # a again: retrying now
            (job("b"), JobTiming(3.0)),  # b again: no retry now
        ]
    )
    assert await store.load_jobs(["a", "b"]) == {"a": renamed, "b": job("b")}
    timings = await store.load_timings()
    assert timings["a"] == JobTiming(9.0, 8.0, 1, 7.0)
    assert timings["b"] == JobTiming(3.0)
    assert len(timings) == 1202 and timings["x1199"] == JobTiming(1199.0)


async def test_jobs_read_back_are_equal_to_those_saved_whatever_they_share(store):
    alike = [Job(f"e{i}", "@daily", "UTC", "record") for i in range(3)]
    other = Job("k", "0 9 * * 1-5", "UTC", "record", {"n": [1, 2]}, RETRY)
    await store.save_jobs([(j, JobTiming(60.0)) for j in [*alike, other]])
    loaded = await store.load_jobs(["e0", "e1", "e2", "k"])
    assert loaded == {j.id: j for j in [*alike, other]}
    assert loaded["e0"].payload is not loaded["e1"].payload  # each its own: safe to change
    timings = await store.load_timings()
    assert timings["e0"] == timings["e2"] == JobTiming(60.0)
