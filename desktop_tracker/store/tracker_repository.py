"""Trackers, their revisions (fingerprints stored once) and notifications, on SQLite.

Each method is a plain function of a connection, so the app runs it on the database thread
(`Database.run`) and the command line can call it directly (`Database.call`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import replace

from desktop_tracker.core.quoting import quote
from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.domain.resources import PageResources, Resource
from desktop_tracker.domain.revisions import (
    FailureStreak,
    Notification,
    NotificationKind,
    Revision,
)
from desktop_tracker.domain.trackers import Tracker, TrackerKind

_TRACKER_COLUMNS = (
    "id, name, kind, url, revisions, headers, schedule, timezone, retry, notify, ignore, "
    "verify_tls, enabled"
)


class DuplicateTracker(ValueError):
    """Another tracker of the same kind has that name."""


class UnknownTracker(LookupError):
    """No tracker has that id or name."""


# -- trackers -------------------------------------------------------------------------------------


def insert_tracker(conn: sqlite3.Connection, tracker: Tracker) -> Tracker:
    """Insert a validated tracker; returns it with its id. :raises DuplicateTracker:"""
    now = time.time()
    try:
        cursor = conn.execute(
            "INSERT INTO trackers (name, kind, url, revisions, headers, schedule, timezone, "
            "retry, notify, ignore, verify_tls, enabled, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*_tracker_values(tracker), now, now),
        )
    except sqlite3.IntegrityError:
        raise _duplicate(tracker) from None
    return _with_id(tracker, int(cursor.lastrowid or 0))


def update_tracker(conn: sqlite3.Connection, tracker: Tracker) -> Tracker:
    """:raises UnknownTracker, DuplicateTracker:

    An edit of what is fetched (kind, URL, headers, TLS verification) ends the tracker's failure
    streak: whether the new settings fail too is told afresh, and no "works again" follows.
    """
    conn.execute(
        "DELETE FROM failure_streaks WHERE tracker_id = ? AND EXISTS (SELECT 1 FROM trackers "
        "WHERE id = ? AND (kind IS NOT ? OR url IS NOT ? OR headers IS NOT ? "
        "OR verify_tls IS NOT ?))",
        (
            tracker.id,
            tracker.id,
            tracker.kind.value,
            tracker.url,
            json.dumps(tracker.headers),
            int(tracker.verify_tls),
        ),
    )
    try:
        cursor = conn.execute(
            "UPDATE trackers SET name = ?, kind = ?, url = ?, revisions = ?, headers = ?, "
            "schedule = ?, timezone = ?, retry = ?, notify = ?, ignore = ?, verify_tls = ?, "
            "enabled = ?, updated_at = ? WHERE id = ?",
            (*_tracker_values(tracker), time.time(), tracker.id),
        )
    except sqlite3.IntegrityError:
        raise _duplicate(tracker) from None
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
        t.kind.value,
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
    )


def _tracker_from_row(row: Sequence[object]) -> Tracker:
    return Tracker(
        id=int(str(row[0])),
        name=str(row[1]),
        kind=TrackerKind(str(row[2])),
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
    )


def _with_id(tracker: Tracker, tracker_id: int) -> Tracker:
    return replace(tracker, id=tracker_id)


def _require_id(tracker: Tracker) -> int:
    if tracker.id is None:
        raise UnknownTracker("the tracker has not been saved")
    return tracker.id


def _duplicate(tracker: Tracker) -> DuplicateTracker:
    return DuplicateTracker(
        f"a {tracker.kind.value} tracker named {quote(tracker.name)} exists already: "
        "choose another name"
    )


# -- revisions ------------------------------------------------------------------------------------


def latest_revision(conn: sqlite3.Connection, tracker_id: int) -> Revision | None:
    row = conn.execute(
        "SELECT id FROM revisions WHERE tracker_id = ? ORDER BY id DESC LIMIT 1", (tracker_id,)
    ).fetchone()
    return get_revision(conn, int(row[0])) if row else None


def list_revisions(conn: sqlite3.Connection, tracker_id: int) -> list[Revision]:
    """Newest first, each with its resources."""
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM revisions WHERE tracker_id = ? ORDER BY id DESC", (tracker_id,)
        )
    ]
    return [get_revision(conn, revision_id) for revision_id in ids]


def get_revision(conn: sqlite3.Connection, revision_id: int) -> Revision:
    head = conn.execute(
        "SELECT id, tracker_id, created_at, final_url, status FROM revisions WHERE id = ?",
        (revision_id,),
    ).fetchone()
    if head is None:
        raise LookupError(f"no revision has the id {revision_id}")
    rows = conn.execute(
        "SELECT f.kind, f.url, f.inline, f.digest, f.size, f.integrity, f.integrity_ok, "
        "f.third_party, f.error FROM revision_resources rr "
        "JOIN fingerprints f ON f.id = rr.fingerprint_id "
        "WHERE rr.revision_id = ? ORDER BY rr.position",
        (revision_id,),
    )
    resources = [
        Resource(
            kind=row[0],
            url=row[1],
            inline=bool(row[2]),
            digest=row[3],
            size=row[4],
            integrity=row[5],
            integrity_ok=None if row[6] is None else bool(row[6]),
            third_party=bool(row[7]),
            error=row[8],
        )
        for row in rows
    ]
    return Revision(head[0], head[1], head[2], head[3], head[4], resources)


def save_revision(
    conn: sqlite3.Connection, tracker_id: int, page: PageResources, keep: int, now: float
) -> int:
    """Store a revision (each distinct fingerprint once) and trim to `keep`; returns its id."""
    cursor = conn.execute(
        "INSERT INTO revisions (tracker_id, created_at, final_url, status) VALUES (?, ?, ?, ?)",
        (tracker_id, now, page.final_url, page.status),
    )
    revision_id = int(cursor.lastrowid or 0)
    values = [_fingerprint_values(r) for r in page.resources]
    identities = [_identity(v) for v in values]
    ids = _fingerprint_ids(conn, dict(zip(identities, values, strict=True)))
    _insert_rows(
        conn,
        "INSERT INTO revision_resources (revision_id, position, fingerprint_id)",
        [(revision_id, position, ids[identity]) for position, identity in enumerate(identities)],
    )
    trim_revisions(conn, tracker_id, keep)
    return revision_id


def trim_revisions(conn: sqlite3.Connection, tracker_id: int, keep: int) -> None:
    doomed = [
        row[0]
        for row in conn.execute(
            "SELECT id FROM revisions WHERE tracker_id = ? ORDER BY id DESC LIMIT -1 OFFSET ?",
            (tracker_id, keep),
        )
    ]
    _delete_revisions(conn, doomed)


def clear_revisions(conn: sqlite3.Connection, tracker_id: int) -> None:
    ids = [
        r[0] for r in conn.execute("SELECT id FROM revisions WHERE tracker_id = ?", (tracker_id,))
    ]
    _delete_revisions(conn, ids)


def _delete_revisions(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """Delete revisions, and the fingerprints that no revision uses any more.

    Only the deleted revisions' fingerprints are looked at: sweeping the whole table after every
    check cost milliseconds that grew with the history.
    """
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        candidates = [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT fingerprint_id FROM revision_resources "
                f"WHERE revision_id IN ({marks})",
                chunk,
            )
        ]
        conn.execute(f"DELETE FROM revisions WHERE id IN ({marks})", chunk)
        conn.executemany(
            "DELETE FROM fingerprints WHERE id = ? AND NOT EXISTS "
            "(SELECT 1 FROM revision_resources WHERE fingerprint_id = ?)",
            [(candidate, candidate) for candidate in candidates],
        )


def _fingerprint_values(r: Resource) -> tuple[object, ...]:
    return (
        r.kind,
        r.url,
        int(r.inline),
        r.digest,
        r.size,
        r.integrity,
        None if r.integrity_ok is None else int(r.integrity_ok),
        int(r.third_party),
        r.error,
    )


def _identity(values: tuple[object, ...]) -> str:
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


def _fingerprint_ids(
    conn: sqlite3.Connection, values: dict[str, tuple[object, ...]]
) -> dict[str, int]:
    """The id of each fingerprint (values by identity), inserting the ones not stored yet."""
    _insert_rows(
        conn,
        "INSERT OR IGNORE INTO fingerprints (identity, kind, url, inline, digest, size, "
        "integrity, integrity_ok, third_party, error)",
        [(identity, *v) for identity, v in values.items()],
    )
    ids: dict[str, int] = {}
    identities = list(values)
    for start in range(0, len(identities), _MAX_PARAMETERS):
        chunk = identities[start : start + _MAX_PARAMETERS]
        # One row for them all (see _insert_rows); identities are hex, ids digits.
        (pairs,) = conn.execute(
            "SELECT group_concat(identity || ':' || id) FROM fingerprints "
            f"WHERE identity IN ({','.join('?' * len(chunk))})",
            chunk,
        ).fetchone()
        for pair in (pairs or "").split(","):
            identity, _, fingerprint_id = pair.partition(":")
            ids[identity] = int(fingerprint_id)
    return ids


# SQLite's smallest limit on the parameters of one statement (before 3.32).
_MAX_PARAMETERS = 999


def _insert_rows(conn: sqlite3.Connection, insert: str, rows: Sequence[tuple[object, ...]]) -> None:
    """`insert` ("INSERT INTO t (a, b)") of all the rows, in as few statements as SQLite allows.

    The sqlite3 module lets go of the GIL at every step of a statement and then waits to have it
    back, behind the threads that check pages. A statement per row (executemany) made storing
    one revision wait dozens of times: 12 ms a revision in tests/bench/bench_checks.py.
    """
    if not rows:
        return
    width = len(rows[0])
    per_statement = _MAX_PARAMETERS // width
    marks = "(" + ",".join("?" * width) + ")"
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        conn.execute(
            f"{insert} VALUES {','.join([marks] * len(chunk))}",
            [value for row in chunk for value in row],
        )


# -- notifications --------------------------------------------------------------------------------


def insert_notification(conn: sqlite3.Connection, n: Notification) -> int:
    cursor = conn.execute(
        "INSERT INTO notifications (tracker_id, kind, title, body, revision_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (n.tracker_id, n.kind.value, n.title, n.body, n.revision_id, n.created_at),
    )
    return int(cursor.lastrowid or 0)


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


def _streak_from_row(row: Sequence[object]) -> FailureStreak:
    return FailureStreak(
        tracker_id=int(str(row[0])),
        since=float(str(row[1])),
        error=str(row[2]),
        notified=bool(row[3]),
        updated_at=float(str(row[4])),
    )
