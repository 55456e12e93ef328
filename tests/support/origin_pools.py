"""OriginPools for tests: a fake clock for its expiry, and pools built with it."""

from __future__ import annotations

import httpcore
import httpx

from desktop_tracker.tracking.connections import OriginPools
from desktop_tracker.tracking.network import AsyncioBackend


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_pools(
    backend: httpcore.AsyncNetworkBackend | None = None,
    *,
    kept: int = 64,
    clock: FakeClock | None = None,
    per_origin: int = 4,
) -> OriginPools:
    return OriginPools(
        httpx.create_ssl_context(),
        max_per_origin=per_origin,
        kept_origins=kept,
        network_backend=backend or AsyncioBackend(),
        clock=clock or FakeClock(),
    )
