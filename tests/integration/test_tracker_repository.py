"""Revisions in a real SQLite file: many resources at once, fingerprints shared and stored once."""

from __future__ import annotations

import hashlib
from pathlib import Path

from desktop_tracker.domain.resources import PageResources, Resource
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.store import tracker_repository as repo
from desktop_tracker.store.database import connect


def resources(count: int, *, start: int = 0) -> list[Resource]:
    found = []
    for i in range(start, start + count):
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


def count(conn: object, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[attr-defined]


def test_a_revision_of_hundreds_of_resources_reads_back_in_order(tmp_path: Path) -> None:
    conn = connect(tmp_path / "data.sqlite3")
    tracker = repo.insert_tracker(conn, Tracker("big", "https://example.com/").validated())
    assert tracker.id is not None
    # More rows than one statement takes (999 parameters), and the same inline style twice.
    found = resources(250)
    found.append(found[0])
    page = PageResources("https://example.com/", "https://example.com/", 200, found)

    revision_id = repo.save_revision(conn, tracker.id, page, keep=10, now=1.0)

    assert repo.get_revision(conn, revision_id).resources == found
    assert count(conn, "fingerprints") == 250  # the repeated one is stored once
    assert count(conn, "revision_resources") == 251


def test_a_second_revision_stores_only_the_fingerprints_it_adds(tmp_path: Path) -> None:
    conn = connect(tmp_path / "data.sqlite3")
    tracker = repo.insert_tracker(conn, Tracker("shared", "https://example.com/").validated())
    assert tracker.id is not None
    url = "https://example.com/"
    repo.save_revision(conn, tracker.id, PageResources(url, url, 200, resources(200)), 10, 1.0)
    later = resources(150, start=100)  # 100 kept, 50 new
    revision_id = repo.save_revision(conn, tracker.id, PageResources(url, url, 200, later), 10, 2.0)

    assert count(conn, "fingerprints") == 250
    assert repo.latest_revision(conn, tracker.id) == repo.get_revision(conn, revision_id)
    assert repo.get_revision(conn, revision_id).resources == later

    repo.trim_revisions(conn, tracker.id, keep=1)  # the first revision's own 100 go with it
    assert count(conn, "fingerprints") == 150
    assert repo.get_revision(conn, revision_id).resources == later
