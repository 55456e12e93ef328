"""The scheduler's promises on a fake clock: days, suspends, clock jumps and DST in milliseconds."""

from __future__ import annotations

import itertools

import pytest

from desktop_tracker.core.clock import FakeClock
from desktop_tracker.core.events import (
    ClockJumped,
    JobFailed,
    JobFinished,
    JobStarted,
    RetryScheduled,
    RunSkipped,
)
from desktop_tracker.core.jobs import JobTiming, MisfirePolicy, RunOutcome, RunRecord
from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.core.schedules import InvalidSchedule
from tests.support.harness import Harness, at, job

MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0


class EarlyClock(FakeClock):
    """Wakes sleepers 5% early, like qasync's coarse Qt timers."""

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds * 0.95)


async def started(h: Harness, **options: float) -> Harness:
    await h.new_scheduler(**options).start()
    return h


# -- never early, on time ---------------------------------------------------------------------


@pytest.mark.parametrize("clock_type", [FakeClock, EarlyClock])
async def test_runs_start_at_or_after_their_due_instant_even_when_timers_wake_early(clock_type):
    h = await started(Harness(clock_type(at("2025-06-01 10:00:07"))))
    await h.scheduler.add_job(job("j", "* * * * *"))
    await h.clock.advance(10 * MINUTE)
    runs = h.runs_of("j")
    assert [r.planned for r in runs] == [at("2025-06-01 10:01") + i * MINUTE for i in range(10)]
    assert all(r.started >= r.planned for r in runs)
    assert all(r.started - r.planned < 0.01 for r in runs)
    await h.scheduler.stop()


async def test_six_field_schedule_with_seconds_first_runs_every_ten_seconds():
    h = await started(Harness(FakeClock(at("2025-06-01 10:00:01"))))
    await h.scheduler.add_job(job("j", "*/10 * * * * *"))
    await h.clock.advance(MINUTE)
    assert [r.planned for r in h.runs_of("j")] == [
        at("2025-06-01 10:00:10") + 10 * i for i in range(6)
    ]
    await h.scheduler.stop()


async def test_idle_scheduler_wakes_at_most_twice_a_minute():
    h = await started(Harness(FakeClock(at("2025-06-01 10:00:00"))))
    await h.scheduler.add_jobs([job(f"j{i}", "0 0 * * *") for i in range(100)])
    sleeps = 0
    original = h.clock.sleep

    async def counting_sleep(seconds: float) -> None:
        nonlocal sleeps
        sleeps += 1
        await original(seconds)

    h.clock.sleep = counting_sleep  # type: ignore[method-assign]
    await h.clock.advance(1)  # the wake-up that adding the jobs caused
    sleeps = 0
    await h.clock.advance(10 * MINUTE)
    assert 1 <= sleeps <= 20
    assert h.ran == []
    await h.scheduler.stop()


# -- missed runs, suspend, clock jumps ---------------------------------------------------------


async def test_runs_missed_during_thirty_days_down_collapse_into_one_prompt_run():
    h = await started(Harness(FakeClock(at("2025-06-01 10:00:30"))))
    await h.scheduler.add_job(job("j", "* * * * *"))
    await h.scheduler.stop()
    h.clock.suspend(30 * DAY)  # the app is closed; wall time goes on
    await started(h)
    await h.clock.advance(0.5)
    runs = h.runs_of("j")
    assert len(runs) == 1
    assert runs[0].planned == at("2025-06-01 10:01")
    assert runs[0].started == pytest.approx(at("2025-07-01 10:00:30"), abs=0.5)
    timing = h.scheduler.timing("j")
    assert timing is not None and timing.next_due == at("2025-07-01 10:01")
    await h.scheduler.stop()


