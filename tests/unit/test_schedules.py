"""Schedule expressions: what parses, what is refused and why, and when each kind comes due.

Daylight saving gets the most attention: mapping wall times to real instants (gaps, folds) by
Debian's rules is checked minute by minute against a brute-force model, whose matching of wall
times is cronsim's (tests/support/cron_oracle.py). test_cron_matches_debian.py compares due times
with cronsim's directly.
"""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_tracker.core import schedules
from desktop_tracker.core.schedules import (
    CronSchedule,
    IntervalSchedule,
    InvalidSchedule,
    ManualSchedule,
    OnceSchedule,
    Schedule,
    parse_schedule,
    system_timezone,
)
from tests.support.cron_oracle import matches, oracle
from tests.support.zones import transition_days

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
SYDNEY = ZoneInfo("Australia/Sydney")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, zone: ZoneInfo, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone, fold=fold)


def as_utc(times: list[datetime]) -> list[datetime]:
    return [t.astimezone(UTC) for t in times]


def on_local_day(schedule: Schedule, day: str, zone: ZoneInfo) -> list[datetime]:
    """Every due instant whose local date is `day`."""
    start = local(f"{day} 00:00", zone) - timedelta(microseconds=1)
    times = schedule.next_due_times(start, 2000)
    return [t for t in times if t.date().isoformat() == day]


def assert_strictly_increasing(times: list[datetime]) -> None:
    instants = [t.timestamp() for t in times]
    assert instants == sorted(set(instants)), times


# --------------------------------------------------------------------------------------------
# Parsing


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ("manual", "manual"),
        ("  MANUAL  ", "manual"),
        ("*/15 * * * *", "cron"),
        ("0 9 * * mon-fri", "cron"),
        ("0 0 1 jan,jul *", "cron"),
        ("0 0 ? * SUN", "cron"),
        ("0 0 L * *", "cron"),
        ("0 0 15W * *", "cron"),
        ("0 0 * * FRI#3", "cron"),
        ("0 0 * * L5", "cron"),
        ("0 0 1-15/2 * 7", "cron"),
        ("*/10 * * * * *", "cron"),
        ("0 30 9 * * *", "cron"),
        ("@hourly", "cron"),
        ("@daily", "cron"),
        ("@WEEKLY", "cron"),
        ("@monthly", "cron"),
        ("@yearly", "cron"),
        ("@annually", "cron"),
        ("@midnight", "cron"),
        ("@every 90s", "interval"),
        ("@every 15m", "interval"),
        ("@every 2h", "interval"),
        ("@every 1h30m", "interval"),
        ("@every 1d", "interval"),
        ("once 2026-12-01T09:00", "once"),
        ("once 2026-12-01 09:00", "once"),
        ("once 2026-12-01 09:00:30", "once"),
        ("2026-12-01T09:00", "once"),
        ("2026-12-01T09:00+01:00", "once"),
    ],
)
def test_each_form_parses_to_its_kind(expression, kind):
    schedule = parse_schedule(expression, "Europe/Paris")
    assert schedule.kind == kind
    assert schedule.expression == expression.strip()
    assert schedule.timezone == "Europe/Paris"


def test_kinds_are_the_concrete_classes():
    assert isinstance(parse_schedule("manual", "UTC"), ManualSchedule)
    assert isinstance(parse_schedule("@daily", "UTC"), CronSchedule)
    assert isinstance(parse_schedule("@every 1m", "UTC"), IntervalSchedule)
    assert isinstance(parse_schedule("once 2026-12-01T09:00", "UTC"), OnceSchedule)


