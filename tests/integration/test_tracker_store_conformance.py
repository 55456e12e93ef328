"""The promises of `domain.tracker_store.TrackerStore`, kept by every implementation alike.

Each test runs on `SqliteTrackerStore` over a real data file and on `MemoryTrackerStore`
(tests/support/memory_tracker_store.py). Where SQLite does more than the interface's docstrings
say, the tests hold it to what it does (the memory store follows) and say so: those are marked
"(SQLite's behaviour)".
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from desktop_tracker.core.job_store import JobStore
from desktop_tracker.core.jobs import Job, JobTiming, RunClaim, RunOutcome, RunResult
from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.domain.revisions import FailureStreak, Notification, NotificationKind
from desktop_tracker.domain.tracker_store import (
    DuplicateTracker,
    TrackerStore,
    TrackerTransaction,
    UnknownRevision,
    UnknownTracker,
)
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.kinds.content import ContentSnapshot
from desktop_tracker.kinds.headers import HeadersSnapshot
from desktop_tracker.kinds.headers.response_headers import CookieFlags
from desktop_tracker.kinds.resources import PageResources, Resource
from desktop_tracker.store import tracker_repository
from desktop_tracker.store.database import Database
from desktop_tracker.store.job_repository import SqliteJobStore
from desktop_tracker.store.tracker_store import SqliteTrackerStore
from tests.support.memory_store import MemoryJobStore
from tests.support.memory_tracker_store import MemoryTrackerStore


@dataclass
class Subject:
    name: str
    store: TrackerStore
    jobs: JobStore  # the scheduler's store on the same data: how runs get recorded
    # Saves a tracker as another process would, at once; None when no other process can reach
    # the store (the memory one).
    elsewhere: Callable[[Tracker], None] | None


@pytest.fixture(params=["sqlite", "memory"])
def subject(request: pytest.FixtureRequest, tmp_path) -> Iterator[Subject]:
    if request.param == "memory":
        jobs = MemoryJobStore()
        yield Subject("memory", MemoryTrackerStore(jobs), jobs, None)
        return
    path = tmp_path / "data.sqlite3"
    database, other = Database(path), Database(path)

    def elsewhere(tracker: Tracker) -> None:
        other.call(lambda conn: tracker_repository.insert_tracker(conn, tracker), write=True)

    try:
        yield Subject("sqlite", SqliteTrackerStore(database), SqliteJobStore(database), elsewhere)
    finally:
        database.close()
        other.close()


@pytest.fixture
def store(subject: Subject) -> TrackerStore:
    return subject.store


def tracker(name: str = "Shop", kind: str = "content", **fields: Any) -> Tracker:
    return Tracker(name, "https://shop.example/", kind=kind, **fields).validated()


async def insert(store: TrackerStore, *trackers: Tracker) -> list[Tracker]:
    return await store.write(lambda tx: [tx.insert_tracker(t) for t in trackers])


def text(value: str) -> dict[str, Any]:
    """A content tracker's snapshot, in the JSON form `save_revision` takes."""
    return ContentSnapshot(value).to_json()


async def save_texts(
    store: TrackerStore, tracker_id: int, *texts: str, keep: int = 10
) -> list[int]:
    def work(tx: TrackerTransaction) -> list[int]:
        return [
            tx.save_revision(tracker_id, "https://shop.example/", 200, text(t), keep, 1000.0 + n)
            for n, t in enumerate(texts)
        ]

    return await store.write(work)


def change(
    tracker_id: int, created_at: float = 1.0, revision_id: int | None = None
) -> Notification:
    return Notification(
        tracker_id,
        NotificationKind.CHANGE,
        "Change detected",
        "1 line added",
        created_at,
        revision_id,
    )


def streak(tracker_id: int, since: float = 100.0, error: str = "timed out") -> FailureStreak:
    return FailureStreak(tracker_id, since, error, True, since)


def everything(tx: TrackerTransaction) -> dict[str, Any]:
    """All that is stored, for "nothing changed" comparisons."""
    trackers = tx.list_trackers()
    return {
        "trackers": trackers,
        "revisions": {t.id: tx.list_revisions(t.id or 0) for t in trackers},
        "notifications": tx.list_notifications(limit=-1),
        "streaks": tx.list_failure_streaks(),
        "jobs": tx.job_timings(),
        "last_runs": tx.last_runs(),
    }


# -- trackers ---------------------------------------------------------------------------------


