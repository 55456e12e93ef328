"""The command line: `desktop-tracker COMMAND …`, over the same services as the GUI."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import logging.handlers
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from desktop_tracker import __version__
from desktop_tracker.core.schedules import InvalidSchedule, parse_schedule
from desktop_tracker.data_dir import DataDirInUse, ensure_data_dir, resolve_data_dir
from desktop_tracker.store.errors import StoreError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desktop-tracker",
        description="Watch web pages on cron schedules and hear when they change.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    schedule = commands.add_parser(
        "schedule", help="describe a schedule and print its next due times"
    )
    schedule.add_argument(
        "expression",
        metavar="EXPR",
        help="manual, @hourly…@yearly, 5-field cron, 6-field cron with seconds first, "
        "@every 15m, or once 2026-12-01T09:00",
    )
    schedule.add_argument("--tz", metavar="ZONE", help="IANA time zone (default: the system's)")
    schedule.add_argument(
        "--after", metavar="ISO8601", help="list due times after this instant (default: now)"
    )
    schedule.add_argument("--count", type=int, default=5, metavar="N", help="how many (default 5)")
    schedule.add_argument("--json", action="store_true", help="print JSON")

    run = commands.add_parser("run", help="run the scheduler")
    run.add_argument(
        "--headless", action="store_true", help="without a window, until SIGINT/SIGTERM"
    )
    run.add_argument("--data-dir", metavar="DIR", help="data directory (default: per user)")
    run.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "schedule":
        return _schedule(args)
    if args.command == "run":
        return _run(args, parser)
    parser.print_help()
    return EXIT_OK


def _fail(message: str, code: int) -> int:
    print(f"desktop-tracker: error: {message}", file=sys.stderr)
    return code


def _schedule(args: argparse.Namespace) -> int:
    if not 1 <= args.count <= 1000:
        return _fail("--count must be between 1 and 1000", EXIT_USAGE)
    try:
        schedule = parse_schedule(args.expression, args.tz)
    except InvalidSchedule as error:
        return _fail(str(error), EXIT_USAGE)
    zone = ZoneInfo(schedule.timezone)
    if args.after:
        try:
            after = datetime.fromisoformat(args.after)
        except ValueError:
            return _fail(
                f"--after {args.after!r} is not an ISO 8601 date-time "
                "(e.g. 2025-11-02T00:00 or 2025-11-02T00:00:00-04:00)",
                EXIT_USAGE,
            )
        if after.tzinfo is None:
            after = after.replace(tzinfo=zone)  # a wall time in the schedule's zone
    else:
        after = datetime.now(UTC)
    times = [
        t.astimezone(zone).isoformat(timespec="seconds")
        for t in schedule.next_due_times(after, args.count)
    ]
    description = schedule.describe()
    if args.json:
        print(
            json.dumps(
                {
                    "expression": args.expression,
                    "timezone": schedule.timezone,
                    "description": description,
                    "next": times,
                }
            )
        )
    else:
        print(description)
        for text in times:
            print(f"  {text}")
        if not times:
            print("  (no due times)")
    return EXIT_OK


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not args.headless:
        return _fail(
            "the desktop window is not part of this version yet: use `run --headless`", EXIT_USAGE
        )
    from desktop_tracker.service import run_headless

    data_dir = ensure_data_dir(resolve_data_dir(args.data_dir))
    _configure_logging(data_dir / "desktop-tracker.log", args.verbose)

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
    except (DataDirInUse, StoreError) as error:
        return _fail(str(error), EXIT_FAILED)
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _configure_logging(log_file: object, verbose: bool) -> None:
    level = logging.DEBUG if verbose else logging.INFO
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(level)
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(fmt)
    root.addHandler(console)
    try:
        to_file = logging.handlers.RotatingFileHandler(
            str(log_file), maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as error:
        logging.getLogger(__name__).warning("cannot write the log file %s: %s", log_file, error)
        return
    to_file.setFormatter(fmt)
    root.addHandler(to_file)