@pytest.mark.parametrize(
    ("preset", "fields"),
    [
        ("@hourly", "0 * * * *"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@weekly", "0 0 * * 0"),
        ("@monthly", "0 0 1 * *"),
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
    ],
)
def test_presets_run_like_their_five_field_form(preset, fields):
    after = utc("2025-05-17 13:14")
    ours = parse_schedule(preset, "Europe/Berlin").next_due_times(after, 5)
    assert ours == parse_schedule(fields, "Europe/Berlin").next_due_times(after, 5)


@pytest.mark.parametrize(
    ("expression", "timezone", "message"),
    [
        ("61 * * * *", "UTC", "minute field '61' is out of range 0–59"),
        ("0 25 * * *", "UTC", "hour field '25' is out of range 0–23"),
        ("* * * 13 *", "UTC", "month field '13' is out of range 1–12"),
        ("* * * * 8", "UTC", "day-of-week field '8' is out of range 0–7"),
        ("0 0 32 * *", "UTC", "day-of-month field '32' is out of range 1–31"),
        ("0,61 * * * *", "UTC", "minute field '0,61': 61 is out of range 0–59"),
        ("0 0 31 2 *", "UTC", "never runs: day 31 never occurs in February"),
        ("0 0 30,31 2 *", "UTC", "never runs: days 30 and 31 never occur in February"),
        ("* * * *", "UTC", "has 4 fields: 5 are expected"),
        ("* * * * * * *", "UTC", "has 7 fields: 5 are expected"),
        ("0 H * * *", "UTC", "hour field 'H': hashed (H)"),
        ("*/0 * * * *", "UTC", "minute field '*/0': the step in '*/0' must be 1 or more"),
        ("0 0 * foo *", "UTC", "month field 'foo': cannot read 'foo'"),
        ("? * * * *", "UTC", "minute field '?'"),
        ("0 0 * * L", "UTC", "L needs a weekday, e.g. 5L for the last Friday"),
        ("0 0 * * FRI#6", "UTC", "'#6' must be #1 to #5"),
        ("0 9 * * 5-1", "UTC", "the range '5-1' runs backwards"),
        ("0 18-9 * * *", "UTC", "the range '18-9' runs backwards"),
        ("0 0 * * FRI-MON", "UTC", "the range 'FRI-MON' runs backwards"),
        ("@reboot", "UTC", "unknown preset '@reboot'"),
        ("0 9 * * *", "Mars/Base", "unknown time zone 'Mars/Base': use an IANA name"),
        ("@every 0s", "UTC", "too short: it must be at least 1s"),
        ("@every 367d", "UTC", "too long: it can be at most 366d"),
        ("@every 999999999999d", "UTC", "too long: it can be at most 366d"),
        ("@every soon", "UTC", "cannot read the interval in '@every soon'"),
        ("@every", "UTC", "cannot read the interval"),
        ("once garbage", "UTC", "cannot read 'garbage' as a date and time"),
        ("once", "UTC", "'once' needs a date and time"),
        ("once 2026-12-01", "UTC", "has a date but no time"),
        ("", "UTC", "the schedule is empty"),
        ("   ", "UTC", "the schedule is empty"),
    ],
)
def test_invalid_forms_are_refused_with_a_message_naming_the_part(expression, timezone, message):
    with pytest.raises(InvalidSchedule) as refused:
        parse_schedule(expression, timezone)
    assert message in str(refused.value)


def test_an_impossible_looking_day_runs_when_a_weekday_is_also_given():
    # Cron runs when either day field matches: every Monday in February.
    times = parse_schedule("0 0 31 2 1", "UTC").next_due_times(utc("2025-01-01 00:00"), 2)
    assert times == [utc("2025-02-03 00:00"), utc("2025-02-10 00:00")]


cron_like_garbage = st.lists(
    st.one_of(
        st.text(alphabet="0123456789*/,-?#LW", min_size=1, max_size=6),
        st.sampled_from(["mon", "FRI-sun", "jan", "Dec/2", "sun#2", "L5", "15W", "L", "60", "0"]),
    ),
    min_size=5,
    max_size=6,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="0123456789*/,-?#LWHR @everymsdhonc:T\t", max_size=40),
        cron_like_garbage,
    ),
    st.sampled_from(["UTC", "Asia/Tokyo", "America/New_York", "Nowhere/Land", ""]),
)
def test_nothing_but_invalid_schedule_escapes_parsing(expression, timezone):
    try:
        schedule = parse_schedule(expression, timezone)
    except InvalidSchedule:
        return
    schedule.next_due_times(utc("2025-06-01 12:00"), 3)
    schedule.describe()


def test_parsed_schedules_are_shared():
    assert parse_schedule("*/5 * * * *", "UTC") is parse_schedule("*/5 * * * *", "UTC")


@pytest.mark.parametrize(
    "expression", ["manual", "*/5 * * * *", "@every 5m", "once 2026-12-01T09:00"]
)
def test_schedules_survive_pickle_and_deepcopy(expression):
    schedule = parse_schedule(expression, "Europe/Paris")
    for copied in (pickle.loads(pickle.dumps(schedule)), copy.deepcopy(schedule)):
        assert copied == schedule
        after = utc("2025-06-01 10:07")
        assert copied.next_due_times(after, 2) == schedule.next_due_times(after, 2)


