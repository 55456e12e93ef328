"""What trackers found: `history NAME` (revisions, diffs, findings, runs) and `notifications`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import Any

from desktop_tracker.cli.check import weakness_lines
from desktop_tracker.cli.common import (
    EXIT_OK,
    TLS_OFF_MARK,
    WHICH_KIND_HELP,
    Parsers,
    data_dir_option,
    iso,
    kind_option,
    run_json,
    tracker_json,
)
from desktop_tracker.cli.services import guarded, tracker_named, with_trackers
from desktop_tracker.core.jobs import RunRecord
from desktop_tracker.domain.revisions import Notification
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.kinds.base import Finding
from desktop_tracker.kinds.registry import kind_for
from desktop_tracker.service.trackers import HistoryEntry, TrackerService

RUNS_SHOWN = 20  # in the text form; --json has them all (the last 100)


def add_parsers(commands: Parsers) -> None:
    history = commands.add_parser(
        "history",
        description="A tracker's kept revisions, newest first, each with its diff against the "
        "one before and what is weak in it; then its runs. Request header values are "
        "never printed (export writes them).",
    )
    history.add_argument("name", metavar="NAME")
    kind_option(history, WHICH_KIND_HELP)
    history.add_argument("--json", action="store_true", help="print JSON")
    data_dir_option(history)
    history.set_defaults(handler=history_command)

    notifications = commands.add_parser(
        "notifications",
        description="The notifications kept (changes, failures, recoveries), newest first.",
    )
    notifications.add_argument("--unread", action="store_true", help="only those not read")
    notifications.add_argument("--json", action="store_true", help="print JSON")
    notifications.add_argument(
        "--mark-read", action="store_true", help="then mark the ones listed as read"
    )
    data_dir_option(notifications)
    notifications.set_defaults(handler=notifications_command)


# -- history --------------------------------------------------------------------------------------

History = tuple[Tracker, list[HistoryEntry], list[list[Finding]], list[RunRecord]]


@guarded
def history_command(args: argparse.Namespace) -> int:
    async def work(service: TrackerService) -> History:
        tracker = await tracker_named(service, args.name, args.kind)
        assert tracker.id is not None
        entries = await service.history(tracker.id)
        findings = [service.findings(entry.revision) for entry in entries]
        return tracker, entries, findings, await service.runs(tracker)

    tracker, entries, findings, runs = with_trackers(args, work)
    if args.json:
        print(
            json.dumps(
                {
                    "tracker": tracker_json(tracker),
                    "revisions": [
                        revision_json(entry, found)
                        for entry, found in zip(entries, findings, strict=True)
                    ],
                    "runs": [run_json(run) for run in runs],
                }
            )
        )
        return EXIT_OK
    print(f"{tracker.name}  [{tracker.kind}]  {tracker.url}")
    if not tracker.verify_tls:
        print(f"  {TLS_OFF_MARK}")
    if not tracker.enabled:
        print("  paused")
    if not entries:
        print("  no revisions yet")
    for entry in entries:
        revision = entry.revision
        what = entry.diff.summary() if entry.diff else "baseline"
        contents = _contents(
            revision.kind, kind_for(revision.kind).revision_json(revision.snapshot)
        )
        print(
            f"  revision {revision.id}  {iso(revision.created_at)}  {revision.status}  "
            f"{contents}  ({what})"
        )
        if entry.diff:
            for line in entry.diff.details():
                print(f"    {line}")
            for line in weakness_lines(entry.diff.findings):
                print(f"    ! {line}")
    print(f"  runs ({len(runs)}):")
    for run in runs[:RUNS_SHOWN]:
        error = f" — {run.error}" if run.error else ""
        print(f"    {iso(run.started_at)}  {run.outcome.value}  attempt {run.attempt}{error}")
    return EXIT_OK


def revision_json(entry: HistoryEntry, findings: list[Finding]) -> dict[str, Any]:
    """A revision in `history --json`: what every kind has, then its kind's own fields (for
    resources "scripts" and "styles"), its diff against the one before and its findings."""
    revision = entry.revision
    return {
        "id": revision.id,
        "created_at": iso(revision.created_at),
        "kind": revision.kind,
        "final_url": revision.final_url,
        "status": revision.status,
        **kind_for(revision.kind).revision_json(revision.snapshot),
        "diff": entry.diff.to_json() if entry.diff else None,
        "findings": [finding.to_json() for finding in findings],
    }


def _contents(kind: str, data: Mapping[str, Any]) -> str:
    """What a revision holds, in a few words."""
    if kind == "resources":
        return f"{len(data['scripts']) + len(data['styles'])} resources"
    if kind == "content":
        return f"{len(data['text'].splitlines())} lines of text"
    if kind == "headers":
        return f"{len(data['headers'])} headers, {len(data['cookies'])} cookies"
    return kind


# -- notifications --------------------------------------------------------------------------------


@guarded
def notifications_command(args: argparse.Namespace) -> int:
    async def work(service: TrackerService) -> tuple[list[Notification], dict[int, str]]:
        shown = await service.notifications(unread_only=args.unread)
        names = {t.id: t.name for t in await service.all() if t.id is not None}
        if args.mark_read and shown:
            await service.mark_read([n.id for n in shown if n.id is not None])
        return shown, names

    shown, names = with_trackers(args, work)
    if args.json:
        print(json.dumps([notification_json(n, names.get(n.tracker_id)) for n in shown]))
    elif not shown:
        print("no unread notifications" if args.unread else "no notifications")
    for notification in shown if not args.json else ():
        unread = "unread" if notification.read_at is None else "read  "
        print(f"{iso(notification.created_at)}  {unread}  {notification.title}")
        for line in notification.body.splitlines():
            print(f"    {line}")
    if args.mark_read and shown:
        print(f"marked {len(shown)} notifications read", file=sys.stderr)
    return EXIT_OK


def notification_json(notification: Notification, tracker: str | None) -> dict[str, Any]:
    return {
        "id": notification.id,
        "tracker_id": notification.tracker_id,
        "tracker": tracker,
        "kind": notification.kind.value,
        "title": notification.title,
        "body": notification.body,
        "created_at": iso(notification.created_at),
        "read": notification.read_at is not None,
        "revision_id": notification.revision_id,
    }
