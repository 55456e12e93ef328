"""Make the data file of a released version, for the upgrade test.

Run with the released version's code first on the path, e.g. for 0.1.0:

    git worktree add /tmp/release <commit of 0.1.0>
    PYTHONPATH=/tmp/release .venv/bin/python tests/support/release_data/make_release_database.py \
        tests/support/release_data/0.1.0.sqlite3

It uses that version's own repository functions, so the file is exactly what it wrote.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from desktop_tracker.domain.resources import PageResources, Resource

from desktop_tracker.core.jobs import JobTiming
from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.domain.revisions import FailureStreak, Notification, NotificationKind
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.service.trackers import job_for
from desktop_tracker.store import tracker_repository as repo
from desktop_tracker.store.database import Database
from desktop_tracker.store.job_repository import SqliteJobStore

T0 = 1_780_000_000.0  # 2026-05-28, a fixed time: the file is the same each time it is made


def main(path: Path) -> None:
    path.unlink(missing_ok=True)
    database = Database(path)
    database.call(_fill, write=True)
    database.close()


def _fill(conn: object) -> None:
    shop = repo.insert_tracker(
        conn,
        Tracker(
            "Shop checkout",
            "https://shop.example/checkout",
            headers={"Cookie": "session=secret"},
            schedule="*/15 * * * *",
            timezone="Europe/Berlin",
            retry=RetryStrategy("exponential", attempts=3, initial=30, multiplier=2, maximum=600),
            ignore=("analytics",),
        ).validated(),
    )
    blog = repo.insert_tracker(
        conn, Tracker("Blog", "https://blog.example/", notify=False, timezone="UTC").validated()
    )
    app_js = Resource("script", "https://shop.example/app.js", False, "a" * 64, 1200)
    cdn = Resource(
        "script",
        "https://cdn.example/lib.js",
        False,
        "b" * 64,
        5300,
        "sha384-abc",
        True,
        True,
    )
    inline = Resource("script", None, True, "c" * 64, 42)
    style = Resource("stylesheet", "https://shop.example/site.css", False, "d" * 64, 800)
    broken = Resource(
        "stylesheet", "https://gone.example/x.css", False, "", 0, None, None, True, "timed out"
    )
    first = PageResources(shop.url, shop.url, 200, [app_js, inline, style])
    second = PageResources(shop.url, shop.url + "/", 200, [app_js, cdn, inline, style, broken])
    repo.save_revision(conn, shop.id, first, shop.revisions, T0)
    changed = repo.save_revision(conn, shop.id, second, shop.revisions, T0 + 900)
    repo.save_revision(conn, blog.id, PageResources(blog.url, blog.url, 200, [style]), 10, T0)
    repo.insert_notification(
        conn,
        Notification(
            shop.id,
            NotificationKind.CHANGE,
            "Change detected: Shop checkout",
            "2 added",
            T0 + 900,
            changed,
        ),
    )
    failure = Notification(
        blog.id, NotificationKind.FAILURE, "Check failed: Blog", "refused", T0 + 1000
    )
    repo.insert_notification(conn, replace(failure))
    repo.save_failure_streak(conn, FailureStreak(blog.id, T0 + 1000, "refused", False, T0 + 1000))
    SqliteJobStore.write_jobs(
        conn,
        [
            (job_for(shop), JobTiming(next_due=T0 + 1800)),
            (job_for(blog), JobTiming(next_due=None)),
        ],
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
