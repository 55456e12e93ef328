"""Which URLs can be tracked: the one rule, for a tracker's URL and for every URL fetched."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")
# Schemes that are plainly not web pages, even written without "//": the message names them
# rather than asking to put "http://" in front of "javascript:alert(1)".
OTHER_SCHEMES = frozenset(
    {"about", "blob", "data", "file", "ftp", "javascript", "mailto", "tel", "view-source"}
)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


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


def _not_http(scheme: str) -> str:
    return f"only http and https pages can be tracked, not {scheme}: URLs"
