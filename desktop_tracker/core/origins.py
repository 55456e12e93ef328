"""Origins (RFC 6454): the scheme, host and port that a URL's requests go to, by one rule.

Who reads the URL is the caller's choice: the tracking layer reads it as the HTTP client does
(IDNA, so that the host judged is the host connected to) and hands the parts to `web_origin`;
the kinds read URLs already normalised (lower case, punycode) with `origin`.
"""

from __future__ import annotations

from typing import Final, NamedTuple
from urllib.parse import urlsplit

__all__ = ["DEFAULT_PORTS", "Origin", "origin", "web_origin"]

# The schemes the app fetches, and the port each uses when a URL names none.
DEFAULT_PORTS: Final = {"http": 80, "https": 443}


class Origin(NamedTuple):
    """An http(s) origin: scheme and host in lower case, the port always given."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        """'https://cdn.example', 'http://[::1]:8080': the port only when not the default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if self.port == DEFAULT_PORTS[self.scheme] else f":{self.port}"
        return f"{self.scheme}://{host}{port}"


def web_origin(scheme: str, host: str, port: int | None) -> Origin | None:
    """The origin of a URL already read into its parts (the host without brackets); the
    scheme's default port when `port` is None. None unless http(s) with a host."""
    scheme = scheme.lower()
    default = DEFAULT_PORTS.get(scheme)
    if default is None or not host:
        return None
    return Origin(scheme, host.lower(), default if port is None else port)


def origin(url: str) -> Origin | None:
    """The origin of an http(s) URL as urlsplit reads it; None for another scheme, no host,
    or a URL that cannot be read (an unclosed "[", a port that is not a number)."""
    try:
        parts = urlsplit(url)
        return web_origin(parts.scheme, parts.hostname or "", parts.port)
    except ValueError:
        return None
