"""How close together a schedule's runs come (core/schedule_rate.py): what the editor asks about
before saving a schedule that checks more often than once a minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop_tracker.core.schedule_rate import Pace, more_often_than_once_a_minute, pace
from desktop_tracker.core.schedules import parse_schedule

NOW = datetime(2026, 3, 27, 12, 0, 0, 500_000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("@every 10s", Pace(timedelta(seconds=10), steady=True)),
        ("@every 59s", Pace(timedelta(seconds=59), steady=True)),
        ("*/10 * * * * *", Pace(timedelta(seconds=10), steady=True)),
        ("* * * * * *", Pace(timedelta(seconds=1), steady=True)),
        # Uneven: the closest pair counts, the one across the minute's end too.
        ("0,5 * * * * *", Pace(timedelta(seconds=5), steady=False)),
        ("*/7 * * * * *", Pace(timedelta(seconds=4), steady=False)),  # :56 to :00
        ("0,59 * * * * *", Pace(timedelta(seconds=1), steady=False)),  # :59 to :00
        # Steady over the runs looked at, two minutes of them, though only from 09:00 to 10:00.
        ("*/5 * 9 * * *", Pace(timedelta(seconds=5), steady=True)),
    ],
)
def test_a_schedule_faster_than_once_a_minute_gives_its_pace(
    expression: str, expected: Pace
) -> None:
    assert more_often_than_once_a_minute(parse_schedule(expression, "Europe/Paris"), NOW) == (
        expected
    )


@pytest.mark.parametrize(
    "expression",
    [
        "* * * * *",  # once a minute is not more often than once a minute
        "0 * * * * *",
        "30 */2 * * * *",
        "@every 1m",
        "@every 90s",
        "0 * * * *",
        "@hourly",
        "0 9 * * 1-5",
        "manual",
        "once 2027-01-01T09:00",
        "once 2020-01-01T09:00",  # in the past: no run at all
    ],
)
def test_a_schedule_at_most_once_a_minute_is_not_questioned(expression: str) -> None:
    assert more_often_than_once_a_minute(parse_schedule(expression, "Europe/Paris"), NOW) is None


def test_gaps_are_elapsed_time_across_a_daylight_saving_change() -> None:
    # Paris springs forward at 02:00 on 29 March 2026; an hourly wildcard job skips the hour
    # that does not exist, and no gap comes out as zero or negative.
    hourly = parse_schedule("0 * * * *", "Europe/Paris")
    night = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    found = pace(hourly, night, 5)
    assert found == Pace(timedelta(hours=1), steady=True)


def test_a_schedule_that_runs_fewer_than_twice_has_no_pace() -> None:
    once = parse_schedule("once 2027-01-01T09:00", "UTC")
    assert pace(once, NOW) is None
    assert pace(parse_schedule("manual", "UTC"), NOW) is None
    assert pace(parse_schedule("@every 10s", "UTC"), NOW, 1) is None
