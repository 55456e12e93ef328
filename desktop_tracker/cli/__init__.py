"""The command line: `desktop-tracker COMMAND …`, over the same services as the GUI."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from desktop_tracker import __version__
from desktop_tracker.cli import run, schedule, trackers


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desktop-tracker",
        description="Watch web pages on cron schedules and hear when they change.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # Also accepted after the command; there it defaults to argparse.SUPPRESS so that it does
    # not overwrite this one.
    parser.add_argument("--data-dir", metavar="DIR", help="data directory (default: per user)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    schedule.add_parser(commands)
    run.add_parser(commands)
    trackers.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None, *, open_window: run.WindowOpener | None = None) -> int:
    """Run a command; with none, open the desktop window through `open_window` (the launcher
    passes it: the command line itself knows nothing of the GUI)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.window_opener = open_window
    handler = getattr(args, "handler", None)
    if handler is None:
        return run.open_window(args.data_dir, open_window)  # no command: the desktop app
    result: int = handler(args)
    return result
