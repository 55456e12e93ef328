"""The command line: `desktop-tracker COMMAND …`, over the same services as the GUI."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from desktop_tracker import __version__
from desktop_tracker.cli import run, schedule, trackers
from desktop_tracker.cli.common import EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desktop-tracker",
        description="Watch web pages on cron schedules and hear when they change.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    schedule.add_parser(commands)
    run.add_parser(commands)
    trackers.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_OK
    result: int = handler(args)
    return result
