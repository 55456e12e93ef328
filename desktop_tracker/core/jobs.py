"""What the scheduler runs: jobs, their timing state, and the record of each run."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from desktop_tracker.core.retry import NO_RETRY, RetryStrategy


class MisfirePolicy(StrEnum):
    """What to do with runs that were missed while the app was closed or the machine slept."""

    RUN_ONCE = "run_once"  # one run, promptly, however many were missed (systemd's Persistent=)
    SKIP = "skip"  # wait for the next scheduled time


class RunOutcome(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # the app stopped or crashed during the run; it runs again
    SKIPPED = "skipped"  # missed, and the job's misfire policy says skip


@dataclass(frozen=True, slots=True)
class Job:
    """A unit of periodic work. The scheduler knows nothing of what the handler does."""

    id: str
    schedule: str
    timezone: str
    handler: str
    payload: dict[str, Any] = field(default_factory=dict)
    retry: RetryStrategy = NO_RETRY
    misfire: MisfirePolicy = MisfirePolicy.RUN_ONCE
    enabled: bool = True


class JobTiming(NamedTuple):
    """When a job is due next. Times are UTC epoch seconds.

    `next_due` is the schedule's next instant. A pending retry (or the re-run of an interrupted
    run) lives beside it in `retry_due`, so a retry never shifts the schedule; whichever comes
    first runs, and a scheduled run clears the pending retry.

    A named tuple rather than a dataclass: the scheduler builds one per job at start, and tuples
    are several times cheaper to make.
    """

    next_due: float | None
    retry_due: float | None = None
    retry_attempt: int = 0
    retry_planned: float | None = None

    @property
    def due(self) -> float | None:
        """The earliest instant at which the job has something to run."""
        if self.retry_due is None:
            return self.next_due
        if self.next_due is None:
            return self.retry_due
        return min(self.next_due, self.retry_due)


@dataclass(frozen=True, slots=True)
class RunClaim:
    """A run that has started: written before (or while) its handler runs."""

    run_id: str
    job_id: str
    planned_at: float
    started_at: float
    attempt: int
    timing_after: JobTiming  # the job's timing once this run has been taken


@dataclass(frozen=True, slots=True)
class RunResult:
    """How a run ended, and the job's timing from then on."""

    run_id: str
    job_id: str
    started_at: float  # when the handler began, after waiting for a free slot
    ended_at: float
    outcome: RunOutcome
    error: str | None
    timing_after: JobTiming | None  # None: leave the job's timing as it is


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One run as stored."""

    run_id: str
    job_id: str
    planned_at: float
    started_at: float
    ended_at: float | None
    outcome: RunOutcome
    error: str | None
    attempt: int


@dataclass(frozen=True, slots=True)
class InterruptedRun:
    """A run found unfinished when the scheduler started: the process died during it."""

    run_id: str
    job_id: str
    planned_at: float
    attempt: int
