"""A cron expression in words that say what runs: "At 00:00, on day 15 of the month, or on the
second Friday of the month".

cron-descriptor words the time, day-of-month and month fields well, but not the days as Debian
runs them: it joins day-of-month and day-of-week with "or" only sometimes (never for `#` and
`L`), says "or" where Debian means "and" (`*/2` with `1`), and reads `5/1` as Friday to Saturday.
So the days are worded here from the parsed expression, and cron-descriptor is asked only about
fields it gets right, each normalised first (`3-3` → `3`), and the phrases are joined here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Final

from desktop_tracker.core.cron import WEEKDAY_NAMES, CronExpression
from desktop_tracker.core.words import join_words

__all__ = ["describe_cron"]

_ORDINALS: Final = ("first", "second", "third", "fourth", "fifth")
# `3-3` and `3-3/5` are both just 3 (Debian reads the range first, then steps through it).
_EQUAL_ENDS: Final = re.compile(r"\b(\w+)-\1(?:/\d+)?(?![\w-])", re.IGNORECASE)
# Monday first, so that FRI-SUN reads "Friday through Sunday".
_WEEK_ORDER: Final = (1, 2, 3, 4, 5, 6, 0)


@functools.lru_cache(maxsize=512)
def describe_cron(expression: CronExpression) -> str:
    """The expression in English words (the time zone is the caller's to add)."""
    try:
        return _words(expression)
    except Exception:  # the words are a courtesy; the schedule itself is valid
        return f"Cron {' '.join(expression.fields)}"


def _words(expression: CronExpression) -> str:
    normalised = [_EQUAL_ENDS.sub(r"\1", text) for text in expression.fields]
    if len(normalised) == 6:
        second, minute, hour, day, month, _ = normalised
        time_text = f"{second} {minute} {hour} * * * *"  # a 7th (year) field: seconds first
    else:
        minute, hour, day, month, _ = normalised
        time_text = f"{minute} {hour} * * *"
    parts = [_descriptor(time_text)]
    days = _day_words(expression, day)
    if days:
        parts.append(days)
    if month not in ("*", "?"):
        parts.append(_after_time(_descriptor(f"0 0 * {month} *")))
    return ", ".join(part for part in parts if part)


def _day_words(expression: CronExpression, day_text: str) -> str:
    of_week = expression.days.of_week
    dom_all = day_text in ("*", "?")
    dow_all = of_week.star and len(of_week.weekdays) == 7
    dom_words = "" if dom_all else _after_time(_descriptor(f"0 0 {day_text} * *"))
    dow_words = "" if dow_all else _weekday_words(expression)
    if not dow_words:
        return dom_words
    if not dom_words:
        return dow_words
    if expression.days.both_must_match:
        # Debian: a day field that starts with * makes both fields apply.
        return f"{dom_words}, if it is also {_without_on(dow_words)}"
    return f"{dom_words}, or {dow_words.removeprefix('only ')}"


def _weekday_words(expression: CronExpression) -> str:
    of_week = expression.days.of_week
    phrases = []
    plain = [day for day in _WEEK_ORDER if day in of_week.weekdays]
    if plain:
        phrases.append(_day_list(plain))
    for day, count in sorted(of_week.nth, key=lambda pair: (pair[1], _WEEK_ORDER.index(pair[0]))):
        phrases.append(f"on the {_ORDINALS[count - 1]} {WEEKDAY_NAMES[day]} of the month")
    for day in sorted(of_week.last, key=_WEEK_ORDER.index):
        phrases.append(f"on the last {WEEKDAY_NAMES[day]} of the month")
    text = join_words(phrases, "or")
    # "only on Monday", as cron-descriptor says it; but "Monday through Friday".
    return f"only {text}" if len(phrases) == 1 and plain and " through " not in text else text


def _day_list(days: Sequence[int]) -> str:
    """Weekdays in order, runs of three or more as "Monday through Friday"."""
    runs: list[list[int]] = []
    for day in days:
        position = _WEEK_ORDER.index(day)
        if runs and _WEEK_ORDER.index(runs[-1][-1]) == position - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    words = []
    for run in runs:
        if len(run) >= 3:
            words.append(f"{WEEKDAY_NAMES[run[0]]} through {WEEKDAY_NAMES[run[-1]]}")
        else:
            words.extend(WEEKDAY_NAMES[day] for day in run)
    text = join_words(words, "and")
    return text if text.startswith(WEEKDAY_NAMES[runs[0][0]] + " through") else "on " + text


def _without_on(words: str) -> str:
    words = words.removeprefix("only ")
    return words.removeprefix("on ")


def _after_time(words: str) -> str:
    """The phrase cron-descriptor puts after "At 00:00, "."""
    return words.partition(", ")[2]


@functools.lru_cache(maxsize=1024)
def _descriptor(text: str) -> str:
    # Imported here: cron_descriptor takes tens of milliseconds to import and loads translations,
    # and only the user interface ever asks for words.
    from cron_descriptor import ExpressionDescriptor, Options

    options = Options()
    options.locale_code = "en_US"
    options.use_24hour_time_format = True
    return str(ExpressionDescriptor(text.upper(), options).get_description())
