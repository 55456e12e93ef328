"""What changed in a response's headers and cookies between two snapshots, in words.

One review-style line per change: "HSTS max-age lowered from 31536000 to 300", "X-Frame-Options
changed from DENY to SAMEORIGIN", "cookie session lost HttpOnly". The Content-Security-Policy
headers are left out (the CSP has a diff of its own), and so is Set-Cookie, whose value may be a
secret: cookies are compared by their flags only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from desktop_tracker.kinds.headers.response_headers import (
    SECURITY_HEADERS,
    CookieFlags,
    cookie_label,
    parse_hsts,
    quoted,
    shorten,
)

_DISPLAY_NAMES = {
    "strict-transport-security": "Strict-Transport-Security",
    "x-frame-options": "X-Frame-Options",
    "x-content-type-options": "X-Content-Type-Options",
    "referrer-policy": "Referrer-Policy",
    "permissions-policy": "Permissions-Policy",
    "cross-origin-opener-policy": "Cross-Origin-Opener-Policy",
    "cross-origin-embedder-policy": "Cross-Origin-Embedder-Policy",
    "cross-origin-resource-policy": "Cross-Origin-Resource-Policy",
    # Extra headers whose usual spelling is not one capital per word.
    "x-xss-protection": "X-XSS-Protection",
    "x-ua-compatible": "X-UA-Compatible",
    "nel": "NEL",
    "etag": "ETag",
    "www-authenticate": "WWW-Authenticate",
    "x-dns-prefetch-control": "X-DNS-Prefetch-Control",
}
# Headers whose values are keywords: shown bare ("DENY"), compared without case and spaces.
_KEYWORD_HEADERS = {
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "cross-origin-embedder-policy",
    "cross-origin-resource-policy",
}
_KEYWORDS = re.compile(r"[A-Za-z0-9._-]+(?: ?, ?[A-Za-z0-9._-]+)*")
_SPACES = re.compile(r"[ \t]+")


def describe_header_changes(
    old_headers: Mapping[str, str],
    new_headers: Mapping[str, str],
    old_cookies: Sequence[CookieFlags],
    new_cookies: Sequence[CookieFlags],
) -> list[str]:
    """One line per change between two snapshots' headers and cookies, headers first.

    Headers come in `SECURITY_HEADERS` order, then the others as the new snapshot (then the old
    one) lists them; cookies by name.
    """
    old, new = _lowered(old_headers), _lowered(new_headers)
    lines: list[str] = []
    for name in _names(old, new):
        if name.startswith("content-security-policy") or name == "set-cookie":
            continue
        if name == "strict-transport-security":
            lines += _hsts_lines(old.get(name), new.get(name))
        else:
            lines += _header_lines(name, old.get(name), new.get(name))
    return lines + _cookie_lines(old_cookies, new_cookies)


def _lowered(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if isinstance(k, str) and isinstance(v, str)}


def _names(old: dict[str, str], new: dict[str, str]) -> list[str]:
    known = [name for name in SECURITY_HEADERS if name in old or name in new]
    others = dict.fromkeys(name for name in [*new, *old] if name not in SECURITY_HEADERS)
    return known + list(others)


def _display(name: str) -> str:
    # The usual capitalisation, or a capital at the start of each word ("X-Custom").
    spelled = _DISPLAY_NAMES.get(name) or "-".join(w[:1].upper() + w[1:] for w in name.split("-"))
    return shorten(spelled)


def _shown(name: str, value: str) -> str:
    # Keywords read best bare (DENY, no-referrer); anything else is quoted so its ends show.
    if name in _KEYWORD_HEADERS and len(value) <= 80 and _KEYWORDS.fullmatch(value):
        return value
    return quoted(value)


def _same(name: str, before: str, after: str) -> bool:
    if name in _KEYWORD_HEADERS:  # "DENY" and "deny", "a,b" and "a, b" are one value to browsers
        return _keywords(before) == _keywords(after)
    return before == after


def _keywords(value: str) -> list[str]:
    return [part.strip(" \t").lower() for part in value.split(",")]


def _header_lines(name: str, before: str | None, after: str | None) -> list[str]:
    if before is None and after is None:
        return []
    if before is None:
        return [f"{_display(name)} added: {_shown(name, after or '')}"]
    if after is None:
        return [f"{_display(name)} removed"]
    if _same(name, before, after):
        return []
    return [f"{_display(name)} changed from {_shown(name, before)} to {_shown(name, after)}"]


def _hsts_lines(before: str | None, after: str | None) -> list[str]:
    if before is None or after is None or before == after:
        return _header_lines("strict-transport-security", before, after)
    old, new = parse_hsts(before), parse_hsts(after)
    changed = f"Strict-Transport-Security changed from {quoted(before)} to {quoted(after)}"
    if old is None or new is None or not (old.valid and new.valid):
        if old is not None and old.valid:
            return [f"{changed}, which is invalid: browsers ignore it"]
        if new is not None and new.valid:
            return [f"{changed}, which is valid"]
        return [changed]
    lines = []
    if old.max_age != new.max_age:
        way = "lowered" if (new.max_age or 0) < (old.max_age or 0) else "raised"
        lines.append(f"HSTS max-age {way} from {old.max_age} to {new.max_age}")
    for flag, was, now in (
        ("includeSubDomains", old.include_subdomains, new.include_subdomains),
        ("preload", old.preload, new.preload),
    ):
        if was != now:
            lines.append(f"HSTS {'gained' if now else 'lost'} {flag}")
    # Nothing the policy means changed, but its text did (an unknown directive, say).
    if not lines and _SPACES.sub("", before).lower() != _SPACES.sub("", after).lower():
        lines.append(changed)
    return lines


def _cookie_lines(
    old_cookies: Iterable[CookieFlags], new_cookies: Iterable[CookieFlags]
) -> list[str]:
    old = {c.name: c for c in old_cookies if isinstance(c, CookieFlags)}
    new = {c.name: c for c in new_cookies if isinstance(c, CookieFlags)}
    lines: list[str] = []
    for name in sorted(old.keys() | new.keys()):
        label = f"cookie {cookie_label(name)}"
        was, now = old.get(name), new.get(name)
        if was is None and now is not None:
            lines.append(f"{label} added ({_flags(now)})")
        elif now is None:
            lines.append(f"{label} removed")
        elif was is not None:
            for flag, before, after in (
                ("Secure", was.secure, now.secure),
                ("HttpOnly", was.httponly, now.httponly),
            ):
                if before != after:
                    lines.append(f"{label} {'gained' if after else 'lost'} {flag}")
            if was.samesite != now.samesite:
                if was.samesite is None:
                    lines.append(f"{label} gained SameSite={now.samesite}")
                elif now.samesite is None:
                    lines.append(f"{label} lost SameSite={was.samesite}")
                else:
                    lines.append(f"{label} SameSite changed from {was.samesite} to {now.samesite}")
    return lines


def _flags(cookie: CookieFlags) -> str:
    present = [
        *(["Secure"] if cookie.secure else []),
        *(["HttpOnly"] if cookie.httponly else []),
        *([f"SameSite={cookie.samesite}"] if cookie.samesite else []),
    ]
    return ", ".join(present) if present else "no Secure, HttpOnly or SameSite"
