"""`desktop-tracker edit NAME …`: change what is given of a stored tracker, nothing else, and say
what changed."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from desktop_tracker.cli.common import (
    EXIT_OK,
    RETRY_HELP,
    SCHEDULE_HELP,
    TLS_OFF_WARNING,
    WHICH_KIND_HELP,
    Parsers,
    UsageError,
    data_dir_option,
    header_option,
    kind_option,
    misplaced_option,
    parse_headers,
    tracker_rule_options,
    whole_number,
)
from desktop_tracker.cli.services import guarded, tracker_named, with_trackers
from desktop_tracker.core.quoting import quote
from desktop_tracker.core.retry import RetryStrategy, parse_retry
from desktop_tracker.core.schedules import parse_schedule
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.domain.urls import complete_url
from desktop_tracker.service.trackers import TrackerService


def add_parsers(commands: Parsers) -> None:
    edit = commands.add_parser(
        "edit",
        description="Change what is given, nothing else, checked as add checks it, and say "
        "what changed. Repeatable options add to what the tracker has; --clear-… first "
        "drops it (--clear-mask --mask X: X alone). The kind stays: add a tracker of the "
        "other kind instead. The schedule starts again from now.",
    )
    edit.add_argument("name", metavar="NAME")
    kind_option(edit, WHICH_KIND_HELP)
    edit.add_argument("--name", dest="new_name", metavar="NEW", help="rename it")
    edit.add_argument("--url", metavar="URL", help="check another page")
    edit.add_argument("--schedule", metavar="EXPR", help=SCHEDULE_HELP)
    edit.add_argument("--tz", metavar="ZONE", help="IANA time zone")
    edit.add_argument("--revisions", type=whole_number, metavar="N", help="revisions kept (1-100)")
    edit.add_argument("--retry", metavar="SPEC", help=RETRY_HELP)
    header_option(
        edit, "set a request header (repeatable; replaces one of the same name); never printed"
    )
    edit.add_argument("--clear-headers", action="store_true", help="drop its request headers first")
    tracker_rule_options(edit, editing=True)
    _switch(
        edit, "notify", "--notify", "--no-notify", "notify on change and failure", "do not notify"
    )
    _switch(
        edit,
        "verify_tls",
        "--verify-tls",
        "--insecure",
        "verify TLS certificates",
        "do not verify TLS certificates",
    )
    data_dir_option(edit)
    edit.set_defaults(handler=edit_command)


def _switch(
    parser: argparse.ArgumentParser, dest: str, on: str, off: str, on_help: str, off_help: str
) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(on, dest=dest, action="store_const", const=True, default=None, help=on_help)
    group.add_argument(off, dest=dest, action="store_const", const=False, help=off_help)


# -- edit -----------------------------------------------------------------------------------------


@guarded
def edit_command(args: argparse.Namespace) -> int:
    async def work(service: TrackerService) -> tuple[Tracker, Tracker]:
        tracker = await tracker_named(service, args.name, args.kind)
        changed = edited(tracker, args).validated()
        if changed == tracker:
            return tracker, tracker
        return tracker, await service.update(changed)

    before, after = with_trackers(args, work)
    lines = describe_changes(before, after)
    if not lines:
        print(f"nothing changed: {after.name!r} already is as given")
        return EXIT_OK
    print(f"changed {before.kind} tracker {before.name!r}:")
    for line in lines:
        print(f"  {line}")
    if before.verify_tls and not after.verify_tls:
        print(f"{TLS_OFF_WARNING} for {after.name!r}", file=sys.stderr)
    return EXIT_OK


def edited(tracker: Tracker, args: argparse.Namespace) -> Tracker:
    """The tracker with what `edit` was given. :raises UsageError: for nothing to change, or
    an option of another kind. :raises InvalidSchedule, InvalidRetryStrategy:"""
    changes: dict[str, Any] = {}
    for field_name, value in (
        ("name", args.new_name),
        ("url", None if args.url is None else complete_url(args.url)),
        ("schedule", args.schedule),
        ("timezone", args.tz),
        ("revisions", args.revisions),
        ("notify", args.notify),
        ("verify_tls", args.verify_tls),
    ):
        if value is not None:
            changes[field_name] = value
    if args.schedule is not None or args.tz is not None:
        # Said in the schedule's own words ("the day-of-month field …"), not as "schedule: …".
        parse_schedule(changes.get("schedule", tracker.schedule), args.tz or tracker.timezone)
    if args.retry is not None:
        changes["retry"] = parse_retry(args.retry)
    if args.clear_headers or args.header:
        headers = {} if args.clear_headers else dict(tracker.headers)
        for name, value in parse_headers(args.header).items():
            for same in [key for key in headers if key.lower() == name.lower()]:
                del headers[same]  # header names are not case-sensitive: one of each
            headers[name] = value
        changes["headers"] = headers
    for field_name, clear, added in (
        ("ignore", args.clear_ignore, args.ignore),
        ("mask", args.clear_mask, args.mask),
    ):
        if clear or added:
            rules = [] if clear else list(getattr(tracker, field_name))
            rules += [rule for rule in added if rule not in rules]
            changes[field_name] = tuple(rules)
    options = _kind_options_edited(tracker, args)
    misplaced = misplaced_option(tracker.kind, options)
    if misplaced is not None:
        flag, option_kind = misplaced
        raise UsageError(
            f"{flag} is for {option_kind} trackers, and {quote(tracker.name)} is a "
            f"{tracker.kind} tracker"
        )
    if options:
        changes["options"] = {**tracker.options, **options}
    if not changes:
        raise UsageError(
            "say what to change, e.g. --schedule EXPR, --url URL or --mask REGEX "
            "(desktop-tracker edit --help lists them all)"
        )
    return replace(tracker, **changes)


def _kind_options_edited(tracker: Tracker, args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if args.selector is not None:
        options["selector"] = args.selector
    if args.no_selector:
        options["selector"] = None
    if args.additions_only is not None:
        options["additions_only"] = args.additions_only
    if args.watch_header or args.clear_watch_headers:
        names = [] if args.clear_watch_headers else list(tracker.options.get("headers", []))
        names += [name for name in args.watch_header if name not in names]
        options["headers"] = names
    return options


def describe_changes(before: Tracker, after: Tracker) -> list[str]:
    """What differs between two versions of a tracker, a line each ("schedule: manual →
    every 15 minutes"); request headers by name alone."""
    lines = []
    for label, old, new in (
        ("name", repr(before.name), repr(after.name)),
        ("url", before.url, after.url),
        ("schedule", before.schedule, after.schedule),
        ("time zone", before.timezone, after.timezone),
        ("revisions kept", str(before.revisions), str(after.revisions)),
        ("retry", describe_retry(before.retry), describe_retry(after.retry)),
        ("request headers", _header_names(before.headers), _header_names(after.headers)),
        ("ignore rules", _rules(before.ignore), _rules(after.ignore)),
        ("mask rules", _rules(before.mask), _rules(after.mask)),
        *(
            (label, _option(before.options, key), _option(after.options, key))
            for key, label in (
                ("selector", "selector"),
                ("additions_only", "notify on additions only"),
                ("headers", "headers watched besides the security headers"),
            )
        ),
        ("notify", _yes(before.notify), _yes(after.notify)),
        ("verify TLS certificates", _yes(before.verify_tls), _yes(after.verify_tls)),
    ):
        if old != new:
            lines.append(f"{label}: {old} → {new}")
    if (before.schedule, before.timezone) != (after.schedule, after.timezone):
        words = parse_schedule(after.schedule, after.timezone).describe()
        lines.append(f"it now runs: {words}")
    if before.headers != after.headers and _header_names(before.headers) == _header_names(
        after.headers
    ):
        lines.append(f"request headers: new values for {_header_names(after.headers)}")
    return lines


def _header_names(headers: dict[str, str]) -> str:
    return ", ".join(headers) + " (values not shown)" if headers else "none"


def _rules(rules: Sequence[str]) -> str:
    return " ".join(quote(rule) for rule in rules) if rules else "none"


def _option(options: dict[str, Any], key: str) -> str:
    if key not in options:
        return "—"
    value = options[key]
    if isinstance(value, bool):
        return _yes(value)
    if isinstance(value, list):
        return ", ".join(value) or "none"
    return "none (the whole page)" if value is None else quote(str(value))


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def describe_retry(retry: RetryStrategy) -> str:
    if retry.strategy == "none":
        return "none"
    waits = ", ".join(_duration(delay) for delay in retry.delays())
    return f"{retry.strategy}, {retry.attempts} attempts (waits {waits})"


def _duration(seconds: float) -> str:
    whole = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole >= size:
            parts.append(f"{whole // size}{unit}")
            whole %= size
    if whole or not parts:
        parts.append(f"{whole}s")
    return "".join(parts)
