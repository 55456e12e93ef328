"""`TrackerStore` on SQLite: each transaction a function of the connection, on its thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from desktop_tracker.core.jobs import Job, JobTiming, RunRecord
from desktop_tracker.domain.bodies import Beautified, CapturedBody
from desktop_tracker.domain.revisions import (
    FailureStreak,
    Notification,
    Revision,
    RevisionInfo,
)
from desktop_tracker.domain.tracker_store import TrackerTransaction
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.store import body_repository as body_repo
from desktop_tracker.store import tracker_repository as repo
from desktop_tracker.store.database import Database
from desktop_tracker.store.job_repository import SqliteJobStore

T = TypeVar("T")


class SqliteTrackerTransaction:
    """The repository's functions on one connection, inside the transaction it is in."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def insert_tracker(self, tracker: Tracker) -> Tracker:
        return repo.insert_tracker(self._conn, tracker)

    def update_tracker(self, tracker: Tracker) -> Tracker:
        return repo.update_tracker(self._conn, tracker)

    def delete_tracker(self, tracker_id: int) -> None:
        repo.delete_tracker(self._conn, tracker_id)

    def list_trackers(self) -> list[Tracker]:
        return repo.list_trackers(self._conn)

    def get_tracker(self, tracker_id: int) -> Tracker:
        return repo.get_tracker(self._conn, tracker_id)

    def find_tracker(self, name: str) -> Tracker:
        return repo.find_tracker(self._conn, name)

    def write_jobs(self, jobs: Sequence[tuple[Job, JobTiming]]) -> None:
        SqliteJobStore.write_jobs(self._conn, jobs)

    def delete_job(self, job_id: str) -> None:
        SqliteJobStore.delete_job_in(self._conn, job_id)

    def job_timings(self) -> dict[str, tuple[Job, JobTiming]]:
        return {job.id: (job, timing) for job, timing in SqliteJobStore.list_jobs_in(self._conn)}

    def last_runs(self) -> dict[str, RunRecord]:
        return SqliteJobStore.last_runs_in(self._conn)

    def latest_revision(self, tracker_id: int) -> Revision | None:
        return repo.latest_revision(self._conn, tracker_id)

    def list_revisions(
        self, tracker_id: int, limit: int | None = None, *, before: int | None = None
    ) -> list[Revision]:
        return repo.list_revisions(self._conn, tracker_id, limit, before=before)

    def list_revision_info(self, tracker_id: int) -> list[RevisionInfo]:
        return repo.list_revision_info(self._conn, tracker_id)

    def get_revision(self, revision_id: int) -> Revision:
        return repo.get_revision(self._conn, revision_id)

    def save_revision(
        self,
        tracker_id: int,
        final_url: str,
        status: int,
        snapshot: Mapping[str, Any],
        keep: int,
        now: float,
    ) -> int:
        return repo.save_revision(self._conn, tracker_id, final_url, status, snapshot, keep, now)

    def clear_revisions(self, tracker_id: int) -> None:
        repo.clear_revisions(self._conn, tracker_id)

    def insert_notification(self, notification: Notification) -> Notification:
        return repo.insert_notification(self._conn, notification)

    def list_notifications(
        self, *, unread_only: bool = False, limit: int = 200
    ) -> list[Notification]:
        return repo.list_notifications(self._conn, unread_only=unread_only, limit=limit)

    def unread_counts(self) -> dict[int, int]:
        return repo.unread_counts(self._conn)

    def mark_notifications_read(self, ids: Sequence[int] | None, now: float) -> None:
        repo.mark_notifications_read(self._conn, ids, now)

    def get_failure_streak(self, tracker_id: int) -> FailureStreak | None:
        return repo.get_failure_streak(self._conn, tracker_id)

    def list_failure_streaks(self) -> dict[int, FailureStreak]:
        return repo.list_failure_streaks(self._conn)

    def save_failure_streak(self, streak: FailureStreak) -> None:
        repo.save_failure_streak(self._conn, streak)

    def end_failure_streak(self, tracker_id: int) -> FailureStreak | None:
        return repo.end_failure_streak(self._conn, tracker_id)

    def keep_bodies(
        self,
        revision_id: int,
        bodies: Sequence[CapturedBody],
        digests: Sequence[str],
        now: float,
    ) -> list[str]:
        return body_repo.keep_bodies(self._conn, revision_id, bodies, digests, now)

    def get_body(self, digest: str) -> bytes | None:
        return body_repo.get_body(self._conn, digest)

    def linked_bodies(self, revision_id: int) -> set[str]:
        return body_repo.linked_bodies(self._conn, revision_id)

    def get_beautified(self, digest: str, language: str, version: str) -> Beautified | None:
        return body_repo.get_beautified(self._conn, digest, language, version)

    def save_beautified(
        self, digest: str, language: str, version: str, beautified: Beautified
    ) -> None:
        body_repo.save_beautified(self._conn, digest, language, version, beautified)

    def body_bytes(self) -> int:
        return body_repo.stored_bytes(self._conn)

    def trim_bodies(self, cap: int) -> list[str]:
        return body_repo.trim_bodies(self._conn, cap)

    def read_settings(self) -> dict[str, str]:
        return repo.read_settings(self._conn)

    def write_settings(self, settings: Mapping[str, str]) -> None:
        repo.write_settings(self._conn, settings)


class SqliteTrackerStore:
    """Transactions on the data file's database thread, in call order (writes group-committed)."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._jobs = SqliteJobStore(database)

    def read(self, work: Callable[[TrackerTransaction], T]) -> Awaitable[T]:
        return self._db.run(lambda conn: work(SqliteTrackerTransaction(conn)))

    def write(self, work: Callable[[TrackerTransaction], T]) -> Awaitable[T]:
        return self._db.run(lambda conn: work(SqliteTrackerTransaction(conn)), write=True)

    def runs_for(self, job_id: str, limit: int = 100) -> Awaitable[list[RunRecord]]:
        return self._jobs.runs_for(job_id, limit)

    def prune_runs(self, before: float) -> Awaitable[None]:
        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM runs WHERE ended_at IS NOT NULL AND started_at < ?", (before,)
            )

        return self._db.run(work, write=True)
