"""One snapshot of a page's scripts and stylesheets: extract them, then fingerprint each.

Inline bodies are hashed here; external resources are fetched by the tracking layer
(`Subresources`), which decides where the tracker's request headers may go and answers from
its conditional-request cache.
"""

from __future__ import annotations

import asyncio

from desktop_tracker.kinds.base import CaptureRequest, Page, Subresources
from desktop_tracker.kinds.resources.extract import FoundResource, extract_resources
from desktop_tracker.kinds.resources.fingerprint import (
    integrity_matches,
    is_third_party,
    sha256_hex,
)
from desktop_tracker.kinds.resources.snapshot import PageResources, Resource
from desktop_tracker.kinds.rules import masked, matches_any


async def capture_resources(
    page: Page, request: CaptureRequest, subresources: Subresources
) -> PageResources:
    """The page's resources in document order, each fingerprinted; ignored URLs left out.

    Masks apply to what identifies a resource: a masked part of a URL (a cache-busting
    `?v=123`) or of an inline body (a nonce) reads as "…", so it no longer tells one check from
    the next. The URL is fetched as the page wrote it.
    """
    found = extract_resources(page.text, page.final_url)
    if request.ignore:
        found = [f for f in found if f.url is None or not matches_any(f.url, request.ignore)]
    resources = await asyncio.gather(*(_fingerprint(f, page, request, subresources) for f in found))
    return PageResources(page.url, page.final_url, page.status, list(resources))


async def _fingerprint(
    found: FoundResource, page: Page, request: CaptureRequest, subresources: Subresources
) -> Resource:
    third_party = is_third_party(found.url, page.final_url)
    url = masked(found.url, request.mask) if found.url is not None and request.mask else found.url
    if found.inline or found.url is None:
        data = found.content or b""
        ok = integrity_matches(found.integrity, data) if found.integrity else None
        if request.mask:
            data = masked(data.decode("utf-8", "replace"), request.mask).encode()
        return Resource(
            found.kind,
            url,
            found.inline,
            sha256_hex(data),
            len(data),
            found.integrity,
            ok,
            third_party,
            None,
        )
    fetched = await subresources.fetch(found.url, request, page, integrity=found.integrity)
    return Resource(
        found.kind,
        url,
        False,
        fetched.digest,
        fetched.size,
        found.integrity,
        fetched.integrity_ok,
        third_party,
        fetched.error,
    )
