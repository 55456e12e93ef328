"""Benchmark: reading a changed 1 MB minified bundle's two kept bodies for the body diff, against
the 300 ms the whole diff may take to open (tests/bench/bench_body_diff.py measures the rest:
the line diff and the window).

Run by hand (it is not part of the test suite):

    cd /work/main && .venv/bin/python tests/bench/bench_resource_bodies.py

Both bodies are real minified code (the corpus's inline scripts, joined to 1 MB), kept in a
SQLite data file by the store's own functions, with their beautified text made beforehand, as a
check does. Measured, each the median of 7 rounds:

- keeping one new 1 MB body with its revision (compress, insert, link) on the database thread;
- `TrackerService.resource_bodies` for the pair: one read (two bodies and their beautified
  texts, decompressed) on the database thread, awaited on the loop;
- the same with the beautified text missing (another beautifier version): beautified then, once.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop_tracker.domain.bodies import CapturedBody, ResourceKey  # noqa: E402
from desktop_tracker.domain.trackers import Tracker  # noqa: E402
from desktop_tracker.kinds.beautify import is_minified  # noqa: E402
from desktop_tracker.kinds.resources.extract import extract_resources  # noqa: E402
from desktop_tracker.kinds.resources.snapshot import PageResources, Resource  # noqa: E402
from desktop_tracker.service.trackers import TrackerService  # noqa: E402
from desktop_tracker.store.database import Database  # noqa: E402
from desktop_tracker.store.tracker_store import SqliteTrackerStore  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real-pages"
TARGET_MS = 300.0
URL = "https://shop.example/bundle.js"


def bundle() -> str:
    pieces: dict[str, None] = {}
    for path in sorted(CORPUS.glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        for found in extract_resources(html, "https://example.com/"):
            if found.kind == "script" and found.url is None and found.content:
                text = found.content.decode("utf-8", "replace")
                if is_minified(text):
                    pieces[text] = None
    text = ";\n".join(pieces)
    return (text * (1_000_000 // len(text) + 1))[:1_000_000]


def body(text: str) -> CapturedBody:
    data = text.encode()
    return CapturedBody(hashlib.sha256(data).hexdigest(), "script", data)


def snapshot(kept: CapturedBody) -> dict[str, object]:
    resource = Resource("script", URL, False, kept.digest, len(kept.data))
    return PageResources(
        "https://shop.example/", "https://shop.example/", 200, [resource]
    ).to_json()


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


async def main() -> None:
    old_text = bundle()
    middle = len(old_text) // 2
    new_text = old_text[:middle] + "window.added=1;" + old_text[middle:]
    with tempfile.TemporaryDirectory() as folder:
        database = Database(Path(folder) / "data.sqlite3")
        store = SqliteTrackerStore(database)
        service = TrackerService(store)
        tracker = await service.add(Tracker("Shop", "https://shop.example/"))
        assert tracker.id is not None
        tracker_id = tracker.id

        keep_times, ids = [], []
        for n, text in enumerate([old_text, new_text] + [f"{new_text}//{i}" for i in range(6)]):
            kept = body(text)

            def work(tx, kept=kept, n=n):  # type: ignore[no-untyped-def]
                revision_id = tx.save_revision(tracker_id, "u", 200, snapshot(kept), 100, n)
                tx.keep_bodies(revision_id, [kept], [kept.digest], float(n))
                return revision_id

            start = time.perf_counter()
            ids.append(await store.write(work))
            keep_times.append(time.perf_counter() - start)
        old_id, new_id = ids[0], ids[1]
        key = ResourceKey("script", URL)
        # As a check would have done it: beautified when kept.
        for text in (old_text, new_text):
            await service._beautify(body(text).digest, "script", text)

        read_times = []
        for _ in range(7):
            start = time.perf_counter()
            pair = await service.resource_bodies(old_id, new_id, key)
            read_times.append(time.perf_counter() - start)
        assert pair.old_text == old_text and pair.new_text == new_text and pair.beautified

        cold_times = []
        for _ in range(3):
            await database.run(lambda c: c.execute("DELETE FROM beautified_bodies"), write=True)
            start = time.perf_counter()
            await service.resource_bodies(old_id, new_id, key)
            cold_times.append(time.perf_counter() - start)
        database.close()

    print(f"bodies: {len(old_text):,} characters of real minified script, changed in the middle")
    print(f"{'step':58} {'median ms':>10} {'x target':>9}")
    rows = [
        ("keep one new 1 MB body with its revision (write)", median_ms(keep_times)),
        ("resource_bodies, beautified kept (what opening reads)", median_ms(read_times)),
        ("resource_bodies, beautified missing (made once, then kept)", median_ms(cold_times)),
    ]
    for name, ms in rows:
        print(f"{name:58} {ms:10.1f} {ms / TARGET_MS:9.2f}")


if __name__ == "__main__":
    asyncio.run(main())
