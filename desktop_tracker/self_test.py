"""`desktop-tracker --self-test`: does this copy of the app work? Above all the frozen one.

A PyInstaller build can be broken in ways that only show when it runs:
data files of libraries left out (cron-descriptor's words, the public suffix list, the tzdata
zone files), plugins missing. So the self-test runs the app's real paths, in a temporary data
directory that is deleted after:

    migrations   the database opened through the service layer (scheduler started)
    words        a cron expression in words, not the "Cron …" fallback (cron-descriptor's data)
    zone         Europe/Paris with the system's zone files hidden: a copy of this program with
                 PYTHONTZPATH pointing nowhere (tzdata is bundled)
    suffixes     registrable domains of real-looking hosts (the public suffix list is bundled)
    check        a page of a local HTTP server with first- and third-party scripts and
                 stylesheets, through the checker `check URL` uses
    revision     a tracker added and checked through the scheduler, its revision read back
    window       the desktop app started offscreen, its main window shown with that tracker

It prints one line per step with its time and exits 0, or 1 naming each step that failed and
why. Tracebacks go to a log file, kept (and named) only when something failed. No display is
needed, and it works as root.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO

from desktop_tracker import qt_version
from desktop_tracker.cli.common import EXIT_FAILED, EXIT_OK
from desktop_tracker.cli.run import configure_logging
from desktop_tracker.core.cron import parse_cron
from desktop_tracker.core.cron_words import describe_cron
from desktop_tracker.core.jobs import RunOutcome
from desktop_tracker.core.words import error_in_words
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.kinds.resources import fingerprint
from desktop_tracker.service import AppServices
from desktop_tracker.service.app import check_page
from desktop_tracker.store.migrations import MIGRATIONS

__all__ = ["STEPS", "StepFailed", "main", "run_self_test", "run_step"]

log = logging.getLogger(__name__)

STEP_OPTION = "--self-test-step"  # the hidden entry of a step run in a copy of this program
WORDS_EXPRESSION = "30 9 * * 1-5"
ZONE_NAME = "Europe/Paris"
TRACKER_NAME = "self-test"


class StepFailed(Exception):
    """A step found the app broken; the message says how, in words."""


# -- the pieces the steps share ------------------------------------------------------------------


@dataclass
class _Page:
    """What the local server serves: the page and its resources (path → type, body)."""

    routes: dict[str, tuple[str, bytes]] = field(default_factory=dict)


class _Server:
    """A stdlib HTTP server on 127.0.0.1 in a thread of its own. The page is asked for as
    http://127.0.0.1:PORT/ and links resources both there (first party) and at
    http://localhost:PORT/ (another site: third party)."""

    def __init__(self) -> None:
        page = _Page()
        self.routes = page.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = page.routes.get(self.path.partition("?")[0])
                if found is None:
                    self.send_error(404)
                    return
                content_type, body = found
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("server: " + format, *args)  # never to stderr

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.port = self._http.server_address[1]
        self._thread = threading.Thread(
            target=self._http.serve_forever, name="self-test-server", daemon=True
        )
        self._thread.start()
        self.page_url = f"http://127.0.0.1:{self.port}/"
        other = f"http://localhost:{self.port}"
        self.expected: dict[str, bool] = {}
        resources = {  # URL → (type, body, third party?)
            f"{self.page_url}app.js": ("text/javascript", b"window.selfTest = 1;\n", False),
            f"{self.page_url}site.css": ("text/css", b"body { margin: 0 }\n", False),
            f"{other}/lib.js": ("text/javascript", b"window.library = 2;\n", True),
            f"{other}/theme.css": ("text/css", b"p { color: #333 }\n", True),
        }
        html = (
            "<!doctype html><html><head><title>self-test</title>"
            f'<link rel="stylesheet" href="/site.css">'
            f'<link rel="stylesheet" href="{other}/theme.css">'
            f'<script src="/app.js"></script>'
            f'<script src="{other}/lib.js"></script>'
            "</head><body><p>desktop-tracker self-test</p>"
            "<script>document.title = 'checked';</script></body></html>"
        )
        self.routes["/"] = ("text/html; charset=utf-8", html.encode())
        self.digests: dict[str, str] = {}
        for url, (content_type, body, third_party) in resources.items():
            self.routes["/" + url.rsplit("/", 1)[1]] = (content_type, body)
            self.expected[url] = third_party
            self.digests[url] = hashlib.sha256(body).hexdigest()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(5)


