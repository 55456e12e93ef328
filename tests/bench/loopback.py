"""Many host names on one loopback port, for benchmarks: a fast server and the client transport.

`LoopbackTransport` is an httpx transport whose connections, whatever host a URL names, all go to
127.0.0.1 on one port. URLs are left as written: the request keeps its Host header, the response
its URL, and connections are pooled per origin (scheme, host, port) as on the real web, so per-host
limits and connection reuse behave as they would with real hosts. Nothing is ever resolved by DNS
and nothing leaves the machine.

`serve` runs an asyncio HTTP/1.1 server with keep-alive that answers from a table of ready-made
responses keyed by (host, path): one dict lookup and one write per request, so that it costs the
measured client as little as possible. Run it in another process, so that it does not compete for
the client's GIL. Two control paths answer on any host: `/__stats` (JSON counters) and `/__reset`.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import Iterable, Mapping
from typing import Any

import httpcore
import httpx

__all__ = ["LoopbackBackend", "LoopbackTransport", "http_response", "serve"]

MAX_HEAD = 64 * 1024  # request heads larger than this are refused


# -- The client side --------------------------------------------------------------------------


class LoopbackBackend(httpcore.AsyncNetworkBackend):
    """A network backend (by default httpcore's, through anyio, which httpx uses under asyncio)
    with every TCP connection made to 127.0.0.1:port."""

    def __init__(self, port: int, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.port = port
        self.connections = 0  # opened so far
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connections += 1
        return await self._inner.connect_tcp(
            "127.0.0.1",
            self.port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("the loopback backend makes TCP connections only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class LoopbackTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (HTTP/1.1, its connection pool) over a `LoopbackBackend`.

    An httpx client given a transport ignores its own `limits`: pass the same ones here.
    """

    def __init__(self, port: int, limits: httpx.Limits) -> None:
        super().__init__(http1=True, http2=False, limits=limits, trust_env=False)
        self.backend = LoopbackBackend(port)
        # The pool httpx built, again, with our backend (httpx offers no argument for it).
        self._pool = httpcore.AsyncConnectionPool(
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=self.backend,
        )


# -- The server side --------------------------------------------------------------------------


def http_response(status: int, body: bytes, headers: Mapping[str, str] | None = None) -> bytes:
    """A whole HTTP/1.1 response with a Content-Length, as bytes to send."""
    phrase = {200: "OK", 404: "Not Found", 400: "Bad Request"}.get(status, "Unknown")
    lines = [f"HTTP/1.1 {status} {phrase}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    lines.append(f"Content-Length: {len(body)}")
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body


_NOT_FOUND = http_response(404, b"not found\n", {"Content-Type": "text/plain"})
_BAD = http_response(400, b"bad request\n", {"Content-Type": "text/plain", "Connection": "close"})


class _Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.conditional = 0  # carried If-None-Match or If-Modified-Since (answered 200 anyway)
        self.not_found = 0
        self.connections = 0
        self.bytes_sent = 0

    def as_json(self) -> bytes:
        return json.dumps(vars(self)).encode()


class _Connection(asyncio.Protocol):
    def __init__(self, routes: Mapping[tuple[bytes, bytes], bytes], stats: _Stats) -> None:
        self._routes = routes
        self._stats = stats
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._stats.connections += 1

    def data_received(self, data: bytes) -> None:
        assert self._transport is not None
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_HEAD:
                    self._transport.write(_BAD)
                    self._transport.close()
                return
            head, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
            if not self._answer(head):
                self._transport.close()
                return

    def _answer(self, head: bytes) -> bool:
        """Answer one request (GET, no body); False when the connection is to be closed."""
        assert self._transport is not None
        lines = head.split(b"\r\n")
        request_line = lines[0].split(b" ")
        if len(request_line) != 3:
            self._transport.write(_BAD)
            return False
        target = request_line[1]
        host = b""
        keep_alive = request_line[2] == b"HTTP/1.1"
        conditional = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"host":
                host = value.strip().rsplit(b":", 1)[0].lower() if b"]" not in value else b""
            elif name == b"connection":
                keep_alive = value.strip().lower() != b"close"
            elif name in (b"if-none-match", b"if-modified-since"):
                conditional = True
        stats = self._stats
        if target.startswith(b"/__"):
            if target == b"/__reset":
                stats.reset()
            response = http_response(200, stats.as_json(), {"Content-Type": "application/json"})
        else:
            stats.requests += 1
            stats.conditional += conditional
            response = self._routes.get((host, target))
            if response is None:
                stats.not_found += 1
                response = _NOT_FOUND
            stats.bytes_sent += len(response)
        self._transport.write(response)
        return keep_alive


async def _serve(routes: Mapping[tuple[bytes, bytes], bytes], ready: str) -> None:
    stats = _Stats()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: _Connection(routes, stats), "127.0.0.1", 0, backlog=1024, reuse_address=True
    )
    port = server.sockets[0].getsockname()[1]
    done = asyncio.Event()
    # Stop when told, or when the parent goes away (our stdin closes).
    loop.add_signal_handler(signal.SIGTERM, done.set)
    loop.add_signal_handler(signal.SIGINT, done.set)

    def stdin_readable() -> None:
        if not sys.stdin.buffer.read1(4096):
            done.set()

    loop.add_reader(sys.stdin.fileno(), stdin_readable)
    print(f"{ready} {port}", flush=True)
    try:
        await done.wait()
    finally:
        loop.remove_reader(sys.stdin.fileno())
        server.close()
        await server.wait_closed()


def serve(routes: Mapping[tuple[bytes, bytes], bytes], ready: str = "READY") -> None:
    """Serve `routes` ({(host, path): response bytes}) on 127.0.0.1 and a free port.

    Prints "<ready> <port>" on stdout once listening; returns when stdin closes or on SIGTERM.
    """
    asyncio.run(_serve(routes, ready))
