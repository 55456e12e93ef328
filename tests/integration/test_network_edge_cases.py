"""Edge cases of the asyncio network backend and of OriginPools, against servers on 127.0.0.1.

Servers are started by the tests themselves (asyncio.start_server or LocalServer); name lookups are
answered in-process by a patched socket.getaddrinfo. Nothing here reaches the network.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import ssl
import struct
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager

import httpcore
import httpx
import pytest
import trustme

from desktop_tracker.tracking import network
from desktop_tracker.tracking.connections import OriginPools
from desktop_tracker.tracking.errors import ConnectError, DnsError, FetchTimeout, TlsError
from desktop_tracker.tracking.fetcher import Fetcher, FetchLimits
from desktop_tracker.tracking.network import AsyncioBackend
from desktop_tracker.tracking.sites import origin_of
from tests.support.http_server import LocalServer, free_port, stream
from tests.support.origin_pools import FakeClock, make_pools

QUICK = FetchLimits(connect_timeout=3, read_timeout=3, total_timeout=8)
WAIT = 5.0  # bound on every wait for an event: a test that goes wrong fails rather than hangs

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


# -- Helpers --------------------------------------------------------------------------------------


@asynccontextmanager
async def raw_server(
    serve: Serve, *, host: str = "127.0.0.1", ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[int]:
    """A server on the test's own loop; yields its port."""
    tasks: set[asyncio.Task[None]] = set()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await serve(reader, writer)
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.transport.abort()
            tasks.discard(task)

    server = await asyncio.start_server(handler, host, 0, ssl=ssl_context)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await server.wait_closed()


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST rather than a FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def tls_contexts() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server, client) contexts: a throw-away CA's certificate for 127.0.0.1 and localhost."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    client = httpx.create_ssl_context()
    ca.configure_trust(client)
    return server, client


@pytest.fixture
def resolve(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names a test maps to addresses; any other name (not an IP) does not exist."""
    names: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: object, port: object, *args: object, **kwargs: object) -> object:
        name = host.decode() if isinstance(host, bytes) else host
        if isinstance(name, str) and name in names:
            return [info for address in names[name] for info in real(address, port, *args)]  # type: ignore[arg-type]
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in str(name) else socket.AF_INET, str(name))
        except OSError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return real(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


def ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """The app's backend, keeping the streams it opens."""

    def __init__(self) -> None:
        self.inner = AsyncioBackend()
        self.streams: list[httpcore.AsyncNetworkStream] = []

    async def connect_tcp(
        self, host: str, port: int, **kwargs: object
    ) -> httpcore.AsyncNetworkStream:
        opened = await self.inner.connect_tcp(host, port, **kwargs)  # type: ignore[arg-type]
        self.streams.append(opened)
        return opened

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GatedStream(httpcore.AsyncNetworkStream):
    """A stream whose aclose waits until the test opens `backend.gate`."""

    def __init__(self, inner: httpcore.AsyncNetworkStream, backend: GatedBackend) -> None:
        self._inner = inner
        self._backend = backend

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        self._backend.closing.set()
        await asyncio.wait_for(self._backend.gate.wait(), WAIT)
        await self._inner.aclose()

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class GatedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self.inner = AsyncioBackend()
        self.gate = asyncio.Event()
        self.gate.set()
        self.closing = asyncio.Event()
        self.opened: list[int] = []

    async def connect_tcp(
        self, host: str, port: int, **kwargs: object
    ) -> httpcore.AsyncNetworkStream:
        self.opened.append(port)
        inner = await self.inner.connect_tcp(host, port, **kwargs)  # type: ignore[arg-type]
        return GatedStream(inner, self)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def causes(error: BaseException) -> list[type[BaseException]]:
    found = []
    current: BaseException | None = error
    while current is not None and len(found) < 20:
        found.append(type(current))
        current = current.__cause__ or current.__context__
    return found


def pending_wake_timers() -> list[asyncio.TimerHandle]:
    loop = asyncio.get_running_loop()
    return [
        handle
        for handle in loop._scheduled  # type: ignore[attr-defined]
        if not handle.cancelled() and getattr(handle, "_callback", None) is network._wake
    ]


# -- Reading: EOF, reset, timeouts, cancellation --------------------------------------------------


async def test_a_reset_after_part_of_the_body_is_a_read_error_caused_by_the_reset() -> None:
    sent = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        writer.write(b"part")
        await writer.drain()
        sent.set()
        await reader.readline()  # the client says when it has read the part
        reset(writer)

    async with raw_server(serve) as port:
        conn = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=WAIT)
        await conn.write(b"go\n", timeout=WAIT)
        assert await conn.read(100, timeout=WAIT) == b"part"
        await conn.write(b"now reset\n", timeout=WAIT)
        with pytest.raises(httpcore.ReadError) as caught:
            while await conn.read(100, timeout=WAIT):
                pass
        assert isinstance(caught.value.__cause__, ConnectionResetError)
        assert conn.get_extra_info("is_readable") is True
        with pytest.raises(httpcore.WriteError):
            await conn.write(b"more", timeout=WAIT)
        await conn.aclose()


