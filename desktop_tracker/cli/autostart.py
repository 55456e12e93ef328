"""`desktop-tracker autostart on|off|status`: start the app at login, in the tray."""

from __future__ import annotations

import argparse

from desktop_tracker.autostart import AutostartError, login_entry, set_enabled
from desktop_tracker.cli.common import EXIT_FAILED, EXIT_OK, Parsers, data_dir_option, fail
from desktop_tracker.data_dir import resolve_data_dir


def add_parsers(commands: Parsers) -> None:
    parser = commands.add_parser(
        "autostart",
        description=(
            "Start the app at login, in the tray (its window where there is no tray): an XDG "
            "autostart entry on Linux, the Run key on Windows, a LaunchAgent on macOS. The "
            "entry starts this installation; with --data-dir (or $DESKTOP_TRACKER_HOME), on "
            "that data directory."
        ),
    )
    parser.add_argument("state", choices=("on", "off", "status"))
    data_dir_option(parser)  # the data directory the app starts on
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    entry = login_entry(resolve_data_dir(args.data_dir))
    try:
        if args.state == "status":
            status = entry.status()
        else:
            status = set_enabled(entry, args.state == "on")
    except AutostartError as error:
        return fail(str(error), EXIT_FAILED)
    print(status.describe())
    if args.state == "status" and status.enabled:
        print(f"entry: {status.location}")
        if not status.is_ours:
            print("`desktop-tracker autostart on` makes it start this installation")
    return EXIT_OK
