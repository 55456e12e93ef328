"""One check of a tracker: its page source fetches the page, its kind takes the snapshot.

A tracker's request headers (cookies, tokens) are meant for the site of the tracker's own URL
(`sites.same_site`): they go to the page and to resources on that site only, and to nothing at
all once the page's redirects have left it. Sending a tracker's Authorization or Cookie to a CDN,
or to the site a page redirects to, would leak it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from desktop_tracker.kinds.base import (
    CaptureRequest,
    Checked,
    FetchedResource,
    Kind,
    Page,
)
from desktop_tracker.kinds.resources.bodies import FetchedWithBody
from desktop_tracker.kinds.resources.fingerprint import integrity_matches, sha256_hex
from desktop_tracker.tracking.errors import FetchError
from desktop_tracker.tracking.fetcher import Fetcher


class Checker(Protocol):
    """What the tracker service needs of a checker: PageChecker, or CheckWorker."""

    async def check(self, kind: Kind, request: CaptureRequest) -> Checked: ...

    async def fetch(self, kind: Kind, request: CaptureRequest) -> Page: ...


class StaticSource:
    """Pages as the server sends them (no scripts run): the page source of every kind today."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher

    async def fetch(self, kind: Kind, request: CaptureRequest) -> Page:
        """:raises FetchError: saying why the page could not be had."""
        fetched = await self._fetcher.fetch_page(
            request.url, request.headers, verify_tls=request.verify_tls, html=kind.needs_html
        )
        return Page(
            fetched.url,
            fetched.final_url,
            fetched.status,
            tuple(fetched.headers),
            fetched.text,
            fetched.left_site,
        )


@dataclass(slots=True)
class _Validated:
    """What we know of a resource's last bytes, to answer a 304 Not Modified without them."""

    etag: str | None
    last_modified: str | None
    digest: str
    size: int
    integrity_results: dict[str, bool | None] = field(default_factory=dict)


class CachedSubresources:
    """Fetches and fingerprints a page's resources; remembers validators between checks, so a
    resource that has not changed costs a conditional request and no body."""

    def __init__(self, fetcher: Fetcher, *, remembered: int = 20_000) -> None:
        self._fetcher = fetcher
        self._validated: dict[str, _Validated] = {}
        self._remembered = remembered

    async def fetch(
        self, url: str, request: CaptureRequest, page: Page, *, integrity: str | None
    ) -> FetchedResource:
        # The tracker's site is its own URL's, not the final URL's: a page that redirected to
        # another site took the headers' right to be sent with it, for every resource.
        headers = request.headers if request.headers and not page.left_site else None
        known = self._validated.get(url)
        needs_bytes = (
            known is not None and integrity is not None and integrity not in known.integrity_results
        )
        try:
            response = await self._fetcher.fetch_resource(
                url,
                headers,
                site=page.url,  # and none of its redirects to another site carries them
                verify_tls=request.verify_tls,
                etag=None if known is None or needs_bytes else known.etag,
                last_modified=None if known is None or needs_bytes else known.last_modified,
            )
        except FetchError as error:
            return FetchedResource(error=str(error))
        if response.status == 304 and known is not None:
            ok = known.integrity_results.get(integrity) if integrity else None
            return FetchedResource(known.digest, known.size, ok)
        data = response.body or b""
        digest = sha256_hex(data)
        ok = integrity_matches(integrity, data) if integrity else None
        if response.etag or response.last_modified:
            validated = _Validated(response.etag, response.last_modified, digest, len(data))
            if integrity:
                validated.integrity_results[integrity] = ok
            self._remember(url, validated)
        # The bytes go with the fingerprint, to be kept for the body diff (a 304 has none: the
        # body is kept already, from the check that fetched it).
        return FetchedWithBody(digest, len(data), ok, body=data)

    def _remember(self, url: str, validated: _Validated) -> None:
        if len(self._validated) >= self._remembered:
            self._validated.pop(next(iter(self._validated)))  # the oldest goes
        self._validated[url] = validated


class PageChecker:
    """Checks pages of any kind: the page source, then the kind, with cached subresources."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._source = StaticSource(fetcher)
        self._subresources = CachedSubresources(fetcher)

    async def fetch(self, kind: Kind, request: CaptureRequest) -> Page:
        """The page alone, as the kind would see it (learning noise fetches it three times)."""
        return await self._source.fetch(kind, request)

    async def check(self, kind: Kind, request: CaptureRequest) -> Checked:
        """:raises FetchError: when the page itself cannot be fetched (resources failing to load
        are recorded with their error instead). :raises CaptureFailed: from the kind."""
        page = await self._source.fetch(kind, request)
        # Parsed here, on the loop that checks pages (CheckWorker's, in the app): a thread of its
        # own for parsing only added a contender for the GIL, and lengthened the app loop's waits.
        snapshot = await kind.capture(page, request, self._subresources)
        return Checked(page, snapshot)