async def test_an_inserted_tracker_gets_an_id_and_reads_back_as_saved(store):
    given = tracker(
        "Shop",
        headers={"Cookie": "session=1"},
        schedule="*/10 * * * *",
        retry=RetryStrategy("linear", attempts=3, initial=10, increment=5, maximum=60),
        notify=False,
        ignore=("ads",),
        mask=(r"\d+ visitors",),
        options={"selector": "main"},
        verify_tls=False,
    )
    [saved] = await insert(store, given)
    assert saved.id is not None
    assert saved == replace(given, id=saved.id)
    assert await store.read(lambda tx: tx.get_tracker(saved.id)) == saved
    assert await store.read(lambda tx: tx.find_tracker("Shop")) == saved
    assert await store.read(lambda tx: tx.list_trackers()) == [saved]


async def test_trackers_are_listed_in_the_order_they_were_saved(store):
    saved = await insert(store, tracker("B"), tracker("A"), tracker("C", "headers"))
    assert len({t.id for t in saved}) == 3
    assert await store.read(lambda tx: tx.list_trackers()) == saved


async def test_a_second_tracker_of_the_same_kind_and_name_is_refused_and_nothing_is_saved(store):
    await insert(store, tracker("Shop"))
    with pytest.raises(DuplicateTracker, match="Shop"):
        await insert(store, tracker("Fresh"), tracker("Shop"))
    names = await store.read(lambda tx: [t.name for t in tx.list_trackers()])
    assert names == ["Shop"]


async def test_the_same_name_is_allowed_for_another_kind_and_found_first_saved_first(store):
    """`find_tracker` by a name that two kinds share gives the one saved first (SQLite's
    behaviour: the docstring says only "by name")."""
    first, second = await insert(store, tracker("Shop", "content"), tracker("Shop", "headers"))
    assert first.id != second.id
    assert await store.read(lambda tx: tx.find_tracker("Shop")) == first


async def test_an_unknown_id_is_refused(store):
    with pytest.raises(UnknownTracker, match="42"):
        await store.read(lambda tx: tx.get_tracker(42))
    with pytest.raises(UnknownTracker):
        await store.write(lambda tx: tx.update_tracker(replace(tracker(), id=42)))
    with pytest.raises(UnknownTracker):
        await store.write(lambda tx: tx.update_tracker(tracker()))  # never saved: no id
    assert await store.read(lambda tx: tx.list_trackers()) == []


async def test_an_unknown_name_is_refused_naming_the_trackers_there_are(store):
    with pytest.raises(UnknownTracker, match="there are no trackers yet"):
        await store.read(lambda tx: tx.find_tracker("Shop"))
    await insert(store, tracker("Zeta"), tracker("Alpha", "headers"))
    with pytest.raises(UnknownTracker) as refused:
        await store.read(lambda tx: tx.find_tracker("Shop"))
    assert "Shop" in str(refused.value)
    assert "Alpha, Zeta" in str(refused.value)  # by name


async def test_an_update_is_saved_over_the_stored_tracker(store):
    [saved] = await insert(store, tracker("Shop"))
    changed = replace(
        saved,
        name="Renamed",
        url="https://other.example/page",
        schedule="0 * * * *",
        timezone="Europe/Paris",
        notify=False,
        ignore=("ads",),
        mask=("[0-9]+",),
        options={"selector": "main"},
        headers={"Authorization": "Bearer x"},
        verify_tls=False,
        enabled=False,
        revisions=3,
    )
    assert await store.write(lambda tx: tx.update_tracker(changed)) == changed
    assert await store.read(lambda tx: tx.get_tracker(saved.id)) == changed
    assert await store.read(lambda tx: tx.list_trackers()) == [changed]


async def test_renaming_onto_the_name_of_another_tracker_of_its_kind_is_refused(store):
    shop, other, headers = await insert(
        store, tracker("Shop"), tracker("Other"), tracker("Headers", "headers")
    )
    with pytest.raises(DuplicateTracker):
        await store.write(lambda tx: tx.update_tracker(replace(shop, name="Other")))
    assert await store.read(lambda tx: tx.get_tracker(shop.id)) == shop
    # A name another kind has is free, and a tracker may keep its own name.
    renamed = replace(shop, name="Headers")
    await store.write(lambda tx: tx.update_tracker(renamed))
    await store.write(lambda tx: tx.update_tracker(replace(other, notify=False)))
    assert await store.read(lambda tx: tx.list_trackers()) == [
        renamed,
        replace(other, notify=False),
        headers,
    ]


