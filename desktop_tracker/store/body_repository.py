"""Kept bodies of scripts and stylesheets on SQLite (domain/bodies.py says what is kept).

Plain functions of a connection, run on the database thread inside a transaction, as the
tracker repository's are. Compressing a body here costs the database thread little: zlib lets
go of the GIL while it works, and only bodies not kept yet are compressed.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Sequence

from desktop_tracker.domain.bodies import Beautified, CapturedBody

_LEVEL = 6  # minified code compresses 3–5 times at this level; 9 gains little for far more time


def keep_bodies(
    conn: sqlite3.Connection,
    revision_id: int,
    bodies: Sequence[CapturedBody],
    digests: Sequence[str],
    now: float,
) -> list[str]:
    """Keep the bodies not kept yet, then link the revision to every one of `digests` that is
    kept (given now or kept before). Returns the digests kept by this call."""
    wanted = {body.digest: body for body in bodies}
    known = _present(conn, list(wanted))
    new = [body for digest, body in wanted.items() if digest not in known]
    rows = []
    for body in new:
        data = zlib.compress(body.data, _LEVEL)
        rows.append((body.digest, len(body.data), len(data), data, now))
    conn.executemany(
        "INSERT INTO bodies (digest, size, stored, data, used_at) VALUES (?, ?, ?, ?, ?)", rows
    )
    linked = sorted(_present(conn, list(digests)))
    conn.executemany(
        "INSERT OR IGNORE INTO revision_bodies (revision_id, digest) VALUES (?, ?)",
        [(revision_id, digest) for digest in linked],
    )
    conn.executemany("UPDATE bodies SET used_at = ? WHERE digest = ?", [(now, d) for d in linked])
    return [body.digest for body in new]


def get_body(conn: sqlite3.Connection, digest: str) -> bytes | None:
    row = conn.execute("SELECT data FROM bodies WHERE digest = ?", (digest,)).fetchone()
    return zlib.decompress(row[0]) if row is not None else None


def linked_bodies(conn: sqlite3.Connection, revision_id: int) -> set[str]:
    """The digests the revision was linked to, kept still or dropped since."""
    rows = conn.execute("SELECT digest FROM revision_bodies WHERE revision_id = ?", (revision_id,))
    return {str(row[0]) for row in rows}


def get_beautified(
    conn: sqlite3.Connection, digest: str, language: str, version: str
) -> Beautified | None:
    row = conn.execute(
        "SELECT data FROM beautified_bodies WHERE digest = ? AND language = ? AND version = ?",
        (digest, language, version),
    ).fetchone()
    if row is None:
        return None
    return Beautified(zlib.decompress(row[0]).decode() if row[0] is not None else None)


def save_beautified(
    conn: sqlite3.Connection, digest: str, language: str, version: str, beautified: Beautified
) -> None:
    """Keep a body's beautified text (nothing if the body is not kept, or no longer); texts of
    other versions of the beautifier go."""
    data = zlib.compress(beautified.text.encode(), _LEVEL) if beautified.text is not None else None
    conn.execute(
        "DELETE FROM beautified_bodies WHERE digest = ? AND language = ? AND version != ?",
        (digest, language, version),
    )
    conn.execute(
        "INSERT OR REPLACE INTO beautified_bodies (digest, language, version, stored, data) "
        "SELECT digest, ?, ?, ?, ? FROM bodies WHERE digest = ?",
        (language, version, len(data) if data is not None else 0, data, digest),
    )


def stored_bytes(conn: sqlite3.Connection) -> int:
    """The compressed bytes of every kept body and beautified text."""
    row = conn.execute(
        "SELECT (SELECT coalesce(sum(stored), 0) FROM bodies) + "
        "(SELECT coalesce(sum(stored), 0) FROM beautified_bodies)"
    ).fetchone()
    return int(row[0])


def trim_bodies(conn: sqlite3.Connection, cap: int) -> list[str]:
    """Drop bodies until what is kept fits in `cap` bytes; returns the digests dropped.

    First the bodies no revision links to, least recently linked first; then the bodies whose
    newest revision is the oldest. Never a body of a tracker's latest revision: what the next
    change is diffed against stays, even over the cap.
    """
    total = stored_bytes(conn)
    if total <= cap:
        return []
    candidates = conn.execute(
        """
        SELECT b.digest,
               b.stored + (SELECT coalesce(sum(stored), 0) FROM beautified_bodies x
                           WHERE x.digest = b.digest),
               (SELECT max(revision_id) FROM revision_bodies l WHERE l.digest = b.digest) AS last
        FROM bodies b
        WHERE b.digest NOT IN (
            SELECT rb.digest FROM revision_bodies rb
            WHERE rb.revision_id IN (SELECT max(id) FROM revisions GROUP BY tracker_id))
        ORDER BY last IS NOT NULL, last, b.used_at, b.digest
        """
    )
    dropped = []
    for digest, size, _ in candidates:
        if total <= cap:
            break
        dropped.append(str(digest))
        total -= int(size)
    conn.executemany("DELETE FROM bodies WHERE digest = ?", [(d,) for d in dropped])
    return dropped


def _present(conn: sqlite3.Connection, digests: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(digests), 500):  # SQLite's limit on a statement's parameters
        chunk = digests[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(f"SELECT digest FROM bodies WHERE digest IN ({marks})", chunk)
        found.update(str(row[0]) for row in rows)
    return found
