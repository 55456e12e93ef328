"""A data file written by the last release opens, with its trackers, history and state.

`tests/support/release_data/0.1.0.sqlite3` was written by 0.1.0's own code (the script beside
it says how); resources revisions were rows of fingerprints then, a snapshot of its kind now.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from desktop_tracker.data_dir import DATABASE_NAME
from desktop_tracker.kinds.resources import Resource
from desktop_tracker.service.app import open_services

RELEASE_FILE = Path(__file__).parents[1] / "support" / "release_data" / "0.1.0.sqlite3"


@pytest.fixture
def upgraded(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    shutil.copyfile(RELEASE_FILE, data_dir / DATABASE_NAME)
    (data_dir / DATABASE_NAME).chmod(0o600)
    return data_dir


async def test_the_releases_trackers_open_as_they_were(upgraded: Path) -> None:
    async with open_services(upgraded) as services:
        assert services.trackers is not None
        shop, blog = await services.trackers.all()
    assert (shop.name, shop.kind, shop.url) == (
        "Shop checkout",
        "resources",
        "https://shop.example/checkout",
    )
    assert shop.headers == {"Cookie": "session=secret"}
    assert (shop.schedule, shop.timezone, shop.ignore) == (
        "*/15 * * * *",
        "Europe/Berlin",
        ("analytics",),
    )
    assert shop.retry.strategy == "exponential" and shop.retry.attempts == 3
    assert (shop.mask, shop.options) == ((), {})
    assert (blog.name, blog.notify) == ("Blog", False)


async def test_the_releases_history_reads_back_resource_by_resource(upgraded: Path) -> None:
    async with open_services(upgraded) as services:
        assert services.trackers is not None
        shop = await services.trackers.find("Shop checkout")
        assert shop.id is not None
        newer, older = await services.trackers.history(shop.id)

    assert [r.url for r in older.revision.resources] == [
        "https://shop.example/app.js",
        None,
        "https://shop.example/site.css",
    ]
    cdn = newer.revision.resources[1]
    assert cdn == Resource(
        "script", "https://cdn.example/lib.js", False, "b" * 64, 5300, "sha384-abc", True, True
    )
    broken = newer.revision.resources[4]
    assert (broken.kind, broken.error, broken.third_party) == ("stylesheet", "timed out", True)
    assert newer.revision.final_url == "https://shop.example/checkout/"
    assert newer.diff is not None and newer.diff.summary() == "2 added"
    assert older.diff is None


async def test_the_releases_notifications_streaks_and_schedules_are_kept(upgraded: Path) -> None:
    async with open_services(upgraded) as services:
        assert services.trackers is not None
        notifications = await services.trackers.notifications()
        streaks = await services.trackers.failure_streaks()
        rows = {row.tracker.name: row for row in await services.trackers.overview()}

    assert [n.title for n in notifications] == [
        "Check failed: Blog",
        "Change detected: Shop checkout",
    ]
    assert notifications[1].revision_id is not None
    blog_id = rows["Blog"].tracker.id
    assert set(streaks) == {blog_id} and streaks[blog_id].error == "refused"
    assert rows["Shop checkout"].next_check == 1_780_000_000.0 + 1800
    assert rows["Shop checkout"].unread == 1


async def test_a_tracker_of_the_release_keeps_new_revisions_beside_its_old_ones(
    upgraded: Path,
) -> None:
    async with open_services(upgraded) as services:
        assert services.trackers is not None
        shop = await services.trackers.find("Shop checkout")
        await services.trackers.update(replace(shop, revisions=1))
        assert shop.id is not None
        kept = await services.trackers.history(shop.id)
    assert len(kept) == 1 and len(kept[0].revision.resources) == 5