def test_naive_after_is_refused():
    with pytest.raises(ValueError, match="aware"):
        parse_schedule("* * * * *", "UTC").next_due_after(datetime(2025, 1, 1))


# --------------------------------------------------------------------------------------------
# System time zone


def test_missing_timezone_means_the_system_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert parse_schedule("0 9 * * *").timezone == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("Asia/Tokyo", "Asia/Tokyo"),
        (":Europe/Paris", "Europe/Paris"),
        ("/usr/share/zoneinfo/America/Chicago", "America/Chicago"),
    ],
)
def test_system_timezone_reads_tz(monkeypatch, tz, expected):
    monkeypatch.setenv("TZ", tz)
    assert system_timezone() == expected


def test_system_timezone_ignores_a_tz_that_is_no_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Mars/Base")
    assert system_timezone() != "Mars/Base"
    ZoneInfo(system_timezone())


def test_system_timezone_follows_the_localtime_link(monkeypatch):
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setattr(schedules, "_zone_from_tzlocal", lambda: None)  # tzlocal found nothing
    monkeypatch.setattr(
        schedules.os, "readlink", lambda path: "../usr/share/zoneinfo/Europe/Lisbon"
    )
    assert system_timezone() == "Europe/Lisbon"


def test_system_timezone_falls_back_to_etc_timezone_then_utc(monkeypatch, tmp_path):
    def no_link(path: str) -> str:
        raise OSError("not a link")

    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setattr(schedules.os, "readlink", no_link)
    monkeypatch.setattr(schedules, "_zone_from_tzlocal", lambda: None)  # tzlocal found nothing
    etc_timezone = tmp_path / "timezone"
    etc_timezone.write_text("Africa/Nairobi\n", encoding="utf-8")
    monkeypatch.setattr(schedules, "Path", lambda path: etc_timezone)
    assert system_timezone() == "Africa/Nairobi"
    monkeypatch.setattr(schedules, "Path", lambda path: Path(tmp_path / "missing"))
    assert system_timezone() == "UTC"


# --------------------------------------------------------------------------------------------
# Cron, plain days


def test_six_fields_put_seconds_first():
    after = utc("2025-06-01 12:00:03")
    every_ten = parse_schedule("*/10 * * * * *", "UTC").next_due_times(after, 4)
    assert every_ten == [utc(f"2025-06-01 12:00:{s}") for s in ("10", "20", "30", "40")]
    at_nine_thirty = parse_schedule("0 30 9 * * *", "Europe/Paris").next_due_after(after)
    assert at_nine_thirty == local("2025-06-02 09:30:00", ZoneInfo("Europe/Paris"))


@pytest.mark.parametrize("zone", [ZoneInfo("Europe/Paris"), ZoneInfo("Asia/Tokyo")])
def test_saturday_midnights_in_the_schedule_zone(zone):
    schedule = parse_schedule("0 0 * * 6", zone.key)
    times = schedule.next_due_times(utc("2025-03-20 12:00"), 4)
    assert [t.isoformat() for t in times] == [
        local(day, zone).isoformat()
        for day in ("2025-03-22", "2025-03-29", "2025-04-05", "2025-04-12")
    ]
    assert all(t.tzinfo == zone for t in times)
    assert "Saturday" in schedule.describe()
    assert zone.key in schedule.describe()


def test_describe_wording():
    assert (
        parse_schedule("0 0 * * 6", "Europe/Paris").describe()
        == "At 00:00, only on Saturday (Europe/Paris)"
    )
    assert parse_schedule("*/10 * * * * *", "UTC").describe() == "Every 10 seconds (UTC)"
    assert parse_schedule("manual", "UTC").describe() == "Manually (only Check now)"
    assert parse_schedule("@every 15m", "UTC").describe() == "Every 15 minutes"
    assert parse_schedule("@every 1h30m", "UTC").describe().startswith("Every 1 hour 30 minutes")
    assert (
        parse_schedule("once 2026-12-01T09:00", "Europe/Paris").describe()
        == "Once, at 2026-12-01 09:00 (Europe/Paris)"
    )


def test_manual_is_never_due():
    assert parse_schedule("manual", "UTC").next_due_after(utc("2025-01-01 00:00")) is None
    assert parse_schedule("manual", "UTC").next_due_times(utc("2025-01-01 00:00"), 3) == []


# --------------------------------------------------------------------------------------------
# Cron across daylight saving


