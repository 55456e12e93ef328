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

from desktop_tracker.cli.common import EXIT_FAILED, EXIT_OK, fail
from desktop_tracker.data_dir import (
    LOG_NAME,
    DataDirError,
    DataDirUnusable,
    ensure_data_dir,
    resolve_data_dir,
)
from desktop_tracker.store.errors import StoreError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("run", help="run the scheduler")
    parser.add_argument(
        "--headless", action="store_true", help="without a window, until SIGINT/SIGTERM"
    )  # without it: the desktop window
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,  # keeps a --data-dir given before the command
        help="data directory (default: per user)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.set_defaults(handler=run)


WindowOpener = Callable[[Path], int]


def open_window(data_dir_option: str | None, opener: WindowOpener | None) -> int:
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
    return opener(data_dir)


def run(args: argparse.Namespace) -> int:
    if not args.headless:
        return open_window(args.data_dir, args.window_opener)
    from desktop_tracker.service import run_headless

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
        await run_headless(data_dir, stop)

    try:
        asyncio.run(main_task())
    except (DataDirError, StoreError) as error:  # in use, unwritable, damaged, too new
        return fail(str(error), EXIT_FAILED)
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def configure_logging(log_file: Path | None, verbose: bool) -> None:
    """Log to stderr and to a rotating file in the data directory (None: stderr alone)."""
    level = logging.DEBUG if verbose else logging.INFO
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(level)
    if getattr(root, "_desktop_tracker_configured", False):
        return  # once per process (the launcher may hand over from the window to headless)
    root._desktop_tracker_configured = True  # type: ignore[attr-defined]
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(fmt)
    root.addHandler(console)
    # httpx logs every request URL at INFO; URLs are fine, but keep the log calm.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if log_file is None:
        return
    try:
        to_file = logging.handlers.RotatingFileHandler(
            str(log_file), maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as error:
        logging.getLogger(__name__).warning("cannot write the log file %s: %s", log_file, error)
        return
    to_file.setFormatter(fmt)
    root.addHandler(to_file)
