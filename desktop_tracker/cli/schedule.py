"""`desktop-tracker schedule EXPR`: a schedule in words and its next due times."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from desktop_tracker.cli.common import EXIT_OK, EXIT_USAGE, Parsers, fail
from desktop_tracker.core.schedules import InvalidSchedule, parse_schedule


def add_parsers(commands: Parsers) -> None:
    parser = commands.add_parser("schedule")
    parser.add_argument(
        "expression",
        metavar="EXPR",
        help="manual, @hourly…@yearly, 5-field cron, 6-field cron with seconds first, "
        "@every 15m, or once 2026-12-01T09:00",
    )
    parser.add_argument("--tz", metavar="ZONE", help="IANA time zone (default: the system's)")
    parser.add_argument(
        "--after", metavar="ISO8601", help="list due times after this instant (default: now)"
    )
    parser.add_argument("--count", type=int, default=5, metavar="N", help="how many (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.count <= 1000:
        return fail("--count must be between 1 and 1000", EXIT_USAGE)
    try:
        schedule = parse_schedule(args.expression, args.tz)
    except InvalidSchedule as error:
        return fail(str(error), EXIT_USAGE)
    zone = ZoneInfo(schedule.timezone)
    if args.after:
        try:
            after = datetime.fromisoformat(args.after)
        except ValueError:
            return fail(
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