@pytest.mark.parametrize(
    ("zone", "day", "expected_utc"),
    [
        (NEW_YORK, "2025-03-09", "2025-03-09 07:00"),  # 02:30 does not exist; 03:00 EDT
        (BERLIN, "2025-03-30", "2025-03-30 01:00"),  # 03:00 CEST
        (SYDNEY, "2025-10-05", "2025-10-04 16:00"),  # 03:00 AEDT
    ],
)
def test_spring_forward_gap_time_runs_once_at_the_end_of_the_gap(zone, day, expected_utc):
    schedule = parse_schedule("30 2 * * *", zone.key)
    assert as_utc(on_local_day(schedule, day, zone)) == [utc(expected_utc)]


@pytest.mark.parametrize(
    ("zone", "expression", "day", "expected_utc"),
    [
        (NEW_YORK, "30 1 * * *", "2025-11-02", "2025-11-02 05:30"),  # 01:30 EDT
        (BERLIN, "30 2 * * *", "2025-10-26", "2025-10-26 00:30"),  # 02:30 CEST
        (SYDNEY, "30 2 * * *", "2025-04-06", "2025-04-05 15:30"),  # 02:30 AEDT
    ],
)
def test_fall_back_fixed_time_runs_once_at_the_first_occurrence(
    zone, expression, day, expected_utc
):
    schedule = parse_schedule(expression, zone.key)
    assert as_utc(on_local_day(schedule, day, zone)) == [utc(expected_utc)]


@pytest.mark.parametrize(
    ("zone", "start", "end", "fold_hour"),
    [
        (NEW_YORK, "2025-11-02 04:00", "2025-11-02 08:00", 1),
        (BERLIN, "2025-10-25 23:00", "2025-10-26 03:00", 2),
        (SYDNEY, "2025-04-05 14:00", "2025-04-05 18:00", 2),
    ],
)
def test_fall_back_wildcard_hour_runs_at_every_real_instant(zone, start, end, fold_hour):
    schedule = parse_schedule("*/30 * * * *", zone.key)
    times = [
        t for t in schedule.next_due_times(utc(start), 20) if t.timestamp() <= utc(end).timestamp()
    ]
    assert_strictly_increasing(times)
    # Every real half hour, the repeated hour included.
    assert as_utc(times) == [utc(start) + timedelta(minutes=30 * i) for i in range(1, 9)]
    repeated = [(t.hour, t.minute, t.fold) for t in times if t.hour == fold_hour]
    assert repeated == [
        (fold_hour, 0, 0),
        (fold_hour, 30, 0),
        (fold_hour, 0, 1),
        (fold_hour, 30, 1),
    ]


@pytest.mark.parametrize(
    ("zone", "day", "gap_hour"),
    [(NEW_YORK, "2025-03-09", 2), (BERLIN, "2025-03-30", 2), (SYDNEY, "2025-10-05", 2)],
)
@pytest.mark.parametrize(
    ("expression", "per_hour"), [("*/30 * * * *", 2), ("*/15 * * * *", 4), ("* * * * *", 60)]
)
def test_spring_forward_wildcard_hour_skips_the_gap_without_repeats(
    zone, day, gap_hour, expression, per_hour
):
    times = on_local_day(parse_schedule(expression, zone.key), day, zone)
    assert_strictly_increasing(times)
    assert all(t.hour != gap_hour for t in times)
    assert local(f"{day} {gap_hour + 1:02}:00", zone) in times
    # Gap times collapse onto the end of the gap, so the day loses exactly the gap's runs.
    assert len(times) == 23 * per_hour


def test_after_in_the_second_pass_of_a_fold_repeats_nothing():
    after = local("2025-11-02 01:10", NEW_YORK, fold=1)  # EST, the clock already set back
    assert after.astimezone(UTC) == utc("2025-11-02 06:10")
    fixed = parse_schedule("30 1 * * *", "America/New_York").next_due_after(after)
    assert fixed == local("2025-11-03 01:30", NEW_YORK)  # 01:30 EDT already ran today
    wildcard = parse_schedule("*/30 * * * *", "America/New_York").next_due_times(after, 3)
    assert as_utc(wildcard) == [utc(f"2025-11-02 {hm}") for hm in ("06:30", "07:00", "07:30")]


