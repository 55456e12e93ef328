"""The one way widgets start asynchronous work: `spawn(coro, on_error=...)`.

Everything runs in the Qt event loop (qasync), so a coroutine's result can touch widgets
directly. What `spawn` promises:
- the task is kept alive until it ends (asyncio holds only weak references to tasks);
- an exception is logged with its traceback and handed to `on_error` as one line of words for the
  user (never a traceback); without `on_error` it goes to the app's error reporter;
- cancellation (the app quitting) is silent.
Never call `QDialog.exec()` or wait on a signal inside such a coroutine: both re-enter the loop
and break other tasks (a nested loop runs them re-entrantly); use `open()` and the `finished`
signal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from desktop_tracker.core.words import error_in_words, first_line

log = logging.getLogger(__name__)
T = TypeVar("T")

_tasks: set[asyncio.Task[Any]] = set()
_reporter: Callable[[str], None] | None = None


def set_error_reporter(reporter: Callable[[str], None] | None) -> None:
    """Where errors go when the caller gave no `on_error` (the main window's message bar)."""
    global _reporter
    _reporter = reporter


def spawn(
    coro: Coroutine[Any, Any, T],
    *,
    on_done: Callable[[T], None] | None = None,
    on_error: Callable[[str], None] | None = None,
) -> asyncio.Task[T]:
    task = asyncio.ensure_future(coro)
    _tasks.add(task)

    def finished(done: asyncio.Task[T]) -> None:
        _tasks.discard(done)
        if done.cancelled():
            return
        error = done.exception()
        if error is None:
            if on_done is not None:
                on_done(done.result())
            return
        log.error("background work failed", exc_info=error)
        message = describe_error(error)
        target = on_error or _reporter
        if target is not None:
            target(message)

    task.add_done_callback(finished)
    return task


def describe_error(error: BaseException) -> str:
    """One line of words for the user (`core.words.error_in_words`); an error without words of
    its own points to the log, where its traceback is."""
    if not first_line(str(error)):
        return f"Unexpected error ({type(error).__name__}); details are in the log file."
    return error_in_words(error, one_line=True)


async def cancel_all() -> None:
    """Cancel every spawned task and wait for them (at quit)."""
    tasks = list(_tasks)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
