"""Retry strategies: how long to wait before trying a failed job again, and when to give up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from desktop_tracker.core.durations import InvalidDuration, parse_duration
from desktop_tracker.core.quoting import quote, quote_some

StrategyName = Literal["none", "constant", "linear", "exponential"]
MAX_ATTEMPTS = 10
# A retry is for a failure that passes (a site down for a while); a wait longer than a week is
# the schedule's job. The limits also keep every retry instant a date the scheduler can show
# and compute with: `initial=99999999999d` was once accepted and overflowed its datetimes.
MAX_DELAY = 7 * 86400.0  # seconds, for each of initial, increment and maximum
MAX_MULTIPLIER = 10.0  # the retry editor's limit too


class InvalidRetryStrategy(ValueError):
    """A retry strategy that cannot be used; the message says which part and why."""


@dataclass(frozen=True, slots=True)
class RetryStrategy:
    """Attempts are counted with the first try included: attempts=3 means up to two retries.

    constant:    every retry waits `initial` seconds.
    linear:      retry n waits initial + increment·(n-1), at most `maximum`.
    exponential: retry n waits initial·multiplier^(n-1), at most `maximum`.
    """

    strategy: StrategyName = "none"
    attempts: int = 1
    initial: float = 60.0
    increment: float = 60.0
    multiplier: float = 2.0
    maximum: float = 3600.0

    def __post_init__(self) -> None:
        if self.strategy not in ("none", "constant", "linear", "exponential"):
            raise InvalidRetryStrategy(
                f"unknown retry strategy {quote(str(self.strategy))}: "
                "use none, constant, linear or exponential"
            )
        if self.strategy == "none":
            if self.attempts != 1:
                object.__setattr__(self, "attempts", 1)
            return
        if not 1 <= self.attempts <= MAX_ATTEMPTS:
            raise InvalidRetryStrategy(
                f"attempts must be between 1 and {MAX_ATTEMPTS}, not {_number(self.attempts)}"
            )
        # Written "not <= limit" rather than "> limit" so that NaN is refused too.
        for name in ("initial", "maximum"):
            if not getattr(self, name) > 0:
                raise InvalidRetryStrategy(f"{name} interval must be more than 0 seconds")
        if not self.increment >= 0:
            raise InvalidRetryStrategy("increment must not be negative")
        for name in ("initial", "increment", "maximum"):
            if not getattr(self, name) <= MAX_DELAY:
                raise InvalidRetryStrategy(
                    f"{name} interval must be at most 7 days (7d): a retry waits a week at most"
                )
        if not self.multiplier >= 1:
            raise InvalidRetryStrategy("multiplier must be 1 or more")
        if not self.multiplier <= MAX_MULTIPLIER:
            raise InvalidRetryStrategy(f"multiplier must be at most {MAX_MULTIPLIER:g}")

    def delay_after(self, failed_attempt: int) -> float | None:
        """Seconds to wait after attempt `failed_attempt` (1-based) failed; None: give up."""
        if failed_attempt >= self.attempts:
            return None
        retry = failed_attempt  # the 1-based number of the retry about to be planned
        if self.strategy == "constant":
            return self.initial
        if self.strategy == "linear":
            return min(self.initial + self.increment * (retry - 1), self.maximum)
        return min(self.initial * self.multiplier ** (retry - 1), self.maximum)

    def delays(self) -> list[float]:
        """Every delay this strategy would wait, in order (what the retry editor shows)."""
        result: list[float] = []
        for attempt in range(1, self.attempts):
            delay = self.delay_after(attempt)
            if delay is None:
                break
            result.append(delay)
        return result

    def to_dict(self) -> dict[str, Any]:
        if self.strategy == "none":
            return {"strategy": "none"}
        data: dict[str, Any] = {
            "strategy": self.strategy,
            "attempts": self.attempts,
            "initial": self.initial,
        }
        if self.strategy == "linear":
            data["increment"] = self.increment
        if self.strategy == "exponential":
            data["multiplier"] = self.multiplier
        if self.strategy != "constant":
            data["maximum"] = self.maximum
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RetryStrategy:
        known = {"strategy", "attempts", "initial", "increment", "multiplier", "maximum"}
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            raise InvalidRetryStrategy(f"unknown retry field(s): {quote_some(unknown)}")
        try:
            return cls(**data)
        except TypeError as error:
            raise InvalidRetryStrategy(f"invalid retry strategy: {error}") from None

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> RetryStrategy:
        """A strategy as the database holds it. Versions before MAX_DELAY and MAX_MULTIPLIER
        stored larger values: each is read as its limit, so their data still opens (and such a
        retry waits a week, not a month)."""
        values = dict(data)
        for key, limit in (
            ("initial", MAX_DELAY),
            ("increment", MAX_DELAY),
            ("maximum", MAX_DELAY),
            ("multiplier", MAX_MULTIPLIER),
        ):
            value = values.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue  # left to from_dict to refuse
            if not value <= limit:  # NaN, which was accepted then, too
                values[key] = limit
        return cls.from_dict(values)


NO_RETRY = RetryStrategy()


def parse_retry(spec: str) -> RetryStrategy:
    """Read the command line's form: 'none', 'constant,attempts=3,interval=30s',
    'linear,attempts=5,initial=1m,increment=1m,max=10m',
    'exponential,attempts=5,initial=10s,multiplier=2,max=10m'. Durations are read as the retry
    editor reads them (core/durations.py): 'interval=1h 30m' too."""
    name, *settings = [part.strip() for part in spec.split(",") if part.strip()] or [""]
    aliases = {"interval": "initial", "max": "maximum"}
    fields: dict[str, Any] = {"strategy": name.lower()}
    for setting in settings:
        key, sep, value = setting.partition("=")
        key = aliases.get(key.strip().lower(), key.strip().lower())
        if not sep:
            raise InvalidRetryStrategy(f"retry setting {quote(setting)} needs the form name=value")
        if key == "attempts":
            digits = value.strip()
            # isdigit() alone takes "²", which int() does not read.
            if not (digits.isascii() and digits.isdigit()):
                raise InvalidRetryStrategy(f"attempts must be a whole number, not {quote(value)}")
            if len(digits.lstrip("0")) > 6:  # int() refuses over 4,300 digits, in its words
                raise InvalidRetryStrategy(
                    f"attempts must be between 1 and {MAX_ATTEMPTS}, not {quote(digits)}"
                )
            fields[key] = int(digits)
        elif key == "multiplier":
            try:
                fields[key] = float(value)
            except ValueError:
                raise InvalidRetryStrategy(
                    f"multiplier must be a number, not {quote(value)}"
                ) from None
        elif key in ("initial", "increment", "maximum"):
            try:
                fields[key] = parse_duration(value)
            except InvalidDuration as error:
                raise InvalidRetryStrategy(str(error)) from None
        else:
            raise InvalidRetryStrategy(
                f"unknown retry setting {quote(key)}: use attempts, interval/initial, increment, "
                "multiplier or max"
            )
    return RetryStrategy.from_dict(fields)


def _number(value: object) -> str:
    """A number given in code or a file, for a message: short whatever its size."""
    try:
        text = repr(value)
    except ValueError:  # an int of more than 4,300 digits has no text
        return "a number too long to show"
    return text if len(text) <= 24 else quote(text, 24)
