"""A tracker's request headers stay on the site of its own URL.

Two real loopback sites: A is http://127.0.0.1:PORT_A, B is http://localhost:PORT_B (two servers,
two names, two ports: another site by any reading). Both servers record every request with its
headers. The rule (tracking/sites.py): the headers go to requests to A only, and to no request
at all once a redirect chain has left A — the page's chain for the whole check, a resource's
chain for the rest of that resource's hops.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop_tracker.cli import main
from desktop_tracker.core.clock import FakeClock
from desktop_tracker.core.events import JobFailed, JobFinished, SchedulerEvent
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.service import AppServices
from desktop_tracker.tracking.errors import FetchError
from desktop_tracker.tracking.fetcher import Fetcher, FetchLimits
from tests.support.checks import ResourceChecks
from tests.support.http_server import LocalServer, SeenRequest, free_port

QUICK = FetchLimits(connect_timeout=2, read_timeout=2, total_timeout=5, max_redirects=5)
SECRETS = {
    "Cookie": "session=c00kie-s3cret",
    "Authorization": "Bearer t0ken-s3cret",
    "X-Api-Key": "k3y-s3cret",  # any header the user set, not only the well-known ones
}
JS, CSS = "text/javascript", "text/css"
START = 60 * 29_166_667 + 30.0  # half a minute past a whole minute
WAIT = 15.0  # real seconds a scheduled run may take: a bound, so a test that goes wrong fails


@dataclass
class Site:
    """A recording server under one host name."""

    server: LocalServer
    host: str

    def url(self, path: str) -> str:
        return self.server.url(path, host=self.host)

    def route(self, path: str, body: str = "", **options: object) -> None:
        self.server.route(path, body, **options)  # type: ignore[arg-type]

    def redirect(self, path: str, to: str) -> None:
        self.server.route(path, status=302, headers={"Location": to})

    def seen(self, path: str) -> list[SeenRequest]:
        return self.server.requests_to(path)


@pytest.fixture
def sites() -> Iterator[tuple[Site, Site]]:
    # The client tries every address of "localhost" in turn (happy eyeballs): ::1, where nothing
    # of ours listens, refuses at once, and 127.0.0.1 is where B's server listens.
    addresses = {info[4][0] for info in socket.getaddrinfo("localhost", 80, 0, socket.SOCK_STREAM)}
    if "127.0.0.1" not in addresses:
        pytest.skip("localhost does not resolve to 127.0.0.1 on this machine")
    with LocalServer() as a, LocalServer() as b:
        yield Site(a, "127.0.0.1"), Site(b, "localhost")


def page(*tags: str) -> str:
    return "<!doctype html><html><head>" + "".join(tags) + "</head><body><p>shop</p></body></html>"


def carries(request: SeenRequest) -> list[str]:
    """The tracker's secrets this request carried, under any header name."""
    return [v for v in SECRETS.values() if any(v in value for _, value in request.headers)]


def carries_all(request: SeenRequest) -> bool:
    return all(request.header(name) == value for name, value in SECRETS.items())


def assert_nothing_reached(site: Site) -> None:
    assert site.server.requests, "the test is void: nothing was asked of this site"
    for request in site.server.requests:
        assert carries(request) == [], f"{request.path} carried the tracker's headers"


def redirect_to_b_with_resources_on_both(a: Site, b: Site) -> None:
    """A's page redirects to B's, whose scripts and styles are on B and on A."""
    a.redirect("/shop", b.url("/landing"))
    for site in (a, b):
        site.route("/app.js", "app()", content_type=JS)
        site.route("/site.css", "p{}", content_type=CSS)
    b.route(
        "/landing",
        page(
            '<script src="/app.js"></script>',  # B's, relative to the final URL
            '<link rel=stylesheet href="/site.css">',
            f'<script src="{a.url("/app.js")}"></script>',  # A's: the tracker's own origin
            f'<link rel=stylesheet href="{a.url("/site.css")}">',
        ),
    )


# -- one check: ResourceChecker over a real Fetcher -----------------------------------------------


async def test_after_a_redirect_to_another_site_no_request_carries_the_headers(sites):
    a, b = sites
    redirect_to_b_with_resources_on_both(a, b)
    async with Fetcher(QUICK) as fetcher:
        result = await ResourceChecks(fetcher).check(a.url("/shop"), SECRETS)
    assert result.final_url == b.url("/landing")
    assert [r.error for r in result.scripts + result.styles] == [None] * 4
    assert carries_all(a.seen("/shop")[0])  # the tracker's own URL: the first request only
    assert_nothing_reached(b)  # B's page, B's script and B's stylesheet
    # The chain left A: the resources on A, fetched later in the same check, go without them.
    assert len(a.seen("/app.js")) == len(a.seen("/site.css")) == 1
    assert carries(a.seen("/app.js")[0]) == carries(a.seen("/site.css")[0]) == []


