"""Durations: read as the user types them ("90s", "1h 30m", "2.5s"), said in words ("1 h 30 min",
"1 hour 30 minutes") and written back in the typed form. One rule each, for schedules (`@every`),
retry waits (the command line and the editor alike) and every message that names a timeout.

The typed form is days, hours, minutes and seconds, in that order, each a number followed by its
unit (d, h, m, s): "1d", "15m", "1h30m". Upper or lower case, and white space anywhere is left
out ("1h 30m" is "1h30m").
"""

from __future__ import annotations

import math
import re
from typing import Final, Literal

from desktop_tracker.core.quoting import quote

__all__ = [
    "DURATION_EXAMPLES",
    "InvalidDuration",
    "duration_in_words",
    "duration_text",
    "parse_duration",
]

# What a message or a placeholder suggests typing.
DURATION_EXAMPLES: Final = "30s, 5m, 1h30m or 1d"

_UNIT_SECONDS: Final = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
_SHORT_UNITS: Final = (("d", 86400), ("h", 3600), ("min", 60))
_LONG_UNITS: Final = (("day", 86400), ("hour", 3600), ("minute", 60))


def _pattern(number: str, last_unit: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?:({number})d)?(?:({number})h)?(?:({number})m)?(?:({number}){last_unit})?", re.ASCII
    )


_DECIMALS: Final = _pattern(r"\d+(?:\.\d+)?", "s?")  # a bare number is seconds
_WHOLE_NUMBERS: Final = _pattern(r"\d+", "s")  # every number has its unit


class InvalidDuration(ValueError):
    """Text that is not a duration, or one outside the bounds asked for. `problem` says which:
    "form" (it cannot be read), "short" (below the minimum) or "long" (above the maximum)."""

    def __init__(self, message: str, problem: Literal["form", "short", "long"]) -> None:
        super().__init__(message)
        self.problem = problem


def parse_duration(
    text: str,
    *,
    whole: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """Seconds in '90', '90s', '15m', '2h', '1h30m', '1h 30m', '1.5h' or '1d'.

    `whole`: whole numbers only, each with its unit ('@every 90s', never '90' or '1.5h').
    `minimum` and `maximum` (seconds, inclusive) bound the result; NaN is never within them.

    :raises InvalidDuration: with a message that quotes `text` (short, whatever its size).
    """
    compact = "".join(text.split()).lower()
    match = (_WHOLE_NUMBERS if whole else _DECIMALS).fullmatch(compact)
    if not compact or match is None:
        raise InvalidDuration(
            f"{quote(text)} is not a duration: write e.g. {DURATION_EXAMPLES}", "form"
        )
    total = 0.0
    for part, (_, size) in zip(match.groups(), _UNIT_SECONDS, strict=True):
        if part:
            total += float(part) * size  # float(): no limit on digits (int() has 4,300)
    if minimum is not None and not total >= minimum:
        raise InvalidDuration(
            f"{quote(text)} is too short: it must be at least {duration_text(minimum)}", "short"
        )
    if maximum is not None and not total <= maximum:
        raise InvalidDuration(
            f"{quote(text)} is too long: it can be at most {duration_text(maximum)}", "long"
        )
    return total


def duration_text(seconds: float) -> str:
    """The typed form of a duration, which parse_duration reads back: '30s', '1h30m', '2.5s'."""
    if not math.isfinite(seconds) or seconds < 0:
        return f"{seconds:g}s"
    if seconds != int(seconds):
        return f"{seconds:f}".rstrip("0") + "s"
    rest = int(seconds)
    if rest == 0:
        return "0s"
    parts = []
    for unit, size in _UNIT_SECONDS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def duration_in_words(seconds: float, style: Literal["short", "long"] = "short") -> str:
    """A duration said, to the millisecond.

    short: '30 s', '1 min', '1 h 30 min', '2 d', '0.5 s': as in a list of waits or a message.
    long: '30 seconds', '1 minute', '1 hour 30 minutes', '2 days': as in a sentence.
    """
    if not math.isfinite(seconds):
        return f"{seconds:g} s" if style == "short" else f"{seconds:g} seconds"
    if seconds < 0:
        return "-" + duration_in_words(-seconds, style)
    parts = []
    rest = round(seconds, 3)  # float sums such as 0.1 + 0.2 must not show 17 digits
    for unit, size in _SHORT_UNITS if style == "short" else _LONG_UNITS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(_counted(int(count), str(int(count)), unit, style))
    if rest or not parts:
        second = "s" if style == "short" else "second"
        parts.append(_counted(rest, f"{round(rest, 3):g}", second, style))
    return " ".join(parts)


def _counted(count: float, shown: str, unit: str, style: Literal["short", "long"]) -> str:
    plural = style == "long" and count != 1
    return f"{shown} {unit}{'s' if plural else ''}"
