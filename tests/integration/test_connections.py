"""The app's transport against real servers on 127.0.0.1: connections kept per origin, reused,
closed when idle or unwanted, and asyncio sockets that behave as httpcore expects of a backend."""

from __future__ import annotations

import asyncio
import hashlib
import os

import httpcore
import httpx
import pytest

from desktop_tracker.tracking.connections import OriginPools
from desktop_tracker.tracking.network import AsyncioBackend
from tests.support.http_server import LocalServer, free_port, stream
from tests.support.origin_pools import FakeClock, make_pools

TIMEOUT = httpx.Timeout(5.0)


class CountingBackend(httpcore.AsyncNetworkBackend):
    """The app's backend, counting the connections it makes."""

    def __init__(self) -> None:
        self.inner = AsyncioBackend()
        self.connections: list[tuple[str, int]] = []

    async def connect_tcp(
        self, host: str, port: int, **kwargs: object
    ) -> httpcore.AsyncNetworkStream:
        self.connections.append((host, port))
        return await self.inner.connect_tcp(host, port, **kwargs)  # type: ignore[arg-type]

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def client_on(pools: OriginPools) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=pools, timeout=TIMEOUT)


async def test_requests_to_one_origin_share_one_connection(servers: list[LocalServer]) -> None:
    backend = CountingBackend()
    async with client_on(make_pools(backend)) as client:
        for _ in range(5):
            for server in servers:
                response = await client.get(server.url("/x"))
                assert response.text == f"port {server.port}"
    assert sorted(backend.connections) == sorted(("127.0.0.1", s.port) for s in servers)


async def test_the_least_recently_used_idle_origin_is_closed_beyond_the_kept_number(
    servers: list[LocalServer],
) -> None:
    backend = CountingBackend()
    a, b, c = servers
    pools = make_pools(backend, kept=2)
    async with client_on(pools) as client:
        for server in (a, b, a, c):  # c is the third origin: b, used least recently, goes
            await client.get(server.url("/x"))
        assert pools.open_origins == 2
        await client.get(a.url("/x"))  # still open: no new connection
        await client.get(b.url("/x"))  # closed: a new one
    assert backend.connections.count(("127.0.0.1", a.port)) == 1
    assert backend.connections.count(("127.0.0.1", b.port)) == 2


async def test_an_origin_with_a_response_being_read_is_never_closed(
    servers: list[LocalServer],
) -> None:
    a, b, c = servers
    a.handle("/long", stream(2 * 1024 * 1024, content_type="text/plain"))
    pools = make_pools(CountingBackend(), kept=1)
    async with client_on(pools) as client:
        async with client.stream("GET", a.url("/long")) as long:
            chunks = long.aiter_raw()
            received = len(await chunks.__anext__())
            await client.get(b.url("/x"))  # over the kept number: only idle ones may go
            await client.get(c.url("/x"))
            async for chunk in chunks:
                received += len(chunk)
        assert received == 2 * 1024 * 1024


async def test_idle_origins_are_closed_once_their_connections_expired(
    servers: list[LocalServer],
) -> None:
    clock = FakeClock()
    a, b, _ = servers
    pools = make_pools(CountingBackend(), clock=clock)
    async with client_on(pools) as client:
        await client.get(a.url("/x"))
        clock.now += 60  # longer than connections are kept alive
        await client.get(b.url("/x"))
        assert pools.open_origins == 1  # a's pool was closed, b's is open


async def test_network_errors_are_httpx_errors_with_their_cause() -> None:
    async with client_on(make_pools(AsyncioBackend())) as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.get(f"http://127.0.0.1:{free_port()}/")
    causes = []
    error: BaseException | None = caught.value
    while error is not None:  # httpcore re-raises "from None": the cause is kept as the context
        causes.append(type(error))
        error = error.__cause__ or error.__context__
    assert ConnectionRefusedError in causes


async def test_a_large_body_arrives_whole_and_in_order(servers: list[LocalServer]) -> None:
    body = os.urandom(3 * 1024 * 1024)  # more than the backend buffers before pausing
    servers[0].route("/blob", body, content_type="application/octet-stream")
    async with client_on(make_pools(AsyncioBackend())) as client:
        response = await client.get(servers[0].url("/blob"))
    assert hashlib.sha256(response.content).digest() == hashlib.sha256(body).digest()


async def test_https_through_the_asyncio_backend() -> None:
    with LocalServer(https=True) as tls:
        tls.route("/s", "secure", content_type="text/plain")
        context = httpx.create_ssl_context()
        tls.ca.configure_trust(context)
        pools = OriginPools(context, max_per_origin=2)
        async with client_on(pools) as client:
            response = await client.get(tls.url("/s"))
            assert response.text == "secure"
            stream_info = response.extensions["network_stream"]
            assert stream_info.get_extra_info("ssl_object") is not None


# -- The backend on its own: a raw server that closes connections when it likes ------------------


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    closed = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()  # keep-alive was promised, and broken
        closed.set()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    backend = CountingBackend()
    try:
        async with client_on(make_pools(backend)) as client:
            first = await client.get(f"http://127.0.0.1:{port}/")
            assert first.text == "ok"
            connection = first.extensions["network_stream"]
            await closed.wait()
            for _ in range(1000):  # the loop's turns until it has read the close
                if connection.get_extra_info("is_readable"):
                    break
                await asyncio.sleep(0)
            assert connection.get_extra_info("is_readable")
            assert (await client.get(f"http://127.0.0.1:{port}/")).text == "ok"
    finally:
        server.close()
        await server.wait_closed()
    assert len(backend.connections) == 2


async def test_reading_past_the_end_gives_nothing_and_silence_times_out() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line = await reader.readline()
        if line == b"end\n":
            writer.write(b"bye")
            writer.close()
        else:
            await reader.read()  # silent until the client goes

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    backend = AsyncioBackend()
    try:
        ending = await backend.connect_tcp("127.0.0.1", port, timeout=5)
        await ending.write(b"end\n", timeout=5)
        received = b""
        while chunk := await ending.read(1024, timeout=5):
            received += chunk
        assert received == b"bye"
        assert ending.get_extra_info("is_readable") is True  # its end: not reusable
        await ending.aclose()

        silent = await backend.connect_tcp("127.0.0.1", port, timeout=5)
        await silent.write(b"wait\n", timeout=5)
        assert silent.get_extra_info("is_readable") is False
        with pytest.raises(httpcore.ReadTimeout):
            await silent.read(1024, timeout=0.05)
        await silent.aclose()
        with pytest.raises(httpcore.WriteError):
            await silent.write(b"more", timeout=5)
    finally:
        server.close()
        await server.wait_closed()
