"""Resources trackers end to end: a real local HTTP server, a real SQLite file, the real code."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from desktop_tracker.core.jobs import RunOutcome
from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.core.scheduler import RunContext
from desktop_tracker.domain.revisions import NotificationKind
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.service import AppServices, TrackerService
from desktop_tracker.service.trackers import NotificationStored, RevisionSaved, job_for
from desktop_tracker.store.database import Database
from desktop_tracker.store.tracker_store import SqliteTrackerStore
from desktop_tracker.tracking.fetcher import Fetcher, FetchLimits
from desktop_tracker.tracking.page_check import PageChecker
from tests.support.http_server import Exchange, LocalServer, drip, garbage, gzip_zeros
from tests.support.loopback import OneServerTransport

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "real-pages"
QUICK = FetchLimits(
    page_bytes=1_000_000,
    resource_bytes=200_000,
    connect_timeout=2,
    read_timeout=2,
    total_timeout=3,
    max_redirects=5,
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


async def check(service: TrackerService, tracker: Tracker) -> None:
    """One check through the scheduler's handler, as a scheduled run would do it."""
    job = job_for(tracker)
    await service.check_handler(RunContext(job, "run", time.time(), 1))


class Env:
    """A tracker service on a real SQLite file and a real fetcher, built inside the test's loop."""

    def __init__(self, tmp_path: Path, transport: OneServerTransport | None = None) -> None:
        self.database = Database(tmp_path / "data.sqlite3")
        self.fetcher = Fetcher(QUICK, transport=transport)
        self.service = TrackerService(SqliteTrackerStore(self.database), PageChecker(self.fetcher))
        self.events: list[object] = []
        self.service.events.subscribe(self.events.append)

    async def close(self) -> None:
        await self.fetcher.aclose()
        self.database.close()

    def count(self, table: str) -> int:
        return int(
            self.database.call(lambda c: c.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        )


def page(*tags: str) -> str:
    return "<!doctype html><html><head>" + "".join(tags) + "</head><body><p>shop</p></body></html>"


# -- change detection -----------------------------------------------------------------------------


async def test_baseline_then_added_changed_removed_with_a_notification_each(server, tmp_path):
    env = Env(tmp_path)
    server.route("/app.js", "app = 1", content_type="text/javascript")
    server.route("/shop", page('<script src="/app.js"></script>'))
    tracker = await env.service.add(Tracker("Shop", server.url("/shop")))

    await check(env.service, tracker)  # the baseline: stored, nobody notified
    assert [e.baseline for e in env.events if isinstance(e, RevisionSaved)] == [True]
    assert await env.service.notifications() == []

    await check(env.service, tracker)  # nothing changed: no revision
    assert env.count("revisions") == 1

    server.route("/pixel.js", "track()", content_type="text/javascript")
    server.route("/shop", page('<script src="/app.js"></script><script src="/pixel.js"></script>'))
    await check(env.service, tracker)
    server.route("/app.js", "app = 2", content_type="text/javascript")
    await check(env.service, tracker)
    server.route("/shop", page('<script src="/app.js"></script>'))
    await check(env.service, tracker)

    notes = await env.service.notifications()
    assert [n.title for n in notes] == ["Change detected: Shop"] * 3  # the summary is the body's
    # The summary, then what changed, resource by resource.
    assert [n.body for n in notes] == [
        f"1 removed\nremoved script {server.url('/pixel.js')}",
        f"1 changed\nchanged script {server.url('/app.js')}",
        f"1 added\nadded script {server.url('/pixel.js')}",
    ]
    history = await env.service.history(tracker.id)
    assert [e.diff.summary() if e.diff else "baseline" for e in history] == [
        "1 removed",
        "1 changed",
        "1 added",
        "baseline",
    ]
    changed = history[1].diff.changes[0]
    assert (changed.old.digest, changed.new.digest) == (sha(b"app = 1"), sha(b"app = 2"))
    await env.close()


async def test_any_two_revisions_can_be_compared(server, tmp_path):
    env = Env(tmp_path)
    tracker = await env.service.add(Tracker("Shop", server.url("/shop")))
    for body in ("a()", "b()", "c()"):
        server.route("/shop", page(f"<script>{body}</script>"))
        await check(env.service, tracker)
    newest, _, oldest = await env.service.history(tracker.id)
    diff = await env.service.compare(oldest.revision.id, newest.revision.id)
    assert diff.summary() == "1 added, 1 removed"  # inline scripts are matched by digest
    await env.close()


async def test_broken_integrity_and_a_new_third_party_origin_are_findings(server, tmp_path):
    env = Env(tmp_path)
    lib = b"lib = 1"
    server.route("/lib.js", lib, content_type="text/javascript")
    server.route("/style.css", "p{}", content_type="text/css")
    tag = f'<script src="/lib.js" integrity="{sri(lib)}"></script>'
    server.route("/shop", page(tag, '<link rel="stylesheet" href="/style.css">'))
    tracker = await env.service.add(Tracker("Shop", server.url("/shop")))
    await check(env.service, tracker)
    [baseline] = await env.service.history(tracker.id)
    assert [r.integrity_ok for r in baseline.revision.resources] == [True, None]

    server.route("/lib.js", b"lib = 1; steal()", content_type="text/javascript")
    # localhost is another site than 127.0.0.1: a third party, served by the same test server.
    server.route(
        "/shop", page(tag, f'<script src="{server.url("/x.js", host="localhost")}"></script>')
    )
    server.route("/x.js", "x()", content_type="text/javascript")
    await check(env.service, tracker)
    latest = (await env.service.history(tracker.id))[0]
    kinds = sorted(f.check for f in latest.diff.findings)
    assert kinds == ["integrity_mismatch", "new_third_party_origin"]
    [note] = await env.service.notifications()
    assert "no longer matches its integrity" in note.body
    await env.close()


async def test_revisions_are_trimmed_to_the_limit_and_go_with_their_tracker(server, tmp_path):
    env = Env(tmp_path)
    shared = "".join(f'<script src="/s{i}.js"></script>' for i in range(5))
    for i in range(5):
        server.route(f"/s{i}.js", f"s{i}()", content_type="text/javascript")
    tracker = await env.service.add(Tracker("Shop", server.url("/shop"), revisions=2))
    for version in range(4):
        server.route("/shop", page(shared, f"<style>p{{order:{version}}}</style>"))
        await check(env.service, tracker)
    assert env.count("revisions") == 2
    kept = await env.service.history(tracker.id)
    styles = [hashlib.sha256(f"p{{order:{v}}}".encode()).hexdigest() for v in (3, 2)]
    assert [entry.revision.resources[-1].digest for entry in kept] == styles  # the newest two
    await env.service.remove(tracker.id)
    assert (env.count("revisions"), env.count("jobs")) == (0, 0)
    await env.close()


async def test_request_headers_reach_the_page_and_its_origin_but_not_third_parties(
    server, tmp_path
):
    env = Env(tmp_path)
    server.route("/own.js", "own()", content_type="text/javascript")
    server.route("/cdn.js", "cdn()", content_type="text/javascript")
    cdn = server.url("/cdn.js", host="localhost")
    server.route("/shop", page('<script src="/own.js"></script>', f'<script src="{cdn}"></script>'))
    tracker = await env.service.add(
        Tracker("Shop", server.url("/shop"), headers={"Cookie": "session=secret"})
    )
    await check(env.service, tracker)
    assert server.requests_to("/shop")[0].header("cookie") == "session=secret"
    assert server.requests_to("/own.js")[0].header("cookie") == "session=secret"
    assert server.requests_to("/cdn.js")[0].header("cookie") is None
    await env.close()


async def test_ignore_rules_leave_matching_resources_out(server, tmp_path):
    env = Env(tmp_path)
    server.route("/a.js", "a()", content_type="text/javascript")
    server.route("/ads.js", "ads()", content_type="text/javascript")
    server.route("/shop", page('<script src="/a.js"></script><script src="/ads.js?v=1"></script>'))
    tracker = await env.service.add(Tracker("Shop", server.url("/shop"), ignore=(r"/ads\.js",)))
    await check(env.service, tracker)
    [entry] = await env.service.history(tracker.id)
    assert [r.url for r in entry.revision.resources] == [server.url("/a.js")]
    assert server.requests_to("/ads.js") == []
    await env.close()


# -- hostile servers ------------------------------------------------------------------------------


def _fifty_megabytes(exchange: Exchange) -> None:
    exchange.start(200, [("Content-Type", "text/html"), ("Content-Length", str(50 << 20))])
    chunk = b"<p>" + b"x" * 65_533
    for _ in range((50 << 20) // len(chunk)):
        if not exchange.send(chunk):
            return


@pytest.mark.parametrize(
    ("name", "setup", "words"),
    [
        ("huge", lambda s: s.handle("/p", _fifty_megabytes), "larger than"),
        ("bomb", lambda s: s.handle("/p", gzip_zeros(1 << 30)), "larger than"),
        (
            "loop",
            lambda s: (
                s.route("/p", status=302, headers={"Location": "/q"}),
                s.route("/q", status=302, headers={"Location": "/p"}),
            ),
            "redirect",
        ),
        ("drip", lambda s: s.handle("/p", drip(b"<html>" * 20, interval=1.0)), "within 3 s"),
        (
            "png",
            lambda s: s.route("/p", b"\x89PNG\r\n\x1a\n" + bytes(100), content_type="image/png"),
            "not an HTML",
        ),
        ("binary", lambda s: s.handle("/p", garbage(bytes(range(256)) * 40)), ""),
        ("500", lambda s: s.route("/p", "oops", status=500), "500"),
    ],
)
async def test_a_hostile_page_ends_in_a_recorded_error_and_the_tracker_stays(
    server, tmp_path, name, setup, words
):
    setup(server)
    services = AppServices(tmp_path / "data", fetch_limits=QUICK)
    scheduler = await services.open()
    try:
        tracker = await services.trackers.add(Tracker(name, server.url("/p")))
        task = await services.trackers.check_now(tracker.id)
        record = await asyncio.wait_for(task, 30)
        assert record.outcome is RunOutcome.FAILED
        assert words.lower() in (record.error or "").lower()
        await scheduler.flush()
        [run] = await services.trackers.runs(tracker)
        assert (run.outcome, run.error) == (RunOutcome.FAILED, record.error)
        assert [t.name for t in await services.trackers.all()] == [name]
        assert "Traceback" not in record.error
    finally:
        await services.close()


async def test_odd_but_usable_pages_give_a_result(server, tmp_path):
    env = Env(tmp_path)
    server.route("/plain", page("<script>a()</script>"), content_type=None)
    server.route(
        "/bad-utf8",
        b"<html><script>caf\xe9()</script><style>p{}",
        content_type="text/html; charset=utf-8",
    )
    server.route("/mess", "<html><scr<ipt><script src=/x.js>/* open", content_type="text/html")
    server.route("/x.js", "x()", content_type="text/javascript")
    for path, expected in (("/plain", 1), ("/bad-utf8", 2), ("/mess", 1)):
        tracker = await env.service.add(Tracker(path, server.url(path)))
        await check(env.service, tracker)
        [entry] = await env.service.history(tracker.id)
        assert len(entry.revision.resources) == expected, path
    await env.close()


async def test_resources_that_fail_are_recorded_with_their_error(server, tmp_path):
    env = Env(tmp_path)
    server.route("/gone.js", "no", status=404)
    server.route("/broken.css", "no", status=500)
    server.route(
        "/shop",
        page('<script src="/gone.js"></script>', '<link rel="stylesheet" href="/broken.css">'),
    )
    tracker = await env.service.add(Tracker("Shop", server.url("/shop")))
    await check(env.service, tracker)
    [entry] = await env.service.history(tracker.id)
    errors = [(r.kind, r.digest, r.error) for r in entry.revision.resources]
    assert [(k, d) for k, d, _ in errors] == [("script", ""), ("stylesheet", "")]
    assert "404" in errors[0][2] and "500" in errors[1][2]
    await env.close()


async def test_a_self_signed_site_fails_unless_its_tracker_skips_verification(tmp_path):
    env = Env(tmp_path)
    with LocalServer(https=True) as tls:
        tls.route("/shop", page("<script>a()</script>"))
        strict = await env.service.add(Tracker("strict", tls.url("/shop")))
        with pytest.raises(Exception, match="skip TLS verification"):
            await check(env.service, strict)
        lenient = await env.service.add(Tracker("lenient", tls.url("/shop"), verify_tls=False))
        await check(env.service, lenient)
        assert len(await env.service.history(lenient.id)) == 1
    await env.close()


# -- real pages -----------------------------------------------------------------------------------


def _corpus_pages(count: int) -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"the corpus is not at {CORPUS}")
    return sorted(CORPUS.glob("*.html.gz"))[:count]


def _answer_any_resource(exchange: Exchange) -> None:
    # Every resource a real page names is answered with bytes that depend on its path alone.
    path = exchange.request.path
    kind = "text/css" if ".css" in path else "text/javascript"
    exchange.respond(200, f"/* {path} */", [("Content-Type", kind)])


async def test_real_pages_are_tracked_with_their_resources_answered_locally(server, tmp_path):
    transport = OneServerTransport(server.port)
    env = Env(tmp_path, transport)
    server.fallback(_answer_any_resource)
    for number, path in enumerate(_corpus_pages(12)):
        html = gzip.decompress(path.read_bytes())
        canonical = re.search(rb'<link[^>]+rel="canonical"[^>]+href="(https?://[^"]+)"', html)
        url = canonical.group(1).decode() if canonical else f"https://news{number}.test/article"
        page_path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        server.route(page_path.split("?")[0] or "/", html, content_type="text/html")
        tracker = await env.service.add(Tracker(f"page {number}", url))
        await check(env.service, tracker)
        [entry] = await env.service.history(tracker.id)
        resources = entry.revision.resources
        assert resources, path.name
        for resource in resources:
            if resource.url is None:
                assert resource.inline and len(resource.digest) == 64
                continue
            assert resource.url.startswith(("http://", "https://"))
            if resource.error is None:
                parts = urlsplit(resource.url)
                asked = parts.path + (f"?{parts.query}" if parts.query else "")
                assert resource.digest == sha(f"/* {asked} */".encode()), resource
        assert len({r.key for r in resources}) == len(resources)  # each once
    # The pages' own hosts and their CDNs were asked for, every one answered here.
    assert len(set(transport.hosts_seen)) > 12
    await env.close()


# -- the whole app on a schedule ------------------------------------------------------------------


async def test_a_two_second_tracker_stores_the_change_and_notifies(server, tmp_path):
    server.route("/app.js", "v1", content_type="text/javascript")
    server.route("/shop", page('<script src="/app.js"></script>'))
    services = AppServices(tmp_path / "data", fetch_limits=QUICK)
    await services.open()
    seen: list[object] = []
    services.trackers.events.subscribe(seen.append)
    try:
        tracker = await services.trackers.add(
            Tracker("Shop", server.url("/shop"), schedule="*/2 * * * * *", timezone="UTC")
        )
        await _until(lambda: any(isinstance(e, RevisionSaved) for e in seen), 10)
        server.route("/app.js", "v2", content_type="text/javascript")
        await _until(lambda: any(isinstance(e, NotificationStored) for e in seen), 10)
        [note] = [e.notification for e in seen if isinstance(e, NotificationStored)]
        assert note.kind is NotificationKind.CHANGE
        assert (note.title, note.body) == (
            "Change detected: Shop",
            f"1 changed\nchanged script {server.url('/app.js')}",
        )
        stored = await services.trackers.notifications(unread_only=True)
        assert [n.id for n in stored] == [note.id]  # stored before anyone was told
        history = await services.trackers.history(tracker.id)
        assert [e.diff.summary() if e.diff else "baseline" for e in history] == [
            "1 changed",
            "baseline",
        ]
        assert note.revision_id == history[0].revision.id
    finally:
        await services.close()


async def test_a_failing_tracker_notifies_once_when_its_retries_run_out(server, tmp_path):
    server.route("/shop", "down", status=503)
    services = AppServices(tmp_path / "data", fetch_limits=QUICK)
    await services.open()
    try:
        retry = RetryStrategy("constant", attempts=2, initial=0.5)
        tracker = await services.trackers.add(Tracker("Shop", server.url("/shop"), retry=retry))
        await services.trackers.check_now(tracker.id)
        await _until(lambda: len(server.requests_to("/shop")) >= 2, 10)
        await asyncio.sleep(0.5)  # the second failure's notification is written
        await services.trackers.wait_idle()
        notes = await services.trackers.notifications()
        assert [n.kind for n in notes] == [NotificationKind.FAILURE]
        assert notes[0].title == "Check failed: Shop"
        assert "503" in notes[0].body
        runs = await services.trackers.runs(tracker)
        assert sorted(r.attempt for r in runs) == [1, 2]
    finally:
        await services.close()


async def _until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.05)
