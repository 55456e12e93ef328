"""One check of a resources tracker: fetch the page, extract its scripts and styles, hash them.

A tracker's request headers (cookies, tokens) are meant for the site of the tracker's own URL
(`sites.same_site`): they go to the page and to resources on that site only, and to nothing at all
once the page's redirects have left it. Sending a tracker's Authorization or Cookie to a CDN, or to
the site a page redirects to, would leak it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from desktop_tracker.domain.resources import PageResources, Resource
from desktop_tracker.tracking.errors import FetchError
from desktop_tracker.tracking.extract import FoundResource, extract_resources
from desktop_tracker.tracking.fetcher import Fetcher
from desktop_tracker.tracking.fingerprint import integrity_matches, is_third_party, sha256_hex


class PageChecker(Protocol):
    """What the tracker service needs of a checker: ResourceChecker, or CheckWorker."""

    async def check(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        verify_tls: bool = True,
        ignore: Callable[[str | None], bool] | None = None,
    ) -> PageResources: ...


@dataclass(slots=True)
class _Validated:
    """What we know of a resource's last bytes, to answer a 304 Not Modified without them."""

    etag: str | None
    last_modified: str | None
    digest: str
    size: int
    integrity_results: dict[str, bool | None] = field(default_factory=dict)


class ResourceChecker:
    """Checks pages; remembers resources' validators between checks for conditional requests."""

    def __init__(self, fetcher: Fetcher, *, remembered: int = 20_000) -> None:
        self._fetcher = fetcher
        self._validated: dict[str, _Validated] = {}
        self._remembered = remembered

    async def check(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        verify_tls: bool = True,
        ignore: Callable[[str | None], bool] | None = None,
    ) -> PageResources:
        """:raises FetchError: when the page itself cannot be fetched (resources failing to
        load are recorded with their error instead)."""
        page = await self._fetcher.fetch_page(url, headers, verify_tls=verify_tls)
        # Parsed here, on the loop that checks pages (CheckWorker's, in the app): a thread of its
        # own for parsing only added a contender for the GIL, and lengthened the app loop's waits.
        found = extract_resources(page.text, page.final_url)
        if ignore is not None:
            found = [f for f in found if not ignore(f.url)]
        # The tracker's site is its own URL's, not the final URL's: a page that redirected to
        # another site took the headers' right to be sent with it, for every resource.
        site = page.url
        kept = headers if headers and not page.left_site else None
        resources = await asyncio.gather(
            *(
                self._fingerprint(
                    f,
                    page.final_url,
                    site,
                    kept,  # the fetcher sends them only to `site`, hop by hop
                    verify_tls,
                )
                for f in found
            )
        )
        return PageResources(url, page.final_url, page.status, list(resources))

    async def _fingerprint(
        self,
        found: FoundResource,
        page_url: str,
        site: str,
        headers: Mapping[str, str] | None,
        verify_tls: bool,
    ) -> Resource:
        third_party = is_third_party(found.url, page_url)
        if found.inline or found.url is None:
            data = found.content or b""
            return _resource(
                found, sha256_hex(data), len(data), third_party, _integrity(found, data)
            )
        known = self._validated.get(found.url)
        needs_bytes = (
            known is not None
            and found.integrity is not None
            and (found.integrity not in known.integrity_results)
        )
        try:
            response = await self._fetcher.fetch_resource(
                found.url,
                headers,
                site=site,  # and none of its redirects to another site carries them
                verify_tls=verify_tls,
                etag=None if known is None or needs_bytes else known.etag,
                last_modified=None if known is None or needs_bytes else known.last_modified,
            )
        except FetchError as error:
            return Resource(
                found.kind, found.url, False, "", 0, found.integrity, None, third_party, str(error)
            )
        if response.status == 304 and known is not None:
            ok = known.integrity_results.get(found.integrity) if found.integrity else None
            return _resource(found, known.digest, known.size, third_party, ok)
        data = response.body or b""
        digest = sha256_hex(data)
        ok = _integrity(found, data)
        if response.etag or response.last_modified:
            self._remember(
                found.url, _Validated(response.etag, response.last_modified, digest, len(data))
            )
            if found.integrity:
                self._validated[found.url].integrity_results[found.integrity] = ok
        return _resource(found, digest, len(data), third_party, ok)

    def _remember(self, url: str, validated: _Validated) -> None:
        if len(self._validated) >= self._remembered:
            self._validated.pop(next(iter(self._validated)))  # the oldest goes
        self._validated[url] = validated


def _integrity(found: FoundResource, data: bytes) -> bool | None:
    return integrity_matches(found.integrity, data) if found.integrity else None


def _resource(
    found: FoundResource, digest: str, size: int, third_party: bool, integrity_ok: bool | None
) -> Resource:
    return Resource(
        found.kind,
        found.url,
        found.inline,
        digest,
        size,
        found.integrity,
        integrity_ok,
        third_party,
        None,
    )
