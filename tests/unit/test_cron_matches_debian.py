"""Cron expressions run when cron on Debian runs them, checked against an independent oracle.

cronsim (BSD licence, used by healthchecks.io) implements Debian's rules, daylight saving
included, and is a test-only dependency. Our due times must equal its, over random expressions
and the daylight-saving nights of zones with odd rules, with the documented exceptions only:

* six fields put seconds first, which Debian has not; cronsim treats every six-field expression
  as a wildcard job, we keep Debian's classes (`0 30 2 * * *` is fixed-time like `30 2 * * *`),
  so a six-field expression whose seconds are 0 is compared with its five-field form;
* cronsim reads a stepped range with equal ends (`0-0/1`) as `0/1`, "0 to the end of the field";
  Debian reads it as the one value, as it reads `0-0`: cronsim is given `0` for it;
* in zones that change at midnight (Havana, Santiago) cronsim can answer a wildcard job with a
  wall time that does not exist (00:00 on the day the clock skips from 23:59 to 01:00), read as
  the end of the gap; Debian's cron skips a wildcard job's times that do not exist, and so do we:
  such an answer is kept only if the real wall time at that instant matches the expression. From
  that false midnight it also steps by wall-clock hours and can step over real matching times
  (`* 1 2 4 *` misses 01:00–01:59 on Havana's 2000-04-02), so these zones are compared as Lord
  Howe's are, and so is St John's, which changed its clocks at 00:01 until 2011;
* `?` and `15W` are extensions cronsim does not read;
* in zones whose shifts are not whole hours (Lord Howe, Chatham) cronsim steps by whole wall-clock
  hours and can step over a real instant that matches (`30 * * * *` misses the second 01:30 of
  Lord Howe's 30-minute fold); we keep every such instant, on the expression's own minutes. There
  every time of cronsim's must be one of ours, and each of ours that it lacks must match the
  expression's fields on the wall clock, by cronsim's own matcher;
* when the start instant lies in the second pass of a fall-back fold, cronsim can answer a
  fixed-time job with an instant before the start (it iterates wall times): starts are taken
  outside folds, and our own tests cover starts inside them.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from cronsim import CronSimError
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from desktop_tracker.core.schedules import InvalidSchedule, parse_schedule
from tests.support.cron_oracle import matches, oracle
from tests.support.zones import transition_days

# CI runs a sample; a deeper search by hand: CRON_ORACLE_EXAMPLES=50000 pytest this file.
EXAMPLES = int(os.environ.get("CRON_ORACLE_EXAMPLES", "1500"))
# No "explain" phase: it traces every line cronsim runs, and a failure then takes minutes to show.
ORACLE = settings(
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow],
)

ODD_ZONES = [
    "Australia/Lord_Howe",  # 30-minute shifts
    "Pacific/Chatham",  # +12:45 / +13:45, shifts at 02:45 and 03:45
    "America/Santiago",  # transitions at midnight (24:00 → 01:00)
    "America/Havana",  # transitions at midnight
    "Europe/Dublin",  # negative DST in tzdata
    "Africa/Casablanca",  # DST suspended every Ramadan
    "Pacific/Apia",  # skipped 2011-12-30 entirely
    "America/St_Johns",  # -03:30 / -02:30
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "UTC",
]


def in_fold(moment: datetime) -> bool:
    """Whether the wall time of `moment` (aware, in its zone) occurs twice."""
    wall = moment.replace(tzinfo=None)
    zone = moment.tzinfo
    return (
        wall.replace(tzinfo=zone, fold=0).utcoffset()
        != wall.replace(tzinfo=zone, fold=1).utcoffset()
    )


@st.composite
def starts(draw: st.DrawFn, zone_name: str) -> datetime:
    """An instant in the zone, often the day before a change of offset, never inside a fold."""
    zone = ZoneInfo(zone_name)
    if draw(st.booleans()):
        around = draw(st.sampled_from(transition_days(zone_name)))
        moment = around + timedelta(seconds=draw(st.integers(-86400, 86400)))
    else:
        moment = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(
            seconds=draw(st.integers(0, 40 * 365 * 86400))
        )
    local = moment.astimezone(zone)
    while in_fold(local):
        local = (local - timedelta(minutes=30)).astimezone(zone)
    return local


def _number(low: int, high: int, names: list[str] | None = None) -> st.SearchStrategy[str]:
    numbers = st.integers(low, high).map(str)
    if not names:
        return numbers
    return st.one_of(numbers, st.sampled_from(names))


def field_text(
    low: int, high: int, names: list[str] | None = None, extras: list[str] | None = None
) -> st.SearchStrategy[str]:
    """One cron field in the grammar Debian and cronsim share."""
    value = st.integers(low, high)

    def ordered(pair: tuple[int, int]) -> str:
        first, last = sorted(pair)
        return f"{first}-{last}"

    item = st.one_of(
        _number(low, high, names),
        st.tuples(value, value).map(ordered),
        value.map(lambda v: f"{v}-{v}"),  # equal ends
        st.tuples(st.just("*"), st.integers(1, high + 2)).map(lambda p: f"*/{p[1]}"),
        st.tuples(value, st.integers(1, high)).map(lambda p: f"{p[0]}/{p[1]}"),
        st.tuples(st.tuples(value, value).map(ordered), st.integers(1, high)).map(
            lambda p: f"{p[0]}/{p[1]}"
        ),
        *(st.sampled_from(extras),) if extras else (),
    )
    listed = st.lists(item, min_size=2, max_size=3).map(",".join)
    return st.one_of(st.just("*"), item, item, listed)


MONTHS = ["JAN", "MAR", "JUN", "DEC"]
DAYS = ["SUN", "MON", "FRI", "SAT"]

minutes = field_text(0, 59)
hours = st.one_of(st.just("*"), field_text(0, 23))
days_of_month = st.one_of(st.just("*"), field_text(1, 31, extras=["L", "LW", "15", "31"]))
months = st.one_of(st.just("*"), st.just("*"), field_text(1, 12, MONTHS))
days_of_week = st.one_of(
    st.just("*"),
    field_text(0, 7, DAYS, extras=["5L", "0L", "1#1", "5#2", "FRI#5", "6L", "7#3"]),
)

five_fields = st.tuples(minutes, hours, days_of_month, months, days_of_week).map(" ".join)


def cronsim_times(expression: str, start: datetime, count: int) -> list[float]:
    times: list[float] = []
    iterator = oracle(expression, start)
    while len(times) < count:
        try:
            due = next(iterator)
        except StopIteration:
            break
        if is_imaginary(due):
            due = due.astimezone(UTC).astimezone(due.tzinfo)
            if not matches(iterator, due):
                continue
        if times and due.timestamp() <= times[-1]:
            # cronsim goes round in circles in some folds of half-hour zones (Chatham,
            # 2028-04-02, `43 */3 * * *`): what it gave until then is all it knows.
            break
        times.append(due.timestamp())
    return times


def is_imaginary(moment: datetime) -> bool:
    """A wall time that the zone's clocks never show."""
    return moment.replace(tzinfo=None) != moment.astimezone(UTC).astimezone(moment.tzinfo).replace(
        tzinfo=None
    )


