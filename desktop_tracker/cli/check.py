"""`desktop-tracker check URL` (once, writing nothing) and `check NAME` (a stored tracker, now)."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from desktop_tracker.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    TLS_OFF_WARNING,
    Parsers,
    UsageError,
    data_dir_option,
    fail,
    header_option,
    kind_help,
    kind_option,
    parse_headers,
)
from desktop_tracker.cli.services import guarded, tracker_named, with_trackers
from desktop_tracker.domain.tracker_store import UnknownTracker
from desktop_tracker.domain.trackers import InvalidTracker, Tracker
from desktop_tracker.domain.urls import ALLOWED_SCHEMES, OTHER_SCHEMES
from desktop_tracker.kinds.base import CheckError, Finding
from desktop_tracker.kinds.registry import DEFAULT_KIND, kind_for
from desktop_tracker.service.app import check_page
from desktop_tracker.service.trackers import CheckOutcome, RevisionSaved, TrackerService

TARGET_RULE = (
    "TARGET is a URL when it has :// in it or starts with a URL scheme (https:, http:, file:, "
    "javascript:, data: …) and has no spaces; anything else is the NAME of a stored tracker. "
    "--name NAME always names one."
)


def add_parsers(commands: Parsers) -> None:
    check = commands.add_parser(
        "check",
        description="check URL: fetch the page once and print what its kind finds; nothing "
        "is written, no data directory is used. check NAME: check a stored tracker now, keep "
        "a revision if it changed, and say what changed (exit 1 with the reason when the "
        "check fails). " + TARGET_RULE,
    )
    check.add_argument("target", metavar="TARGET", nargs="?", help="URL or NAME")
    check.add_argument("--name", metavar="NAME", help="check the stored tracker named NAME")
    kind_option(
        check,
        kind_help() + "; with a NAME: when trackers of different kinds share it, which one",
    )
    check.add_argument(
        "--selector",
        metavar="CSS",
        help="with --kind content: the text of the elements this CSS selector matches",
    )
    check.add_argument(
        "--watch-header",
        action="append",
        default=[],
        metavar="NAME",
        help="with --kind headers: show this response header too (repeatable)",
    )
    header_option(check)
    check.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    check.add_argument("--json", action="store_true", help="print JSON")
    data_dir_option(check)
    check.set_defaults(handler=check_command)


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_SCHEMES = frozenset(ALLOWED_SCHEMES) | OTHER_SCHEMES


def is_url(target: str) -> bool:
    """Whether `check TARGET` means a URL rather than a stored tracker's name (TARGET_RULE)."""
    if "://" in target:
        return True
    scheme = _SCHEME.match(target.strip())
    return (
        scheme is not None
        and scheme.group(1).lower() in _SCHEMES
        and not any(c.isspace() for c in target.strip())
    )


def check_command(args: argparse.Namespace) -> int:
    if args.name is not None and args.target is not None:
        return fail("check a URL or --name NAME, not both", EXIT_USAGE)
    if args.name is None and args.target is None:
        return fail("say what to check: a URL, or the NAME of a tracker", EXIT_USAGE)
    if args.name is None and is_url(args.target):
        return check_url(args)
    return check_stored(args, args.name if args.name is not None else args.target)


# -- check URL ------------------------------------------------------------------------------------


def check_url(args: argparse.Namespace) -> int:
    kind = kind_for(args.kind or DEFAULT_KIND)
    options: dict[str, Any] = {}
    if args.selector is not None:
        if kind.name != "content":
            return fail(
                "--selector goes with --kind content: it picks the text a content check reads",
                EXIT_USAGE,
            )
        options["selector"] = args.selector
    if args.watch_header:
        if kind.name != "headers":
            return fail("--watch-header goes with --kind headers", EXIT_USAGE)
        options["headers"] = list(args.watch_header)
    try:
        headers = parse_headers(args.header)
        tracker = Tracker(
            name="check",
            url=args.target,
            kind=kind.name,
            headers=headers,
            options=options,
            verify_tls=not args.insecure,
        ).validated()
    except UsageError as error:
        return fail(str(error), EXIT_USAGE)
    except InvalidTracker as error:
        if error.field == "url":  # as a page that cannot be fetched
            return fail(str(error), EXIT_FAILED)
        return fail(f"{error.field}: {error}", EXIT_USAGE)
    if args.insecure:
        print(TLS_OFF_WARNING, file=sys.stderr)
    try:
        checked = asyncio.run(check_page(tracker))
    except CheckError as error:
        return fail(str(error), EXIT_FAILED)
    data = kind.check_json(checked.page, checked.snapshot, tracker.options)
    if args.json:
        print(json.dumps(data))
    else:
        for line in CHECK_TEXT[kind.name](data):
            print(line)
    return EXIT_OK


def resources_text(data: Mapping[str, Any]) -> list[str]:
    lines = [f"{data['final_url']} — {data['status']}"]
    for title, kind, resources in (
        ("Scripts", "script", data["scripts"]),
        ("Stylesheets", "stylesheet", data["styles"]),
    ):
        lines.append(f"{title} ({len(resources)}):")
        lines += [f"  {_describe_resource(kind, r)}" for r in resources]
    return lines


