"""Schedule expressions: parse and validate them, describe them in words, find when they are due.

A schedule is one of four kinds:

* ``manual`` never comes due; the user presses "Check now".
* A cron expression (5 fields, or 6 with seconds first) or a preset such as ``@daily``.
* ``@every 15m``: every multiple of the interval since the Unix epoch.
* ``once 2026-12-01T09:00`` (or a bare ISO 8601 date-time): a single instant.

Cron matching is left to croniter, which is right about naive wall-clock times. Turning a wall time
into a real instant is done here with zoneinfo, because croniter's own time-zone handling runs a
fixed-time job twice on a fall-back night. The rules:

* a wall time that exists once is that instant;
* a wall time inside a spring-forward gap runs at the first instant after the gap;
* a wall time that occurs twice runs at both instants only when the hour field is a wildcard (the
  job runs at every real instant); otherwise it runs at the first one only.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, cast
from zoneinfo import ZoneInfo

from croniter import croniter

__all__ = [
    "CronSchedule",
    "IntervalSchedule",
    "InvalidSchedule",
    "ManualSchedule",
    "OnceSchedule",
    "Schedule",
    "parse_schedule",
    "system_timezone",
]


class InvalidSchedule(ValueError):
    """Raised with a message that names the wrong part and says what to do."""


# Instants are handled internally as naive UTC datetimes: comparing them is exact and cheap, and
# it sidesteps PEP 495, under which aware datetimes in a fold compare unequal across zones.
_EPOCH: Final = datetime(1970, 1, 1)
_ONE_SECOND: Final = timedelta(seconds=1)
_ONE_MICROSECOND: Final = timedelta(microseconds=1)

_EXAMPLES: Final = "'0 9 * * *', '@every 15m', 'once 2026-12-01T09:00' or 'manual'"


# --------------------------------------------------------------------------------------------
# Time zones


def _load_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        # KeyError is ZoneInfoNotFoundError; ValueError and OSError come from malformed keys
        # and from directory names such as "Europe".
        raise InvalidSchedule(
            f"unknown time zone '{name}': use an IANA name such as Europe/Paris"
        ) from None


def _zone_name_from_path(path: str) -> str | None:
    """'Area/City' from a path such as /usr/share/zoneinfo/Area/City, if it names a zone."""
    marker = "zoneinfo/"
    position = path.rfind(marker)
    if position < 0:
        return None
    name = path[position + len(marker) :]
    for prefix in ("posix/", "right/"):
        name = name.removeprefix(prefix)
    return _known_zone(name)


def _known_zone(name: str) -> str | None:
    name = name.strip()
    # These load as zones on some systems but are not names a user would recognise.
    if not name or name in ("localtime", "posixrules"):
        return None
    try:
        _load_zone(name)
    except InvalidSchedule:
        return None
    return name


def _zone_from_tz_variable() -> str | None:
    value = os.environ.get("TZ", "").strip().removeprefix(":")
    if not value:
        return None
    if "/" in value and value.startswith(("/", ".")):
        return _zone_name_from_path(value)
    return _known_zone(value)


def _zone_from_localtime_link() -> str | None:
    try:
        target = os.readlink("/etc/localtime")
    except (OSError, NotImplementedError):
        return None
    return _zone_name_from_path(target) or _zone_name_from_path(os.path.realpath(target))


def _zone_from_etc_timezone() -> str | None:
    try:
        lines = Path("/etc/timezone").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError):
        return None
    return _known_zone(lines[0]) if lines else None


def system_timezone() -> str:
    """IANA name of the machine's zone: $TZ if it names a zone, else the /etc/localtime symlink
    target (…/zoneinfo/Area/City), else /etc/timezone, else 'UTC'.

    Not cached: the user may change the system zone while the app runs. On Windows none of the
    sources exist and the answer is 'UTC'.
    """
    for source in (_zone_from_tz_variable, _zone_from_localtime_link, _zone_from_etc_timezone):
        name = source()
        if name is not None:
            return name
    return "UTC"


# --------------------------------------------------------------------------------------------
# Wall times and instants


def _offset_of(moment: datetime) -> timedelta:
    offset = moment.utcoffset()
    assert offset is not None, "a ZoneInfo datetime always has an offset"
    return offset


def _offset_at(instant: datetime, zone: ZoneInfo) -> timedelta:
    return _offset_of(zone.fromutc(instant.replace(tzinfo=zone)))


def _whole_seconds(instant: datetime, *, round_up: bool) -> int:
    delta = instant - _EPOCH
    seconds = delta // _ONE_SECOND
    if round_up and delta % _ONE_SECOND:
        seconds += 1
    return seconds


@functools.lru_cache(maxsize=1024)
def _transition(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The instant in (before, after] at which the zone's UTC offset changes.

    Bisection on whole seconds is exact: tzdata transitions fall on whole seconds.
    """
    old_offset = _offset_at(before, zone)
    low = _whole_seconds(before, round_up=False)
    high = _whole_seconds(after, round_up=True)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at(_EPOCH + timedelta(seconds=middle), zone) == old_offset:
            low = middle
        else:
            high = middle
    return _EPOCH + timedelta(seconds=high)


