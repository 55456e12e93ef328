"""`export [FILE]` and `import FILE`: every tracker as JSON (README, "The export format")."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop_tracker.cli.common import EXIT_OK, Parsers, data_dir_option
from desktop_tracker.cli.services import guarded, with_trackers
from desktop_tracker.service.export_format import (
    MAX_EXPORT_BYTES,
    decode_export,
    export_text,
    read_export_file,
    write_export,
)


def add_parsers(commands: Parsers) -> None:
    export = commands.add_parser(
        "export",
        description="Every tracker as JSON, request headers included as they are: a FILE is "
        "written readable by you alone.",
    )
    export.add_argument("file", metavar="FILE", nargs="?", help="default: standard output")
    data_dir_option(export)
    export.set_defaults(handler=export_command)

    load = commands.add_parser("import")
    load.add_argument("file", metavar="FILE", help="a file written by export, or - for stdin")
    data_dir_option(load)
    load.set_defaults(handler=import_command)


@guarded
def export_command(args: argparse.Namespace) -> int:
    data = with_trackers(args, lambda service: service.export())
    text = export_text(data)
    if args.file and args.file != "-":
        write_export(Path(args.file), text)  # readable by you alone: it holds the headers
        print(f"exported {len(data['trackers'])} trackers to {args.file}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


@guarded
def import_command(args: argparse.Namespace) -> int:
    if args.file == "-":
        data = decode_export(sys.stdin.buffer.read(MAX_EXPORT_BYTES + 1), "standard input")
    else:
        data = read_export_file(Path(args.file))
    imported = with_trackers(args, lambda service: service.import_(data))
    print(f"imported {len(imported)} trackers")
    return EXIT_OK
