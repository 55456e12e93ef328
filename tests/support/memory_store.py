"""A JobStore in memory, for scheduler tests on a fake clock (no threads, so time is exact)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import replace
from typing import TypeVar

from desktop_tracker.core.jobs import (
    InterruptedRun,
    Job,
    JobTiming,
    RunClaim,
    RunOutcome,
    RunRecord,
    RunResult,
)

T = TypeVar("T")


def _done(value: T) -> Awaitable[T]:
    future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


def _failed(error: BaseException) -> Awaitable[None]:
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    future.set_exception(error)
    return future


def _due_by(timing: JobTiming, until: float) -> bool:
    return any(due is not None and due <= until for due in (timing.next_due, timing.retry_due))


class MemoryJobStore:
    """Does each write at call time, as the contract asks, and keeps everything in dicts."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self.timings: dict[str, JobTiming] = {}
        self.runs: dict[str, RunRecord] = {}
        self.claim_batches: list[int] = []

    def load_timings(self) -> Awaitable[dict[str, JobTiming]]:
        return _done({i: t for i, t in self.timings.items() if self.jobs[i].enabled})

    def load_due(
        self, until: float, job_ids: Iterable[str] = ()
    ) -> Awaitable[dict[str, tuple[Job, JobTiming]]]:
        wanted = set(job_ids)
        return _done(
            {
                i: (job, self.timings[i])
                for i, job in self.jobs.items()
                if job.enabled and (i in wanted or _due_by(self.timings[i], until))
            }
        )

    def load_jobs(self, job_ids: Iterable[str]) -> Awaitable[dict[str, Job]]:
        return _done({i: self.jobs[i] for i in job_ids if i in self.jobs})

    def save_jobs(self, jobs: Sequence[tuple[Job, JobTiming]]) -> Awaitable[None]:
        for job, timing in jobs:
            self.jobs[job.id] = job
            self.timings[job.id] = timing
        return _done(None)

    def delete_job(self, job_id: str) -> Awaitable[None]:
        self.jobs.pop(job_id, None)
        self.timings.pop(job_id, None)
        self.runs = {k: r for k, r in self.runs.items() if r.job_id != job_id}
        return _done(None)

    def save_timing(self, job_id: str, timing: JobTiming) -> Awaitable[None]:
        if job_id in self.jobs:
            self.timings[job_id] = timing
        return _done(None)

    def record_claims(self, claims: Sequence[RunClaim]) -> Awaitable[None]:
        if reused := self._reused_run_id([c.run_id for c in claims if c.job_id in self.jobs]):
            return _failed(reused)  # all or nothing, as the SQLite store's transaction
        self.claim_batches.append(len(claims))
        for c in claims:
            if c.job_id not in self.jobs:
                continue
            self.runs[c.run_id] = RunRecord(
                c.run_id,
                c.job_id,
                c.planned_at,
                c.started_at,
                None,
                RunOutcome.RUNNING,
                None,
                c.attempt,
            )
            self.timings[c.job_id] = c.timing_after
        return _done(None)

    def record_results(self, results: Sequence[RunResult]) -> Awaitable[None]:
        for r in results:
            if r.run_id in self.runs:
                self.runs[r.run_id] = replace(
                    self.runs[r.run_id],
                    started_at=r.started_at,
                    ended_at=r.ended_at,
                    outcome=r.outcome,
                    error=r.error,
                )
            if r.timing_after is not None and r.job_id in self.jobs:
                self.timings[r.job_id] = r.timing_after
        return _done(None)

    def record_skips(self, skips: Sequence[tuple[RunRecord, JobTiming]]) -> Awaitable[None]:
        if reused := self._reused_run_id([r.run_id for r, _ in skips if r.job_id in self.jobs]):
            return _failed(reused)
        for record, timing in skips:
            if record.job_id not in self.jobs:
                continue  # removed meanwhile: its runs went with it (as the SQLite store does)
            self.runs[record.run_id] = record
            self.timings[record.job_id] = timing
        return _done(None)

    def _reused_run_id(self, run_ids: Sequence[str]) -> sqlite3.IntegrityError | None:
        """The error the SQLite store fails a batch with when it would store a run id twice."""
        if len(set(run_ids)) != len(run_ids) or any(i in self.runs for i in run_ids):
            return sqlite3.IntegrityError("UNIQUE constraint failed: runs.id")
        return None

    def recover_interrupted(self, now: float) -> Awaitable[list[InterruptedRun]]:
        found = []
        for run_id, r in list(self.runs.items()):
            if r.outcome is RunOutcome.RUNNING:
                found.append(InterruptedRun(run_id, r.job_id, r.planned_at, r.attempt))
                self.runs[run_id] = replace(r, outcome=RunOutcome.INTERRUPTED, ended_at=now)
        return _done(found)

    def changed_elsewhere(self) -> Awaitable[bool]:
        return _done(False)

    def runs_for(self, job_id: str, limit: int = 100) -> Awaitable[list[RunRecord]]:
        runs = sorted(
            (r for r in self.runs.values() if r.job_id == job_id),
            key=lambda r: r.started_at,
            reverse=True,
        )
        return _done(runs[:limit])
