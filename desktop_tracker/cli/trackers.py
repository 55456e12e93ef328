"""Stored trackers: add, list, remove, pause and resume (`edit` is in cli/edit.py)."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from typing import Any

from desktop_tracker.cli.common import (
    EXIT_OK,
    RETRY_HELP,
    SCHEDULE_HELP,
    TLS_OFF_MARK,
    TLS_OFF_WARNING,
    WHICH_KIND_HELP,
    Parsers,
    UsageError,
    data_dir_option,
    header_option,
    iso,
    kind_help,
    kind_option,
    misplaced_option,
    parse_headers,
    redacted_headers,
    run_json,
    tracker_rule_options,
    whole_number,
)
from desktop_tracker.cli.services import guarded, tracker_named, with_trackers
from desktop_tracker.core.retry import RetryStrategy, parse_retry
from desktop_tracker.core.schedules import parse_schedule
from desktop_tracker.domain.trackers import REVISIONS_DEFAULT, Tracker
from desktop_tracker.domain.urls import complete_url
from desktop_tracker.kinds.registry import DEFAULT_KIND
from desktop_tracker.service.trackers import TrackerService


def add_parsers(commands: Parsers) -> None:
    add = commands.add_parser(
        "add",
        description="Add a tracker: a page checked on a schedule, one of three kinds. "
        "resources: its scripts and stylesheets, fingerprinted; content: its text (or the "
        "text of the elements --selector matches); headers: its security headers, cookie "
        "flags and CSP, judged.",
    )
    add.add_argument("url", metavar="URL")
    add.add_argument("--name", required=True, help="what you call it (1-100 characters)")
    kind_option(add, kind_help())
    add.add_argument(
        "--schedule", default="manual", metavar="EXPR", help=f"{SCHEDULE_HELP} (default: manual)"
    )
    add.add_argument("--tz", metavar="ZONE", help="IANA time zone (default: the system's)")
    add.add_argument(
        "--revisions",
        type=whole_number,
        default=REVISIONS_DEFAULT,
        metavar="N",
        help=f"revisions kept (1-100, default {REVISIONS_DEFAULT})",
    )
    header_option(add)
    add.add_argument("--retry", metavar="SPEC", default="none", help=RETRY_HELP)
    tracker_rule_options(add, editing=False)
    add.add_argument("--no-notify", action="store_true", help="do not notify on change/failure")
    add.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    data_dir_option(add)
    add.set_defaults(handler=add_command)

    listing = commands.add_parser("list")
    listing.add_argument("--json", action="store_true", help="print JSON")
    data_dir_option(listing)
    listing.set_defaults(handler=list_command)

    remove = commands.add_parser("remove")
    remove.add_argument("name", metavar="NAME")
    kind_option(remove, WHICH_KIND_HELP)
    data_dir_option(remove)
    remove.set_defaults(handler=remove_command)

    for command, words in (("pause", "stop checking"), ("resume", "check again on schedule")):
        parser = commands.add_parser(command, description=f"{words.capitalize()}.")
        parser.add_argument("name", metavar="NAME", nargs="?")
        parser.add_argument("--all", action="store_true", help="every tracker (of --kind)")
        kind_option(parser, WHICH_KIND_HELP + "; with --all, those of this kind")
        data_dir_option(parser)
        parser.set_defaults(handler=pause_command if command == "pause" else resume_command)


# -- add ------------------------------------------------------------------------------------------


@guarded
def add_command(args: argparse.Namespace) -> int:
    kind = args.kind or DEFAULT_KIND
    retry: RetryStrategy = parse_retry(args.retry)  # its own message, not "retry: …"
    parse_schedule(args.schedule, args.tz)
    options = _kind_options_given(args)
    misplaced = misplaced_option(kind, options)
    if misplaced is not None:
        flag, option_kind = misplaced
        said = "" if args.kind else " (the default kind)"
        raise UsageError(
            f"{flag} is for {option_kind} trackers, not {kind} ones{said}: add --kind {option_kind}"
        )
    tracker = Tracker(
        name=args.name,
        url=complete_url(args.url),
        kind=kind,
        revisions=args.revisions,
        headers=parse_headers(args.header),
        schedule=args.schedule,
        timezone=args.tz or "",
        retry=retry,
        notify=not args.no_notify,
        ignore=tuple(args.ignore),
        mask=tuple(args.mask),
        options=options,
        verify_tls=not args.insecure,
    )
    saved = with_trackers(args, lambda service: service.add(tracker))
    described = parse_schedule(saved.schedule, saved.timezone).describe()
    print(f"added {saved.kind} tracker {saved.name!r} ({described})")
    if not saved.verify_tls:
        print(f"{TLS_OFF_WARNING} for {saved.name!r}", file=sys.stderr)
    return EXIT_OK


def _kind_options_given(args: argparse.Namespace) -> dict[str, Any]:
    """The kinds' own options given to `add`, by option name."""
    options: dict[str, Any] = {}
    if args.selector is not None:
        options["selector"] = args.selector
    if args.additions_only is not None:
        options["additions_only"] = args.additions_only
    if args.watch_header:
        options["headers"] = list(args.watch_header)
    return options