async def test_the_fetcher_says_a_connection_reset_mid_body_was_reset() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>"
        )
        await writer.drain()
        reset(writer)

    async with raw_server(serve) as port, Fetcher(QUICK) as fetcher:
        with pytest.raises(ConnectError, match="was reset"):
            await fetcher.fetch_page(f"http://127.0.0.1:{port}/")


async def test_reading_past_a_clean_end_keeps_giving_nothing() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"bye")
        writer.close()

    async with raw_server(serve) as port:
        conn = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=WAIT)
        received = b""
        while chunk := await conn.read(1, timeout=WAIT):
            received += chunk
        assert received == b"bye"
        assert await conn.read(10, timeout=WAIT) == b""
        assert await conn.read(10, timeout=WAIT) == b""
        await conn.aclose()


async def test_a_read_timeout_leaves_no_timer_and_the_stream_still_reads() -> None:
    go = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.wait_for(go.wait(), WAIT)
        writer.write(b"late")
        await writer.drain()
        await reader.read()

    async with raw_server(serve) as port:
        conn = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=WAIT)
        with pytest.raises(httpcore.ReadTimeout):
            await conn.read(100, timeout=0.05)
        assert pending_wake_timers() == []
        go.set()
        assert await conn.read(100, timeout=WAIT) == b"late"
        await conn.aclose()


async def test_a_read_cancelled_while_waiting_leaks_no_timer_and_loses_no_data() -> None:
    go = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.wait_for(go.wait(), WAIT)
        writer.write(b"after the cancel")
        await writer.drain()
        await reader.read()

    async with raw_server(serve) as port:
        conn = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=WAIT)
        reading = asyncio.create_task(conn.read(100, timeout=30))
        await asyncio.sleep(0)  # the read is waiting now
        assert len(pending_wake_timers()) == 1
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading
        assert pending_wake_timers() == []
        go.set()
        assert await conn.read(100, timeout=WAIT) == b"after the cancel"
        await conn.aclose()


async def test_reading_pauses_the_socket_when_the_buffer_is_full_and_resumes_when_drained() -> None:
    body = os.urandom(2 * 1024 * 1024)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(body)
        await writer.drain()
        writer.close()

    async with raw_server(serve) as port:
        conn = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=WAIT)
        transport = conn._transport  # type: ignore[attr-defined]
        for _ in range(10_000):  # the loop's turns until the buffer is over the high mark
            if not transport.is_reading():
                break
            await asyncio.sleep(0)
        assert not transport.is_reading()
        received = bytearray()
        while chunk := await conn.read(64 * 1024, timeout=WAIT):
            received += chunk
        assert bytes(received) == body
        await conn.aclose()


# -- Writing: backpressure, timeouts, cancellation -------------------------------------------------


@asynccontextmanager
async def a_server_that_does_not_read() -> AsyncIterator[tuple[httpcore.AsyncNetworkStream, int]]:
    release = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.wait_for(release.wait(), WAIT)

    async with raw_server(serve) as port:
        conn = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=WAIT)
        try:
            yield conn, port
        finally:
            release.set()
            await conn.aclose()


