"""Where the scheduler gets its time from: the real clocks, or a fake one that tests drive.

Two clocks, because they disagree in exactly the situations the scheduler must survive:
wall time (what cron schedules are written in) jumps with NTP, a user changing the clock or a
suspended machine; monotonic time (what asyncio's timers run on) never jumps, but on Linux it
stops while the machine sleeps.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol


class Clock(Protocol):
    """Time as the scheduler sees it."""

    # How far a timer may overshoot: the scheduler stops that much short of a due instant and
    # covers the rest by yielding to the loop (Qt truncates delays to whole milliseconds, epoll
    # rounds them up).
    timer_slack: float

    def now(self) -> float:
        """Wall-clock time in seconds since the Unix epoch (UTC)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; only differences mean something."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep about `seconds` of monotonic time; may wake early or late (qasync does)."""
        ...


class SystemClock:
    """The machine's clocks and the running loop's timers."""

    timer_slack = 0.0015

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that moves only when a test says so.

    `advance` moves both clocks and wakes the sleepers whose time has come, one deadline at a
    time, letting the loop settle in between, so hours of scheduling run in milliseconds.
    `jump` moves wall time alone (NTP, the user changing the clock); `suspend` moves wall time
    alone too, as Linux's monotonic clock stands still while the machine sleeps.
    """

    timer_slack = 0.0  # fake timers are exact

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._wall = start
        self._mono = 1000.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self._wall

    def monotonic(self) -> float:
        return self._mono

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._mono + max(0.0, seconds), next(self._order), future))
        await future

    def jump(self, seconds: float) -> None:
        """The wall clock is set forward (positive) or back (negative); monotonic time is not."""
        self._wall += seconds

    def suspend(self, seconds: float) -> None:
        """The machine sleeps for `seconds`: wall time passes, monotonic time and timers do not."""
        self._wall += seconds

    async def settle(self) -> None:
        """Let every task that can run, run, until the loop has nothing ready."""
        loop = asyncio.get_running_loop()
        for _ in range(10_000):
            await asyncio.sleep(0)
            ready = getattr(loop, "_ready", None)
            if ready is not None and len(ready) == 0:
                # One more turn: a callback may have just scheduled another.
                await asyncio.sleep(0)
                if len(ready) == 0:
                    return

    async def advance(self, seconds: float) -> None:
        """Let `seconds` pass on both clocks, waking sleepers in deadline order."""
        target = self._mono + seconds
        await self.settle()
        while True:
            self._drop_cancelled()
            if not self._sleepers or self._sleepers[0][0] > target:
                break
            deadline = self._sleepers[0][0]
            self._move_to(deadline)
            while self._sleepers and self._sleepers[0][0] <= deadline:
                _, _, future = heapq.heappop(self._sleepers)
                if not future.done():
                    future.set_result(None)
            await self.settle()
        self._move_to(target)
        await self.settle()

    def _move_to(self, mono: float) -> None:
        if mono > self._mono:
            self._wall += mono - self._mono
            self._mono = mono

    def _drop_cancelled(self) -> None:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)
