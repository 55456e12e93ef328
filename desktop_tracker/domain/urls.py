"""Which URLs can be tracked."""

from __future__ import annotations

from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")
# Schemes that are plainly not web pages, even written without "//": the message names them
# rather than asking to put "http://" in front of "javascript:alert(1)".
OTHER_SCHEMES = frozenset(
    {"about", "blob", "data", "file", "ftp", "javascript", "mailto", "tel", "view-source"}
)


class InvalidUrl(ValueError):
    """Not an http(s) URL with a host; the message says why."""


def validate_http_url(url: str) -> str:
    """Return the URL stripped, if it is an absolute http or https URL with a host.

    :raises InvalidUrl: with a message for the user.
    """
    text = url.strip()
    if not text:
        raise InvalidUrl("the URL is empty: enter a page address such as https://example.com/")
    if any(ch.isspace() for ch in text):
        raise InvalidUrl(f"the URL {text!r} contains spaces: encode them as %20")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in OTHER_SCHEMES:
        raise InvalidUrl(f"only http and https pages can be tracked, not {scheme}: URLs")
    if not scheme or "://" not in text:
        raise InvalidUrl(
            f"{text!r} is not a full address: write it with http:// or https:// in front"
        )
    if scheme not in ALLOWED_SCHEMES:
        raise InvalidUrl(f"only http and https pages can be tracked, not {scheme}: URLs")
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as error:
        raise InvalidUrl(f"the URL {text!r} has an invalid port: {error}") from None
    if not host:
        raise InvalidUrl(f"the URL {text!r} has no host name")
    return text
