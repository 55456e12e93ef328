"""The promises of `core.job_store.JobStore`, kept by every implementation alike.

Each test runs on `SqliteJobStore` over a real data file and on the `MemoryJobStore` the
scheduler's tests use, so that what those tests prove holds of the app's own store.
What only SQLite does (transactions, a damaged file, ten thousand jobs in one commit) is tested
in test_job_repository.py.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from desktop_tracker.core.job_store import JobStore
from desktop_tracker.core.jobs import (
    InterruptedRun,
    Job,
    JobTiming,
    MisfirePolicy,
    RunClaim,
    RunOutcome,
    RunRecord,
    RunResult,
)
from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.store.database import Database
from desktop_tracker.store.job_repository import SqliteJobStore
from tests.support.memory_store import MemoryJobStore


@dataclass
class Subject:
    store: JobStore
    # The same stored jobs seen as another process sees them; None when the store cannot be
    # reached from anywhere else (the memory one lives in this process alone).
    elsewhere: JobStore | None


@pytest.fixture(params=["sqlite", "memory"])
def subject(request: pytest.FixtureRequest, tmp_path) -> Iterator[Subject]:
    if request.param == "memory":
        yield Subject(MemoryJobStore(), None)
        return
    path = tmp_path / "data.sqlite3"
    mine, other = Database(path), Database(path)  # two connections, as two processes have
    try:
        yield Subject(SqliteJobStore(mine), SqliteJobStore(other))
    finally:
        mine.close()
        other.close()


@pytest.fixture
def store(subject: Subject) -> JobStore:
    return subject.store


def job(job_id: str = "j", *, enabled: bool = True, payload: dict | None = None) -> Job:
    return Job(
        job_id,
        "*/5 * * * *",
        "Europe/Paris",
        "record",
        {"tracker": 7} if payload is None else payload,
        RetryStrategy("linear", attempts=4, initial=10, increment=5, maximum=60),
        MisfirePolicy.RUN_ONCE,
        enabled,
    )


def claim(run_id: str, job_id: str = "j", *, at: float = 100.0, attempt: int = 1) -> RunClaim:
    return RunClaim(run_id, job_id, at, at + 0.5, attempt, JobTiming(at + 300.0))


def skip(run_id: str, job_id: str = "j", *, at: float = 100.0) -> tuple[RunRecord, JobTiming]:
    record = RunRecord(run_id, job_id, at, at, at, RunOutcome.SKIPPED, None, 1)
    return record, JobTiming(at + 300.0)


# -- jobs and their timing --------------------------------------------------------------------


async def test_saved_jobs_load_back_with_their_timing_and_missing_ids_are_left_out(store):
    await store.save_jobs(
        [(job("a"), JobTiming(100.0, 50.0, 2, 40.0)), (job("b", payload={}), JobTiming(None))]
    )
    assert await store.load_jobs(["a", "b", "missing"]) == {
        "a": job("a"),
        "b": job("b", payload={}),
    }
    assert await store.load_jobs([]) == {}
    assert await store.load_timings() == {
        "a": JobTiming(100.0, 50.0, 2, 40.0),
        "b": JobTiming(None),
    }


async def test_only_enabled_jobs_have_their_timing_loaded(store):
    await store.save_jobs(
        [(job("on"), JobTiming(100.0)), (job("off", enabled=False), JobTiming(200.0))]
    )
    assert await store.load_timings() == {"on": JobTiming(100.0)}
    # A disabled job is still stored: its definition loads.
    assert (await store.load_jobs(["off"]))["off"].enabled is False


async def test_saving_a_job_again_replaces_its_definition_and_timing_and_keeps_its_runs(store):
    await store.save_jobs([(job(), JobTiming(100.0))])
    await store.record_claims([claim("r1")])
    changed = Job("j", "0 * * * *", "UTC", "other", {"n": 1}, enabled=False)
    await store.save_jobs([(changed, JobTiming(900.0, 800.0, 3, 700.0))])
    assert await store.load_jobs(["j"]) == {"j": changed}
    assert await store.load_timings() == {}  # disabled now
    await store.save_jobs([(job(), JobTiming(950.0))])
    assert await store.load_timings() == {"j": JobTiming(950.0)}
    assert [r.run_id for r in await store.runs_for("j")] == ["r1"]


async def test_a_removed_job_takes_its_timing_and_its_runs_with_it(store):
    await store.save_jobs([(job("a"), JobTiming(1.0)), (job("b"), JobTiming(2.0))])
    await store.record_claims([claim("ra", "a"), claim("rb", "b")])
    await store.delete_job("a")
    assert await store.load_jobs(["a", "b"]) == {"b": job("b")}
    assert set(await store.load_timings()) == {"b"}
    assert await store.runs_for("a") == []
    assert [r.run_id for r in await store.runs_for("b")] == ["rb"]
    await store.delete_job("never-saved")  # nothing to remove is no error


async def test_a_saved_timing_replaces_the_jobs_timing_and_an_unknown_job_gets_none(store):
    await store.save_jobs([(job(), JobTiming(100.0))])
    await store.save_timing("j", JobTiming(500.0, 150.0, 2, 100.0))
    await store.save_timing("unknown", JobTiming(1.0))
    assert await store.load_timings() == {"j": JobTiming(500.0, 150.0, 2, 100.0)}
    assert await store.load_jobs(["unknown"]) == {}


# -- runs -------------------------------------------------------------------------------------


async def test_a_claim_records_a_running_run_and_moves_the_jobs_timing_on(store):
    await store.save_jobs([(job(), JobTiming(100.0))])
    await store.record_claims([RunClaim("r1", "j", 100.0, 100.5, 2, JobTiming(400.0))])
    assert await store.runs_for("j") == [
        RunRecord("r1", "j", 100.0, 100.5, None, RunOutcome.RUNNING, None, 2)
    ]
    assert await store.load_timings() == {"j": JobTiming(400.0)}


async def test_a_result_records_how_the_run_ended_and_the_timing_from_then_on(store):
    await store.save_jobs([(job(), JobTiming(100.0))])
    await store.record_claims([claim("r1", at=100.0)])
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
    assert await store.runs_for("j") == [
        RunRecord("r1", "j", 100.0, 100.6, 101.0, RunOutcome.FAILED, "boom", 1)
    ]
    assert await store.load_timings() == {"j": JobTiming(400.0, 130.0, 2, 100.0)}


async def test_a_result_without_a_timing_leaves_the_jobs_timing_as_it_was(store):
    await store.save_jobs([(job(), JobTiming(100.0))])
    await store.record_claims([claim("r1", at=100.0)])  # timing after: 400
    await store.record_results(
        [RunResult("r1", "j", 100.5, 102.0, RunOutcome.SUCCEEDED, None, None)]
    )
    assert (await store.runs_for("j"))[0].outcome is RunOutcome.SUCCEEDED
    assert await store.load_timings() == {"j": JobTiming(400.0)}


async def test_claims_and_results_of_a_burst_are_recorded_together(store):
    await store.save_jobs([(job(f"j{i}"), JobTiming(100.0)) for i in range(3)])
    await store.record_claims([claim(f"r{i}", f"j{i}") for i in range(3)])
    await store.record_results(
        [
            RunResult(f"r{i}", f"j{i}", 101.0, 102.0, RunOutcome.SUCCEEDED, None, JobTiming(700.0))
            for i in range(3)
        ]
    )
    for i in range(3):
        [run] = await store.runs_for(f"j{i}")
        assert (run.run_id, run.outcome, run.ended_at) == (f"r{i}", RunOutcome.SUCCEEDED, 102.0)
    assert await store.load_timings() == {f"j{i}": JobTiming(700.0) for i in range(3)}


async def test_a_claim_batch_that_fails_records_none_of_its_runs_nor_timings(store):
    """Atomic: a batch whose last claim reuses a run's id (the store refuses it, as SQLite's
    primary key does; the memory store raises the same error) leaves neither the first claim's
    run nor any job's timing moved on."""
    await store.save_jobs([(job("a"), JobTiming(1.0)), (job("b"), JobTiming(2.0))])
    await store.record_claims([claim("taken", "b")])
    before = await store.load_timings()
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        await store.record_claims(
            [
                RunClaim("fresh", "a", 1.0, 1.0, 1, JobTiming(111.0)),
                RunClaim("taken", "b", 2.0, 2.0, 1, JobTiming(222.0)),
            ]
        )
    assert await store.runs_for("a") == []
    assert [r.outcome for r in await store.runs_for("b")] == [RunOutcome.RUNNING]
    assert await store.load_timings() == before