async def test_a_write_to_a_server_that_does_not_read_times_out() -> None:
    async with a_server_that_does_not_read() as (conn, _):
        with pytest.raises(httpcore.WriteTimeout):
            await conn.write(bytes(64 * 1024 * 1024), timeout=0.05)  # more than the buffers hold
        assert pending_wake_timers() == []


async def test_a_write_cancelled_while_paused_does_not_poison_later_writes() -> None:
    async with a_server_that_does_not_read() as (conn, _):
        big = bytes(64 * 1024 * 1024)  # more than the socket buffers hold: the write pauses
        writing = asyncio.create_task(conn.write(big, timeout=30))
        await asyncio.sleep(0)
        assert not writing.done()
        writing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await writing
        # Still paused (the server reads nothing): a later write should time out, not be
        # "cancelled".
        with pytest.raises(httpcore.WriteTimeout):
            await conn.write(b"x", timeout=0.05)


async def test_a_write_timeout_does_not_make_the_next_write_time_out_at_once() -> None:
    async with a_server_that_does_not_read() as (conn, _):
        big = bytes(64 * 1024 * 1024)
        with pytest.raises(httpcore.WriteTimeout):
            await conn.write(big, timeout=0.05)
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(httpcore.WriteTimeout):
            await conn.write(b"x", timeout=0.3)
        assert loop.time() - started >= 0.25


# -- Connecting: DNS, refused, timeouts, IPv6 ------------------------------------------------------


async def test_an_unknown_name_is_a_connect_error_caused_by_gaierror(
    resolve: dict[str, list[str]],
) -> None:
    with pytest.raises(httpcore.ConnectError) as caught:
        await AsyncioBackend().connect_tcp("nowhere.invalid", 80, timeout=WAIT)
    assert isinstance(caught.value.__cause__, socket.gaierror)
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(DnsError, match=r"nowhere\.invalid could not be found"):
            await fetcher.fetch_page("https://nowhere.invalid/")


async def test_a_name_lookup_that_hangs_is_a_connect_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()
    real = socket.getaddrinfo

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if host in ("slow.test", b"slow.test"):
            release.wait(WAIT)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    try:
        with pytest.raises(httpcore.ConnectTimeout):
            await AsyncioBackend().connect_tcp("slow.test", 80, timeout=0.05)
        limits = FetchLimits(connect_timeout=0.05, read_timeout=3, total_timeout=8)
        async with Fetcher(limits) as fetcher:
            with pytest.raises(FetchTimeout, match=r"could not connect to slow\.test"):
                await fetcher.fetch_page("http://slow.test/")
    finally:
        release.set()


async def test_a_refused_connection_is_caused_by_connection_refused() -> None:
    with pytest.raises(httpcore.ConnectError) as caught:
        await AsyncioBackend().connect_tcp("127.0.0.1", free_port(), timeout=WAIT)
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)


@pytest.mark.skipif(not ipv6_available(), reason="no IPv6 loopback")
async def test_a_name_whose_every_address_refuses_is_still_a_refusal(
    resolve: dict[str, list[str]],
) -> None:
    resolve["dual.test"] = ["::1", "127.0.0.1"]
    port = free_port()
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(ConnectError, match="refused the connection"):
            await fetcher.fetch_page(f"http://dual.test:{port}/")


async def test_a_system_connect_timeout_without_a_timeout_is_a_connect_error() -> None:
    loop = asyncio.get_running_loop()

    async def sock_connect(sock: socket.socket, address: object) -> None:
        raise TimeoutError(errno.ETIMEDOUT, "Connection timed out")

    loop.sock_connect = sock_connect  # type: ignore[method-assign]
    try:
        with pytest.raises((httpcore.ConnectError, httpcore.ConnectTimeout)):
            await AsyncioBackend().connect_tcp("127.0.0.1", free_port(), timeout=None)
    finally:
        del loop.sock_connect  # type: ignore[attr-defined]


