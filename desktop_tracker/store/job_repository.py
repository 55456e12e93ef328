"""Jobs and runs on SQLite: the scheduler's `JobStore`, and the reads the app shows."""

from __future__ import annotations

import functools
import json
import sqlite3
import sys
import time
from collections.abc import Awaitable, Iterable, Sequence

from desktop_tracker.core.jobs import (
    InterruptedRun,
    Job,
    JobTiming,
    MisfirePolicy,
    RunClaim,
    RunOutcome,
    RunRecord,
    RunResult,
)
from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.store.database import Database

_JOB_COLUMNS = "id, schedule, timezone, handler, payload, retry, misfire, enabled"
_RUN_COLUMNS = "id, job_id, planned_at, started_at, ended_at, outcome, error, attempt"
_CHUNK = 500  # stays under SQLite's limit on bound parameters


class SqliteJobStore:
    """Implements `core.job_store.JobStore`. Every call is queued at once, in call order."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._data_version: int | None = None

    # -- what the scheduler needs ---------------------------------------------------------

    def load_timings(self) -> Awaitable[dict[str, JobTiming]]:
        return self._db.run(_load_timings)

    def load_due(
        self, until: float, job_ids: Iterable[str] = ()
    ) -> Awaitable[dict[str, tuple[Job, JobTiming]]]:
        ids = list(job_ids)
        return self._db.run(lambda conn: _load_due(conn, until, ids))

    def load_jobs(self, job_ids: Iterable[str]) -> Awaitable[dict[str, Job]]:
        ids = list(job_ids)
        return self._db.run(lambda conn: _load_jobs(conn, ids))

    def save_jobs(self, jobs: Sequence[tuple[Job, JobTiming]]) -> Awaitable[None]:
        # Rows are built on the database thread: for thousands of jobs that is real work.
        entries = list(jobs)
        return self._db.run(lambda conn: self.write_jobs(conn, entries), write=True)

    # -- for writes that must share a transaction with other data --------------------------

    @staticmethod
    def write_jobs(conn: sqlite3.Connection, jobs: Sequence[tuple[Job, JobTiming]]) -> None:
        """Insert or replace jobs inside the caller's transaction (a job given twice: the last)."""
        _save_jobs(conn, jobs, time.time())

    @staticmethod
    def delete_job_in(conn: sqlite3.Connection, job_id: str) -> None:
        conn.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def delete_job(self, job_id: str) -> Awaitable[None]:
        def work(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

        return self._db.run(work, write=True)

    def save_timing(self, job_id: str, timing: JobTiming) -> Awaitable[None]:
        rows = [(*_timing_values(timing), job_id)]
        return self._db.run(lambda conn: _update_timings(conn, rows), write=True)

    def record_claims(self, claims: Sequence[RunClaim]) -> Awaitable[None]:
        runs = [
            (
                c.run_id,
                c.job_id,
                c.planned_at,
                c.started_at,
                None,
                RunOutcome.RUNNING.value,
                None,
                c.attempt,
            )
            for c in claims
        ]
        timings = [(*_timing_values(c.timing_after), c.job_id) for c in claims]

        def work(conn: sqlite3.Connection) -> None:
            _insert_runs(conn, runs)
            _update_timings(conn, timings)

        return self._db.run(work, write=True)

    def record_results(self, results: Sequence[RunResult]) -> Awaitable[None]:
        runs = [(r.started_at, r.ended_at, r.outcome.value, r.error, r.run_id) for r in results]
        timings = [
            (*_timing_values(r.timing_after), r.job_id)
            for r in results
            if r.timing_after is not None
        ]

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "UPDATE runs SET started_at = ?, ended_at = ?, outcome = ?, error = ? WHERE id = ?",
                runs,
            )
            _update_timings(conn, timings)

        return self._db.run(work, write=True)

    def record_skips(self, skips: Sequence[tuple[RunRecord, JobTiming]]) -> Awaitable[None]:
        runs = [_run_row(record) for record, _ in skips]
        timings = [(*_timing_values(timing), record.job_id) for record, timing in skips]

        def work(conn: sqlite3.Connection) -> None:
            _insert_runs(conn, runs)
            _update_timings(conn, timings)

        return self._db.run(work, write=True)

    def recover_interrupted(self, now: float) -> Awaitable[list[InterruptedRun]]:
        def work(conn: sqlite3.Connection) -> list[InterruptedRun]:
            rows = conn.execute(
                "SELECT id, job_id, planned_at, attempt FROM runs WHERE outcome = 'running'"
            ).fetchall()
            conn.execute(
                "UPDATE runs SET outcome = 'interrupted', ended_at = ?, "
                "error = 'the app stopped during the run; it runs again' "
                "WHERE outcome = 'running'",
                (now,),
            )
            return [InterruptedRun(r[0], r[1], r[2], r[3]) for r in rows]

        return self._db.run(work, write=True)

    def changed_elsewhere(self) -> Awaitable[bool]:
        # SQLite's data_version moves when *another* connection commits; our own writes keep it.
        def work(conn: sqlite3.Connection) -> bool:
            version = int(conn.execute("PRAGMA data_version").fetchone()[0])
            changed = self._data_version is not None and version != self._data_version
            self._data_version = version
            return changed

        return self._db.run(work)

    def runs_for(self, job_id: str, limit: int = 100) -> Awaitable[list[RunRecord]]:
        return self._db.run(lambda conn: _runs_for(conn, job_id, limit))

    # -- what the app shows ---------------------------------------------------------------

    def list_jobs(self) -> Awaitable[list[tuple[Job, JobTiming]]]:
        return self._db.run(_list_jobs)

    @staticmethod
    def list_jobs_in(conn: sqlite3.Connection) -> list[tuple[Job, JobTiming]]:
        return _list_jobs(conn)

    @staticmethod
    def last_runs_in(conn: sqlite3.Connection) -> dict[str, RunRecord]:
        """Each job's most recent run."""
        rows = conn.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs r WHERE started_at = "
            "(SELECT max(started_at) FROM runs WHERE job_id = r.job_id)"
        )
        return {
            r[1]: RunRecord(r[0], r[1], r[2], r[3], r[4], RunOutcome(r[5]), r[6], r[7])
            for r in rows
        }


