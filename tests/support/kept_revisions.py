"""Revisions written straight into a running app's data file, as many as a test wants.

Checks make revisions one at a time (and a tracker keeps at most 100 of its own); a test of a long
history writes them through the store's repository on the app's own database thread instead, in
one transaction, keeping every one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from desktop_tracker.kinds.resources import PageResources, Resource
from desktop_tracker.service.app import AppServices
from desktop_tracker.store import tracker_repository

URL = "https://shop.example/"
T0 = 1_700_000_000.0  # the first revision's time; each next one 15 minutes later


def script(number: int) -> str:
    return f"{URL}s{number}.js"


def scripts(count: int) -> dict[str, Any]:
    """A resources snapshot (its stored JSON form) of a page with scripts s0 … s{count-1}."""
    resources = [Resource("script", script(n), False, f"{n:064x}", 100 + n) for n in range(count)]
    return PageResources(URL, URL, 200, resources).to_json()


async def keep(
    services: AppServices, tracker_id: int, snapshots: Sequence[dict[str, Any]]
) -> list[int]:
    """Save the snapshots as the tracker's revisions, oldest first; returns their ids."""
    assert services.database is not None

    def work(conn: sqlite3.Connection) -> list[int]:
        return [
            tracker_repository.save_revision(
                conn, tracker_id, URL, 200, snapshot, len(snapshots), T0 + number * 900
            )
            for number, snapshot in enumerate(snapshots)
        ]

    return await services.database.run(work, write=True)
