"""Sockets for httpcore straight on asyncio, without anyio in between.

httpcore reaches the network through a "network backend". Under asyncio its default goes
through anyio, which wraps every read and write in cancel scopes and task lookups; in a batch of
checks that cost more CPU than everything else the app does with a response (measured in
tests/bench/bench_checks.py: 25 pages a second through anyio, 37 through this backend, same
machine and pages). Here a connection is an asyncio transport and protocol: the event loop reads
into a buffer as data arrives, and `read` hands the buffer over.

Errors are httpcore's (ConnectError, ReadTimeout, ...), raised from the socket or SSL error
that caused them, as httpcore's own backends do: the fetcher reads the cause to say what went
wrong (a host that does not exist, a certificate that is not trusted).
"""

from __future__ import annotations

import asyncio
import os
import re
import ssl
import sys
from collections.abc import Iterable
from typing import Any

import httpcore

from desktop_tracker.core.durations import duration_in_words

__all__ = ["AsyncioBackend"]

# Reading stops while this much has arrived and not been read yet, and goes on below the low mark.
_READ_HIGH_WATER = 256 * 1024
_READ_LOW_WATER = 64 * 1024
_TIMED_OUT = object()

# Python 3.12+: every address's error, not one OSError joining their texts (see _first_error).
_ALL_ERRORS: dict[str, bool] = {"all_errors": True} if sys.version_info >= (3, 12) else {}

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class _Connection(asyncio.Protocol):
    """What arrived on a connection and not read yet; whether it ended, and how."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.ended = False  # end of stream, or the connection was lost
        self.error: BaseException | None = None  # why it was lost, if not by a clean close
        self.reading_paused = False
        self.readable: asyncio.Future[object] | None = None  # a reader waiting for data
        self.writing_paused = False  # the transport's send buffer is full
        self.writable: asyncio.Future[object] | None = None  # a writer waiting for room

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _READ_HIGH_WATER and not self.reading_paused:
            assert self.transport is not None
            self.reading_paused = True
            self.transport.pause_reading()
        _wake(self.readable)

    def eof_received(self) -> bool:
        self.ended = True
        _wake(self.readable)
        return False  # close our side too: HTTP/1.1 has nothing to send after the server's end

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.error = exc
        _wake(self.readable)
        _wake(self.writable)

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        _wake(self.writable)


def _caused(
    kind: type[httpcore.NetworkError], cause: BaseException | None, words: str = ""
) -> httpcore.NetworkError:
    """An httpcore error that keeps its socket or SSL cause through httpcore's own re-raising:
    the pool re-raises `from None`, which drops `__cause__` but leaves `__context__`, where the
    fetcher finds a reset or a refusal to name it."""
    error = kind(f"{words} ({cause})" if words and cause else words or str(cause))
    error.__cause__ = error.__context__ = cause
    return error


def _wake(waiter: asyncio.Future[object] | None, value: object = None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(value)


async def _wait(waiter: asyncio.Future[object], timeout: float | None) -> bool:
    """Wait for `waiter`; False if `timeout` seconds passed first."""
    if timeout is None:
        await waiter
        return True
    timer = asyncio.get_running_loop().call_later(timeout, _wake, waiter, _TIMED_OUT)
    try:
        return await waiter is not _TIMED_OUT
    finally:
        timer.cancel()


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, connection: _Connection) -> None:
        self._transport = transport
        self._connection = connection

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        connection = self._connection
        if not connection.buffer and not connection.ended:
            waiter = connection.readable = asyncio.get_running_loop().create_future()
            try:
                if not await _wait(waiter, timeout):
                    raise httpcore.ReadTimeout(f"nothing arrived for {duration_in_words(timeout)}")
            finally:
                connection.readable = None
        buffer = connection.buffer
        if buffer:
            if len(buffer) <= max_bytes:
                data = bytes(buffer)
                buffer.clear()
            else:
                data = bytes(buffer[:max_bytes])
                del buffer[:max_bytes]
            if connection.reading_paused and len(buffer) < _READ_LOW_WATER:
                connection.reading_paused = False
                self._transport.resume_reading()
            return data
        if connection.error is not None:
            raise _caused(httpcore.ReadError, connection.error)
        return b""  # the other side ended the stream

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        connection = self._connection
        if connection.error is not None or self._transport.is_closing():
            raise _caused(httpcore.WriteError, connection.error, "the connection is closed")
        self._transport.write(buffer)
        if connection.writing_paused and not connection.ended:
            # This write's own waiter: a cancelled or timed-out one leaves the next write alone.
            waiter = connection.writable = asyncio.get_running_loop().create_future()
            try:
                if not await _wait(waiter, timeout):
                    raise httpcore.WriteTimeout(
                        f"the request could not be sent within {duration_in_words(timeout)}"
                    )
            finally:
                connection.writable = None
        if connection.error is not None:
            raise _caused(httpcore.WriteError, connection.error)

    async def aclose(self) -> None:
        # At once, as httpcore's other backends do: close() would flush first and, on TLS, wait
        # for the server's goodbye, up to 30 s with a socket open. Nothing is left to send here.
        self._transport.abort()
        # asyncio closes the socket on the loop's next turn; take that turn now, so that a
        # closed connection is closed for whoever runs next (the server sees it go at once).
        await asyncio.sleep(0)

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        deadline = asyncio.timeout(timeout)
        try:
            async with deadline:
                transport = await loop.start_tls(
                    self._transport,
                    self._connection,
                    ssl_context,
                    server_hostname=server_hostname,
                    ssl_handshake_timeout=timeout,
                )
        except (OSError, ssl.SSLError) as error:  # TimeoutError is an OSError too
            self._transport.close()
            if isinstance(error, TimeoutError) and deadline.expired():
                raise httpcore.ConnectTimeout(
                    f"the secure connection was not set up within {duration_in_words(timeout)}"
                ) from None
            raise httpcore.ConnectError(str(error) or type(error).__name__) from error
        if transport is None:  # the connection closed during the handshake
            raise httpcore.ConnectError("the server closed the connection during the handshake")
        assert isinstance(transport, asyncio.Transport)
        # The protocol stays; it now hears from the TLS transport, which it pauses and resumes.
        self._connection.transport = transport
        return AsyncioStream(transport, self._connection)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # An idle connection with something to read (or its end) cannot be reused: the
            # server closed it, or sent what was not asked for. The loop reads as data arrives,
            # so the buffer knows without a system call.
            return bool(self._connection.buffer) or self._connection.ended
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on asyncio's own transports (TCP, TLS, Unix sockets)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        return await self._connect(
            lambda: loop.create_connection(
                _Connection,
                host,
                port,
                local_addr=local,
                happy_eyeballs_delay=0.25,  # RFC 8305: try IPv4 too if IPv6 is slow to answer
                **_ALL_ERRORS,
            ),
            timeout,
            socket_options,
            f"{host}:{port}",
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        return await self._connect(
            lambda: loop.create_unix_connection(_Connection, path), timeout, socket_options, path
        )

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def _connect(
        self,
        open_connection: Any,
        timeout: float | None,
        socket_options: Iterable[SocketOption] | None,
        where: str,
    ) -> AsyncioStream:
        deadline = asyncio.timeout(timeout)
        try:
            async with deadline:
                transport, connection = await open_connection()
        except (OSError, ExceptionGroup) as error:  # no such host, refused, a system timeout
            if isinstance(error, TimeoutError) and deadline.expired():
                raise httpcore.ConnectTimeout(
                    f"no connection to {where} within {duration_in_words(timeout)}"
                ) from None
            failure = _caused(httpcore.ConnectError, _first_error(error))
        else:
            failure = None
        if failure is not None:
            raise failure  # outside the except block, so that the cause stays its context too
        sock = transport.get_extra_info("socket")
        for option in socket_options or ():
            if sock is not None:
                sock.setsockopt(*option)
        return AsyncioStream(transport, connection)


def _first_error(error: BaseException) -> BaseException:
    """The error of the first address tried, when a name had several and every one failed.

    "localhost" is ::1 and 127.0.0.1: both refuse when nothing listens. Python 3.12 hands over
    each address's error (`all_errors=True`); 3.11 joins them into one OSError with no number,
    "Multiple exceptions: [Errno 111] ..., [Errno 111] ...", which would hide that the host
    refused. When every address failed with the same error number, that is the error.
    """
    if isinstance(error, BaseExceptionGroup):
        return _first_error(error.exceptions[0])
    if type(error) is OSError and error.errno is None:
        numbers = set(_ERRNO.findall(str(error)))
        if len(numbers) == 1:
            number = int(numbers.pop())
            return OSError(number, os.strerror(number))  # the subclass: ConnectionRefusedError
    return error


_ERRNO = re.compile(r"\[Errno (\d+)\]")
