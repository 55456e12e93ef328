"""The command line: `desktop-tracker COMMAND …`, over the same services as the GUI."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from desktop_tracker import version_text
from desktop_tracker.cli import check, history, learn, run, schedule, trackers, transfer
from desktop_tracker.cli.common import EXIT_FAILED, data_dir_option, fail

SelfTest = Callable[[], int]


class _VersionAction(argparse.Action):
    """--version: "desktop-tracker X.Y.Z" first (scripts read it), then the build's facts, as
    written; argparse's own version action would reflow the lines into one."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        if sys.stdout is not None:  # None in a windowed build
            print(version_text())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desktop-tracker",
        description="Watch web pages on cron schedules and hear when they change.",
    )
    parser.add_argument(
        "--version", action=_VersionAction, help="show the version, platform and build, and exit"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this copy of the app works (in a temporary data directory) and exit",
    )
    data_dir_option(parser, before_command=True)  # and after the command, where it is used
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    schedule.add_parser(commands)
    run.add_parser(commands)
    check.add_parser(commands)
    trackers.add_parsers(commands)  # and edit's
    history.add_parsers(commands)
    learn.add_parser(commands)
    transfer.add_parsers(commands)
    from desktop_tracker.cli import autostart

    autostart.add_parser(commands)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    open_window: run.WindowOpener | None = None,
    self_test: SelfTest | None = None,
) -> int:
    """Run a command; with none, open the desktop window through `open_window`; --self-test
    runs `self_test` (the launcher passes both: the command line itself knows nothing of the
    GUI)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        if self_test is None:
            return fail("the self-test is not available here", EXIT_FAILED)
        return self_test()
    args.window_opener = open_window
    handler = getattr(args, "handler", None)
    if handler is None:
        return run.open_window(args.data_dir, open_window)  # no command: the desktop app
    result: int = handler(args)
    return result
