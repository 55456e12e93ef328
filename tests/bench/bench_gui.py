"""How long the GUI loop stalls while 200 checks run (target: longest stall <= 50 ms).

    .venv/bin/python tests/bench/bench_gui.py

The whole desktop app (main window, notifications, inbox, tray) runs offscreen in the Qt loop
through qasync, as a user runs it. 200 trackers watch real pages from ../shared/corpus (their own
URLs kept; every connection made to a local server by a loopback network backend, so real
parsing, the app's own fetching, real SQLite), and "Check all now" starts them at once, twice:
the first checks (baselines), then with every external script and stylesheet changed, so that
each check stores a revision and a notification (tray, inbox, unread count). A precise 5 ms QTimer
measures how late the GUI loop serves it: that lateness is what a user feels as a freeze.

The peer, measured in the same run: the same 200 checks through the same services on a plain
asyncio loop with no window (the headless app), with an asyncio ticker.
"""

from __future__ import annotations

import asyncio
import gzip
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_tracker.core.events import JobFailed, JobFinished  # noqa: E402
from desktop_tracker.domain.trackers import Tracker  # noqa: E402
from desktop_tracker.gui.app import DesktopApp  # noqa: E402
from desktop_tracker.gui.single_instance import server_name  # noqa: E402
from desktop_tracker.service import AppServices  # noqa: E402
from desktop_tracker.tracking.fetcher import Fetcher, FetchLimits  # noqa: E402
from desktop_tracker.tracking.network import AsyncioBackend  # noqa: E402
from tests.bench.loopback import LoopbackBackend  # noqa: E402
from tests.support.http_server import Exchange, LocalServer  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real-pages"
CHECKS = 200
TICK_MS = 5
TARGET_MS = 50.0


def corpus_pages() -> list[tuple[str, bytes]]:
    pages = []
    for number, path in enumerate(sorted(CORPUS.glob("*.html.gz"))):
        html = gzip.decompress(path.read_bytes())
        pages.append((f"http://site{number}.test/article", html))
    if not pages:
        sys.exit(f"no corpus pages at {CORPUS}")
    return pages


def serve(server: LocalServer, pages: list[tuple[str, bytes]], version: list[int]) -> None:
    bodies = {f"/page/{i}": html for i, (_, html) in enumerate(pages)}

    def answer(exchange: Exchange) -> None:
        path = exchange.request.path.partition("?")[0]
        if path in bodies:
            exchange.respond(200, bodies[path], [("Content-Type", "text/html; charset=utf-8")])
            return
        kind = "text/css" if path.endswith(".css") else "text/javascript"
        body = f"/* {path}, version {version[0]} */" + "x" * 2000
        exchange.respond(200, body, [("Content-Type", kind)])

    server.fallback(answer)


def server_process(connection: Connection) -> None:
    """The local server in a process of its own, so that it does not take the GIL from the
    loop being measured. "change" makes every script and stylesheet new; "stop" stops it."""
    version = [1]
    with LocalServer() as server:
        serve(server, corpus_pages(), version)
        connection.send(server.port)
        while connection.recv() == "change":
            version[0] += 1
            connection.send("changed")


def trackers_for(pages: list[tuple[str, bytes]]) -> list[Tracker]:
    # Each tracker's URL names its own site; the loopback backend connects it here.
    return [
        Tracker(f"page {i}", f"http://site{i % len(pages)}.test/page/{i % len(pages)}")
        for i in range(CHECKS)
    ]


def fetcher(port: int) -> Fetcher:
    # The app's own transport and sockets; only where connections go is changed.
    return Fetcher(
        FetchLimits(total_timeout=30), network_backend=LoopbackBackend(port, AsyncioBackend())
    )


async def wait_for_runs(scheduler, count: int) -> None:  # type: ignore[no-untyped-def]
    done = asyncio.get_running_loop().create_future()
    seen = 0

    def on_event(event: object) -> None:
        nonlocal seen
        if isinstance(event, JobFinished | JobFailed):
            seen += 1
            if seen >= count and not done.done():
                done.set_result(None)

    unsubscribe = scheduler.events.subscribe(on_event)
    try:
        await asyncio.wait_for(done, 600)
    finally:
        unsubscribe()


Change = Callable[[], None]  # makes every page's scripts and stylesheets new on the server


async def gui_round(
    data_dir: Path, port: int, pages: list[tuple[str, bytes]], change: Change
) -> dict[str, dict[str, float]]:
    """Two bursts in the window: the first checks (baselines), then every page changed."""
    services = AppServices(data_dir, fetcher=fetcher(port))
    app = DesktopApp(data_dir, server_name(data_dir), services=services)
    running = asyncio.ensure_future(app.run())
    while app.window is None:
        await asyncio.sleep(0.05)
    window = app.window
    trackers = services.trackers
    scheduler = services.scheduler
    assert trackers is not None and scheduler is not None
    await trackers.import_(
        {
            "format": "desktop-tracker/trackers",
            "version": 1,
            "trackers": [t.to_json() for t in trackers_for(pages)],
        }
    )
    window.refresh()
    await asyncio.sleep(0.5)

    async def burst() -> dict[str, float]:
        gaps: list[float] = []
        last = time.perf_counter()

        def tick() -> None:
            nonlocal last
            now = time.perf_counter()
            gaps.append((now - last) * 1000 - TICK_MS)
            last = now

        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(TICK_MS)
        timer.timeout.connect(tick)
        started = time.perf_counter()
        timer.start()
        finished = asyncio.ensure_future(wait_for_runs(scheduler, CHECKS))
        window.check_all()  # what "Check all now" does
        await finished
        duration = time.perf_counter() - started
        await asyncio.sleep(0.5)  # the table, inbox and tray catch up: part of what is felt
        timer.stop()
        return _summary(gaps, duration)

    first = await burst()
    unread_before = app.center.unread_count if app.center else 0
    change()
    changed = await burst()
    await trackers.wait_idle()
    changed["notifications"] = app.center.unread_count - unread_before if app.center else 0
    app.quit.set()
    await running
    return {"first": first, "changed": changed}


