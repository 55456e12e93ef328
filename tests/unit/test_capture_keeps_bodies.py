"""A resources capture carries the bodies it had, each named by the digest its resource has."""

from __future__ import annotations

import asyncio
import hashlib

from desktop_tracker.kinds.base import CaptureRequest, FetchedResource, Page
from desktop_tracker.kinds.resources.bodies import MAX_BODY_BYTES, FetchedWithBody
from desktop_tracker.kinds.resources.capture import capture_resources


class Answers:
    """Subresources answering from a table: a body, or a fingerprint alone (a 304)."""

    def __init__(self, answers: dict[str, FetchedResource]) -> None:
        self.answers = answers

    async def fetch(
        self, url: str, request: CaptureRequest, page: Page, *, integrity: str | None
    ) -> FetchedResource:
        return self.answers[url]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def capture(html: str, answers: dict[str, FetchedResource], mask: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    page = Page("https://a.test/", "https://a.test/", 200, (), html)
    request = CaptureRequest("https://a.test/", {}, {}, mask=mask)
    return asyncio.run(capture_resources(page, request, Answers(answers)))


def test_fetched_and_inline_bodies_are_carried_by_their_digests():
    app = b"app();"
    html = (
        '<script src="/app.js"></script><style>p{color:red}</style><script src="/old.js"></script>'
    )
    snapshot = capture(
        html,
        {
            "https://a.test/app.js": FetchedWithBody(sha(app), len(app), None, body=app),
            "https://a.test/old.js": FetchedResource(sha(b"old"), 3),  # not modified: no bytes
        },
    )
    bodies = {b.digest: (b.language, b.data) for b in snapshot.bodies}
    assert bodies == {sha(app): ("script", app), sha(b"p{color:red}"): ("style", b"p{color:red}")}
    assert {r.digest for r in snapshot.resources} >= set(bodies)
    assert "bodies" not in snapshot.to_json()


def test_a_masked_inline_body_is_kept_masked_under_the_digest_its_resource_has():
    snapshot = capture("<script>nonce = 'a1b2c3';</script>", {}, mask=("a1b2c3",))
    (body,) = snapshot.bodies
    (resource,) = snapshot.resources
    assert body.data == "nonce = '…';".encode()
    assert body.digest == resource.digest == sha(body.data)
    assert resource.excerpt == "nonce = '…';"


def test_a_body_over_the_cap_per_body_is_not_carried():
    big = b"x" * (MAX_BODY_BYTES + 1)
    answers = {"https://a.test/big.js": FetchedWithBody(sha(big), len(big), None, body=big)}
    snapshot = capture('<script src="/big.js"></script>', answers)
    assert snapshot.bodies == () and snapshot.resources[0].size == len(big)
