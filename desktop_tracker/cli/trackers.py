"""Tracker commands: check URL (writes nothing), add, list, history, remove, export, import."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from desktop_tracker.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail
from desktop_tracker.core.jobs import RunRecord
from desktop_tracker.core.quoting import quote
from desktop_tracker.core.retry import InvalidRetryStrategy, RetryStrategy, parse_retry
from desktop_tracker.core.schedules import InvalidSchedule, parse_schedule
from desktop_tracker.data_dir import DATABASE_NAME, DataDirError, ensure_data_dir, resolve_data_dir
from desktop_tracker.domain.resources import PageResources, Resource
from desktop_tracker.domain.trackers import InvalidTracker, Tracker
from desktop_tracker.service.export_format import (
    MAX_EXPORT_BYTES,
    ExportFailed,
    ImportRefused,
    decode_export,
    export_text,
    read_export_file,
    write_export,
)
from desktop_tracker.service.trackers import HistoryEntry, TrackerService
from desktop_tracker.store.database import Database
from desktop_tracker.store.errors import StoreError
from desktop_tracker.store.tracker_repository import DuplicateTracker, UnknownTracker
from desktop_tracker.tracking.errors import FetchError
from desktop_tracker.tracking.fetcher import Fetcher
from desktop_tracker.tracking.resource_check import ResourceChecker

T = TypeVar("T")
Parsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_parsers(commands: Parsers) -> None:
    check = commands.add_parser("check", help="check a page once and print its resources")
    check.add_argument("url", metavar="URL")
    _header_option(check)
    check.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(handler=check_command)

    add = commands.add_parser("add", help="add a resources tracker")
    add.add_argument("url", metavar="URL")
    add.add_argument("--name", required=True, help="what you call it (1-100 characters)")
    add.add_argument("--schedule", default="manual", metavar="EXPR", help="default: manual")
    add.add_argument("--tz", metavar="ZONE", help="IANA time zone (default: the system's)")
    add.add_argument(
        "--revisions", type=_whole_number, default=10, metavar="N", help="kept (1-100)"
    )
    _header_option(add)
    add.add_argument(
        "--retry",
        metavar="SPEC",
        default="none",
        help="none | constant,attempts=3,interval=5m | linear,attempts=4,initial=1m,"
        "increment=1m,max=10m | exponential,attempts=5,initial=30s,multiplier=2,max=1h",
    )
    add.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="REGEX",
        help="leave out resources whose URL matches (repeatable)",
    )
    add.add_argument("--no-notify", action="store_true", help="do not notify on change/failure")
    add.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    _data_dir_option(add)
    add.set_defaults(handler=add_command)

    listing = commands.add_parser("list", help="list trackers")
    listing.add_argument("--json", action="store_true", help="print JSON")
    _data_dir_option(listing)
    listing.set_defaults(handler=list_command)

    history = commands.add_parser("history", help="a tracker's revisions, diffs and runs")
    history.add_argument("name", metavar="NAME")
    history.add_argument("--json", action="store_true", help="print JSON")
    _data_dir_option(history)
    history.set_defaults(handler=history_command)

    remove = commands.add_parser("remove", help="remove a tracker and its history")
    remove.add_argument("name", metavar="NAME")
    _data_dir_option(remove)
    remove.set_defaults(handler=remove_command)

    export = commands.add_parser("export", help="write every tracker as JSON")
    export.add_argument("file", metavar="FILE", nargs="?", help="default: standard output")
    _data_dir_option(export)
    export.set_defaults(handler=export_command)

    load = commands.add_parser("import", help="add the trackers of an export (all or none)")
    load.add_argument("file", metavar="FILE", help="a file written by export, or - for stdin")
    _data_dir_option(load)
    load.set_defaults(handler=import_command)


def _header_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar='"Name: value"',
        help="request header (repeatable); never written to logs",
    )


def _whole_number(text: str) -> int:
    # argparse's own message for type=int repeats the argument whole, whatever its length.
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quote(text)} is not a whole number") from None


def _data_dir_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: left out, it keeps the value given before the command
    # ("desktop-tracker --data-dir D list") instead of overwriting it with None.
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="data directory (default: per user)",
    )


# Said wherever a tracker that skips TLS verification is shown or saved (issue: "shown as a
# warning"): anyone on the network path can then answer in the site's name.
TLS_OFF_WARNING = (
    "warning: TLS verification is off: the site's certificate is not checked, so anyone on the "
    "network path could answer in its name"
)
TLS_OFF_MARK = "⚠ TLS verification is off: the certificate is not checked"  # in lists


# -- check ----------------------------------------------------------------------------------------


def check_command(args: argparse.Namespace) -> int:
    try:
        headers = parse_headers(args.header)
    except ValueError as error:
        return fail(str(error), EXIT_USAGE)

    async def work() -> PageResources:
        async with Fetcher() as fetcher:
            return await ResourceChecker(fetcher).check(
                args.url, headers, verify_tls=not args.insecure
            )

    if args.insecure:
        print(TLS_OFF_WARNING, file=sys.stderr)
    try:
        page = asyncio.run(work())
    except FetchError as error:
        return fail(str(error), EXIT_FAILED)
    if args.json:
        print(json.dumps(page.to_json()))
        return EXIT_OK
    print(f"{page.final_url} — {page.status}")
    for title, resources in (("Scripts", page.scripts), ("Stylesheets", page.styles)):
        print(f"{title} ({len(resources)}):")
        for resource in resources:
            print(f"  {_describe_resource(resource)}")
    return EXIT_OK


def _describe_resource(r: Resource) -> str:
    marks = []
    if r.third_party:
        marks.append("third-party")
    if r.integrity:
        marks.append(
            {True: "integrity ok", False: "INTEGRITY MISMATCH", None: "integrity ?"}[r.integrity_ok]
        )
    if r.error:
        return f"{r.label}  ERROR: {r.error}"
    extra = f"  [{', '.join(marks)}]" if marks else ""
    return f"{r.label}  {r.size} B  sha256:{r.digest[:16]}…{extra}"


def parse_headers(values: list[str]) -> dict[str, str]:
    """ "Name: value" strings → a dict. :raises ValueError: for a form without a colon."""
    headers: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition(":")
        if not sep or not name.strip():
            raise ValueError(f'header {quote(value)} must have the form "Name: value"')
        headers[name.strip()] = text.strip()
    return headers


# -- stored trackers ------------------------------------------------------------------------------


def _with_service(args: argparse.Namespace, work: Callable[[TrackerService], Awaitable[T]]) -> T:
    data_dir = ensure_data_dir(resolve_data_dir(args.data_dir))
    from desktop_tracker.cli.run import LOG_NAME, configure_logging

    # The log file of the data directory; on the terminal only warnings (output stays clean).
    configure_logging(data_dir / LOG_NAME, verbose=False, console=logging.WARNING)
    database = Database(data_dir / DATABASE_NAME)

    async def run() -> T:
        return await work(TrackerService(database))

    try:
        return asyncio.run(run())
    finally:
        database.close()


def _guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn the errors of stored-tracker commands into messages and exit codes."""

    def guarded(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except (InvalidTracker, DuplicateTracker, ImportRefused, ValueError) as error:
            prefix = f"{error.field}: " if isinstance(error, InvalidTracker) else ""
            return fail(prefix + str(error), EXIT_USAGE)
        except (UnknownTracker, StoreError, DataDirError, ExportFailed, OSError) as error:
            return fail(str(error), EXIT_FAILED)

    return guarded


@_guarded
def add_command(args: argparse.Namespace) -> int:
    try:
        retry: RetryStrategy = parse_retry(args.retry)
        parse_schedule(args.schedule, args.tz)
    except (InvalidRetryStrategy, InvalidSchedule) as error:
        return fail(str(error), EXIT_USAGE)
    tracker = Tracker(
        name=args.name,
        url=args.url,
        revisions=args.revisions,
        headers=parse_headers(args.header),
        schedule=args.schedule,
        timezone=args.tz or "",
        retry=retry,
        notify=not args.no_notify,
        ignore=tuple(args.ignore),
        verify_tls=not args.insecure,
    )
    saved = _with_service(args, lambda service: service.add(tracker))
    described = parse_schedule(saved.schedule, saved.timezone).describe()
    print(f"added tracker {saved.name!r} ({described})")
    if not saved.verify_tls:
        print(f"{TLS_OFF_WARNING} for {saved.name!r}", file=sys.stderr)
    return EXIT_OK


@_guarded
def list_command(args: argparse.Namespace) -> int:
    async def work(service: TrackerService) -> list[dict[str, Any]]:
        return [
            {
                "id": row.tracker.id,
                "name": row.tracker.name,
                "kind": row.tracker.kind.value,
                "url": row.tracker.url,
                "schedule": row.tracker.schedule,
                "timezone": row.tracker.timezone,
                "description": parse_schedule(
                    row.tracker.schedule, row.tracker.timezone
                ).describe(),
                "revisions": row.tracker.revisions,
                "enabled": row.tracker.enabled,
                "verify_tls": row.tracker.verify_tls,
                "next_check": _iso(row.next_check),
                "last_check": _run_json(row.last_run) if row.last_run else None,
                "unread": row.unread,
            }
            for row in await service.overview()
        ]

    rows = _with_service(args, work)
    if args.json:
        print(json.dumps(rows))
        return EXIT_OK
    if not rows:
        print("no trackers yet: add one with `desktop-tracker add URL --name NAME`")
    for row in rows:
        last = row["last_check"]
        last_text = f"{last['outcome']} {last['started_at']}" if last else "never checked"
        print(
            f"{row['name']}  {row['url']}\n    {row['description']}; next: "
            f"{row['next_check'] or '—'}; last: {last_text}"
        )
        if not row["verify_tls"]:
            print(f"    {TLS_OFF_MARK}")
    return EXIT_OK


@_guarded
def history_command(args: argparse.Namespace) -> int:
    async def work(service: TrackerService) -> tuple[Tracker, list[HistoryEntry], list[RunRecord]]:
        tracker = await service.find(args.name)
        assert tracker.id is not None
        return tracker, await service.history(tracker.id), await service.runs(tracker)

    tracker, entries, runs = _with_service(args, work)
    if args.json:
        print(
            json.dumps(
                {
                    "tracker": {"id": tracker.id, **tracker.to_json()},
                    "revisions": [_revision_json(entry) for entry in entries],
                    "runs": [_run_json(run) for run in runs],
                }
            )
        )
        return EXIT_OK
    print(f"{tracker.name}  {tracker.url}")
    if not tracker.verify_tls:
        print(f"  {TLS_OFF_MARK}")
    if not entries:
        print("  no revisions yet")
    for entry in entries:
        revision = entry.revision
        what = entry.diff.summary() if entry.diff else "baseline"
        print(
            f"  revision {revision.id}  {_iso(revision.created_at)}  "
            f"{len(revision.resources)} resources  ({what})"
        )
        if entry.diff:
            for change in entry.diff.changes:
                print(f"    {change.change:8} {change.resource.label}")
            for finding in entry.diff.findings:
                print(f"    ! {finding.message}")
    print(f"  runs ({len(runs)}):")
    for run in runs[:20]:
        error = f" — {run.error}" if run.error else ""
        print(f"    {_iso(run.started_at)}  {run.outcome.value}  attempt {run.attempt}{error}")
    return EXIT_OK


@_guarded
def remove_command(args: argparse.Namespace) -> int:
    async def work(service: TrackerService) -> Tracker:
        tracker = await service.find(args.name)
        assert tracker.id is not None
        await service.remove(tracker.id)
        return tracker

    removed = _with_service(args, work)
    print(f"removed tracker {removed.name!r} and its history")
    return EXIT_OK


@_guarded
def export_command(args: argparse.Namespace) -> int:
    data = _with_service(args, lambda service: service.export())
    text = export_text(data)
    if args.file and args.file != "-":
        write_export(Path(args.file), text)  # readable by you alone: it holds the headers
        print(f"exported {len(data['trackers'])} trackers to {args.file}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


@_guarded
def import_command(args: argparse.Namespace) -> int:
    if args.file == "-":
        data = decode_export(sys.stdin.buffer.read(MAX_EXPORT_BYTES + 1), "standard input")
    else:
        data = read_export_file(Path(args.file))
    imported = _with_service(args, lambda service: service.import_(data))
    print(f"imported {len(imported)} trackers")
    return EXIT_OK


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def _run_json(run: RunRecord) -> dict[str, Any]:
    return {
        "planned_at": _iso(run.planned_at),
        "started_at": _iso(run.started_at),
        "ended_at": _iso(run.ended_at),
        "outcome": run.outcome.value,
        "error": run.error,
        "attempt": run.attempt,
    }


def _revision_json(entry: HistoryEntry) -> dict[str, Any]:
    revision = entry.revision
    return {
        "id": revision.id,
        "created_at": _iso(revision.created_at),
        "final_url": revision.final_url,
        "status": revision.status,
        "scripts": [r.to_json() for r in revision.resources if r.kind == "script"],
        "styles": [r.to_json() for r in revision.resources if r.kind == "stylesheet"],
        "diff": entry.diff.to_json() if entry.diff else None,
    }
