"""A tracker: a named URL with its settings and schedule, and the rules its fields follow."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from desktop_tracker.core.retry import NO_RETRY, InvalidRetryStrategy, RetryStrategy
from desktop_tracker.core.schedules import InvalidSchedule, parse_schedule, system_timezone
from desktop_tracker.domain.urls import InvalidUrl, validate_http_url

NAME_MAX = 100
REVISIONS_MIN, REVISIONS_MAX, REVISIONS_DEFAULT = 1, 100, 10
# Header names are tokens (RFC 9110); values must not smuggle line breaks into a request.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

CHECK_HANDLER = "tracker.check"


class TrackerKind(StrEnum):
    RESOURCES = "resources"


class InvalidTracker(ValueError):
    """A tracker field breaks a rule; `field` names it, the message says what to do."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True, slots=True)
class Tracker:
    name: str
    url: str
    kind: TrackerKind = TrackerKind.RESOURCES
    revisions: int = REVISIONS_DEFAULT
    headers: dict[str, str] = field(default_factory=dict)
    schedule: str = "manual"
    timezone: str = ""  # "" → the system's zone, filled in by `validated()`
    retry: RetryStrategy = NO_RETRY
    notify: bool = True
    ignore: tuple[str, ...] = ()  # regular expressions: resource URLs to leave out
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
            raise InvalidTracker("name", f"the name must be 1 to {NAME_MAX} characters long")
        try:
            url = validate_http_url(self.url)
        except InvalidUrl as error:
            raise InvalidTracker("url", str(error)) from None
        if not REVISIONS_MIN <= self.revisions <= REVISIONS_MAX:
            raise InvalidTracker(
                "revisions",
                f"keep between {REVISIONS_MIN} and {REVISIONS_MAX} revisions, not {self.revisions}",
            )
        for header, value in self.headers.items():
            if not _HEADER_NAME.match(header):
                raise InvalidTracker("headers", f"{header!r} is not a valid header name")
            if "\r" in value or "\n" in value:
                raise InvalidTracker("headers", f"the value of {header} contains a line break")
        zone = self.timezone or system_timezone()
        try:
            parse_schedule(self.schedule, zone)
        except InvalidSchedule as error:
            raise InvalidTracker("schedule", str(error)) from None
        for pattern in self.ignore:
            try:
                re.compile(pattern)
            except re.error as error:
                raise InvalidTracker(
                    "ignore", f"ignore rule {pattern!r} is not a regular expression: {error}"
                ) from None
        return replace(self, name=name, url=url, timezone=zone, ignore=tuple(self.ignore))

    def ignores(self, url: str | None) -> bool:
        return url is not None and any(re.search(pattern, url) for pattern in self.ignore)

    def to_json(self) -> dict[str, Any]:
        """The export form (documented in the README); `from_json` reads it back exactly."""
        return {
            "name": self.name,
            "kind": self.kind.value,
            "url": self.url,
            "revisions": self.revisions,
            "headers": dict(self.headers),
            "schedule": self.schedule,
            "timezone": self.timezone,
            "retry": self.retry.to_dict(),
            "notify": self.notify,
            "ignore": list(self.ignore),
            "verify_tls": self.verify_tls,
            "enabled": self.enabled,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tracker:
        """:raises InvalidTracker: naming the field that is missing or wrong."""
        if not isinstance(data, dict):
            raise InvalidTracker("tracker", "each tracker must be a JSON object")
        for required in ("name", "url"):
            if not isinstance(data.get(required), str):
                raise InvalidTracker(required, f"the field {required!r} is missing or not text")
        try:
            kind = TrackerKind(data.get("kind", "resources"))
        except ValueError:
            raise InvalidTracker("kind", f"unknown tracker kind {data.get('kind')!r}") from None
        try:
            retry = RetryStrategy.from_dict(data.get("retry") or {"strategy": "none"})
        except (InvalidRetryStrategy, TypeError) as error:
            raise InvalidTracker("retry", str(error)) from None
        headers = data.get("headers") or {}
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise InvalidTracker("headers", "headers must be an object of text values")
        revisions = data.get("revisions", REVISIONS_DEFAULT)
        if not isinstance(revisions, int) or isinstance(revisions, bool):
            raise InvalidTracker("revisions", "revisions must be a whole number")
        ignore = data.get("ignore") or []
        if not isinstance(ignore, list) or not all(isinstance(p, str) for p in ignore):
            raise InvalidTracker("ignore", "ignore must be a list of regular expressions")
        return cls(
            name=data["name"],
            url=data["url"],
            kind=kind,
            revisions=revisions,
            headers=dict(headers),
            schedule=str(data.get("schedule", "manual")),
            timezone=str(data.get("timezone") or ""),
            retry=retry,
            notify=bool(data.get("notify", True)),
            ignore=tuple(ignore),
            verify_tls=bool(data.get("verify_tls", True)),
            enabled=bool(data.get("enabled", True)),
        ).validated()