def ours(expression: str, zone_name: str, start: datetime, count: int) -> list[float]:
    schedule = parse_schedule(expression, zone_name)
    return [t.timestamp() for t in schedule.next_due_times(start, count)]


def ours_through(expression: str, zone_name: str, start: datetime, last: float) -> list[float]:
    """Our due times from `start` up to the first one after `last`."""
    schedule = parse_schedule(expression, zone_name)
    times: list[float] = []
    current = start
    while not times or times[-1] <= last:
        due = schedule.next_due_after(current)
        assert due is not None
        times.append(due.timestamp())
        current = due
    return times


def accepted_by_cronsim(expression: str, start: datetime) -> bool:
    try:
        oracle(expression, start)
    except CronSimError:
        return False
    return True


def assert_due_like_debian(expression: str, zone_name: str, start: datetime) -> None:
    """Our next six due times from `start` are cronsim's (or, where it gives up, a prefix)."""
    try:
        expected = cronsim_times(expression, start, 6)
    except CronSimError:
        return
    try:
        got = ours(expression, zone_name, start, len(expected) or 1)
    except InvalidSchedule:
        # We refuse what can never run; cronsim searches 50 years and may find nothing either.
        assert expected == [], expression
        return
    if len(expected) < 6:
        # cronsim gives up after 50 years (we search the whole 400-year calendar cycle), or it
        # went round in circles.
        got = got[: len(expected)]
    if zone_name in ODD_SHIFTS and got != expected:
        more = ours_through(expression, zone_name, start, expected[-1])
        assert_only_extra_real_matches(expression, zone_name, more, expected)
        return
    assert [_show(t, zone_name) for t in got] == [_show(t, zone_name) for t in expected], (
        expression,
        start.isoformat(),
    )


