"""Where the user's data lives, and the lock that keeps one process per data directory."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO

import platformdirs

APP_NAME = "desktop-tracker"
ENV_HOME = "DESKTOP_TRACKER_HOME"
DATABASE_NAME = "desktop-tracker.sqlite3"
LOCK_NAME = "instance.lock"
LOG_NAME = "desktop-tracker.log"


class DataDirError(RuntimeError):
    """The data directory cannot be used; the message says why and what to do."""


class DataDirInUse(DataDirError):
    """Another desktop_tracker process already runs on this data directory."""


class DataDirUnusable(DataDirError):
    """The data directory is not a folder, or cannot be made or written."""


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--data-dir first, then $DESKTOP_TRACKER_HOME, then the platform's user data directory
    (~/.local/share/desktop-tracker on Linux, via platformdirs, the same for GUI and CLI)."""
    if explicit:
        chosen = Path(explicit)
    elif os.environ.get(ENV_HOME):
        chosen = Path(os.environ[ENV_HOME])
    else:
        chosen = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return chosen.expanduser().resolve()


def ensure_data_dir(path: Path) -> Path:
    """Create the directory, private to the user, and make sure it can be written.

    :raises DataDirUnusable: saying in words what is wrong and what to do.
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)  # private from its first moment
        if os.name == "posix":
            with contextlib.suppress(PermissionError):  # not the user's own folder: leave it be
                take_away_group_and_other(path)
        # A real write, not os.access(): it answers for ACLs, read-only mounts and immutable
        # folders too. On Linux the file has no name (O_TMPFILE): nothing is left behind.
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise _unusable(path, error) from None
    return path


def take_away_group_and_other(target: Path | int) -> None:
    """Remove group and other permissions of a path or an open file, never adding any: what the
    user made read-only stays read-only (and is then refused in words, not made writable behind
    their back). :raises PermissionError: not the user's own (each caller decides what then)."""
    if os.name != "posix":
        return
    mode = stat.S_IMODE(os.stat(target).st_mode)
    if mode & 0o077:
        os.chmod(target, mode & ~0o077)


def _unusable(path: Path, error: OSError) -> DataDirUnusable:
    # os.path's tests, unlike Path's, answer False instead of raising where a folder above
    # cannot be searched.
    if isinstance(error, FileExistsError | NotADirectoryError):
        # mkdir says "exists" for a file in the way, or "not a directory" for one above it.
        file = next(
            (p for p in (path, *path.parents) if os.path.exists(p) and not os.path.isdir(p)), path
        )
        where = "is a file" if file == path else f"cannot be made: {file} is a file"
        return DataDirUnusable(
            f"the data directory {path} {where}, not a folder: pass --data-dir with a folder"
        )
    if isinstance(error, PermissionError):
        if os.path.isdir(path):
            return DataDirUnusable(
                f"cannot write in the data directory {path}: permission denied; fix its "
                "permissions or pass another --data-dir"
            )
        return DataDirUnusable(
            f"cannot create the data directory {path}: permission denied; create it yourself "
            "or pass another --data-dir"
        )
    if error.errno == errno.EROFS:
        return DataDirUnusable(
            f"cannot write in the data directory {path}: it is on a read-only file system; "
            "pass another --data-dir"
        )
    return DataDirUnusable(
        f"cannot use the data directory {path}: {error.strerror or error}; pass another --data-dir"
    )


class InstanceLock:
    """An OS file lock on the data directory: released by the kernel even after kill -9."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """:raises DataDirInUse: if another process holds the lock.
        :raises DataDirUnusable: if the directory or the lock file cannot be used."""
        ensure_data_dir(self.path.parent)
        try:
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        except OSError as error:
            raise DataDirUnusable(
                f"cannot open the lock file {self.path}: {error.strerror or error}; fix its "
                "permissions (or move it aside) or pass another --data-dir"
            ) from None
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise DataDirInUse(
                f"desktop_tracker is already running on {self.path.parent} (process {holder}). "
                "Use that one, stop it first, or pass another --data-dir."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.seek(0)
                self._file.truncate()
            self._file.close()
            self._file = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
