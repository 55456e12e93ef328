"""The headers kind: a response's security headers, its cookies' flags and its CSP, judged.

A snapshot keeps the headers as sent (Set-Cookie as flags only: a cookie's value is never kept)
and the CSPs of `<meta http-equiv>` tags; the policies are parsed again when read, which costs
microseconds and keeps one stored form whatever the parser learns later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop_tracker.kinds.base import (
    CaptureRequest,
    Diff,
    Finding,
    InvalidOption,
    Page,
    Snapshot,
    Subresources,
    is_header_name,
)
from desktop_tracker.kinds.headers.csp import Policy, parse_header, parse_policy
from desktop_tracker.kinds.headers.csp_checks import policy_findings
from desktop_tracker.kinds.headers.csp_diff import describe_changes
from desktop_tracker.kinds.headers.header_checks import header_findings
from desktop_tracker.kinds.headers.header_diff import describe_header_changes
from desktop_tracker.kinds.headers.meta_csp import meta_policies
from desktop_tracker.kinds.headers.response_headers import (
    CookieFlags,
    cookie_flags,
    security_headers,
)
from desktop_tracker.kinds.rules import masked, matches_any

__all__ = ["KIND", "HeadersDiff", "HeadersKind", "HeadersSnapshot"]

_OPTIONS = ("headers",)
MAX_EXTRA_HEADERS = 50


@dataclass(frozen=True, slots=True)
class HeadersSnapshot:
    headers: dict[str, str]  # lower-case name -> value: the security headers and those named
    cookies: tuple[CookieFlags, ...]
    meta_csp: tuple[str, ...]  # the content of each <meta http-equiv> CSP a browser applies
    https: bool  # the final URL's scheme

    @property
    def policies(self) -> list[Policy]:
        """Every CSP of the response: header, report-only header, then <meta> tags."""
        policies: list[Policy] = []
        if "content-security-policy" in self.headers:
            policies += parse_header(self.headers["content-security-policy"], "header")
        if "content-security-policy-report-only" in self.headers:
            policies += parse_header(
                self.headers["content-security-policy-report-only"], "report-only"
            )
        policies += [parse_policy(text, "meta") for text in self.meta_csp]
        return policies

    def to_json(self) -> dict[str, Any]:
        return {
            "headers": dict(self.headers),
            "cookies": [c.to_json() for c in self.cookies],
            "meta_csp": list(self.meta_csp),
            "https": self.https,
        }


@dataclass(frozen=True, slots=True)
class HeadersDiff:
    changes: list[str]  # review lines: "script-src gained 'unsafe-inline'"
    findings: list[Finding] = field(default_factory=list)  # new weaknesses

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def summary(self) -> str:
        if not self.changes:
            return "no change"
        if len(self.changes) == 1:
            return self.changes[0]
        return f"{len(self.changes)} changes to the security headers"

    def details(self) -> list[str]:
        return list(self.changes) if len(self.changes) > 1 else []

    def to_json(self) -> dict[str, Any]:
        return {
            "changes": list(self.changes),
            "new_findings": [f.to_json() for f in self.findings],
        }


class HeadersKind:
    name = "headers"
    label = "Security headers"
    needs_html = False  # any response has headers; a <meta> CSP is read when it is HTML

    def parse_options(self, data: Mapping[str, Any]) -> dict[str, Any]:
        for key in data:
            if key not in _OPTIONS:
                raise InvalidOption(key, f"a headers tracker has no option {key!r}: it has headers")
        names = data.get("headers", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise InvalidOption("headers", "headers must be a list of header names")
        if len(names) > MAX_EXTRA_HEADERS:
            raise InvalidOption("headers", f"watch at most {MAX_EXTRA_HEADERS} more headers")
        cleaned: list[str] = []
        for name in names:
            name = name.strip().lower()
            if not is_header_name(name):
                raise InvalidOption("headers", f"{name[:80]!r} is not a header name")
            if name == "set-cookie":
                raise InvalidOption(
                    "headers", "cookies are always watched, by their flags (never their values)"
                )
            if name not in cleaned:
                cleaned.append(name)
        return {"headers": cleaned}

    def describe_ignore(self) -> str:
        return '"name: value" lines of headers'

    async def capture(
        self, page: Page, request: CaptureRequest, subresources: Subresources
    ) -> HeadersSnapshot:
        found = security_headers(page.headers, request.options.get("headers", ()))
        headers = {
            name: masked(value, request.mask) if request.mask else value
            for name, value in found.items()
            if not (request.ignore and matches_any(f"{name}: {value}", request.ignore))
        }
        return HeadersSnapshot(
            headers,
            tuple(cookie_flags(page.headers)),
            tuple(meta_policies(page.text)) if page.text else (),
            page.final_url.lower().startswith("https:"),
        )

    def snapshot_from_json(self, data: Mapping[str, Any]) -> HeadersSnapshot:
        return HeadersSnapshot(
            {str(k): str(v) for k, v in data["headers"].items()},
            tuple(
                CookieFlags(c["name"], bool(c["secure"]), bool(c["httponly"]), c["samesite"])
                for c in data["cookies"]
            ),
            tuple(data.get("meta_csp", ())),
            bool(data["https"]),
        )

    def diff(self, old: Snapshot | None, new: Snapshot, options: Mapping[str, Any]) -> HeadersDiff:
        after = _snapshot(new)
        if old is None:
            count = f"{len(after.headers)} security headers, {len(after.cookies)} cookies"
            return HeadersDiff([f"first check: {count}"], [])
        before = _snapshot(old)
        changes = describe_changes(before.policies, after.policies) + describe_header_changes(
            before.headers, after.headers, before.cookies, after.cookies
        )
        return HeadersDiff(changes, new_weaknesses(self.findings(before), self.findings(after)))

    def notifies(self, diff: Diff, options: Mapping[str, Any]) -> bool:
        return not diff.is_empty

    def findings(self, snapshot: Snapshot) -> list[Finding]:
        headers = _snapshot(snapshot)
        policies = headers.policies
        frame_ancestors = any(
            "frame-ancestors" in p.directives for p in policies if p.source != "report-only"
        )
        return policy_findings(policies) + header_findings(
            headers.headers, headers.cookies, https=headers.https, frame_ancestors=frame_ancestors
        )

    def check_json(
        self, page: Page, snapshot: Snapshot, options: Mapping[str, Any]
    ) -> dict[str, Any]:
        headers = _snapshot(snapshot)
        return {
            "url": page.url,
            "final_url": page.final_url,
            "status": page.status,
            "headers": dict(headers.headers),
            "cookies": [c.to_json() for c in headers.cookies],
            "csp": [p.to_json() for p in headers.policies],
            "findings": [f.to_json() for f in self.findings(headers)],
        }

    def revision_json(self, snapshot: Snapshot) -> dict[str, Any]:
        headers = _snapshot(snapshot)
        return {
            "headers": dict(headers.headers),
            "cookies": [c.to_json() for c in headers.cookies],
            "csp": [p.to_json() for p in headers.policies],
            "findings": [f.to_json() for f in self.findings(headers)],
        }

    def noise_lines(self, page: Page, options: Mapping[str, Any]) -> list[str]:
        found = security_headers(page.headers, options.get("headers", ()))
        return [f"{name}: {value}" for name, value in found.items()]


_NONCE = re.compile(r"'nonce-[^']*'", re.IGNORECASE)


def _finding_key(finding: Finding) -> tuple[str, str | None, str]:
    # A nonce is new on every response: a finding about it is the same finding next time.
    return finding.check, finding.directive, _NONCE.sub("'nonce-…'", finding.message)


def new_weaknesses(old: Sequence[Finding], new: Sequence[Finding]) -> list[Finding]:
    """The findings of `new` that `old` did not have (as many times as it had them)."""
    remaining: dict[tuple[str, str | None, str], int] = {}
    for finding in old:
        key = _finding_key(finding)
        remaining[key] = remaining.get(key, 0) + 1
    fresh = []
    for finding in new:
        key = _finding_key(finding)
        if remaining.get(key, 0) > 0:
            remaining[key] -= 1
        else:
            fresh.append(finding)
    return fresh


def _snapshot(snapshot: Snapshot | None) -> HeadersSnapshot:
    assert isinstance(snapshot, HeadersSnapshot)
    return snapshot


KIND = HeadersKind()
