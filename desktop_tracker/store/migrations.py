"""The schema, as numbered steps. `PRAGMA user_version` records the last step applied.

A step is SQL, or a function of the connection when SQL alone cannot say it. Never edit a step
that has shipped: add a new one.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Callable


def _snapshots_for_every_kind(conn: sqlite3.Connection) -> None:
    """4: a revision keeps its kind's snapshot as compressed JSON, so that every kind's
    revisions have one shape; trackers get masks and kind options. The resources revisions of
    earlier versions are carried over as the same resources, in the same order (the stored
    form of kinds/resources at this step, written out here so that later edits there do not
    change what this step did)."""
    conn.execute("ALTER TABLE trackers ADD COLUMN mask TEXT NOT NULL DEFAULT '[]'")
    conn.execute("ALTER TABLE trackers ADD COLUMN options TEXT NOT NULL DEFAULT '{}'")
    conn.execute("ALTER TABLE revisions ADD COLUMN kind TEXT NOT NULL DEFAULT 'resources'")
    conn.execute("ALTER TABLE revisions ADD COLUMN snapshot BLOB NOT NULL DEFAULT x''")
    heads = conn.execute(
        "SELECT r.id, t.url, r.final_url, r.status FROM revisions r "
        "JOIN trackers t ON t.id = r.tracker_id"
    ).fetchall()
    for revision_id, url, final_url, status in heads:
        rows = conn.execute(
            "SELECT f.kind, f.url, f.inline, f.digest, f.size, f.integrity, f.integrity_ok, "
            "f.third_party, f.error FROM revision_resources rr "
            "JOIN fingerprints f ON f.id = rr.fingerprint_id "
            "WHERE rr.revision_id = ? ORDER BY rr.position",
            (revision_id,),
        )
        columns = (
            "kind", "url", "inline", "digest", "size", "integrity", "integrity_ok",
            "third_party", "error",
        )  # fmt: skip
        resources = []
        for row in rows:
            resource = dict(zip(columns, row, strict=True))
            for flag in ("inline", "third_party"):
                resource[flag] = bool(resource[flag])
            if resource["integrity_ok"] is not None:
                resource["integrity_ok"] = bool(resource["integrity_ok"])
            resources.append(resource)
        snapshot = {"url": url, "final_url": final_url, "status": status, "resources": resources}
        conn.execute(
            "UPDATE revisions SET snapshot = ? WHERE id = ?",
            (zlib.compress(json.dumps(snapshot).encode()), revision_id),
        )
    conn.execute("DROP TABLE revision_resources")
    conn.execute("DROP TABLE fingerprints")


MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    # 1: jobs and their runs. Times are UTC epoch seconds.
    """
    CREATE TABLE jobs (
        id            TEXT PRIMARY KEY,
        schedule      TEXT NOT NULL,
        timezone      TEXT NOT NULL,
        handler       TEXT NOT NULL,
        payload       TEXT NOT NULL DEFAULT '{}',
        retry         TEXT NOT NULL DEFAULT '{"strategy": "none"}',
        misfire       TEXT NOT NULL DEFAULT 'run_once',
        enabled       INTEGER NOT NULL DEFAULT 1,
        next_due      REAL,
        retry_due     REAL,
        retry_attempt INTEGER NOT NULL DEFAULT 0,
        retry_planned REAL,
        created_at    REAL NOT NULL,
        updated_at    REAL NOT NULL
    );
    CREATE TABLE runs (
        id         TEXT PRIMARY KEY,
        job_id     TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        planned_at REAL NOT NULL,
        started_at REAL NOT NULL,
        ended_at   REAL,
        outcome    TEXT NOT NULL,
        error      TEXT,
        attempt    INTEGER NOT NULL
    );
    CREATE INDEX runs_by_job ON runs(job_id, started_at);
    CREATE INDEX runs_unfinished ON runs(outcome) WHERE outcome = 'running';
    """,
    # 2: resources trackers, their revisions, fingerprints stored once, notifications.
    """
    CREATE TABLE trackers (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        kind       TEXT NOT NULL,
        url        TEXT NOT NULL,
        revisions  INTEGER NOT NULL,
        headers    TEXT NOT NULL DEFAULT '{}',
        schedule   TEXT NOT NULL,
        timezone   TEXT NOT NULL,
        retry      TEXT NOT NULL,
        notify     INTEGER NOT NULL,
        ignore     TEXT NOT NULL DEFAULT '[]',
        verify_tls INTEGER NOT NULL DEFAULT 1,
        enabled    INTEGER NOT NULL DEFAULT 1,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        UNIQUE (kind, name)
    );
    CREATE TABLE fingerprints (
        id           INTEGER PRIMARY KEY,
        identity     TEXT NOT NULL UNIQUE,
        kind         TEXT NOT NULL,
        url          TEXT,
        inline       INTEGER NOT NULL,
        digest       TEXT NOT NULL,
        size         INTEGER NOT NULL,
        integrity    TEXT,
        integrity_ok INTEGER,
        third_party  INTEGER NOT NULL,
        error        TEXT
    );
    CREATE TABLE revisions (
        id         INTEGER PRIMARY KEY,
        tracker_id INTEGER NOT NULL REFERENCES trackers(id) ON DELETE CASCADE,
        created_at REAL NOT NULL,
        final_url  TEXT NOT NULL,
        status     INTEGER NOT NULL
    );
    CREATE INDEX revisions_by_tracker ON revisions(tracker_id, id);
    CREATE TABLE revision_resources (
        revision_id    INTEGER NOT NULL REFERENCES revisions(id) ON DELETE CASCADE,
        position       INTEGER NOT NULL,
        fingerprint_id INTEGER NOT NULL REFERENCES fingerprints(id),
        PRIMARY KEY (revision_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX revision_resources_by_fingerprint ON revision_resources(fingerprint_id);
    CREATE TABLE notifications (
        id          INTEGER PRIMARY KEY,
        tracker_id  INTEGER NOT NULL REFERENCES trackers(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        title       TEXT NOT NULL,
        body        TEXT NOT NULL,
        revision_id INTEGER REFERENCES revisions(id) ON DELETE SET NULL,
        created_at  REAL NOT NULL,
        read_at     REAL
    );
    CREATE INDEX notifications_unread ON notifications(read_at, id);
    """,
    # 3: failure streaks: a tracker's failure is told once, and its end once. A tracker that
    # is failing now (its last run failed, its newest notification told a failure) starts in
    # its streak, so an upgrade does not tell the failure again.
    """
    CREATE TABLE failure_streaks (
        tracker_id INTEGER PRIMARY KEY REFERENCES trackers(id) ON DELETE CASCADE,
        since      REAL NOT NULL,
        error      TEXT NOT NULL,
        notified   INTEGER NOT NULL,
        updated_at REAL NOT NULL
    );
    INSERT INTO failure_streaks (tracker_id, since, error, notified, updated_at)
    SELECT n.tracker_id, n.created_at, coalesce(r.error, n.body), 1, r.started_at
    FROM notifications n
    JOIN runs r ON r.job_id = 'tracker:' || n.tracker_id
    WHERE n.kind = 'failure'
      AND n.id = (SELECT max(id) FROM notifications WHERE tracker_id = n.tracker_id)
      AND r.outcome = 'failed'
      AND r.started_at = (SELECT max(started_at) FROM runs WHERE job_id = r.job_id)
    GROUP BY n.tracker_id;
    """,
    _snapshots_for_every_kind,
    # 5: the user's preferences, one JSON value per key (domain/preferences.py).
    """
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 6: the bodies of scripts and stylesheets, each kept once by its SHA-256 (zlib), the
    # revisions that had them, and their beautified text by beautifier version (NULL: the body
    # reads as it is). `stored` is the compressed size, summed for the data directory's cap;
    # links name digests without a foreign key, so a body dropped for the cap is known dropped.
    """
    CREATE TABLE bodies (
        digest  TEXT PRIMARY KEY,
        size    INTEGER NOT NULL,
        stored  INTEGER NOT NULL,
        data    BLOB NOT NULL,
        used_at REAL NOT NULL
    );
    CREATE INDEX bodies_by_stored ON bodies(stored);
    CREATE TABLE revision_bodies (
        revision_id INTEGER NOT NULL REFERENCES revisions(id) ON DELETE CASCADE,
        digest      TEXT NOT NULL,
        PRIMARY KEY (revision_id, digest)
    ) WITHOUT ROWID;
    CREATE INDEX revision_bodies_by_digest ON revision_bodies(digest, revision_id);
    CREATE TABLE beautified_bodies (
        digest   TEXT NOT NULL REFERENCES bodies(digest) ON DELETE CASCADE,
        language TEXT NOT NULL,
        version  TEXT NOT NULL,
        stored   INTEGER NOT NULL,
        data     BLOB,
        PRIMARY KEY (digest, language, version)
    );
    CREATE INDEX beautified_bodies_by_stored ON beautified_bodies(stored);
    """,
]