FETCHED_CHANGES: dict[str, dict[str, Any]] = {
    "kind": {"kind": "headers"},
    "url": {"url": "https://shop.example/other"},
    "headers": {"headers": {"Cookie": "session=2"}},
    "verify_tls": {"verify_tls": False},
}
OTHER_CHANGES: dict[str, dict[str, Any]] = {
    "name": {"name": "Renamed"},
    "schedule": {"schedule": "0 * * * *"},
    "timezone": {"timezone": "Europe/Paris"},
    "retry": {"retry": RetryStrategy("constant", attempts=2, initial=30)},
    "revisions": {"revisions": 5},
    "notify": {"notify": False},
    "ignore": {"ignore": ("ads",)},
    "mask": {"mask": ("[0-9]+",)},
    "options": {"options": {"selector": "main"}},
    "enabled": {"enabled": False},
}


@pytest.mark.parametrize("fields", FETCHED_CHANGES.values(), ids=FETCHED_CHANGES.keys())
async def test_an_update_of_what_is_fetched_ends_the_failure_streak(store, fields):
    [saved] = await insert(store, tracker("Shop", headers={"Cookie": "session=1"}))
    await store.write(lambda tx: tx.save_failure_streak(streak(saved.id)))
    await store.write(lambda tx: tx.update_tracker(replace(saved, **fields)))
    assert await store.read(lambda tx: tx.get_failure_streak(saved.id)) is None


@pytest.mark.parametrize("fields", OTHER_CHANGES.values(), ids=OTHER_CHANGES.keys())
async def test_an_update_of_anything_else_keeps_the_failure_streak(store, fields):
    [saved] = await insert(store, tracker("Shop", headers={"Cookie": "session=1"}))
    await store.write(lambda tx: tx.save_failure_streak(streak(saved.id)))
    await store.write(lambda tx: tx.update_tracker(replace(saved, **fields)))
    assert await store.read(lambda tx: tx.get_failure_streak(saved.id)) == streak(saved.id)


async def test_a_change_of_kind_drops_the_revisions_and_other_changes_keep_them(store):
    shop, kept = await insert(store, tracker("Shop"), tracker("Kept"))
    await save_texts(store, shop.id, "one", "two")
    await save_texts(store, kept.id, "mine")
    await store.write(lambda tx: tx.update_tracker(replace(shop, url="https://shop.example/b")))
    assert len(await store.read(lambda tx: tx.list_revisions(shop.id))) == 2
    await store.write(lambda tx: tx.update_tracker(replace(shop, kind="resources")))
    assert await store.read(lambda tx: tx.list_revisions(shop.id)) == []
    assert await store.read(lambda tx: tx.latest_revision(shop.id)) is None
    assert [r.snapshot.text for r in await store.read(lambda tx: tx.list_revisions(kept.id))] == [
        "mine"
    ]


async def test_lowering_the_revisions_kept_trims_the_oldest(store):
    """(SQLite's behaviour: the docstring does not say that an update trims.)"""
    [shop] = await insert(store, tracker("Shop"))
    await save_texts(store, shop.id, "1", "2", "3", "4")
    await store.write(lambda tx: tx.update_tracker(replace(shop, revisions=2)))
    texts = [r.snapshot.text for r in await store.read(lambda tx: tx.list_revisions(shop.id))]
    assert texts == ["4", "3"]


async def test_a_refused_update_changes_nothing_even_if_the_work_goes_on(subject):
    store = subject.store
    shop, _ = await insert(store, tracker("Shop", "content"), tracker("Taken", "headers"))
    await save_texts(store, shop.id, "one")
    await store.write(lambda tx: tx.save_failure_streak(streak(shop.id)))
    before = await store.read(everything)

    def work(tx: TrackerTransaction) -> str:
        try:
            tx.update_tracker(replace(shop, name="Taken", kind="headers"))
        except DuplicateTracker:
            return "refused"
        return "saved"

    assert await store.write(work) == "refused"
    assert await store.read(everything) == before


