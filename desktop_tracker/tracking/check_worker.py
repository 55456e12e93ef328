"""Page checks on an event loop of their own, in a worker thread.

A check is hundreds of small network steps (httpx) plus decoding and parsing. On the app's loop
— which in the desktop app is the Qt loop — 200 checks at once kept the window from being served
for 100 ms and more (tests/bench/bench_gui.py). Here the app's loop only hands a check over and
awaits one result; the network work queues on this worker's loop instead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from desktop_tracker.kinds.base import CaptureRequest, Checked, Kind, Page
from desktop_tracker.tracking.fetcher import Fetcher
from desktop_tracker.tracking.page_check import PageChecker

T = TypeVar("T")


class CheckWorker:
    """The same `check()` as PageChecker, run on the worker's loop. `aclose()` at the end."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher
        self._checker = PageChecker(fetcher)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="desktop-tracker-checks", daemon=True
        )
        self._thread.start()

    async def check(self, kind: Kind, request: CaptureRequest) -> Checked:
        """:raises FetchError, CaptureFailed: as PageChecker.check. Cancelling the caller cancels
        the check."""
        return await self._run(self._checker.check(kind, request))

    async def fetch(self, kind: Kind, request: CaptureRequest) -> Page:
        return await self._run(self._checker.fetch(kind, request))

    async def warm_up(self) -> None:
        await self._run(self._fetcher.warm_up())

    async def aclose(self) -> None:
        """Close the fetcher's connections, then stop the worker's loop and thread."""
        if not self._thread.is_alive():
            return
        await self._run(self._fetcher.aclose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        await asyncio.to_thread(self._thread.join)
        self._loop.close()

    async def _run(self, work: Coroutine[Any, Any, T]) -> T:
        # wrap_future carries a cancellation of the caller over to the worker's task.
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))
