"""Benchmark: one check of each kind (resources, content, headers) on the real-page corpus.

Run by hand: `.venv/bin/python tests/bench/bench_kinds.py [--rounds N]`.

Every corpus page is served by a loopback server in another process, under a host of its own,
over plain http (https links rewritten), with a realistic set of security headers (a CSP
with a fresh nonce per page, HSTS, cookies);
the external resources the pages name all answer too (a small script or stylesheet), so the
resources check fetches and fingerprints every one. Pages are checked one after another, each
kind in turn, in the same run as its peers:

- plain httpx GET of the page: the floor any check pays;
- httpx GET + inscriptis (the text extraction changedetection.io uses), beside our content check,
  when inscriptis is installed (`pip install inscriptis`);
- our resources, content and headers checks, through `PageChecker` with the app's fetcher.

Prints the median and 90th percentile per page, and each check's ratio to the httpx GET.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from desktop_tracker.kinds.base import CaptureRequest  # noqa: E402
from desktop_tracker.kinds.registry import kind_for  # noqa: E402
from desktop_tracker.kinds.resources import fingerprint  # noqa: E402
from desktop_tracker.tracking.fetcher import Fetcher, FetchLimits  # noqa: E402
from desktop_tracker.tracking.network import AsyncioBackend  # noqa: E402
from desktop_tracker.tracking.page_check import PageChecker  # noqa: E402
from tests.bench.loopback import LoopbackBackend, LoopbackTransport, http_response  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real-pages"
LIMITS = FetchLimits(connect_timeout=5, read_timeout=10, total_timeout=30)


def _headers_for(page: int) -> dict[str, str]:
    nonce = secrets.token_urlsafe(16)
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": (
            f"default-src 'self'; script-src 'self' 'nonce-{nonce}' 'unsafe-inline' "
            "https://www.google-analytics.com https://cdn.jsdelivr.net; object-src 'none'; "
            "style-src 'self' 'unsafe-inline'; img-src * data:; frame-ancestors 'self'"
        ),
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Set-Cookie": f"session=s{page}; Path=/; Secure; HttpOnly; SameSite=Lax",
    }


def build_routes() -> tuple[dict[tuple[bytes, bytes], bytes], list[str]]:
    """Each page at http://pageN.test/, and every resource it names (any host, any path)."""
    from desktop_tracker.kinds.resources.extract import extract_resources

    routes: dict[tuple[bytes, bytes], bytes] = {}
    urls = []
    for number, path in enumerate(sorted(CORPUS.glob("*.html.gz"))):
        # Served over plain http, every https:// link too: the loopback server speaks no TLS,
        # and a handshake it never answers would only measure the connect timeout.
        html = gzip.decompress(path.read_bytes()).replace(b"https://", b"http://")
        url = f"http://page{number}.test/"
        routes[(f"page{number}.test".encode(), b"/")] = http_response(
            200, html, _headers_for(number)
        )
        text = html.decode("utf-8", "replace")
        for found in extract_resources(text, url):
            if found.url is None:
                continue
            parts = httpx.URL(found.url)
            body = b"/* script */ var x = 1;" if found.kind == "script" else b"p{color:red}"
            ctype = "text/javascript" if found.kind == "script" else "text/css"
            target = parts.raw_path or b"/"
            routes[(parts.host.encode(), target)] = http_response(
                200, body, {"Content-Type": ctype}
            )
        urls.append(url)
    return routes, urls


def serve_main() -> int:
    from tests.bench.loopback import serve

    routes, _ = build_routes()
    serve(routes, ready="READY")
    return 0


async def timed(work: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await work()
    return (time.perf_counter() - started) * 1000


async def measure(port: int, urls: list[str], rounds: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {}
    try:
        from inscriptis import get_text  # type: ignore[import-not-found]
    except ImportError:
        get_text = None
    client = httpx.AsyncClient(
        transport=LoopbackTransport(port, httpx.Limits(max_connections=16)), trust_env=False
    )
    fetcher = Fetcher(LIMITS, network_backend=LoopbackBackend(port, AsyncioBackend()))
    await fetcher.warm_up()
    await asyncio.to_thread(fingerprint.warm_up)
    checker = PageChecker(fetcher)
    kinds = {name: kind_for(name) for name in ("resources", "content", "headers")}

    async def httpx_get(url: str) -> None:
        (await client.get(url)).raise_for_status()

    async def httpx_inscriptis(url: str) -> None:
        response = await client.get(url)
        get_text(response.text)

    def ours(name: str) -> Callable[[str], Awaitable[Any]]:
        async def check(url: str) -> None:
            options = kinds[name].parse_options({})
            await checker.check(kinds[name], CaptureRequest(url, {}, options))

        return check

    peers: list[tuple[str, Callable[[str], Awaitable[Any]]]] = [("httpx GET", httpx_get)]
    if get_text is not None:
        peers.append(("httpx GET + inscriptis", httpx_inscriptis))
    peers += [(f"ours: {name} check", ours(name)) for name in kinds]
    for label, _ in peers:
        results[label] = []
    for _ in range(rounds):
        for url in urls:
            for label, work in peers:
                results[label].append(await timed(lambda w=work, u=url: w(u)))
    await client.aclose()
    await fetcher.aclose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve_main()
    if not CORPUS.is_dir():
        print(f"the corpus is not at {CORPUS}", file=sys.stderr)
        return 1
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert server.stdout is not None
        word, _, port = server.stdout.readline().decode().strip().partition(" ")
        assert word == "READY", word
        _, urls = build_routes()
        results = asyncio.run(measure(int(port), urls, args.rounds))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(10)
    floor = statistics.median(results["httpx GET"])
    print(f"\n{len(urls)} corpus pages × {args.rounds} rounds, one check at a time, loopback\n")
    print(f"| {'check':<26} | median ms | p90 ms | × httpx GET |")
    print(f"|{'-' * 28}|-----------|--------|-------------|")
    for label, values in results.items():
        values.sort()
        median = statistics.median(values)
        p90 = values[int(len(values) * 0.9)]
        print(f"| {label:<26} | {median:9.2f} | {p90:6.2f} | {median / floor:11.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
