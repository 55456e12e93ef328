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

from desktop_tracker.core.origins import Origin, web_origin

__all__ = ["origin_of", "same_site"]


def same_site(site: str, url: str) -> bool:
    """Whether a request to `url` may carry the headers meant for `site` (a tracker's URL)."""
    a, b = origin_of(site), origin_of(url)
    if a is None or b is None or a.host != b.host:
        return False
    if a.scheme == b.scheme:
        return a.port == b.port
    return (a.scheme, a.port, b.scheme, b.port) == ("http", 80, "https", 443)


def origin_of(url: str | httpx.URL) -> Origin | None:
    """The origin a request to `url` goes to, the URL read as the HTTP client reads it (lower
    case, IDNA, the default port when none is written); None if it cannot be read or is not
    http(s) with a host."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
        host = parsed.raw_host.decode("ascii")
    except (httpx.InvalidURL, UnicodeError, ValueError, TypeError):
        return None
    return web_origin(parsed.scheme, host, parsed.port)
