"""The application's services, wired together: data directory, database, scheduler, handlers.

The GUI and the command line both start the app through `AppServices`, so they run the same
scheduler on the same data in the same way.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Mapping
from pathlib import Path

from desktop_tracker.core.clock import Clock
from desktop_tracker.core.jobs import Job
from desktop_tracker.core.scheduler import Handler, RunContext, Scheduler
from desktop_tracker.data_dir import DATABASE_NAME, InstanceLock
from desktop_tracker.service.trackers import TrackerService
from desktop_tracker.store.database import Database
from desktop_tracker.store.job_repository import SqliteJobStore
from desktop_tracker.tracking import fingerprint
from desktop_tracker.tracking.check_worker import CheckWorker
from desktop_tracker.tracking.fetcher import Fetcher, FetchLimits

log = logging.getLogger(__name__)

# Periodic work of the app itself, run by the same scheduler as the user's jobs.
PRUNE_RUNS_JOB = "app.prune-runs"
PRUNE_RUNS_HANDLER = "app.prune_runs"
RUN_HISTORY_DAYS = 90
SWITCH_INTERVAL = 0.0005  # seconds; see AppServices.open


class AppServices:
    """Owns the process-wide pieces; `open()` before use, `close()` at the end."""

    def __init__(
        self,
        data_dir: Path,
        *,
        clock: Clock | None = None,
        handlers: Mapping[str, Handler] | None = None,
        max_concurrent: int = 8,
        fetch_limits: FetchLimits | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        # Made and checked by `open()` (the lock does it), so that a data directory that cannot
        # be used is said where the other reasons not to start are.
        self.data_dir = data_dir
        self._lock = InstanceLock(self.data_dir)
        self._clock = clock
        self._extra_handlers = dict(handlers or {})
        self._max_concurrent = max_concurrent
        self._fetch_limits = fetch_limits or FetchLimits()
        self._given_fetcher = fetcher  # e.g. one whose transport reaches a test server
        self.database: Database | None = None
        self.jobs: SqliteJobStore | None = None
        self.scheduler: Scheduler | None = None
        self.checks: CheckWorker | None = None
        self.trackers: TrackerService | None = None

    async def open(self) -> Scheduler:
        """Take the data directory, open the database and start the scheduler.

        :raises DataDirInUse: another process runs on this data directory.
        :raises DataDirUnusable: the data directory is not a folder or cannot be written.
        :raises StoreError: the database cannot be used (the message says why and what to do).
        """
        self._lock.acquire()
        # Threads that want the GIL ask for it after this long, and the one holding it lets go.
        # With the checks and SQLite threads busy, the event loop (the window) may
        # lose that race a dozen times running: its longest wait was about 13 intervals in
        # tests/bench/bench_checks.py. 0.5 ms rather than Python's 5 ms keeps that well under
        # 20 ms, for the same throughput.
        sys.setswitchinterval(SWITCH_INTERVAL)
        try:
            # Off the event loop (the window's thread): opening checks the whole file for damage.
            self.database = await asyncio.to_thread(Database, self.data_dir / DATABASE_NAME)
            self.jobs = SqliteJobStore(self.database)
            self.scheduler = Scheduler(self.jobs, self._clock, max_concurrent=self._max_concurrent)
            self.scheduler.register_handler(PRUNE_RUNS_HANDLER, self._prune_runs)
            fetcher = self._given_fetcher or Fetcher(self._fetch_limits)
            self.checks = CheckWorker(fetcher)
            # Slow one-time set-up off the event loop, before the first check needs it.
            await self.checks.warm_up()
            await asyncio.to_thread(fingerprint.warm_up)
            self.trackers = TrackerService(self.database, self.checks, self.scheduler, self._clock)
            for name, handler in self._extra_handlers.items():
                self.scheduler.register_handler(name, handler)
            await self.scheduler.start()
            if self.scheduler.timing(PRUNE_RUNS_JOB) is None:
                await self.scheduler.add_job(
                    Job(PRUNE_RUNS_JOB, "17 3 * * *", "UTC", PRUNE_RUNS_HANDLER)
                )
            _freeze_what_lives_on()
        except BaseException:
            await self.close()
            raise
        return self.scheduler

    async def close(self, grace: float = 10.0) -> None:
        """Stop the scheduler (runs in flight finish or are recorded interrupted), close all."""
        if self.scheduler is not None:
            await self.scheduler.stop(grace)
            self.scheduler = None
        if self.trackers is not None:
            await self.trackers.wait_idle()
            self.trackers = None
        if self.checks is not None:
            await self.checks.aclose()
            self.checks = None
        if self.database is not None:
            await asyncio.to_thread(self.database.close)
            self.database = None
        self._lock.release()

    async def _prune_runs(self, run: RunContext) -> None:
        assert self.database is not None
        cutoff = run.planned_at - RUN_HISTORY_DAYS * 86400
        await self.database.run(
            lambda conn: conn.execute(
                "DELETE FROM runs WHERE ended_at IS NOT NULL AND started_at < ?", (cutoff,)
            ),
            write=True,
        )


def _freeze_what_lives_on() -> None:
    """Take what the app has loaded so far out of the garbage collector's sight.

    Modules, the scheduler's jobs, the HTTP clients: they live as long as the process. A full
    collection walks every object it tracks while every thread waits; during a burst of checks
    that held the event loop for 20 ms and more (tests/bench/bench_checks.py). Frozen, they are
    never walked again, and a full collection costs only what the checks themselves made.
    """
    gc.collect()
    gc.freeze()


async def run_headless(
    data_dir: Path,
    stop: asyncio.Event,
    *,
    handlers: Mapping[str, Handler] | None = None,
    grace: float = 10.0,
) -> None:
    """Run the scheduler until `stop` is set, then shut down cleanly."""
    services = AppServices(data_dir, handlers=handlers)
    await services.open()
    log.info("scheduler running on %s", services.data_dir)
    try:
        await stop.wait()
    finally:
        log.info("stopping: runs in flight get %.0f s to finish", grace)
        await services.close(grace)
        log.info("stopped")