async def test_a_removed_tracker_takes_its_revisions_notifications_and_streak_with_it(store):
    gone, kept = await insert(store, tracker("Gone"), tracker("Kept"))
    [gone_revision] = await save_texts(store, gone.id, "g")
    [kept_revision] = await save_texts(store, kept.id, "k")

    def annotate(tx: TrackerTransaction) -> None:
        for t, revision_id in ((gone, gone_revision), (kept, kept_revision)):
            tx.insert_notification(change(t.id, revision_id=revision_id))
            tx.save_failure_streak(streak(t.id))

    await store.write(annotate)
    await store.write(lambda tx: tx.delete_tracker(gone.id))
    await store.write(lambda tx: tx.delete_tracker(999))  # nothing to remove is no error
    assert await store.read(lambda tx: tx.list_trackers()) == [kept]
    with pytest.raises(UnknownTracker):
        await store.read(lambda tx: tx.get_tracker(gone.id))
    with pytest.raises(UnknownRevision):
        await store.read(lambda tx: tx.get_revision(gone_revision))
    assert await store.read(lambda tx: tx.list_revisions(gone.id)) == []
    assert await store.read(lambda tx: tx.get_revision(kept_revision)) is not None
    notifications = await store.read(lambda tx: tx.list_notifications())
    assert [n.tracker_id for n in notifications] == [kept.id]
    assert await store.read(lambda tx: tx.unread_counts()) == {kept.id: 1}
    assert await store.read(lambda tx: tx.get_failure_streak(gone.id)) is None
    assert await store.read(lambda tx: tx.list_failure_streaks()) == {kept.id: streak(kept.id)}


# -- revisions --------------------------------------------------------------------------------


async def test_a_tracker_has_no_revision_before_its_first(store):
    [shop] = await insert(store, tracker())
    assert await store.read(lambda tx: tx.latest_revision(shop.id)) is None
    assert await store.read(lambda tx: tx.list_revisions(shop.id)) == []
    with pytest.raises(UnknownRevision, match="7"):
        await store.read(lambda tx: tx.get_revision(7))


async def test_revisions_are_kept_newest_first_and_trimmed_to_keep(store):
    shop, other = await insert(store, tracker("Shop"), tracker("Other"))
    [other_revision] = await save_texts(store, other.id, "other")
    ids = await save_texts(store, shop.id, "1", "2", "3", "4", keep=3)
    assert len(set(ids)) == 4
    newest = await store.read(lambda tx: tx.list_revisions(shop.id))
    assert [r.id for r in newest] == ids[:0:-1]
    assert [r.snapshot for r in newest] == [ContentSnapshot(t) for t in ("4", "3", "2")]
    assert [r.id for r in await store.read(lambda tx: tx.list_revisions(shop.id, 2))] == [
        ids[3],
        ids[2],
    ]
    assert await store.read(lambda tx: tx.latest_revision(shop.id)) == newest[0]
    assert await store.read(lambda tx: tx.get_revision(ids[1])) == newest[2]
    with pytest.raises(UnknownRevision):
        await store.read(lambda tx: tx.get_revision(ids[0]))  # trimmed
    # `keep` trims the tracker's own revisions only.
    assert [r.id for r in await store.read(lambda tx: tx.list_revisions(other.id))] == [
        other_revision
    ]


async def test_revisions_are_listed_a_page_at_a_time_and_without_snapshots(store):
    shop, other = await insert(store, tracker("Shop"), tracker("Other"))
    ids = await save_texts(store, shop.id, "1", "2", "3", "4", "5")
    await save_texts(store, other.id, "other")
    newest_first = ids[::-1]

    async def page(limit: int | None, before: int | None) -> list[int]:
        found = await store.read(lambda tx: tx.list_revisions(shop.id, limit, before=before))
        return [r.id for r in found]

    assert await page(2, None) == newest_first[:2]
    assert await page(2, newest_first[1]) == newest_first[2:4]
    assert await page(None, newest_first[3]) == newest_first[4:]
    assert await page(2, newest_first[4]) == []
    assert await page(None, None) == newest_first

    listed = await store.read(lambda tx: tx.list_revision_info(shop.id))
    full = await store.read(lambda tx: tx.list_revisions(shop.id))

    def said(r: Any) -> tuple[Any, ...]:
        return (r.id, r.tracker_id, r.created_at, r.final_url, r.status, r.kind)

    assert [said(r) for r in listed] == [said(r) for r in full]
    assert [r.id for r in listed] == newest_first
    assert await store.read(lambda tx: tx.list_revision_info(999)) == []


async def test_a_revision_for_an_unknown_tracker_is_refused(store):
    with pytest.raises(UnknownTracker):
        await save_texts(store, 42, "x")