async def test_skips_are_recorded_with_their_jobs_new_timing(store):
    await store.save_jobs([(job(), JobTiming(100.0))])
    record, timing = skip("s1", at=100.0)
    await store.record_skips([(record, timing)])
    assert await store.runs_for("j") == [record]
    assert await store.load_timings() == {"j": timing}


async def test_claims_and_skips_for_a_removed_job_are_dropped_and_the_rest_kept(store):
    await store.save_jobs([(job("gone"), JobTiming(1.0)), (job("kept"), JobTiming(1.0))])
    await store.delete_job("gone")
    await store.record_claims([claim("c-gone", "gone"), claim("c-kept", "kept")])
    await store.record_skips([skip("s-gone", "gone", at=200.0), skip("s-kept", "kept", at=200.0)])
    assert await store.runs_for("gone") == []
    assert [r.run_id for r in await store.runs_for("kept")] == ["s-kept", "c-kept"]
    assert await store.load_timings() == {"kept": JobTiming(500.0)}
    assert await store.load_jobs(["gone"]) == {}


async def test_runs_left_running_are_marked_interrupted_and_returned_once(store):
    await store.save_jobs([(job("a"), JobTiming(1.0)), (job("b"), JobTiming(1.0))])
    await store.record_claims(
        [claim("ra", "a", at=100.0, attempt=2), claim("rb", "b", at=110.0), claim("done", "b")]
    )
    await store.record_results(
        [RunResult("done", "b", 100.5, 101.0, RunOutcome.SUCCEEDED, None, None)]
    )
    found = await store.recover_interrupted(now=200.0)
    assert sorted(found, key=lambda r: r.run_id) == [
        InterruptedRun("ra", "a", 100.0, 2),
        InterruptedRun("rb", "b", 110.0, 1),
    ]
    [ra] = await store.runs_for("a")
    assert (ra.outcome, ra.ended_at) == (RunOutcome.INTERRUPTED, 200.0)
    outcomes = {r.run_id: (r.outcome, r.ended_at) for r in await store.runs_for("b")}
    assert outcomes == {
        "rb": (RunOutcome.INTERRUPTED, 200.0),
        "done": (RunOutcome.SUCCEEDED, 101.0),  # a finished run is left as it was
    }
    assert await store.recover_interrupted(now=300.0) == []
    assert (await store.runs_for("a"))[0].ended_at == 200.0


