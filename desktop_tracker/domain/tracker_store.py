"""The persistence trackers need, as an interface; `store/` implements it on SQLite.

The service composes its work as a function of one `TrackerTransaction` and hands it to
`TrackerStore.read` or `.write`: everything such a function does happens at once or not at all
(a check's revision, its notification and the end of a failure streak; a tracker and its job).
The function runs on the store's own thread: it must not await, and it should be quick.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from desktop_tracker.core.jobs import Job, JobTiming, RunRecord
from desktop_tracker.domain.bodies import Beautified, CapturedBody
from desktop_tracker.domain.revisions import (
    FailureStreak,
    Notification,
    Revision,
    RevisionInfo,
)
from desktop_tracker.domain.trackers import Tracker

T = TypeVar("T")


class DuplicateTracker(ValueError):
    """Another tracker of the same kind has that name."""


class UnknownTracker(LookupError):
    """No tracker has that id or name."""


class UnknownRevision(LookupError):
    """No revision has that id (it was trimmed, or its tracker removed)."""


class TrackerTransaction(Protocol):
    """What can be done inside one transaction. Plain (not async) methods."""

    # -- trackers and their jobs -----------------------------------------------------------
    def insert_tracker(self, tracker: Tracker) -> Tracker:
        """A validated tracker saved; returned with its id. :raises DuplicateTracker:"""
        ...

    def update_tracker(self, tracker: Tracker) -> Tracker:
        """Saved over the stored one with its id. A change of kind drops its revisions (they
        are of another kind); a change of what is fetched (kind, URL, headers, TLS) ends its
        failure streak. :raises UnknownTracker, DuplicateTracker:"""
        ...

    def delete_tracker(self, tracker_id: int) -> None: ...

    def list_trackers(self) -> list[Tracker]: ...

    def get_tracker(self, tracker_id: int) -> Tracker:
        """:raises UnknownTracker:"""
        ...

    def find_tracker(self, name: str) -> Tracker:
        """By name. :raises UnknownTracker: naming some trackers that exist."""
        ...

    def write_jobs(self, jobs: Sequence[tuple[Job, JobTiming]]) -> None: ...

    def delete_job(self, job_id: str) -> None: ...

    def job_timings(self) -> dict[str, tuple[Job, JobTiming]]: ...

    def last_runs(self) -> dict[str, RunRecord]: ...

    # -- revisions -------------------------------------------------------------------------
    def latest_revision(self, tracker_id: int) -> Revision | None: ...

    def list_revisions(
        self, tracker_id: int, limit: int | None = None, *, before: int | None = None
    ) -> list[Revision]:
        """Newest first; with `before`, only those older than the revision of that id."""
        ...

    def list_revision_info(self, tracker_id: int) -> list[RevisionInfo]:
        """Every kept revision of the tracker, newest first, without its snapshot."""
        ...

    def get_revision(self, revision_id: int) -> Revision:
        """:raises UnknownRevision:"""
        ...

    def save_revision(
        self,
        tracker_id: int,
        final_url: str,
        status: int,
        snapshot: Mapping[str, Any],
        keep: int,
        now: float,
    ) -> int:
        """Keep a snapshot (its kind's JSON form) as the tracker's newest revision and trim
        the oldest beyond `keep`; returns its id."""
        ...

    def clear_revisions(self, tracker_id: int) -> None: ...

    # -- notifications ---------------------------------------------------------------------
    def insert_notification(self, notification: Notification) -> Notification:
        """Returned with its id."""
        ...

    def list_notifications(
        self, *, unread_only: bool = False, limit: int = 200
    ) -> list[Notification]:
        """Newest first."""
        ...

    def unread_counts(self) -> dict[int, int]: ...

    def mark_notifications_read(self, ids: Sequence[int] | None, now: float) -> None:
        """The given notifications, or all of them when None."""
        ...

    # -- failure streaks -------------------------------------------------------------------
    def get_failure_streak(self, tracker_id: int) -> FailureStreak | None: ...

    def list_failure_streaks(self) -> dict[int, FailureStreak]: ...

    def save_failure_streak(self, streak: FailureStreak) -> None:
        """Start a streak, or carry on one (its `since` and `notified` stay as they were)."""
        ...

    def end_failure_streak(self, tracker_id: int) -> FailureStreak | None:
        """End the tracker's streak, if it has one; returns it."""
        ...

    # -- bodies of scripts and stylesheets (domain/bodies.py) ------------------------------
    def keep_bodies(
        self,
        revision_id: int,
        bodies: Sequence[CapturedBody],
        digests: Sequence[str],
        now: float,
    ) -> list[str]:
        """Keep the bodies not kept yet (each once, compressed), then link the revision to each
        of `digests` that is kept; returns the digests this call kept. Removing a revision
        (trimmed, cleared, its tracker deleted) removes its links."""
        ...

    def get_body(self, digest: str) -> bytes | None: ...

    def linked_bodies(self, revision_id: int) -> set[str]:
        """The digests the revision was linked to, whether kept still or dropped since."""
        ...

    def get_beautified(self, digest: str, language: str, version: str) -> Beautified | None: ...

    def save_beautified(
        self, digest: str, language: str, version: str, beautified: Beautified
    ) -> None:
        """Keep it beside its body (not at all if the body is not kept); other versions go."""
        ...

    def body_bytes(self) -> int:
        """The compressed size of every kept body and beautified text."""
        ...

    def trim_bodies(self, cap: int) -> list[str]:
        """Drop bodies until the kept ones fit in `cap` bytes: those no revision links to,
        least recently linked first, then those whose newest revision is the oldest; never one
        of a tracker's latest revision. Returns the digests dropped."""
        ...

    # The user's preferences, as stored text by name (domain/preferences.py reads them).
    def read_settings(self) -> dict[str, str]: ...

    def write_settings(self, settings: Mapping[str, str]) -> None:
        """Set these keys; keys not given keep their value."""
        ...


class TrackerStore(Protocol):
    """Runs transactions on the stored trackers, in the order they are called."""

    def read(self, work: Callable[[TrackerTransaction], T]) -> Awaitable[T]: ...

    def write(self, work: Callable[[TrackerTransaction], T]) -> Awaitable[T]: ...

    def runs_for(self, job_id: str, limit: int = 100) -> Awaitable[list[RunRecord]]:
        """The job's most recent runs, newest first."""
        ...

    def prune_runs(self, before: float) -> Awaitable[None]:
        """Forget finished runs that started before `before`."""
        ...
