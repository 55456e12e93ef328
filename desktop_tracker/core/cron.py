"""Cron expressions as cron on Debian and Ubuntu reads them: the fields, and the next match.

This module matches naive wall-clock times and knows nothing of time zones; `schedules.py` maps
wall times to real instants, daylight saving included.

Debian's rules (Vixie cron with Debian's patches; cronsim implements the same):

* five fields, minute hour day-of-month month day-of-week; six put seconds first (an extension);
* a field is a list of values, ranges `a-b` (equal ends are that one value) and steps (`*/s`,
  `a-b/s`, and `a/s`, which runs from `a` to the end of the field); months and weekdays also by
  name (JAN–DEC, SUN–SAT);
* day-of-week runs 0–7, 0 and 7 both Sunday, and `*` means 0–7, so steps run through 7;
* when day-of-month and day-of-week are both restricted a day matches if either does, but when
  either field starts with `*` (`*/2`) both must.

Beyond Debian, from the Quartz family: `?` (as `*`), day-of-month `L` (the last day), `LW` (the
last weekday), `15W` (the weekday nearest the 15th) and `10-L`; day-of-week `5L` or `L5` (the last
Friday) and `5#2` (the second Friday). They follow the same either/both rule.

croniter was the engine before this module: it reads `3-3` as the whole field, stops weekday
steps at 6, and ignores the either/both rule for `#` and `L`. Matching is small enough to own.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from desktop_tracker.core.quoting import quote
from desktop_tracker.core.words import join_words

__all__ = ["CronExpression", "InvalidSchedule", "parse_cron"]


class InvalidSchedule(ValueError):
    """Raised with a message that names the wrong part and says what to do."""


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
WEEKDAY_NAMES: Final = (
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
)
# February counts 29: a day that exists in leap years is a day that exists.
_LONGEST_MONTH: Final = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# The Gregorian calendar repeats its dates and weekdays every 400 years: a search that long
# finds a match if there is one.
_SEARCH_YEARS: Final = 401


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]
    hint: str


SECOND: Final = _Field("second", 0, 59, {}, "use 0–59, e.g. 0, */10, 0-30 or 0,30")
MINUTE: Final = _Field("minute", 0, 59, {}, "use 0–59, e.g. 0, */15, 0-30 or 0,30")
HOUR: Final = _Field("hour", 0, 23, {}, "use 0–23, e.g. 9, */2, 9-17 or 9,13")
DAY: Final = _Field(
    "day-of-month",
    1,
    31,
    {},
    "use 1–31, e.g. 1, 1-15 or 1,15, L for the last day or 15W for the weekday nearest the 15th",
)
MONTH: Final = _Field(
    "month",
    1,
    12,
    {name[:3].lower(): number for number, name in enumerate(_MONTH_NAMES, start=1)},
    "use 1–12 or JAN–DEC, e.g. 6, JAN-MAR or 1,7",
)
WEEKDAY: Final = _Field(
    "day-of-week",
    0,
    7,
    {name[:3].lower(): number for number, name in enumerate(WEEKDAY_NAMES)},
    "use 0–7 (0 and 7 are Sunday) or SUN–SAT, e.g. MON-FRI, FRI#3 for the third Friday"
    " or 5L for the last Friday",
)

_HASHED: Final = re.compile(r"[hr](?:\(\d+-\d+\))?(?:/\d+)?")
_NEAREST_WEEKDAY: Final = re.compile(r"(\d+)w|w(\d+)")


def _field_error(spec: _Field, text: str, problem: str) -> InvalidSchedule:
    return InvalidSchedule(f"{spec.name} field {quote(text)}: {problem}; {spec.hint}")


def _value(spec: _Field, text: str, value: str) -> int:
    if not value:
        raise _field_error(spec, text, "a number is missing")
    if value.isdecimal() and value.isascii():
        number = int(value)
    elif value.lower() in spec.names:
        number = spec.names[value.lower()]
    else:
        raise _field_error(spec, text, f"cannot read {quote(value)}")
    if not spec.low <= number <= spec.high:
        if value == text:
            raise InvalidSchedule(
                f"{spec.name} field {quote(text)} is out of range {spec.low}–{spec.high}"
            )
        raise InvalidSchedule(
            f"{spec.name} field {quote(text)}: {number} is out of range {spec.low}–{spec.high}"
        )
    return number


def _step(spec: _Field, text: str, item: str, step: str) -> int:
    if not (step.isdecimal() and step.isascii()):
        raise _field_error(spec, text, f"the step in {quote(item)} must be a whole number")
    if int(step) == 0:
        raise _field_error(spec, text, f"the step in {quote(item)} must be 1 or more")
    return int(step)


def _range(spec: _Field, text: str, item: str, *, high: int | None = None) -> list[int]:
    """The values of `*`, `a`, `a-b` or `a/s`, each optionally stepped: `*/s`, `a-b/s`.

    `high` stands in for the end of a range written `a-L` (the month's last day).
    """
    base, slash, step_text = item.partition("/")
    step = _step(spec, text, item, step_text) if slash else 1
    if base == "*":
        low, top = spec.low, spec.high
    else:
        first, dash, last = base.partition("-")
        low = _value(spec, text, first)
        if dash:
            top = high if high is not None else _value(spec, text, last)
            if top < low:
                raise _field_error(
                    spec,
                    text,
                    f"the range {quote(base)} runs backwards: write the smaller value first,"
                    " or two ranges",
                )
        else:
            # `a/s` runs to the end of the field, as in Debian; a bare `a` is that value.
            top = spec.high if slash else low
    return list(range(low, top + 1, step))


def _plain_items(spec: _Field, text: str) -> tuple[int, ...]:
    """Seconds, minutes, hours and months: a sorted tuple of the values the field allows."""
    values: set[int] = set()
    for item in text.split(","):
        _refuse_common(spec, text, item)
        if item == "?":
            raise _field_error(spec, text, "? is only allowed for day-of-month or day-of-week")
        values.update(_range(spec, text, item))
    return tuple(sorted(values))


def _refuse_common(spec: _Field, text: str, item: str) -> None:
    if not item:
        raise _field_error(spec, text, "there is an empty value; check the commas")
    if _HASHED.fullmatch(item.lower()):
        raise _field_error(
            spec,
            text,
            f"hashed (H) and random (R) values such as {quote(item)} are not supported;"
            " write a fixed value instead",
        )


def _is_star(text: str) -> bool:
    """A day field that starts with `*` (or is `?`): Debian's test for "both must match"."""
    return text.startswith("*") or text == "?"


@dataclass(frozen=True)
class _DayOfMonth:
    star: bool  # starts with `*` (or is `?`)
    days: frozenset[int] = frozenset()
    last: bool = False  # L
    last_weekday: bool = False  # LW
    nearest_weekday: tuple[int, ...] = ()  # 15W
    to_last: tuple[tuple[int, int], ...] = ()  # 10-L and 10-L/2: (start, step)

    @property
    def fixed_days_only(self) -> bool:
        return not (self.last or self.last_weekday or self.nearest_weekday or self.to_last)

    def days_of(self, first_weekday: int, last: int) -> set[int]:
        """The days it names in a month of `last` days whose 1st is `first_weekday` (Monday 0)."""
        days = {day for day in self.days if day <= last}
        if self.last:
            days.add(last)
        if self.last_weekday:
            days.add(_nearest_weekday(last, first_weekday, last))
        for day in self.nearest_weekday:
            if day <= last:
                days.add(_nearest_weekday(day, first_weekday, last))
        for start, step in self.to_last:
            days.update(range(start, last + 1, step))
        return days


@dataclass(frozen=True)
class _DayOfWeek:
    star: bool
    weekdays: frozenset[int] = frozenset()  # 0–6, Sunday 0
    nth: frozenset[tuple[int, int]] = frozenset()  # FRI#2: (5, 2)
    last: frozenset[int] = frozenset()  # 5L

    def matches(self, weekday: int, day: int, last: int) -> bool:
        return (
            weekday in self.weekdays
            or (weekday, (day + 6) // 7) in self.nth
            or (weekday in self.last and day + 7 > last)
        )


@dataclass(frozen=True)
class _Days:
    """The day-of-month and day-of-week fields, and how they combine."""

    of_month: _DayOfMonth
    of_week: _DayOfWeek

    @property
    def both_must_match(self) -> bool:
        return self.of_month.star or self.of_week.star

    def matching(self, year: int, month: int) -> tuple[int, ...]:
        """The days of that month that match, in order."""
        first_weekday, last = calendar.monthrange(year, month)  # Monday 0
        of_month, of_week = self.of_month, self.of_week
        every_day = of_month.star and len(of_month.days) == 31
        if every_day and of_week.star and len(of_week.weekdays) == 7 and not of_week.nth:
            return tuple(range(1, last + 1))
        doms = of_month.days_of(first_weekday, last)
        both = self.both_must_match
        sunday_first = (first_weekday + 1) % 7  # cron's weekday of the 1st, Sunday 0
        days = []
        for day in range(1, last + 1):
            dom_ok = day in doms
            if both and not dom_ok:
                continue
            if (dom_ok and not both) or of_week.matches((sunday_first + day - 1) % 7, day, last):
                days.append(day)
        return tuple(days)


def _nearest_weekday(day: int, first_weekday: int, last: int) -> int:
    """The Monday-to-Friday day nearest `day` within its month (Quartz's `W`)."""
    weekday = (first_weekday + day - 1) % 7  # Monday 0
    if weekday == 5:  # Saturday: Friday before, or Monday after on the 1st
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: Monday after, or Friday before on the last day
        return day + 1 if day < last else day - 2
    return day


def _day_of_month(text: str) -> _DayOfMonth:
    spec = DAY
    items = text.split(",")
    days: set[int] = set()
    last = last_weekday = False
    nearest: list[int] = []
    to_last: list[tuple[int, int]] = []
    for item in items:
        _refuse_common(spec, text, item)
        lowered = item.lower()
        if item == "?":
            if len(items) > 1:
                raise _field_error(spec, text, "? must stand alone")
            days.update(range(1, 32))
        elif lowered == "l":
            last = True
        elif lowered == "lw":
            last_weekday = True
        elif (match := _NEAREST_WEEKDAY.fullmatch(lowered)) is not None:
            nearest.append(_value(spec, text, match.group(1) or match.group(2)))
        elif "w" in lowered:
            raise _field_error(spec, text, f"{quote(item)} is not supported")
        elif re.fullmatch(r"[^-/]+-l(?:/.*)?", lowered):
            base, slash, step = item.partition("/")
            start = _value(spec, text, base.partition("-")[0])
            to_last.append((start, _step(spec, text, item, step) if slash else 1))
        else:
            days.update(_range(spec, text, item))
    return _DayOfMonth(
        _is_star(text), frozenset(days), last, last_weekday, tuple(nearest), tuple(to_last)
    )


def _day_of_week(text: str) -> _DayOfWeek:
    spec = WEEKDAY
    items = text.split(",")
    weekdays: set[int] = set()
    nth: set[tuple[int, int]] = set()
    last: set[int] = set()
    for item in items:
        _refuse_common(spec, text, item)
        lowered = item.lower()
        day, hash_sign, count = item.partition("#")
        if item == "?":
            if len(items) > 1:
                raise _field_error(spec, text, "? must stand alone")
            weekdays.update(range(7))
        elif hash_sign:
            if not (count.isdecimal() and count.isascii() and 1 <= int(count) <= 5):
                raise _field_error(spec, text, f"{quote('#' + count)} must be #1 to #5")
            nth.add((_value(spec, text, day) % 7, int(count)))
        elif lowered == "l":
            raise _field_error(spec, text, "L needs a weekday, e.g. 5L for the last Friday")
        elif len(lowered) > 1 and (lowered.endswith("l") or lowered.startswith("l")):
            # The last such weekday of the month: 5L and FRIL (cronsim, Quartz) or L5 (croniter).
            name = item[:-1] if lowered.endswith("l") else item[1:]
            last.add(_value(spec, text, name) % 7)
        else:
            weekdays.update(value % 7 for value in _range(spec, text, item))
    return _DayOfWeek(_is_star(text), frozenset(weekdays), frozenset(nth), frozenset(last))


@dataclass(frozen=True)
class CronExpression:
    """A parsed cron expression: what it matches, on naive wall-clock times.

    `fields` are the user's fields (a preset expanded), `seconds_first` tells five from six.
    `wildcard` is Debian's daylight-saving class: a job whose minute or hour field (or, with six
    fields, seconds field) starts with `*` runs at every real instant; any other is fixed-time.
    """

    fields: tuple[str, ...]
    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: frozenset[int]
    days: _Days
    wildcard: bool
    # Matching days per (year, month): many calls ask about the same month.
    _month_days: dict[tuple[int, int], tuple[int, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def seconds_first(self) -> bool:
        return len(self.fields) == 6

    def next_after(self, wall: datetime) -> datetime | None:
        """The first matching wall time strictly after `wall` (naive), whole seconds; None if
        there is none before the end of the calendar."""
        moment = wall.replace(microsecond=0) + timedelta(seconds=1)
        year, month, day = moment.year, moment.month, moment.day
        at = (moment.hour, moment.minute, moment.second)
        for _ in range(_SEARCH_YEARS * 12):
            if month in self.months:
                days = self._days_in(year, month)
                index = bisect_left(days, day)
                if index < len(days) and days[index] == day:
                    time = self._time_at_or_after(*at)
                    if time is not None:
                        return datetime(year, month, day, *time)
                    index += 1
                if index < len(days):
                    return datetime(
                        year, month, days[index], self.hours[0], self.minutes[0], self.seconds[0]
                    )
            month, day, at = month + 1, 1, (0, 0, 0)
            if month == 13:
                month, year = 1, year + 1
                if year > 9999:
                    return None
        return None

    def _days_in(self, year: int, month: int) -> tuple[int, ...]:
        key = (year, month)
        days = self._month_days.get(key)
        if days is None:
            days = self.days.matching(year, month)
            if len(self._month_days) >= 64:
                self._month_days.clear()
            self._month_days[key] = days
        return days

    def _time_at_or_after(self, hour: int, minute: int, second: int) -> tuple[int, int, int] | None:
        hours, minutes, seconds = self.hours, self.minutes, self.seconds
        h = bisect_left(hours, hour)
        if h < len(hours) and hours[h] == hour:
            m = bisect_left(minutes, minute)
            if m < len(minutes) and minutes[m] == minute:
                s = bisect_left(seconds, second)
                if s < len(seconds):
                    return hour, minute, seconds[s]
                m += 1
            if m < len(minutes):
                return hour, minutes[m], seconds[0]
            h += 1
        if h < len(hours):
            return hours[h], minutes[0], seconds[0]
        return None


def parse_cron(fields: list[str]) -> CronExpression:
    """Parse 5 or 6 cron fields (already split). :raises InvalidSchedule: naming the field."""
    seconds_first = len(fields) == 6
    second_text, minute_text, hour_text, dom_text, month_text, dow_text = (
        fields if seconds_first else ["0", *fields]
    )
    seconds = _plain_items(SECOND, second_text) if seconds_first else (0,)
    minutes = _plain_items(MINUTE, minute_text)
    hours = _plain_items(HOUR, hour_text)
    months = _plain_items(MONTH, month_text)
    days = _Days(_day_of_month(dom_text), _day_of_week(dow_text))
    wildcard = minute_text.startswith("*") or hour_text.startswith("*")
    if seconds_first:
        wildcard = wildcard or second_text.startswith("*")
    expression = CronExpression(
        tuple(fields), seconds, minutes, hours, frozenset(months), days, wildcard
    )
    _check_runs(expression)
    return expression


def _check_runs(expression: CronExpression) -> None:
    """Refuse an expression that matches no date at all, such as `0 0 31 2 *`."""
    if expression.next_after(datetime(2000, 1, 1) - timedelta(seconds=1)) is not None:
        return
    of_month = expression.days.of_month
    impossible_days_alone = expression.days.of_week.star or expression.days.both_must_match
    if of_month.fixed_days_only and of_month.days and impossible_days_alone:
        month_numbers = sorted(expression.months)
        longest = max(_LONGEST_MONTH[month - 1] for month in month_numbers)
        day_numbers = sorted(of_month.days)
        if min(day_numbers) > longest:
            day_words = f"day {day_numbers[0]} never occurs"
            if len(day_numbers) > 1:
                day_words = f"days {join_words([str(d) for d in day_numbers], 'and')} never occur"
            month_words = join_words([_MONTH_NAMES[month - 1] for month in month_numbers], "or")
            which = "that month" if len(month_numbers) == 1 else "those months"
            raise InvalidSchedule(
                f"the schedule never runs: {day_words} in {month_words};"
                f" choose a day that exists in {which}, or L for the last day"
            )
    raise InvalidSchedule(
        "the schedule never runs: no date matches its day-of-month, month and day-of-week"
        " fields together; check those three fields"
    )
