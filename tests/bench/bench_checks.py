"""desktop_tracker's checks against plain httpx fetching of the same URLs, on the issue's targets.

Run by hand (it is not part of the test suite):

    cd /work/main && .venv/bin/python tests/bench/bench_checks.py

One run: 500 pages with 20 external resources each, from a local server. Ours is the full app
path: `AppServices` opened on a temp data dir as the app opens it (SQLite `Database`, `Scheduler`,
`TrackerService`, warm-ups), given `Fetcher(FetchLimits(), transport=loopback)`; 500 trackers
added, then all 500 checked with `check_now` (fetch the page, extract, fingerprint, diff, store a
revision). The peer: `httpx.AsyncClient` on the same transport with the same limits, fetching the
same URLs (each page, then its 20 resources), parsing nothing. Three rounds each, alternating;
medians are reported.

The pages come from the real corpus (/work/shared/corpus/real-pages), their own external scripts
and stylesheets taken out and 20 put in that the local server answers. The server runs in a
subprocess of this same file (``--serve``), so it does not compete for the measured client's GIL;
every host name (site0.test ... cdn9.test) reaches it on 127.0.0.1 through `loopback.py`.
Progress goes to stderr, the table to stdout. ``--diagnose`` then builds ours up in layers, one
round each (plain httpx, `Fetcher` alone, `PageChecker` alone, the whole app with the pieces
of a check timed), and prints to stderr the CPU of each thread, what the loop's thread did during
its stalls (ran, waited for a CPU, or slept waiting for the GIL) and what overlapped them.
``--rounds 0 --diagnose`` runs the diagnosis alone.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import gzip
import hashlib
import itertools
import json
import os
import platform
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for tests.bench.loopback; desktop_tracker itself is installed

import httpx  # noqa: E402
import psutil  # noqa: E402
from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from desktop_tracker.domain.trackers import Tracker  # noqa: E402
from desktop_tracker.kinds.resources import fingerprint  # noqa: E402
from desktop_tracker.kinds.resources.extract import extract_resources  # noqa: E402
from desktop_tracker.service.app import AppServices  # noqa: E402
from desktop_tracker.store import tracker_repository as repo  # noqa: E402
from desktop_tracker.store.database import Connection, Database  # noqa: E402
from desktop_tracker.tracking.connections import KEPT_ORIGINS, OriginPools  # noqa: E402
from desktop_tracker.tracking.encoding import decode_html  # noqa: E402
from desktop_tracker.tracking.fetcher import USER_AGENT, Fetcher, FetchLimits  # noqa: E402
from desktop_tracker.tracking.network import AsyncioBackend  # noqa: E402
from desktop_tracker.tracking.page_check import PageChecker  # noqa: E402
from tests.bench.loopback import LoopbackBackend, LoopbackTransport, http_response, serve  # noqa: E402
from tests.support.checks import ResourceChecks  # noqa: E402

T = TypeVar("T")

PAGES = 500
PER_PAGE = 20
SITES = 50  # site0.test ... site49.test: 10 pages each
CDNS = 10  # cdn0.test ... cdn9.test
CDN_POOL = 40  # shared CDN files, 4 per CDN host; each page names 8 of them
ROUNDS = 3
LIMITS = FetchLimits()  # the app's defaults: 16 requests at once, 4 per host
CHECKS_AT_ONCE = LIMITS.max_concurrent  # the scheduler's max_concurrent; pages at once, plain
CORPUS = Path("/work/shared/corpus/real-pages")
TICK = 0.001  # the stall probe's sleep
RSS_EVERY = 0.020
BATCH_TIMEOUT = 120.0
SERVER_START_TIMEOUT = 120.0

DEFAULT_SWITCH_INTERVAL = sys.getswitchinterval()

TARGET_RATIO = 0.8
TARGET_STALL_MS = 20.0
TARGET_RSS_MB = 200.0

Kind = str  # "script" or "stylesheet"
OUR_TRANSPORT = "plain on our transport"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------
# The site: which pages name which resources. Pure, so the server and the client agree.


class Planned(NamedTuple):
    kind: Kind
    url: str  # absolute
    reference: str  # as written in the page: a path, a protocol-relative or an absolute URL
    shared_cdn: bool  # a shared CDN file: named with an integrity attribute, as CDNs suggest


SITE_FILES: tuple[tuple[Kind, str], ...] = (
    ("script", "/static/runtime.js"),
    ("script", "/static/vendor.js"),
    ("script", "/static/app.js"),
    ("stylesheet", "/static/main.css"),
    ("stylesheet", "/static/theme.css"),
    ("stylesheet", "/static/print.css"),
)


def site_origin(page: int) -> str:
    return f"http://site{page % SITES}.test"


def page_url(page: int) -> str:
    return f"{site_origin(page)}/articles/{page:04d}.html"


def _cdn_file(number: int) -> Planned:
    kind = "stylesheet" if number % 4 == 0 else "script"
    ext = "css" if kind == "stylesheet" else "js"
    url = f"http://cdn{number % CDNS}.test/libs/lib{number}/{number}.min.{ext}"
    return Planned(kind, url, url, True)


def page_resources(page: int) -> list[Planned]:
    """The page's 20 external resources: 6 of its site, 8 shared CDN files, 6 of its own."""
    origin = site_origin(page)
    planned = [Planned(kind, origin + path, path, False) for kind, path in SITE_FILES]
    planned += [_cdn_file((page * 3 + k * 5) % CDN_POOL) for k in range(8)]
    for k, kind in enumerate(("script", "script", "stylesheet")):
        path = f"/assets/{page:04d}-{k}.{'css' if kind == 'stylesheet' else 'js'}"
        planned.append(Planned(kind, origin + path, path, False))
    for k, kind in enumerate(("script", "stylesheet", "script")):
        host = f"cdn{(page + k) % CDNS}.test"
        path = f"/u/{page:04d}/{k}.{'css' if kind == 'stylesheet' else 'js'}"
        planned.append(Planned(kind, f"http://{host}{path}", f"//{host}{path}", False))
    assert len(planned) == PER_PAGE and len({p.url for p in planned}) == PER_PAGE
    return planned


