"""Which requests may carry a tracker's request headers (cookies, tokens).

One rule, used by every request of a check (the page, each of its redirects, each resource and
each of its redirects), so that it cannot differ from one place to another:

- the headers are meant for the site of the tracker's own URL: the same scheme, host and port, or
  the upgrade of plain http to https of the same host on the default ports;
- a request to any other site never carries them;
- once a redirect chain has left that site, no later request of the chain carries them, even one
  that comes back to it (A → B → A: not on B, nor on the second A); and when the page's chain
  has left it, none of the page's resources carry them either.

Hosts are compared as the HTTP client reads the URL (httpx's parser: lower case, IDNA, default
ports), so that the host judged here is the host connected to. A URL that cannot be read is
another site.
"""

from __future__ import annotations

import httpx

__all__ = ["same_site"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def same_site(site: str, url: str) -> bool:
    """Whether a request to `url` may carry the headers meant for `site` (a tracker's URL)."""
    a, b = _site(site), _site(url)
    if a is None or b is None or a[1] != b[1]:
        return False
    if a[0] == b[0]:
        return a[2] == b[2]
    return (a[0], a[2], b[0], b[2]) == ("http", 80, "https", 443)


def _site(url: str) -> tuple[str, str, int | None] | None:
    """Scheme, host and port (the default one when none is written), or None if unreadable."""
    try:
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError, ValueError, TypeError):
        return None
    scheme = parsed.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return scheme, host, parsed.port or _DEFAULT_PORTS[scheme]