async def test_suspend_while_running_runs_due_jobs_once_soon_after_wake():
    h = await started(Harness(FakeClock(at("2025-06-01 10:00:00"))))
    await h.scheduler.add_job(job("hourly", "@hourly"))
    await h.clock.advance(10)
    h.clock.suspend(5 * HOUR)  # timers stand still; the wall clock does not
    await h.clock.advance(30)  # the longest the loop sleeps without looking at the wall clock
    runs = h.runs_of("hourly")
    assert len(runs) == 1 and runs[0].planned == at("2025-06-01 11:00")
    assert any(isinstance(e, ClockJumped) and e.seconds > 4 * HOUR for e in h.events)
    await h.clock.advance(HOUR)
    assert [r.planned for r in h.runs_of("hourly")][1:] == [at("2025-06-01 16:00")]
    await h.scheduler.stop()


async def test_clock_set_forward_runs_what_became_due_once():
    h = await started(Harness(FakeClock(at("2025-06-01 10:00:00"))))
    await h.scheduler.add_job(job("j", "*/5 * * * *"))
    h.clock.jump(HOUR)
    await h.clock.advance(30)
    assert len(h.runs_of("j")) == 1
    await h.scheduler.stop()


async def test_clock_set_back_never_runs_a_job_twice():
    h = await started(Harness(FakeClock(at("2025-06-01 09:59:50"))))
    await h.scheduler.add_job(job("hourly", "@hourly"))
    await h.clock.advance(20)  # runs at 10:00
    h.clock.jump(-40 * MINUTE)  # back to 09:20:10
    await h.clock.advance(80 * MINUTE)  # through 10:00 a second time, up to 10:40:10
    assert [r.planned for r in h.runs_of("hourly")] == [at("2025-06-01 10:00")]
    await h.clock.advance(20 * MINUTE)  # 11:00
    assert [r.planned for r in h.runs_of("hourly")] == [
        at("2025-06-01 10:00"),
        at("2025-06-01 11:00"),
    ]
    await h.scheduler.stop()


async def test_skip_policy_drops_missed_runs_and_records_the_skip():
    h = await started(Harness(FakeClock(at("2025-06-01 10:00:30"))))
    await h.scheduler.add_job(job("j", "@hourly", misfire=MisfirePolicy.SKIP))
    await h.scheduler.stop()
    h.clock.suspend(5 * HOUR)
    await started(h)
    await h.clock.advance(1)
    assert h.ran == []
    skipped = [r for r in h.store.runs.values() if r.outcome is RunOutcome.SKIPPED]
    assert len(skipped) == 1 and skipped[0].planned_at == at("2025-06-01 11:00")
    assert any(isinstance(e, RunSkipped) for e in h.events)
    await h.clock.advance(HOUR)
    assert [r.planned for r in h.ran] == [at("2025-06-01 16:00")]
    await h.scheduler.stop()


# -- daylight saving ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "night", "expected"),
    [
        ("America/New_York", "2025-03-09", "2025-03-09 03:00"),
        ("Europe/Berlin", "2025-03-30", "2025-03-30 03:00"),
    ],
)
async def test_spring_forward_night_runs_a_gap_time_job_once_just_after_the_gap(
    zone, night, expected
):
    h = await started(Harness(FakeClock(at(f"{night} 00:00", zone))))
    await h.scheduler.add_job(job("j", "30 2 * * *", zone))
    await h.clock.advance(DAY - 1)
    assert [r.planned for r in h.runs_of("j")] == [at(expected, zone)]
    await h.scheduler.stop()


@pytest.mark.parametrize(
    ("zone", "night", "hour"),
    [("America/New_York", "2025-11-02", "01"), ("Europe/Berlin", "2025-10-26", "02")],
)
async def test_fall_back_night_runs_a_fixed_time_job_once(zone, night, hour):
    h = await started(Harness(FakeClock(at(f"{night} 00:00", zone))))
    await h.scheduler.add_job(job("j", f"30 {hour} * * *", zone))
    await h.clock.advance(DAY)  # 25 real hours contain the night
    runs = h.runs_of("j")
    assert len(runs) == 1
    assert runs[0].planned == at(f"{night} {hour}:30", zone)  # the first of the two 1:30s
    await h.scheduler.stop()