SNAPSHOTS: dict[str, tuple[str, Any]] = {
    "content": ("content", ContentSnapshot("Prices\n\nWidget: 10 €", "main .prices")),
    "content-whole-page": ("content", ContentSnapshot("", None)),
    "headers": (
        "headers",
        HeadersSnapshot(
            {
                "content-security-policy": "default-src 'self'; script-src 'self' cdn.example",
                "strict-transport-security": "max-age=31536000",
            },
            (
                CookieFlags("session", True, True, "Lax"),
                CookieFlags("prefs", False, False, None),
            ),
            ("script-src 'none'",),
            True,
        ),
    ),
    "resources": (
        "resources",
        PageResources(
            "https://shop.example/",
            "https://shop.example/home",
            200,
            [
                Resource(
                    "script",
                    "https://cdn.example/app.js",
                    False,
                    "a" * 64,
                    12_345,
                    "sha384-abc",
                    True,
                    True,
                ),
                Resource("stylesheet", None, True, "b" * 64, 80),
                Resource("script", "https://shop.example/x.js", False, "", 0, error="HTTP 404"),
            ],
        ),
    ),
}


@pytest.mark.parametrize(("kind", "snapshot"), SNAPSHOTS.values(), ids=SNAPSHOTS.keys())
async def test_a_revision_keeps_its_kinds_snapshot_as_it_was(store, kind, snapshot):
    [saved] = await insert(store, tracker("Shop", kind))

    def work(tx: TrackerTransaction) -> int:
        return tx.save_revision(
            saved.id, "https://shop.example/home", 203, snapshot.to_json(), 10, 1234.5
        )

    revision_id = await store.write(work)
    revision = await store.read(lambda tx: tx.get_revision(revision_id))
    assert (revision.id, revision.tracker_id, revision.created_at) == (
        revision_id,
        saved.id,
        1234.5,
    )
    assert (revision.final_url, revision.status, revision.kind) == (
        "https://shop.example/home",
        203,
        kind,
    )
    assert revision.snapshot == snapshot
    assert await store.read(lambda tx: tx.latest_revision(saved.id)) == revision


async def test_clearing_revisions_removes_only_that_trackers(store):
    shop, other = await insert(store, tracker("Shop"), tracker("Other"))
    await save_texts(store, shop.id, "1", "2")
    await save_texts(store, other.id, "o")
    await store.write(lambda tx: tx.clear_revisions(shop.id))
    assert await store.read(lambda tx: tx.list_revisions(shop.id)) == []
    assert len(await store.read(lambda tx: tx.list_revisions(other.id))) == 1
    # The tracker stays, and keeps new revisions.
    await save_texts(store, shop.id, "3")
    assert (await store.read(lambda tx: tx.latest_revision(shop.id))).snapshot.text == "3"


async def test_a_notification_outlives_its_revision_without_a_link_to_it(store):
    """(SQLite's behaviour, ON DELETE SET NULL: the docstrings do not say.)"""
    [shop] = await insert(store, tracker())
    first, second = await save_texts(store, shop.id, "1", "2")

    def notify(tx: TrackerTransaction) -> list[Notification]:
        return [
            tx.insert_notification(change(shop.id, 1.0, first)),
            tx.insert_notification(change(shop.id, 2.0, second)),
        ]

    await store.write(notify)
    await save_texts(store, shop.id, "3", keep=2)  # trims the first
    links = await store.read(lambda tx: [n.revision_id for n in tx.list_notifications()])
    assert links == [second, None]
    await store.write(lambda tx: tx.clear_revisions(shop.id))
    links = await store.read(lambda tx: [n.revision_id for n in tx.list_notifications()])
    assert links == [None, None]


# -- notifications ----------------------------------------------------------------------------