async def test_a_chain_that_leaves_and_comes_back_carries_them_no_more(sites):
    a, b = sites
    a.redirect("/shop", b.url("/bounce"))
    b.redirect("/bounce", a.url("/home"))
    a.route("/home", page('<script src="/own.js"></script>'))
    a.route("/own.js", "own()", content_type=JS)
    async with Fetcher(QUICK) as fetcher:
        fetched = await fetcher.fetch_page(a.url("/shop"), SECRETS)
        result = await ResourceChecks(fetcher).check(a.url("/shop"), SECRETS)
    assert fetched.final_url == result.final_url == a.url("/home")
    assert fetched.left_site
    assert all(carries_all(r) for r in a.seen("/shop"))
    assert_nothing_reached(b)
    assert [carries(r) for r in a.seen("/home")] == [[], []]  # back on A, after B: nothing
    assert [carries(r) for r in a.seen("/own.js")] == [[]]


async def test_a_resource_on_the_own_site_that_redirects_elsewhere_takes_nothing_along(sites):
    a, b = sites
    a.route(
        "/shop",
        page('<script src="/moved.js"></script>', '<link rel=stylesheet href="/bounce.css">'),
    )
    a.redirect("/moved.js", b.url("/cdn.js"))
    b.route("/cdn.js", "cdn()", content_type=JS)
    # A resource's own chain: A → B → A, nothing after B.
    a.redirect("/bounce.css", b.url("/hop.css"))
    b.redirect("/hop.css", a.url("/back.css"))
    a.route("/back.css", "p{}", content_type=CSS)
    async with Fetcher(QUICK) as fetcher:
        result = await ResourceChecks(fetcher).check(a.url("/shop"), SECRETS)
    assert [r.error for r in result.scripts + result.styles] == [None, None]
    assert carries_all(a.seen("/shop")[0])
    assert carries_all(a.seen("/moved.js")[0])  # the resource's own request, on A
    assert carries_all(a.seen("/bounce.css")[0])
    assert_nothing_reached(b)  # /cdn.js and /hop.css
    assert carries(a.seen("/back.css")[0]) == []


async def test_on_the_own_site_the_page_and_its_resources_get_them(sites):
    # The control: the rule lets the headers through where they belong, or the tests above
    # would pass with a fetcher that sends nothing at all.
    a, b = sites
    a.route(
        "/shop",
        page(
            '<script src="/app.js"></script>',
            f'<link rel=stylesheet href="{a.url("/site.css")}">',
            f'<script src="{b.url("/cdn.js")}"></script>',  # a third party, for contrast
        ),
    )
    a.route("/app.js", "app()", content_type=JS)
    a.route("/site.css", "p{}", content_type=CSS)
    a.redirect("/old", a.url("/shop"))  # a redirect within the site keeps them too
    b.route("/cdn.js", "cdn()", content_type=JS)
    async with Fetcher(QUICK) as fetcher:
        await ResourceChecks(fetcher).check(a.url("/shop"), SECRETS)
        fetched = await fetcher.fetch_page(a.url("/old"), SECRETS)
    assert not fetched.left_site
    assert all(carries_all(r) for r in a.seen("/shop"))  # once directly, once after /old
    assert carries_all(a.seen("/old")[0])
    assert carries_all(a.seen("/app.js")[0])
    assert carries_all(a.seen("/site.css")[0])
    assert_nothing_reached(b)


async def test_a_resource_fetched_for_another_site_sends_nothing_to_it(sites):
    a, b = sites
    b.route("/cdn.js", "cdn()", content_type=JS)
    a.redirect("/moved.js", b.url("/cdn.js"))
    async with Fetcher(QUICK) as fetcher:
        await fetcher.fetch_resource(b.url("/cdn.js"), SECRETS, site=a.url("/shop"))
        await fetcher.fetch_resource(a.url("/moved.js"), SECRETS, site=a.url("/shop"))
    assert carries_all(a.seen("/moved.js")[0])
    assert_nothing_reached(b)