@pytest.mark.skipif(not ipv6_available(), reason="no IPv6 loopback")
async def test_ipv6_loopback() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6")
            await writer.drain()

    backend = RecordingBackend()
    async with (
        raw_server(serve, host="::1") as port,
        httpx.AsyncClient(transport=make_pools(backend), timeout=WAIT) as client,
    ):
        for _ in range(2):
            response = await client.get(f"http://[::1]:{port}/")
            assert response.text == "v6"
    assert len(backend.streams) == 1
    assert backend.streams[0].get_extra_info("server_addr")[:2] == ("::1", port)


# -- TLS ------------------------------------------------------------------------------------------


async def test_a_tls_handshake_that_gets_no_answer_times_out_and_closes_the_socket() -> None:
    gone = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # silent until the client goes
        gone.set()

    _, client_context = tls_contexts()
    async with raw_server(serve) as port:
        conn = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=WAIT)
        with pytest.raises(httpcore.ConnectTimeout):
            await conn.start_tls(client_context, server_hostname="127.0.0.1", timeout=0.05)
        await asyncio.wait_for(gone.wait(), WAIT)
        assert pending_wake_timers() == []


async def test_a_server_that_closes_during_the_handshake_is_a_reset() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)  # the ClientHello has begun
        writer.close()

    _, client_context = tls_contexts()
    async with raw_server(serve) as port:
        conn = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=WAIT)
        with pytest.raises(httpcore.ConnectError) as caught:
            await conn.start_tls(client_context, server_hostname="127.0.0.1", timeout=WAIT)
        assert ConnectionResetError in causes(caught.value)
        async with Fetcher(QUICK) as fetcher:
            with pytest.raises(ConnectError, match="was reset"):
                await fetcher.fetch_page(f"https://127.0.0.1:{port}/")


async def test_a_server_that_answers_the_handshake_with_plain_http_is_a_tls_error() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        await reader.read()

    async with raw_server(serve) as port, Fetcher(QUICK) as fetcher:
        with pytest.raises(TlsError, match=r"secure connection .* could not be made"):
            await fetcher.fetch_page(f"https://127.0.0.1:{port}/")


async def test_a_certificate_for_another_name_is_not_trusted(
    resolve: dict[str, list[str]],
) -> None:
    resolve["elsewhere.test"] = resolve["localhost"] = ["127.0.0.1"]
    with LocalServer(https=True) as tls:
        tls.route("/", "<html>x</html>")
        context = httpx.create_ssl_context()
        assert tls.ca is not None
        tls.ca.configure_trust(context)
        async with httpx.AsyncClient(
            transport=OriginPools(context, max_per_origin=2), timeout=WAIT
        ) as client:
            assert (await client.get(tls.url("/", host="localhost"))).status_code == 200
            with pytest.raises(httpx.ConnectError) as caught:
                await client.get(f"https://elsewhere.test:{tls.port}/")
        chain = causes(caught.value)
        assert ssl.SSLCertVerificationError in chain
        error = next(e for e in _chain(caught.value) if isinstance(e, ssl.SSLCertVerificationError))
        assert "elsewhere.test" in str(error)


def _chain(error: BaseException) -> Iterator[BaseException]:
    current: BaseException | None = error
    while current is not None:
        yield current
        current = current.__cause__ or current.__context__


async def test_a_tls_reset_mid_body_is_a_reset() -> None:
    server_context, client_context = tls_contexts()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n<html>")
        await writer.drain()
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    async with raw_server(serve, ssl_context=server_context) as port:
        pools = OriginPools(client_context, max_per_origin=2)
        async with httpx.AsyncClient(transport=pools, timeout=WAIT) as client:
            with pytest.raises(httpx.ReadError) as caught:
                await client.get(f"https://127.0.0.1:{port}/")
        assert ConnectionResetError in causes(caught.value)


