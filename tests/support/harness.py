"""A scheduler on a fake clock and an in-memory store, with handlers that record what ran."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from desktop_tracker.core.clock import FakeClock
from desktop_tracker.core.events import SchedulerEvent
from desktop_tracker.core.jobs import Job
from desktop_tracker.core.scheduler import RunContext, Scheduler
from tests.support.memory_store import MemoryJobStore


def at(text: str, zone: str = "UTC") -> float:
    """Epoch seconds of a wall time in a zone, e.g. at('2025-11-02 01:30', 'America/New_York')."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).timestamp()


@dataclass
class Ran:
    job_id: str
    planned: float
    started: float
    attempt: int


@dataclass
class Harness:
    clock: FakeClock
    store: MemoryJobStore = field(default_factory=MemoryJobStore)
    ran: list[Ran] = field(default_factory=list)
    events: list[SchedulerEvent] = field(default_factory=list)
    failures_left: dict[str, int] = field(default_factory=dict)  # job id → failures to raise
    duration: dict[str, float] = field(default_factory=dict)  # job id → seconds a run takes
    concurrent: int = 0
    max_concurrent_seen: int = 0
    scheduler: Scheduler | None = None

    def new_scheduler(self, **options: float) -> Scheduler:
        scheduler = Scheduler(self.store, self.clock, **options)  # type: ignore[arg-type]
        scheduler.register_handler("record", self._record)
        scheduler.events.subscribe(self.events.append)
        self.scheduler = scheduler
        return scheduler

    async def _record(self, run: RunContext) -> None:
        self.ran.append(Ran(run.job.id, run.planned_at, self.clock.now(), run.attempt))
        self.concurrent += 1
        self.max_concurrent_seen = max(self.max_concurrent_seen, self.concurrent)
        try:
            if run.job.id in self.duration:
                await self.clock.sleep(self.duration[run.job.id])
            if self.failures_left.get(run.job.id, 0) > 0:
                self.failures_left[run.job.id] -= 1
                raise ConnectionError("site unreachable")
        finally:
            self.concurrent -= 1

    def runs_of(self, job_id: str) -> list[Ran]:
        return [r for r in self.ran if r.job_id == job_id]


def job(job_id: str, schedule: str, zone: str = "UTC", **fields: object) -> Job:
    return Job(job_id, schedule, zone, "record", **fields)  # type: ignore[arg-type]


def run(coro: object) -> None:
    asyncio.run(coro)  # type: ignore[arg-type]