async def test_fall_back_night_runs_a_wildcard_hour_job_at_every_real_instant():
    zone = "America/New_York"
    h = await started(Harness(FakeClock(at("2025-11-02 00:50", zone))))
    await h.scheduler.add_job(job("j", "*/30 * * * *", zone))
    await h.clock.advance(3 * HOUR)  # 00:50 EDT .. 02:50 EST
    planned = [r.planned for r in h.runs_of("j")]
    utc_half_hours = [at("2025-11-02 05:00") + i * 1800 for i in range(6)]  # 01:00 EDT .. 02:30 EST
    assert planned == utc_half_hours
    await h.scheduler.stop()


# -- overlap and limits ------------------------------------------------------------------------


async def test_a_job_never_overlaps_itself_and_catches_up_once_after_a_long_run():
    h = await started(Harness(FakeClock(at("2025-06-01 10:00:00"))))
    h.duration["slow"] = 25.0
    await h.scheduler.add_job(job("slow", "*/10 * * * * *"))
    await h.clock.advance(60)
    assert h.max_concurrent_seen == 1
    starts = [r.started for r in h.runs_of("slow")]
    # 10:00:10 → ends 10:00:35, then one catch-up at once, then one after each run, never two.
    assert starts[:3] == pytest.approx(
        [at("2025-06-01 10:00:10"), at("2025-06-01 10:00:35"), at("2025-06-01 10:01:00")]
    )
    await h.scheduler.stop(grace=0)


async def test_global_limit_caps_concurrent_runs():
    h = await started(Harness(FakeClock(at("2025-06-01 10:00:00"))), max_concurrent=2)
    for i in range(5):
        h.duration[f"j{i}"] = 5.0
    await h.scheduler.add_jobs([job(f"j{i}", "* * * * *") for i in range(5)])
    await h.clock.advance(MINUTE + 30)
    assert h.max_concurrent_seen == 2
    assert len(h.ran) == 5
    assert h.store.claim_batches[0] == 5  # taken in one batch, started as slots free up
    await h.scheduler.stop()


# -- retries -----------------------------------------------------------------------------------


async def test_constant_retries_run_at_their_interval_then_give_up_once():
    h = await started(Harness(FakeClock(at("2025-06-01 09:59:00"))))
    h.failures_left["j"] = 99
    retry = RetryStrategy("constant", attempts=3, initial=10)
    await h.scheduler.add_job(job("j", "@hourly", retry=retry))
    await h.clock.advance(5 * MINUTE)
    runs = h.runs_of("j")
    assert [(r.started - at("2025-06-01 10:00"), r.attempt) for r in runs] == [
        (0, 1),
        (10, 2),
        (20, 3),
    ]
    assert all(r.planned == at("2025-06-01 10:00") for r in runs)
    failed = [e for e in h.events if isinstance(e, JobFailed)]
    assert [e.gave_up for e in failed] == [False, False, True]
    assert [e.attempt for e in h.events if isinstance(e, RetryScheduled)] == [2, 3]
    await h.scheduler.stop()


async def test_a_retry_does_not_shift_the_schedule():
    h = await started(Harness(FakeClock(at("2025-06-01 09:59:00"))))
    h.failures_left["j"] = 1
    await h.scheduler.add_job(
        job("j", "@hourly", retry=RetryStrategy("constant", attempts=3, initial=5 * MINUTE))
    )
    await h.clock.advance(HOUR + 2 * MINUTE)
    assert [(r.started, r.attempt) for r in h.runs_of("j")] == [
        (at("2025-06-01 10:00"), 1),
        (at("2025-06-01 10:05"), 2),
        (at("2025-06-01 11:00"), 1),
    ]
    await h.scheduler.stop()


async def test_the_next_scheduled_run_replaces_a_pending_retry():
    h = await started(Harness(FakeClock(at("2025-06-01 09:59:30"))))
    h.failures_left["j"] = 1
    retry = RetryStrategy("exponential", attempts=5, initial=90, multiplier=2, maximum=600)
    await h.scheduler.add_job(job("j", "* * * * *", retry=retry))
    await h.clock.advance(3 * MINUTE)
    runs = h.runs_of("j")
    # 10:00 fails; its retry would come at 10:01:30, but 10:01 comes first and takes its place.
    assert [(r.planned, r.attempt) for r in runs] == [
        (at("2025-06-01 10:00"), 1),
        (at("2025-06-01 10:01"), 1),
        (at("2025-06-01 10:02"), 1),
    ]
    assert not any(isinstance(e, RetryScheduled) for e in h.events)
    failed = [e for e in h.events if isinstance(e, JobFailed)]
    assert len(failed) == 1 and not failed[0].gave_up
    await h.scheduler.stop()


