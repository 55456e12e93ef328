"""Failures are told once.

"Check failed: NAME" when a run's retries are used up; nothing for later failing runs while the
streak lasts; then one "NAME works again" when a check succeeds. The streak is kept in SQLite, so
it outlives restarts and crashes. Real HTTP servers, a real SQLite file and the real scheduler, on
a fake clock that the tests drive: a run's end is awaited as an event, never slept for.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from desktop_tracker.core.clock import FakeClock
from desktop_tracker.core.events import JobFailed, JobFinished, SchedulerEvent
from desktop_tracker.core.jobs import RunOutcome
from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.core.scheduler import Scheduler
from desktop_tracker.data_dir import DATABASE_NAME
from desktop_tracker.domain.revisions import FailureStreak, Notification, NotificationKind
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.service import AppServices, TrackerService
from desktop_tracker.service.trackers import CheckFailed, NotificationStored
from desktop_tracker.store import tracker_repository as repo
from desktop_tracker.store.database import Database
from desktop_tracker.store.job_repository import SqliteJobStore
from desktop_tracker.store.migrations import MIGRATIONS
from desktop_tracker.store.tracker_store import SqliteTrackerStore
from desktop_tracker.tracking.fetcher import Fetcher, FetchLimits
from desktop_tracker.tracking.page_check import PageChecker

FAILURE, RECOVERED, CHANGE = (
    NotificationKind.FAILURE,
    NotificationKind.RECOVERED,
    NotificationKind.CHANGE,
)
QUICK = FetchLimits(connect_timeout=2, read_timeout=2, total_timeout=3)
WAIT = 15.0  # real seconds a run may take to end: a bound, so a test that goes wrong fails
# Half a minute past a whole minute: each minute the clock advances runs "* * * * *" once.
START = 60 * 29_166_667 + 30.0
EVERY_MINUTE = "* * * * *"
PAGE = "<!doctype html><html><head><script>app()</script></head><body>ok</body></html>"


# -- helpers --------------------------------------------------------------------------------------


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Site:
    """A site on a port of its own that is down (connections refused) until `up()`.

    While down, the port is bound without listening: it stays ours, and connecting is refused.
    HTTP/1.0, so no connection outlives a response and `down()` means down."""

    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._reserved: socket.socket | None = self._reserve(0)
        self.port: int = self._reserved.getsockname()[1]

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def up(self) -> None:
        assert self._server is None and self._reserved is not None
        self._reserved.close()
        self._reserved = None
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _Page)
        server.daemon_threads = True
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        self._server = server

    def down(self) -> None:
        server, self._server = self._server, None
        assert server is not None
        server.shutdown()
        server.server_close()
        self._reserved = self._reserve(self.port)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._reserved is not None:
            self._reserved.close()

    @staticmethod
    def _reserve(port: int) -> socket.socket:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        return sock


@pytest.fixture
def site() -> Iterator[Site]:
    dead = Site()
    try:
        yield dead
    finally:
        dead.close()


class RunCounter:
    """Counts the runs of trackers that ended, and lets a test await a count."""

    def __init__(self) -> None:
        self.ended = 0
        self.failed = 0
        self._moved = asyncio.Event()

    def __call__(self, event: SchedulerEvent) -> None:
        if isinstance(event, JobFinished | JobFailed) and event.job_id.startswith("tracker:"):
            self.ended += 1
            self.failed += isinstance(event, JobFailed)
            self._moved.set()

    async def until(self, count: int) -> None:
        async with asyncio.timeout(WAIT):
            while self.ended < count:
                self._moved.clear()
                await self._moved.wait()


async def pass_minutes(
    clock: FakeClock, runs: RunCounter, service: TrackerService, minutes: int, per_minute: int
) -> None:
    """Let minutes pass on the fake clock, one at a time, each until its runs have ended and
    what they notify is stored."""
    for _ in range(minutes):
        expected = runs.ended + per_minute
        await clock.advance(60)
        await runs.until(expected)
        await service.wait_idle()


class World:
    """A TrackerService with the real scheduler, fetcher and SQLite file, on a fake clock."""

    def __init__(self, tmp_path: Path) -> None:
        self.clock = FakeClock(START)
        self.database = Database(tmp_path / "data.sqlite3")
        self.scheduler = Scheduler(SqliteJobStore(self.database), self.clock)
        self.fetcher = Fetcher(QUICK)
        self.service = TrackerService(
            SqliteTrackerStore(self.database), PageChecker(self.fetcher), self.scheduler, self.clock
        )
        self.runs = RunCounter()
        self.scheduler.events.subscribe(self.runs)
        self.told: list[Notification] = []  # what the GUI heard of: each could be a pop-up
        self.failed: list[CheckFailed] = []
        self.service.events.subscribe(self._heard)

    def _heard(self, event: object) -> None:
        if isinstance(event, NotificationStored):
            self.told.append(event.notification)
        elif isinstance(event, CheckFailed):
            self.failed.append(event)

    async def add(self, name: str, url: str, **fields: object) -> Tracker:
        fields.setdefault("schedule", EVERY_MINUTE)
        tracker = Tracker(name, url, timezone="UTC", **fields)  # type: ignore[arg-type]
        return await self.service.add(tracker)

    async def minutes(self, count: int, *, runs: int) -> None:
        await pass_minutes(self.clock, self.runs, self.service, count, runs)

    async def notes(self) -> list[Notification]:
        """Every stored notification, oldest first."""
        return list(reversed(await self.service.notifications()))

    async def close(self) -> None:
        await self.scheduler.stop()
        await self.service.wait_idle()
        await self.fetcher.aclose()
        self.database.close()


@asynccontextmanager
async def world(tmp_path: Path) -> AsyncIterator[World]:
    w = World(tmp_path)
    await w.scheduler.start()
    try:
        yield w
    finally:
        await w.close()


def said(notes: list[Notification]) -> list[tuple[NotificationKind, str]]:
    """Kinds and titles, sorted: runs due together end in any order."""
    return sorted((n.kind, n.title) for n in notes)


# -- the service ----------------------------------------------------------------------------------


async def test_a_dead_site_and_a_404_page_every_minute_tell_their_failure_once_each(
    tmp_path, server, site
):
    # The report: these two, every minute, made 32 notifications in 15 minutes.
    server.route("/gone", "no such page", status=404)
    async with world(tmp_path) as w:
        dead = await w.add("Dead", site.url())
        gone = await w.add("Gone", server.url("/gone"))

        await w.minutes(15, runs=2)
        assert w.runs.failed == 30  # every run failed, the first-ever ones too
        notes = await w.notes()
        assert said(notes) == [(FAILURE, "Check failed: Dead"), (FAILURE, "Check failed: Gone")]
        body = {n.title: n.body for n in notes}
        assert "refused the connection" in body["Check failed: Dead"]  # the reason, in words
        assert "404" in body["Check failed: Gone"]
        assert len(w.told) == 2  # the GUI heard of two: at most two pop-ups
        # Every failed run is said as an event (run logs reload on it); two of them told.
        assert len(w.failed) == 30 and sum(e.told for e in w.failed) == 2
        failing = {o.tracker.id: o.failure for o in await w.service.overview()}
        assert failing[dead.id] is not None and failing[gone.id] is not None
        assert "404" in failing[gone.id].error

        site.up()
        server.route("/gone", PAGE)
        await w.minutes(3, runs=2)
        notes = await w.notes()
        assert said(notes[2:]) == [(RECOVERED, "Dead works again"), (RECOVERED, "Gone works again")]
        back = {n.title: n.body for n in notes[2:]}
        assert "404" in back["Gone works again"]  # what it had been failing with
        assert await w.service.failure_streaks() == {}
        assert all(o.failure is None for o in await w.service.overview())

        site.down()
        server.route("/gone", "no such page", status=404)
        await w.minutes(5, runs=2)
        notes = await w.notes()
        assert said(notes[4:]) == [(FAILURE, "Check failed: Dead"), (FAILURE, "Check failed: Gone")]
        assert len(notes) == 6 and len(w.told) == 6


async def test_the_failure_is_told_when_the_retries_of_a_run_are_used_up_not_before(
    tmp_path, server
):
    server.route("/gone", status=404)
    async with world(tmp_path) as w:
        retry = RetryStrategy("constant", attempts=3, initial=10)
        await w.add("Gone", server.url("/gone"), retry=retry)
        for attempt in (1, 2):
            await w.clock.advance(30 if attempt == 1 else 10)  # the run, then its first retry
            await w.runs.until(attempt)
            await w.service.wait_idle()
            assert await w.notes() == [], f"told after attempt {attempt} of 3"
        await w.clock.advance(10)  # the last retry: the run's attempts are used up
        await w.runs.until(3)
        await w.service.wait_idle()
        assert said(await w.notes()) == [(FAILURE, "Check failed: Gone")]

        for _ in range(4):  # later runs, each with its retries, fail the same way
            ended = w.runs.ended
            await w.clock.advance(40)
            await w.runs.until(ended + 1)
            for done in (2, 3):
                await w.clock.advance(10)
                await w.runs.until(ended + done)
            await w.service.wait_idle()
        assert w.runs.failed == 15
        assert len(await w.notes()) == 1


async def test_a_run_whose_retry_the_next_run_replaces_is_told_all_the_same(tmp_path, server):
    # Retries five minutes apart on a schedule of one minute: the scheduler never plans them
    # (the next run comes first), so `gave_up` is never set; the failure must still be told.
    server.route("/gone", status=404)
    async with world(tmp_path) as w:
        retry = RetryStrategy("constant", attempts=3, initial=300)
        await w.add("Gone", server.url("/gone"), retry=retry)
        await w.minutes(6, runs=1)
        assert said(await w.notes()) == [(FAILURE, "Check failed: Gone")]


async def test_check_now_on_a_failing_tracker_tells_nothing_new(tmp_path, server):
    server.route("/gone", status=404)
    async with world(tmp_path) as w:
        gone = await w.add("Gone", server.url("/gone"), schedule="manual")
        for _ in range(3):
            task = await w.service.check_now(gone.id or 0)
            assert task is not None
            await task
            await w.service.wait_idle()
        assert said(await w.notes()) == [(FAILURE, "Check failed: Gone")]


async def test_with_notify_off_the_streak_is_kept_and_turning_notify_on_tells_nothing_old(
    tmp_path, server
):
    server.route("/gone", status=404)
    async with world(tmp_path) as w:
        gone = await w.add("Gone", server.url("/gone"), notify=False)
        await w.minutes(3, runs=1)
        assert await w.notes() == []
        [streak] = (await w.service.failure_streaks()).values()
        assert streak.notified is False and "404" in streak.error

        gone = await w.service.update(replace(gone, notify=True))
        await w.minutes(3, runs=1)
        assert await w.notes() == []  # the same failure: nothing to tell now

        server.route("/gone", PAGE)
        await w.minutes(2, runs=1)
        assert await w.notes() == []  # its failure was never told, so neither is its end
        assert await w.service.failure_streaks() == {}

        server.route("/gone", status=404)
        await w.minutes(3, runs=1)
        assert said(await w.notes()) == [(FAILURE, "Check failed: Gone")]  # a new streak


async def test_works_again_is_not_told_when_notify_was_turned_off_meanwhile(tmp_path, server):
    server.route("/gone", status=404)
    async with world(tmp_path) as w:
        gone = await w.add("Gone", server.url("/gone"))
        await w.minutes(2, runs=1)
        gone = await w.service.update(replace(gone, notify=False))
        server.route("/gone", PAGE)
        await w.minutes(2, runs=1)
        assert said(await w.notes()) == [(FAILURE, "Check failed: Gone")]
        assert await w.service.failure_streaks() == {}


async def test_an_edit_of_what_is_fetched_starts_afresh_and_other_edits_do_not(tmp_path, server):
    server.route("/gone", status=404)
    server.route("/other", status=410)
    async with world(tmp_path) as w:
        gone = await w.add("Gone", server.url("/gone"))
        await w.minutes(2, runs=1)
        gone = await w.service.update(replace(gone, name="Still gone", revisions=3))
        await w.service.set_enabled(gone.id or 0, False)
        await w.service.set_enabled(gone.id or 0, True)
        await w.minutes(2, runs=1)
        assert said(await w.notes()) == [(FAILURE, "Check failed: Gone")]

        # A new URL: whether it fails too is news, told once.
        await w.service.update(replace(gone, url=server.url("/other")))
        await w.minutes(3, runs=1)
        notes = await w.notes()
        assert [(n.kind, n.title) for n in notes[1:]] == [(FAILURE, "Check failed: Still gone")]
        assert "410" in notes[1].body

        # New headers: the same.
        await w.service.update(replace(gone, url=server.url("/other"), headers={"X-A": "1"}))
        await w.minutes(2, runs=1)
        assert len(await w.notes()) == 3


async def test_a_recovered_check_that_finds_a_change_tells_both_works_again_first(tmp_path, server):
    server.route("/shop", PAGE)
    async with world(tmp_path) as w:
        await w.add("Shop", server.url("/shop"))
        await w.minutes(1, runs=1)  # the baseline
        server.route("/shop", status=500)
        await w.minutes(2, runs=1)
        server.route("/shop", PAGE.replace("app()", "app(); track()"))
        await w.minutes(1, runs=1)
        notes = await w.notes()
        assert [(n.kind, n.title) for n in notes] == [
            (FAILURE, "Check failed: Shop"),
            (RECOVERED, "Shop works again"),
            (CHANGE, "Change detected: Shop"),
        ]
        assert notes[2].body.startswith("1 added, 1 removed")  # the summary, in the body alone
        assert "1 added" not in notes[2].title


# -- the whole app, over restarts and a crash -----------------------------------------------------


@asynccontextmanager
async def app(data_dir: Path, clock: FakeClock) -> AsyncIterator[tuple[AppServices, RunCounter]]:
    services = AppServices(data_dir, clock=clock, fetch_limits=QUICK)
    await services.open()
    runs = RunCounter()
    assert services.scheduler is not None
    services.scheduler.events.subscribe(runs)
    try:
        yield services, runs
    finally:
        await services.close()


async def failed_runs(services: AppServices, tracker: Tracker, count: int) -> None:
    """Wait until the tracker has `count` failed runs in the database."""
    trackers = services.trackers
    assert trackers is not None and services.scheduler is not None
    async with asyncio.timeout(WAIT):
        while True:
            await services.scheduler.flush()
            runs = await trackers.runs(tracker)
            if sum(r.outcome is RunOutcome.FAILED for r in runs) >= count:
                return
            await asyncio.sleep(0.02)  # a real run on the checks thread: look again


async def test_end_to_end_the_streak_outlives_restarts_and_a_crash_before_the_result(
    tmp_path, server
):
    server.route("/gone", "no such page", status=404)
    clock = FakeClock(START)
    data_dir = tmp_path / "data"

    async with app(data_dir, clock) as (services, runs):
        trackers = services.trackers
        assert trackers is not None
        tracker = await trackers.add(
            Tracker("Gone", server.url("/gone"), schedule=EVERY_MINUTE, timezone="UTC")
        )
        await pass_minutes(clock, runs, trackers, 1, 1)
        assert said(await trackers.notifications()) == [(FAILURE, "Check failed: Gone")]

    # A crash after the failure was told but before the run's result was written: the run is
    # still "running" in the file, so the next start runs it again, and it fails again.
    with sqlite3.connect(data_dir / DATABASE_NAME) as conn:
        changed = conn.execute(
            "UPDATE runs SET outcome = 'running', ended_at = NULL, error = NULL "
            "WHERE job_id = ? AND outcome = 'failed'",
            (tracker.job_id,),
        ).rowcount
        assert changed == 1
    conn.close()

    async with app(data_dir, clock) as (services, runs):
        trackers = services.trackers
        assert trackers is not None
        await failed_runs(services, tracker, 1)  # the interrupted run, run again: it failed
        await trackers.wait_idle()
        outcomes = [r.outcome for r in await trackers.runs(tracker)]
        assert sorted(outcomes) == sorted([RunOutcome.INTERRUPTED, RunOutcome.FAILED])
        await pass_minutes(clock, runs, trackers, 5, 1)
        assert said(await trackers.notifications()) == [(FAILURE, "Check failed: Gone")]

        server.route("/gone", PAGE)
        await pass_minutes(clock, runs, trackers, 2, 1)
        notes = list(reversed(await trackers.notifications()))
        assert [(n.kind, n.title) for n in notes] == [
            (FAILURE, "Check failed: Gone"),
            (RECOVERED, "Gone works again"),
        ]

    server.route("/gone", "no such page", status=404)
    async with app(data_dir, clock) as (services, runs):
        trackers = services.trackers
        assert trackers is not None
        await pass_minutes(clock, runs, trackers, 2, 1)

    async with app(data_dir, clock) as (services, runs):  # and once more: still told once
        trackers = services.trackers
        assert trackers is not None
        await pass_minutes(clock, runs, trackers, 2, 1)
        notes = list(reversed(await trackers.notifications()))
        assert [(n.kind, n.title) for n in notes] == [
            (FAILURE, "Check failed: Gone"),
            (RECOVERED, "Gone works again"),
            (FAILURE, "Check failed: Gone"),
        ]
        [overview] = await trackers.overview()
        assert overview.failure is not None and "404" in overview.failure.error


# -- the store ------------------------------------------------------------------------------------


def test_a_database_of_schema_2_starts_the_trackers_failing_now_in_their_streak(tmp_path):
    path = tmp_path / "data.sqlite3"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 2")
    for number, name in enumerate(("Failing", "Recovered", "Quiet"), start=1):
        conn.execute(
            "INSERT INTO trackers (id, name, kind, url, revisions, schedule, timezone, retry, "
            "notify, created_at, updated_at) VALUES (?, ?, 'resources', 'https://x.example/', "
            "10, '* * * * *', 'UTC', '{\"strategy\": \"none\"}', 1, 0, 0)",
            (number, name),
        )
        conn.execute(
            "INSERT INTO jobs (id, schedule, timezone, handler, created_at, updated_at) "
            "VALUES (?, '* * * * *', 'UTC', 'tracker.check', 0, 0)",
            (f"tracker:{number}",),
        )

    def run(tracker: int, at: float, outcome: str, error: str | None) -> None:
        conn.execute(
            "INSERT INTO runs (id, job_id, planned_at, started_at, ended_at, outcome, error, "
            "attempt) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
            (f"{tracker}-{at}", f"tracker:{tracker}", at, at, at + 1, outcome, error),
        )

    def told(tracker: int, at: float, kind: str) -> None:
        conn.execute(
            "INSERT INTO notifications (tracker_id, kind, title, body, created_at) "
            "VALUES (?, ?, 't', 'b', ?)",
            (tracker, kind, at),
        )

    run(1, 100, "failed", "old error")
    told(1, 101, "failure")
    run(1, 160, "failed", "the server answered 404 Not Found")  # failing now, told before
    run(2, 100, "failed", "boom")
    told(2, 101, "failure")
    run(2, 160, "succeeded", None)  # works again: not in a streak
    told(3, 50, "failure")
    told(3, 90, "change")
    run(3, 160, "failed", "boom")  # failing, but its failure is not the newest notification
    conn.commit()
    conn.close()

    database = Database(path)
    try:
        streaks = database.call(repo.list_failure_streaks)
    finally:
        database.close()
    assert list(streaks) == [1]
    assert streaks[1].notified and streaks[1].since == 101
    assert streaks[1].error == "the server answered 404 Not Found"


def test_removing_a_tracker_removes_its_streak(tmp_path):
    database = Database(tmp_path / "data.sqlite3")
    try:
        new = Tracker("A", "https://a.example/", timezone="UTC").validated()
        tracker = database.call(lambda c: repo.insert_tracker(c, new), write=True)
        assert tracker.id is not None
        streak = FailureStreak(tracker.id, 1.0, "boom", True, 1.0)
        database.call(lambda c: repo.save_failure_streak(c, streak), write=True)
        assert database.call(lambda c: repo.get_failure_streak(c, tracker.id or 0)) == streak
        database.call(lambda c: repo.delete_tracker(c, tracker.id or 0), write=True)
        assert database.call(repo.list_failure_streaks) == {}
    finally:
        database.close()