async def headless_round(
    data_dir: Path, port: int, pages: list[tuple[str, bytes]], change: Change
) -> dict[str, dict[str, float]]:
    services = AppServices(data_dir, fetcher=fetcher(port))
    scheduler = await services.open()
    trackers = services.trackers
    assert trackers is not None
    saved = await trackers.import_(
        {
            "format": "desktop-tracker/trackers",
            "version": 1,
            "trackers": [t.to_json() for t in trackers_for(pages)],
        }
    )

    async def burst() -> dict[str, float]:
        gaps: list[float] = []
        stop = asyncio.Event()

        async def ticker() -> None:
            last = time.perf_counter()
            while not stop.is_set():
                await asyncio.sleep(TICK_MS / 1000)
                now = time.perf_counter()
                gaps.append((now - last) * 1000 - TICK_MS)
                last = now

        ticking = asyncio.ensure_future(ticker())
        started = time.perf_counter()
        finished = asyncio.ensure_future(wait_for_runs(scheduler, CHECKS))
        for tracker in saved:
            assert tracker.id is not None
            await trackers.check_now(tracker.id)
        await finished
        duration = time.perf_counter() - started
        stop.set()
        await ticking
        return _summary(gaps, duration)

    first = await burst()
    change()
    changed = await burst()
    await services.close()
    return {"first": first, "changed": changed}


def _summary(gaps: list[float], duration: float) -> dict[str, float]:
    gaps = [max(0.0, g) for g in gaps] or [0.0]
    ordered = sorted(gaps)
    return {
        "longest": ordered[-1],
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "p50": statistics.median(ordered),
        "checks_per_s": CHECKS / duration,
    }


def main() -> None:
    qt = QApplication.instance() or QApplication([])
    qt.setQuitOnLastWindowClosed(False)
    pages = corpus_pages()
    gui: list[dict[str, dict[str, float]]] = []
    headless: list[dict[str, dict[str, float]]] = []
    control, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=server_process, args=(theirs,))
    process.start()
    port = control.recv()

    def change() -> None:
        control.send("change")
        control.recv()

    with tempfile.TemporaryDirectory() as folder:
        for round_number in range(3):
            loop = qasync.QEventLoop(qt)
            asyncio.set_event_loop(loop)
            try:
                gui.append(
                    loop.run_until_complete(
                        gui_round(Path(folder) / f"gui{round_number}", port, pages, change)
                    )
                )
            finally:
                loop.close()
                asyncio.set_event_loop(None)
            headless.append(
                asyncio.run(
                    headless_round(Path(folder) / f"headless{round_number}", port, pages, change)
                )
            )
            print(
                f"[bench] round {round_number + 1}: GUI longest stall "
                f"{gui[-1]['first']['longest']:.1f} / {gui[-1]['changed']['longest']:.1f} ms"
                f" (first checks / all changed), headless {headless[-1]['first']['longest']:.1f}"
                f" / {headless[-1]['changed']['longest']:.1f} ms",
                file=sys.stderr,
            )
    control.send("stop")
    process.join(timeout=10)

    def median(rows: list[dict[str, dict[str, float]]], burst: str, key: str) -> float:
        return statistics.median(row[burst][key] for row in rows)

    print(
        "| measure (200 checks at once) | desktop app, Qt loop (median) | headless, asyncio "
        "(median) | ratio | target | met? |"
    )
    print("|---|---|---|---|---|---|")
    for burst, words in (("first", "first checks"), ("changed", "every page changed")):
        for key, label, unit in (
            ("longest", "longest loop stall", "ms"),
            ("p99", "p99 loop lateness", "ms"),
            ("p50", "p50 loop lateness", "ms"),
            ("checks_per_s", "checks per second", "/s"),
        ):
            ours, peer = median(gui, burst, key), median(headless, burst, key)
            target = f"<= {TARGET_MS:.0f} ms" if key == "longest" else "—"
            met = ("yes" if ours <= TARGET_MS else "NO") if key == "longest" else "—"
            ratio = f"{ours / peer:.2f}×" if peer else "—"
            print(
                f"| {words}: {label} | {ours:.1f} {unit} | {peer:.1f} {unit} | {ratio} |"
                f" {target} | {met} |"
            )
    print()
    print(
        f"- {CHECKS} trackers on {len(pages)} real corpus pages (cycled), every resource "
        "answered by a local threaded server in another process; two bursts a round: the first"
        " checks (baselines, no notification), then every external script and stylesheet changed"
        " (a revision and a notification for each tracker whose page has any: the tray, the"
        " inbox and the unread count get"
        f" {[int(r['changed']['notifications']) for r in gui]} new ones); 3 rounds each;"
        " stall = lateness of a 5 ms precise QTimer (GUI) or asyncio.sleep(0.005) ticker"
        " (headless)."
    )
    print(
        "- runs, longest stall: GUI first checks"
        f" {[round(r['first']['longest'], 1) for r in gui]} ms, every page changed"
        f" {[round(r['changed']['longest'], 1) for r in gui]} ms; headless"
        f" {[round(r['first']['longest'], 1) for r in headless]} and"
        f" {[round(r['changed']['longest'], 1) for r in headless]} ms; {os.cpu_count()} cores,"
        f" Python {sys.version.split()[0]}"
    )


if __name__ == "__main__":
    main()