def test_after_late_in_the_first_pass_still_sees_the_repeated_hour():
    after = local("2025-11-02 01:50", NEW_YORK)  # EDT, the clock about to go back
    times = parse_schedule("*/30 * * * *", "America/New_York").next_due_times(after, 3)
    assert as_utc(times) == [utc(f"2025-11-02 {hm}") for hm in ("06:00", "06:30", "07:00")]
    hourly = parse_schedule("0 * * * *", "America/New_York").next_due_after(after)
    assert hourly is not None
    assert hourly.astimezone(UTC) == utc("2025-11-02 06:00")  # 01:00 EST


def test_after_given_in_another_zone_is_the_same_instant():
    schedule = parse_schedule("*/30 * * * *", "America/New_York")
    in_tokyo = utc("2025-11-02 05:40").astimezone(ZoneInfo("Asia/Tokyo"))
    assert schedule.next_due_after(in_tokyo) == schedule.next_due_after(utc("2025-11-02 05:40"))


def test_memoized_answers_match_fresh_ones():
    schedule = parse_schedule("*/30 * * * *", "America/New_York")
    after = local("2025-11-02 01:50", NEW_YORK)
    first = schedule.next_due_after(after)
    schedules._memo.clear()
    assert schedule.next_due_after(after) == first
    assert schedule.next_due_after(after) == first


# --------------------------------------------------------------------------------------------
# Cron properties, and a minute-by-minute model of the daylight-saving rules

DST_ZONES = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # 30-minute shifts
    "Europe/Dublin",  # negative DST in tzdata
    "America/Sao_Paulo",  # transitions at midnight, until 2019
    "America/Havana",  # transitions at midnight
    "Pacific/Chatham",  # offsets of 45 minutes
    "Pacific/Apia",  # skipped 2011-12-30 entirely
    "Asia/Kolkata",
    "UTC",
]


@st.composite
def instants_near_transitions(draw: st.DrawFn, zone_name: str) -> datetime:
    if draw(st.booleans()):
        around = draw(st.sampled_from(transition_days(zone_name)))
        return around + timedelta(seconds=draw(st.integers(-86400, 2 * 86400)))
    seconds = draw(st.integers(0, 40 * 365 * 86400))
    return datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)


def cron_field(low: int, high: int) -> st.SearchStrategy[str]:
    value = st.integers(low, high)
    single = value.map(str)
    ranged = st.tuples(value, value).map(lambda pair: f"{min(pair)}-{max(pair)}")
    stepped = st.tuples(st.sampled_from(["*", f"{low}-{high}"]), st.integers(1, high)).map(
        lambda pair: f"{pair[0]}/{pair[1]}"
    )
    listed = st.lists(value, min_size=2, max_size=4, unique=True).map(
        lambda values: ",".join(map(str, values))
    )
    return st.one_of(st.just("*"), single, ranged, stepped, listed)


any_instant = st.integers(0, 40 * 365 * 86400).map(
    lambda seconds: datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
)

five_field_expressions = st.tuples(
    cron_field(0, 59),
    st.one_of(st.just("*"), st.just("*"), cron_field(0, 23)),  # wildcard hours matter here
    st.one_of(st.just("*"), cron_field(1, 28)),
    cron_field(1, 12),
    cron_field(0, 7),
).map(" ".join)


def model_next(expression: str, zone: ZoneInfo, after: datetime, horizon: timedelta):
    """The next due instant by brute force over real minutes, or None within the horizon.

    Debian's rules: a minute is due if its wall time matches, except the repeated pass of a fold
    for a fixed-time job (neither minute nor hour starts with *); for a fixed-time job the first
    minute after a gap is due if any wall time in the gap matches, a wildcard job skips them.
    """
    cron = oracle(expression, datetime(2000, 1, 1))
    minute_text, hour_text = expression.split()[:2]
    wildcard = minute_text.startswith("*") or hour_text.startswith("*")

    after = after.astimezone(UTC)  # arithmetic below is on real time, not on wall time
    moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    previous_offset = (moment - timedelta(minutes=1)).astimezone(zone).utcoffset()
    while moment <= after + horizon:
        seen = moment.astimezone(zone)
        offset = seen.utcoffset()
        assert offset is not None and previous_offset is not None
        wall = seen.replace(tzinfo=None)
        if offset > previous_offset and not wildcard:
            skipped = (offset - previous_offset) // timedelta(minutes=1)
            if any(matches(cron, wall - timedelta(minutes=k)) for k in range(1, skipped + 1)):
                return moment
        if matches(cron, wall) and (wildcard or seen.fold == 0):
            return moment
        previous_offset = offset
        moment += timedelta(minutes=1)
    return None


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), five_field_expressions, st.sampled_from(DST_ZONES))
def test_next_due_matches_the_minute_by_minute_model(data, expression, zone_name):
    zone = ZoneInfo(zone_name)
    after = data.draw(instants_near_transitions(zone_name))
    if data.draw(st.booleans()):
        after = after.astimezone(zone)  # possibly inside a fold, fold=1
    schedule = parse_schedule(expression, zone_name)
    horizon = timedelta(days=2)
    current = after
    for _ in range(3):
        expected = model_next(expression, zone, current, horizon)
        ours = schedule.next_due_after(current)
        assert ours is not None
        if expected is None:
            assert ours.timestamp() > current.timestamp() + horizon.total_seconds()
            return
        assert ours.astimezone(UTC) == expected, (expression, current)
        assert ours.tzinfo == zone
        current = ours


