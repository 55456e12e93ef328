"""A TrackerStore in memory: plain dicts, for tests that need no data file.

It keeps the promises of `domain.tracker_store` as `SqliteTrackerStore` keeps them, down to what
the SQLite one does beyond its docstrings (tests/integration/test_tracker_store_conformance.py
runs the same tests on both):

- `write` is all or nothing: its function works on a deep copy of everything, swapped in only
  when the function returns. `read` works on the data itself, as SQLite's reads run outside a
  transaction.
- Work is done when it is called, so transactions take effect in call order.
- Ids are one more than the largest in use, as SQLite's rowids are: the id of a row removed
  from the end is given again.
- A tracker's revisions, notifications and failure streak go with it; a revision trimmed or
  cleared leaves its notifications without a `revision_id` (SQLite's ON DELETE SET NULL).
- A notification or a failure streak for a tracker that does not exist (or a notification for
  a revision that does not) is refused with `sqlite3.IntegrityError`, as the foreign keys do.
- Updating a tracker trims its revisions to its new `revisions`.
- Snapshots are kept as the JSON form given (through `json`, as the file keeps them) and read
  back with the kind's `snapshot_from_json`.

Jobs and runs live in a `MemoryJobStore` (its `jobs`, `timings` and `runs`), shared as the app
shares one database between the scheduler's store and this one: pass it to see the runs the
scheduler records in `last_runs`, `runs_for` and `prune_runs`.
"""

from __future__ import annotations

import asyncio
import copy
import json
import sqlite3
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from desktop_tracker.core.jobs import Job, JobTiming, RunRecord
from desktop_tracker.core.quoting import quote
from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.domain.bodies import Beautified, CapturedBody
from desktop_tracker.domain.revisions import (
    FailureStreak,
    Notification,
    NotificationKind,
    Revision,
    RevisionInfo,
)
from desktop_tracker.domain.tracker_store import (
    DuplicateTracker,
    TrackerTransaction,
    UnknownRevision,
    UnknownTracker,
)
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.kinds.registry import kind_for
from tests.support.memory_bodies import MemoryBodies, latest_revision_ids
from tests.support.memory_store import MemoryJobStore

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StoredRevision:
    id: int
    tracker_id: int
    created_at: float
    final_url: str
    status: int
    kind: str
    snapshot: dict[str, Any]  # the kind's JSON form


@dataclass(slots=True)
class Tables:
    """Everything a transaction sees. The job tables are the shared `MemoryJobStore`'s."""

    trackers: dict[int, Tracker] = field(default_factory=dict)
    revisions: dict[int, StoredRevision] = field(default_factory=dict)
    notifications: dict[int, Notification] = field(default_factory=dict)
    streaks: dict[int, FailureStreak] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    timings: dict[str, JobTiming] = field(default_factory=dict)
    runs: dict[str, RunRecord] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    bodies: MemoryBodies = field(default_factory=MemoryBodies)


class MemoryTrackerStore:
    """Implements `domain.tracker_store.TrackerStore` on dicts."""

    def __init__(self, jobs: MemoryJobStore | None = None) -> None:
        self.jobs = jobs if jobs is not None else MemoryJobStore()
        self._trackers: dict[int, Tracker] = {}
        self._revisions: dict[int, StoredRevision] = {}
        self._notifications: dict[int, Notification] = {}
        self._streaks: dict[int, FailureStreak] = {}
        self._settings: dict[str, str] = {}
        self._bodies = MemoryBodies()

    def read(self, work: Callable[[TrackerTransaction], T]) -> Awaitable[T]:
        return _outcome(lambda: work(MemoryTrackerTransaction(self._tables())))

    def write(self, work: Callable[[TrackerTransaction], T]) -> Awaitable[T]:
        def attempt() -> T:
            tables = copy.deepcopy(self._tables())
            value = work(MemoryTrackerTransaction(tables))
            self._install(tables)  # only once the work has returned
            return value

        return _outcome(attempt)

    def runs_for(self, job_id: str, limit: int = 100) -> Awaitable[list[RunRecord]]:
        return self.jobs.runs_for(job_id, limit)

    def prune_runs(self, before: float) -> Awaitable[None]:
        self.jobs.runs = {
            run_id: run
            for run_id, run in self.jobs.runs.items()
            if run.ended_at is None or run.started_at >= before
        }
        return _outcome(lambda: None)

    def _tables(self) -> Tables:
        return Tables(
            self._trackers,
            self._revisions,
            self._notifications,
            self._streaks,
            self.jobs.jobs,
            self.jobs.timings,
            self.jobs.runs,
            settings=self._settings,
            bodies=self._bodies,
        )

    def _install(self, tables: Tables) -> None:
        self._trackers = tables.trackers
        self._revisions = tables.revisions
        self._notifications = tables.notifications
        self._streaks = tables.streaks
        self.jobs.jobs = tables.jobs
        self.jobs.timings = tables.timings
        self.jobs.runs = tables.runs
        self._settings = tables.settings
        self._bodies = tables.bodies


