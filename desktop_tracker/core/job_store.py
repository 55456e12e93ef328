"""The persistence the scheduler needs, as an interface; `store/` implements it on SQLite."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Sequence
from typing import Protocol

from desktop_tracker.core.jobs import (
    InterruptedRun,
    Job,
    JobTiming,
    RunClaim,
    RunRecord,
    RunResult,
)


class JobStore(Protocol):
    """Every method may run its work on another thread; the scheduler awaits the result.

    Writes must take effect in the order the methods are *called* (not awaited): the scheduler
    hands over a run's start and later its end without waiting in between.

    Writes that the scheduler issues in a burst (claims and results of runs due at the same
    instant) are expected to be grouped into few transactions.
    """

    def load_timings(self) -> Awaitable[dict[str, JobTiming]]:
        """The timing of every enabled job: all the scheduler needs to start."""
        ...

    def load_due(
        self, until: float, job_ids: Iterable[str] = ()
    ) -> Awaitable[dict[str, tuple[Job, JobTiming]]]:
        """The enabled jobs with something due at or before `until`, and the enabled ones among
        `job_ids`, with their definitions: what the scheduler fires first when it starts."""
        ...

    def load_jobs(self, job_ids: Iterable[str]) -> Awaitable[dict[str, Job]]:
        """Definitions of the given jobs (missing ids are left out)."""
        ...

    def save_jobs(self, jobs: Sequence[tuple[Job, JobTiming]]) -> Awaitable[None]:
        """Insert or replace jobs with their timing, in one transaction."""
        ...

    def delete_job(self, job_id: str) -> Awaitable[None]: ...

    def save_timing(self, job_id: str, timing: JobTiming) -> Awaitable[None]: ...

    def record_claims(self, claims: Sequence[RunClaim]) -> Awaitable[None]:
        """Record runs as started and move their jobs' timing on, atomically."""
        ...

    def record_results(self, results: Sequence[RunResult]) -> Awaitable[None]:
        """Record how runs ended and the jobs' timing from then on, atomically."""
        ...

    def record_skips(self, skips: Sequence[tuple[RunRecord, JobTiming]]) -> Awaitable[None]:
        """Record skipped runs and their jobs' new timing."""
        ...

    def recover_interrupted(self, now: float) -> Awaitable[list[InterruptedRun]]:
        """Mark runs left 'running' by a dead process as interrupted, and return them."""
        ...

    def changed_elsewhere(self) -> Awaitable[bool]:
        """Whether another process changed the stored jobs since the last call."""
        ...

    def runs_for(self, job_id: str, limit: int = 100) -> Awaitable[list[RunRecord]]:
        """The job's most recent runs, newest first."""
        ...