@settings(ORACLE, max_examples=EXAMPLES)
@given(st.data(), five_fields, st.sampled_from(ODD_ZONES))
def test_due_times_equal_debians(data, expression, zone_name):
    start = data.draw(starts(zone_name))
    if not accepted_by_cronsim(expression, start):
        with pytest.raises(InvalidSchedule):
            parse_schedule(expression, zone_name)
        return
    assert_due_like_debian(expression, zone_name, start)


# Where cronsim may miss real matches (see the module's notes): there ours must hold all of its,
# and what it lacks must be real matches, never a fixed-time job's repeat in a fold.
ODD_SHIFTS = {
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Havana",
    "America/Santiago",
    "Pacific/Apia",
    "America/St_Johns",  # changed at 00:01 until 2011
}


def assert_only_extra_real_matches(
    expression: str, zone_name: str, got: list[float], expected: list[float]
) -> None:
    window = [t for t in got if t <= expected[-1]]
    assert set(expected) <= set(window), (expression, zone_name)
    cron = oracle(expression, datetime(2000, 1, 1, tzinfo=UTC))
    for extra in set(window) - set(expected):
        wall = datetime.fromtimestamp(extra, ZoneInfo(zone_name))
        assert matches(cron, wall), (expression, wall)
        if not cron.fixup_tz:  # a wildcard job: every real instant
            continue
        earlier = datetime.fromtimestamp(extra - 3 * 3600, ZoneInfo(zone_name))
        assert not any(
            datetime.fromtimestamp(t, ZoneInfo(zone_name)).replace(tzinfo=None)
            == wall.replace(tzinfo=None)
            for t in got
            if earlier.timestamp() <= t < extra
        ), ("a fixed-time job ran twice", expression, wall)


def _show(timestamp: float, zone_name: str) -> str:
    return datetime.fromtimestamp(timestamp, ZoneInfo(zone_name)).isoformat()


