"""Schedule expressions: parse and validate them, describe them in words, find when they are due.

A schedule is one of four kinds:

* ``manual`` never comes due; the user presses "Check now".
* A cron expression (5 fields, or 6 with seconds first) or a preset such as ``@daily``.
* ``@every 15m``: every multiple of the interval since the Unix epoch.
* ``once 2026-12-01T09:00`` (or a bare ISO 8601 date-time): a single instant.

Cron expressions match wall-clock times as cron on Debian does (`cron.py`). Turning a wall time
into real instants is done here with zoneinfo, by Debian's daylight-saving rules, which sort jobs
in two classes (`CronExpression.wildcard`):

* a *fixed-time* job (none of its seconds, minute and hour fields starts with `*`): a wall time
  inside a spring-forward gap runs once, at the first instant after the gap; a wall time that
  occurs twice runs at its first occurrence only;
* a *wildcard* job runs at every real instant whose wall time matches: times that do not exist
  are skipped, times that occur twice run twice.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

import tzlocal

from desktop_tracker.core.cron import CronExpression, InvalidSchedule, parse_cron
from desktop_tracker.core.cron_words import describe_cron
from desktop_tracker.core.durations import InvalidDuration, duration_in_words, parse_duration
from desktop_tracker.core.quoting import quote

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


# Instants are handled internally as naive UTC datetimes: comparing them is exact and cheap, and
# it sidesteps PEP 495, under which aware datetimes in a fold compare unequal across zones.
_EPOCH: Final = datetime(1970, 1, 1)
_ONE_SECOND: Final = timedelta(seconds=1)
_ONE_MICROSECOND: Final = timedelta(microseconds=1)

# Longer texts are refused before parsing: a cron expression of a few megabytes (a paste gone
# wrong, or a hostile import) would take seconds to read, and its words would be unreadable.
MAX_EXPRESSION_LENGTH: Final = 1000
MAX_ZONE_LENGTH: Final = 100

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
            f"unknown time zone {quote(name)}: use an IANA name such as Europe/Paris"
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


def _zone_from_tzlocal() -> str | None:
    """The zone tzlocal finds: the registry on Windows, the system's settings elsewhere."""
    try:
        # tzlocal keeps its first answer; the user may change the zone while the app runs.
        with contextlib.suppress(Exception):
            tzlocal.reload_localzone()
        name = tzlocal.get_localzone_name()
    except Exception:  # tzlocal raises for conflicting or unreadable configurations
        return None
    return _known_zone(name) if isinstance(name, str) else None


def system_timezone() -> str:
    """IANA name of the machine's zone: $TZ if it names a zone, else what tzlocal finds (the
    Windows registry, the system's settings on Linux and macOS) if ZoneInfo can load it, else
    the /etc/localtime symlink target (…/zoneinfo/Area/City), else /etc/timezone, else 'UTC'.

    Not cached: the user may change the system zone while the app runs.
    """
    sources = (
        _zone_from_tz_variable,
        _zone_from_tzlocal,
        _zone_from_localtime_link,
        _zone_from_etc_timezone,
    )
    for source in sources:
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
        # Rebuild from the text: a parsed schedule is a cache of what the text says.
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
            raise InvalidSchedule(f"{quote(self.expression)} is not 'manual'")

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


def _cron_fields(expression: str) -> list[str]:
    lowered = expression.lower()
    if lowered.startswith("@"):
        if lowered in _PRESETS:
            return _PRESETS[lowered].split()
        raise InvalidSchedule(
            f"unknown preset {quote(expression)}: use @hourly, @daily, @weekly, @monthly, @yearly,"
            " @every DURATION, or a cron expression"
        )
    fields = expression.split()
    if len(fields) not in (5, 6):
        raise InvalidSchedule(
            f"cron expression {quote(expression)} has {len(fields)} field"
            f"{'' if len(fields) == 1 else 's'}: 5 are expected"
            " (minute hour day-of-month month day-of-week), or 6 with seconds first"
        )
    return fields


