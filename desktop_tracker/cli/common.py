"""What every command shares: exit codes, how errors are printed, the options several commands
take (one definition each), and the JSON forms several commands print.

Every command imports this module, `--help` too: it imports nothing heavy (the kinds are looked
up when an option needs their names).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from desktop_tracker.core.quoting import quote

if TYPE_CHECKING:
    from desktop_tracker.core.jobs import RunRecord
    from desktop_tracker.domain.trackers import Tracker

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Parsers(Protocol):
    """Where a command's module adds its parsers: by name, each with its description (its line
    in `desktop-tracker --help` is in cli/__init__.py, so that `--help` imports no command)."""

    def add_parser(
        self, name: str, *, description: str | None = None
    ) -> argparse.ArgumentParser: ...


def fail(message: str, code: int) -> int:
    """Print the error for the user on stderr and return the exit code."""
    print(f"desktop-tracker: error: {message}", file=sys.stderr)
    return code


class UsageError(Exception):
    """The command was given options that do not go together; exit 2 with the message."""


# Said wherever a tracker that skips TLS verification is shown or saved: anyone on the network
# path can then answer in the site's name.
TLS_OFF_WARNING = (
    "warning: TLS verification is off: the site's certificate is not checked, so anyone on the "
    "network path could answer in its name"
)
TLS_OFF_MARK = "⚠ TLS verification is off: the certificate is not checked"  # in lists

# What a request header's value reads as wherever it is printed (`list`, `history`, `edit`):
# they are cookies and tokens. `export` alone writes them, to a file readable by you alone.
REDACTED = "…"

# -- options --------------------------------------------------------------------------------------


def data_dir_option(parser: argparse.ArgumentParser, *, before_command: bool = False) -> None:
    """--data-dir, accepted before the command and after it. After it, it defaults to SUPPRESS:
    left out, it keeps the value given before the command ("desktop-tracker --data-dir D
    list") instead of overwriting it with None."""
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=None if before_command else argparse.SUPPRESS,
        help="data directory (default: $DESKTOP_TRACKER_HOME, else the per-user one)",
    )


def header_option(parser: argparse.ArgumentParser, help_text: str | None = None) -> None:
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar='"Name: value"',
        help=help_text or "request header (repeatable); never printed nor written to logs",
    )


def kind_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    from desktop_tracker.kinds.registry import KIND_NAMES

    parser.add_argument("--kind", choices=KIND_NAMES, metavar="KIND", default=None, help=help_text)


def kind_help() -> str:
    """--kind's help where it picks a new tracker's kind."""
    from desktop_tracker.kinds.registry import DEFAULT_KIND, KIND_NAMES

    return (
        f"what to watch: {', '.join(KIND_NAMES)} (scripts and stylesheets, the page's text, "
        f"its security headers; default {DEFAULT_KIND})"
    )


WHICH_KIND_HELP = "when trackers of different kinds share the name: the one of this kind"


def whole_number(text: str) -> int:
    # argparse's own message for type=int repeats the argument whole, whatever its length.
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quote(text)} is not a whole number") from None


def parse_headers(values: Sequence[str]) -> dict[str, str]:
    """ "Name: value" strings → a dict. :raises UsageError: for a form without a colon."""
    headers: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition(":")
        if not sep or not name.strip():
            raise UsageError(f'header {quote(value)} must have the form "Name: value"')
        headers[name.strip()] = text.strip()
    return headers


# The options that belong to one kind: option → (kind, its flag).
KIND_FLAGS = {
    "selector": ("content", "--selector"),
    "additions_only": ("content", "--additions-only"),
    "headers": ("headers", "--watch-header"),
}


def misplaced_option(kind: str, options: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first of the kinds' `options` given that is not of `kind`: (its flag, its kind)."""
    for option in options:
        option_kind, flag = KIND_FLAGS[option]
        if option_kind != kind:
            return flag, option_kind
    return None


def tracker_rule_options(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    """--ignore, --mask and the kinds' own options, as `add` and `edit` take them."""
    more = " (repeatable; added to those it has)" if editing else " (repeatable)"
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="REGEX",
        help="leave out what matches: resource URLs, lines of text, or header lines" + more,
    )
    parser.add_argument(
        "--mask",
        action="append",
        default=[],
        metavar="REGEX",
        help="blank out the parts that match, which change by themselves (nonces, "
        "timestamps): they read as … and no longer count as a change" + more,
    )
    if editing:
        parser.add_argument("--clear-ignore", action="store_true", help="drop its ignore rules")
        parser.add_argument("--clear-mask", action="store_true", help="drop its mask rules")
        selector = parser.add_mutually_exclusive_group()
        selector.add_argument(
            "--selector", metavar="CSS", default=None, help="content: read only what matches"
        )
        selector.add_argument(
            "--no-selector", action="store_true", help="content: read the whole page"
        )
        changes = parser.add_mutually_exclusive_group()
        changes.add_argument(
            "--additions-only",
            dest="additions_only",
            action="store_const",
            const=True,
            default=None,
            help="content: notify only when text is added",
        )
        changes.add_argument(
            "--all-changes",
            dest="additions_only",
            action="store_const",
            const=False,
            help="content: notify on every change",
        )
        parser.add_argument(
            "--watch-header",
            action="append",
            default=[],
            metavar="NAME",
            help="headers: watch this header too (repeatable; added to those it watches)",
        )
        parser.add_argument(
            "--clear-watch-headers",
            action="store_true",
            help="headers: watch the security headers only",
        )
    else:
        parser.add_argument(
            "--selector",
            metavar="CSS",
            default=None,
            help="content: read only the elements this CSS selector matches",
        )
        parser.add_argument(
            "--additions-only",
            action="store_true",
            default=None,
            help="content: notify only when text is added, not when it is removed",
        )
        parser.add_argument(
            "--watch-header",
            action="append",
            default=[],
            metavar="NAME",
            help="headers: watch this response header too, beside the security headers "
            "(repeatable)",
        )


SCHEDULE_HELP = (
    "manual, @hourly…@yearly, 5-field cron, 6-field cron with seconds first, @every 15m, "
    "or once 2026-12-01T09:00"
)
RETRY_HELP = (
    "none | constant,attempts=3,interval=5m | linear,attempts=4,initial=1m,increment=1m,max=10m"
    " | exponential,attempts=5,initial=30s,multiplier=2,max=1h"
)


# -- JSON forms -----------------------------------------------------------------------------------


def iso(timestamp: float | None) -> str | None:
    """An instant as ISO 8601 in UTC, seconds included."""
    from datetime import UTC, datetime

    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def run_json(run: RunRecord) -> dict[str, Any]:
    return {
        "planned_at": iso(run.planned_at),
        "started_at": iso(run.started_at),
        "ended_at": iso(run.ended_at),
        "outcome": run.outcome.value,
        "error": run.error,
        "attempt": run.attempt,
    }


def redacted_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Request headers as they may be printed: their names, each value as "…"."""
    return dict.fromkeys(headers, REDACTED)


def tracker_json(tracker: Tracker) -> dict[str, Any]:
    """A tracker as `history --json` prints it: its export form with its id, and its request
    headers' values left out (they are cookies and tokens; `export` writes them)."""
    data = {"id": tracker.id, **tracker.to_json()}
    data["headers"] = redacted_headers(tracker.headers)
    return data
