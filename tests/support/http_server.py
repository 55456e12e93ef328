"""A real HTTP or HTTPS server on 127.0.0.1 for tests, with routes a test can change at any time.

It runs in its own threads, so it serves while the test's asyncio loop is busy awaiting a client::

    with LocalServer() as server:                       # or LocalServer(https=True)
        server.route("/page", "<html><p>hello</p></html>")
        server.route("/gone", status=404)
        server.route("/old", status=301, headers={"Location": "/page"})
        server.route("/app.js", "x = 1", content_type="text/javascript", etag='"v1"')
        server.handle("/slow", drip(b"<html>" * 10, interval=1.0))
        server.handle("/bomb", gzip_zeros(1 << 30))
        page = await fetcher.fetch_page(server.url("/page"))
        assert server.requests_to("/page")[0].header("user-agent")

As a pytest fixture, every test has one: `server` (tests/conftest.py); a test module that needs
routes on it from the start defines its own `server` over that form.

Static routes answer with a Content-Length and keep the connection alive. A handler function
(`handle`) gets an `Exchange` and may do anything: answer slowly, send garbage, stop half-way. Its
connection is closed when it returns, so a body without a Content-Length ends there. `Exchange.send`
says when the client has gone and `Exchange.wait` when the server is closing, so handlers stop
soon after either: keep their loops bounded all the same.

HTTPS uses a certificate from a throw-away trustme CA, for 127.0.0.1 and localhost: clients that
verify certificates refuse it as untrusted unless they trust `server.ca`.
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import trustme

__all__ = [
    "Exchange",
    "Handler",
    "LocalServer",
    "SeenRequest",
    "drip",
    "free_port",
    "garbage",
    "gzip_zeros",
    "stream",
]

Headers = Mapping[str, str] | Iterable[tuple[str, str]]

# How long a connection may sit silent (client not reading, not sending) before the server drops it.
SOCKET_TIMEOUT = 5.0


@dataclass
class SeenRequest:
    """A request as the server received it, and how much of an answer it was sent."""

    method: str
    path: str  # with the query string
    headers: list[tuple[str, str]]
    bytes_sent: int = 0  # through Exchange.send: the body, or whatever a handler sent

    def header(self, name: str) -> str | None:
        """The first value of a request header, by case-insensitive name."""
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)


class Exchange:
    """One request being answered by a handler function."""

    def __init__(
        self, handler: _RequestHandler, request: SeenRequest, closing: threading.Event
    ) -> None:
        self.request = request
        self._handler = handler
        self._closing = closing
        self.complete = False  # a whole answer went out through respond(): the connection lives

    def start(self, status: int = 200, headers: Headers = ()) -> bool:
        """Send the status line and headers; False if the client has gone. Without a
        Content-Length, the body runs until the handler returns and the connection closes."""
        pairs = _pairs(headers)
        names = {name.lower() for name, _ in pairs}
        has_body = status >= 200 and status not in (204, 304)
        if has_body and not names & {"content-length", "transfer-encoding"}:
            pairs.append(("Connection", "close"))
            self._handler.close_connection = True
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Unknown"
        head = [f"HTTP/1.1 {status} {phrase}", *(f"{name}: {value}" for name, value in pairs)]
        return self._write("\r\n".join(head).encode("latin-1") + b"\r\n\r\n")

    def respond(self, status: int = 200, body: bytes | str = b"", headers: Headers = ()) -> None:
        """A whole answer with a Content-Length (none for 204 and 304)."""
        data = body.encode() if isinstance(body, str) else body
        pairs = _pairs(headers)
        if status not in (204, 304):
            pairs.append(("Content-Length", str(len(data))))
        self.complete = self.start(status, pairs) and (self.send(data) if data else True)

    def send(self, data: bytes) -> bool:
        """Send bytes as they are; False once the client has gone (then stop sending)."""
        if not self._write(data):
            return False
        self.request.bytes_sent += len(data)
        return True

    def wait(self, seconds: float) -> bool:
        """Sleep; False, at once, if the server is closing (then stop)."""
        return not self._closing.wait(seconds)

    def _write(self, data: bytes) -> bool:
        try:
            self._handler.wfile.write(data)
        except OSError:  # broken pipe, reset, TLS closed, or the client stopped reading
            self._handler.close_connection = True
            return False
        return True


Handler = Callable[[Exchange], None]


class LocalServer:
    """An HTTP(S) server on 127.0.0.1 and a free port, serving from a thread until closed."""

    def __init__(self, *, https: bool = False) -> None:
        self.ca: trustme.CA | None = None
        context: ssl.SSLContext | None = None
        if https:
            self.ca = trustme.CA()
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._closing = threading.Event()
        self._routes: dict[str, Handler] = {}
        self._fallback: Handler | None = None
        self._requests: list[SeenRequest] = []
        self._in_flight = 0
        self._peak_in_flight = 0
        self._server = _Server(self, context)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"LocalServer:{self.port}",
            daemon=True,
        )
        self._started = False

    # -- Life ------------------------------------------------------------------------------------

    def start(self) -> LocalServer:
        if not self._started:
            self._thread.start()
            self._started = True
        return self

    def close(self) -> None:
        """Stop serving; handlers still running are told to stop (see Exchange.wait)."""
        self._closing.set()
        if self._started:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
        self.wait_until_idle(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- Addresses -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        port: int = self._server.server_address[1]
        return port

    @property
    def scheme(self) -> str:
        return "https" if self.ca else "http"

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        """The full URL of a path; `host="localhost"` reaches the same server under another name."""
        return f"{self.scheme}://{host}:{self.port}{path}"

    # -- Routes ----------------------------------------------------------------------------------

    def route(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
        headers: Headers = (),
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Answer requests to `path` (query ignored) with this response, until changed.

        `content_type=None` sends no Content-Type. With `etag` or `last_modified`, the route sends
        them and answers 304 Not Modified to a request whose If-None-Match or If-Modified-Since
        equals them.
        """
        data = body.encode() if isinstance(body, str) else body
        pairs = _pairs(headers)
        if content_type is not None:
            pairs.insert(0, ("Content-Type", content_type))
        validators = [
            (name, value)
            for name, value in (("ETag", etag), ("Last-Modified", last_modified))
            if value
        ]
        pairs.extend(validators)

        def answer(exchange: Exchange) -> None:
            asked = exchange.request
            if (etag and asked.header("if-none-match") == etag) or (
                last_modified and asked.header("if-modified-since") == last_modified
            ):
                exchange.respond(304, headers=validators)
            else:
                exchange.respond(status, data, pairs)

        self.handle(path, answer)

    def fallback(self, handler: Handler | None) -> None:
        """Answer requests to paths without a route by calling `handler` (None: 404)."""
        with self._lock:
            self._fallback = handler

    def handle(self, path: str, handler: Handler) -> None:
        """Answer requests to `path` (query ignored) by calling `handler`, in a server thread."""
        with self._lock:
            self._routes[path] = handler

    # -- What was asked --------------------------------------------------------------------------

    @property
    def requests(self) -> list[SeenRequest]:
        """Every request so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[SeenRequest]:
        """The requests whose path, query aside, is `path`."""
        return [r for r in self.requests if r.path.partition("?")[0] == path]

    @property
    def peak_in_flight(self) -> int:
        """The most requests being answered at the same moment so far."""
        with self._lock:
            return self._peak_in_flight

    def wait_until_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no request is being answered (e.g. a handler has noticed the client left)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    # -- Serving (server threads) ----------------------------------------------------------------

    def _serve(self, handler: _RequestHandler) -> None:
        request = SeenRequest(handler.command, handler.path, list(handler.headers.items()))
        with self._lock:
            self._requests.append(request)
            route = self._routes.get(handler.path.partition("?")[0], self._fallback)
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
        try:
            exchange = Exchange(handler, request, self._closing)
            if route is None:
                exchange.respond(404, "no route", [("Content-Type", "text/plain")])
            else:
                route(exchange)
            if not exchange.complete:
                # Half an answer, or garbage: nothing on this connection can be trusted after it.
                handler.close_connection = True
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, owner: LocalServer, context: ssl.SSLContext | None) -> None:
        self.owner = owner
        self.context = context
        super().__init__(("127.0.0.1", 0), _RequestHandler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # TLS is set up here, in the connection's own thread, so that a client that stalls or
        # refuses the certificate holds up nobody else.
        if self.context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(SOCKET_TIMEOUT)
        try:
            secure = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client refused our certificate, or left
        try:
            super().finish_request(secure, client_address)
        finally:
            secure.close()


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = SOCKET_TIMEOUT

    def do_GET(self) -> None:
        self.server.owner._serve(self)

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read server.requests instead of stderr


def _pairs(headers: Headers) -> list[tuple[str, str]]:
    return list(headers.items()) if isinstance(headers, Mapping) else list(headers)


# -- Ready-made handlers for the odd cases ---------------------------------------------------------


def drip(data: bytes, interval: float = 1.0, content_type: str = "text/html") -> Handler:
    """Declare the whole length, then send one byte every `interval` seconds."""

    def handler(exchange: Exchange) -> None:
        exchange.start(200, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
        for index in range(len(data)):
            if not exchange.send(data[index : index + 1]) or not exchange.wait(interval):
                return

    return handler


def stream(
    size: int,
    *,
    content_length: bool = False,
    chunk: int = 64 * 1024,
    content_type: str = "text/html",
) -> Handler:
    """Send `size` bytes of HTML-ish filler as fast as the client takes them, until it leaves.

    Without `content_length` the body ends when the connection closes, so only counting bytes can
    tell the client it is too large.
    """
    filler = (b"<p>" + b"filler " * 20 + b"</p>\n") * (chunk // 145 + 1)

    def handler(exchange: Exchange) -> None:
        headers = [("Content-Type", content_type)]
        if content_length:
            headers.append(("Content-Length", str(size)))
        exchange.start(200, headers)
        left = size
        while left > 0 and exchange.send(filler[: min(chunk, left)]):
            left -= min(chunk, left)

    return handler


def gzip_zeros(size: int, content_type: str = "text/html") -> Handler:
    """A valid gzip body of `size` zero bytes, made on the fly at ~1 KB per MB: 1 GB of it is a
    "gzip bomb" of 1 MB on the wire. Sent as Content-Encoding: gzip, with no Content-Length."""
    block = bytes(1024 * 1024)

    def handler(exchange: Exchange) -> None:
        exchange.start(200, [("Content-Type", content_type), ("Content-Encoding", "gzip")])
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        # A full flush forgets the past, so every block of zeros after the first compresses to
        # the same bytes: compress two, then repeat the second.
        first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        crc, left = 0, size
        while left > 0:
            count = min(len(block), left)
            if count == len(block):
                piece = first if left == size else again
            else:  # the short last block: no longer the repeated bytes
                tail = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
                piece = tail.compress(block[:count]) + tail.flush(zlib.Z_FULL_FLUSH)
                if left == size:
                    piece = first[:10] + piece  # the gzip header still comes first
            if not exchange.send(piece):
                return
            crc = zlib.crc32(block[:count], crc)
            left -= count
        # An empty final deflate block, then the gzip trailer: CRC-32 and length mod 2**32.
        exchange.send(b"\x03\x00" + struct.pack("<II", crc, size & 0xFFFFFFFF))

    return handler


def garbage(data: bytes) -> Handler:
    """Send these bytes instead of an HTTP answer, then close."""

    def handler(exchange: Exchange) -> None:
        exchange.send(data)

    return handler


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (for "connection refused")."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
