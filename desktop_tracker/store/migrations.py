"""The schema, as numbered steps. `PRAGMA user_version` records the last step applied.

Never edit a step that has shipped: add a new one.
"""

MIGRATIONS: list[str] = [
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
]
