"""What a response says about its security: its security headers, its cookies' flags and its HSTS.

Only flags are kept of a cookie, never its value: a snapshot is stored and shown, and a cookie's
value is often a session secret. Parsing follows what browsers do (RFC 6265bis for Set-Cookie,
RFC 6797 for Strict-Transport-Security); bad input is parsed as a browser would, or dropped,
never raised on.

Caps: a header value is cut at `MAX_VALUE_CHARS`, at most `MAX_COOKIES` cookie names are kept,
and an HSTS max-age is clamped to `MAX_AGE_CAP`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

SECURITY_HEADERS: tuple[str, ...] = (
    "content-security-policy",
    "content-security-policy-report-only",
    "strict-transport-security",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "permissions-policy",
    "cross-origin-opener-policy",
    "cross-origin-embedder-policy",
    "cross-origin-resource-policy",
)

# A policy of tens of kilobytes is real (big CSPs); beyond 64 KiB a value is noise, and a snapshot
# must stay small.
MAX_VALUE_CHARS = 65_536
# Browsers keep about 180 cookies per site; a response setting more names than this is not a site.
MAX_COOKIES = 1_000
MAX_AGE_CAP = 2**63 - 1  # the largest integer a SQLite column or a JSON reader keeps exact
_MAX_HSTS_CHARS = 4_096  # an HSTS header longer than this is not a policy: taken as invalid

_SET_COOKIE = "set-cookie"
_WSP = " \t"  # the whitespace RFC 6265bis and RFC 6797 trim
_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}
# RFC 6265bis: a Set-Cookie with a control character other than tab is ignored entirely.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
# RFC 9110 token characters, for HSTS directive names and unquoted values.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True, slots=True)
class CookieFlags:
    """The security flags one cookie is set with; its value is never kept.

    `samesite` is "Strict", "Lax" or "None" as sent (in that capitalisation), None when the
    attribute is absent or its value is one browsers do not know.
    """

    name: str
    secure: bool
    httponly: bool
    samesite: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "secure": self.secure,
            "httponly": self.httponly,
            "samesite": self.samesite,
        }


@dataclass(frozen=True, slots=True)
class Hsts:
    """A Strict-Transport-Security policy; when `valid` is False browsers ignore the header and
    the other fields are empty."""

    max_age: int | None
    include_subdomains: bool
    preload: bool
    valid: bool


_INVALID_HSTS = Hsts(None, False, False, False)


def security_headers(
    headers: Sequence[tuple[str, str]], extra: Sequence[str] = ()
) -> dict[str, str]:
    """The security headers a response has, and those of `extra`: lower-case name -> value.

    A header sent several times is one value, its values joined with ", " as RFC 9110 combines
    them (empty ones left out); Set-Cookie is never included. Values are stripped and cut at
    `MAX_VALUE_CHARS`. Order: `SECURITY_HEADERS`, then `extra` in the order given.
    """
    wanted = list(SECURITY_HEADERS)
    for name in extra:
        key = name.strip().lower() if isinstance(name, str) else ""
        if key and key != _SET_COOKIE and key not in wanted:
            wanted.append(key)
    wanted_set = set(wanted)
    values: dict[str, list[str]] = {}
    sizes: dict[str, int] = {}
    for name, value in _pairs(headers):
        if name in wanted_set:
            parts = values.setdefault(name, [])
            # Stop collecting once past the cap, so a flood of repeats costs no memory.
            if sizes.get(name, 0) <= MAX_VALUE_CHARS and (stripped := value.strip()):
                parts.append(stripped)
                sizes[name] = sizes.get(name, 0) + len(stripped) + 2
    return {name: ", ".join(values[name])[:MAX_VALUE_CHARS] for name in wanted if name in values}


def cookie_flags(headers: Sequence[tuple[str, str]]) -> list[CookieFlags]:
    """The flags of each cookie the response sets, one per name, sorted by name.

    As a browser keeps it, the last Set-Cookie of a name wins, and one that deletes the cookie
    (Max-Age of zero or less, or an Expires before 2000) removes it. A Set-Cookie with no "=" in
    its first part sets the cookie with the empty name (RFC 6265bis: the whole part is its
    value). Set-Cookies that browsers ignore (control characters, name and value over 4096
    characters, both empty) are left out. Cookies are told apart by name only, not by domain and
    path: a page seldom sets one name twice for different paths.
    """
    found: dict[str, CookieFlags] = {}
    for name, value in _pairs(headers):
        if name != _SET_COOKIE:
            continue
        parsed = _parse_set_cookie(value)
        if parsed is None:
            continue
        flags, deleted = parsed
        if deleted:
            found.pop(flags.name, None)
        elif flags.name in found or len(found) < MAX_COOKIES:
            found[flags.name] = flags
    return sorted(found.values(), key=lambda cookie: cookie.name)


def parse_hsts(value: str | None) -> Hsts | None:
    """The HSTS policy of a Strict-Transport-Security value; None when there is no header.

    RFC 6797: directive names are case-insensitive, values a token or a quoted string, every
    directive at most once, max-age required and all digits, includeSubDomains without a value.
    Unknown directives are ignored. A value sent several times (joined with commas) is read by
    its first header only, as the RFC tells browsers to.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        return _INVALID_HSTS
    first = _split_unquoted(value, ",", first_only=True)
    if first is None or len(first[0]) > _MAX_HSTS_CHARS:
        return _INVALID_HSTS
    directives = _split_unquoted(first[0], ";")
    if directives is None:
        return _INVALID_HSTS
    seen: set[str] = set()
    max_age: int | None = None
    include_subdomains = preload = False
    for directive in directives:
        if not directive.strip(_WSP):
            continue  # the grammar allows empty directives: "max-age=1;;"
        name, equals, raw = directive.partition("=")
        name = name.strip(_WSP).lower()
        argument = _directive_value(raw.strip(_WSP)) if equals else ""
        if not _TOKEN.fullmatch(name) or name in seen or argument is None:
            return _INVALID_HSTS
        seen.add(name)
        if name == "max-age":
            if not equals or not (argument.isascii() and argument.isdigit()):
                return _INVALID_HSTS
            max_age = _capped_int(argument)
        elif name == "includesubdomains":
            if equals:
                return _INVALID_HSTS  # a valueless directive; browsers reject one with a value
            include_subdomains = True
        elif name == "preload":
            preload = not equals
    if max_age is None:
        return _INVALID_HSTS
    return Hsts(max_age, include_subdomains, preload, True)