def _describe_resource(kind: str, r: Mapping[str, Any]) -> str:
    label = r["url"] if r["url"] is not None else f"inline {kind} {r['digest'][:12]}"
    if r["error"]:
        return f"{label}  ERROR: {r['error']}"
    marks = []
    if r["third_party"]:
        marks.append("third-party")
    if r["integrity"]:
        marks.append(
            {True: "integrity ok", False: "INTEGRITY MISMATCH", None: "integrity ?"}[
                r["integrity_ok"]
            ]
        )
    extra = f"  [{', '.join(marks)}]" if marks else ""
    return f"{label}  {r['size']} B  sha256:{r['digest'][:16]}…{extra}"


def content_text(data: Mapping[str, Any]) -> list[str]:
    text = data["text"].splitlines()
    count = sum(1 for line in text if line.strip())  # matches of a selector: a blank between
    what = f"the text of {data['selector']}" if data["selector"] else "the page's text"
    return [f"{data['final_url']} — {data['status']}", f"{what} ({count} lines):", *text]


def headers_text(data: Mapping[str, Any]) -> list[str]:
    lines = [f"{data['final_url']} — {data['status']}", f"Headers ({len(data['headers'])}):"]
    lines += [f"  {name}: {value}" for name, value in data["headers"].items()]
    lines.append(f"Cookies ({len(data['cookies'])}, values never kept):")
    for cookie in data["cookies"]:
        flags = [
            "Secure" if cookie["secure"] else "not Secure",
            "HttpOnly" if cookie["httponly"] else "not HttpOnly",
            f"SameSite={cookie['samesite']}" if cookie["samesite"] else "no SameSite",
        ]
        lines.append(f"  {cookie['name']}  {', '.join(flags)}")
    lines.append(f"Content-Security-Policy ({len(data['csp'])}):")
    for policy in data["csp"]:
        lines.append(f"  from the {policy['source']}:")
        lines += [
            f"    {name} {' '.join(values)}".rstrip()
            for name, values in policy["directives"].items()
        ]
    lines.append(f"Findings ({len(data['findings'])}):")
    lines += [f"  {f['severity']:7} {f['message']}" for f in data["findings"]]
    return lines


CHECK_TEXT = {"resources": resources_text, "content": content_text, "headers": headers_text}


# -- check NAME -----------------------------------------------------------------------------------


def check_stored(args: argparse.Namespace, name: str) -> int:
    for given, flag in (
        (args.selector is not None, "--selector"),
        (bool(args.watch_header), "--watch-header"),
        (bool(args.header), "--header"),
        (args.insecure, "--insecure"),
    ):
        if given:
            return fail(
                f"{flag} is for checking a URL; {name!r} is checked with its own settings "
                f"(change them with `desktop-tracker edit`)",
                EXIT_USAGE,
            )
    return _check_stored(args, name)


@guarded
def _check_stored(args: argparse.Namespace, name: str) -> int:
    async def work(service: TrackerService) -> tuple[CheckOutcome, bool]:
        tracker = await tracker_named(service, name, args.kind)
        assert tracker.id is not None
        saved: list[RevisionSaved] = []
        stop = service.events.subscribe(
            lambda event: saved.append(event) if isinstance(event, RevisionSaved) else None
        )
        try:
            outcome = await service.check_once(tracker.id)
        finally:
            stop()
        baseline = any(e.baseline for e in saved if e.revision_id == outcome.revision_id)
        return outcome, baseline

    try:
        outcome, baseline = with_trackers(args, work)
    except CheckError as error:
        return fail(f"the check of {name!r} failed: {error}", EXIT_FAILED)
    except UnknownTracker as error:
        if "." in name and not any(c.isspace() for c in name):
            hint = "; to check a page, write its address with https:// in front"
            return fail(f"{error}{hint}", EXIT_FAILED)
        raise
    tracker, kind = outcome.tracker, kind_for(outcome.tracker.kind)
    diff = outcome.diff if outcome.revision_id is not None else None
    if args.json:
        checked = outcome.checked
        print(
            json.dumps(
                {
                    "tracker": tracker.name,
                    "kind": tracker.kind,
                    "revision_id": outcome.revision_id,
                    "baseline": baseline,
                    "summary": _summary(outcome, baseline),
                    "diff": diff.to_json() if diff is not None and not baseline else None,
                    "check": kind.check_json(checked.page, checked.snapshot, tracker.options),
                }
            )
        )
        return EXIT_OK
    print(f"{tracker.name}: {_summary(outcome, baseline)}")
    if baseline:
        for finding in kind.findings(outcome.checked.snapshot):
            print(f"  {finding.severity}: {finding.message}")
    elif diff is not None:
        for line in diff.details():
            print(f"  {line}")
        for line in weakness_lines(diff.findings):
            print(f"  {line}")
    return EXIT_OK


def _summary(outcome: CheckOutcome, baseline: bool) -> str:
    if outcome.revision_id is None or outcome.diff is None:
        return "no change since the last check"
    if baseline:
        return f"first check: baseline kept (revision {outcome.revision_id})"
    return f"{outcome.diff.summary()} (revision {outcome.revision_id})"


def weakness_lines(findings: Sequence[Finding]) -> list[str]:
    """What got weaker with a change, as its notification says it."""
    return [f"New weakness: {finding.message}" for finding in findings]