async def test_linear_and_exponential_retries_wait_longer_each_time_up_to_their_cap():
    h = await started(Harness(FakeClock(at("2025-06-01 00:00:00"))))
    h.failures_left.update(lin=99, exp=99)
    await h.scheduler.add_jobs(
        [
            job(
                "lin",
                "once 2025-06-01T01:00",
                retry=RetryStrategy("linear", attempts=5, initial=60, increment=30, maximum=100),
            ),
            job(
                "exp",
                "once 2025-06-01T01:00",
                retry=RetryStrategy(
                    "exponential", attempts=5, initial=10, multiplier=3, maximum=200
                ),
            ),
        ]
    )
    await h.clock.advance(2 * HOUR)

    def gaps(job_id: str) -> list[float]:
        starts = [r.started for r in h.runs_of(job_id)]
        return [b - a for a, b in itertools.pairwise(starts)]

    assert gaps("lin") == [60, 90, 100, 100]
    assert gaps("exp") == [10, 30, 90, 200]
    assert sorted(e.job_id for e in h.events if isinstance(e, JobFailed) and e.gave_up) == [
        "exp",
        "lin",
    ]
    await h.scheduler.stop()


# -- persistence and restarts ------------------------------------------------------------------


async def test_a_run_cut_short_by_a_crash_runs_again_after_restart():
    h = Harness(FakeClock(at("2025-06-01 10:00:00")))
    first = await started(h)
    await first.scheduler.add_job(job("j", "@hourly"))
    # The process died during the 11:00 run: the store says it is still running.
    h.store.timings["j"] = JobTiming(at("2025-06-01 12:00"))
    h.store.runs["r1"] = RunRecord(
        "r1",
        "j",
        at("2025-06-01 11:00"),
        at("2025-06-01 11:00"),
        None,
        RunOutcome.RUNNING,
        None,
        1,
    )
    await first.scheduler.stop()
    h.clock.jump(HOUR + 10)  # restarted at 11:00:10
    await started(h)
    await h.clock.advance(1)
    assert [(r.planned, r.attempt) for r in h.runs_of("j")] == [(at("2025-06-01 11:00"), 1)]
    assert h.store.runs["r1"].outcome is RunOutcome.INTERRUPTED
    await h.clock.advance(HOUR)
    assert [r.planned for r in h.runs_of("j")][1:] == [at("2025-06-01 12:00")]
    await h.scheduler.stop()


async def test_a_completed_run_is_not_repeated_after_restart():
    h = await started(Harness(FakeClock(at("2025-06-01 09:59:59"))))
    await h.scheduler.add_job(job("j", "@hourly"))
    await h.clock.advance(2)
    await h.scheduler.stop()
    await started(h)
    await h.clock.advance(30 * MINUTE)
    assert len(h.runs_of("j")) == 1
    assert [r.outcome for r in h.store.runs.values()] == [RunOutcome.SUCCEEDED]
    await h.scheduler.stop()


async def test_stopping_during_a_run_records_it_interrupted_and_runs_it_at_next_start():
    h = await started(Harness(FakeClock(at("2025-06-01 09:59:59"))))
    h.duration["j"] = 600
    await h.scheduler.add_job(job("j", "@hourly"))
    await h.clock.advance(2)
    await h.scheduler.stop(grace=0)
    assert [r.outcome for r in h.store.runs.values()] == [RunOutcome.INTERRUPTED]
    h.duration.clear()
    await started(h)
    await h.clock.advance(1)
    assert [r.planned for r in h.runs_of("j")] == [at("2025-06-01 10:00")] * 2
    await h.scheduler.stop()


# -- changes while running ---------------------------------------------------------------------