async def test_runs_are_listed_newest_first_up_to_the_limit_and_only_the_jobs_own(store):
    await store.save_jobs([(job("a"), JobTiming(1.0)), (job("b"), JobTiming(1.0))])
    # Recorded out of order: the order listed is by start, not by when they were written.
    for at in (300.0, 100.0, 500.0, 200.0, 400.0):
        await store.record_skips([skip(f"a{at:.0f}", "a", at=at)])
    await store.record_skips([skip("b1", "b", at=600.0)])
    assert [r.run_id for r in await store.runs_for("a")] == ["a500", "a400", "a300", "a200", "a100"]
    assert [r.run_id for r in await store.runs_for("a", limit=2)] == ["a500", "a400"]
    assert [r.run_id for r in await store.runs_for("b")] == ["b1"]
    assert await store.runs_for("nobody") == []


# -- other processes ----------------------------------------------------------------------------


async def test_nothing_changed_elsewhere_while_only_this_store_writes(store):
    """What every store promises: the first call (there is nothing to compare with) and the
    calls after the store's own writes say False. The memory store, which no other process can
    reach, never says anything else."""
    assert await store.changed_elsewhere() is False
    assert await store.changed_elsewhere() is False
    await store.save_jobs([(job(), JobTiming(100.0))])
    await store.record_claims([claim("r1")])
    await store.delete_job("j")
    assert await store.changed_elsewhere() is False


async def test_a_change_made_elsewhere_is_told_once(subject):
    if subject.elsewhere is None:
        pytest.skip("the memory store lives in this process alone: nothing changes elsewhere")
    store, other = subject.store, subject.elsewhere
    assert await store.changed_elsewhere() is False
    await other.save_jobs([(job("from-cli"), JobTiming(100.0))])
    assert await store.changed_elsewhere() is True
    assert await store.changed_elsewhere() is False
    assert set(await store.load_timings()) == {"from-cli"}
    await other.delete_job("from-cli")
    assert await store.changed_elsewhere() is True
    assert await store.load_timings() == {}


# -- order --------------------------------------------------------------------------------------


async def test_writes_take_effect_in_call_order_without_awaiting_in_between(store):
    # Called one after the other, awaited only together: as the scheduler hands over a run's
    # start and its end.
    writes = [
        store.save_jobs([(job(), JobTiming(100.0))]),
        store.record_claims([claim("r1", at=100.0)]),
        store.record_results(
            [RunResult("r1", "j", 100.5, 101.0, RunOutcome.SUCCEEDED, None, JobTiming(700.0))]
        ),
        store.save_timing("j", JobTiming(800.0)),
        store.delete_job("j"),
        store.save_jobs([(job(), JobTiming(900.0))]),
        store.record_claims([claim("r2", at=900.0)]),
    ]
    await asyncio.gather(*writes)
    assert await store.load_timings() == {"j": JobTiming(1200.0)}
    assert [(r.run_id, r.outcome) for r in await store.runs_for("j")] == [
        ("r2", RunOutcome.RUNNING)  # r1 went with the job deleted after it
    ]


async def test_a_read_called_after_writes_sees_them_without_awaiting_in_between(store):
    save = store.save_jobs([(job(), JobTiming(100.0))])
    claimed = store.record_claims([claim("r1")])
    timings = store.load_timings()
    runs = store.runs_for("j")
    _, _, seen_timings, seen_runs = await asyncio.gather(save, claimed, timings, runs)
    assert seen_timings == {"j": JobTiming(400.0)}
    assert [r.run_id for r in seen_runs] == ["r1"]