@settings(max_examples=300, deadline=None)
@given(st.data(), five_field_expressions, st.sampled_from(DST_ZONES))
def test_next_due_is_strictly_after_and_increasing(data, expression, zone_name):
    after = data.draw(instants_near_transitions(zone_name))
    if data.draw(st.booleans()):
        after = after.astimezone(ZoneInfo(zone_name))  # possibly inside a fold, fold=1
    times = parse_schedule(expression, zone_name).next_due_times(after, 6)
    assert len(times) == 6
    # Timestamps: datetimes sharing a zone compare by wall time, blind to the fold.
    assert times[0].timestamp() > after.timestamp()
    assert_strictly_increasing(times)


def test_every_fifteen_minutes_lands_on_the_quarter_hour():
    schedule = parse_schedule("@every 15m", "Europe/Paris")
    assert as_utc(schedule.next_due_times(utc("2025-06-01 10:07"), 2)) == [
        utc("2025-06-01 10:15"),
        utc("2025-06-01 10:30"),
    ]
    assert schedule.next_due_after(utc("2025-06-01 10:15")) == utc("2025-06-01 10:30")


@pytest.mark.parametrize(("expression", "seconds"), [("@every 90s", 90), ("@every 1h30m", 5400)])
def test_every_counts_from_the_unix_epoch(expression, seconds):
    due = parse_schedule(expression, "Asia/Kolkata").next_due_after(utc("2025-06-01 10:07:13"))
    assert due is not None
    assert due.timestamp() % seconds == 0
    assert 0 < due.timestamp() - utc("2025-06-01 10:07:13").timestamp() <= seconds


def test_every_ignores_daylight_saving():
    times = parse_schedule("@every 1h", "America/New_York").next_due_times(
        utc("2025-11-02 04:30"), 4
    )
    assert as_utc(times) == [utc(f"2025-11-02 0{h}:00") for h in (5, 6, 7, 8)]
    assert [t.hour for t in times] == [1, 1, 2, 3]


def test_once_in_the_future_is_due_then_never_again():
    schedule = parse_schedule("once 2026-12-01T09:00", "Europe/Paris")
    due = schedule.next_due_after(utc("2026-01-01 00:00"))
    assert due == local("2026-12-01 09:00", ZoneInfo("Europe/Paris"))
    assert schedule.next_due_after(due) is None
    assert schedule.next_due_times(utc("2026-01-01 00:00"), 5) == [due]


def test_once_in_the_past_is_never_due():
    schedule = parse_schedule("2020-01-01 09:00", "Europe/Paris")
    assert schedule.next_due_after(utc("2025-01-01 00:00")) is None


def test_once_with_an_offset_is_that_instant():
    schedule = parse_schedule("2026-12-01T09:00-05:00", "Europe/Paris")
    assert schedule.next_due_after(utc("2026-01-01 00:00")) == utc("2026-12-01 14:00")
    assert schedule.describe() == "Once, at 2026-12-01 15:00 (Europe/Paris)"


def test_once_in_a_gap_runs_just_after_it_and_in_a_fold_at_the_first_pass():
    in_gap = parse_schedule("once 2025-03-09 02:30", "America/New_York")
    assert as_utc(in_gap.next_due_times(utc("2025-01-01 00:00"), 2)) == [utc("2025-03-09 07:00")]
    in_fold = parse_schedule("once 2025-11-02 01:30", "America/New_York")
    assert as_utc(in_fold.next_due_times(utc("2025-01-01 00:00"), 2)) == [utc("2025-11-02 05:30")]
