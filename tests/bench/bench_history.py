"""How long the History window takes to open on a tracker with 1,000 revisions (target: 300 ms).

    .venv/bin/python tests/bench/bench_history.py [--revisions N] [--opens N]

A real data directory (SQLite, the app's own services, the scheduler running) holds one tracker
of each kind with N revisions (1,000 by default), each a realistic snapshot made from a page of
../shared/corpus: the scripts and stylesheets of a resource-heavy page, a few of them changed,
added or removed from one revision to the next (resources); the text of a long page with a few
lines edited (content); a set of security headers whose policy and cookies change (headers).

What is timed, in the Qt loop through qasync as in the app (offscreen): from `HistoryWindow(...)`
until its list is filled, the newest revision selected and its diff rendered in the window, the
window painted once more (what the user sees). Each window is closed before the next opens. The
median of --opens openings per kind is compared with the target; the slowest is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtCore import qInstallMessageHandler  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_tracker.data_dir import DATABASE_NAME  # noqa: E402
from desktop_tracker.domain.trackers import Tracker  # noqa: E402
from desktop_tracker.gui.history_view import HistoryWindow  # noqa: E402
from desktop_tracker.kinds.content import ContentSnapshot  # noqa: E402
from desktop_tracker.kinds.content.text import page_text  # noqa: E402
from desktop_tracker.kinds.resources import PageResources, Resource  # noqa: E402
from desktop_tracker.kinds.resources.extract import extract_resources  # noqa: E402
from desktop_tracker.service.app import AppServices  # noqa: E402
from desktop_tracker.store import tracker_repository as repo  # noqa: E402
from desktop_tracker.store.database import Database  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real-pages"
TARGET_MS = 300.0
URL = "https://shop.example/"
T0 = 1_700_000_000.0


def corpus_html() -> list[str]:
    pages = [
        gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        for path in sorted(CORPUS.glob("*.html.gz"))
    ]
    if not pages:
        sys.exit(f"no corpus pages at {CORPUS}")
    return pages


def _at_90th(pages: list[str], size: Callable[[str], int]) -> str:
    """The page at the 90th percentile of `size`: a heavy page, not the heaviest."""
    ranked = sorted(pages, key=size)
    return ranked[int(len(ranked) * 0.9)]


# -- snapshots, one revision after another ------------------------------------------------------


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def resources_snapshots(html: str, count: int, rng: random.Random) -> list[dict[str, Any]]:
    found = extract_resources(html, URL)
    resources = [
        Resource(
            kind=f.kind,
            url=f.url,
            inline=f.inline,
            digest=_digest(f.url, f.content, 0),
            size=len(f.content or b"") or rng.randrange(500, 90_000),
            integrity=f.integrity,
            integrity_ok=True if f.integrity else None,
            third_party=f.url is not None and not f.url.startswith(URL),
        )
        for f in found
    ]
    snapshots = []
    for number in range(count):
        if number:
            for _ in range(rng.randrange(1, 4)):  # a few change
                index = rng.randrange(len(resources))
                old = resources[index]
                resources[index] = replace(
                    old,
                    digest=_digest(old.url, number),
                    size=old.size + 7,
                    integrity_ok=False if old.integrity else None,
                )
            if number % 5 == 0:  # one comes or goes now and then
                if number % 10 == 0 and len(resources) > 5:
                    resources.pop(rng.randrange(len(resources)))
                else:
                    url = f"https://cdn{number % 7}.example/lib-{number}.js"
                    resources.append(
                        Resource("script", url, False, _digest(url), 4_000, third_party=True)
                    )
        snapshots.append(PageResources(URL, URL, 200, list(resources)).to_json())
    return snapshots


def content_snapshots(html: str, count: int, rng: random.Random) -> list[dict[str, Any]]:
    lines = page_text(html).splitlines()
    snapshots = []
    for number in range(count):
        if number:
            for _ in range(rng.randrange(1, 4)):
                index = rng.randrange(len(lines))
                lines[index] = f"{lines[index][:60]} (edit {number})"
            if number % 4 == 0:
                lines.insert(rng.randrange(len(lines)), f"A new line in revision {number}")
        snapshots.append(ContentSnapshot("\n".join(lines)).to_json())
    return snapshots


def headers_snapshots(count: int) -> list[dict[str, Any]]:
    snapshots = []
    for number in range(count):
        unsafe = " 'unsafe-inline'" if number % 3 == 0 else ""
        snapshots.append(
            {
                "headers": {
                    "content-security-policy": (
                        f"default-src 'self'; script-src 'self' 'nonce-n{number}'{unsafe} "
                        f"https://cdn{number % 5}.example; object-src 'none'; "
                        "frame-ancestors 'self'"
                    ),
                    "strict-transport-security": f"max-age={31536000 - number % 2 * 31535000}",
                    "x-content-type-options": "nosniff",
                    "referrer-policy": "strict-origin-when-cross-origin",
                },
                "cookies": [
                    {
                        "name": "session",
                        "secure": True,
                        "httponly": number % 4 != 0,
                        "samesite": "Lax",
                    }
                ],
                "meta_csp": [],
                "https": True,
            }
        )
    return snapshots


# -- the data directory ---------------------------------------------------------------------------


async def add_trackers(data_dir: Path) -> dict[str, int]:
    """One tracker of each kind, added as the app adds them (with their scheduler jobs)."""
    services = AppServices(data_dir)
    await services.open()
    try:
        assert services.trackers is not None
        ids = {}
        for kind in ("resources", "content", "headers"):
            saved = await services.trackers.add(
                Tracker(f"{kind} tracker", URL, kind=kind, schedule="manual")
            )
            assert saved.id is not None
            ids[kind] = saved.id
        return ids
    finally:
        await services.close()


def write_revisions(data_dir: Path, tracker_id: int, snapshots: list[dict[str, Any]]) -> None:
    # Through the repository itself, keeping them all: a tracker keeps at most 100 of its own.
    database = Database(data_dir / DATABASE_NAME)

    def work(conn: Any) -> None:
        for number, snapshot in enumerate(snapshots):
            repo.save_revision(
                conn, tracker_id, URL, 200, snapshot, len(snapshots), T0 + number * 900
            )

    try:
        database.call(work, write=True)
    finally:
        database.close()


# -- opening the window -----------------------------------------------------------------------


async def open_once(services: AppServices, tracker_id: int, qt: QApplication) -> float:
    loop = asyncio.get_running_loop()
    loaded: asyncio.Future[None] = loop.create_future()
    assert services.trackers is not None and services.scheduler is not None
    started = time.perf_counter()
    window = HistoryWindow(services.trackers, tracker_id, runs=services.scheduler.events)
    view = window.view

    def done(*_: object) -> None:
        if not loaded.done():
            loaded.set_result(None)

    def failed(message: str) -> None:
        if not loaded.done():
            loaded.set_exception(RuntimeError(message))

    view.loaded.connect(done)
    view.load_failed.connect(failed)
    window.show()
    await asyncio.wait_for(loaded, 60)
    window.repaint()  # the list and the diff painted: what the user sees
    elapsed = (time.perf_counter() - started) * 1000
    assert view.revisions_model.rowCount() > 0 and view.selected_entry() is not None
    window.close()
    await asyncio.sleep(0.05)  # the closed window is deleted
    qt.processEvents()
    return elapsed


async def measure(data_dir: Path, ids: dict[str, int], opens: int) -> dict[str, list[float]]:
    qt = QApplication.instance()
    assert isinstance(qt, QApplication)
    services = AppServices(data_dir)
    await services.open()
    try:
        results: dict[str, list[float]] = {}
        for kind, tracker_id in ids.items():
            results[kind] = [await open_once(services, tracker_id, qt) for _ in range(opens)]
            print(f"[bench] {kind}: {[round(t) for t in results[kind]]} ms", file=sys.stderr)
        return results
    finally:
        await services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=1000)
    parser.add_argument("--opens", type=int, default=7)
    args = parser.parse_args()

    # The offscreen platform says this of every window shown; it is not news.
    qInstallMessageHandler(
        lambda _kind, _context, text: (
            None if "propagateSizeHints" in text else print(text, file=sys.stderr)
        )
    )
    qt = QApplication.instance() or QApplication([])
    assert isinstance(qt, QApplication)
    qt.setQuitOnLastWindowClosed(False)
    pages = corpus_html()
    rng = random.Random(7)
    heavy = _at_90th(pages, lambda html: len(extract_resources(html, URL)))
    wordy = _at_90th(pages, lambda html: len(page_text(html)))

    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        ids = asyncio.run(add_trackers(data_dir))
        made = {
            "resources": resources_snapshots(heavy, args.revisions, rng),
            "content": content_snapshots(wordy, args.revisions, rng),
            "headers": headers_snapshots(args.revisions),
        }
        for kind, snapshots in made.items():
            write_revisions(data_dir, ids[kind], snapshots)
        size = (data_dir / DATABASE_NAME).stat().st_size
        loop = qasync.QEventLoop(qt)
        asyncio.set_event_loop(loop)
        try:
            results = loop.run_until_complete(measure(data_dir, ids, args.opens))
        finally:
            loop.close()
            asyncio.set_event_loop(None)

    print("| History window, open to newest diff shown | median | slowest | target | met? |")
    print("|---|---|---|---|---|")
    for kind, times in results.items():
        median = statistics.median(times)
        met = "yes" if median <= TARGET_MS else "NO"
        print(
            f"| {kind} tracker, {args.revisions:,} revisions | {median:.0f} ms |"
            f" {max(times):.0f} ms | <= {TARGET_MS:.0f} ms | {met} |"
        )
    resources_count = len(made["resources"][-1]["resources"])
    text_lines = len(made["content"][-1]["text"].splitlines())
    print()
    print(
        f"- {args.opens} openings per tracker, each window closed before the next; a real data"
        f" directory of {size / 1e6:.1f} MB; resources: {resources_count} scripts and"
        f" stylesheets a revision, content: {text_lines} lines a revision; offscreen Qt,"
        f" {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )


if __name__ == "__main__":
    main()