@settings(ORACLE, max_examples=EXAMPLES // 5)
@given(st.data(), five_fields, st.sampled_from(ODD_ZONES))
def test_six_fields_with_seconds_zero_run_like_their_five_field_form(data, expression, zone_name):
    start = data.draw(starts(zone_name))
    try:
        five = ours(expression, zone_name, start, 5)
    except InvalidSchedule:
        with pytest.raises(InvalidSchedule):
            parse_schedule(f"0 {expression}", zone_name)
        return
    assert ours(f"0 {expression}", zone_name, start, 5) == five


@settings(ORACLE, max_examples=EXAMPLES // 5)
@given(
    st.data(),
    st.one_of(st.just("*"), st.integers(1, 61).map(lambda step: f"*/{step}")),
    five_fields,
    st.sampled_from(ODD_ZONES),
)
def test_six_field_wildcard_jobs_run_at_every_real_instant(data, seconds, expression, zone_name):
    # cronsim reads every six-field expression as a wildcard job; so do we when the seconds field
    # starts with *, whatever the other fields say.
    start = data.draw(starts(zone_name))
    six = f"{seconds} {expression}"
    if accepted_by_cronsim(six, start):
        assert_due_like_debian(six, zone_name, start)


# --------------------------------------------------------------------------------------------
# The cases that once ran at other times than they said, each with its words


NEW_YORK = "America/New_York"


def local_times(expression: str, start: str, count: int, zone: str = "UTC") -> list[str]:
    schedule = parse_schedule(expression, zone)
    after = datetime.fromisoformat(start).replace(tzinfo=ZoneInfo(zone))
    return [t.strftime("%a %Y-%m-%d %H:%M:%S%z") for t in schedule.next_due_times(after, count)]


def words(expression: str) -> str:
    return parse_schedule(expression, "UTC").describe()


def test_a_range_with_equal_ends_is_that_one_value():
    assert local_times("0 3-3 * * *", "2025-06-01 00:00", 3) == [
        "Sun 2025-06-01 03:00:00+0000",
        "Mon 2025-06-02 03:00:00+0000",
        "Tue 2025-06-03 03:00:00+0000",
    ]
    assert words("0 3-3 * * *") == "At 03:00 (UTC)"
    # Stepping through a one-value range leaves that value.
    assert local_times("0-0/5 3-3/2 * * *", "2025-06-01 00:00", 2) == [
        "Sun 2025-06-01 03:00:00+0000",
        "Mon 2025-06-02 03:00:00+0000",
    ]
    assert words("0-0/5 3-3/2 * * *") == "At 03:00 (UTC)"
    mondays = local_times("0 9 * * mon-mon", "2025-06-01 00:00", 3)
    assert [t[:3] for t in mondays] == ["Mon", "Mon", "Mon"]
    assert words("0 9 * * mon-mon") == "At 09:00, only on Monday (UTC)"
    assert [t[:3] for t in local_times("0 9 * * 2-2/1", "2025-06-01 00:00", 2)] == ["Tue"] * 2


def test_hash_and_last_with_a_restricted_day_of_month_run_on_either():
    # Both fields restricted, neither starts with *: either matches.
    times = local_times("0 0 15 * FRI#2", "2025-01-01 00:00", 4)
    assert times == [
        "Fri 2025-01-10 00:00:00+0000",
        "Wed 2025-01-15 00:00:00+0000",
        "Fri 2025-02-14 00:00:00+0000",
        "Sat 2025-02-15 00:00:00+0000",
    ]
    assert "on day 15 of the month, or on the second Friday of the month" in words("0 0 15 * FRI#2")
    last_fridays = local_times("0 0 1 * 5L", "2025-01-02 00:00", 3)
    assert last_fridays == [
        "Fri 2025-01-31 00:00:00+0000",
        "Sat 2025-02-01 00:00:00+0000",
        "Fri 2025-02-28 00:00:00+0000",
    ]
    assert "on day 1 of the month, or on the last Friday of the month" in words("0 0 1 * 5L")
    # Day 1-31 or the second Friday is every day: every seven minutes, at second 43.
    every_day = local_times("43 */7 * 1-31 * FRI#2", "2025-01-01 23:50", 3)
    assert every_day == [
        "Wed 2025-01-01 23:56:43+0000",
        "Thu 2025-01-02 00:00:43+0000",
        "Thu 2025-01-02 00:07:43+0000",
    ]


def test_a_day_field_starting_with_a_star_makes_both_fields_apply():
    times = local_times("0 0 */2 * 1", "2025-01-01 00:00", 4)
    assert times == [
        "Mon 2025-01-13 00:00:00+0000",
        "Mon 2025-01-27 00:00:00+0000",
        "Mon 2025-02-03 00:00:00+0000",
        "Mon 2025-02-17 00:00:00+0000",
    ]
    assert words("0 0 */2 * 1") == "At 00:00, every 2 days, if it is also Monday (UTC)"
    # The other way round: Sunday, Tuesday, Thursday and Saturday, on the 1st to the 7th only.
    first_week = local_times("0 0 1-7 * */2", "2025-05-31 23:00", 5)
    assert first_week == [
        "Sun 2025-06-01 00:00:00+0000",
        "Tue 2025-06-03 00:00:00+0000",
        "Thu 2025-06-05 00:00:00+0000",
        "Sat 2025-06-07 00:00:00+0000",
        "Tue 2025-07-01 00:00:00+0000",
    ]
    # Both restricted, neither starting with *: either.
    assert "on day 1 and 15 of the month, or on Monday" in words("0 0 1,15 * 1")


def test_weekday_steps_run_through_seven_which_is_sunday():
    times = local_times("0 0 * * 5/1", "2025-06-05 00:00", 4)
    assert [t[:3] for t in times] == ["Fri", "Sat", "Sun", "Fri"]
    assert words("0 0 * * 5/1") == "At 00:00, Friday through Sunday (UTC)"
    assert [t[:3] for t in local_times("0 0 * * 1/2", "2025-06-01 00:00", 4)] == [
        "Mon",
        "Wed",
        "Fri",
        "Sun",
    ]
    assert [t[:3] for t in local_times("0 0 * * 7", "2025-06-02 00:00", 1)] == ["Sun"]


def test_a_wildcard_job_skips_the_times_a_spring_forward_gap_removes():
    # New York, 2025-03-09: 02:00-02:59 does not exist.
    hourly_at_half_past = local_times("30 * * * *", "2025-03-09 00:45", 3, NEW_YORK)
    assert hourly_at_half_past == [
        "Sun 2025-03-09 01:30:00-0500",
        "Sun 2025-03-09 03:30:00-0400",
        "Sun 2025-03-09 04:30:00-0400",
    ]
    # Minute starts with *: a wildcard job even with a fixed hour; it does not run that day.
    assert local_times("*/15 2 * * *", "2025-03-09 00:00", 1, NEW_YORK) == [
        "Mon 2025-03-10 02:00:00-0400"
    ]
    # A fixed-time job runs once, at the first instant after the gap.
    assert local_times("30 2 * * *", "2025-03-09 00:00", 2, NEW_YORK) == [
        "Sun 2025-03-09 03:00:00-0400",
        "Mon 2025-03-10 02:30:00-0400",
    ]


def test_on_a_fall_back_night_a_minute_or_hour_starting_with_a_star_repeats():
    # New York, 2025-11-02: 01:00-01:59 occurs twice.
    quarter_hours = local_times("*/15 1 * * *", "2025-11-02 00:00", 9, NEW_YORK)
    assert quarter_hours[:8] == [
        f"Sun 2025-11-02 01:{minute:02}:00{offset}"
        for offset in ("-0400", "-0500")
        for minute in (0, 15, 30, 45)
    ]
    assert quarter_hours[8] == "Mon 2025-11-03 01:00:00-0500"
    every_hour = local_times("0 */1 * * *", "2025-11-02 00:30", 3, NEW_YORK)
    assert every_hour == [
        "Sun 2025-11-02 01:00:00-0400",
        "Sun 2025-11-02 01:00:00-0500",
        "Sun 2025-11-02 02:00:00-0500",
    ]
    # Fixed minute and hour (a range is not a wildcard): once.
    assert local_times("0 1-2 * * *", "2025-11-02 00:30", 3, NEW_YORK) == [
        "Sun 2025-11-02 01:00:00-0400",
        "Sun 2025-11-02 02:00:00-0500",
        "Mon 2025-11-03 01:00:00-0500",
    ]
    # Six fields: seconds first; fixed seconds, minute and hour make a fixed-time job.
    assert local_times("0 30 1 * * *", "2025-11-02 00:00", 2, NEW_YORK) == [
        "Sun 2025-11-02 01:30:00-0400",
        "Mon 2025-11-03 01:30:00-0500",
    ]
    assert len(local_times("*/30 30 1 * * *", "2025-11-02 00:00", 5, NEW_YORK)) == 5


@pytest.mark.parametrize(
    "expression",
    [
        "0 0 31 2 *",
        "0 0 30 2 *",
        "0 0 31 4,6,9,11 *",
        "0 0 31 2 */1",  # * in day-of-week: both must match, and February has no 31st
        "0 0 30-31 2 */2",
    ],
)
def test_an_expression_that_can_never_run_is_refused(expression):
    with pytest.raises(InvalidSchedule, match="never runs"):
        parse_schedule(expression, "UTC")


@pytest.mark.parametrize(
    ("expression", "first"),
    [
        ("0 0 31 2 1", "Mon 2025-02-03 00:00:00+0000"),  # either: Mondays in February
        ("0 0 29 2 *", "Tue 2028-02-29 00:00:00+0000"),  # leap days
        ("0 0 * 2 1#5", "Mon 2044-02-29 00:00:00+0000"),  # a fifth Monday in February
    ],
)
def test_rare_but_possible_expressions_are_accepted(expression, first):
    assert local_times(expression, "2025-01-01 00:00", 1) == [first]


def test_a_huge_expression_gets_a_short_message():
    with pytest.raises(InvalidSchedule) as refused:
        parse_schedule("0 " + "1," * 5_000_000 + "x * * * *", "UTC")
    assert len(str(refused.value)) < 400
