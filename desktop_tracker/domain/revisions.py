"""Revisions of a tracked page, and the notifications that tell the user about them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class Revision:
    """A changed result of a tracker, kept; the oldest are trimmed to the tracker's limit."""

    id: int
    tracker_id: int
    created_at: float
    final_url: str
    status: int
    kind: str  # the tracker's kind when it was taken: kinds.registry.kind_for(kind) reads it
    snapshot: Any  # that kind's Snapshot

    @property
    def resources(self) -> Any:
        """The resources of a resources tracker's revision (tests and the self-test)."""
        return self.snapshot.resources


@dataclass(frozen=True, slots=True)
class RevisionInfo:
    """A kept revision without its snapshot: what a list of revisions shows of it, read cheaply
    however many there are."""

    id: int
    tracker_id: int
    created_at: float
    final_url: str
    status: int
    kind: str


class NotificationKind(StrEnum):
    CHANGE = "change"
    FAILURE = "failure"
    RECOVERED = "recovered"  # "works again", after a failure that was told


@dataclass(frozen=True, slots=True)
class Notification:
    """Stored before it is shown, so nothing is lost when the desktop shows nothing."""

    tracker_id: int
    kind: NotificationKind
    title: str
    body: str
    created_at: float
    revision_id: int | None = None
    id: int | None = None
    read_at: float | None = None

    @property
    def headline(self) -> str:
        """Title and the body's first line on one line ("Change detected: Shop — 1 added"), for
        lists that show one line a notification: each part is said once."""
        title = " ".join(self.title.split())
        first = next((line for line in self.body.splitlines() if line.strip()), "")
        first = " ".join(first.split())
        return f"{title} — {first}" if first else title


@dataclass(frozen=True, slots=True)
class FailureStreak:
    """A tracker whose checks fail: from the first run that failed for good (its retries used
    up) until a check succeeds. Stored, so a restart does not tell the failure again.

    `notified`: the failure was told (the tracker notified then); only then is its end told
    ("works again"). `error` is the latest failed run's, `updated_at` when that run failed.
    """

    tracker_id: int
    since: float
    error: str
    notified: bool
    updated_at: float