# A bounded memo of next_due_after results. Many jobs share an expression and are asked about the
# same `after` (the scheduler's tick), so this saves most of the matching work. Plain dict order
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

    _cron: CronExpression = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.expression:
            raise InvalidSchedule(f"the schedule is empty: write one such as {_EXAMPLES}")
        object.__setattr__(self, "_cron", parse_cron(_cron_fields(self.expression)))

    @property
    def kind(self) -> str:
        return "cron"

    def describe(self) -> str:
        return f"{describe_cron(self._cron)} ({self.timezone})"

    def next_due_after(self, after: datetime) -> datetime | None:
        after_utc = _to_utc(after)
        key = (self.expression, self.timezone, after_utc)
        try:
            return _memo[key]
        except KeyError:
            pass
        try:
            due = self._next_instant(after_utc)
        except OverflowError:
            # Only at the ends of the calendar (year 1 or 9999): nothing comes due there.
            due = None
        result = None if due is None else _in_zone(due, self._zone)
        _remember(key, result)
        return result

    def _next_wall(self, wall: datetime) -> datetime:
        """The first wall time strictly after `wall` that the expression matches."""
        found = self._cron.next_after(wall)
        if found is None:
            raise OverflowError("no match before the end of the calendar")
        return found

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
        if self._cron.wildcard:
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
        """The first reading after `after` of a matching wall time after `start`: for a
        fixed-time job a wall time in a gap reads as the gap's end, for a wildcard job it is
        skipped (it never happens).

        That reading never decreases as the wall time grows, so the loop ends; from a start at
        `after`'s own wall time, outside a fold's second pass, it ends on the first match.
        """
        wall = start
        zone = self._zone
        while True:
            wall = self._next_wall(wall)
            first, second = _readings(wall, zone)
            if first > second:  # in a spring-forward gap
                if self._cron.wildcard:
                    continue
                instant = _transition(second, first, zone)
            else:
                instant = first
            if instant > after:
                return instant


# --- interval --------------------------------------------------------------------------------

# Longer intervals are rarer than @yearly, and from about 10^11 days on, never come due at all.
_LONGEST_INTERVAL: Final = 366 * 86400


def _parse_interval(expression: str) -> int:
    text = expression[len("@every") :]
    try:
        return int(parse_duration(text, whole=True, minimum=1, maximum=_LONGEST_INTERVAL))
    except InvalidDuration as error:
        if error.problem == "short":
            raise InvalidSchedule(
                f"the interval in {quote(expression)} is too short: it must be at least 1s"
            ) from None
        if error.problem == "long":
            raise InvalidSchedule(
                f"the interval in {quote(expression)} is too long: it can be at most 366d; for"
                " rarer checks use a cron expression (e.g. @yearly) or once DATE-TIME"
            ) from None
        raise InvalidSchedule(
            f"cannot read the interval in {quote(expression)}: write a whole number with a unit,"
            " e.g. @every 90s, @every 15m, @every 2h, @every 1h30m or @every 1d"
        ) from None


def _every_words(seconds: int) -> str:
    """'15 minutes', '1 hour 30 minutes'; one of a unit is the unit alone: 'Every hour'."""
    words = duration_in_words(seconds, "long")
    return words.removeprefix("1 ") if words.count(" ") == 1 else words


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
            raise InvalidSchedule(f"{quote(self.expression)} is not an '@every DURATION' schedule")
        object.__setattr__(self, "seconds", _parse_interval(self.expression))

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
        words = f"Every {_every_words(self.seconds)}"
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
                f"{quote(self.expression)} has a date but no time: add one, e.g. {text[:10]}T09:00"
            )
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidSchedule(
                f"cannot read {quote(text)} as a date and time: write it like"
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
                f"{quote(text)} is too close to the ends of the calendar: use a year from 2 to 9998"
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
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise InvalidSchedule(
            f"the schedule {quote(expression)} is too long: at most"
            f" {MAX_EXPRESSION_LENGTH:,} characters are allowed; write a shorter one, e.g. with"
            " ranges (1-5) and steps (*/10) instead of long lists"
        )
    if timezone is not None and len(timezone) > MAX_ZONE_LENGTH:
        raise InvalidSchedule(
            f"unknown time zone {quote(timezone)}: use an IANA name such as Europe/Paris"
        )
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
