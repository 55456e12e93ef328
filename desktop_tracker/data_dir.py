"""Where the user's data lives, and the lock that keeps one process per data directory."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType
from typing import IO

import platformdirs

APP_NAME = "desktop-tracker"
ENV_HOME = "DESKTOP_TRACKER_HOME"
DATABASE_NAME = "desktop-tracker.sqlite3"
LOCK_NAME = "instance.lock"


class DataDirInUse(RuntimeError):
    """Another desktop_tracker process already runs on this data directory."""


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
    """Create the directory, private to the user."""
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        with contextlib.suppress(PermissionError):
            os.chmod(path, 0o700)
    return path


class InstanceLock:
    """An OS file lock on the data directory: released by the kernel even after kill -9."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """:raises DataDirInUse: if another process holds the lock."""
        ensure_data_dir(self.path.parent)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
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


if os.name == "nt":  # pragma: no cover - exercised on Windows builds
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
