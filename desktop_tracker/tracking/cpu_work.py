"""Where CPU-heavy page work runs: one worker thread, off the event loop.

Decoding and parsing a page takes milliseconds of CPU, much of it in C that holds the GIL. On
the event loop it would freeze the window; on many threads at once the loop would wait its turn
for the GIL behind each of them. One worker keeps the loop's wait short, and the throughput is
the same, since the GIL lets only one of them run at a time anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desktop-tracker-cpu")


async def run_cpu_work(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `function(*args, **kwargs)` on the CPU worker and wait for its result."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_worker, lambda: function(*args, **kwargs))
