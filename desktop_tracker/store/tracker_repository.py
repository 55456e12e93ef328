"""Trackers, their revisions (each kind's snapshot, compressed) and notifications, on SQLite.

Each is a plain function of a connection, run on the database thread inside a transaction;
`SqliteTrackerStore` (store/tracker_store.py) offers them through the `TrackerStore` interface.
"""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from desktop_tracker.core.quoting import quote
from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.domain.revisions import (
    FailureStreak,
    Notification,
    NotificationKind,
    Revision,
    RevisionInfo,
)
from desktop_tracker.domain.tracker_store import DuplicateTracker, UnknownRevision, UnknownTracker
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.kinds.registry import kind_for

__all__ = ["DuplicateTracker", "UnknownRevision", "UnknownTracker"]

_TRACKER_COLUMNS = (
    "id, name, kind, url, revisions, headers, schedule, timezone, retry, notify, ignore, "
    "verify_tls, enabled, mask, options"
)


# -- trackers -------------------------------------------------------------------------------------


def insert_tracker(conn: sqlite3.Connection, tracker: Tracker) -> Tracker:
    """Insert a validated tracker; returns it with its id. :raises DuplicateTracker:"""
    now = time.time()
    try:
        cursor = conn.execute(
            "INSERT INTO trackers (name, kind, url, revisions, headers, schedule, timezone, "
            "retry, notify, ignore, verify_tls, enabled, mask, options, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*_tracker_values(tracker), now, now),
        )
    except sqlite3.IntegrityError:
        raise _duplicate(tracker) from None
    return _with_id(tracker, int(cursor.lastrowid or 0))


def update_tracker(conn: sqlite3.Connection, tracker: Tracker) -> Tracker:
    """:raises UnknownTracker, DuplicateTracker:

    An edit of what is fetched (kind, URL, headers, TLS verification) ends the tracker's failure
    streak: whether the new settings fail too is told afresh, and no "works again" follows. A
    change of kind drops the revisions: they are snapshots of another kind.
    """
    before = conn.execute(
        "SELECT kind, url, headers, verify_tls FROM trackers WHERE id = ?", (tracker.id,)
    ).fetchone()
    # The row first: a refused name changes nothing, even if the caller's work goes on.
    try:
        cursor = conn.execute(
            "UPDATE trackers SET name = ?, kind = ?, url = ?, revisions = ?, headers = ?, "
            "schedule = ?, timezone = ?, retry = ?, notify = ?, ignore = ?, verify_tls = ?, "
            "enabled = ?, mask = ?, options = ?, updated_at = ? WHERE id = ?",
            (*_tracker_values(tracker), time.time(), tracker.id),
        )
    except sqlite3.IntegrityError:
        raise _duplicate(tracker) from None
    if before is not None:
        fetched = (tracker.kind, tracker.url, json.dumps(tracker.headers), int(tracker.verify_tls))
        if tuple(before) != fetched:
            conn.execute("DELETE FROM failure_streaks WHERE tracker_id = ?", (tracker.id,))
        if before[0] != tracker.kind:
            clear_revisions(conn, _require_id(tracker))
    if cursor.rowcount == 0:
        raise UnknownTracker(f"no tracker has the id {tracker.id}")
    trim_revisions(conn, _require_id(tracker), tracker.revisions)
    return tracker


def delete_tracker(conn: sqlite3.Connection, tracker_id: int) -> None:
    clear_revisions(conn, tracker_id)
    conn.execute("DELETE FROM trackers WHERE id = ?", (tracker_id,))


def list_trackers(conn: sqlite3.Connection) -> list[Tracker]:
    rows = conn.execute(f"SELECT {_TRACKER_COLUMNS} FROM trackers ORDER BY id")
    return [_tracker_from_row(row) for row in rows]


def get_tracker(conn: sqlite3.Connection, tracker_id: int) -> Tracker:
    row = conn.execute(
        f"SELECT {_TRACKER_COLUMNS} FROM trackers WHERE id = ?", (tracker_id,)
    ).fetchone()
    if row is None:
        raise UnknownTracker(f"no tracker has the id {tracker_id}")
    return _tracker_from_row(row)


def find_tracker(conn: sqlite3.Connection, name: str) -> Tracker:
    """By name (any kind). :raises UnknownTracker: with the names that exist."""
    row = conn.execute(
        f"SELECT {_TRACKER_COLUMNS} FROM trackers WHERE name = ? ORDER BY id LIMIT 1", (name,)
    ).fetchone()
    if row is None:
        names = [r[0] for r in conn.execute("SELECT name FROM trackers ORDER BY name LIMIT 20")]
        known = f" (trackers: {', '.join(names)})" if names else " (there are no trackers yet)"
        raise UnknownTracker(f"no tracker is named {quote(name)}{known}")
    return _tracker_from_row(row)


