"""The bodies part of `TrackerTransaction`, kept by the SQLite and the memory store alike: each
body once, compressed, linked to its revisions, unlinked when they go, dropped for the cap in
the promised order."""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_tracker.domain.bodies import Beautified, CapturedBody
from desktop_tracker.domain.tracker_store import TrackerStore, TrackerTransaction
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.kinds.resources import PageResources, Resource
from desktop_tracker.store.database import Database
from desktop_tracker.store.tracker_store import SqliteTrackerStore
from tests.support.memory_tracker_store import MemoryTrackerStore


@pytest.fixture(params=["sqlite", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TrackerStore]:
    if request.param == "memory":
        yield MemoryTrackerStore()
        return
    database = Database(tmp_path / "data.sqlite3")
    try:
        yield SqliteTrackerStore(database)
    finally:
        database.close()


def tracker(name: str, kind: str = "resources") -> Tracker:
    return Tracker(name, "https://shop.example/", kind=kind).validated()


async def insert(store: TrackerStore, *trackers: Tracker) -> list[Tracker]:
    return await store.write(lambda tx: [tx.insert_tracker(t) for t in trackers])


def body(text: str | bytes, language: str = "script") -> CapturedBody:
    data = text.encode() if isinstance(text, str) else text
    return CapturedBody(hashlib.sha256(data).hexdigest(), language, data)  # type: ignore[arg-type]


def snapshot(*bodies: CapturedBody) -> dict[str, Any]:
    resources = [
        Resource("script", f"https://shop.example/{n}.js", False, b.digest, len(b.data))
        for n, b in enumerate(bodies)
    ]
    return PageResources("https://shop.example/", "https://shop.example/", 200, resources).to_json()


async def save(store: TrackerStore, tracker_id: int, *bodies: CapturedBody, keep: int = 10) -> int:
    def work(tx: TrackerTransaction) -> int:
        revision_id = tx.save_revision(
            tracker_id, "https://shop.example/", 200, snapshot(*bodies), keep, 1.0
        )
        tx.keep_bodies(revision_id, bodies, [b.digest for b in bodies], 1.0)
        return revision_id

    return await store.write(work)


async def test_a_body_is_kept_once_across_trackers_and_revisions(store):
    a, b = await insert(store, tracker("A"), tracker("B"))
    app = body("app = 1;" * 100)
    first = await store.write(
        lambda tx: tx.keep_bodies(
            tx.save_revision(a.id, "u", 200, snapshot(app), 10, 1.0), [app], [app.digest], 1.0
        )
    )
    again = await store.write(
        lambda tx: tx.keep_bodies(
            tx.save_revision(b.id, "u", 200, snapshot(app), 10, 2.0), [app], [app.digest], 2.0
        )
    )
    assert (first, again) == ([app.digest], [])
    assert await store.read(lambda tx: tx.get_body(app.digest)) == app.data
    assert await store.read(lambda tx: tx.body_bytes()) == len(zlib.compress(app.data, 6))


async def test_bodies_are_kept_compressed(store):
    (t,) = await insert(store, tracker("Shop"))
    big = body("function f(){return 1}\n" * 20_000)
    await save(store, t.id, big)
    assert await store.read(lambda tx: tx.body_bytes()) < len(big.data) / 20


async def test_a_revision_links_only_to_bodies_kept_and_a_removed_one_unlinks(store):
    (t,) = await insert(store, tracker("Shop"))
    kept = body("kept()")
    revision_id = await save(store, t.id, kept)
    assert await store.read(lambda tx: tx.linked_bodies(revision_id)) == {kept.digest}
    await store.write(lambda tx: tx.delete_tracker(t.id))
    assert await store.read(lambda tx: tx.linked_bodies(revision_id)) == set()
    # Unreferenced now: the first to go when over the cap.
    assert await store.write(lambda tx: tx.trim_bodies(0)) == [kept.digest]
    assert await store.read(lambda tx: tx.get_body(kept.digest)) is None


async def test_beautified_text_is_kept_by_version_and_replaced_by_a_newer_one(store):
    (t,) = await insert(store, tracker("Shop"))
    raw = body("a();b();")
    await save(store, t.id, raw)

    def read(version: str) -> Any:
        return store.read(lambda tx: tx.get_beautified(raw.digest, "script", version))

    assert await read("1") is None
    await store.write(
        lambda tx: tx.save_beautified(raw.digest, "script", "1", Beautified("a();\nb();"))
    )
    assert await read("1") == Beautified("a();\nb();")
    await store.write(lambda tx: tx.save_beautified(raw.digest, "script", "2", Beautified(None)))
    assert (await read("1"), await read("2")) == (None, Beautified(None))
    # Nothing is kept beside a body that is not kept.
    await store.write(lambda tx: tx.save_beautified("0" * 64, "script", "2", Beautified("x")))
    assert await store.read(lambda tx: tx.get_beautified("0" * 64, "script", "2")) is None


async def test_over_the_cap_unreferenced_go_first_then_the_oldest_never_the_latest(store):
    a, b = await insert(store, tracker("A"), tracker("B"))
    noise = [body(os.urandom(4000)) for _ in range(5)]  # incompressible: 4 KB each stored
    orphan, old_a, latest_a, only_b = noise[:4]
    await save(store, a.id, orphan, keep=1)
    await save(store, a.id, old_a, keep=2)  # trims nothing: orphan's revision stays…
    await save(store, a.id, latest_a, keep=2)  # …until now: orphan's revision is trimmed
    await save(store, b.id, only_b)
    total = await store.read(lambda tx: tx.body_bytes())
    dropped = await store.write(lambda tx: tx.trim_bodies(total - 1))
    assert dropped == [orphan.digest]
    dropped = await store.write(lambda tx: tx.trim_bodies(total - 5000))
    assert dropped == [old_a.digest]
    # Each tracker's latest revision keeps its bodies, even over the cap.
    assert await store.write(lambda tx: tx.trim_bodies(0)) == []
    for kept in (latest_a, only_b):
        assert await store.read(lambda tx, d=kept.digest: tx.get_body(d)) is not None