async def test_notifications_are_listed_newest_first_and_marked_read(store):
    a, b = await insert(store, tracker("A"), tracker("B"))

    def notify(tx: TrackerTransaction) -> list[Notification]:
        return [
            tx.insert_notification(change(t.id, at)) for t, at in ((a, 1.0), (a, 2.0), (b, 3.0))
        ]

    n1, n2, n3 = await store.write(notify)
    assert [n1, n2, n3] == [
        replace(change(a.id, 1.0), id=n1.id),
        replace(change(a.id, 2.0), id=n2.id),
        replace(change(b.id, 3.0), id=n3.id),
    ]
    assert len({n1.id, n2.id, n3.id}) == 3
    assert await store.read(lambda tx: tx.list_notifications()) == [n3, n2, n1]
    assert await store.read(lambda tx: tx.list_notifications(limit=2)) == [n3, n2]
    assert await store.read(lambda tx: tx.unread_counts()) == {a.id: 2, b.id: 1}

    await store.write(lambda tx: tx.mark_notifications_read([n1.id], 10.0))
    assert await store.read(lambda tx: tx.unread_counts()) == {a.id: 1, b.id: 1}
    assert await store.read(lambda tx: tx.list_notifications(unread_only=True)) == [n3, n2]
    # Marking again keeps the time it was first read.
    await store.write(lambda tx: tx.mark_notifications_read([n1.id, n2.id, 999], 20.0))
    await store.write(lambda tx: tx.mark_notifications_read(None, 30.0))
    listed = await store.read(lambda tx: tx.list_notifications())
    assert [(n.id, n.read_at) for n in listed] == [(n3.id, 30.0), (n2.id, 20.0), (n1.id, 10.0)]
    assert await store.read(lambda tx: tx.unread_counts()) == {}
    assert await store.read(lambda tx: tx.list_notifications(unread_only=True)) == []


async def test_an_unread_only_list_is_limited_after_leaving_out_the_read(store):
    [shop] = await insert(store, tracker())
    made = await store.write(
        lambda tx: [tx.insert_notification(change(shop.id, float(i))) for i in range(5)]
    )
    await store.write(lambda tx: tx.mark_notifications_read([made[4].id, made[3].id], 9.0))
    unread = await store.read(lambda tx: tx.list_notifications(unread_only=True, limit=2))
    assert [n.id for n in unread] == [made[2].id, made[1].id]


async def test_each_notification_kind_reads_back(store):
    [shop] = await insert(store, tracker())
    given = [
        Notification(shop.id, kind, f"{kind} title", "body\nsecond line", 5.0)
        for kind in NotificationKind
    ]
    saved = await store.write(lambda tx: [tx.insert_notification(n) for n in given])
    listed = await store.read(lambda tx: tx.list_notifications())
    assert listed == saved[::-1]
    assert [n.kind for n in listed] == list(NotificationKind)[::-1]


@pytest.mark.parametrize(
    "work",
    [
        lambda tx: tx.insert_notification(change(42)),
        lambda tx: tx.save_failure_streak(streak(42)),
    ],
    ids=["notification", "failure streak"],
)
async def test_what_belongs_to_a_tracker_is_refused_for_an_unknown_one(store, work):
    """(SQLite's behaviour, its foreign keys; the memory store raises the same error.)"""
    [shop] = await insert(store, tracker())
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await store.write(work)
    assert await store.read(lambda tx: tx.list_notifications()) == []
    assert await store.read(lambda tx: tx.list_failure_streaks()) == {}
    assert shop.id != 42


# -- failure streaks --------------------------------------------------------------------------


async def test_a_failure_streak_starts_then_carries_on_keeping_its_start_and_notified(store):
    a, b = await insert(store, tracker("A"), tracker("B"))
    assert await store.read(lambda tx: tx.get_failure_streak(a.id)) is None
    started = FailureStreak(a.id, 100.0, "timed out", True, 100.0)
    await store.write(lambda tx: tx.save_failure_streak(started))
    assert await store.read(lambda tx: tx.get_failure_streak(a.id)) == started

    later = FailureStreak(a.id, 200.0, "connection refused", False, 200.0)
    await store.write(lambda tx: tx.save_failure_streak(later))
    carried_on = FailureStreak(a.id, 100.0, "connection refused", True, 200.0)
    assert await store.read(lambda tx: tx.get_failure_streak(a.id)) == carried_on

    quiet = FailureStreak(b.id, 150.0, "HTTP 500", False, 150.0)
    await store.write(lambda tx: tx.save_failure_streak(quiet))
    assert await store.read(lambda tx: tx.list_failure_streaks()) == {a.id: carried_on, b.id: quiet}


async def test_ending_a_failure_streak_returns_it_once(store):
    a, b = await insert(store, tracker("A"), tracker("B"))
    await store.write(lambda tx: [tx.save_failure_streak(streak(t.id)) for t in (a, b)])
    assert await store.write(lambda tx: tx.end_failure_streak(a.id)) == streak(a.id)
    assert await store.write(lambda tx: tx.end_failure_streak(a.id)) is None
    assert await store.read(lambda tx: tx.get_failure_streak(a.id)) is None
    assert await store.read(lambda tx: tx.list_failure_streaks()) == {b.id: streak(b.id)}