def _tracker_values(t: Tracker) -> tuple[object, ...]:
    return (
        t.name,
        t.kind,
        t.url,
        t.revisions,
        json.dumps(t.headers),
        t.schedule,
        t.timezone,
        json.dumps(t.retry.to_dict()),
        int(t.notify),
        json.dumps(list(t.ignore)),
        int(t.verify_tls),
        int(t.enabled),
        json.dumps(list(t.mask)),
        json.dumps(t.options),
    )


def _tracker_from_row(row: Sequence[object]) -> Tracker:
    return Tracker(
        id=int(str(row[0])),
        name=str(row[1]),
        kind=str(row[2]),
        url=str(row[3]),
        revisions=int(str(row[4])),
        headers=json.loads(str(row[5])),
        schedule=str(row[6]),
        timezone=str(row[7]),
        retry=RetryStrategy.from_stored(json.loads(str(row[8]))),
        notify=bool(row[9]),
        ignore=tuple(json.loads(str(row[10]))),
        verify_tls=bool(row[11]),
        enabled=bool(row[12]),
        mask=tuple(json.loads(str(row[13]))),
        options=json.loads(str(row[14])),
    )


def _with_id(tracker: Tracker, tracker_id: int) -> Tracker:
    return replace(tracker, id=tracker_id)


def _require_id(tracker: Tracker) -> int:
    if tracker.id is None:
        raise UnknownTracker("the tracker has not been saved")
    return tracker.id


def _duplicate(tracker: Tracker) -> DuplicateTracker:
    return DuplicateTracker(
        f"a {tracker.kind} tracker named {quote(tracker.name)} exists already: choose another name"
    )


# -- revisions ------------------------------------------------------------------------------------

_REVISION_COLUMNS = "id, tracker_id, created_at, final_url, status, kind, snapshot"


def latest_revision(conn: sqlite3.Connection, tracker_id: int) -> Revision | None:
    row = conn.execute(
        f"SELECT {_REVISION_COLUMNS} FROM revisions WHERE tracker_id = ? ORDER BY id DESC LIMIT 1",
        (tracker_id,),
    ).fetchone()
    return _revision_from_row(row) if row else None


def list_revisions(
    conn: sqlite3.Connection,
    tracker_id: int,
    limit: int | None = None,
    *,
    before: int | None = None,
) -> list[Revision]:
    """Newest first; with `before`, only those older than the revision of that id."""
    rows = conn.execute(
        f"SELECT {_REVISION_COLUMNS} FROM revisions WHERE tracker_id = ? AND id < ? "
        "ORDER BY id DESC LIMIT ?",
        (tracker_id, _NO_BOUND if before is None else before, -1 if limit is None else limit),
    )
    return [_revision_from_row(row) for row in rows]


_NO_BOUND = 2**63 - 1  # above every rowid


def list_revision_info(conn: sqlite3.Connection, tracker_id: int) -> list[RevisionInfo]:
    """Newest first, without their snapshots: none is read, decompressed or parsed."""
    rows = conn.execute(
        "SELECT id, tracker_id, created_at, final_url, status, kind FROM revisions "
        "WHERE tracker_id = ? ORDER BY id DESC",
        (tracker_id,),
    )
    return [
        RevisionInfo(int(r[0]), int(r[1]), float(r[2]), str(r[3]), int(r[4]), str(r[5]))
        for r in rows
    ]


def get_revision(conn: sqlite3.Connection, revision_id: int) -> Revision:
    row = conn.execute(
        f"SELECT {_REVISION_COLUMNS} FROM revisions WHERE id = ?", (revision_id,)
    ).fetchone()
    if row is None:
        raise UnknownRevision(f"no revision has the id {revision_id}")
    return _revision_from_row(row)


def save_revision(
    conn: sqlite3.Connection,
    tracker_id: int,
    final_url: str,
    status: int,
    snapshot: Mapping[str, Any],
    keep: int,
    now: float,
) -> int:
    """Store a revision of the tracker's kind and trim to `keep`; returns its id.

    One statement, whatever the snapshot holds: the sqlite3 module lets go of the GIL at every
    step of a statement and then waits behind the threads that check pages to have it back.
    """
    cursor = conn.execute(
        "INSERT INTO revisions (tracker_id, created_at, final_url, status, kind, snapshot) "
        "SELECT id, ?, ?, ?, kind, ? FROM trackers WHERE id = ?",
        (now, final_url, status, _compressed(snapshot), tracker_id),
    )
    if cursor.rowcount == 0:
        raise UnknownTracker(f"no tracker has the id {tracker_id}")
    revision_id = int(cursor.lastrowid or 0)
    trim_revisions(conn, tracker_id, keep)
    return revision_id


def trim_revisions(conn: sqlite3.Connection, tracker_id: int, keep: int) -> None:
    conn.execute(
        "DELETE FROM revisions WHERE id IN (SELECT id FROM revisions WHERE tracker_id = ? "
        "ORDER BY id DESC LIMIT -1 OFFSET ?)",
        (tracker_id, keep),
    )