async def test_a_large_tls_body_ending_at_close_arrives_whole_while_reading_slowly() -> None:
    size = 3 * 1024 * 1024  # over the high mark: reading pauses, and the end comes while paused
    with LocalServer(https=True) as tls:
        tls.handle("/big", stream(size, content_type="text/plain"))
        context = httpx.create_ssl_context()
        assert tls.ca is not None
        tls.ca.configure_trust(context)
        async with (
            httpx.AsyncClient(
                transport=OriginPools(context, max_per_origin=2), timeout=WAIT
            ) as client,
            client.stream("GET", tls.url("/big")) as response,
        ):
            received = 0
            async for chunk in response.aiter_raw():
                received += len(chunk)
                for _ in range(20):  # let the loop fill the buffer between reads
                    await asyncio.sleep(0)
        assert received == size


async def test_an_idle_tls_connection_closed_by_the_server_is_readable_and_not_reused() -> None:
    server_context, client_context = tls_contexts()
    served = 0
    closed = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal served
        await reader.readuntil(b"\r\n\r\n")
        served += 1
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        closed.set()

    backend = RecordingBackend()
    async with raw_server(serve, ssl_context=server_context) as port:
        pools = OriginPools(client_context, max_per_origin=2, network_backend=backend)
        async with httpx.AsyncClient(transport=pools, timeout=WAIT) as client:
            first = await client.get(f"https://127.0.0.1:{port}/")
            tls_stream = first.extensions["network_stream"]
            await asyncio.wait_for(closed.wait(), WAIT)
            for _ in range(1000):
                if tls_stream.get_extra_info("is_readable"):
                    break
                await asyncio.sleep(0)
            assert tls_stream.get_extra_info("is_readable")
            assert (await client.get(f"https://127.0.0.1:{port}/")).text == "ok"
    assert len(backend.streams) == 2 and served == 2


async def test_aclose_closes_at_once_and_twice_is_harmless() -> None:
    gone = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        gone.set()

    async with raw_server(serve) as port:
        conn = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=WAIT)
        await conn.aclose()
        await asyncio.wait_for(gone.wait(), WAIT)
        assert conn.get_extra_info("is_readable") is True
        await conn.aclose()


# -- OriginPools ----------------------------------------------------------------------------------


async def test_a_failed_request_releases_its_origin(servers: list[LocalServer]) -> None:
    clock = FakeClock()
    pools = make_pools(kept=1, clock=clock)
    async with httpx.AsyncClient(transport=pools, timeout=WAIT) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{free_port()}/")
        await client.get(servers[0].url("/x"))
        assert pools.open_origins == 1  # the failed origin was idle, so it went


async def test_a_response_closed_unread_releases_its_origin(servers: list[LocalServer]) -> None:
    a, b, _ = servers
    a.handle("/long", stream(4 * 1024 * 1024, content_type="text/plain"))
    pools = make_pools(kept=1)
    async with httpx.AsyncClient(transport=pools, timeout=WAIT) as client:
        async with client.stream("GET", a.url("/long")) as response:
            assert response.status_code == 200
        await client.get(b.url("/x"))
        assert pools.open_origins == 1


async def test_a_response_never_closed_keeps_its_origin_open(servers: list[LocalServer]) -> None:
    a, b, c = servers
    a.handle("/long", stream(4 * 1024 * 1024, content_type="text/plain"))
    pools = make_pools(kept=1)
    async with httpx.AsyncClient(transport=pools, timeout=WAIT) as client:
        held = await client.send(client.build_request("GET", a.url("/long")), stream=True)
        await client.get(b.url("/x"))
        await client.get(c.url("/x"))
        assert pools.open_origins == 2  # a (busy) and c
        await held.aclose()


async def test_an_unsupported_scheme_releases_its_origin() -> None:
    pools = make_pools(kept=1)
    request = httpx.Request("GET", "ftp://127.0.0.1/")
    with pytest.raises(httpx.UnsupportedProtocol):
        await pools.handle_async_request(request)
    # Not an http(s) origin (core/origins.py): refused before any pool is made or held.
    assert not any(origin.busy for origin in pools._origins.values())
    assert pools.open_origins == 0
    await pools.aclose()


async def expire_two_idle_origins(
    pools: OriginPools, clock: FakeClock, a: LocalServer, b: LocalServer
) -> None:
    for server in (a, b):
        response = await pools.handle_async_request(httpx.Request("GET", server.url("/x")))
        await response.aread()
        await response.aclose()
    clock.now += 60  # both idle past the keep-alive: the next request closes them