def plan() -> list[tuple[str, list[str]]]:
    """(page URL, its resources' URLs) for every page, in the order both sides take them."""
    return [(page_url(i), [p.url for p in page_resources(i)]) for i in range(PAGES)]


def hosts_in(pages: list[tuple[str, list[str]]]) -> set[str]:
    return {urlsplit(url).hostname or "" for page, res in pages for url in (page, *res)}


def resource_body(url: str, kind: Kind) -> bytes:
    """A script or stylesheet of 1 to 12 KB, the same for the same URL, different for others."""
    seed = int.from_bytes(hashlib.sha256(url.encode()).digest()[:8], "big")
    size = 1024 + seed % (11 * 1024)
    parts = [f"/* {url} */\n"]
    total, n = len(parts[0]), 0
    while total < size:
        if kind == "script":
            line = f"function f{n}_{seed % 9973}(a, b) {{ return a * {n} + b - {seed % 97}; }}\n"
        else:
            colour = (seed + n) % 0xFFFFFF
            line = f".c{n}-{seed % 9973} {{ margin: {n % 40}px; color: #{colour:06x}; }}\n"
        parts.append(line)
        total += len(line)
        n += 1
    return "".join(parts).encode()[:size]


def integrity_of(body: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()


# ----------------------------------------------------------------------------------------------
# The server process (--serve): builds every page and resource, checks the pages, serves them.


def clean_template(raw: bytes) -> str:
    """A real page without the external scripts, stylesheets (any <link>) and <base> it had."""
    text, _ = decode_html(raw, None)
    tree = LexborHTMLParser(text, scripting=True)
    for node in tree.css("script, link, base"):
        attributes = node.attributes
        if node.tag != "script" or {"src", "href", "xlink:href"} & attributes.keys():
            node.decompose()
    return tree.html or ""


def _tag(planned: Planned, bodies: dict[str, bytes]) -> str:
    extra = ""
    if planned.shared_cdn:
        extra = f' integrity="{integrity_of(bodies[planned.url])}" crossorigin="anonymous"'
    if planned.kind == "stylesheet":
        return f'<link rel="stylesheet" href="{planned.reference}"{extra}>'
    defer = " defer" if planned.reference.startswith("/static/") else ""
    return f'<script src="{planned.reference}"{defer}{extra}></script>'


def build_page(template: str, planned: list[Planned], bodies: dict[str, bytes]) -> str:
    """The template with the stylesheets and site scripts in <head>, the other scripts last."""
    head = [p for p in planned if p.kind == "stylesheet" or p.reference.startswith("/static/")]
    tail = [p for p in planned if p not in head]
    head_html = "\n".join(_tag(p, bodies) for p in head) + "\n"
    tail_html = "\n".join(_tag(p, bodies) for p in tail) + "\n"
    at = template.find("</head>")
    page = template[:at] + head_html + template[at:] if at >= 0 else head_html + template
    at = page.rfind("</body>")
    return page[:at] + tail_html + page[at:] if at >= 0 else page + tail_html


def build_site() -> tuple[dict[tuple[bytes, bytes], bytes], dict[str, Any]]:
    """Every response the server gives, and facts about the pages for the footnotes."""
    started = time.perf_counter()
    files = sorted(CORPUS.glob("*.html.gz"))
    if not files:
        raise SystemExit(f"no pages in {CORPUS}")
    templates = [clean_template(gzip.decompress(f.read_bytes())) for f in files]
    routes: dict[tuple[bytes, bytes], bytes] = {}
    bodies: dict[str, bytes] = {}
    for i in range(PAGES):
        for planned in page_resources(i):
            if planned.url in bodies:
                continue
            body = bodies[planned.url] = resource_body(planned.url, planned.kind)
            mime = "text/css" if planned.kind == "stylesheet" else "text/javascript"
            headers = {
                "Content-Type": f"{mime}; charset=utf-8",
                "ETag": '"' + hashlib.sha1(body).hexdigest()[:16] + '"',
                "Last-Modified": "Tue, 04 Mar 2025 10:00:00 GMT",
                "Cache-Control": "public, max-age=3600",
            }
            parts = urlsplit(planned.url)
            routes[(parts.hostname or "").encode(), parts.path.encode()] = http_response(
                200, body, headers
            )
    page_sizes, inline_counts, wrong = [], [], []
    kinds: Counter[str] = Counter()
    for i in range(PAGES):
        planned = page_resources(i)
        html = build_page(templates[i % len(templates)], planned, bodies)
        found = extract_resources(html, page_url(i))
        external = [f.url for f in found if not f.inline]
        inline_counts.append(len(found) - len(external))
        if len(external) != PER_PAGE or set(external) != {p.url for p in planned}:
            wrong.append(f"{page_url(i)} ({files[i % len(files)].name}): {len(external)} external")
        kinds.update(p.kind for p in planned)
        body = html.encode("utf-8")
        page_sizes.append(len(body))
        parts = urlsplit(page_url(i))
        routes[(parts.hostname or "").encode(), parts.path.encode()] = http_response(
            200, body, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"}
        )
    sizes = [len(b) for b in bodies.values()]
    info = {
        "templates": len(templates),
        "page_kb_median": statistics.median(page_sizes) / 1024,
        "page_kb_max": max(page_sizes) / 1024,
        "page_mb_total": sum(page_sizes) / 1024**2,
        "inline_median": statistics.median(inline_counts),
        "inline_max": max(inline_counts),
        "resources": len(bodies),
        "resource_kb_mean": statistics.mean(sizes) / 1024,
        "resource_kb_min": min(sizes) / 1024,
        "resource_kb_max": max(sizes) / 1024,
        "scripts_per_page": kinds["script"] / PAGES,
        "stylesheets_per_page": kinds["stylesheet"] / PAGES,
        "wrong_pages": len(wrong),
        "wrong_examples": wrong[:3],
        "build_seconds": time.perf_counter() - started,
    }
    return routes, info


def serve_main() -> int:
    routes, info = build_site()
    print("INFO " + json.dumps(info), flush=True)
    serve(routes, ready="READY")
    return 0


class Server:
    """The server subprocess: started, asked for its counters, stopped (by its own pid)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,  # unbuffered: a line read is all that was read, for the selector
            cwd=ROOT,
        )
        self.info: dict[str, Any] = {}
        self.port = 0
        self._control = httpx.Client(trust_env=False, timeout=10)
        self._psutil = psutil.Process(self.process.pid)
        try:
            self._wait_ready()
        except BaseException:
            self.close()
            raise

    def _wait_ready(self) -> None:
        assert self.process.stdout is not None
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(timeout=deadline - time.monotonic()):
                    break
                line = self.process.stdout.readline().decode().strip()
                if not line:
                    raise RuntimeError(f"the server stopped (exit code {self.process.wait(5)})")
                word, _, rest = line.partition(" ")
                if word == "INFO":
                    self.info = json.loads(rest)
                elif word == "READY":
                    self.port = int(rest)
                    return
        raise RuntimeError(f"the server was not ready within {SERVER_START_TIMEOUT:.0f} s")

    def stats(self, reset: bool = False) -> dict[str, int]:
        path = "/__reset" if reset else "/__stats"
        response = self._control.get(f"http://127.0.0.1:{self.port}{path}")
        response.raise_for_status()
        result: dict[str, int] = response.json()
        return result

    def cpu_seconds(self) -> float:
        times = self._psutil.cpu_times()
        return float(times.user + times.system)

    def close(self) -> None:
        self._control.close()
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()  # the server stops when its stdin closes
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()


# ----------------------------------------------------------------------------------------------
# Measuring one batch: time, the longest loop stall, peak RSS


class RssSampler:
    """The process's RSS every 20 ms, from a thread; the highest seen."""

    def __init__(self) -> None:
        self._process = psutil.Process(os.getpid())
        self._stop = threading.Event()
        self.before = self.peak = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(RSS_EVERY):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)
        return self.peak


