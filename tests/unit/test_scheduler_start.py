"""How the scheduler starts quickly on many jobs without weakening a promise.

It reads what is due (or due within a couple of seconds) first, with the definitions, fires it,
and only then reads the timings of all the other jobs; `start` returns once it knows them all.
Whatever happens to a job while that read is under way (it fires, is added, changed or
removed) is not undone by the read's older answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable

import pytest

from desktop_tracker.core.clock import FakeClock
from desktop_tracker.core.jobs import Job, JobTiming, RunOutcome, RunRecord
from tests.support.harness import Harness, at, job
from tests.support.memory_store import MemoryJobStore

NOW = at("2025-06-01 10:00:30")
HOUR = 3600.0


class SlowStore(MemoryJobStore):
    """Answers `load_timings` only when the test says so (`release`), as of when it was called;
    keeps the order in which the scheduler asked for things."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self._pending: asyncio.Future[dict[str, JobTiming]] | None = None
        self._answer: dict[str, JobTiming] = {}
        self.hold = True

    def load_due(
        self, until: float, job_ids: Iterable[str] = ()
    ) -> Awaitable[dict[str, tuple[Job, JobTiming]]]:
        self.calls.append("load_due")
        return super().load_due(until, job_ids)

    def load_timings(self) -> Awaitable[dict[str, JobTiming]]:
        self.calls.append("load_timings")
        if not self.hold:
            return super().load_timings()
        self._answer = {i: t for i, t in self.timings.items() if self.jobs[i].enabled}
        self._pending = asyncio.get_running_loop().create_future()
        return self._pending

    async def loading(self) -> None:
        while self._pending is None:
            await asyncio.sleep(0)

    def release(self, error: BaseException | None = None) -> None:
        assert self._pending is not None
        if error is not None:
            self._pending.set_exception(error)
        else:
            self._pending.set_result(self._answer)


def stored(store: MemoryJobStore, job_id: str, schedule: str, due: float | None) -> Job:
    saved = job(job_id, schedule)
    store.jobs[job_id] = saved
    store.timings[job_id] = JobTiming(due)
    return saved


async def test_a_due_job_fires_before_the_other_jobs_timings_are_read():
    store = SlowStore()
    h = Harness(FakeClock(NOW), store)
    stored(store, "due", "* * * * *", NOW - 30)
    for i in range(100):
        stored(store, f"later-{i}", "0 3 * * *", NOW + 17 * HOUR)
    h.store.hold = False
    fired_when: list[list[str]] = []
    h.new_scheduler()
    h.scheduler.events.subscribe(lambda event: fired_when.append(list(store.calls)))
    await h.scheduler.start()
    assert [r.job_id for r in h.ran] == ["due"]
    assert fired_when[0] == ["load_due"]  # the run started before load_timings was asked
    assert store.calls == ["load_due", "load_timings"]
    # start returned knowing every job
    assert h.scheduler.timing("later-7") == JobTiming(NOW + 17 * HOUR)
    assert h.scheduler.timing("due") == JobTiming(at("2025-06-01 10:01"))
    await h.scheduler.stop()


async def test_a_job_due_within_seconds_fires_on_time_even_while_the_rest_is_read():
    store = SlowStore()
    h = Harness(FakeClock(NOW), store)
    stored(store, "soon", "* * * * *", at("2025-06-01 10:00:31"))
    stored(store, "far", "0 3 * * *", NOW + 17 * HOUR)
    h.new_scheduler()
    starting = asyncio.ensure_future(h.scheduler.start())
    await store.loading()
    await h.clock.advance(1.5)
    assert [(r.job_id, r.started) for r in h.ran] == [("soon", at("2025-06-01 10:00:31"))]
    store.release()
    await starting
    assert h.scheduler.timing("far") == JobTiming(NOW + 17 * HOUR)
    assert h.scheduler.timing("soon") == JobTiming(at("2025-06-01 10:01"))  # not the stale read
    await h.scheduler.stop()


