"""Which URLs can be tracked: the one rule, for a tracker's URL and for every URL fetched; and
how an address typed without a scheme ("example.com") is completed, for the editor and the CLI."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")
# Schemes that are plainly not web pages, even written without "//": the message names them
# rather than asking to put "http://" in front of "javascript:alert(1)".
OTHER_SCHEMES = frozenset(
    {"about", "blob", "data", "file", "ftp", "javascript", "mailto", "tel", "view-source"}
)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# A label of a host name as people type one: letters of any script ("bücher.de"), digits, - and _.
_LABEL = re.compile(r"[\w-]+")
_PORT = re.compile(r"[0-9]{1,5}", re.ASCII)


class InvalidUrl(ValueError):
    """Not an http(s) URL with a host; the message says why."""


def written_scheme(text: str) -> str:
    """The scheme `text` starts with, lower-cased ("https", "file", "example.com" for
    "example.com:8080"), or "" when it starts with none."""
    found = _SCHEME.match(text)
    return found[1].lower() if found else ""


def validate_http_url(url: str) -> str:
    """Return the URL stripped, if it is an absolute http or https URL with a host.

    :raises InvalidUrl: with a message for the user.
    """
    text = url.strip()
    # Said first, whatever else is wrong: "javascript:alert(1) x" is not a web page at all.
    # "example.com:8080" has a scheme too, for urlsplit: only a known one or "x:/" counts here.
    written = written_scheme(text)
    if written not in ("", *ALLOWED_SCHEMES) and (
        written in OTHER_SCHEMES or text.startswith("/", len(written) + 1)
    ):
        raise InvalidUrl(_not_http(written))
    if not text:
        raise InvalidUrl("the URL is empty: enter a page address such as https://example.com/")
    if any(ch.isspace() for ch in text):
        raise InvalidUrl(f"the URL {text!r} contains spaces: encode them as %20")
    try:
        parts = urlsplit(text)
    except ValueError as error:  # urlsplit's own refusals, such as an unclosed "[" in the host
        raise InvalidUrl(f"the URL {text!r} is not valid: {error}") from None
    scheme = parts.scheme.lower()
    if scheme in OTHER_SCHEMES:
        raise InvalidUrl(_not_http(scheme))
    if not scheme or "://" not in text:
        raise InvalidUrl(
            f"{text!r} is not a full address: write it with http:// or https:// in front"
        )
    if scheme not in ALLOWED_SCHEMES:
        raise InvalidUrl(_not_http(scheme))
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as error:
        raise InvalidUrl(f"the URL {text!r} has an invalid port: {error}") from None
    if not host:
        raise InvalidUrl(f"the URL {text!r} has no host name")
    return text


def complete_url(text: str) -> str:
    """The page address `text` stands for, written in full: "example.com" and "example.com/path"
    get "https://" in front, and "/" when they have no path ("https://example.com/"); an address
    on this machine ("localhost:8080", "127.0.0.1", "[::1]") gets "http://", since a local test
    server seldom speaks TLS.

    Only text that reads as a host (with a dot, a port, or a loopback name), without a scheme,
    spaces or credentials, is completed; anything else comes back stripped, as typed, for
    `validate_http_url` to judge and word ("javascript:alert(1)" is never made a host name).
    """
    stripped = text.strip()
    if (
        not stripped
        or "://" in stripped
        or any(ch.isspace() for ch in stripped)
        or written_scheme(stripped) in (*ALLOWED_SCHEMES, *OTHER_SCHEMES)
    ):
        return stripped
    end = len(stripped)
    for mark in "/?#":
        found = stripped.find(mark)
        if 0 <= found < end:
            end = found
    host = _typed_host(stripped[:end])
    if host is None:
        return stripped
    scheme = "http" if _is_loopback(host) else "https"
    rest = stripped[end:]
    path = rest if rest.startswith("/") else "/" + rest
    return f"{scheme}://{stripped[:end]}{path}"


def name_from_url(url: str, taken: Collection[str] = (), *, longest: int) -> str:
    """A tracker name for `url` when the user gives none: its host as written, lower-cased,
    without "www." and with its port ("example.com", "localhost:8080"), at most `longest`
    characters, and not one of `taken` (" (2)", " (3)"… are added); "" when `url` cannot be
    tracked."""
    try:
        parts = urlsplit(validate_http_url(url))
    except InvalidUrl:
        return ""
    base = parts.netloc.rpartition("@")[2].lower().removeprefix("www.")
    name = base[:longest]
    count = 1
    while name in taken:
        count += 1
        suffix = f" ({count})"
        name = base[: longest - len(suffix)] + suffix
    return name


def _typed_host(authority: str) -> str | None:
    """The host of `authority` ("host", "host:port", "[v6]:port") when it reads as one a person
    means as a web address, else None."""
    host, port = authority, ""
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            return None
        host, after = authority[1:close], authority[close + 1 :]
        if after:
            if not after.startswith(":"):
                return None
            port = after[1:]
            if not _PORT.fullmatch(port):
                return None
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return None
        return host
    if ":" in authority:
        host, port = authority.split(":", 1)
        if not _PORT.fullmatch(port):
            return None  # "mailto:…", "about:blank", "example.com:" are not host and port
    labels = host.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        return None
    # One word alone ("shop") is more likely a slip than an intranet host: say so instead.
    if len(labels) < 2 and not port and not _is_loopback(host):
        return None
    return host


def _is_loopback(host: str) -> bool:
    lowered = host.lower()
    if lowered == "localhost" or lowered.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(lowered).is_loopback
    except ValueError:
        return False


def _not_http(scheme: str) -> str:
    return f"only http and https pages can be tracked, not {scheme}: URLs"