class ThreadClock:
    """This thread's time on a CPU and time runnable but waiting for one (Linux schedstat).

    Where /proc/thread-self/schedstat is missing, the run-queue wait reads as 0 and the CPU
    time comes from time.thread_time().
    """

    def __init__(self) -> None:
        try:
            self._fd: int | None = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
        except OSError:
            self._fd = None

    def read(self) -> tuple[float, float]:
        """(seconds on a CPU, seconds waiting in the run queue) since the thread started."""
        if self._fd is None:
            return time.thread_time(), 0.0
        fields = os.pread(self._fd, 128, 0).split()
        return int(fields[0]) / 1e9, int(fields[1]) / 1e9

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Stall(NamedTuple):
    start: float
    end: float
    on_cpu: float  # seconds the loop's thread ran during the stall
    queued: float  # seconds it was runnable but had no CPU (other threads, other processes)

    @property
    def seconds(self) -> float:
        return self.end - self.start


class StallProbe:
    """A coroutine sleeping TICK in a loop; gaps between its wake-ups beyond TICK are stalls.

    For each stall over the target it keeps how long the loop's thread ran, waited for a CPU,
    and (the rest) slept: in a sleep of its own or waiting for the GIL.
    """

    def __init__(self) -> None:
        self.worst = 0.0
        self.stalls: list[Stall] = []
        self._stop = asyncio.Event()
        self._clock = ThreadClock()  # opened on the loop's thread: it reads that thread
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        read = self._clock.read
        last, (last_cpu, last_queued) = time.perf_counter(), read()
        while not self._stop.is_set():
            await asyncio.sleep(TICK)
            now, (cpu, queued) = time.perf_counter(), read()
            late = now - last - TICK
            self.worst = max(self.worst, late)
            if late > TARGET_STALL_MS / 1000:
                self.stalls.append(Stall(last, now, cpu - last_cpu, queued - last_queued))
            last, last_cpu, last_queued = now, cpu, queued

    async def stop(self) -> float:
        self._stop.set()
        await self._task
        self._clock.close()
        return self.worst


class GcWatch:
    """Every garbage collection: (start, end, generation), through gc.callbacks."""

    def __init__(self) -> None:
        self.events: list[tuple[float, float, int]] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.events.append((self._started, time.perf_counter(), info["generation"]))

    def stop(self) -> None:
        gc.callbacks.remove(self._callback)


THREAD_KINDS = ("loop", "checks loop", "sqlite", "workers", "other")


def thread_cpu() -> dict[str, float]:
    """CPU seconds of each live thread of this process, by kind (THREAD_KINDS): the app's loop
    (the main thread), the app's own loop for checks if it has one, its SQLite thread, worker
    threads (asyncio's to_thread, the app's CPU worker) and the rest (the RSS sampler)."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    main_id = threading.main_thread().native_id
    spent: dict[str, float] = defaultdict(float)
    for thread in psutil.Process(os.getpid()).threads():
        name = names.get(thread.id, "")
        if thread.id == main_id:
            kind = "loop"
        elif name == "desktop-tracker-checks":
            kind = "checks loop"
        elif name == "desktop-tracker-db":
            kind = "sqlite"
        elif name.startswith(("asyncio_", "desktop-tracker-cpu")):
            kind = "workers"
        else:
            kind = "other"
        spent[kind] += thread.user_time + thread.system_time
    return spent


@dataclass
class Batch:
    side: str
    seconds: float = 0.0
    stall_ms: float = 0.0
    rss_before: int = 0
    rss_peak: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # this process's threads, by kind
    server: dict[str, int] = field(default_factory=dict)
    server_cpu: float = 0.0  # seconds of the server process's CPU during the batch
    connections: int = 0  # opened by the client
    checks_ok: int = 0  # pages fully done (ours: a verified revision; plain: page + 20 x 200)
    problems: list[str] = field(default_factory=list)
    started_at: float = 0.0  # time.perf_counter() at the start
    heap_objects: int = 0  # objects the garbage collector tracks, at the start
    switch_interval: float = 0.0  # sys.getswitchinterval() at the end (the app may set it)
    stalls: list[Stall] = field(default_factory=list, repr=False)
    collections: list[tuple[float, float, int]] = field(default_factory=list, repr=False)

    @property
    def checks_per_second(self) -> float:
        return PAGES / self.seconds

    @property
    def requests_per_second(self) -> float:
        return PAGES * (1 + PER_PAGE) / self.seconds

    def stall_split(self) -> tuple[float, float, float]:
        """Shares of the stall time the loop's thread ran, waited for a CPU, and slept (GIL)."""
        total = sum(s.seconds for s in self.stalls)
        if not total:
            return 0.0, 0.0, 0.0
        ran = sum(s.on_cpu for s in self.stalls) / total
        queued = sum(s.queued for s in self.stalls) / total
        return ran, queued, max(0.0, 1.0 - ran - queued)

    def gc_ms(self, generation: int | None = None) -> tuple[float, float]:
        """(longest, total) milliseconds of garbage collection of that generation (or any)."""
        spans = [e - s for s, e, g in self.collections if generation in (None, g)]
        return max(spans, default=0.0) * 1000, sum(spans) * 1000


