"""A revision's rows: save_revision's multi-row inserts and its group_concat read-back of
fingerprint ids."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from desktop_tracker.domain.resources import PageResources, Resource
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.store import tracker_repository as repo
from desktop_tracker.store.database import connect
from tests.integration.test_tracker_repository import count, resources

URL = "https://example.com/"


def setup(tmp_path: Path, name: str = "t") -> tuple[sqlite3.Connection, int]:
    conn = connect(tmp_path / "data.sqlite3")
    tracker = repo.insert_tracker(conn, Tracker(name, URL).validated())
    assert tracker.id is not None
    return conn, tracker.id


def page(found: list[Resource]) -> PageResources:
    return PageResources(URL, URL, 200, found)


def fingerprint_ids(conn: sqlite3.Connection, revision_id: int) -> list[int]:
    rows = conn.execute(
        "SELECT fingerprint_id FROM revision_resources WHERE revision_id = ? ORDER BY position",
        (revision_id,),
    )
    return [row[0] for row in rows]


def test_a_revision_of_no_resources(tmp_path: Path) -> None:
    conn, tracker_id = setup(tmp_path)
    revision_id = repo.save_revision(conn, tracker_id, page([]), keep=5, now=1.0)
    assert repo.get_revision(conn, revision_id).resources == []
    assert count(conn, "fingerprints") == 0
    assert count(conn, "revision_resources") == 0
    # ... and one with resources after it still works
    again = repo.save_revision(conn, tracker_id, page(resources(3)), keep=5, now=2.0)
    assert repo.get_revision(conn, again).resources == resources(3)


def test_duplicates_keep_their_positions_and_share_one_fingerprint(tmp_path: Path) -> None:
    conn, tracker_id = setup(tmp_path)
    one, two = resources(2, start=1)
    found = [one, two, one, one, two]
    revision_id = repo.save_revision(conn, tracker_id, page(found), keep=5, now=1.0)
    assert repo.get_revision(conn, revision_id).resources == found
    ids = fingerprint_ids(conn, revision_id)
    assert ids[0] == ids[2] == ids[3] and ids[1] == ids[4] and ids[0] != ids[1]
    assert count(conn, "fingerprints") == 2


def test_more_fingerprints_than_one_select_or_insert_takes(tmp_path: Path) -> None:
    # 99 fingerprint rows a statement, 333 position rows, 999 identities a SELECT.
    conn, tracker_id = setup(tmp_path)
    for size in (99, 100, 333, 334, 999, 1000, 2100):
        found = resources(size, start=size * 10_000)
        revision_id = repo.save_revision(conn, tracker_id, page(found), keep=1, now=float(size))
        assert repo.get_revision(conn, revision_id).resources == found, size
        assert count(conn, "fingerprints") == size  # the older revision's are gone (keep=1)
        assert count(conn, "revision_resources") == size


def test_existing_identities_are_reused_with_their_ids(tmp_path: Path) -> None:
    conn, tracker_id = setup(tmp_path)
    first = repo.save_revision(conn, tracker_id, page(resources(150)), keep=5, now=1.0)
    before = dict(zip(resources(150), fingerprint_ids(conn, first), strict=True))
    # Old and new mixed, in another order, more than one insert statement's worth of new.
    found = list(reversed(resources(150))) + resources(120, start=150)
    second = repo.save_revision(conn, tracker_id, page(found), keep=5, now=2.0)
    ids = fingerprint_ids(conn, second)
    assert repo.get_revision(conn, second).resources == found
    assert [before[r] for r in found[:150]] == ids[:150]
    assert count(conn, "fingerprints") == 270
    assert len(set(ids)) == 270


def test_fingerprints_shared_between_trackers_outlive_either_history(tmp_path: Path) -> None:
    conn, first = setup(tmp_path, "one")
    second = repo.insert_tracker(conn, Tracker("two", URL).validated()).id
    assert second is not None
    repo.save_revision(conn, first, page(resources(200)), keep=1, now=1.0)
    kept = repo.save_revision(conn, second, page(resources(200, start=100)), keep=1, now=2.0)
    assert count(conn, "fingerprints") == 300
    repo.delete_tracker(conn, first)
    assert count(conn, "fingerprints") == 200
    assert repo.get_revision(conn, kept).resources == resources(200, start=100)


def test_separator_characters_in_the_values_do_not_split_the_read_back(tmp_path: Path) -> None:
    # group_concat joins "identity:id" with ","; identities are hashes of the values, so
    # commas and colons in URLs, errors or integrity strings never reach the parsed text.
    conn, tracker_id = setup(tmp_path)
    digest = hashlib.sha256(b"x").hexdigest()
    found = [
        Resource("script", "https://a.example/a,b:c.js?x=1,2", False, digest, 1),
        Resource("script", "https://a.example/,:", False, digest, 1, error="a, b: c,"),
        Resource("stylesheet", None, True, digest, 0, integrity="sha384-a,b sha512-c:d"),
        Resource("script", "https://ü.example/ä.js", False, "", 0, error="timed out: 5,0 s"),
    ]
    revision_id = repo.save_revision(conn, tracker_id, page(found), keep=5, now=1.0)
    assert repo.get_revision(conn, revision_id).resources == found


def test_keep_zero_leaves_nothing_behind(tmp_path: Path) -> None:
    conn, tracker_id = setup(tmp_path)
    repo.save_revision(conn, tracker_id, page(resources(120)), keep=0, now=1.0)
    assert count(conn, "revisions") == 0
    assert count(conn, "fingerprints") == 0
    assert count(conn, "revision_resources") == 0