async def test_a_job_added_while_the_scheduler_sleeps_runs_on_time():
    h = await started(Harness(FakeClock(at("2025-06-01 10:00:00"))))
    await h.clock.advance(3)  # the loop is now in a long idle sleep
    await h.scheduler.add_job(job("soon", "*/5 * * * * *"))
    await h.clock.advance(3)
    assert [r.planned for r in h.runs_of("soon")] == [at("2025-06-01 10:00:05")]
    await h.scheduler.stop()


async def test_removed_and_paused_jobs_stop_running_and_resume_from_now():
    h = await started(Harness(FakeClock(at("2025-06-01 10:00:00"))))
    await h.scheduler.add_jobs([job("gone", "* * * * *"), job("paused", "* * * * *")])
    await h.clock.advance(MINUTE)
    await h.scheduler.remove_job("gone")
    # Paused as a tracker is paused: the job saved again, disabled, and later enabled.
    await h.scheduler.add_job(job("paused", "* * * * *", enabled=False))
    await h.clock.advance(5 * MINUTE)
    assert len(h.runs_of("gone")) == 1 and len(h.runs_of("paused")) == 1
    await h.scheduler.add_job(job("paused", "* * * * *"))
    await h.clock.advance(MINUTE)
    assert len(h.runs_of("paused")) == 2  # the five minutes paused are not made up
    await h.scheduler.stop()


async def test_pause_all_holds_every_job_and_resume_runs_each_due_job_once():
    h = await started(Harness(FakeClock(at("2025-06-01 10:00:00"))))
    await h.scheduler.add_jobs([job("a", "* * * * *"), job("b", "@hourly")])
    h.scheduler.pause_all()
    await h.clock.advance(2 * HOUR)
    assert h.ran == []
    h.scheduler.resume_all()
    await h.clock.advance(1)
    assert sorted(r.job_id for r in h.ran) == ["a", "b"]
    await h.scheduler.stop()


async def test_run_now_runs_off_schedule_without_moving_it_and_never_overlaps():
    h = await started(Harness(FakeClock(at("2025-06-01 10:20:00"))))
    h.duration["j"] = 5
    await h.scheduler.add_job(job("j", "@hourly"))
    first = await h.scheduler.run_now("j")
    second = await h.scheduler.run_now("j")
    assert first is not None and second is None
    await h.clock.advance(HOUR)
    assert [r.planned for r in h.runs_of("j")] == [at("2025-06-01 10:20"), at("2025-06-01 11:00")]
    await h.scheduler.stop()


async def test_manual_and_past_once_jobs_never_run_by_themselves():
    h = await started(Harness(FakeClock(at("2025-06-01 10:00:00"))))
    await h.scheduler.add_jobs([job("m", "manual"), job("o", "once 2025-06-01T09:00")])
    await h.clock.advance(DAY)
    assert h.ran == []
    await h.scheduler.stop()


async def test_an_invalid_schedule_is_refused_and_nothing_is_saved():
    h = await started(Harness(FakeClock(at("2025-06-01 10:00:00"))))
    with pytest.raises(InvalidSchedule):
        await h.scheduler.add_jobs([job("ok", "@daily"), job("bad", "0 0 31 2 *")])
    assert h.store.jobs == {}
    await h.scheduler.stop()


async def test_events_tell_started_and_finished_in_order():
    h = await started(Harness(FakeClock(at("2025-06-01 09:59:59"))))
    await h.scheduler.add_job(job("j", "@hourly"))
    await h.clock.advance(2)
    kinds = [type(e) for e in h.events if not isinstance(e, ClockJumped)]
    assert kinds == [JobStarted, JobFinished]
    await h.scheduler.stop()


async def test_a_job_whose_handler_is_missing_fails_with_a_clear_error():
    h = await started(Harness(FakeClock(at("2025-06-01 09:59:59"))))
    await h.scheduler.add_job(job("j", "@hourly").__class__("j", "@hourly", "UTC", "nope"))
    await h.clock.advance(2)
    failed = [e for e in h.events if isinstance(e, JobFailed)]
    assert len(failed) == 1 and "no handler named 'nope'" in failed[0].error
    await h.scheduler.stop()
