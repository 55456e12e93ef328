"""Connections kept per origin, so that a host's requests reuse that host's own connections.

httpx's transport keeps one pool for every origin. When a batch of checks reaches sixty hosts
sixteen requests at a time, that pool is always full of idle connections to other hosts: it
closes one and opens a new connection for nearly every request (tests/bench/bench_checks.py
counted 10,439 connections for 10,500 requests), paying a TCP handshake, and on the real web a
TLS handshake, each time. A larger pool is no cure: httpcore scans and polls every idle socket on
each request, so each request gets slower as the pool grows.

`OriginPools` gives each origin (scheme, host, port) a small httpcore pool of its own. A request
looks only at its origin's few connections; the pools of recently used origins stay open, the
others are closed once they are idle, the least recently used first.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore
import httpx

from desktop_tracker.core.origins import Origin
from desktop_tracker.tracking.network import AsyncioBackend
from desktop_tracker.tracking.sites import origin_of

__all__ = ["KEEPALIVE_SECONDS", "KEPT_ORIGINS", "OriginPools"]

_ASYNCIO = AsyncioBackend()  # it keeps no state: one serves every pool

KEPT_ORIGINS = 64  # origins whose idle connections stay open; at most max_per_origin each
KEEPALIVE_SECONDS = 15.0  # an idle connection older than this is closed rather than reused

# httpcore's errors and the httpx errors of the same name that callers of httpx expect.
_ERRORS: dict[type[Exception], type[Exception]] = {
    getattr(httpcore, name): getattr(httpx, name)
    for name in (
        "TimeoutException",
        "ConnectTimeout",
        "ReadTimeout",
        "WriteTimeout",
        "PoolTimeout",
        "NetworkError",
        "ConnectError",
        "ReadError",
        "WriteError",
        "ProxyError",
        "UnsupportedProtocol",
        "ProtocolError",
        "LocalProtocolError",
        "RemoteProtocolError",
    )
}


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        # The most specific class that has an httpx twin: the first one in the error's MRO.
        twin = next((_ERRORS[c] for c in type(error).__mro__ if c in _ERRORS), None)
        if twin is None:
            raise
        raise twin(str(error)) from error


@dataclass
class _OriginPool:
    pool: httpcore.AsyncConnectionPool
    busy: int = 0  # requests sent whose response is not closed yet
    last_used: float = 0.0


class OriginPools(httpx.AsyncBaseTransport):
    """An httpx transport (HTTP/1.1) with a connection pool per origin."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        *,
        max_per_origin: int,
        kept_origins: int = KEPT_ORIGINS,
        keepalive_expiry: float = KEEPALIVE_SECONDS,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`max_per_origin` bounds each origin's connections, in use and idle. Connections are
        made by `network_backend`, by default asyncio's own (`network.AsyncioBackend`)."""
        if max_per_origin < 1 or kept_origins < 1:
            raise ValueError("max_per_origin and kept_origins must be at least 1")
        self._ssl_context = ssl_context
        self._max_per_origin = max_per_origin
        self._kept_origins = kept_origins
        self._keepalive_expiry = keepalive_expiry
        self._network_backend = network_backend
        self._clock = clock
        self._origins: OrderedDict[Origin, _OriginPool] = OrderedDict()

    @property
    def open_origins(self) -> int:
        """How many origins have a pool (and may hold connections) now."""
        return len(self._origins)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = origin_of(url)
        if key is None:
            raise httpx.UnsupportedProtocol(f"{url} is not an http or https URL with a host")
        origin = self._origin(key)
        origin.busy += 1  # from here on, this origin's pool is not closed under us
        try:
            await self._close_unused()
            core_request = httpcore.Request(
                method=request.method,
                url=httpcore.URL(
                    scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
                ),
                headers=request.headers.raw,
                content=request.stream,
                extensions=request.extensions,
            )
            with _as_httpx_errors():
                response = await origin.pool.handle_async_request(core_request)
        except BaseException:
            self._release(key, origin)
            raise
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream, lambda: self._release(key, origin)),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        origins, self._origins = list(self._origins.values()), OrderedDict()
        for origin in origins:
            await origin.pool.aclose()

    def _origin(self, key: Origin) -> _OriginPool:
        origin = self._origins.get(key)
        if origin is None:
            origin = self._origins[key] = _OriginPool(
                httpcore.AsyncConnectionPool(
                    ssl_context=self._ssl_context,
                    max_connections=self._max_per_origin,
                    max_keepalive_connections=self._max_per_origin,
                    keepalive_expiry=self._keepalive_expiry,
                    http1=True,
                    http2=False,
                    network_backend=self._network_backend or _ASYNCIO,
                )
            )
        else:
            self._origins.move_to_end(key)
        origin.last_used = self._clock()
        return origin

    def _release(self, key: Origin, origin: _OriginPool) -> None:
        origin.busy -= 1
        origin.last_used = self._clock()
        if self._origins.get(key) is origin:
            self._origins.move_to_end(key)  # the order stays that of last use

    async def _close_unused(self) -> None:
        """Close idle pools beyond the kept number, and idle pools whose connections expired
        (httpcore closes expired connections only when their pool is used again)."""
        expired_before = self._clock() - self._keepalive_expiry
        doomed = []
        excess = len(self._origins) - self._kept_origins
        for key, origin in self._origins.items():  # least recently used first
            if excess <= 0 and origin.last_used >= expired_before:
                break
            if origin.busy == 0:
                doomed.append(key)
                excess -= 1
        # Taken out all at once, before any await: another request can neither pick one of them
        # up nor close one twice while they close.
        closing = [self._origins.pop(key).pool for key in doomed]
        if closing:
            # Shielded: a request cancelled meanwhile must not leave their sockets open.
            await asyncio.shield(_close_all(closing))


async def _close_all(pools: list[httpcore.AsyncConnectionPool]) -> None:
    for pool in pools:
        await pool.aclose()


class _Body(httpx.AsyncByteStream):
    """A response body from httpcore, with its errors as httpx's, that tells when it closes."""

    def __init__(self, stream: object, closed: Callable[[], None]) -> None:
        self._stream = stream
        self._closed: Callable[[], None] | None = closed

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self._stream:  # type: ignore[attr-defined]
                yield part

    async def aclose(self) -> None:
        try:
            with _as_httpx_errors():
                await self._stream.aclose()  # type: ignore[attr-defined]
        finally:
            closed, self._closed = self._closed, None
            if closed is not None:
                closed()