class _Context:
    """The temporary data directory, the services on it, the local server, one asyncio loop."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data_dir = root / "data"
        self.loop = asyncio.new_event_loop()
        self.services: AppServices | None = None
        self._server: _Server | None = None
        self.tracker_added = False

    def run(self, awaitable: Any) -> Any:
        asyncio.set_event_loop(self.loop)  # what the code under test may look up
        try:
            return self.loop.run_until_complete(awaitable)
        finally:
            asyncio.set_event_loop(None)

    @property
    def server(self) -> _Server:
        if self._server is None:
            self._server = _Server()
        return self._server

    def opened_services(self) -> AppServices:
        if self.services is None or self.services.trackers is None:
            raise StepFailed("the database did not open (see migrations)")
        return self.services

    def close_services(self) -> None:
        if self.services is not None:
            services, self.services = self.services, None
            self.run(services.close(2.0))

    def close(self) -> None:
        try:
            self.close_services()
        finally:
            self.loop.close()
            if self._server is not None:
                self._server.close()


# -- the steps -------------------------------------------------------------------------------------


def _migrations(ctx: _Context) -> str:
    services = AppServices(ctx.data_dir, max_concurrent=2)
    ctx.run(services.open())  # takes the data directory, migrates, starts the scheduler
    ctx.services = services
    database = services.database
    assert database is not None

    async def schema_version() -> int:
        return int(
            await database.run(lambda conn: conn.execute("PRAGMA user_version").fetchone()[0])
        )

    version = ctx.run(schema_version())
    if version != len(MIGRATIONS):
        raise StepFailed(f"schema version {version}, expected {len(MIGRATIONS)}")
    return f"schema version {version}"


def _words(ctx: _Context) -> str:
    words = describe_cron(parse_cron(WORDS_EXPRESSION.split()))  # no zone: words alone
    if words.startswith("Cron ") or "09:30" not in words:
        raise StepFailed(f"{WORDS_EXPRESSION!r} reads {words!r}: cron-descriptor's data is missing")
    return words


def _zone(ctx: _Context) -> str:
    nowhere = ctx.root / "no-zone-files"  # absolute, and never made
    env = {name: value for name, value in os.environ.items() if name != "TZDIR"}
    env["PYTHONTZPATH"] = str(nowhere)
    if not getattr(sys, "frozen", False):  # `-m desktop_tracker` finds this copy, installed or not
        here = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), here) if p)
    try:
        done = subprocess.run(
            [*_this_program(), STEP_OPTION, "zone"],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StepFailed(f"cannot run a copy of this program: {error}") from error
    said = (done.stdout or "").strip().splitlines()
    log.info(
        "zone step in a copy of this program: exit %s, %r, %r", done.returncode, said, done.stderr
    )
    if done.returncode != 0:
        reason = said[-1] if said else f"exit code {done.returncode}"
        raise StepFailed(reason)
    return said[-1] if said else f"{ZONE_NAME} loaded"


def _zone_here() -> str:
    """In the copy: Europe/Paris from the bundled data alone, its offsets right."""
    import zoneinfo

    visible = [path for path in zoneinfo.TZPATH if Path(path, ZONE_NAME).exists()]
    if visible:
        raise StepFailed(f"the system's zone files are not hidden: {visible}")
    try:
        zone = zoneinfo.ZoneInfo.no_cache(ZONE_NAME)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise StepFailed(
            f"{ZONE_NAME} cannot be loaded without the system's zone files "
            f"(tzdata is not bundled): {error}"
        ) from error
    winter = datetime(2025, 1, 15, 12, tzinfo=zone).utcoffset()
    summer = datetime(2025, 7, 15, 12, tzinfo=zone).utcoffset()
    if (winter, summer) != (timedelta(hours=1), timedelta(hours=2)):
        raise StepFailed(f"{ZONE_NAME} has wrong offsets: {winter} and {summer}")
    return f"{ZONE_NAME} from the bundled tzdata: UTC+1 in winter, UTC+2 in summer"


def _suffixes(ctx: _Context) -> str:
    cases = {
        "shop.example.co.uk": "example.co.uk",  # a two-label public suffix
        "alice.github.io": "alice.github.io",  # a private suffix: each user a site
        "www.example.com": "example.com",
    }
    for host, expected in cases.items():
        found = fingerprint.registrable_domain(host)
        if found != expected:
            raise StepFailed(f"the registrable domain of {host} is {found}, not {expected}")
    if fingerprint.is_third_party("https://cdn.example.co.uk/a.js", "https://www.example.co.uk/"):
        raise StepFailed("cdn.example.co.uk is taken for a third party of www.example.co.uk")
    if not fingerprint.is_third_party("https://other.co.uk/a.js", "https://www.example.co.uk/"):
        raise StepFailed("other.co.uk is taken for the same site as www.example.co.uk")
    return "example.co.uk, alice.github.io"


def _check(ctx: _Context) -> str:
    server = ctx.server

    async def check() -> Any:
        checked = await check_page(Tracker("self-test", server.page_url, timezone="UTC"))
        return checked.snapshot

    page = ctx.run(check())
    _same_resources(page.resources, server)
    third = sum(1 for r in page.resources if r.third_party)
    return f"{len(page.scripts)} scripts, {len(page.styles)} stylesheets, {third} third-party"


def _same_resources(resources: Sequence[Any], server: _Server) -> None:
    external = {r.url: r for r in resources if not r.inline}
    if set(external) != set(server.expected):
        raise StepFailed(f"found {sorted(map(str, external))}, expected {sorted(server.expected)}")
    if not any(r.inline for r in resources):
        raise StepFailed("the inline script was not found")
    for url, third_party in server.expected.items():
        resource = external[url]
        if resource.error:
            raise StepFailed(f"{url} did not load: {resource.error}")
        if resource.digest != server.digests[url]:
            raise StepFailed(f"{url} has the wrong SHA-256")
        if resource.third_party != third_party:
            party = "third" if resource.third_party else "first"
            raise StepFailed(f"{url} is taken for a {party}-party resource")


def _revision(ctx: _Context) -> str:
    services = ctx.opened_services()
    trackers = services.trackers
    assert trackers is not None
    server = ctx.server

    async def add_check_read() -> str:
        saved = await trackers.add(
            Tracker(name=TRACKER_NAME, url=server.page_url, schedule="manual", timezone="UTC")
        )
        assert saved.id is not None
        ctx.tracker_added = True
        task = await trackers.check_now(saved.id)  # through the scheduler, as "Check now"
        if task is None:
            raise StepFailed("the scheduler did not start the check")
        record = await asyncio.wait_for(task, 60)
        if record.outcome != RunOutcome.SUCCEEDED:
            raise StepFailed(f"the check {record.outcome}: {record.error}")
        history = await trackers.history(saved.id)
        if len(history) != 1:
            raise StepFailed(f"{len(history)} revisions stored, expected 1")
        _same_resources(history[0].revision.resources, server)
        runs = await trackers.runs(saved)
        if [run.outcome for run in runs] != [RunOutcome.SUCCEEDED]:
            raise StepFailed(f"runs recorded: {[str(run.outcome) for run in runs]}")
        return (
            f"revision {history[0].revision.id} with {len(history[0].revision.resources)} resources"
        )

    return str(ctx.run(add_check_read()))


def _window(ctx: _Context) -> str:
    ctx.close_services()  # the app takes the data directory itself
    try:
        from desktop_tracker.gui.self_test_window import show_window_offscreen
    except ImportError as error:
        raise StepFailed(f"the desktop window cannot start: {error}") from error
    errors = _ErrorsSeen()
    logging.getLogger().addHandler(errors)
    try:
        seen = show_window_offscreen(ctx.data_dir, rows=1 if ctx.tracker_added else 0)
    finally:
        logging.getLogger().removeHandler(errors)
    if errors.first is not None:  # what the app would have shown the user as unexpected
        raise StepFailed(f"the app logged an error: {errors.first}")
    return f"Qt {qt_version()}, {seen}"


class _ErrorsSeen(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.first is None:
            self.first = f"{record.name}: {record.getMessage()}"


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[_Context], str]


STEPS: tuple[Step, ...] = (
    Step("migrations", _migrations),
    Step("words", _words),
    Step("zone", _zone),
    Step("suffixes", _suffixes),
    Step("check", _check),
    Step("revision", _revision),
    Step("window", _window),
)


# -- running them ---------------------------------------------------------------------------------


def run_self_test(out: TextIO | None = None, only: Sequence[str] | None = None) -> int:
    """Run the steps (all, or those named in `only`, in their order), one line each on `out`;
    EXIT_OK when every one passed. Logs each failure's traceback; configures no logging."""
    unknown = set(only or ()) - {step.name for step in STEPS}
    if unknown:
        raise ValueError(f"no such self-test steps: {sorted(unknown)}")
    steps = [step for step in STEPS if only is None or step.name in only]
    failed: list[tuple[str, str]] = []
    root = Path(tempfile.mkdtemp(prefix="desktop-tracker-self-test-"))
    ctx = _Context(root)
    started = time.perf_counter()
    try:
        for step in steps:
            begin = time.perf_counter()
            log.info("self-test step %s", step.name)
            try:
                detail, ok = step.run(ctx), True
            except Exception as error:
                log.exception("self-test step %s failed", step.name)
                detail = (
                    str(error)
                    if isinstance(error, StepFailed)
                    else error_in_words(error, one_line=True, named=True)
                )
                failed.append((step.name, detail))
                ok = False
            elapsed = (time.perf_counter() - begin) * 1000
            _say(out, f"{'ok' if ok else 'FAIL':<5}{step.name:<20}{elapsed:>5.0f} ms  {detail}")
    finally:
        try:
            ctx.close()
        except Exception:
            log.exception("self-test: closing failed")
        shutil.rmtree(root, ignore_errors=True)
    total = (time.perf_counter() - started) * 1000
    if failed:
        names = ", ".join(name for name, _ in failed)
        _say(out, f"self-test FAILED ({names}) in {total:.0f} ms")
        return EXIT_FAILED
    _say(out, f"self-test passed: {len(steps)} steps in {total:.0f} ms")
    return EXIT_OK