# Wording shared by the findings and the diff.


def cookie_label(name: str) -> str:
    """A cookie's name as messages show it: cut short, quoted if it has spaces, or "(no name)"."""
    if not name:
        return "(no name)"
    short = shorten(name)
    return repr(short) if any(c in short for c in " \t'\",;") else short


def shorten(value: str, limit: int = 80) -> str:
    """`value`, cut at `limit` characters with "…" when longer."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def quoted(value: str) -> str:
    """`value` for a message: in single quotes, cut at about 80 characters."""
    return f"'{shorten(value)}'"


def _pairs(headers: Sequence[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    # The (lower-case name, value) pairs; anything that is not a pair of strings is skipped.
    for pair in headers:
        if isinstance(pair, (tuple, list)) and len(pair) == 2:
            name, value = pair
            if isinstance(name, str) and isinstance(value, str):
                yield name.strip().lower(), value


def _parse_set_cookie(line: str) -> tuple[CookieFlags, bool] | None:
    # RFC 6265bis "The Set-Cookie Header Field"; returns the flags and whether it deletes.
    if _CONTROL.search(line):
        return None
    pair, _, attributes = line.partition(";")
    name, equals, value = pair.partition("=")
    if not equals:
        name, value = "", pair
    name, size = name.strip(_WSP), len(value.strip(_WSP))  # of the value, only its size
    if (not name and not size) or len(name) + size > 4096:
        return None
    secure = httponly = False
    samesite: str | None = None
    max_age: str | None = None
    expires_year: int | None = None
    for attribute in attributes.split(";") if attributes else ():
        key, _, argument = attribute.partition("=")
        key, argument = key.strip(_WSP).lower(), argument.strip(_WSP)
        if len(argument) > 1024:
            continue  # browsers ignore an attribute this long
        if key == "secure":
            secure = True
        elif key == "httponly":
            httponly = True
        elif key == "samesite":
            samesite = _SAMESITE.get(argument.lower())  # the last one counts, unknown is none
        elif key == "max-age" and re.fullmatch(r"-?[0-9]+", argument):
            max_age = argument
        elif key == "expires" and (year := _cookie_date_year(argument)) is not None:
            expires_year = year
    if max_age is not None:  # Max-Age overrides Expires
        deleted = max_age.startswith("-") or not max_age.strip("0")
    else:
        # Without a clock, "in the past" is read as before 2000: the dates sites delete with
        # (1970 mostly); a page fetched today cannot be setting a cookie to expire then.
        deleted = expires_year is not None and expires_year < 2000
    return CookieFlags(name, secure, httponly, samesite), deleted


_DATE_DELIMITER = re.compile("[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
_DATE_TIME = re.compile(r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[^0-9].*)?", re.DOTALL)
_DATE_DAY = re.compile(r"([0-9]{1,2})(?:[^0-9].*)?", re.DOTALL)
_DATE_YEAR = re.compile(r"([0-9]{2,4})(?:[^0-9].*)?", re.DOTALL)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _cookie_date_year(text: str) -> int | None:
    # The year of an Expires date read by RFC 6265bis' cookie-date algorithm; None if invalid.
    time: tuple[int, ...] | None = None
    day = year = None
    month = False
    for token in _DATE_DELIMITER.split(text):
        if time is None and (match := _DATE_TIME.fullmatch(token)):
            time = tuple(int(part) for part in match.groups())
        elif day is None and (match := _DATE_DAY.fullmatch(token)):
            day = int(match[1])
        elif not month and token[:3].lower() in _MONTHS:
            month = True
        elif year is None and (match := _DATE_YEAR.fullmatch(token)):
            year = int(match[1])
            year += 1900 if 70 <= year <= 99 else 2000 if year <= 69 else 0
    if time is None or day is None or not month or year is None:
        return None
    if not 1 <= day <= 31 or year < 1601 or time[0] > 23 or time[1] > 59 or time[2] > 59:
        return None
    return year


# One part of a list: anything but the separator and quotes, or whole quoted strings (possessive:
# no backtracking, so linear in the length however the quotes fall).
_PARTS = {
    separator: re.compile(rf'(?:[^"{separator}]++|"(?:[^"\\]++|\\.)*+")*+', re.DOTALL)
    for separator in ",;"
}
_QUOTED = re.compile(r'"((?:[^"\\]++|\\.)*+)"', re.DOTALL)


def _split_unquoted(text: str, separator: str, first_only: bool = False) -> list[str] | None:
    # `text` split at `separator` outside quoted strings (or only its first part); None if a
    # quote in a part returned is never closed.
    parts: list[str] = []
    position = 0
    while True:
        part = _PARTS[separator].match(text, position)  # it matches, if only the empty string
        end = part.end() if part else position
        if end < len(text) and text[end] != separator:
            return None  # stopped at a quote that opens no closed quoted string
        parts.append(text[position:end])
        if end == len(text) or first_only:
            return parts
        position = end + 1


def _directive_value(raw: str) -> str | None:
    # A directive's value, unquoted; None when it is neither a token nor one quoted string.
    if quoted_string := _QUOTED.fullmatch(raw):
        return re.sub(r"\\(.)", r"\1", quoted_string[1], flags=re.DOTALL)
    return raw if _TOKEN.fullmatch(raw) else None


def _capped_int(digits: str) -> int:
    # Leading zeros dropped first, so a long run of them is no reason to clamp.
    significant = digits.lstrip("0") or "0"
    return MAX_AGE_CAP if len(significant) > 19 else min(int(significant), MAX_AGE_CAP)
