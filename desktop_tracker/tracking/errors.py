"""Why a page or a resource could not be fetched, as errors a caller can catch by meaning.

Every message is meant for the user: it says what went wrong in words, never a traceback.
"""

from __future__ import annotations

from desktop_tracker.domain import urls
from desktop_tracker.kinds.base import CheckError


class FetchError(CheckError):
    """A page or resource could not be fetched or used."""

    def __init__(self, message: str, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class InvalidUrl(FetchError, urls.InvalidUrl):
    """Not an http(s) URL with a host (the rule of `domain.urls`), refused before any request;
    or a redirect to one. A FetchError with the URL, and the domain's InvalidUrl too."""


class DnsError(FetchError):
    """The host name could not be resolved."""


class ConnectError(FetchError):
    """The connection was refused, reset or could not be made."""


class TlsError(FetchError):
    """The TLS handshake failed: an untrusted, expired or mismatched certificate."""


class FetchTimeout(FetchError):
    """The server took too long to connect, answer or send the whole body."""


class TooManyRedirects(FetchError):
    """More redirects than the limit, or a loop."""


class HttpStatusError(FetchError):
    """The server answered with an error status (4xx or 5xx)."""

    def __init__(self, message: str, url: str | None = None, status: int = 0) -> None:
        super().__init__(message, url)
        self.status = status


class TooLarge(FetchError):
    """The body (after decompression) is larger than the limit."""


class NotHtml(FetchError):
    """The page is not an HTML document."""