class MemoryTrackerTransaction:
    """`TrackerTransaction` on one set of tables."""

    def __init__(self, tables: Tables) -> None:
        self._t = tables

    # -- trackers and their jobs -----------------------------------------------------------

    def insert_tracker(self, tracker: Tracker) -> Tracker:
        self._refuse_duplicate(tracker)
        tracker_id = _next_id(self._t.trackers)
        saved = replace(tracker, id=tracker_id)
        self._t.trackers[tracker_id] = _as_stored(saved)
        return saved

    def update_tracker(self, tracker: Tracker) -> Tracker:
        old = self._t.trackers.get(tracker.id) if tracker.id is not None else None
        if old is None or tracker.id is None:
            raise UnknownTracker(f"no tracker has the id {tracker.id}")
        self._refuse_duplicate(tracker)
        if old.kind != tracker.kind:
            self.clear_revisions(tracker.id)
        if _fetched(old) != _fetched(tracker):
            self._t.streaks.pop(tracker.id, None)
        self._t.trackers[tracker.id] = _as_stored(tracker)
        self._trim_revisions(tracker.id, tracker.revisions)
        return tracker

    def delete_tracker(self, tracker_id: int) -> None:
        self.clear_revisions(tracker_id)
        self._t.trackers.pop(tracker_id, None)
        for notification_id in [
            i for i, n in self._t.notifications.items() if n.tracker_id == tracker_id
        ]:
            del self._t.notifications[notification_id]
        self._t.streaks.pop(tracker_id, None)

    def list_trackers(self) -> list[Tracker]:
        return [copy.deepcopy(self._t.trackers[i]) for i in sorted(self._t.trackers)]

    def get_tracker(self, tracker_id: int) -> Tracker:
        try:
            return copy.deepcopy(self._t.trackers[tracker_id])
        except KeyError:
            raise UnknownTracker(f"no tracker has the id {tracker_id}") from None

    def find_tracker(self, name: str) -> Tracker:
        for tracker_id in sorted(self._t.trackers):
            if self._t.trackers[tracker_id].name == name:
                return copy.deepcopy(self._t.trackers[tracker_id])
        names = sorted(t.name for t in self._t.trackers.values())[:20]
        known = f" (trackers: {', '.join(names)})" if names else " (there are no trackers yet)"
        raise UnknownTracker(f"no tracker is named {quote(name)}{known}")

    def write_jobs(self, jobs: Sequence[tuple[Job, JobTiming]]) -> None:
        for job, timing in jobs:
            self._t.jobs[job.id] = copy.deepcopy(job)
            self._t.timings[job.id] = JobTiming(*timing)

    def delete_job(self, job_id: str) -> None:
        self._t.jobs.pop(job_id, None)
        self._t.timings.pop(job_id, None)
        for run_id in [i for i, r in self._t.runs.items() if r.job_id == job_id]:
            del self._t.runs[run_id]

    def job_timings(self) -> dict[str, tuple[Job, JobTiming]]:
        return {
            job_id: (copy.deepcopy(job), self._t.timings[job_id])
            for job_id, job in self._t.jobs.items()
        }

    def last_runs(self) -> dict[str, RunRecord]:
        last: dict[str, RunRecord] = {}
        for run in self._t.runs.values():
            seen = last.get(run.job_id)
            if seen is None or run.started_at >= seen.started_at:
                last[run.job_id] = run
        return last

    # -- revisions -------------------------------------------------------------------------

    def latest_revision(self, tracker_id: int) -> Revision | None:
        newest = self.list_revisions(tracker_id, 1)
        return newest[0] if newest else None

    def list_revisions(
        self, tracker_id: int, limit: int | None = None, *, before: int | None = None
    ) -> list[Revision]:
        ids = [i for i in self._revision_ids(tracker_id) if before is None or i < before]
        if limit is not None and limit >= 0:  # SQLite's LIMIT: a negative one is no limit
            ids = ids[:limit]
        return [_revision(self._t.revisions[i]) for i in ids]

    def list_revision_info(self, tracker_id: int) -> list[RevisionInfo]:
        return [
            RevisionInfo(r.id, r.tracker_id, r.created_at, r.final_url, r.status, r.kind)
            for r in (self._t.revisions[i] for i in self._revision_ids(tracker_id))
        ]

    def get_revision(self, revision_id: int) -> Revision:
        try:
            return _revision(self._t.revisions[revision_id])
        except KeyError:
            raise UnknownRevision(f"no revision has the id {revision_id}") from None

    def save_revision(
        self,
        tracker_id: int,
        final_url: str,
        status: int,
        snapshot: Mapping[str, Any],
        keep: int,
        now: float,
    ) -> int:
        tracker = self._t.trackers.get(tracker_id)
        if tracker is None:
            raise UnknownTracker(f"no tracker has the id {tracker_id}")
        revision_id = _next_id(self._t.revisions)
        self._t.revisions[revision_id] = StoredRevision(
            revision_id,
            tracker_id,
            now,
            final_url,
            status,
            tracker.kind,
            json.loads(json.dumps(snapshot)),
        )
        self._trim_revisions(tracker_id, keep)
        return revision_id

    def clear_revisions(self, tracker_id: int) -> None:
        self._drop_revisions(self._revision_ids(tracker_id))

    def _revision_ids(self, tracker_id: int) -> list[int]:
        """Newest first."""
        return sorted(
            (i for i, r in self._t.revisions.items() if r.tracker_id == tracker_id), reverse=True
        )

    def _trim_revisions(self, tracker_id: int, keep: int) -> None:
        self._drop_revisions(self._revision_ids(tracker_id)[max(keep, 0) :])

    def _drop_revisions(self, ids: Sequence[int]) -> None:
        gone = set(ids)
        for revision_id in gone:
            self._t.revisions.pop(revision_id, None)
        self._t.bodies.unlink(gone)
        for notification_id, n in self._t.notifications.items():
            if n.revision_id in gone:
                self._t.notifications[notification_id] = replace(n, revision_id=None)

    # -- notifications ---------------------------------------------------------------------

    def insert_notification(self, notification: Notification) -> Notification:
        if notification.tracker_id not in self._t.trackers or (
            notification.revision_id is not None
            and notification.revision_id not in self._t.revisions
        ):
            raise sqlite3.IntegrityError("FOREIGN KEY constraint failed")
        notification_id = _next_id(self._t.notifications)
        # The stored one is unread, whatever `read_at` it came with (SQLite's insert leaves
        # the column out); the one returned is the one given, with its id.
        self._t.notifications[notification_id] = replace(
            notification,
            kind=NotificationKind(notification.kind),
            id=notification_id,
            read_at=None,
        )
        return replace(notification, id=notification_id)

    def list_notifications(
        self, *, unread_only: bool = False, limit: int = 200
    ) -> list[Notification]:
        found = [
            self._t.notifications[i]
            for i in sorted(self._t.notifications, reverse=True)
            if not unread_only or self._t.notifications[i].read_at is None
        ]
        return found[:limit] if limit >= 0 else found

    def unread_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for n in self._t.notifications.values():
            if n.read_at is None:
                counts[n.tracker_id] = counts.get(n.tracker_id, 0) + 1
        return counts

    def mark_notifications_read(self, ids: Sequence[int] | None, now: float) -> None:
        chosen = self._t.notifications.keys() if ids is None else ids
        for notification_id in list(chosen):
            n = self._t.notifications.get(notification_id)
            if n is not None and n.read_at is None:
                self._t.notifications[notification_id] = replace(n, read_at=now)

    # -- failure streaks -------------------------------------------------------------------

    def get_failure_streak(self, tracker_id: int) -> FailureStreak | None:
        return self._t.streaks.get(tracker_id)

    def list_failure_streaks(self) -> dict[int, FailureStreak]:
        return dict(self._t.streaks)

    def save_failure_streak(self, streak: FailureStreak) -> None:
        if streak.tracker_id not in self._t.trackers:
            raise sqlite3.IntegrityError("FOREIGN KEY constraint failed")
        old = self._t.streaks.get(streak.tracker_id)
        if old is None:
            self._t.streaks[streak.tracker_id] = replace(streak, notified=bool(streak.notified))
        else:
            self._t.streaks[streak.tracker_id] = replace(
                old, error=streak.error, updated_at=streak.updated_at
            )

    def end_failure_streak(self, tracker_id: int) -> FailureStreak | None:
        return self._t.streaks.pop(tracker_id, None)

    # -- bodies ----------------------------------------------------------------------------

    def keep_bodies(
        self, revision_id: int, bodies: Sequence[CapturedBody], digests: Sequence[str], now: float
    ) -> list[str]:
        return self._t.bodies.keep(revision_id, bodies, digests, now)

    def get_body(self, digest: str) -> bytes | None:
        return self._t.bodies.get(digest)

    def linked_bodies(self, revision_id: int) -> set[str]:
        return set(self._t.bodies.links.get(revision_id, set()))

    def get_beautified(self, digest: str, language: str, version: str) -> Beautified | None:
        return self._t.bodies.get_beautified(digest, language, version)

    def save_beautified(
        self, digest: str, language: str, version: str, beautified: Beautified
    ) -> None:
        self._t.bodies.save_beautified(digest, language, version, beautified)

    def body_bytes(self) -> int:
        return self._t.bodies.stored_bytes()

    def trim_bodies(self, cap: int) -> list[str]:
        revisions = self._t.revisions
        tracker_of = {i: r.tracker_id for i, r in revisions.items()}
        return self._t.bodies.trim(cap, latest_revision_ids(revisions, tracker_of))

    def read_settings(self) -> dict[str, str]:
        return dict(self._t.settings)

    def write_settings(self, settings: Mapping[str, str]) -> None:
        self._t.settings.update(settings)

    # -- helpers ---------------------------------------------------------------------------

    def _refuse_duplicate(self, tracker: Tracker) -> None:
        for other in self._t.trackers.values():
            if other.id != tracker.id and (other.kind, other.name) == (tracker.kind, tracker.name):
                raise DuplicateTracker(
                    f"a {tracker.kind} tracker named {quote(tracker.name)} exists already: "
                    "choose another name"
                )


