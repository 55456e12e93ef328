"""Scripts' and stylesheets' bodies kept with the revisions, for the body diff: a real local
server, a real SQLite file, the real service."""

from __future__ import annotations

import zlib
from pathlib import Path

from desktop_tracker.domain.bodies import ResourceKey
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.kinds.beautify import BEAUTIFIER_VERSION
from desktop_tracker.kinds.resources.bodies import MAX_BODY_BYTES
from desktop_tracker.service import TrackerService
from desktop_tracker.store.database import Database
from desktop_tracker.store.tracker_store import SqliteTrackerStore
from desktop_tracker.tracking.fetcher import Fetcher, FetchLimits
from desktop_tracker.tracking.page_check import PageChecker
from tests.integration.test_resource_trackers import QUICK, check, page

MINIFIED = "function add(a,b){return a+b}" * 40 + "var x=" + "1" * 400 + ";"


class Env:
    def __init__(self, tmp_path: Path, cap: int = 500 * 1024 * 1024, limits: FetchLimits = QUICK):
        self.database = Database(tmp_path / "data.sqlite3")
        self.fetcher = Fetcher(limits)
        self.cap = cap
        self.service = TrackerService(
            SqliteTrackerStore(self.database),
            PageChecker(self.fetcher),
            body_cap_bytes=lambda: self.cap,
        )

    async def close(self) -> None:
        await self.service.wait_idle()
        await self.service.wait_beautified()
        await self.fetcher.aclose()
        self.database.close()

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        return self.database.call(lambda c: c.execute(sql).fetchall())


async def test_a_changed_external_scripts_old_and_new_body_come_back_beautified(server, tmp_path):
    env = Env(tmp_path)
    server.route("/app.js", MINIFIED, content_type="text/javascript")
    server.route("/shop", page('<script src="/app.js"></script>'))
    tracker = await env.service.add(Tracker("Shop", server.url("/shop")))
    await check(env.service, tracker)
    newer = MINIFIED.replace("a+b", "a-b", 1)
    server.route("/app.js", newer, content_type="text/javascript")
    await check(env.service, tracker)
    await env.service.wait_beautified()  # the background beautifying

    new, old = await env.service.history(tracker.id)
    (change,) = new.diff.changes
    pair = await env.service.resource_bodies(
        old.revision.id, new.revision.id, ResourceKey.of(change.old, change.new)
    )
    assert (pair.old_text, pair.new_text) == (MINIFIED, newer)
    assert (pair.url, pair.language, pair.old_reason, pair.new_reason) == (
        server.url("/app.js"), "script", None, None,
    )  # fmt: skip
    assert pair.beautified and "return a - b" in (pair.new_beautified or "")
    # Made at save time, kept by the beautifier's version.
    versions = env.rows("SELECT DISTINCT version FROM beautified_bodies")
    assert versions == [(BEAUTIFIER_VERSION,)]
    await env.close()


async def test_a_body_is_stored_once_across_two_trackers_and_compressed(server, tmp_path):
    env = Env(tmp_path)
    server.route("/app.js", MINIFIED * 20, content_type="text/javascript")
    server.route("/shop", page('<script src="/app.js"></script><style>p{color:red}</style>'))
    for name in ("One", "Two"):
        tracker = await env.service.add(Tracker(name, server.url("/shop")))
        await check(env.service, tracker)
    bodies = env.rows("SELECT size, stored FROM bodies ORDER BY size")
    assert [size for size, _ in bodies] == [len("p{color:red}"), len(MINIFIED) * 20]
    assert bodies[1][1] < len(MINIFIED)  # type: ignore[operator]
    assert env.rows("SELECT count(*) FROM revision_bodies") == [(4,)]
    await env.close()


async def test_an_inline_edit_is_changed_and_its_two_bodies_come_back(server, tmp_path):
    env = Env(tmp_path)
    script = "window.config = { shop: 'main', currency: 'EUR', items: 12 };"
    server.route("/shop", page(f"<script>{script}</script>"))
    tracker = await env.service.add(Tracker("Shop", server.url("/shop")))
    await check(env.service, tracker)
    server.route("/shop", page(f"<script>{script.replace('12', '13')}</script>"))
    await check(env.service, tracker)
    new, old = await env.service.history(tracker.id)
    assert new.diff.summary() == "1 changed"
    (change,) = new.diff.changes
    pair = await env.service.resource_bodies(
        old.revision.id, new.revision.id, ResourceKey.of(change.old, change.new)
    )
    assert (pair.old_text, pair.new_text) == (script, script.replace("12", "13"))
    assert pair.url is None and pair.label.startswith("inline script ")
    await env.close()


