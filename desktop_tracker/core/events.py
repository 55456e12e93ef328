"""What the scheduler tells the rest of the app: runs started, finished, failed, retried."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
E = TypeVar("E")


@dataclass(frozen=True, slots=True)
class JobStarted:
    job_id: str
    run_id: str
    planned_at: float
    started_at: float
    attempt: int


@dataclass(frozen=True, slots=True)
class JobFinished:
    job_id: str
    run_id: str
    planned_at: float
    started_at: float
    ended_at: float
    attempt: int


@dataclass(frozen=True, slots=True)
class JobFailed:
    """A run failed. `gave_up` is True once: when no retry follows and attempts ran out."""

    job_id: str
    run_id: str
    planned_at: float
    attempt: int
    error: str
    gave_up: bool


@dataclass(frozen=True, slots=True)
class RetryScheduled:
    job_id: str
    attempt: int  # the attempt that will run
    due: float


@dataclass(frozen=True, slots=True)
class RunSkipped:
    """Missed runs were dropped because the job's misfire policy is skip."""

    job_id: str
    planned_at: float
    next_due: float | None


@dataclass(frozen=True, slots=True)
class RunInterrupted:
    """A run did not finish (the app stopped or crashed); it will run again."""

    job_id: str
    run_id: str
    planned_at: float
    attempt: int


@dataclass(frozen=True, slots=True)
class ClockJumped:
    """Wall time moved apart from monotonic time: a suspend, NTP, or the user set the clock."""

    seconds: float


SchedulerEvent = (
    JobStarted
    | JobFinished
    | JobFailed
    | RetryScheduled
    | RunSkipped
    | RunInterrupted
    | ClockJumped
)


class EventBus(Generic[E]):
    """Synchronous fan-out. A subscriber that raises is logged and does not stop the others."""

    def __init__(self) -> None:
        self._subscribers: list[Callable[[E], None]] = []

    def subscribe(self, subscriber: Callable[[E], None]) -> Callable[[], None]:
        """Add a subscriber; returns the function that removes it."""
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, event: E) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:
                log.exception("event subscriber failed on %s", type(event).__name__)