def _outcome(work: Callable[[], T]) -> Awaitable[T]:
    """Do the work now; its result (or its error) arrives through the returned future."""
    future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    try:
        future.set_result(work())
    except Exception as error:
        future.set_exception(error)
    return future


def _next_id(rows: Mapping[int, object]) -> int:
    return max(rows, default=0) + 1


def _fetched(tracker: Tracker) -> tuple[object, ...]:
    """What a check fetches. Headers compare as the stored JSON text, as SQLite compares them
    (the same headers in another order count as a change)."""
    return (tracker.kind, tracker.url, json.dumps(tracker.headers), bool(tracker.verify_tls))


def _as_stored(t: Tracker) -> Tracker:
    """The tracker as the file gives it back: every field through its stored form."""
    return replace(
        t,
        revisions=int(t.revisions),
        headers=json.loads(json.dumps(t.headers)),
        retry=RetryStrategy.from_stored(json.loads(json.dumps(t.retry.to_dict()))),
        notify=bool(t.notify),
        ignore=tuple(json.loads(json.dumps(list(t.ignore)))),
        mask=tuple(json.loads(json.dumps(list(t.mask)))),
        options=json.loads(json.dumps(t.options)),
        verify_tls=bool(t.verify_tls),
        enabled=bool(t.enabled),
    )


def _revision(stored: StoredRevision) -> Revision:
    return Revision(
        stored.id,
        stored.tracker_id,
        stored.created_at,
        stored.final_url,
        stored.status,
        stored.kind,
        kind_for(stored.kind).snapshot_from_json(copy.deepcopy(stored.snapshot)),
    )
