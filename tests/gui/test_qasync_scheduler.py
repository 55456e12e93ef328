"""The scheduler inside the Qt event loop through qasync, whose timers wake early and late."""

from __future__ import annotations

import asyncio
import time

import qasync

from desktop_tracker.core.jobs import Job
from desktop_tracker.core.scheduler import RunContext, Scheduler
from tests.support.memory_store import MemoryJobStore


def test_scheduler_in_the_qt_loop_fires_on_time_and_never_early(qapp):
    started: list[tuple[float, float]] = []

    async def record(run: RunContext) -> None:
        started.append((run.planned_at, time.time()))

    async def scenario() -> None:
        scheduler = Scheduler(MemoryJobStore())
        scheduler.register_handler("record", record)
        await scheduler.start()
        # Every 0.5 s is too fine for cron; jobs on whole seconds, 4 of them each second.
        await scheduler.add_jobs([Job(f"j{i}", "* * * * * *", "UTC", "record") for i in range(4)])
        await asyncio.sleep(3.2)
        await scheduler.stop()

    loop = qasync.QEventLoop(qapp)
    try:
        loop.run_until_complete(scenario())
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert len(started) >= 8
    lateness = sorted(actual - planned for planned, actual in started)
    assert lateness[0] >= 0, f"a run started {-lateness[0] * 1000:.1f} ms early"
    assert lateness[len(lateness) // 2] < 0.02
    assert lateness[-1] < 0.2