def _load_timings(conn: sqlite3.Connection) -> dict[str, JobTiming]:
    rows = conn.execute(
        "SELECT id, next_due, retry_due, retry_attempt, retry_planned FROM jobs WHERE enabled = 1"
    )
    # Jobs of one schedule, saved together, share their timing: one tuple for all of them
    # (they are immutable) is quicker to make and smaller than one each.
    shared: dict[tuple[object, ...], JobTiming] = {}
    timings: dict[str, JobTiming] = {}
    for row in rows:
        values = row[1:]
        timing = shared.get(values)
        if timing is None:
            timing = shared[values] = JobTiming._make(values)
        timings[row[0]] = timing
    return timings


def _load_due(
    conn: sqlite3.Connection, until: float, ids: list[str]
) -> dict[str, tuple[Job, JobTiming]]:
    # A scan of the table in SQLite, without an index on the due times: about 1 ms for 10,000
    # jobs, against several for reading all their timings into Python.
    columns = f"{_JOB_COLUMNS}, next_due, retry_due, retry_attempt, retry_planned"
    rows = conn.execute(
        f"SELECT {columns} FROM jobs WHERE enabled = 1 AND (next_due <= ? OR retry_due <= ?)",
        (until, until),
    ).fetchall()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows += conn.execute(
            f"SELECT {columns} FROM jobs WHERE enabled = 1 AND id IN ({marks})", chunk
        ).fetchall()
    return {row[0]: (_job_from_row(row[:8]), JobTiming(*row[8:])) for row in rows}


def _load_jobs(conn: sqlite3.Connection, ids: list[str]) -> dict[str, Job]:
    jobs: dict[str, Job] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id IN ({marks})", chunk):
            job = _job_from_row(row)
            jobs[job.id] = job
    return jobs


def _list_jobs(conn: sqlite3.Connection) -> list[tuple[Job, JobTiming]]:
    rows = conn.execute(
        f"SELECT {_JOB_COLUMNS}, next_due, retry_due, retry_attempt, retry_planned "
        "FROM jobs ORDER BY created_at, id"
    )
    return [(_job_from_row(row[:8]), JobTiming(*row[8:])) for row in rows]


def _runs_for(conn: sqlite3.Connection, job_id: str, limit: int) -> list[RunRecord]:
    rows = conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM runs WHERE job_id = ? ORDER BY started_at DESC LIMIT ?",
        (job_id, limit),
    )
    return [RunRecord(r[0], r[1], r[2], r[3], r[4], RunOutcome(r[5]), r[6], r[7]) for r in rows]


def _job_from_row(row: Sequence[object]) -> Job:
    # Jobs share a few schedules, zones, handlers and strategies: held once each, not once a job
    # (ten thousand definitions are kept in memory).
    payload = str(row[4])
    return Job(
        id=str(row[0]),
        schedule=sys.intern(str(row[1])),
        timezone=sys.intern(str(row[2])),
        handler=sys.intern(str(row[3])),
        payload={} if payload == "{}" else json.loads(payload),
        retry=_stored_retry(str(row[5])),
        misfire=_MISFIRE_POLICIES.get(str(row[6])) or MisfirePolicy(str(row[6])),
        enabled=bool(row[7]),
    )