async def measured(batch: Batch, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` with the stall probe, GC watch and RSS sampler; fill in what they saw."""
    gc.collect()
    batch.heap_objects = len(gc.get_objects())
    probe = StallProbe()
    await asyncio.sleep(0.01)  # the probe is running
    watch = GcWatch()
    sampler = RssSampler()
    cpu_before = thread_cpu()
    started = batch.started_at = time.perf_counter()
    try:
        result = await work()
    finally:
        batch.seconds = time.perf_counter() - started
        cpu_after = thread_cpu()
        batch.cpu = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
        batch.stall_ms = await probe.stop() * 1000
        batch.stalls = probe.stalls
        watch.stop()
        batch.collections = watch.events
        batch.rss_peak = sampler.stop()
        batch.rss_before = sampler.before
    return result


def our_backend(port: int) -> LoopbackBackend:
    """The app's own network backend (asyncio's transports), connecting to the server."""
    return LoopbackBackend(port, AsyncioBackend())


def limits_for_httpx() -> httpx.Limits:
    # What Fetcher gives its own client; a client given a transport takes the transport's.
    return httpx.Limits(
        max_connections=LIMITS.max_concurrent, max_keepalive_connections=LIMITS.max_concurrent
    )


# ----------------------------------------------------------------------------------------------
# Plain httpx: the same URLs, the same limits, nothing parsed


async def plain_batch(
    port: int, pages: list[tuple[str, list[str]]], our_transport: bool = False
) -> Batch:
    """Plain httpx: its own transport (one pool sized to the concurrency: faster here than its
    default limits), or with `our_transport` the app's (`OriginPools` on `AsyncioBackend`)."""
    batch = Batch(OUR_TRANSPORT if our_transport else "plain")
    backend: LoopbackBackend
    transport: httpx.AsyncBaseTransport
    if our_transport:
        backend = our_backend(port)
        transport = OriginPools(
            httpx.create_ssl_context(), max_per_origin=LIMITS.max_per_host, network_backend=backend
        )
    else:
        stock = LoopbackTransport(port, limits_for_httpx())
        backend, transport = stock.backend, stock
    all_requests = asyncio.Semaphore(LIMITS.max_concurrent)
    per_host: defaultdict[str, asyncio.Semaphore] = defaultdict(
        lambda: asyncio.Semaphore(LIMITS.max_per_host)
    )
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"}
    async with httpx.AsyncClient(
        transport=transport,
        headers=headers,
        follow_redirects=False,
        timeout=httpx.Timeout(LIMITS.read_timeout, connect=LIMITS.connect_timeout),
    ) as client:

        async def get(url: str) -> bool:
            # The host's place first, then one in the whole process, as Fetcher takes them.
            async with per_host[urlsplit(url).hostname or ""], all_requests:
                response = await client.get(url)
            if response.status_code != 200:
                batch.problems.append(f"{url}: {response.status_code}")
            return response.status_code == 200 and bool(response.content)

        queue = iter(pages)

        async def worker() -> None:
            for page, resources in queue:  # the workers share the one iterator
                ok = await get(page)
                results = await asyncio.gather(*(get(url) for url in resources))
                batch.checks_ok += ok and all(results)

        async def fetch_all() -> None:
            await asyncio.gather(*(worker() for _ in range(CHECKS_AT_ONCE)))

        await measured(batch, fetch_all)
    batch.connections = backend.connections
    return batch


# ----------------------------------------------------------------------------------------------
# Ours: the app's path, scheduler to SQLite


@contextlib.asynccontextmanager
async def our_app(port: int, folder: Path) -> AsyncIterator[tuple[AppServices, LoopbackBackend]]:
    """The app as it starts (`AppServices.open`: warm-ups, scheduler), its fetcher on loopback:
    its own transport (connections kept per origin), connecting to the server."""
    backend = our_backend(port)
    services = AppServices(
        folder,
        max_concurrent=CHECKS_AT_ONCE,
        fetch_limits=LIMITS,
        fetcher=Fetcher(LIMITS, network_backend=backend),
    )
    await services.open()
    try:
        yield services, backend
    finally:
        await services.close()


async def our_batch(port: int, pages: list[tuple[str, list[str]]], tmp: Path) -> Batch:
    batch = Batch("ours")
    folder = Path(tempfile.mkdtemp(prefix="ours-", dir=tmp))
    try:
        async with our_app(port, folder) as (services, backend):
            service, scheduler, database = services.trackers, services.scheduler, services.database
            assert service is not None and scheduler is not None and database is not None
            saved = await asyncio.gather(
                *(service.add(Tracker(f"page {i:04d}", url)) for i, (url, _) in enumerate(pages))
            )
            ids = [tracker.id for tracker in saved if tracker.id is not None]

            async def check_all() -> list[Any]:
                tasks = await asyncio.gather(*(service.check_now(i) for i in ids))
                records = await asyncio.gather(*(t for t in tasks if t is not None))
                await scheduler.flush()  # the run records written too
                return records

            records = await measured(batch, check_all)
            batch.connections = backend.connections
            failed = [r for r in records if r.error is not None]
            if len(records) != len(ids) or failed:
                batch.problems.append(f"{len(records)} runs of {len(ids)}, {len(failed)} failed")
                batch.problems += [f"run failed: {r.error}" for r in failed[:3]]
            await verify(database, ids, pages, batch)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return batch


async def verify(
    database: Database, ids: list[int], pages: list[tuple[str, list[str]]], batch: Batch
) -> None:
    """Each tracker has a revision with its 20 external resources, all loaded, SRI matching."""

    def latest(conn: Connection) -> list[Any]:
        return [repo.latest_revision(conn, tracker_id) for tracker_id in ids]

    revisions = await database.run(latest)
    for revision, (url, planned) in zip(revisions, pages, strict=True):
        if revision is None:
            batch.problems.append(f"{url}: no revision")
            continue
        external = [r for r in revision.resources if r.url is not None and not r.inline]
        bad = [r for r in external if r.error or not r.digest or r.integrity_ok is False]
        if len(external) != PER_PAGE or {r.url for r in external} != set(planned) or bad:
            detail = f"; first: {bad[0].url}: {bad[0].error}" if bad else ""
            batch.problems.append(
                f"{url}: {len(external)} external, {len(bad)} not loaded or SRI failed{detail}"
            )
            continue
        batch.checks_ok += 1


# ----------------------------------------------------------------------------------------------
# Diagnosis (--diagnose): where our time goes


@contextlib.contextmanager
def timed_calls() -> Iterator[dict[str, list[tuple[float, float]]]]:
    """When each call to the pieces of a check ran, by name: wrappers, removed afterwards."""
    from desktop_tracker.kinds.resources import ResourcesKind
    from desktop_tracker.kinds.resources import capture as check_module
    from desktop_tracker.service import trackers as trackers_module
    from desktop_tracker.tracking import fetcher as fetcher_module
    from desktop_tracker.tracking import page_check as page_check_module

    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    patched: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, name: str, label: str) -> None:
        spans[label] = []  # listed in this order
        original = getattr(owner, name)
        if asyncio.iscoroutinefunction(original):

            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    spans[label].append((started, time.perf_counter()))

        else:

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    spans[label].append((started, time.perf_counter()))

        patched.append((owner, name, original))
        setattr(owner, name, wrapper)

    wrap(check_module, "extract_resources", "extract_resources (checks loop)")
    wrap(fetcher_module, "decode_html", "decode_html (checks loop)")
    wrap(page_check_module, "sha256_hex", "sha256_hex of each resource (loop thread)")
    wrap(page_check_module, "integrity_matches", "integrity_matches, SRI (loop thread)")
    wrap(check_module, "is_third_party", "is_third_party (loop thread)")
    wrap(Database, "_run_batch", "all SQLite work incl. commits (SQLite thread)")
    wrap(trackers_module, "_store_result", "_store_result, one check's storing (SQLite thread)")
    wrap(ResourcesKind, "diff", " . the resources diff (SQLite thread)")
    wrap(repo, "latest_revision", " . latest_revision (SQLite thread)")
    wrap(repo, "save_revision", " . save_revision (SQLite thread)")
    wrap(repo, "trim_revisions", " .  . trim_revisions (SQLite thread)")
    wrap(Fetcher, "fetch_page", "Fetcher.fetch_page (with waiting for a slot)")
    wrap(Fetcher, "fetch_resource", "Fetcher.fetch_resource (with waiting for a slot)")
    wrap(PageChecker, "check", "PageChecker.check")
    try:
        yield spans
    finally:
        for owner, name, original in reversed(patched):
            setattr(owner, name, original)


def overlap(window: tuple[float, float], spans: list[tuple[float, float]]) -> float:
    start, end = window
    return sum(max(0.0, min(b, end) - max(a, start)) for a, b in spans)


async def fetcher_batch(port: int, pages: list[tuple[str, list[str]]]) -> Batch:
    """A layer of ours: Fetcher.fetch_page then fetch_resource for the 20, as plain does."""
    batch = Batch("Fetcher only")
    backend = our_backend(port)
    async with Fetcher(LIMITS, network_backend=backend) as fetcher:
        await fetcher.warm_up()  # as AppServices.open does
        queue = iter(pages)

        async def worker() -> None:
            for page, resources in queue:
                await fetcher.fetch_page(page)
                answers = await asyncio.gather(*(fetcher.fetch_resource(u) for u in resources))
                batch.checks_ok += all(a.status == 200 and a.body for a in answers)

        async def fetch_all() -> None:
            await asyncio.gather(*(worker() for _ in range(CHECKS_AT_ONCE)))

        await measured(batch, fetch_all)
    batch.connections = backend.connections
    return batch


async def checker_batch(port: int, pages: list[tuple[str, list[str]]]) -> Batch:
    """A layer of ours: the resources kind's check of each page (extract, fingerprint), no
    database."""
    batch = Batch("PageChecker only")
    backend = our_backend(port)
    async with Fetcher(LIMITS, network_backend=backend) as fetcher:
        await fetcher.warm_up()  # as AppServices.open does
        await asyncio.to_thread(fingerprint.warm_up)
        checker = ResourceChecks(fetcher)
        queue = iter(pages)

        async def worker() -> None:
            for page, resources in queue:
                result = await checker.check(page)
                external = [r for r in result.resources if r.url and not r.error]
                batch.checks_ok += {r.url for r in external} == set(resources)

        async def check_all() -> None:
            await asyncio.gather(*(worker() for _ in range(CHECKS_AT_ONCE)))

        await measured(batch, check_all)
    batch.connections = backend.connections
    return batch


def diagnose(server: Server, pages: list[tuple[str, list[str]]], tmp: Path) -> None:
    """Where our time goes: ours built up layer by layer, and what overlapped its stalls."""
    layers: list[tuple[str, Callable[[], Awaitable[Batch]]]] = [
        ("plain httpx", lambda: plain_batch(server.port, pages)),
        ("Fetcher only", lambda: fetcher_batch(server.port, pages)),
        ("PageChecker only", lambda: checker_batch(server.port, pages)),
    ]
    batches = []
    for step, (name, make) in enumerate(layers, start=1):
        log(f"diagnosis {step}/{len(layers) + 1}: {name}")
        batches.append(run_batch(server, name, make))
    log(f"diagnosis {len(layers) + 1}/{len(layers) + 1}: ours, with the pieces of a check timed")
    with timed_calls() as spans:
        ours = run_batch(server, "ours", lambda: our_batch(server.port, pages, tmp))
    batches.append(ours)

    out = [
        "",
        "== diagnosis: ours built up layer by layer, one round each, same URLs and limits ==",
        "layer                 |  seconds |  req/s | CPU s: "
        + ", ".join(THREAD_KINDS)
        + " = total | longest stall | stalls > 20 ms | longest GC | objects",
    ]
    for b in batches:
        cpu = [b.cpu.get(k, 0.0) for k in THREAD_KINDS]
        out.append(
            f"{b.side:<21} | {b.seconds:8.2f} | {b.requests_per_second:6.0f} | "
            + ", ".join(f"{c:4.1f}" for c in cpu)
            + f" = {sum(cpu):5.1f} | {b.stall_ms:6.0f} ms | {len(b.stalls):5d}"
            f" | {b.gc_ms()[0]:4.0f} ms | {b.heap_objects:,}"
        )
    out.append("each layer over the one before (seconds of batch time, CPU seconds):")
    for before, after in itertools.pairwise(batches):
        cpu = sum(after.cpu.values()) - sum(before.cpu.values())
        out.append(
            f"  {after.side} − {before.side}: {after.seconds - before.seconds:+.2f} s,"
            f" CPU {cpu:+.2f} s ("
            + ", ".join(
                f"{k} {after.cpu.get(k, 0) - before.cpu.get(k, 0):+.2f}"
                for k in THREAD_KINDS
                if k in after.cpu or k in before.cpu
            )
            + ")"
        )
    out.append("pieces of our check in the last round (wall time; async ones include waiting):")
    for label, label_spans in spans.items():
        times = [b - a for a, b in label_spans] or [0.0]
        out.append(
            f"  {label}: {len(times)} calls, {sum(times):.2f} s in all, mean"
            f" {statistics.mean(times) * 1000:.2f} ms, longest {max(times) * 1000:.1f} ms"
        )
    for b in batches:
        out.extend(blame_stalls(b, spans if b is ours else {}))
    print("\n".join(out), file=sys.stderr, flush=True)


def blame_stalls(batch: Batch, spans: dict[str, list[tuple[float, float]]]) -> list[str]:
    """What the stalls over the target were made of, and what ran during them."""
    ran, queued, slept = batch.stall_split()
    total = sum(s.seconds for s in batch.stalls)
    lines = [
        f"{batch.side}: {len(batch.stalls)} stalls over {TARGET_STALL_MS:.0f} ms, {total:.2f} s"
        f" in all, longest {batch.stall_ms:.0f} ms; in them the loop's thread ran"
        f" {100 * ran:.0f}%, waited for a CPU {100 * queued:.0f}%, slept {100 * slept:.0f}%"
        " (for the GIL: its own sleeps are 1 ms)"
    ]
    if not batch.stalls:
        return lines
    during = {
        k: v
        for k, v in spans.items()
        if k.startswith(("extract_resources", "all SQLite", "_store_result"))
    }
    during["garbage collection (the loop's thread)"] = [(s, e) for s, e, _ in batch.collections]
    windows = [(s.start, s.end) for s in batch.stalls]
    for label, label_spans in sorted(during.items()):
        hit = sum(1 for w in windows if overlap(w, label_spans) > 0)
        time_in = sum(overlap(w, label_spans) for w in windows)
        lines.append(
            f"  overlapping {label}: {hit} stalls, {100 * time_in / total:.0f}% of the stall time"
        )
    for stall in sorted(batch.stalls, key=lambda s: -s.seconds)[:3]:
        parts = [
            f"{label.split(' (')[0]} {overlap((stall.start, stall.end), label_spans) * 1000:.0f}"
            for label, label_spans in sorted(during.items())
            if overlap((stall.start, stall.end), label_spans) > 0
        ]
        lines.append(
            f"  a {stall.seconds * 1000:.0f} ms stall: loop ran {stall.on_cpu * 1000:.0f} ms,"
            f" waited for a CPU {stall.queued * 1000:.0f} ms; overlapping (ms):"
            f" {', '.join(parts) or 'nothing timed'}"
        )
    return lines


# ----------------------------------------------------------------------------------------------
# The table


def median(values: list[float]) -> float:
    return statistics.median(values)


def summary(values: list[float], digits: int = 2) -> str:
    return ", ".join(f"{v:.{digits}f}" for v in values)


def cpu_text(batches: list[Batch]) -> str:
    kinds = sorted({k for b in batches for k in b.cpu}, key=THREAD_KINDS.index)
    return ", ".join(f"{k} {median([b.cpu.get(k, 0.0) for b in batches]):.1f}" for k in kinds)


def split_text(batches: list[Batch]) -> str:
    splits = [b.stall_split() for b in batches]
    return " / ".join(f"{100 * median([x[i] for x in splits]):.0f}%" for i in range(3))


def render(
    ours: list[Batch],
    plain: list[Batch],
    plain_ours: list[Batch],
    info: dict[str, Any],
    started: float,
) -> str:
    mb = 1024**2

    def med(batches: list[Batch], value: Callable[[Batch], float]) -> float:
        return median([value(b) for b in batches])

    def throughput_row(label: str, value: Callable[[Batch], float], unit: str) -> list[str]:
        o, p, q = med(ours, value), med(plain, value), med(plain_ours, value)
        return [
            label,
            f"{o:,.1f}{unit}",
            f"{p:,.1f}{unit}",
            f"{o / p:.3g}×",
            f">= {TARGET_RATIO} × plain",
            "yes" if o / p >= TARGET_RATIO else "NO",
            f"{q:,.1f}{unit}",
            f"{o / q:.3g}×",
        ]

    def bound_row(
        label: str, value: Callable[[Batch], float], unit: str, target: float
    ) -> list[str]:
        o, p, q = med(ours, value), med(plain, value), med(plain_ours, value)
        return [
            label,
            f"{o:.1f} {unit}",
            f"{p:.1f} {unit}",
            "—",
            f"<= {target:.0f} {unit}",
            "yes" if o <= target else "NO",
            f"{q:.1f} {unit}",
            "—",
        ]

    rows = [
        throughput_row("checks per second (plain: pages)", lambda b: b.checks_per_second, "/s"),
        throughput_row(
            "resources per second (requests/s: pages + resources)",
            lambda b: b.requests_per_second,
            "/s",
        ),
        bound_row(
            "longest event-loop stall during the batch",
            lambda b: b.stall_ms,
            "ms",
            TARGET_STALL_MS,
        ),
        bound_row("peak RSS during the batch", lambda b: b.rss_peak / mb, "MB", TARGET_RSS_MB),
    ]
    header = ["measure", "desktop_tracker (median)", "plain httpx (median)", "ratio"]
    header += ["target", "met?", "plain httpx on our transport", "ratio to it"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(cells) for cells in rows]
    out.append("")
    out.append(
        "ratio = desktop_tracker ÷ plain httpx (below 1: ours is slower); the target is on it."
        " 'plain httpx on our transport' is the same plain fetching through the app's own"
        " transport (connections kept per origin, asyncio sockets without anyio): what our"
        " checking costs on top of our own fetching, for information."
    )
    n_hosts = len(hosts_in(plan()))
    notes = [
        f"pages: {PAGES} built from the {info['templates']} real pages of {CORPUS} (reused in"
        " turn), their own external scripts, <link>s and <base> removed, inline scripts and"
        f" styles kept (median {info['inline_median']:.0f} a page, at most"
        f" {info['inline_max']}; ours fingerprints them too); median page"
        f" {info['page_kb_median']:.0f} KB, largest {info['page_kb_max']:.0f} KB,"
        f" {info['page_mb_total']:.0f} MB in all.",
        f"resources per page: {PER_PAGE} external ({info['scripts_per_page']:.1f} scripts,"
        f" {info['stylesheets_per_page']:.1f} stylesheets): 6 of the page's site, the same on"
        f" its {PAGES // SITES} pages; 8 of {CDN_POOL} shared CDN files, with SRI integrity;"
        " 6 of the page's own (3 same-origin, 3 protocol-relative on CDN hosts);"
        f" {info['resources']:,} distinct, {info['resource_kb_min']:.0f} to"
        f" {info['resource_kb_max']:.0f} KB (mean {info['resource_kb_mean']:.1f} KB). Every page"
        " was checked with extract_resources to name exactly its 20.",
        f"concurrency: {CHECKS_AT_ONCE} checks at once (Scheduler max_concurrent) against"
        f" {CHECKS_AT_ONCE} pages at once (plain, each page then its 20 resources together);"
        f" all sides: {LIMITS.max_concurrent} requests at once, {LIMITS.max_per_host} per host"
        " (FetchLimits defaults; plain uses the same semaphores, host first), HTTP/1.1, no"
        " compression. Connections: plain, httpx's transport with one pool of"
        f" {LIMITS.max_concurrent} (httpx's default limits measured slower here) on httpcore's"
        " anyio backend; ours and 'plain on our transport', OriginPools (a pool of"
        f" {LIMITS.max_per_host} per origin, {KEPT_ORIGINS} origins kept) on AsyncioBackend.",
        f"hosts: {n_hosts} distinct ({SITES} sites site0.test…, {CDNS} CDNs cdn0.test…), all"
        " answered by one asyncio server in a subprocess on 127.0.0.1 through LoopbackBackend"
        " (connections per origin as on the real web, each connected to 127.0.0.1; nothing"
        " resolved). Connections opened per batch: ours"
        f" [{', '.join(str(b.connections) for b in ours)}], plain"
        f" [{', '.join(str(b.connections) for b in plain)}], plain on our transport"
        f" [{', '.join(str(b.connections) for b in plain_ours)}].",
        f"rounds: {len(ours)} each, in turn plain, plain on our transport, ours; batch seconds"
        f" ours [{summary([b.seconds for b in ours])}], plain"
        f" [{summary([b.seconds for b in plain])}], plain on our transport"
        f" [{summary([b.seconds for b in plain_ours])}]."
        " Ours is timed from the first check_now to the last run finished, its revision"
        " committed and its run record written; each round opens a fresh AppServices on a new"
        " temp data dir (nothing remembered from the round before), 500 trackers added (manual"
        " schedule) before the clock starts.",
        "server: requests it answered per batch, ours"
        f" [{', '.join(str(b.server.get('requests')) for b in ours)}], plain"
        f" [{', '.join(str(b.server.get('requests')) for b in plain)}]; it sends ETag and"
        " Last-Modified but always answers 200 (HTTP allows ignoring validators), so both sides"
        " get the same bytes; ours sent"
        f" [{', '.join(str(b.server.get('conditional')) for b in ours)}] conditional requests"
        " (validators remembered from shared resources earlier in the batch). Server CPU"
        f" during the batch: ours [{summary([100 * b.server_cpu / b.seconds for b in ours], 0)}]"
        f" %, plain [{summary([100 * b.server_cpu / b.seconds for b in plain], 0)}] % of one"
        " core.",
        f"stall: longest gap beyond {TICK * 1000:.0f} ms between wake-ups of a coroutine"
        f" sleeping {TICK * 1000:.0f} ms in a loop; ours [{summary([b.stall_ms for b in ours], 1)}]"
        f" ms, plain [{summary([b.stall_ms for b in plain], 1)}] ms; gaps over"
        f" {TARGET_STALL_MS:.0f} ms per batch ours [{', '.join(str(len(b.stalls)) for b in ours)}],"
        f" plain [{', '.join(str(len(b.stalls)) for b in plain)}]. In those gaps the loop's"
        f" thread ran / waited for a CPU / slept (the GIL) {split_text(ours)} of the time, ours;"
        f" {split_text(plain)}, plain (/proc/thread-self/schedstat). Longest garbage collection"
        f" (the loop stands still through it) ours [{summary([b.gc_ms()[0] for b in ours], 0)}]"
        f" ms, plain [{summary([b.gc_ms()[0] for b in plain], 0)}] ms, with"
        f" {median([b.heap_objects for b in ours]):,.0f} and"
        f" {median([b.heap_objects for b in plain]):,.0f} objects tracked at the start.",
        f"CPU of this process per batch (median seconds, by thread): ours {cpu_text(ours)};"
        f" plain {cpu_text(plain)}. The stall probe runs on the app's loop (the main thread,"
        " where the scheduler and TrackerService run)"
        + (
            "; the app ran the checks on its own loop in a worker thread (checks loop)."
            if any("checks loop" in b.cpu for b in ours)
            else "."
        )
        + f" GIL switch interval: ours {median([b.switch_interval for b in ours]) * 1000:g} ms"
        f" (as the app left it), plain {DEFAULT_SWITCH_INTERVAL * 1000:g} ms (Python's).",
        f"RSS: the whole process, psutil every {RSS_EVERY * 1000:.0f} ms from a thread; peak ours"
        f" [{summary([b.rss_peak / mb for b in ours], 0)}] MB, plain"
        f" [{summary([b.rss_peak / mb for b in plain], 0)}] MB; at the batch start ours"
        f" [{summary([b.rss_before / mb for b in ours], 0)}] MB, plain"
        f" [{summary([b.rss_before / mb for b in plain], 0)}] MB (one process runs all rounds).",
        "checked: ours, trackers with a revision holding their 20 external resources, all loaded"
        f" and SRI matching: [{', '.join(str(b.checks_ok) for b in ours)}] of {PAGES}; plain,"
        f" pages with all 21 answers 200: [{', '.join(str(b.checks_ok) for b in plain)}].",
    ]
    findings = [f"{b.side} round {i}: {p}" for i, b in enumerate(ours + plain) for p in b.problems]
    if info.get("wrong_pages"):
        findings.append(f"{info['wrong_pages']} pages do not name exactly their 20 resources:")
        findings += info["wrong_examples"]
    out += [f"- {note}" for note in notes]
    out += [f"- FINDING: {finding}" for finding in findings[:12]]
    versions = ", ".join(
        f"{name} {_version(name)}" for name in ("httpx", "httpcore", "anyio", "selectolax")
    )
    cpu = platform.processor() or platform.machine()
    out.append(
        f"- machine: {os.cpu_count()} cores ({cpu}, {platform.system()} {platform.release()});"
        f" Python {platform.python_version()}; {versions}; load average"
        f" {' / '.join(f'{x:.1f}' for x in psutil.getloadavg())}; total"
        f" {time.perf_counter() - started:.0f} s."
    )
    return "\n".join(out)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


# ----------------------------------------------------------------------------------------------


def run_batch(server: Server, side: str, make: Callable[[], Awaitable[Batch]]) -> Batch:
    server.stats(reset=True)
    cpu = server.cpu_seconds()
    # Each batch starts at Python's switch interval; the app may set its own (AppServices.open
    # does), which lasts the process: it is noted, then undone for the next batch.
    sys.setswitchinterval(DEFAULT_SWITCH_INTERVAL)
    try:
        batch = asyncio.run(asyncio.wait_for(make(), BATCH_TIMEOUT))
        batch.switch_interval = sys.getswitchinterval()
    finally:
        sys.setswitchinterval(DEFAULT_SWITCH_INTERVAL)
    batch.server_cpu = server.cpu_seconds() - cpu  # includes our set-up: idle for the server
    batch.server = server.stats()
    asyncio.set_event_loop(None)
    gc.collect()
    log(
        f"{side}: {batch.seconds:.2f} s, {batch.checks_per_second:.1f} pages/s,"
        f" {batch.requests_per_second:.0f} req/s, stall {batch.stall_ms:.1f} ms,"
        f" peak RSS {batch.rss_peak / 1024**2:.0f} MB, {batch.checks_ok} ok,"
        f" {len(batch.problems)} problems"
    )
    return batch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS, help=f"rounds of each side (default {ROUNDS})"
    )
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="then one round of each layer of ours (Fetcher, PageChecker, the app), timed",
    )
    args = parser.parse_args()
    if args.serve:
        return serve_main()
    if args.rounds < 1 and not args.diagnose:
        parser.error("--rounds 0 makes sense with --diagnose only")

    started = time.perf_counter()
    pages = plan()
    log("building the pages and starting the server")
    server = Server()
    try:
        log(
            f"server on 127.0.0.1:{server.port}, pages built in"
            f" {server.info['build_seconds']:.1f} s"
        )
        ours: list[Batch] = []
        plain: list[Batch] = []
        plain_ours: list[Batch] = []
        with tempfile.TemporaryDirectory(prefix="bench-checks-") as name:
            tmp = Path(name)
            for round_ in range(args.rounds):
                log(f"round {round_ + 1} of {args.rounds}")
                plain.append(run_batch(server, "plain", lambda: plain_batch(server.port, pages)))
                plain_ours.append(
                    run_batch(server, OUR_TRANSPORT, lambda: plain_batch(server.port, pages, True))
                )
                ours.append(run_batch(server, "ours", lambda: our_batch(server.port, pages, tmp)))
            if ours:
                print(render(ours, plain, plain_ours, server.info, started), flush=True)
            if args.diagnose:
                diagnose(server, pages, tmp)
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
