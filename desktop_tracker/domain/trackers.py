"""A tracker: a named URL with its settings and schedule, and the rules its fields follow."""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any

from desktop_tracker.core.quoting import quote
from desktop_tracker.core.retry import (
    MAX_ATTEMPTS,
    NO_RETRY,
    InvalidRetryStrategy,
    RetryStrategy,
)
from desktop_tracker.core.schedules import InvalidSchedule, parse_schedule, system_timezone
from desktop_tracker.domain.urls import InvalidUrl, validate_http_url
from desktop_tracker.kinds.base import InvalidOption, is_header_name, is_sendable_header_value
from desktop_tracker.kinds.registry import DEFAULT_KIND, KIND_NAMES, UnknownKind, kind_for
from desktop_tracker.kinds.rules import InvalidRule, compile_rule, matches_any

NAME_MAX = 100
REVISIONS_MIN, REVISIONS_MAX, REVISIONS_DEFAULT = 1, 100, 10
# Far above any real value, and checked before the URL is parsed: a field of an import file can
# be any size. (Schedules and zones have their own caps, in core/schedules.py.)
URL_MAX = 8192  # servers refuse longer request lines (8 KiB is the common limit)

CHECK_HANDLER = "tracker.check"


class InvalidTracker(ValueError):
    """A tracker field breaks a rule; `field` names it, the message says what to do."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


WHOLE_TRACKER = "tracker"  # the `field` of an error about the tracker as a whole


@dataclass(frozen=True, slots=True)
class Tracker:
    name: str
    url: str
    kind: str = DEFAULT_KIND  # a name of kinds.registry
    revisions: int = REVISIONS_DEFAULT
    headers: dict[str, str] = field(default_factory=dict)
    schedule: str = "manual"
    timezone: str = ""  # "" → the system's zone, filled in by `validated()`
    retry: RetryStrategy = NO_RETRY
    notify: bool = True
    ignore: tuple[str, ...] = ()  # regular expressions: what to leave out (the kind says what)
    mask: tuple[str, ...] = ()  # regular expressions: parts that change by themselves ("…")
    options: dict[str, Any] = field(default_factory=dict)  # the kind's own (a selector…)
    verify_tls: bool = True
    enabled: bool = True
    id: int | None = None

    @property
    def job_id(self) -> str:
        """The id of the scheduler job that checks this tracker."""
        if self.id is None:
            raise ValueError("a tracker has no job before it is saved")
        return f"tracker:{self.id}"

    def validated(self) -> Tracker:
        """The tracker normalised, or InvalidTracker naming the first field that is wrong."""
        name = self.name.strip()
        if not 1 <= len(name) <= NAME_MAX:
            raise InvalidTracker(
                "name", f"the name must be 1 to {NAME_MAX} characters long, not {len(name):,}"
            )
        if len(self.url) > URL_MAX:
            raise InvalidTracker(
                "url", f"the URL has {len(self.url):,} characters: at most {URL_MAX:,} can be used"
            )
        try:
            url = validate_http_url(self.url)
        except InvalidUrl as error:
            raise InvalidTracker("url", str(error)) from None
        if not REVISIONS_MIN <= self.revisions <= REVISIONS_MAX:
            count = str(self.revisions) if abs(self.revisions) < 10**6 else "a number that large"
            raise InvalidTracker(
                "revisions",
                f"keep between {REVISIONS_MIN} and {REVISIONS_MAX} revisions, not {count}",
            )
        for header, value in self.headers.items():
            if not is_header_name(header):
                raise InvalidTracker("headers", f"{quote(header)} is not a valid header name")
            if "\r" in value or "\n" in value:
                raise InvalidTracker(
                    "headers", f"the value of {quote(header)} contains a line break"
                )
            if not is_sendable_header_value(value):
                raise InvalidTracker(
                    "headers",
                    f"the value of {quote(header)} can hold only plain ASCII characters (no NUL):"
                    " write other characters percent-encoded, as the site expects them",
                )
        zone = self.timezone or system_timezone()
        try:
            parse_schedule(self.schedule, zone)
        except InvalidSchedule as error:
            raise InvalidTracker("schedule", str(error)) from None
        for field_name, rules in (("ignore", self.ignore), ("mask", self.mask)):
            for pattern in rules:
                try:
                    compile_rule(pattern)
                except InvalidRule as error:
                    raise InvalidTracker(
                        field_name,
                        f"{field_name} rule {quote(pattern)} is not a regular expression: {error}",
                    ) from None
        try:
            kind = kind_for(self.kind)
        except UnknownKind as error:
            raise InvalidTracker("kind", str(error)) from None
        try:
            options = kind.parse_options(self.options)
        except InvalidOption as error:
            raise InvalidTracker("options", f"{error.field}: {error}") from None
        return replace(
            self,
            name=name,
            url=url,
            timezone=zone,
            ignore=tuple(self.ignore),
            mask=tuple(self.mask),
            options=options,
        )

    def ignores(self, text: str | None) -> bool:
        return text is not None and matches_any(text, self.ignore)

    def to_json(self) -> dict[str, Any]:
        """The export form (documented in the README); `from_json` reads it back exactly."""
        return {
            "name": self.name,
            "kind": self.kind,
            "url": self.url,
            "revisions": self.revisions,
            "headers": dict(self.headers),
            "schedule": self.schedule,
            "timezone": self.timezone,
            "retry": self.retry.to_dict(),
            "notify": self.notify,
            "ignore": list(self.ignore),
            "mask": list(self.mask),
            "options": dict(self.options),
            "verify_tls": self.verify_tls,
            "enabled": self.enabled,
        }

    @classmethod
    def from_json(cls, data: Any) -> Tracker:
        """The export form read strictly: every field must hold its JSON type (nothing is
        coerced: "false" is not false), and a field that is not in the form is refused (a typo
        such as "verfiy_tls" would otherwise silently mean the default). Fields left out take
        their defaults; name and url are required.

        :raises InvalidTracker: naming the field that is missing, unknown or wrong.
        """
        if not isinstance(data, dict):
            raise InvalidTracker(WHOLE_TRACKER, f"expected an object, found {describe_json(data)}")
        for key in data:
            if key not in EXPORT_FIELDS:
                raise InvalidTracker(WHOLE_TRACKER, unknown_field(key, EXPORT_FIELDS))
        for required in ("name", "url"):
            if required not in data:
                raise InvalidTracker(required, f'the field "{required}" is missing')
        for key, value in data.items():
            expected = EXPORT_FIELDS[key]
            if not _holds(value, expected):
                raise InvalidTracker(
                    key, f"expected {_JSON_TYPES[expected]}, found {describe_json(value)}"
                )
        kind = data.get("kind", DEFAULT_KIND)
        if kind not in KIND_NAMES:
            raise InvalidTracker(
                "kind", f"unknown tracker kind {quote(kind)}: use {', '.join(KIND_NAMES)}"
            )
        headers = data.get("headers", {})
        for header, value in headers.items():
            if not isinstance(value, str):
                raise InvalidTracker(
                    "headers",
                    f"the value of {quote(header)}: expected text, found {describe_json(value)}",
                )
        for field_name in ("ignore", "mask"):
            for number, pattern in enumerate(data.get(field_name, []), start=1):
                if not isinstance(pattern, str):
                    raise InvalidTracker(
                        field_name,
                        f"rule {number}: expected text, found {describe_json(pattern)}",
                    )
        retry = _retry_from_json(data["retry"]) if "retry" in data else NO_RETRY
        return cls(
            name=data["name"],
            url=data["url"],
            kind=kind,
            revisions=data.get("revisions", REVISIONS_DEFAULT),
            headers=dict(headers),
            schedule=data.get("schedule", "manual"),
            timezone=data.get("timezone", ""),
            retry=retry,
            notify=data.get("notify", True),
            ignore=tuple(data.get("ignore", [])),
            mask=tuple(data.get("mask", [])),
            options=dict(data.get("options", {})),
            verify_tls=data.get("verify_tls", True),
            enabled=data.get("enabled", True),
        ).validated()


# The export form (README, "The export format"): each field and the JSON type it holds.
EXPORT_FIELDS: dict[str, type] = {
    "name": str,
    "kind": str,
    "url": str,
    "revisions": int,
    "headers": dict,
    "schedule": str,
    "timezone": str,
    "retry": dict,
    "notify": bool,
    "ignore": list,
    "mask": list,
    "options": dict,
    "verify_tls": bool,
    "enabled": bool,
}
_JSON_TYPES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    dict: "an object",
    list: "a list",
}
# The settings each retry strategy has in the export form (RetryStrategy.to_dict).
_RETRY_SETTINGS: dict[str, tuple[str, ...]] = {
    "none": (),
    "constant": ("attempts", "initial"),
    "linear": ("attempts", "initial", "increment", "maximum"),
    "exponential": ("attempts", "initial", "multiplier", "maximum"),
}


def _holds(value: Any, expected: type) -> bool:
    """Whether a JSON value is of the expected type. bool is an int in Python, but `true` is
    no count of revisions; a whole number is a number (a retry's 60 seconds)."""
    if isinstance(value, bool):
        return expected is bool
    if expected is float:
        return isinstance(value, int | float)
    return isinstance(value, expected)


def describe_json(value: Any) -> str:
    """A JSON value in words, for "expected …, found …"; text is quoted short."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {quote(value)}"
    if isinstance(value, int | float):
        number = repr(value)
        return f"the number {number}" if len(number) <= 24 else "a very long number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def unknown_field(key: str, known: Collection[str]) -> str:
    """The message for a field that is not in the export form, naming the ones that are."""
    # A close match says what was probably meant; only short keys are compared (a key can be
    # any size, and comparing costs its length times theirs).
    close = difflib.get_close_matches(key, list(known), n=1) if len(key) <= 100 else []
    meant = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown field {quote(key)}{meant}: the fields are {', '.join(known)}"


def _retry_from_json(data: dict[str, Any]) -> RetryStrategy:
    """A retry object of the export form, each strategy with only its own settings."""
    if "strategy" not in data:
        raise InvalidTracker(
            "retry", 'the field "strategy" is missing: use none, constant, linear or exponential'
        )
    strategy = data["strategy"]
    if not isinstance(strategy, str):
        raise InvalidTracker("retry", f"strategy: expected text, found {describe_json(strategy)}")
    if strategy not in _RETRY_SETTINGS:
        raise InvalidTracker(
            "retry",
            f"unknown strategy {quote(strategy)}: use none, constant, linear or exponential",
        )
    settings = _RETRY_SETTINGS[strategy]
    for key, value in data.items():
        if key == "strategy":
            continue
        if key not in settings:
            takes = f"it takes {', '.join(settings)}" if settings else "it has no settings"
            raise InvalidTracker(
                "retry", f"the {strategy} strategy has no setting {quote(key)}: {takes}"
            )
        expected = int if key == "attempts" else float
        if not _holds(value, expected):
            raise InvalidTracker(
                "retry", f"{key}: expected {_JSON_TYPES[expected]}, found {describe_json(value)}"
            )
        # Checked here rather than left to RetryStrategy, whose messages print the number
        # whole: a JSON number can have 4,300 digits (and Infinity is read from "1e999").
        if key == "attempts" and not 1 <= value <= MAX_ATTEMPTS:
            raise InvalidTracker(
                "retry", f"attempts: expected 1 to {MAX_ATTEMPTS}, found {describe_json(value)}"
            )
        # Compared, not converted: an int too large for a float compares fine; NaN never does.
        if expected is float and not -math.inf < value < math.inf:
            raise InvalidTracker(
                "retry", f"{key}: expected a finite number, found {describe_json(value)}"
            )
    try:
        return RetryStrategy.from_dict(data)
    except InvalidRetryStrategy as error:
        raise InvalidTracker("retry", str(error)) from None
