"""`desktop-tracker run --headless`: the scheduler without a window, until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.handlers
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from desktop_tracker import describe_build
from desktop_tracker.cli.common import EXIT_FAILED, EXIT_OK, Parsers, data_dir_option, fail
from desktop_tracker.data_dir import (
    LOG_NAME,
    DataDirError,
    DataDirUnusable,
    ensure_data_dir,
    resolve_data_dir,
)
from desktop_tracker.domain.store_errors import StoreError
from desktop_tracker.service.app import open_services

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 10.0  # seconds runs in flight get to finish: AppServices.close's own


def add_parsers(commands: Parsers) -> None:
    parser = commands.add_parser("run")
    parser.add_argument(
        "--headless", action="store_true", help="without a window, until SIGINT/SIGTERM"
    )  # without it: the desktop window
    data_dir_option(parser)
    parser.add_argument(
        "--in-tray",
        action="store_true",
        help="start in the tray, without the window (as at login; the window shows where "
        "there is no tray)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.set_defaults(handler=run)


WindowOpener = Callable[..., int]  # (data_dir, *, in_tray=False) -> exit code


def open_window(
    data_dir_option: str | None, opener: WindowOpener | None, *, in_tray: bool = False
) -> int:
    """The desktop app (`desktop-tracker` with no command, or `run` without --headless)."""
    if opener is None:
        return fail("the desktop window is not available here: use `run --headless`", EXIT_FAILED)
    data_dir = resolve_data_dir(data_dir_option)
    try:
        configure_logging(ensure_data_dir(data_dir) / LOG_NAME, verbose=False)
    except DataDirUnusable:
        # Not said here: the window says it, in words, as it starts (someone who opened the
        # app from a menu never sees what is printed here).
        configure_logging(None, verbose=False)
    return opener(data_dir, in_tray=True) if in_tray else opener(data_dir)


def run(args: argparse.Namespace) -> int:
    if not args.headless:
        return open_window(args.data_dir, args.window_opener, in_tray=args.in_tray)
    try:
        data_dir = ensure_data_dir(resolve_data_dir(args.data_dir))
    except DataDirUnusable as error:
        return fail(str(error), EXIT_FAILED)
    configure_logging(data_dir / LOG_NAME, args.verbose)

    async def main_task() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, stop.set)
            except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C raises instead
                signal.signal(signum, lambda *_: loop.call_soon_threadsafe(stop.set))
        # The whole app: the data directory's lock, the scheduler, the checks.
        async with open_services(data_dir, scheduler=True) as services:
            log.info("scheduler running on %s", services.data_dir)
            await stop.wait()
            log.info("stopping: runs in flight get %.0f s to finish", SHUTDOWN_GRACE)
        log.info("stopped")

    try:
        asyncio.run(main_task())
    except (DataDirError, StoreError) as error:  # in use, unwritable, damaged, too new
        return fail(str(error), EXIT_FAILED)
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def configure_logging(
    log_file: Path | None, verbose: bool, *, console: int | None = logging.NOTSET
) -> None:
    """Log to stderr, from level `console` up (None: not at all; nor when there is no stderr,
    in a windowed build), and to a rotating file in the data directory (None: no file). Once
    per process; the first line says which build runs where (version, platform, Python, Qt,
    build kind)."""
    level = logging.DEBUG if verbose else logging.INFO
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(level)
    if getattr(root, "_desktop_tracker_configured", False):
        return  # once per process (the launcher may hand over from the window to headless)
    root._desktop_tracker_configured = True  # type: ignore[attr-defined]
    # Windowed builds (PyInstaller --windowed, pythonw) have sys.stderr = None.
    if console is not None and sys.stderr is not None:
        to_console = _ToStderr()
        to_console.setFormatter(fmt)
        to_console.setLevel(console)
        to_console.addFilter(lambda record: not getattr(record, "file_only", False))
        root.addHandler(to_console)
    # httpx logs every request URL at INFO; URLs are fine, but keep the log calm.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if log_file is not None:
        try:
            to_file = logging.handlers.RotatingFileHandler(
                str(log_file), maxBytes=2_000_000, backupCount=3, encoding="utf-8"
            )
        except OSError as error:
            logging.getLogger(__name__).warning("cannot write the log file %s: %s", log_file, error)
        else:
            to_file.setFormatter(fmt)
            root.addHandler(to_file)
    if not root.handlers:
        root.addHandler(logging.NullHandler())  # no stderr, no file: not Python's last resort
    # For the file (a bug report's first question); the terminal knows what it started.
    logging.getLogger("desktop_tracker").info(
        "start: %s", describe_build(), extra={"file_only": True}
    )


class _ToStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to sys.stderr as it is when a record comes, not as it was at set-up: tests and
    IDEs swap it, and a windowed build has none (then the record goes to the file alone)."""

    def emit(self, record: logging.LogRecord) -> None:
        stream = sys.stderr
        if stream is None:
            return
        self.stream = stream
        super().emit(record)
