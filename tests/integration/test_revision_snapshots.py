"""Revisions in a real SQLite file: each kind's snapshot kept whole, compressed, trimmed."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from desktop_tracker.domain.tracker_store import UnknownRevision, UnknownTracker
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.kinds.content import ContentSnapshot
from desktop_tracker.kinds.resources import PageResources, Resource
from desktop_tracker.store import tracker_repository as repo
from desktop_tracker.store.database import connect

URL = "https://example.com/"


def resources(count: int) -> list[Resource]:
    found = []
    for i in range(count):
        digest = hashlib.sha256(str(i).encode()).hexdigest()
        if i % 3 == 0:
            found.append(Resource("stylesheet", None, True, digest, i))  # inline
        else:
            found.append(
                Resource(
                    "script",
                    f"https://cdn{i % 7}.example/lib/{i}.js",
                    False,
                    digest,
                    i * 10,
                    integrity="sha384-x" if i % 5 == 0 else None,
                    integrity_ok=False if i % 5 == 0 else None,
                    third_party=i % 2 == 0,
                    error="the server answered 404 Not Found" if i % 11 == 0 else None,
                )
            )
    return found


def tracker(conn: sqlite3.Connection, kind: str = "resources", name: str = "t") -> int:
    saved = repo.insert_tracker(conn, Tracker(name, URL, kind=kind).validated())
    assert saved.id is not None
    return saved.id


def save(conn: sqlite3.Connection, tracker_id: int, snapshot: object, keep: int = 10) -> int:
    return repo.save_revision(conn, tracker_id, URL, 200, snapshot.to_json(), keep, 1.0)  # type: ignore[attr-defined]


def test_a_revision_of_hundreds_of_resources_reads_back_whole_and_in_order(tmp_path: Path) -> None:
    conn = connect(tmp_path / "data.sqlite3")
    tracker_id = tracker(conn)
    found = resources(250)
    found.append(found[0])  # the same inline style twice
    revision_id = save(conn, tracker_id, PageResources(URL, URL + "x", 200, found))

    revision = repo.get_revision(conn, revision_id)
    assert revision.kind == "resources"
    assert revision.snapshot.resources == found
    assert revision.snapshot.final_url == URL + "x"


def test_a_page_text_is_kept_compressed(tmp_path: Path) -> None:
    conn = connect(tmp_path / "data.sqlite3")
    tracker_id = tracker(conn, "content")
    text = "\n".join(f"Line {i} of a page that says much the same thing again" for i in range(5000))
    revision_id = save(conn, tracker_id, ContentSnapshot(text, "main"))

    assert repo.get_revision(conn, revision_id).snapshot == ContentSnapshot(text, "main")
    (stored,) = conn.execute("SELECT length(snapshot) FROM revisions").fetchone()
    assert stored < len(text) / 4


def test_revisions_beyond_the_limit_go_oldest_first(tmp_path: Path) -> None:
    conn = connect(tmp_path / "data.sqlite3")
    tracker_id = tracker(conn, "content")
    ids = [save(conn, tracker_id, ContentSnapshot(f"v{i}"), keep=3) for i in range(5)]

    kept = repo.list_revisions(conn, tracker_id)
    assert [r.id for r in kept] == ids[:1:-1]
    assert [r.snapshot.text for r in kept] == ["v4", "v3", "v2"]
    assert [r.id for r in repo.list_revisions(conn, tracker_id, limit=2)] == ids[:2:-1]
    with pytest.raises(UnknownRevision):
        repo.get_revision(conn, ids[0])


def test_a_revision_takes_its_trackers_kind(tmp_path: Path) -> None:
    conn = connect(tmp_path / "data.sqlite3")
    tracker_id = tracker(conn, "content")
    revision_id = save(conn, tracker_id, ContentSnapshot("hello"))
    assert repo.get_revision(conn, revision_id).kind == "content"
    with pytest.raises(UnknownTracker):
        save(conn, tracker_id + 1, ContentSnapshot("nobody's"))


def test_changing_a_trackers_kind_drops_its_revisions_of_the_old_kind(tmp_path: Path) -> None:
    conn = connect(tmp_path / "data.sqlite3")
    tracker_id = tracker(conn, "resources")
    save(conn, tracker_id, PageResources(URL, URL, 200, resources(3)))
    stored = repo.get_tracker(conn, tracker_id)

    repo.update_tracker(conn, replace(stored, kind="content").validated())
    assert repo.list_revisions(conn, tracker_id) == []

    save(conn, tracker_id, ContentSnapshot("now text"))
    repo.update_tracker(conn, repo.get_tracker(conn, tracker_id))  # no change of kind
    assert len(repo.list_revisions(conn, tracker_id)) == 1