# -- list -----------------------------------------------------------------------------------------


@guarded
def list_command(args: argparse.Namespace) -> int:
    async def work(service: TrackerService) -> list[dict[str, Any]]:
        return [
            {
                "id": row.tracker.id,
                "name": row.tracker.name,
                "kind": row.tracker.kind,
                "url": row.tracker.url,
                "schedule": row.tracker.schedule,
                "timezone": row.tracker.timezone,
                "description": parse_schedule(
                    row.tracker.schedule, row.tracker.timezone
                ).describe(),
                "revisions": row.tracker.revisions,
                "enabled": row.tracker.enabled,
                "notify": row.tracker.notify,
                "verify_tls": row.tracker.verify_tls,
                "headers": redacted_headers(row.tracker.headers),
                "ignore": list(row.tracker.ignore),
                "mask": list(row.tracker.mask),
                "options": dict(row.tracker.options),
                "next_check": iso(row.next_check),
                "last_check": run_json(row.last_run) if row.last_run else None,
                "unread": row.unread,
            }
            for row in await service.overview()
        ]

    rows = with_trackers(args, work)
    if args.json:
        print(json.dumps(rows))
        return EXIT_OK
    if not rows:
        print("no trackers yet: add one with `desktop-tracker add URL --name NAME`")
    for row in rows:
        last = row["last_check"]
        last_text = f"{last['outcome']} {last['started_at']}" if last else "never checked"
        paused = "paused; " if not row["enabled"] else ""
        unread = f"; {row['unread']} unread" if row["unread"] else ""
        print(
            f"{row['name']}  [{row['kind']}]  {row['url']}\n    {paused}{row['description']}; "
            f"next: {row['next_check'] or '—'}; last: {last_text}{unread}"
        )
        if not row["verify_tls"]:
            print(f"    {TLS_OFF_MARK}")
    return EXIT_OK


# -- remove, pause, resume ------------------------------------------------------------------------


@guarded
def remove_command(args: argparse.Namespace) -> int:
    async def work(service: TrackerService) -> Tracker:
        tracker = await tracker_named(service, args.name, args.kind)
        assert tracker.id is not None
        await service.remove(tracker.id)
        return tracker

    removed = with_trackers(args, work)
    print(f"removed {removed.kind} tracker {removed.name!r} and its history")
    return EXIT_OK


@guarded
def pause_command(args: argparse.Namespace) -> int:
    return _set_enabled(args, False)


@guarded
def resume_command(args: argparse.Namespace) -> int:
    return _set_enabled(args, True)


def _set_enabled(args: argparse.Namespace, enabled: bool) -> int:
    verb = "resume" if enabled else "pause"
    if args.all and args.name is not None:
        raise UsageError(f"{verb} NAME or {verb} --all, not both")
    if not args.all and args.name is None:
        raise UsageError(f"say which tracker: {verb} NAME, or {verb} --all")

    async def work(service: TrackerService) -> tuple[list[Tracker], list[Tracker]]:
        if args.all:
            targets = [t for t in await service.all() if args.kind in (None, t.kind)]
        else:
            targets = [await tracker_named(service, args.name, args.kind)]
        done, already = [], []
        for tracker in targets:
            if tracker.enabled == enabled:
                already.append(tracker)
            else:
                assert tracker.id is not None
                done.append(await service.set_enabled(tracker.id, enabled))
        return done, already

    done, already = with_trackers(args, work)
    state = "active" if enabled else "paused"
    past = "resumed" if enabled else "paused"
    if not done and not already:
        kind = f"{args.kind} " if args.kind else ""
        print(f"no {kind}trackers to {verb}")
    for tracker in done:
        if enabled:
            words = parse_schedule(tracker.schedule, tracker.timezone).describe()
            print(f"{past} {tracker.name!r}: {words}")
        else:
            again = f"desktop-tracker resume {shlex.quote(tracker.name)}"
            print(f"{past} {tracker.name!r}: not checked until `{again}`")
    for tracker in already:
        print(f"{tracker.name!r} is already {state}")
    return EXIT_OK
