"""Trackers as the user sees them: add, edit, remove, check, history, notifications, import/export.

A tracker's definition and the scheduler job that checks it are written in one transaction.
When the scheduler runs in this process it is told at once; when another process (the command
line) changes trackers, the running scheduler notices within 30 s (`Scheduler` syncs).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from desktop_tracker.core.clock import Clock, SystemClock
from desktop_tracker.core.events import EventBus, JobFailed, SchedulerEvent
from desktop_tracker.core.jobs import Job, RunRecord
from desktop_tracker.core.quoting import quote_some
from desktop_tracker.core.scheduler import RunContext, Scheduler, first_timing
from desktop_tracker.domain.diff import ResourceDiff, diff_resources
from desktop_tracker.domain.resources import PageResources
from desktop_tracker.domain.revisions import (
    FailureStreak,
    Notification,
    NotificationKind,
    Revision,
)
from desktop_tracker.domain.trackers import CHECK_HANDLER, Tracker
from desktop_tracker.service.export_format import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    ImportRefused,
    parse_export,
)
from desktop_tracker.store import tracker_repository as repo
from desktop_tracker.store.database import Connection, Database
from desktop_tracker.store.job_repository import SqliteJobStore
from desktop_tracker.tracking.resource_check import PageChecker

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RevisionSaved:
    tracker_id: int
    revision_id: int
    diff: ResourceDiff
    baseline: bool


@dataclass(frozen=True, slots=True)
class NotificationStored:
    notification: Notification


@dataclass(frozen=True, slots=True)
class TrackersChanged:
    """Trackers were added, edited or removed."""


@dataclass(frozen=True, slots=True)
class CheckFailed:
    """A tracker's run failed for good and its failure streak is recorded; `told` when this
    failure was notified (the first of its streak). A failed check saves no revision: this is
    what says that a run log has a new failed run."""

    tracker_id: int
    told: bool


TrackerEvent = RevisionSaved | NotificationStored | TrackersChanged | CheckFailed


@dataclass(frozen=True, slots=True)
class TrackerOverview:
    """One row of the trackers table: the tracker and what the user wants to know about it."""

    tracker: Tracker
    next_check: float | None  # None: manual, paused, or a "once" that has run
    last_run: RunRecord | None
    unread: int  # unread notifications
    failure: FailureStreak | None = None  # failing now: since when, and the latest error


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    revision: Revision
    diff: ResourceDiff | None  # against the previous revision; None for the oldest kept


class TrackerService:
    def __init__(
        self,
        database: Database,
        checker: PageChecker | None = None,
        scheduler: Scheduler | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._db = database
        self._checker = checker
        self._scheduler = scheduler
        self._clock: Clock = clock or SystemClock()
        self.events: EventBus[TrackerEvent] = EventBus()
        self._pending: set[asyncio.Task[Any]] = set()
        if scheduler is not None:
            scheduler.register_handler(CHECK_HANDLER, self.check_handler)
            scheduler.events.subscribe(self._on_scheduler_event)

    # -- editing ----------------------------------------------------------------------------

    async def add(self, tracker: Tracker) -> Tracker:
        """:raises InvalidTracker, DuplicateTracker:"""
        return await self._save(tracker, repo.insert_tracker)

    async def update(self, tracker: Tracker) -> Tracker:
        """Save edits; the schedule restarts from now. :raises InvalidTracker, UnknownTracker:"""
        return await self._save(tracker, repo.update_tracker)

    async def _save(
        self, tracker: Tracker, write_row: Callable[[Connection, Tracker], Tracker]
    ) -> Tracker:
        """The tracker's row and its job in one transaction, then the running scheduler."""
        tracker = tracker.validated()
        now = self._clock.now()

        def work(conn: Connection) -> Tracker:
            saved = write_row(conn, tracker)
            job = job_for(saved)
            SqliteJobStore.write_jobs(conn, [(job, first_timing(job, now))])
            return saved

        saved = await self._write(work)
        await self._tell_scheduler(saved)
        self.events.publish(TrackersChanged())
        return saved

    async def remove(self, tracker_id: int) -> None:
        tracker = await self.get(tracker_id)

        def work(conn: Connection) -> None:
            repo.delete_tracker(conn, tracker_id)
            SqliteJobStore.delete_job_in(conn, tracker.job_id)

        await self._write(work)
        if self._scheduler is not None:
            await self._scheduler.remove_job(tracker.job_id)
        self.events.publish(TrackersChanged())

    async def set_enabled(self, tracker_id: int, enabled: bool) -> Tracker:
        return await self.update(replace(await self.get(tracker_id), enabled=enabled))

    # -- reading ----------------------------------------------------------------------------

    async def all(self) -> list[Tracker]:
        return await self._read(repo.list_trackers)

    async def get(self, tracker_id: int) -> Tracker:
        return await self._read(lambda conn: repo.get_tracker(conn, tracker_id))

    async def find(self, name: str) -> Tracker:
        return await self._read(lambda conn: repo.find_tracker(conn, name))

    async def history(self, tracker_id: int) -> list[HistoryEntry]:
        """Kept revisions, newest first, each with its diff against the one before it."""
        revisions = await self._read(lambda conn: repo.list_revisions(conn, tracker_id))
        entries = []
        for index, revision in enumerate(revisions):
            older = revisions[index + 1] if index + 1 < len(revisions) else None
            diff = diff_resources(older.resources, revision.resources) if older else None
            entries.append(HistoryEntry(revision, diff))
        return entries

    async def compare(self, old_revision_id: int, new_revision_id: int) -> ResourceDiff:
        """The diff between any two revisions."""
        old, new = await self._read(
            lambda conn: (
                repo.get_revision(conn, old_revision_id),
                repo.get_revision(conn, new_revision_id),
            )
        )
        return diff_resources(old.resources, new.resources)

    async def clear_history(self, tracker_id: int) -> None:
        await self._write(lambda conn: repo.clear_revisions(conn, tracker_id))

    async def runs(self, tracker: Tracker, limit: int = 100) -> list[RunRecord]:
        return await SqliteJobStore(self._db).runs_for(tracker.job_id, limit)

    async def overview(self) -> list[TrackerOverview]:
        """Every tracker with its next check, last run and unread count, in one read."""

        def work(conn: Connection) -> list[TrackerOverview]:
            trackers = repo.list_trackers(conn)
            timings = {job.id: (job, t) for job, t in SqliteJobStore.list_jobs_in(conn)}
            last_runs = SqliteJobStore.last_runs_in(conn)
            unread = repo.unread_counts(conn)
            failures = repo.list_failure_streaks(conn)
            rows = []
            for tracker in trackers:
                job, timing = timings.get(tracker.job_id, (None, None))
                due = timing.due if timing is not None and job is not None and job.enabled else None
                assert tracker.id is not None
                rows.append(
                    TrackerOverview(
                        tracker,
                        due,
                        last_runs.get(tracker.job_id),
                        unread.get(tracker.id, 0),
                        failures.get(tracker.id),
                    )
                )
            return rows

        return await self._read(work)

    async def notifications(self, *, unread_only: bool = False) -> list[Notification]:
        return await self._read(lambda conn: repo.list_notifications(conn, unread_only=unread_only))

    async def mark_read(self, ids: list[int] | None = None) -> None:
        now = self._clock.now()
        await self._write(lambda conn: repo.mark_notifications_read(conn, ids, now))

    # -- checks -----------------------------------------------------------------------------

    async def check_now(self, tracker_id: int) -> asyncio.Task[RunRecord] | None:
        """Check at once through the scheduler (never twice at the same time)."""
        if self._scheduler is None:
            raise RuntimeError("checks need the scheduler to be running")
        return await self._scheduler.run_now((await self.get(tracker_id)).job_id)

    async def check_handler(self, run: RunContext) -> None:
        """The scheduler's "check tracker" handler: fetch, diff, keep a revision, notify.

        A check that succeeds ends the tracker's failure streak in the same transaction as its
        result, and "NAME works again" is told if the failure was.
        """
        if self._checker is None:
            raise RuntimeError("no checker is configured")
        tracker = await self.get(int(run.job.payload["tracker_id"]))
        page = await self._checker.check(
            tracker.url, tracker.headers, verify_tls=tracker.verify_tls, ignore=tracker.ignores
        )
        recovered, saved = await self._write(
            lambda conn: _store_success(conn, tracker, page, self._clock.now())
        )
        if recovered is not None:
            self.events.publish(NotificationStored(recovered))
        if saved is None:
            return
        revision_id, diff, baseline, notification = saved
        assert tracker.id is not None
        self.events.publish(RevisionSaved(tracker.id, revision_id, diff, baseline))
        if notification is not None:
            self.events.publish(NotificationStored(notification))

    async def failure_streaks(self) -> dict[int, FailureStreak]:
        """The trackers failing now, by id."""
        return await self._read(repo.list_failure_streaks)

    def _on_scheduler_event(self, event: SchedulerEvent) -> None:
        if not isinstance(event, JobFailed) or not event.job_id.startswith("tracker:"):
            return
        if not event.gave_up and self._retry_follows(event):
            return  # the run is not over: its retry comes
        tracker_id = int(event.job_id.split(":", 1)[1])
        error, now = event.error, self._clock.now()
        # Queued now, while the scheduler publishes, so it is written no later than the run's
        # failed result (queued on the loop's next turn): after a crash either both are lost
        # (the run runs again) or the streak is there, and a run that fails again tells nothing.
        stored = self._write(lambda conn: _record_failure(conn, tracker_id, error, now))
        task = asyncio.ensure_future(self._publish_stored(tracker_id, stored))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _retry_follows(self, event: JobFailed) -> bool:
        """Whether the scheduler planned a retry of this failed run. It plans none when the
        next scheduled run comes first and takes its place (`gave_up` is then False): that run
        starts over, so this one's failure is final all the same."""
        timing = self._scheduler.timing(event.job_id) if self._scheduler is not None else None
        return (
            timing is not None
            and timing.retry_due is not None
            and timing.retry_attempt == event.attempt + 1
            and timing.retry_planned == event.planned_at
        )

    async def _publish_stored(
        self, tracker_id: int, stored: Awaitable[Notification | None]
    ) -> None:
        try:
            notification = await stored
        except Exception:
            log.exception("a failed check could not be recorded")
            return
        if notification is not None:
            self.events.publish(NotificationStored(notification))
        self.events.publish(CheckFailed(tracker_id, told=notification is not None))

    # -- import and export ------------------------------------------------------------------

    async def export(self) -> dict[str, Any]:
        trackers = await self.all()
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "trackers": [t.to_json() for t in trackers],
        }

    async def import_(self, data: Any) -> list[Tracker]:
        """Add every tracker of an export, all or none. :raises ImportRefused:"""
        trackers = parse_export(data)
        existing = {(t.kind, t.name) for t in await self.all()}
        clashes = [t.name for t in trackers if (t.kind, t.name) in existing]
        if clashes:
            raise ImportRefused(
                f"trackers with these names exist already: {quote_some(clashes)}. "
                "Nothing was imported: rename or remove them first."
            )
        now = self._clock.now()

        def work(conn: Connection) -> list[Tracker]:
            saved = [repo.insert_tracker(conn, t) for t in trackers]
            jobs = [job_for(t) for t in saved]
            SqliteJobStore.write_jobs(conn, [(job, first_timing(job, now)) for job in jobs])
            return saved

        saved = await self._write(work)
        for tracker in saved:
            await self._tell_scheduler(tracker)
        self.events.publish(TrackersChanged())
        return saved

    async def wait_idle(self) -> None:
        """Wait for notifications being stored in the background (tests, shutdown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    # -- plumbing ---------------------------------------------------------------------------

    async def _tell_scheduler(self, tracker: Tracker) -> None:
        if self._scheduler is not None:
            await self._scheduler.add_job(job_for(tracker))

    def _read(self, work: Callable[[Connection], T]) -> Awaitable[T]:
        return self._db.run(work)

    def _write(self, work: Callable[[Connection], T]) -> Awaitable[T]:
        return self._db.run(work, write=True)


def job_for(tracker: Tracker) -> Job:
    """The scheduler job that checks a saved tracker."""
    return Job(
        id=tracker.job_id,
        schedule=tracker.schedule,
        timezone=tracker.timezone,
        handler=CHECK_HANDLER,
        payload={"tracker_id": tracker.id},
        retry=tracker.retry,
        enabled=tracker.enabled,
    )


def _store_result(
    conn: Connection, tracker: Tracker, page: PageResources, now: float
) -> tuple[int, ResourceDiff, bool, Notification | None] | None:
    """Keep the result if it changed; notify unless it is the baseline. One transaction."""
    assert tracker.id is not None
    try:
        current = repo.get_tracker(conn, tracker.id)
    except repo.UnknownTracker:
        return None  # removed while it was being checked
    latest = repo.latest_revision(conn, tracker.id)
    diff = diff_resources(latest.resources if latest else [], page.resources)
    if latest is not None and diff.is_empty:
        return None
    revision_id = repo.save_revision(conn, tracker.id, page, current.revisions, now)
    baseline = latest is None
    if baseline or not current.notify:
        return revision_id, diff, baseline, None
    body = "\n".join([diff.summary(), *(f.message for f in diff.findings)])
    notification = Notification(
        tracker.id,
        NotificationKind.CHANGE,
        f"Change detected: {current.name}",  # the summary is the body's, said once
        body,
        now,
        revision_id,
    )
    notification = replace(notification, id=repo.insert_notification(conn, notification))
    return revision_id, diff, baseline, notification


def _store_success(
    conn: Connection, tracker: Tracker, page: PageResources, now: float
) -> tuple[Notification | None, tuple[int, ResourceDiff, bool, Notification | None] | None]:
    """A check succeeded: end the failure streak ("works again", stored first), then keep the
    result. One transaction."""
    assert tracker.id is not None
    recovered = _end_failure(conn, tracker.id, now)
    return recovered, _store_result(conn, tracker, page, now)


def _end_failure(conn: Connection, tracker_id: int, now: float) -> Notification | None:
    """End the tracker's failure streak; "works again" if its failure was told. A check that
    succeeds with no streak (the common case) costs one lookup by key."""
    streak = repo.end_failure_streak(conn, tracker_id)
    if streak is None or not streak.notified:
        return None
    try:
        current = repo.get_tracker(conn, tracker_id)
    except repo.UnknownTracker:
        return None
    if not current.notify:
        return None  # turned off since: the streak ends quietly
    body = f"It had failed since {_local_time(streak.since)} ({_first_line(streak.error)})."
    notification = Notification(
        tracker_id, NotificationKind.RECOVERED, f"{current.name} works again", body, now
    )
    return replace(notification, id=repo.insert_notification(conn, notification))


def _record_failure(
    conn: Connection, tracker_id: int, error: str, now: float
) -> Notification | None:
    """A run failed for good. The first of a streak is told, if the tracker notifies (with
    notify off the streak is kept all the same, so turning it on later tells nothing old);
    later ones only update the streak's error. One transaction."""
    try:
        tracker = repo.get_tracker(conn, tracker_id)
    except repo.UnknownTracker:
        return None  # removed meanwhile
    streak = repo.get_failure_streak(conn, tracker_id)
    if streak is not None:
        repo.save_failure_streak(conn, replace(streak, error=error, updated_at=now))
        return None
    repo.save_failure_streak(conn, FailureStreak(tracker_id, now, error, tracker.notify, now))
    if not tracker.notify:
        return None
    notification = Notification(
        tracker_id,
        NotificationKind.FAILURE,
        f"Check failed: {tracker.name}",
        error.strip() or "unknown error",  # the reason, in words (the fetcher's own)
        now,
    )
    return replace(notification, id=repo.insert_notification(conn, notification))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"


def _local_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M")
