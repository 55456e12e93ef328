"""How a stored-tracker command opens the app (`open_services`, no scheduler), finds a tracker
by name, and turns errors into messages and exit codes."""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from desktop_tracker.cli.common import EXIT_FAILED, EXIT_USAGE, UsageError, fail
from desktop_tracker.core.quoting import quote
from desktop_tracker.core.retry import InvalidRetryStrategy
from desktop_tracker.core.schedules import InvalidSchedule
from desktop_tracker.data_dir import LOG_NAME, DataDirError, ensure_data_dir, resolve_data_dir
from desktop_tracker.domain.store_errors import StoreError
from desktop_tracker.domain.tracker_store import DuplicateTracker, UnknownRevision, UnknownTracker
from desktop_tracker.domain.trackers import InvalidTracker, Tracker
from desktop_tracker.kinds.base import CheckError
from desktop_tracker.service.app import open_services
from desktop_tracker.service.export_format import ExportFailed, ImportRefused
from desktop_tracker.service.trackers import TrackerService

T = TypeVar("T")
P = ParamSpec("P")


def with_trackers(args: argparse.Namespace, work: Callable[[TrackerService], Awaitable[T]]) -> T:
    """Run `work` on the trackers service of the data directory, on a loop of its own; the
    data directory is opened without the scheduler (a running app sees the changes)."""
    data_dir = ensure_data_dir(resolve_data_dir(args.data_dir))
    # Looked up when called: tests replace it.
    from desktop_tracker.cli import run as run_command

    # The log file of the data directory; on the terminal only warnings (output stays clean).
    run_command.configure_logging(data_dir / LOG_NAME, verbose=False, console=logging.WARNING)

    async def run() -> T:
        async with open_services(data_dir) as services:
            assert services.trackers is not None
            return await work(services.trackers)

    return asyncio.run(run())


async def tracker_named(service: TrackerService, name: str, kind: str | None = None) -> Tracker:
    """The tracker with this name (and kind, when given).

    :raises UnknownTracker: naming the trackers there are.
    :raises UsageError: when trackers of several kinds have the name and no kind is given.
    """
    named = [t for t in await service.all() if t.name == name]
    if not named:
        return await service.find(name)  # raises, naming the trackers there are
    if kind is not None:
        of_kind = [t for t in named if t.kind == kind]
        if not of_kind:
            kinds = " and ".join(t.kind for t in named)
            raise UnknownTracker(f"no {kind} tracker is named {quote(name)} (the {kinds} one is)")
        return of_kind[0]
    if len(named) > 1:
        kinds = ", ".join(t.kind for t in named)
        raise UsageError(
            f"{len(named)} trackers are named {quote(name)} ({kinds}): say which with --kind KIND"
        )
    return named[0]


def guarded(command: Callable[P, int]) -> Callable[P, int]:
    """Turn the errors of stored-tracker commands into messages and exit codes: what was asked
    is wrong → 2; what was asked cannot be done (no such tracker, the data directory, the
    network) → 1."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> int:
        try:
            return command(*args, **kwargs)
        except InvalidTracker as error:
            return fail(f"{error.field}: {error}", EXIT_USAGE)
        except (
            UsageError,
            DuplicateTracker,
            ImportRefused,
            InvalidSchedule,
            InvalidRetryStrategy,
        ) as error:
            return fail(str(error), EXIT_USAGE)
        except (
            UnknownTracker,
            UnknownRevision,
            StoreError,
            DataDirError,
            ExportFailed,
            CheckError,
            OSError,
        ) as error:
            return fail(str(error), EXIT_FAILED)

    return run