async def test_the_headers_are_in_no_log_record_and_no_error(sites, caplog):
    a, b = sites
    caplog.set_level(logging.DEBUG)  # httpx and httpcore say every request at DEBUG
    a.redirect("/shop", b.url("/landing"))
    b.route(
        "/landing",
        page(
            '<script src="/broken.js"></script>',
            f'<script src="{a.url("/gone.js")}"></script>',
            f'<script src="http://127.0.0.1:{free_port()}/refused.js"></script>',
        ),
    )
    b.route("/broken.js", "no", status=500, content_type="text/plain")
    a.route("/own", page('<script src="/gone.js"></script>'))
    a.route("/down", "down", status=503)
    errors: list[str] = []
    async with Fetcher(QUICK) as fetcher:
        checker = ResourceChecks(fetcher)
        for url in (a.url("/shop"), a.url("/own")):
            result = await checker.check(url, SECRETS)
            errors += [r.error or "" for r in result.scripts]
        with pytest.raises(FetchError) as down:
            await checker.check(a.url("/down"), SECRETS)
        with pytest.raises(FetchError) as refused:
            await checker.check(a.url("/shop"), {"X-Api-Key": "k3y-s3cret\nInjected: 1"})
        errors += [str(down.value), str(refused.value), repr(down.value)]
    assert len([e for e in errors if e]) == 7  # every failure said something
    said = "\n".join([*errors, caplog.text, *(str(r.args) for r in caplog.records)])
    assert "GET" in caplog.text  # the requests were logged, without their headers
    for secret in (*SECRETS.values(), "c00kie", "t0ken", "k3y"):
        assert secret not in said


# -- end to end: the command line -----------------------------------------------------------------


def test_check_with_headers_sends_none_of_them_past_a_redirect(sites, capsys):
    a, b = sites
    redirect_to_b_with_resources_on_both(a, b)
    headers = [arg for name, value in SECRETS.items() for arg in ("--header", f"{name}: {value}")]
    code = main(["check", a.url("/shop"), *headers, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["final_url"] == b.url("/landing")
    assert len(data["scripts"]) == len(data["styles"]) == 2
    assert carries_all(a.seen("/shop")[0])
    assert_nothing_reached(b)
    assert carries(a.seen("/app.js")[0]) == carries(a.seen("/site.css")[0]) == []
    assert not any(secret in out + err for secret in SECRETS.values())


def test_check_with_headers_sends_them_on_the_own_site(sites, capsys):
    a, _ = sites
    a.route("/shop", page('<script src="/app.js"></script>'))
    a.route("/app.js", "app()", content_type=JS)
    headers = [arg for name, value in SECRETS.items() for arg in ("--header", f"{name}: {value}")]
    code = main(["check", a.url("/shop"), *headers])
    assert code == 0, capsys.readouterr().err
    assert carries_all(a.seen("/shop")[0]) and carries_all(a.seen("/app.js")[0])


# -- end to end: a scheduled run of the app -------------------------------------------------------


async def test_a_scheduled_run_sends_none_of_them_past_a_redirect(sites, tmp_path: Path):
    a, b = sites
    redirect_to_b_with_resources_on_both(a, b)
    a.route("/own", page('<script src="/app.js"></script>'))
    clock = FakeClock(START)
    services = AppServices(tmp_path / "data", clock=clock, fetch_limits=QUICK)
    scheduler = await services.open()
    ended: list[SchedulerEvent] = []
    scheduler.events.subscribe(
        lambda e: ended.append(e) if isinstance(e, JobFinished | JobFailed) else None
    )
    try:
        assert services.trackers is not None
        for name, path in (("Moved", "/shop"), ("Own", "/own")):
            await services.trackers.add(
                Tracker(name, a.url(path), headers=SECRETS, schedule="* * * * *", timezone="UTC")
            )
        await clock.advance(60)  # one whole minute: each tracker's run is due once
        deadline = time.monotonic() + WAIT
        while len(ended) < 2:
            assert time.monotonic() < deadline, "the scheduled runs did not end"
            await asyncio.sleep(0.02)
        assert all(isinstance(e, JobFinished) for e in ended), ended
        await services.trackers.wait_idle()
    finally:
        await services.close()
    assert carries_all(a.seen("/shop")[0])
    assert_nothing_reached(b)
    # A's script: once for "Moved", after its page left A (nothing), once for "Own" (all).
    app_js = a.seen("/app.js")
    assert sorted(len(carries(r)) for r in app_js) == [0, len(SECRETS)]
    assert carries_all(a.seen("/own")[0])
    assert carries(a.seen("/site.css")[0]) == []
