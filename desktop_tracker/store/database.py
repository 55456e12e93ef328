"""The one SQLite file: opened safely, migrated, and used from a single thread.

All reads and writes go through `Database`, which owns the connection on a thread of its own.
Work is queued in call order; writes that are queued together share one transaction, so a burst
of runs due at the same instant costs one commit, and the event loop never waits for the disk.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from desktop_tracker.data_dir import take_away_group_and_other
from desktop_tracker.domain.store_errors import (
    DatabaseDamaged,
    DatabaseLocked,
    DatabaseTooNew,
    StoreError,
)
from desktop_tracker.store.migrations import MIGRATIONS

log = logging.getLogger(__name__)
T = TypeVar("T")
Work = Callable[[sqlite3.Connection], Any]

# Services compose repository functions into one transaction with `Database.run(work)`; they name
# the connection type through this alias, so that only `store/` imports sqlite3.
Connection = sqlite3.Connection

BUSY_TIMEOUT_MS = 5000
_STOP = object()


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the data file, readable by the user alone, and migrate it.

    :raises DatabaseDamaged, DatabaseLocked, DatabaseTooNew, StoreError: with a message for the
        user (StoreError alone: the file or its folder cannot be written).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created with owner-only permissions before SQLite does (its -wal and -shm files take
        # theirs from it). Opened read-write even when it exists: a file that cannot be
        # written is said now, in words, not at the first write.
        descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            _take_away_group_and_other(descriptor, path)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise _cannot_open(path, error) from error
    try:
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as error:
        raise StoreError(f"cannot open the data file {path}: {error}") from error
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # A damaged file can open and answer the first queries (the scheduler's start reads
        # one small table): read every page now, before anything is written to it, so that the
        # app refuses it at the start as every command does. About 50 ms for 120 MB.
        problem = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        if problem != "ok":
            conn.close()
            # The last line says what is wrong; the first, "*** in database main ***", where.
            raise _damaged(path, str(problem).splitlines()[-1])
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("SQLite refused WAL mode for %s (got %s)", path, mode)
        # FULL: a commit is on disk before we go on, so "committed" means kept, even on power loss.
        conn.execute("PRAGMA synchronous = FULL")
        _migrate(conn, path)
    except sqlite3.OperationalError as error:
        conn.close()
        if "locked" in str(error) or "busy" in str(error):
            raise DatabaseLocked(
                f"the data file {path} is locked by another program: close it and try again"
            ) from error
        if "readonly" in str(error) or "unable to open" in str(error):
            # Not damage: moving the file aside, as that message says, would be wrong advice.
            raise StoreError(
                f"cannot write the data file {path} or its -wal and -shm files beside it "
                f"({error}): fix the permissions of the file and its folder, or pass another "
                "--data-dir"
            ) from error
        raise _damaged(path, error) from error
    except sqlite3.DatabaseError as error:
        conn.close()
        raise _damaged(path, error) from error
    return conn


def _take_away_group_and_other(descriptor: int, path: Path) -> None:
    """A file the user made read-only is refused by the read-write open, not made writable."""
    try:
        take_away_group_and_other(descriptor)
    except PermissionError:  # another user's file that we may write: leave its mode be
        log.warning("cannot make the data file %s readable by you alone", path)


def _cannot_open(path: Path, error: OSError) -> StoreError:
    if isinstance(error, PermissionError):
        return StoreError(
            f"cannot open the data file {path} for writing: permission denied; fix its "
            "permissions (it should be yours, readable and writable by you alone: mode 600) "
            "or pass another --data-dir"
        )
    if isinstance(error, IsADirectoryError):
        return StoreError(
            f"the data file {path} is a folder: move it aside or pass another --data-dir"
        )
    return StoreError(
        f"cannot open the data file {path}: {error.strerror or error}; pass another --data-dir"
    )


def _damaged(path: Path, error: Exception | str) -> DatabaseDamaged:
    return DatabaseDamaged(
        f"the data file {path} is damaged or is not a desktop_tracker database ({error}). "
        "Nothing was changed: move the file aside (or restore it from a backup) and start again "
        "to begin with an empty one."
    )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise DatabaseTooNew(
            f"the data file {path} was written by a newer desktop_tracker (schema {version}, "
            f"this one knows {len(MIGRATIONS)}): update desktop_tracker to open it"
        )
    for number in range(version + 1, len(MIGRATIONS) + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            step = MIGRATIONS[number - 1]
            if isinstance(step, str):
                for statement in _statements(step):
                    conn.execute(statement)
            else:
                step(conn)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    # executescript() would commit on its own; run the statements one by one inside our
    # transaction so a failed migration leaves the file as it was.
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


class Database:
    """Runs work on the data file in call order, on one thread; writes are group-committed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = connect(path)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="desktop-tracker-db", daemon=True)
        self._closed = False
        self._thread.start()

    def submit(
        self, work: Callable[[sqlite3.Connection], T], *, write: bool
    ) -> concurrent.futures.Future[T]:
        """Queue `work` now; its result arrives in the returned future."""
        if self._closed:
            raise StoreError("the data file is closed")
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._queue.put((work, write, future))
        return future

    def run(self, work: Callable[[sqlite3.Connection], T], *, write: bool = False) -> Awaitable[T]:
        """Queue `work` now and return an awaitable of its result, for the running loop."""
        return asyncio.wrap_future(self.submit(work, write=write))

    def call(self, work: Callable[[sqlite3.Connection], T], *, write: bool = False) -> T:
        """Queue `work` and block until it is done (for the command line, outside a loop)."""
        return self.submit(work, write=write).result()

    def close(self) -> None:
        """Finish queued work, then close the connection."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join()

    def _serve(self) -> None:
        try:
            while True:
                batch = [self._queue.get()]
                while True:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                stop = any(item is _STOP for item in batch)
                self._run_batch([item for item in batch if item is not _STOP])
                if stop:
                    return
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()

    def _run_batch(self, batch: list[tuple[Work, bool, concurrent.futures.Future[Any]]]) -> None:
        # Keep call order: consecutive writes share a transaction, a read ends it.
        group: list[tuple[Work, concurrent.futures.Future[Any]]] = []
        for work, write, future in batch:
            if write:
                group.append((work, future))
                continue
            self._commit_group(group)
            group = []
            self._run_one(work, future)
        self._commit_group(group)

    def _run_one(self, work: Work, future: concurrent.futures.Future[Any]) -> None:
        """A read, in a transaction of its own: a read of several statements sees one state
        of the file, even while another process (the command line) commits between them."""
        if not future.set_running_or_notify_cancel():
            return
        try:
            self._conn.execute("BEGIN")
            try:
                result = work(self._conn)
            finally:
                self._conn.execute("COMMIT" if self._conn.in_transaction else "SELECT 1")
            future.set_result(result)
        except BaseException as error:
            future.set_exception(_translate(error, self.path))

    def _commit_group(self, group: list[tuple[Work, concurrent.futures.Future[Any]]]) -> None:
        if not group:
            return
        results: list[tuple[concurrent.futures.Future[Any], bool, Any]] = []
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            for _, future in group:
                if future.set_running_or_notify_cancel():
                    future.set_exception(_translate(error, self.path))
            return
        for number, (work, future) in enumerate(group):
            # A savepoint per piece of work: one that fails is undone alone.
            savepoint = f"w{number}"
            self._conn.execute(f"SAVEPOINT {savepoint}")
            try:
                results.append((future, True, work(self._conn)))
                self._conn.execute(f"RELEASE {savepoint}")
            except BaseException as error:
                self._conn.execute(f"ROLLBACK TO {savepoint}")
                self._conn.execute(f"RELEASE {savepoint}")
                results.append((future, False, _translate(error, self.path)))
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as error:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            results = [(future, False, _translate(error, self.path)) for future, _, _ in results]
        for future, ok, value in results:
            if not future.set_running_or_notify_cancel():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


def _translate(error: BaseException, path: Path) -> BaseException:
    if isinstance(error, sqlite3.OperationalError) and (
        "locked" in str(error) or "busy" in str(error)
    ):
        return DatabaseLocked(
            f"the data file {path} stayed locked by another program for "
            f"{BUSY_TIMEOUT_MS // 1000} s; nothing was written. Close the other program and retry."
        )
    if isinstance(error, sqlite3.DatabaseError) and not isinstance(
        error, sqlite3.IntegrityError | sqlite3.OperationalError | sqlite3.ProgrammingError
    ):
        return _damaged(path, error)
    return error