def main() -> int:
    """`desktop-tracker --self-test`: the steps with their lines on stdout; the log (with any
    traceback) in a file of its own, deleted when every step passed."""
    handle, name = tempfile.mkstemp(prefix="desktop-tracker-self-test-", suffix=".log")
    os.close(handle)
    log_file = Path(name)
    configure_logging(log_file, verbose=True, console=None)
    out = sys.stdout
    code = run_self_test(out)
    logging.shutdown()  # closes the file, so that it can be removed (Windows)
    if code == EXIT_OK:
        log_file.unlink(missing_ok=True)
    elif sys.stderr is not None:
        print(
            f"desktop-tracker: error: the self-test failed; the log is {log_file}", file=sys.stderr
        )
    return code


def run_step(argv: Sequence[str]) -> int:
    """`desktop-tracker --self-test-step NAME`: a step that must run in a process of its own
    (the zone step, with the system's zone files hidden from it). One line on stdout."""
    name = argv[0] if argv else ""
    if name != "zone":
        _say(sys.stdout, f"no such self-test step: {name!r}")
        return EXIT_FAILED
    try:
        _say(sys.stdout, _zone_here())
    except StepFailed as error:
        _say(sys.stdout, str(error))
        return EXIT_FAILED
    except Exception as error:
        _say(sys.stdout, error_in_words(error, one_line=True, named=True))
        return EXIT_FAILED
    return EXIT_OK


def _this_program() -> list[str]:
    """How to start this program again: the frozen app is its own executable."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "desktop_tracker"]


def _say(out: TextIO | None, line: str) -> None:
    log.info("%s", line)
    if out is None:
        return
    with contextlib.suppress(OSError, ValueError):  # a closed or missing console
        print(line, file=out, flush=True)
