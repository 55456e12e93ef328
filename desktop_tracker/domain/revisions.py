"""Revisions of a tracked page, and the notifications that tell the user about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from desktop_tracker.domain.resources import Resource


@dataclass(frozen=True, slots=True)
class Revision:
    """A changed result of a tracker, kept; the oldest are trimmed to the tracker's limit."""

    id: int
    tracker_id: int
    created_at: float
    final_url: str
    status: int
    resources: list[Resource] = field(default_factory=list)


class NotificationKind(StrEnum):
    CHANGE = "change"
    FAILURE = "failure"


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
