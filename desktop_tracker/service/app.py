"""The application's services, wired together: data directory, database, scheduler, handlers.

The window, `run --headless` and every command open the app through `open_services()`, so they
work on the same data in the same way. With the scheduler (the window, headless) the process
takes the data directory's lock and checks run on a worker thread; a command (`list`, `add`,
`check NAME`…) takes no lock, since the running app sees its edits, and checks on its own loop.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_tracker.core.clock import Clock
from desktop_tracker.core.jobs import Job
from desktop_tracker.core.scheduler import Handler, RunContext, Scheduler
from desktop_tracker.data_dir import DATABASE_NAME, InstanceLock, ensure_data_dir
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.kinds.base import CaptureRequest, Checked, Kind, Page
from desktop_tracker.kinds.registry import kind_for
from desktop_tracker.kinds.resources import fingerprint
from desktop_tracker.service.preferences import PreferencesService
from desktop_tracker.service.trackers import TrackerService, capture_request
from desktop_tracker.store.database import Database
from desktop_tracker.store.job_repository import SqliteJobStore
from desktop_tracker.store.tracker_store import SqliteTrackerStore

if TYPE_CHECKING:
    # The network stack (httpx: a tenth of a second to import) comes when checks are first
    # needed, so that a command that only reads the data file starts at once.
    from desktop_tracker.tracking.check_worker import CheckWorker
    from desktop_tracker.tracking.fetcher import Fetcher, FetchLimits
    from desktop_tracker.tracking.page_check import Checker

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
        self._fetch_limits = fetch_limits  # None: the defaults
        self._given_fetcher = fetcher  # e.g. one whose transport reaches a test server
        self.database: Database | None = None
        self.jobs: SqliteJobStore | None = None
        self.scheduler: Scheduler | None = None
        self.checks: CheckWorker | None = None
        self.trackers: TrackerService | None = None
        self.preferences: PreferencesService | None = None

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
            from desktop_tracker.tracking.check_worker import CheckWorker
            from desktop_tracker.tracking.fetcher import Fetcher, FetchLimits

            fetcher = self._given_fetcher or Fetcher(self._fetch_limits or FetchLimits())
            self.checks = CheckWorker(fetcher)
            # Slow one-time set-up off the event loop, before the first check needs it.
            await self.checks.warm_up()
            await asyncio.to_thread(fingerprint.warm_up)
            store = SqliteTrackerStore(self.database)
            self.preferences = PreferencesService(store)
            await self.preferences.load()
            self.trackers = TrackerService(
                store,
                self.checks,
                self.scheduler,
                self._clock,
                body_cap_bytes=_body_cap(self.preferences),
            )
            for name, handler in self._extra_handlers.items():
                self.scheduler.register_handler(name, handler)
            if self.preferences.current.scheduler_paused:
                # "Pause all" holds across restarts: nothing fires until the user resumes.
                self.scheduler.pause_all()
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
            await self.trackers.stop_background()
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
        await SqliteTrackerStore(self.database).prune_runs(
            run.planned_at - RUN_HISTORY_DAYS * 86400
        )


def _body_cap(preferences: PreferencesService) -> Callable[[], int]:
    """The storage cap of kept bodies, as the preferences say it at each saved revision."""
    return lambda: preferences.current.storage_cap_mb * 1024 * 1024


def _freeze_what_lives_on() -> None:
    """Take what the app has loaded so far out of the garbage collector's sight.

    Modules, the scheduler's jobs, the HTTP clients: they live as long as the process. A full
    collection walks every object it tracks while every thread waits; during a burst of checks
    that held the event loop for 20 ms and more (tests/bench/bench_checks.py). Frozen, they are
    never walked again, and a full collection costs only what the checks themselves made.
    """
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def open_services(
    data_dir: Path,
    *,
    scheduler: bool = False,
    clock: Clock | None = None,
    handlers: Mapping[str, Handler] | None = None,
    fetcher: Fetcher | None = None,
    fetch_limits: FetchLimits | None = None,
) -> AsyncIterator[AppServices | CommandServices]:
    """The app on a data directory, closed at the end of the `async with`.

    With `scheduler` (the window, `run --headless`): the whole app, see `AppServices.open`.
    Without (a command): the trackers service on the data file, checking on this loop.

    :raises DataDirInUse: (with the scheduler) another process runs on this data directory.
    :raises DataDirUnusable, StoreError: the data directory or file cannot be used.
    """
    services: AppServices | CommandServices
    if scheduler:
        services = AppServices(
            data_dir, clock=clock, handlers=handlers, fetcher=fetcher, fetch_limits=fetch_limits
        )
    else:
        services = CommandServices(data_dir, clock=clock, fetcher=fetcher)
    await services.open()
    try:
        yield services
    finally:
        await services.close()


class CommandServices:
    """The trackers service for one command: no lock, no scheduler, checks on the caller's loop."""

    def __init__(
        self, data_dir: Path, *, clock: Clock | None = None, fetcher: Fetcher | None = None
    ) -> None:
        self.data_dir = data_dir
        self._clock = clock
        self._given_fetcher = fetcher
        self._fetcher: Fetcher | None = None
        self.database: Database | None = None
        self.trackers: TrackerService | None = None
        self.preferences: PreferencesService | None = None

    async def open(self) -> None:
        """:raises DataDirUnusable, StoreError:"""
        ensure_data_dir(self.data_dir)
        self.database = await asyncio.to_thread(Database, self.data_dir / DATABASE_NAME)
        store = SqliteTrackerStore(self.database)
        self.preferences = PreferencesService(store)
        await self.preferences.load()
        self.trackers = TrackerService(
            store,
            _CheckerOnFirstUse(self),
            None,
            self._clock,
            body_cap_bytes=_body_cap(self.preferences),
        )

    def make_checker(self) -> Checker:
        """The checker of a command that checks a page (the network stack is imported then)."""
        from desktop_tracker.tracking.fetcher import Fetcher
        from desktop_tracker.tracking.page_check import PageChecker

        if self._fetcher is None:
            self._fetcher = self._given_fetcher or Fetcher()
        return PageChecker(self._fetcher)

    async def close(self, grace: float = 0.0) -> None:
        if self.trackers is not None:
            await self.trackers.stop_background()
            await self.trackers.wait_idle()
            self.trackers = None
        if self._fetcher is not None and self._given_fetcher is None:
            await self._fetcher.aclose()
        self._fetcher = None
        if self.database is not None:
            await asyncio.to_thread(self.database.close)
            self.database = None


class _CheckerOnFirstUse:
    """A command's checker, made when the command first checks a page: `list`, `history` and
    the other commands that only read the data file never import httpx."""

    def __init__(self, services: CommandServices) -> None:
        self._services = services
        self._checker: Checker | None = None

    def _made(self) -> Checker:
        if self._checker is None:
            self._checker = self._services.make_checker()
        return self._checker

    async def check(self, kind: Kind, request: CaptureRequest) -> Checked:
        return await self._made().check(kind, request)

    async def fetch(self, kind: Kind, request: CaptureRequest) -> Page:
        return await self._made().fetch(kind, request)


async def check_page(tracker: Tracker, *, fetcher: Fetcher | None = None) -> Checked:
    """Check a tracker's page once, with no data directory and nothing stored (the command
    line's `check URL`). :raises FetchError, CaptureFailed:"""
    from desktop_tracker.tracking.fetcher import Fetcher
    from desktop_tracker.tracking.page_check import PageChecker

    own = fetcher is None
    fetcher = fetcher or Fetcher()
    try:
        return await PageChecker(fetcher).check(
            kind_for(tracker.kind), capture_request(tracker.validated())
        )
    finally:
        if own:
            await fetcher.aclose()


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
