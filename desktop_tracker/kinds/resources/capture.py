"""One snapshot of a page's scripts and stylesheets: extract them, then fingerprint each.

Inline bodies are hashed here; external resources are fetched by the tracking layer
(`Subresources`), which decides where the tracker's request headers may go and answers from
its conditional-request cache.
"""

from __future__ import annotations

import asyncio
import re

from desktop_tracker.kinds.base import CaptureRequest, Page, Subresources
from desktop_tracker.kinds.resources.bodies import (
    MAX_BODY_BYTES,
    CapturedBody,
    FetchedWithBody,
    language_of,
)
from desktop_tracker.kinds.resources.extract import FoundResource, extract_resources
from desktop_tracker.kinds.resources.fingerprint import (
    integrity_matches,
    is_third_party,
    sha256_hex,
)
from desktop_tracker.kinds.resources.similarity import excerpt
from desktop_tracker.kinds.resources.snapshot import PageResources, Resource
from desktop_tracker.kinds.rules import masked, matches_any

_SPECIAL = re.compile(r"([.^$*+?{}\[\]\\|()])")


def exact_url_rule(url: str) -> str:
    """An ignore rule that matches this URL and nothing else, readable: only the characters
    special in a regular expression are escaped (re.escape also escapes "-", "/" and more)."""
    return "^" + _SPECIAL.sub(r"\\\1", url) + "$"


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
    taken = await asyncio.gather(*(_fingerprint(f, page, request, subresources) for f in found))
    bodies = {b.digest: b for _, b in taken if b is not None}
    return PageResources(
        page.url, page.final_url, page.status, [r for r, _ in taken], tuple(bodies.values())
    )


async def _fingerprint(
    found: FoundResource, page: Page, request: CaptureRequest, subresources: Subresources
) -> tuple[Resource, CapturedBody | None]:
    """The resource, and its body when it was had (a 304 or a failure brings none)."""
    third_party = is_third_party(found.url, page.final_url)
    url = masked(found.url, request.mask) if found.url is not None and request.mask else found.url
    if found.inline or found.url is None:
        data = found.content or b""
        ok = integrity_matches(found.integrity, data) if found.integrity else None
        text = data.decode("utf-8", "replace")
        if request.mask:
            text = masked(text, request.mask)
            data = text.encode()
        digest = sha256_hex(data)
        resource = Resource(
            found.kind,
            url,
            found.inline,
            digest,
            len(data),
            found.integrity,
            ok,
            third_party,
            None,
            excerpt(text),
        )
        return resource, _body(digest, found.kind, data)
    fetched = await subresources.fetch(found.url, request, page, integrity=found.integrity)
    resource = Resource(
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
    body = fetched.body if isinstance(fetched, FetchedWithBody) else None
    return resource, _body(fetched.digest, found.kind, body) if body is not None else None


def _body(digest: str, kind: str, data: bytes) -> CapturedBody | None:
    if not digest or len(data) > MAX_BODY_BYTES:
        return None
    return CapturedBody(digest, language_of(kind), data)