_MISFIRE_POLICIES = {policy.value: policy for policy in MisfirePolicy}


@functools.lru_cache(maxsize=256)
def _stored_retry(text: str) -> RetryStrategy:
    return RetryStrategy.from_stored(json.loads(text))  # immutable: shared by the jobs that have it


_UPSERT = (
    "INSERT INTO jobs (id, schedule, timezone, handler, payload, retry, misfire, enabled, "
    "next_due, retry_due, retry_attempt, retry_planned, created_at, updated_at) VALUES {values} "
    "ON CONFLICT(id) DO UPDATE SET schedule = excluded.schedule, "
    "timezone = excluded.timezone, handler = excluded.handler, payload = excluded.payload, "
    "retry = excluded.retry, misfire = excluded.misfire, enabled = excluded.enabled, "
    "next_due = excluded.next_due, retry_due = excluded.retry_due, "
    "retry_attempt = excluded.retry_attempt, retry_planned = excluded.retry_planned, "
    "updated_at = excluded.updated_at"
)
# Binding costs about a microsecond a value: the time is bound once a row (created_at and
# updated_at), and a job with no retry pending (nearly every job saved) gets its retry columns
# from the statement.
_UPSERT_PLAIN = _UPSERT.format(
    values="(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, 0, NULL, ?10, ?10)"
)
_UPSERT_RETRYING = _UPSERT.format(
    values="(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)"
)


def _save_jobs(conn: sqlite3.Connection, jobs: Iterable[tuple[Job, JobTiming]], now: float) -> None:
    # The last of a job given twice wins, as if the rows were written one after the other: the
    # two statements below do not keep the order of the rows between them.
    latest = {job.id: (job, timing) for job, timing in jobs}
    plain: list[tuple[object, ...]] = []
    retrying: list[tuple[object, ...]] = []
    # Jobs share a handful of strategies and the two policies: their text is made once each. By
    # id(): every job is alive until this returns, and hashing a dataclass costs more.
    retries: dict[int, str] = {}
    policies: dict[int, str] = {}
    for job, timing in latest.values():
        retry = retries.get(id(job.retry))
        if retry is None:
            retry = retries[id(job.retry)] = _retry_json(job.retry)
        misfire = policies.get(id(job.misfire))
        if misfire is None:
            misfire = policies[id(job.misfire)] = job.misfire.value
        row = (
            job.id,
            job.schedule,
            job.timezone,
            job.handler,
            json.dumps(job.payload, separators=(",", ":")) if job.payload else "{}",
            retry,
            misfire,
            int(job.enabled),
            timing.next_due,
        )
        if timing.retry_due is None and timing.retry_attempt == 0 and timing.retry_planned is None:
            plain.append((*row, now))
        else:
            retrying.append(
                (*row, timing.retry_due, timing.retry_attempt, timing.retry_planned, now)
            )
    if plain:
        conn.executemany(_UPSERT_PLAIN, plain)
    if retrying:
        conn.executemany(_UPSERT_RETRYING, retrying)


@functools.lru_cache(maxsize=256)
def _retry_json(retry: RetryStrategy) -> str:
    # Jobs share a handful of strategies; the same text is written for each.
    return json.dumps(retry.to_dict(), separators=(",", ":"))


def _timing_values(timing: JobTiming) -> tuple[float | None, float | None, int, float | None]:
    return (timing.next_due, timing.retry_due, timing.retry_attempt, timing.retry_planned)


def _update_timings(conn: sqlite3.Connection, rows: Sequence[tuple[object, ...]]) -> None:
    conn.executemany(
        "UPDATE jobs SET next_due = ?, retry_due = ?, retry_attempt = ?, retry_planned = ? "
        "WHERE id = ?",
        rows,
    )


def _insert_runs(conn: sqlite3.Connection, rows: Sequence[tuple[object, ...]]) -> None:
    # A job removed while its run was being handed over takes its runs with it; skip the row
    # rather than fail the batch the others share.
    conn.executemany(
        f"INSERT INTO runs ({_RUN_COLUMNS}) SELECT ?, ?, ?, ?, ?, ?, ?, ? "
        "WHERE EXISTS (SELECT 1 FROM jobs WHERE id = ?)",
        [(*row, row[1]) for row in rows],
    )


def _run_row(record: RunRecord) -> tuple[object, ...]:
    return (
        record.run_id,
        record.job_id,
        record.planned_at,
        record.started_at,
        record.ended_at,
        record.outcome.value,
        record.error,
        record.attempt,
    )