def clear_revisions(conn: sqlite3.Connection, tracker_id: int) -> None:
    conn.execute("DELETE FROM revisions WHERE tracker_id = ?", (tracker_id,))


def _compressed(snapshot: Mapping[str, Any]) -> bytes:
    # Compact separators and level 6: pages' texts and resource lists compress 4-10 times.
    return zlib.compress(json.dumps(snapshot, separators=(",", ":")).encode(), 6)


def _revision_from_row(row: Sequence[Any]) -> Revision:
    kind = str(row[5])
    data = json.loads(zlib.decompress(row[6]))
    return Revision(
        int(row[0]),
        int(row[1]),
        float(row[2]),
        str(row[3]),
        int(row[4]),
        kind,
        kind_for(kind).snapshot_from_json(data),
    )


# -- notifications --------------------------------------------------------------------------------


def insert_notification(conn: sqlite3.Connection, n: Notification) -> Notification:
    """Returned with its id."""
    cursor = conn.execute(
        "INSERT INTO notifications (tracker_id, kind, title, body, revision_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (n.tracker_id, n.kind.value, n.title, n.body, n.revision_id, n.created_at),
    )
    return replace(n, id=int(cursor.lastrowid or 0))


def list_notifications(
    conn: sqlite3.Connection, *, unread_only: bool = False, limit: int = 200
) -> list[Notification]:
    where = "WHERE read_at IS NULL" if unread_only else ""
    rows = conn.execute(
        "SELECT id, tracker_id, kind, title, body, revision_id, created_at, read_at "
        f"FROM notifications {where} ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [
        Notification(
            tracker_id=row[1],
            kind=NotificationKind(row[2]),
            title=row[3],
            body=row[4],
            revision_id=row[5],
            created_at=row[6],
            id=row[0],
            read_at=row[7],
        )
        for row in rows
    ]


def unread_counts(conn: sqlite3.Connection) -> dict[int, int]:
    """Unread notifications per tracker id."""
    rows = conn.execute(
        "SELECT tracker_id, count(*) FROM notifications WHERE read_at IS NULL GROUP BY tracker_id"
    )
    return {int(row[0]): int(row[1]) for row in rows}


def mark_notifications_read(
    conn: sqlite3.Connection, ids: Sequence[int] | None, now: float
) -> None:
    """Mark the given notifications (or all, when None) read."""
    if ids is None:
        conn.execute("UPDATE notifications SET read_at = ? WHERE read_at IS NULL", (now,))
    else:
        conn.executemany(
            "UPDATE notifications SET read_at = ? WHERE id = ? AND read_at IS NULL",
            [(now, i) for i in ids],
        )


# -- failure streaks ------------------------------------------------------------------------------


def get_failure_streak(conn: sqlite3.Connection, tracker_id: int) -> FailureStreak | None:
    row = conn.execute(
        f"SELECT {_STREAK_COLUMNS} FROM failure_streaks WHERE tracker_id = ?", (tracker_id,)
    ).fetchone()
    return _streak_from_row(row) if row is not None else None


def list_failure_streaks(conn: sqlite3.Connection) -> dict[int, FailureStreak]:
    """Every tracker failing now, by tracker id."""
    rows = conn.execute(f"SELECT {_STREAK_COLUMNS} FROM failure_streaks")
    return {int(row[0]): _streak_from_row(row) for row in rows}


def save_failure_streak(conn: sqlite3.Connection, streak: FailureStreak) -> None:
    """Start a streak, or carry on one (its `since` and `notified` stay as they were)."""
    conn.execute(
        "INSERT INTO failure_streaks (tracker_id, since, error, notified, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tracker_id) DO UPDATE SET "
        "error = excluded.error, updated_at = excluded.updated_at",
        (streak.tracker_id, streak.since, streak.error, int(streak.notified), streak.updated_at),
    )


def end_failure_streak(conn: sqlite3.Connection, tracker_id: int) -> FailureStreak | None:
    """End the tracker's streak, if it has one; returns it."""
    streak = get_failure_streak(conn, tracker_id)
    if streak is not None:
        conn.execute("DELETE FROM failure_streaks WHERE tracker_id = ?", (tracker_id,))
    return streak


_STREAK_COLUMNS = "tracker_id, since, error, notified, updated_at"


def read_settings(conn: sqlite3.Connection) -> dict[str, str]:
    return {str(key): str(value) for key, value in conn.execute("SELECT key, value FROM settings")}


def write_settings(conn: sqlite3.Connection, settings: Mapping[str, str]) -> None:
    conn.executemany(
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        list(settings.items()),
    )


def _streak_from_row(row: Sequence[object]) -> FailureStreak:
    return FailureStreak(
        tracker_id=int(str(row[0])),
        since=float(str(row[1])),
        error=str(row[2]),
        notified=bool(row[3]),
        updated_at=float(str(row[4])),
    )
