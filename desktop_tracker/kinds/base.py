"""What every tracker kind shares: findings, and the shape a kind module has.

A kind (resources, content, headers) turns a fetched page into a *snapshot*, compares two
snapshots into a *diff*, says a diff in words (its *summary*) and judges a snapshot or a change
(its *findings*). Kinds are pure: no network, no database, no Qt. What they fetch beyond the page
itself they ask of a `ResourceSource` that the tracking layer provides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Severity = Literal["high", "medium", "low", "info", "syntax"]
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low", "info", "syntax")


@dataclass(frozen=True, slots=True)
class Finding:
    """Something in a page that matters for security, in words.

    `check` names the rule (e.g. "unsafe-inline", "hsts-short", "integrity-removed");
    `directive` is the CSP directive or header it is about, `url` the resource, when there is one.
    """

    check: str
    severity: Severity
    message: str
    directive: str | None = None
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "directive": self.directive,
            "message": self.message,
        }


# Header names are tokens (RFC 9110): the rule for request headers and for headers to watch.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def is_header_name(name: str) -> bool:
    """Whether `name` can be an HTTP header's name (a whole token: "X-A\n" is not)."""
    return _HEADER_NAME.fullmatch(name) is not None


def is_sendable_header_value(value: str) -> bool:
    """Whether a request header's value can be sent: ASCII, on one line, without NUL."""
    return value.isascii() and not any(c in value for c in "\r\n\0")


class InvalidOption(ValueError):
    """A kind's option breaks a rule; `field` names it ("selector"), the message says what to do."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True, slots=True)
class Page:
    """A page as a page source fetched it: what every kind starts from."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    headers: tuple[tuple[str, str], ...]  # the final response's, in order, names as sent
    text: str  # the body decoded ("" when the kind did not need a body)
    left_site: bool = False  # some request of the page's chain went to another site


@dataclass(frozen=True, slots=True)
class CaptureRequest:
    """What a kind needs to know of its tracker to take a snapshot of a page."""

    url: str
    headers: Mapping[str, str]  # the tracker's request headers (cookies, tokens)
    options: Mapping[str, Any]  # the kind's own, as its `parse_options` returned them
    ignore: tuple[str, ...] = ()  # regular expressions: what to leave out (the kind says what)
    mask: tuple[str, ...] = ()  # regular expressions: parts that change and mean nothing
    verify_tls: bool = True


@dataclass(frozen=True, slots=True)
class FetchedResource:
    """A subresource as the resources kind needs it: its fingerprint, or why it failed."""

    digest: str = ""
    size: int = 0
    integrity_ok: bool | None = None
    error: str | None = None


class Subresources(Protocol):
    """Fetching what a page refers to, provided by the tracking layer (network, caches)."""

    async def fetch(
        self, url: str, request: CaptureRequest, page: Page, *, integrity: str | None
    ) -> FetchedResource:
        """The resource's fingerprint; a failure is returned as `error`, never raised."""
        ...


class Snapshot(Protocol):
    """What a kind keeps of one check; a revision stores it as JSON."""

    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Checked:
    """What one check found: the page as fetched and the kind's snapshot of it."""

    page: Page
    snapshot: Snapshot


class Diff(Protocol):
    """What changed between two snapshots of one kind."""

    @property
    def is_empty(self) -> bool: ...

    @property
    def findings(self) -> Sequence[Finding]:
        """What got weaker: said in the change notification and highlighted in the history."""
        ...

    def summary(self) -> str:
        """The change in a few words: the first line of its notification."""
        ...

    def details(self) -> list[str]:
        """The change line by line, as a reviewer reads it (the notification's body)."""
        ...

    def to_json(self) -> dict[str, Any]: ...


class Kind(Protocol):
    """A kind of tracker: one module each, with this shape. The service, store, history,
    import/export and the command line work through it and never ask which kind it is."""

    name: str  # as stored and exported: "resources"
    label: str  # as the window says it: "Scripts and styles"
    needs_html: bool  # whether the page must be HTML (a headers tracker takes any response)

    def parse_options(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The kind's options normalised, with defaults filled in. :raises InvalidOption:"""
        ...

    def describe_ignore(self) -> str:
        """What an ignore rule of this kind matches, in a few words ("resource URLs")."""
        ...

    async def capture(
        self, page: Page, request: CaptureRequest, subresources: Subresources
    ) -> Snapshot:
        """The snapshot of a fetched page. :raises CaptureFailed: (e.g. a selector that
        matches nothing), which fails the check like a network error."""
        ...

    def snapshot_from_json(self, data: Mapping[str, Any]) -> Snapshot: ...

    def diff(self, old: Snapshot | None, new: Snapshot, options: Mapping[str, Any]) -> Diff:
        """From `old` to `new`; `old` None for the first snapshot (the baseline)."""
        ...

    def notifies(self, diff: Diff, options: Mapping[str, Any]) -> bool:
        """Whether a change is worth a notification (e.g. "additions only")."""
        ...

    def findings(self, snapshot: Snapshot) -> list[Finding]:
        """What is weak in one snapshot, judged on every check."""
        ...

    def check_json(
        self, page: Page, snapshot: Snapshot, options: Mapping[str, Any]
    ) -> dict[str, Any]:
        """`desktop-tracker check URL --kind NAME --json`: a contract, keep it stable."""
        ...

    def revision_json(self, snapshot: Snapshot) -> dict[str, Any]:
        """A revision's own fields in `history --json`."""
        ...

    def noise_lines(self, page: Page, options: Mapping[str, Any]) -> list[str]:
        """A fetched page as the lines masks apply to, for learning what changes by itself
        between fetches (nonces, tokens, timestamps)."""
        ...


class CheckError(Exception):
    """A check failed: the page could not be had, or its snapshot not taken. The message says
    why in words; callers above the tracking layer catch this one type."""


class CaptureFailed(CheckError):
    """A page was fetched but the kind cannot take its snapshot; the message says why."""
