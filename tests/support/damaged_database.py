"""Damage done to a database file the way a disk or a bad copy does it, for tests."""

from __future__ import annotations

import contextlib
import random
import sqlite3
from pathlib import Path


def overwrite_table_page(path: Path, table: str) -> None:
    """Random bytes over the root page of `table`: the file opens and reads fine until that
    table is read (the scheduler's start reads only job timings, so this once ran silently)."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        [page] = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
    with path.open("r+b") as file:
        file.seek((page - 1) * page_size)
        file.write(random.Random(8).randbytes(page_size))