# -- jobs and runs ------------------------------------------------------------------------------


def job(job_id: str, schedule: str = "*/5 * * * *") -> Job:
    return Job(job_id, schedule, "UTC", "tracker.check", {"tracker": 1})


async def record_run(
    jobs: JobStore, run_id: str, job_id: str, started: float, ended: float | None
) -> None:
    await jobs.record_claims([RunClaim(run_id, job_id, started, started, 1, JobTiming(None))])
    if ended is not None:
        await jobs.record_results(
            [RunResult(run_id, job_id, started, ended, RunOutcome.SUCCEEDED, None, None)]
        )


async def test_jobs_are_written_replaced_and_removed_with_their_runs(subject):
    store = subject.store
    [shop] = await insert(store, tracker())

    def save_with_job(tx: TrackerTransaction) -> None:  # a tracker and its job, together
        tx.update_tracker(replace(shop, schedule="*/5 * * * *"))
        tx.write_jobs([(job(shop.job_id), JobTiming(100.0)), (job("other"), JobTiming(50.0))])

    await store.write(save_with_job)
    assert await store.read(lambda tx: tx.job_timings()) == {
        shop.job_id: (job(shop.job_id), JobTiming(100.0)),
        "other": (job("other"), JobTiming(50.0)),
    }
    replaced = job(shop.job_id, "0 * * * *")
    await store.write(lambda tx: tx.write_jobs([(replaced, JobTiming(900.0, 800.0, 2, 700.0))]))
    assert (await store.read(lambda tx: tx.job_timings()))[shop.job_id] == (
        replaced,
        JobTiming(900.0, 800.0, 2, 700.0),
    )
    await record_run(subject.jobs, "r1", shop.job_id, 100.0, 101.0)
    assert [r.run_id for r in await store.runs_for(shop.job_id)] == ["r1"]
    await store.write(lambda tx: tx.delete_job(shop.job_id))
    assert set(await store.read(lambda tx: tx.job_timings())) == {"other"}
    assert await store.runs_for(shop.job_id) == []
    assert await store.read(lambda tx: tx.last_runs()) == {}


async def test_last_runs_gives_each_jobs_most_recent_run(subject):
    store = subject.store
    await store.write(
        lambda tx: tx.write_jobs([(job(i), JobTiming(None)) for i in ("a", "b", "idle")])
    )
    for run_id, started in (("a1", 100.0), ("a3", 300.0), ("a2", 200.0)):
        await record_run(subject.jobs, run_id, "a", started, started + 1)
    await record_run(subject.jobs, "b1", "b", 150.0, None)  # still running
    last = await store.read(lambda tx: tx.last_runs())
    assert {job_id: run.run_id for job_id, run in last.items()} == {"a": "a3", "b": "b1"}
    assert last["a"].outcome is RunOutcome.SUCCEEDED
    assert last["b"].outcome is RunOutcome.RUNNING


async def test_runs_are_listed_newest_first_up_to_the_limit(subject):
    store = subject.store
    await store.write(
        lambda tx: tx.write_jobs([(job("a"), JobTiming(None)), (job("b"), JobTiming(None))])
    )
    for n, started in enumerate((300.0, 100.0, 200.0)):
        await record_run(subject.jobs, f"a{n}", "a", started, started + 1)
    await record_run(subject.jobs, "b0", "b", 400.0, 401.0)
    assert [r.started_at for r in await store.runs_for("a")] == [300.0, 200.0, 100.0]
    assert [r.started_at for r in await store.runs_for("a", limit=1)] == [300.0]
    assert await store.runs_for("nobody") == []


async def test_pruning_forgets_finished_runs_started_before_the_time_given(subject):
    store = subject.store
    await store.write(lambda tx: tx.write_jobs([(job("a"), JobTiming(None))]))
    await record_run(subject.jobs, "old", "a", 100.0, 101.0)
    await record_run(subject.jobs, "old-running", "a", 110.0, None)
    await record_run(subject.jobs, "at-the-time", "a", 300.0, 301.0)
    await record_run(subject.jobs, "new", "a", 400.0, 401.0)
    await store.prune_runs(before=300.0)
    assert [r.run_id for r in await store.runs_for("a")] == ["new", "at-the-time", "old-running"]