def _readings(wall: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants a naive wall time stands for under fold=0 and fold=1.

    Equal: the time exists once. First earlier: it occurs twice (a fall-back fold). First later:
    it does not exist (a spring-forward gap), and the transition lies between the two.
    """
    first = wall - _offset_of(wall.replace(tzinfo=zone))
    second = wall - _offset_of(wall.replace(tzinfo=zone, fold=1))
    return first, second


def _first_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first real instant at which a clock in `zone` shows `wall`, or the end of its gap."""
    first, second = _readings(wall, zone)
    if first <= second:
        return first
    return _transition(second, first, zone)


def _to_utc(after: datetime) -> datetime:
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValueError(f"after must be an aware datetime, got naive {after.isoformat()}")
    return after.astimezone(UTC).replace(tzinfo=None)


def _in_zone(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.replace(tzinfo=UTC).astimezone(zone)


# --------------------------------------------------------------------------------------------
# Schedules


@dataclass(frozen=True)
class Schedule(ABC):
    """A parsed schedule. Build one with parse_schedule()."""

    expression: str
    timezone: str
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "expression", self.expression.strip())
        object.__setattr__(self, "timezone", self.timezone.strip())
        object.__setattr__(self, "_zone", _load_zone(self.timezone))

    def __reduce__(self) -> tuple[type[Schedule], tuple[str, str]]:
        # Rebuild from the text: the croniter and the lock inside a cron schedule do not copy.
        return (type(self), (self.expression, self.timezone))

    @property
    @abstractmethod
    def kind(self) -> str:
        """One of "manual", "cron", "interval" or "once"."""

    @abstractmethod
    def next_due_after(self, after: datetime) -> datetime | None:
        """First due instant strictly after `after` (an aware datetime), as an aware datetime in
        the schedule's zone, or None when the schedule never runs again."""

    @abstractmethod
    def describe(self) -> str:
        """The schedule in words, e.g. "At 00:00, only on Saturday (Europe/Paris)"."""

    def next_due_times(self, after: datetime, count: int) -> list[datetime]:
        """The next `count` due instants after `after`; fewer if the schedule stops running."""
        if count < 0:
            raise ValueError(f"count must be 0 or more, got {count}")
        times: list[datetime] = []
        current = after
        while len(times) < count:
            due = self.next_due_after(current)
            if due is None:
                break
            times.append(due)
            current = due
        return times


@dataclass(frozen=True)
class ManualSchedule(Schedule):
    """Never due: runs only when the user asks."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.expression.lower() != "manual":
            raise InvalidSchedule(f"'{self.expression}' is not 'manual'")

    @property
    def kind(self) -> str:
        return "manual"

    def next_due_after(self, after: datetime) -> datetime | None:
        _to_utc(after)
        return None

    def describe(self) -> str:
        return "Manually (only Check now)"


# --- cron ------------------------------------------------------------------------------------

_PRESETS: Final = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

_MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# February counts 29: a day that exists in leap years is a day that exists.
_LONGEST_MONTH: Final = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]
    hint: str


_SECOND: Final = _Field("second", 0, 59, {}, "use 0–59, e.g. 0, */10, 0-30 or 0,30")
_MINUTE: Final = _Field("minute", 0, 59, {}, "use 0–59, e.g. 0, */15, 0-30 or 0,30")
_HOUR: Final = _Field("hour", 0, 23, {}, "use 0–23, e.g. 9, */2, 9-17 or 9,13")
_DAY: Final = _Field(
    "day-of-month",
    1,
    31,
    {},
    "use 1–31, e.g. 1, 1-15 or 1,15, L for the last day or 15W for the weekday nearest the 15th",
)
_MONTH: Final = _Field(
    "month",
    1,
    12,
    {name[:3].lower(): number for number, name in enumerate(_MONTH_NAMES, start=1)},
    "use 1–12 or JAN–DEC, e.g. 6, JAN-MAR or 1,7",
)
_WEEKDAY: Final = _Field(
    "day-of-week",
    0,
    7,
    {name: number for number, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))},
    "use 0–7 (0 and 7 are Sunday) or SUN–SAT, e.g. MON-FRI, FRI#3 for the third Friday"
    " or L5 for the last Friday",
)
_FIVE_FIELDS: Final = (_MINUTE, _HOUR, _DAY, _MONTH, _WEEKDAY)
_SIX_FIELDS: Final = (_SECOND, *_FIVE_FIELDS)

_HASHED: Final = re.compile(r"[hr](?:\(\d+-\d+\))?(?:/\d+)?")
_NEAREST_WEEKDAY: Final = re.compile(r"(\d+)w|w(\d+)")


def _field_error(spec: _Field, text: str, problem: str) -> InvalidSchedule:
    return InvalidSchedule(f"{spec.name} field '{text}': {problem}; {spec.hint}")


def _check_value(spec: _Field, text: str, value: str) -> int:
    lowered = value.lower()
    if not value:
        raise _field_error(spec, text, "a number is missing")
    if value.isdecimal() and value.isascii():
        number = int(value)
    elif lowered in spec.names:
        number = spec.names[lowered]
    else:
        raise _field_error(spec, text, f"cannot read '{value}'")
    if not spec.low <= number <= spec.high:
        if value == text:
            raise InvalidSchedule(
                f"{spec.name} field '{text}' is out of range {spec.low}–{spec.high}"
            )
        raise InvalidSchedule(
            f"{spec.name} field '{text}': {number} is out of range {spec.low}–{spec.high}"
        )
    return number


def _check_range(spec: _Field, text: str, item: str) -> None:
    """Checks `value`, `value-value` or `*`, each optionally followed by `/step`."""
    base, slash, step = item.partition("/")
    if slash and not (step.isdecimal() and step.isascii()):
        raise _field_error(spec, text, f"the step in '{item}' must be a whole number")
    if slash and int(step) == 0:
        raise _field_error(spec, text, f"the step in '{item}' must be 1 or more")
    if base == "*":
        return
    low, dash, high = base.partition("-")
    _check_value(spec, text, low)
    if dash and not (spec is _DAY and high.lower() == "l"):
        _check_value(spec, text, high)


def _check_item(spec: _Field, text: str, item: str, alone: bool) -> None:
    """Checks one comma-separated part of a field. Messages quote the user's own spelling."""
    lowered = item.lower()
    if not item:
        raise _field_error(spec, text, "there is an empty value; check the commas")
    if _HASHED.fullmatch(lowered):
        raise _field_error(
            spec,
            text,
            f"hashed (H) and random (R) values such as '{item}' are not supported;"
            " write a fixed value instead",
        )
    if item == "?":
        if spec not in (_DAY, _WEEKDAY):
            raise _field_error(spec, text, "? is only allowed for day-of-month or day-of-week")
        if not alone:
            raise _field_error(spec, text, "? must stand alone")
        return
    if spec is _DAY:
        if lowered == "l":
            return
        nearest = _NEAREST_WEEKDAY.fullmatch(lowered)
        if nearest:
            _check_value(spec, text, nearest.group(1) or nearest.group(2))
            if not alone:
                raise _field_error(spec, text, "W takes a single day, not a list")
            return
        if "w" in lowered:
            raise _field_error(spec, text, f"'{item}' is not supported")
    if spec is _WEEKDAY:
        day, hash_sign, nth = item.partition("#")
        if hash_sign:
            if not (nth.isdecimal() and nth.isascii() and 1 <= int(nth) <= 5):
                raise _field_error(spec, text, f"'#{nth}' must be #1 to #5")
            _check_range(spec, text, day)
            return
        if lowered == "l":
            raise _field_error(spec, text, "L needs a weekday, e.g. L5 for the last Friday")
        if lowered.startswith("l") and item[1:].isdecimal():
            _check_value(spec, text, item[1:])
            return
        # croniter knows the last weekday only as L and a number; Quartz writes 5L or FRIL.
        if lowered.startswith("l") or lowered.endswith("l"):
            day = item[1:] if lowered.startswith("l") else item[:-1]
            if day.isdecimal() or day.lower() in spec.names:
                number = _check_value(spec, text, day) % 7
                raise _field_error(spec, text, f"write the last weekday as L{number}, not {item}")
    _check_range(spec, text, item)


def _check_fields(fields: list[str]) -> None:
    specs = _SIX_FIELDS if len(fields) == 6 else _FIVE_FIELDS
    for spec, text in zip(specs, fields, strict=True):
        items = text.split(",")
        for item in items:
            _check_item(spec, text, item, alone=len(items) == 1)


def _join(words: list[str], conjunction: str) -> str:
    if len(words) <= 2:
        return f" {conjunction} ".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _never_runs(expanded: list[list[Any]]) -> InvalidSchedule:
    days = [value for value in expanded[2] if isinstance(value, int)]
    months = [value for value in expanded[3] if isinstance(value, int)]
    if days and months and len(days) == len(expanded[2]) and len(months) == len(expanded[3]):
        longest = max(_LONGEST_MONTH[month - 1] for month in months)
        if min(days) > longest:
            day_words = f"day {days[0]} never occurs"
            if len(days) > 1:
                day_words = f"days {_join([str(day) for day in days], 'and')} never occur"
            month_words = _join([_MONTH_NAMES[month - 1] for month in months], "or")
            which = "that month" if len(months) == 1 else "those months"
            return InvalidSchedule(
                f"the schedule never runs: {day_words} in {month_words};"
                f" choose a day that exists in {which}, or L for the last day"
            )
    return InvalidSchedule(
        "the schedule never runs: no date matches its day-of-month, month and day-of-week"
        " fields together; check those three fields"
    )


def _croniter_accepts(text: str, seconds_first: bool, *, strict: bool = False) -> bool:
    try:
        return bool(croniter.is_valid(text, second_at_beginning=seconds_first, strict=strict))
    except Exception:  # is_valid lets a few non-croniter errors through
        return False


def _build_croniter(text: str, fields: list[str]) -> Any:
    """A croniter for a cron expression already checked field by field.

    The field checks catch almost everything, but croniter has a few rules of its own (such as
    not mixing plain weekdays with '#'); its messages do not say which field is at fault, so the
    failing field is found by trying each one alone.
    """
    seconds_first = len(fields) == 6
    # Building the croniter is the validation: a second parse by is_valid() would double the
    # cost of adding jobs (each parse expands every field).
    try:
        return croniter(text, _EPOCH, ret_type=datetime, second_at_beginning=seconds_first)
    except Exception:  # croniter raises ValueError, TypeError and its own errors
        pass
    specs = _SIX_FIELDS if seconds_first else _FIVE_FIELDS
    for index, spec in enumerate(specs):
        probe = ["*"] * len(fields)
        probe[index] = fields[index]
        if not _croniter_accepts(" ".join(probe), seconds_first):
            raise _field_error(spec, fields[index], "this form is not supported")
    raise InvalidSchedule(
        f"cron expression '{text}' is not supported: its fields do not combine;"
        " simplify the day-of-month and day-of-week fields"
    )


def _check_runs(text: str, seconds_first: bool, cron: Any) -> None:
    day_of_month = text.split()[3 if seconds_first else 2]
    if day_of_month in ("*", "?"):
        return  # every day of every month exists: only fixed days can be impossible
    if _croniter_accepts(text, seconds_first, strict=True):
        return
    # strict=True reads day-of-month and month alone, but with a day-of-week present cron runs
    # on either match ('0 0 31 2 1' is every Monday in February), so look for a real run. croniter
    # searches up to 50 years ahead, more than any cycle of the calendar.
    try:
        cron.get_next(datetime, datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        raise _never_runs(cron.expanded) from None


def _cron_fields(expression: str) -> list[str]:
    lowered = expression.lower()
    if lowered.startswith("@"):
        if lowered in _PRESETS:
            return _PRESETS[lowered].split()
        raise InvalidSchedule(
            f"unknown preset '{expression}': use @hourly, @daily, @weekly, @monthly, @yearly,"
            " @every DURATION, or a cron expression"
        )
    fields = expression.split()
    if len(fields) not in (5, 6):
        raise InvalidSchedule(
            f"cron expression '{expression}' has {len(fields)} field"
            f"{'' if len(fields) == 1 else 's'}: 5 are expected"
            " (minute hour day-of-month month day-of-week), or 6 with seconds first"
        )
    return fields


@functools.lru_cache(maxsize=512)
def _describe_cron(text: str) -> str:
    # Imported here: cron_descriptor takes tens of milliseconds to import and loads translations,
    # and only the user interface ever asks for words.
    from cron_descriptor import ExpressionDescriptor, Options

    try:
        options = Options(locale_code="en_US", use_24hour_time_format=True)
        return str(ExpressionDescriptor(text.upper(), options).get_description())
    except Exception:  # the words are a courtesy; the schedule itself is valid
        return f"Cron {text}"


# A bounded memo of next_due_after results. Many jobs share an expression and are asked about the
# same `after` (the scheduler's tick), so this saves most of croniter's work. Plain dict order
# gives first-in-first-out eviction, which is enough for a cache this hot.
_MEMO_LIMIT: Final = 16384
_memo: dict[tuple[str, str, datetime], datetime | None] = {}
_memo_lock = threading.Lock()


def _remember(key: tuple[str, str, datetime], value: datetime | None) -> None:
    with _memo_lock:
        if len(_memo) >= _MEMO_LIMIT:
            del _memo[next(iter(_memo))]
        _memo[key] = value


@dataclass(frozen=True)
class CronSchedule(Schedule):
    """A cron expression (5 fields, or 6 with seconds first) or a preset such as @daily."""

    _fields: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _cron: Any = field(init=False, repr=False, compare=False)
    _wildcard_hour: bool = field(init=False, repr=False, compare=False)
    # croniter keeps its position between calls, so one schedule's calls take turns.
    _lock: threading.Lock = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.expression:
            raise InvalidSchedule(f"the schedule is empty: write one such as {_EXAMPLES}")
        fields = _cron_fields(self.expression)
        _check_fields(fields)
        text = " ".join(fields)
        cron = _build_croniter(text, fields)
        _check_runs(text, len(fields) == 6, cron)
        object.__setattr__(self, "_fields", tuple(fields))
        object.__setattr__(self, "_cron", cron)
        object.__setattr__(self, "_wildcard_hour", cron.expanded[1] == ["*"])
        object.__setattr__(self, "_lock", threading.Lock())

    @property
    def kind(self) -> str:
        return "cron"

    def describe(self) -> str:
        # cron_descriptor reads 6 fields as seconds-first only by guessing; with a 7th (year)
        # field there is nothing to guess.
        text = " ".join(self._fields) + (" *" if len(self._fields) == 6 else "")
        return f"{_describe_cron(text)} ({self.timezone})"

    def next_due_after(self, after: datetime) -> datetime | None:
        after_utc = _to_utc(after)
        key = (self.expression, self.timezone, after_utc)
        try:
            return _memo[key]
        except KeyError:
            pass
        with self._lock:
            try:
                due = self._next_instant(after_utc)
            except (ValueError, OverflowError):
                # Only at the ends of the calendar (year 1 or 9999): nothing comes due there.
                due = None
        result = None if due is None else _in_zone(due, self._zone)
        _remember(key, result)
        return result

    def _next_wall(self, wall: datetime) -> datetime:
        """The first wall time strictly after `wall` that the expression matches."""
        return cast(datetime, self._cron.get_next(datetime, wall))

    def _next_instant(self, after: datetime) -> datetime:
        """The next due instant after `after`; both are naive UTC."""
        zone = self._zone
        wall = _in_zone(after, zone).replace(tzinfo=None, fold=0)
        first, second = _readings(wall, zone)
        if first >= second:
            return self._first_reading_after(wall, after)

        # `after` lies in a fall-back fold: its wall time occurs twice.
        transition = _transition(first, second, zone)
        fold_start = transition + (wall - second)
        fold_end = transition + (wall - first)
        in_second_pass = after >= transition
        # Once the clock has been set back, the first readings of the fold's wall times are all
        # past; starting at the fold's end saves visiting them one by one. The epsilon lets a
        # match at fold_end itself count.
        start = fold_end - _ONE_MICROSECOND if in_second_pass else wall
        best = self._first_reading_after(start, after)
        if self._wildcard_hour:
            # The second readings of the fold's wall times are due too; the first of them that is
            # still ahead can precede `best`.
            repeat_start = wall if in_second_pass else fold_start - _ONE_MICROSECOND
            repeat_wall = self._next_wall(repeat_start)
            if repeat_wall < fold_end:
                repeat = repeat_wall - (wall - second)
                if after < repeat < best:
                    best = repeat
        return best

    def _first_reading_after(self, start: datetime, after: datetime) -> datetime:
        """The first reading (or gap end) after `after` of a matching wall time after `start`.

        That reading never decreases as the wall time grows, so the loop ends; from a start at
        `after`'s own wall time, outside a fold's second pass, it ends on the first match.
        """
        wall = start
        while True:
            wall = self._next_wall(wall)
            instant = _first_instant(wall, self._zone)
            if instant > after:
                return instant


# --- interval --------------------------------------------------------------------------------

_DURATION: Final = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", re.ASCII)
_UNITS: Final = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def _parse_duration(expression: str) -> int:
    text = "".join(expression[len("@every") :].split()).lower()
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        raise InvalidSchedule(
            f"cannot read the interval in '{expression}': write a whole number with a unit,"
            " e.g. @every 90s, @every 15m, @every 2h, @every 1h30m or @every 1d"
        )
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if total < 1:
        raise InvalidSchedule(
            f"the interval in '{expression}' is too short: it must be at least 1s"
        )
    return total


def _duration_words(seconds: int) -> str:
    parts: list[str] = []
    for unit, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    if len(parts) == 1 and parts[0].startswith("1 "):
        return parts[0][2:]
    return " ".join(parts)


@dataclass(frozen=True)
class IntervalSchedule(Schedule):
    """`@every DURATION`: due at every multiple of the interval since the Unix epoch (UTC).

    Counting from a fixed origin keeps it stateless (no "last run" needed) and immune to daylight
    saving.
    """

    seconds: int = field(init=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.expression.lower().startswith("@every"):
            raise InvalidSchedule(f"'{self.expression}' is not an '@every DURATION' schedule")
        object.__setattr__(self, "seconds", _parse_duration(self.expression))

    @property
    def kind(self) -> str:
        return "interval"

    def next_due_after(self, after: datetime) -> datetime | None:
        elapsed = (_to_utc(after) - _EPOCH) // _ONE_MICROSECOND
        step = self.seconds * 1_000_000
        try:
            due = _EPOCH + timedelta(microseconds=(elapsed // step + 1) * step)
            return _in_zone(due, self._zone)
        except OverflowError:
            return None

    def describe(self) -> str:
        words = f"Every {_duration_words(self.seconds)}"
        if self.seconds >= 3600:
            # Long intervals are counted on the UTC clock, which users in other zones should see.
            words += ", counted from 00:00 UTC"
        return words


# --- once ------------------------------------------------------------------------------------

_ISO_DATE_TIME: Final = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]|$)", re.ASCII | re.IGNORECASE)


@dataclass(frozen=True)
class OnceSchedule(Schedule):
    """A single instant: a wall time in the schedule's zone, or an ISO text with an offset."""

    _instant: datetime = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        text = self.expression
        if text.lower().startswith("once"):
            text = text[4:].strip()
        if not text:
            raise InvalidSchedule("'once' needs a date and time, e.g. once 2026-12-01T09:00")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.ASCII):
            raise InvalidSchedule(
                f"'{self.expression}' has a date but no time: add one, e.g. {text}T09:00"
            )
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidSchedule(
                f"cannot read '{text}' as a date and time: write it like"
                " once 2026-12-01T09:00 or once 2026-12-01 09:00"
            ) from None
        try:
            if moment.tzinfo is not None:
                instant = moment.astimezone(UTC).replace(tzinfo=None)
            else:
                instant = _first_instant(moment, self._zone)
            # Checked here so that next_due_after() and describe() cannot overflow later.
            _in_zone(instant, self._zone)
        except OverflowError:
            raise InvalidSchedule(
                f"'{text}' is too close to the ends of the calendar: use a year from 2 to 9998"
            ) from None
        object.__setattr__(self, "_instant", instant)

    @property
    def kind(self) -> str:
        return "once"

    def next_due_after(self, after: datetime) -> datetime | None:
        if self._instant > _to_utc(after):
            return _in_zone(self._instant, self._zone)
        return None

    def describe(self) -> str:
        local = _in_zone(self._instant, self._zone)
        shown = local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")
        return f"Once, at {shown} ({self.timezone})"


# --------------------------------------------------------------------------------------------
# Parsing


def parse_schedule(expression: str, timezone: str | None = None) -> Schedule:
    """Parse `expression` in the IANA zone `timezone` (the system zone when None).

    Raises InvalidSchedule with a message that names the wrong part.
    """
    return _parse(expression, system_timezone() if timezone is None else timezone)


# The scheduler parses on every fire; schedules are immutable, so sharing them is safe.
@functools.lru_cache(maxsize=4096)
def _parse(expression: str, timezone: str) -> Schedule:
    text = expression.strip()
    lowered = text.lower()
    if not text:
        raise InvalidSchedule(f"the schedule is empty: write one such as {_EXAMPLES}")
    if lowered == "manual":
        return ManualSchedule(text, timezone)
    if lowered.startswith("@every"):
        return IntervalSchedule(text, timezone)
    if lowered.split()[0] == "once" or _ISO_DATE_TIME.match(text):
        return OnceSchedule(text, timezone)
    return CronSchedule(text, timezone)
