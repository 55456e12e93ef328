"""How close together a schedule's runs come: the shortest time between two of its next runs, so
that a schedule that would check a page more often than once a minute is questioned before it is
saved (a page checked every few seconds is a load on its site, and gets its checker blocked).

Read off the parsed schedule's own next runs (`Schedule.next_due_times`): nothing here reads an
expression again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Final

from desktop_tracker.core.schedules import Schedule

__all__ = ["ONCE_A_MINUTE", "RUNS_LOOKED_AT", "Pace", "more_often_than_once_a_minute", "pace"]

ONCE_A_MINUTE: Final = timedelta(minutes=1)
# Two whole minutes of a cron expression with seconds that runs every second, and one more run:
# enough to see every gap of a sub-minute pattern, the one across a minute's end included.
RUNS_LOOKED_AT: Final = 121


@dataclass(frozen=True, slots=True)
class Pace:
    """How often a schedule runs, over the runs looked at."""

    shortest: timedelta  # the least time between two runs in a row
    steady: bool  # every gap looked at is that long ("@every 10s"), not only the closest pair


def pace(schedule: Schedule, after: datetime, runs: int = RUNS_LOOKED_AT) -> Pace | None:
    """The pace of `schedule`'s next `runs` runs after `after` (an aware datetime), in elapsed
    time (a daylight-saving change lengthens or shortens no gap); None if it runs fewer than
    twice from then on (manual, once)."""
    times = [moment.astimezone(UTC) for moment in schedule.next_due_times(after, runs)]
    gaps = [later - earlier for earlier, later in pairwise(times)]
    if not gaps:
        return None
    shortest = min(gaps)
    return Pace(shortest=shortest, steady=max(gaps) == shortest)


def more_often_than_once_a_minute(schedule: Schedule, after: datetime) -> Pace | None:
    """`schedule`'s pace when two of its runs after `after` come less than a minute apart, else
    None.

    Three runs tell: a gap under a minute is two runs in one minute, or in two minutes one after
    the other, which only a cron expression whose seconds field holds two values or more makes
    (an interval is one gap, over and over); and such a minute's first two runs are at the latest
    the second and third runs from any moment. Only then are the runs of two whole minutes read,
    for the closest pair and whether every gap is the same: they are close together, so quick.
    """
    first = pace(schedule, after, 3)
    if first is None or first.shortest >= ONCE_A_MINUTE:
        return None
    return pace(schedule, after)