async def test_an_added_resource_has_no_old_body_and_says_why(server, tmp_path):
    env = Env(tmp_path)
    server.route("/shop", page())
    tracker = await env.service.add(Tracker("Shop", server.url("/shop")))
    await check(env.service, tracker)
    server.route("/a.css", "p{}", content_type="text/css")
    server.route("/shop", page('<link rel="stylesheet" href="/a.css">'))
    await check(env.service, tracker)
    new, old = await env.service.history(tracker.id)
    (change,) = new.diff.changes
    pair = await env.service.resource_bodies(
        old.revision.id, new.revision.id, ResourceKey.of(change.old, change.new)
    )
    assert (pair.old_text, pair.new_text, pair.language) == (None, "p{}", "style")
    assert pair.old_reason == "it is not in this revision"
    await env.close()


async def test_a_body_over_the_cap_per_body_is_not_kept_and_the_diff_says_so(server, tmp_path):
    limits = FetchLimits(**{**QUICK.__dict__, "resource_bytes": MAX_BODY_BYTES + 1000})
    env = Env(tmp_path, limits=limits)
    server.route("/big.js", b"x" * (MAX_BODY_BYTES + 1), content_type="text/javascript")
    server.route("/shop", page('<script src="/big.js"></script>'))
    tracker = await env.service.add(Tracker("Shop", server.url("/shop")))
    await check(env.service, tracker)
    (entry,) = await env.service.history(tracker.id)
    (resource,) = entry.revision.snapshot.resources
    pair = await env.service.resource_bodies(
        None, entry.revision.id, ResourceKey.of(None, resource)
    )
    assert pair.new_text is None
    assert pair.new_reason == "it is 5.0 MB, more than the 5.0 MB kept of one body"
    assert env.rows("SELECT count(*) FROM bodies") == [(0,)]
    await env.close()


async def test_over_the_data_directory_cap_old_bodies_go_and_the_latest_stay(server, tmp_path):
    env = Env(tmp_path, cap=1)  # everything is over it
    server.route("/shop", page('<script src="/app.js"></script>'))
    tracker = await env.service.add(Tracker("Shop", server.url("/shop")))
    for n in range(3):
        server.route("/app.js", f"app = {n};" * 50, content_type="text/javascript")
        await check(env.service, tracker)
    await env.service.wait_idle()
    await env.service.wait_beautified()
    latest, middle, _ = await env.service.history(tracker.id)
    kept = [zlib.decompress(row[0]).decode() for row in env.rows("SELECT data FROM bodies")]
    assert kept == ["app = 2;" * 50]  # only the latest revision's
    (change,) = latest.diff.changes
    pair = await env.service.resource_bodies(
        middle.revision.id, latest.revision.id, ResourceKey.of(change.old, change.new)
    )
    assert pair.old_text is None and "storage cap" in (pair.old_reason or "")
    await env.close()


async def test_deleting_a_tracker_or_clearing_its_history_unreferences_its_bodies(server, tmp_path):
    env = Env(tmp_path)
    server.route("/app.js", "app()", content_type="text/javascript")
    server.route("/shop", page('<script src="/app.js"></script>'))
    one = await env.service.add(Tracker("One", server.url("/shop")))
    two = await env.service.add(Tracker("Two", server.url("/shop")))
    await check(env.service, one)
    await check(env.service, two)
    await env.service.clear_history(one.id)
    assert env.rows("SELECT count(*) FROM revision_bodies") == [(1,)]
    await env.service.remove(two.id)
    assert env.rows("SELECT count(*) FROM revision_bodies") == [(0,)]
    assert env.rows("SELECT count(*) FROM bodies") == [(1,)]  # kept until the cap needs room
    await env.close()


async def test_ignoring_a_resource_from_its_diff_leaves_it_out_of_later_checks(server, tmp_path):
    env = Env(tmp_path)
    server.route("/ads.js", "ads()", content_type="text/javascript")
    server.route("/shop", page('<script src="/ads.js?v=1"></script>'))
    tracker = await env.service.add(Tracker("Shop", server.url("/shop")))
    url = server.url("/ads.js?v=1")
    saved = await env.service.ignore_resource(tracker.id, url)
    assert saved.ignore == ("^" + url.replace(".", "\\.").replace("?", "\\?") + "$",)
    await check(env.service, saved)
    (entry,) = await env.service.history(tracker.id)
    assert entry.revision.snapshot.resources == []
    await env.close()