async def test_what_changes_while_the_rest_is_read_is_not_undone_by_the_read():
    store = SlowStore()
    h = Harness(FakeClock(NOW), store)
    stored(store, "changed", "0 3 * * *", NOW + 17 * HOUR)
    stored(store, "removed", "0 4 * * *", NOW + 18 * HOUR)
    stored(store, "paused", "0 5 * * *", NOW + 19 * HOUR)
    stored(store, "kept", "0 6 * * *", NOW + 20 * HOUR)
    h.new_scheduler()
    starting = asyncio.ensure_future(h.scheduler.start())
    await store.loading()  # the read has been taken: everything below is newer than it
    await h.scheduler.add_job(job("changed", "*/10 * * * *"))
    await h.scheduler.remove_job("removed")
    await h.scheduler.add_job(job("paused", "0 5 * * *", enabled=False))
    await h.scheduler.add_job(job("new", "@every 1h"))
    store.release()
    await starting
    assert h.scheduler.timing("changed") == JobTiming(at("2025-06-01 10:10"))
    assert h.scheduler.timing("removed") is None
    assert h.scheduler.timing("paused") is None
    assert h.scheduler.timing("new") == JobTiming(at("2025-06-01 11:00"))
    assert h.scheduler.timing("kept") == JobTiming(NOW + 20 * HOUR)
    await h.clock.advance(HOUR + 1)
    assert {r.job_id for r in h.ran} == {"changed", "new"}
    assert [r.planned for r in h.runs_of("new")] == [at("2025-06-01 11:00")]
    await h.scheduler.stop()


async def test_run_now_during_the_read_waits_for_it_and_keeps_the_jobs_schedule():
    store = SlowStore()
    h = Harness(FakeClock(NOW), store)
    stored(store, "far", "0 3 * * *", NOW + 17 * HOUR)
    h.new_scheduler()
    starting = asyncio.ensure_future(h.scheduler.start())
    await store.loading()
    checking = asyncio.ensure_future(h.scheduler.run_now("far"))
    await h.clock.settle()
    assert not checking.done()  # its timing is not known yet: the claim would write it
    store.release()
    await starting
    task = await checking
    assert task is not None
    await task
    assert [r.job_id for r in h.ran] == ["far"]
    assert store.timings["far"] == JobTiming(NOW + 17 * HOUR)
    await h.scheduler.stop()


async def test_a_run_cut_short_by_a_crash_runs_again_at_start_whenever_its_schedule_is_due():
    h = Harness(FakeClock(NOW))
    stored(h.store, "far", "0 3 * * *", NOW + 17 * HOUR)
    h.store.runs["r1"] = RunRecord(
        "r1", "far", NOW - HOUR, NOW - HOUR, None, RunOutcome.RUNNING, None, 2
    )
    h.new_scheduler()
    await h.scheduler.start()
    await h.clock.settle()
    assert [(r.job_id, r.planned, r.attempt) for r in h.ran] == [("far", NOW - HOUR, 2)]
    await h.clock.advance(HOUR)
    assert len(h.ran) == 1  # once
    assert h.scheduler.timing("far") == JobTiming(NOW + 17 * HOUR)
    assert h.store.runs["r1"].outcome is RunOutcome.INTERRUPTED
    await h.scheduler.stop()


async def test_a_failed_read_of_the_rest_fails_start_and_leaves_nothing_running():
    store = SlowStore()
    h = Harness(FakeClock(NOW), store)
    stored(store, "far", "0 3 * * *", NOW + 17 * HOUR)
    h.new_scheduler()
    starting = asyncio.ensure_future(h.scheduler.start())
    await store.loading()
    store.release(OSError("disk gone"))
    with pytest.raises(OSError, match="disk gone"):
        await starting
    assert not h.scheduler.running


async def test_paused_at_start_nothing_fires_but_every_timing_is_known():
    h = Harness(FakeClock(NOW))
    stored(h.store, "due", "* * * * *", NOW - 30)
    stored(h.store, "far", "0 3 * * *", NOW + 17 * HOUR)
    h.new_scheduler().pause_all()
    await h.scheduler.start()
    await h.clock.advance(5)
    assert h.ran == []
    assert h.scheduler.timing("far") == JobTiming(NOW + 17 * HOUR)
    h.scheduler.resume_all()
    await h.clock.advance(1)
    assert [r.job_id for r in h.ran] == ["due"]
    await h.scheduler.stop()