# -- transactions -------------------------------------------------------------------------------


async def test_a_write_whose_work_raises_changes_nothing(subject):
    store = subject.store
    kept, doomed = await insert(store, tracker("Kept"), tracker("Doomed"))
    await save_texts(store, kept.id, "k1")
    await save_texts(store, doomed.id, "d1")
    await store.write(lambda tx: tx.write_jobs([(job(kept.job_id), JobTiming(10.0))]))
    await record_run(subject.jobs, "r1", kept.job_id, 100.0, 101.0)
    before = await store.read(everything)

    def work(tx: TrackerTransaction) -> None:
        fresh = tx.insert_tracker(tracker("Fresh"))
        tx.update_tracker(replace(kept, name="Renamed", kind="headers"))
        revision_id = tx.save_revision(fresh.id, "https://x.example/", 200, text("f"), 1, 5.0)
        tx.insert_notification(change(fresh.id, 5.0, revision_id))
        tx.save_failure_streak(streak(fresh.id))
        tx.delete_tracker(doomed.id)
        tx.write_jobs([(job(fresh.job_id), JobTiming(1.0))])
        tx.delete_job(kept.job_id)
        tx.mark_notifications_read(None, 6.0)
        assert len(tx.list_trackers()) == 2  # the work sees its own changes
        raise RuntimeError("the check failed half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        await store.write(work)
    assert await store.read(everything) == before
    assert [r.run_id for r in await store.runs_for(kept.job_id)] == ["r1"]


async def test_a_failed_write_among_others_undoes_only_itself(store):
    def failing(tx: TrackerTransaction) -> None:
        tx.insert_tracker(tracker("Doomed"))
        raise RuntimeError("no")

    # Called together, as writes queued at once share one SQLite transaction.
    results = await asyncio.gather(
        store.write(lambda tx: tx.insert_tracker(tracker("First"))),
        store.write(failing),
        store.write(lambda tx: tx.insert_tracker(tracker("Last"))),
        return_exceptions=True,
    )
    assert isinstance(results[1], RuntimeError)
    assert await store.read(lambda tx: [t.name for t in tx.list_trackers()]) == ["First", "Last"]


async def test_transactions_take_effect_in_call_order(store):
    first = store.write(lambda tx: tx.insert_tracker(tracker("A")))
    seen = store.read(lambda tx: [t.name for t in tx.list_trackers()])
    renamed = store.write(lambda tx: tx.update_tracker(replace(tx.find_tracker("A"), name="B")))
    later = store.read(lambda tx: [t.name for t in tx.list_trackers()])
    _, seen_names, _, later_names = await asyncio.gather(first, seen, renamed, later)
    assert (seen_names, later_names) == (["A"], ["B"])


async def test_a_read_gives_what_its_work_returns_or_raises(store):
    assert await store.read(lambda tx: "value") == "value"
    with pytest.raises(UnknownTracker):
        await store.read(lambda tx: tx.find_tracker("nobody"))


async def test_a_read_sees_one_state_throughout_while_another_process_writes(subject):
    if subject.elsewhere is None:
        pytest.skip("the memory store lives in this process alone: nothing writes elsewhere")
    elsewhere = subject.elsewhere

    def work(tx: TrackerTransaction) -> tuple[list[str], list[str]]:
        before = [t.name for t in tx.list_trackers()]
        elsewhere(tracker("Meanwhile"))
        return before, [t.name for t in tx.list_trackers()]

    await insert(subject.store, tracker("Shop"))
    before, after = await subject.store.read(work)
    assert before == after == ["Shop"]


# -- settings ------------------------------------------------------------------------------


async def test_settings_are_written_by_key_and_keys_not_written_keep_their_value(store):
    assert await store.read(lambda tx: tx.read_settings()) == {}
    await store.write(lambda tx: tx.write_settings({"theme": '"dark"', "sound": "true"}))
    await store.write(lambda tx: tx.write_settings({"theme": '"light"'}))
    assert await store.read(lambda tx: tx.read_settings()) == {
        "theme": '"light"',
        "sound": "true",
    }


async def test_settings_written_by_a_transaction_that_fails_are_not_kept(store):
    def fail(tx: TrackerTransaction) -> None:
        tx.write_settings({"theme": '"dark"'})
        raise RuntimeError("the work failed")

    with pytest.raises(RuntimeError):
        await store.write(fail)
    assert await store.read(lambda tx: tx.read_settings()) == {}