async def test_two_requests_closing_expired_origins_at_once_do_not_fail(
    servers: list[LocalServer],
) -> None:
    a, b, c = servers
    c.route("/y", "y", content_type="text/plain")
    clock = FakeClock()
    pools = make_pools(clock=clock)
    try:
        await expire_two_idle_origins(pools, clock, a, b)
        results = await asyncio.gather(
            pools.handle_async_request(httpx.Request("GET", c.url("/x"))),
            pools.handle_async_request(httpx.Request("GET", c.url("/y"))),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, httpx.Response):
                await result.aclose()
        assert all(isinstance(result, httpx.Response) for result in results), results
    finally:
        await pools.aclose()


async def test_an_origin_taken_up_while_closing_others_is_not_closed_under_its_request(
    servers: list[LocalServer],
) -> None:
    a, b, c = servers
    clock = FakeClock()
    backend = GatedBackend()
    pools = make_pools(backend, clock=clock)
    try:
        await expire_two_idle_origins(pools, clock, a, b)
        # The request to c closes a, then b. While a's connection is closing, a request to b
        # starts and gets its answer (on b's idle connection); its body is not read yet.
        backend.gate.clear()
        to_c = asyncio.create_task(pools.handle_async_request(httpx.Request("GET", c.url("/x"))))
        await asyncio.wait_for(backend.closing.wait(), WAIT)
        to_b = await pools.handle_async_request(httpx.Request("GET", b.url("/x")))
        opened_for_b = backend.opened.count(b.port)
        backend.gate.set()
        await (await to_c).aclose()
        assert origin_of(b.url("/x")) in pools._origins  # still tracked: its connection is in use
        assert (await to_b.aread()) == f"port {b.port}".encode()
        await to_b.aclose()
        again = await pools.handle_async_request(httpx.Request("GET", b.url("/x")))
        await again.aread()
        await again.aclose()
        # The connection that served to_b was not closed under it: the next request reuses it.
        assert backend.opened.count(b.port) == opened_for_b
    finally:
        backend.gate.set()
        await pools.aclose()


async def test_an_expired_origin_behind_a_recently_released_one_is_closed(
    servers: list[LocalServer],
) -> None:
    a, b, c = servers
    a.handle("/long", stream(4 * 1024 * 1024, content_type="text/plain"))
    clock = FakeClock()
    pools = make_pools(clock=clock)
    async with httpx.AsyncClient(transport=pools, timeout=WAIT) as client:
        held = await client.send(client.build_request("GET", a.url("/long")), stream=True)
        await client.get(b.url("/x"))  # b: idle from now on
        clock.now += 60
        await held.aclose()  # a: released (idle) just now, but first in the order
        await client.get(c.url("/x"))
        open_ports = {key[2] for key in pools._origins}
        assert b.port not in open_ports  # b's connection expired a minute ago


async def test_a_request_cancelled_while_closing_idle_origins_closes_them_all(
    servers: list[LocalServer],
) -> None:
    a, _, c = servers
    clock = FakeClock()
    backend = RecordingBackend()
    pools = make_pools(backend, clock=clock)
    try:
        responses = await asyncio.gather(
            *(pools.handle_async_request(httpx.Request("GET", a.url("/x"))) for _ in range(2))
        )
        for response in responses:
            await response.aread()
            await response.aclose()
        to_a = list(backend.streams)
        assert len(to_a) == 2  # two idle connections to a
        clock.now += 60
        to_c = asyncio.create_task(pools.handle_async_request(httpx.Request("GET", c.url("/x"))))
        for _ in range(100):  # the loop's turns until a's first connection is being closed
            await asyncio.sleep(0)
            if any(s._transport.is_closing() for s in to_a):  # type: ignore[attr-defined]
                break
        to_c.cancel()
        with pytest.raises(asyncio.CancelledError):
            await to_c
        for _ in range(10):
            await asyncio.sleep(0)
        assert [s._transport.is_closing() for s in to_a] == [True, True]  # type: ignore[attr-defined]
    finally:
        await pools.aclose()
