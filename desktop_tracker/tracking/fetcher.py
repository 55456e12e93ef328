"""Fetching pages and their resources over HTTP(S), within limits, failing with errors that say why.

Everything the app downloads goes through one `Fetcher`, so its limits hold for the whole process:
how many requests run at once, in all and per host; how long a request may take, body included;
how large a body may grow once decompressed. A failure is always one of the errors of
`desktop_tracker.tracking.errors`, with a message for the user; no httpx exception gets out.

Request headers may hold cookies or tokens: their values are never logged nor put in a message, and
the caller's headers go only to the site they are meant for, by the rule of `sites.same_site`: not
to a request to another site, nor to any hop after a redirect has left it.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import zlib
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from urllib.parse import urlsplit

import httpcore
import httpx

from desktop_tracker import __version__
from desktop_tracker.core.durations import duration_in_words
from desktop_tracker.domain.urls import InvalidUrl as UrlRefused
from desktop_tracker.domain.urls import validate_http_url, written_scheme
from desktop_tracker.kinds.base import is_header_name, is_sendable_header_value
from desktop_tracker.tracking.connections import OriginPools
from desktop_tracker.tracking.encoding import decode_html
from desktop_tracker.tracking.errors import (
    ConnectError,
    DnsError,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    InvalidUrl,
    NotHtml,
    TlsError,
    TooLarge,
    TooManyRedirects,
)
from desktop_tracker.tracking.sites import origin_of, same_site

__all__ = [
    "USER_AGENT",
    "FetchLimits",
    "FetchedPage",
    "Fetcher",
    "ResourceResponse",
    "looks_like_html",
    "validate_url",
]

USER_AGENT = f"desktop-tracker/{__version__} (+https://github.com/desktop-tracker)"

_PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
_RESOURCE_ACCEPT = "*/*"
# Only what we decompress ourselves, with a bound on the output (see _Inflater). Brotli and zstd
# are not offered: their Python decoders cannot bound what one chunk expands to.
_ACCEPT_ENCODING = "gzip, deflate"


@dataclass(frozen=True)
class FetchLimits:
    """How much one request may cost, and how many may run at once."""

    page_bytes: int = 10 * 1024 * 1024  # after decompression
    resource_bytes: int = 5 * 1024 * 1024
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # between bytes
    total_timeout: float = 60.0  # whole request incl. body
    max_redirects: int = 10
    max_concurrent: int = 16  # whole process
    max_per_host: int = 4

    def __post_init__(self) -> None:
        for name in ("page_bytes", "resource_bytes", "max_concurrent", "max_per_host"):
            if getattr(self, name) < 1:
                raise ValueError(f"FetchLimits.{name} must be at least 1")
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"FetchLimits.{name} must be positive")
        if self.max_redirects < 0:
            raise ValueError("FetchLimits.max_redirects cannot be negative")


@dataclass(frozen=True)
class FetchedPage:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    # Names lower-cased, in the order received; Set-Cookie may repeat. Kept out of repr: logging a
    # page must not log its cookies (nor megabytes of body).
    headers: list[tuple[str, str]] = field(repr=False)
    body: bytes = field(repr=False)
    text: str = field(repr=False)  # the body decoded
    encoding: str  # the Python codec the text was decoded with
    # A redirect took the chain away from the site of `url`: from there on, the caller's headers
    # went to no request, and they must go to none of the page's resources either.
    left_site: bool = False


@dataclass(frozen=True)
class ResourceResponse:
    url: str
    final_url: str
    status: int  # 200, or 304 when not modified
    body: bytes | None = field(repr=False)  # None when 304
    etag: str | None
    last_modified: str | None


# -- URLs -----------------------------------------------------------------------------------------


def validate_url(url: str) -> str:
    """Return the URL stripped if it is an absolute http(s) URL with a host: the rule of
    `domain.urls.validate_http_url`, its refusal as a FetchError.

    :raises InvalidUrl: with a message for the user, e.g. "only http and https pages can be
        tracked, not file: URLs".
    """
    try:
        return validate_http_url(url)
    except UrlRefused as error:
        raise InvalidUrl(str(error), url.strip()) from None


# -- The fetcher ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Wanted:
    """What a request is for: how its answer is judged."""

    noun: str  # "page" or "resource", for messages
    max_bytes: int
    html: bool  # refuse what is not HTML
    answer_304: bool | None = None  # whether a 304 is an answer (None: unless `html`)

    def __post_init__(self) -> None:
        if self.answer_304 is None:
            object.__setattr__(self, "answer_304", not self.html)


@dataclass(frozen=True)
class _Answer:
    final_url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes | None
    left_site: bool  # some request of the chain went to another site than the headers'


@dataclass
class _HostGate:
    semaphore: asyncio.Semaphore
    users: int = 0  # holding or waiting; the gate is dropped when none are left


class Fetcher:
    """Fetches pages and resources; one per process, so that its limits are the process's.

    There is one httpx client per TLS setting, opened on first use, and each keeps its
    connections per origin (`OriginPools`). Given a `transport` (tests), one client serves both
    settings: the transport decides about TLS. Given a `network_backend` (tests and benchmarks),
    the connections go where it takes them.
    """

    def __init__(
        self,
        limits: FetchLimits = FetchLimits(),  # frozen: one shared default is safe
        *,
        user_agent: str = USER_AGENT,
        transport: httpx.AsyncBaseTransport | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.limits = limits
        self._user_agent = user_agent
        self._transport = transport
        self._network_backend = network_backend
        self._clients: dict[bool, httpx.AsyncClient] = {}
        self._all_requests = asyncio.Semaphore(limits.max_concurrent)
        self._hosts: dict[str, _HostGate] = {}
        self._page = _Wanted("page", limits.page_bytes, html=True)
        self._resource = _Wanted("resource", limits.resource_bytes, html=False)
        # A headers tracker's page: any response that is not an error or a redirect.
        self._any_page = _Wanted("page", limits.page_bytes, html=False, answer_304=False)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close all connections, once no request is running. A later request opens new ones."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    async def fetch_page(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        verify_tls: bool = True,
        html: bool = True,
    ) -> FetchedPage:
        """GET an HTML page, following redirects, and decode its text. With `html` False any
        successful response is taken, and its text is "" unless it is HTML.

        :raises FetchError: one of its subclasses, saying why the page could not be had.
        """
        url = validate_url(url)
        caller = _checked_headers(headers, url)
        wanted = self._page if html else self._any_page
        answer = await self._get(url, url, _PAGE_ACCEPT, caller, {}, verify_tls, wanted)
        assert answer.body is not None  # a page is never a 304
        content_type = _header(answer.headers, "content-type")
        text, encoding = "", "utf-8"
        is_html = _declared_html(content_type)
        if html or is_html or (is_html is None and looks_like_html(answer.body)):
            # On the loop that checks pages, as parsing.
            text, encoding = decode_html(answer.body, content_type)
        return FetchedPage(
            url,
            answer.final_url,
            answer.status,
            answer.headers,
            answer.body,
            text,
            encoding,
            answer.left_site,
        )

    async def fetch_resource(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        site: str | None = None,
        verify_tls: bool = True,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> ResourceResponse:
        """GET a script, stylesheet or other resource; conditionally when validators are given.

        `headers` are meant for the site of `site` (the tracker's URL; by default `url`): they
        go to no request of another site, and to none after a redirect has left that site.

        :returns: status 304 with no body when the server says the resource has not changed.
        :raises FetchError: one of its subclasses, saying why the resource could not be had.
        """
        url = validate_url(url)
        caller = _checked_headers(headers, url)
        # Validators come from the server's own headers; one that cannot be sent back (not
        # ASCII) only costs an unconditional request.
        validators = {
            name: value
            for name, value in (("If-None-Match", etag), ("If-Modified-Since", last_modified))
            if value and is_sendable_header_value(value)
        }
        answer = await self._get(
            url, site or url, _RESOURCE_ACCEPT, caller, validators, verify_tls, self._resource
        )
        return ResourceResponse(
            url,
            answer.final_url,
            answer.status,
            answer.body,
            _header(answer.headers, "etag"),
            _header(answer.headers, "last-modified"),
        )

    # -- One request, redirects and all ---------------------------------------------------------

    async def _get(
        self,
        url: str,
        site: str,
        accept: str,
        caller: dict[str, str],
        validators: dict[str, str],
        verify_tls: bool,
        wanted: _Wanted,
    ) -> _Answer:
        async with self._slot(url):
            try:
                # The clock starts once we may send: time queued behind our own requests is not
                # the server's fault.
                async with asyncio.timeout(self.limits.total_timeout):
                    return await self._follow(
                        url, site, accept, caller, validators, verify_tls, wanted
                    )
            except TimeoutError:
                raise FetchTimeout(
                    f"the {wanted.noun} did not arrive in full within "
                    f"{duration_in_words(self.limits.total_timeout)}",
                    url,
                ) from None

    async def _follow(
        self,
        url: str,
        site: str,
        accept: str,
        caller: dict[str, str],
        validators: dict[str, str],
        verify_tls: bool,
        wanted: _Wanted,
    ) -> _Answer:
        """GET `url` and the redirects it leads to. The caller's headers are meant for `site`:
        once a request of the chain is to another site, they go to no further request."""
        client = self._client(verify_tls)
        visited = [_without_fragment(url)]
        current = url
        left_site = not same_site(site, url)
        if left_site:
            caller = {}  # never restored below: the chain has left the headers' site
        for _ in range(self.limits.max_redirects + 1):
            # Ours first, the caller's over them, and the validators over everything.
            headers = httpx.Headers(self._default_headers(accept))
            headers.update(caller)
            headers.update(validators)
            try:
                response = await client.send(
                    client.build_request("GET", current, headers=headers), stream=True
                )
                try:
                    location = _redirect_location(response)
                    if location is None:
                        return await self._answer(response, url, wanted, left_site)
                finally:
                    await response.aclose()
            except (httpx.HTTPError, httpx.InvalidURL, OSError) as error:
                raise _translate(error, current, url, self.limits) from error
            target = _redirect_target(response.url, location, url)
            seen = _without_fragment(target)
            if seen in visited:
                loop = " → ".join([*visited[visited.index(seen) :], seen])
                raise TooManyRedirects(f"the {wanted.noun} redirects in a loop: {loop}", url)
            if not same_site(site, target):
                # The caller's cookies and tokens were meant for `site` only: not for this hop,
                # nor for any after it, even one back on `site`.
                left_site = True
                caller = {}
            visited.append(seen)
            current = target
        raise TooManyRedirects(
            f"the {wanted.noun} was redirected more than {self.limits.max_redirects} times "
            f"(last to {current})",
            url,
        )

    async def _answer(
        self, response: httpx.Response, url: str, wanted: _Wanted, left_site: bool
    ) -> _Answer:
        """Judge the final response and read its body, within the size limit."""
        status = response.status_code
        if status >= 400:
            raise HttpStatusError(f"the server answered {_status_text(response)}", url, status)
        headers = [(name.lower(), value) for name, value in response.headers.multi_items()]
        final_url = str(response.url)
        if status == 304 and wanted.answer_304:
            return _Answer(final_url, status, headers, None, left_site)
        if not 200 <= status < 300:
            raise FetchError(
                f"the server answered {_status_text(response)} instead of the {wanted.noun}", url
            )
        content_type = response.headers.get("content-type")
        declared_html = _declared_html(content_type)
        if wanted.html and declared_html is False:
            # Known before the body: a picture or a PDF is not even downloaded.
            raise NotHtml(
                f"the address is not an HTML page: the server says it is {_mime(content_type)}",
                url,
            )
        body = await _read_body(response, url, wanted)
        if wanted.html and declared_html is None and not looks_like_html(body):
            said = (
                f"the server says it is {_mime(content_type)}"
                if content_type
                else "the server does not say what it is"
            )
            raise NotHtml(f"the address does not look like an HTML page ({said})", url)
        return _Answer(final_url, status, headers, body, left_site)

    # -- Connections, headers and limits ----------------------------------------------------------

    async def warm_up(self) -> None:
        """Build the clients now, on a worker thread: loading the certificate store takes tens
        of milliseconds that would otherwise stall the event loop at the first check."""
        for verify_tls in (True, False):
            await asyncio.to_thread(self._client, verify_tls)

    def _client(self, verify_tls: bool) -> httpx.AsyncClient:
        key = verify_tls if self._transport is None else True
        client = self._clients.get(key)
        if client is None:
            limits = self.limits
            transport = self._transport or OriginPools(
                httpx.create_ssl_context(verify=verify_tls),
                max_per_origin=limits.max_per_host,
                network_backend=self._network_backend,
            )
            client = httpx.AsyncClient(
                # Our own transport means httpx mounts no proxies from the environment: checks
                # go straight to the site (proxy support would be a setting of its own).
                verify=verify_tls,
                http1=True,
                http2=False,
                follow_redirects=False,  # done in _follow: each hop is checked and counted
                timeout=httpx.Timeout(
                    connect=limits.connect_timeout,
                    read=limits.read_timeout,
                    write=limits.read_timeout,
                    pool=limits.total_timeout,
                ),
                cookies=_refusing_cookies(),
                event_hooks={"response": [_set_location_aside]},
                transport=transport,
            )
            self._clients[key] = client
        return client

    def _default_headers(self, accept: str) -> dict[str, str]:
        return {
            "User-Agent": self._user_agent,
            "Accept": accept,
            "Accept-Encoding": _ACCEPT_ENCODING,
        }

    @asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        """Wait for a free place for the host, then for one in the whole process.

        The host's place is taken first so that requests queued behind a busy host do not hold
        places that requests to other hosts could use. Both are held until the body is read; a
        redirect to another host stays in the first host's place.
        """
        # The host as the client reads it (IDNA, lower case), whatever the port.
        site = origin_of(url)
        host = site.host if site is not None else ""
        gate = self._hosts.get(host)
        if gate is None:
            gate = self._hosts[host] = _HostGate(asyncio.Semaphore(self.limits.max_per_host))
        gate.users += 1
        try:
            async with gate.semaphore, self._all_requests:
                yield
        finally:
            gate.users -= 1
            if gate.users == 0:
                del self._hosts[host]


# -- Requests -------------------------------------------------------------------------------------


def _checked_headers(headers: Mapping[str, str] | None, url: str) -> dict[str, str]:
    """The caller's headers, refused with a message naming the header (never its value)."""
    checked: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not is_header_name(name):
            raise FetchError(f"{name!r} is not a valid request header name", url)
        if not is_sendable_header_value(value):
            raise FetchError(
                f"the request header {name} cannot be sent: its value must be ASCII on one line",
                url,
            )
        checked[name] = value.strip()
    return checked


def _refusing_cookies() -> CookieJar:
    """A cookie jar that keeps nothing.

    A tracker sends exactly the cookies it was given. A shared jar would carry one tracker's
    session into another's requests and make what a check sees depend on what ran before it.
    """
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_LOCATION = "desktop_tracker.location"  # where _set_location_aside keeps a redirect's Location


async def _set_location_aside(response: httpx.Response) -> None:
    """A response hook that moves a redirect's Location header out of httpx's sight.

    httpx works out where a redirect leads even when told not to follow it, and raises on a
    Location it cannot parse ("javascript:x()") before we could say what is wrong with it.
    """
    if response.status_code in _REDIRECTS and "location" in response.headers:
        response.extensions[_LOCATION] = response.headers.get_list("location")[0]
        del response.headers["location"]


def _redirect_location(response: httpx.Response) -> str | None:
    location: str | None = response.extensions.get(_LOCATION)
    return location


def _redirect_target(base: httpx.URL, location: str, url: str) -> str:
    """The absolute URL a Location header points to, if it may be fetched."""
    location = location.strip()
    try:
        if written_scheme(location):
            validate_url(location)  # as written: httpx would make "file:///x" into "file:/x"
        # Relative to the answering URL; httpx percent-encodes spaces and the like, as browsers do.
        return validate_url(str(base.join(location)))
    except (InvalidUrl, httpx.InvalidURL) as error:
        raise InvalidUrl(
            f"the server redirected to {location}, which cannot be fetched: {error}", url
        ) from None


def _without_fragment(url: str) -> str:
    return url.partition("#")[0]


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key == name), None)


# -- Responses ------------------------------------------------------------------------------------

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types that say nothing about what the bytes are: servers send them for anything.
_VAGUE_TYPES = frozenset(
    {
        "text/plain",
        "application/octet-stream",
        "binary/octet-stream",
        "application/binary",
        "application/unknown",
        "unknown/unknown",
        "*/*",
    }
)


def _mime(content_type: str | None) -> str:
    return (content_type or "").partition(";")[0].strip().lower()


def _declared_html(content_type: str | None) -> bool | None:
    """True for an HTML type, False for any other real type, None when only the bytes can tell."""
    mime = _mime(content_type)
    if mime in _HTML_TYPES:
        return True
    if not mime or "/" not in mime or mime in _VAGUE_TYPES:
        return None
    return False


# The HTML sniffing patterns of the WHATWG MIME Sniffing standard, each followed by a space or ">".
_HTML_STARTS = tuple(
    f"<{tag}".encode()
    for tag in (
        "!doctype html",
        "html",
        "head",
        "script",
        "iframe",
        "h1",
        "div",
        "font",
        "table",
        "a",
        "style",
        "title",
        "b",
        "body",
        "br",
        "p",
    )
)
_TAG_END = frozenset(b"\t\n\f\r >")


def looks_like_html(body: bytes) -> bool:
    """Whether the bytes start like an HTML document, after a BOM, white space and comments."""
    pos = 3 if body.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while pos < len(body) and body[pos] in b"\t\n\f\r ":
            pos += 1
        if body.startswith(b"<!--", pos):
            end = body.find(b"-->", pos + 4)
        elif body.startswith(b"<?xml", pos):  # XHTML's declaration, before its doctype
            end = body.find(b"?>", pos + 5)
        else:
            break
        if end < 0:
            return False
        pos = body.index(b">", end) + 1
    head = body[pos : pos + 16].lower()
    return any(
        head.startswith(start) and len(head) > len(start) and head[len(start)] in _TAG_END
        for start in _HTML_STARTS
    )


async def _read_body(response: httpx.Response, url: str, wanted: _Wanted) -> bytes:
    """The body, decompressed, refused as soon as it grows past the limit.

    The limit is on decompressed bytes, checked while they arrive: neither a huge body nor a
    small compressed one that inflates to gigabytes (a "zip bomb") is ever held in memory.
    """
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > wanted.max_bytes:
        raise TooLarge(
            f"the {wanted.noun} is larger than {_size(wanted.max_bytes)}, the limit for "
            f"{wanted.noun}s (the server says {_size(int(declared))})",
            url,
        )
    inflater = _Inflater.for_response(response, url)
    body = bytearray()
    async for raw in response.aiter_raw():
        for piece in inflater.feed(raw) if inflater else (raw,):
            body += piece
            if len(body) > wanted.max_bytes:
                raise TooLarge(
                    f"the {wanted.noun} is larger than {_size(wanted.max_bytes)}, the limit for "
                    f"{wanted.noun}s",
                    url,
                )
    return bytes(body)


class _Inflater:
    """gzip or deflate decompression that never makes more than a piece at a time.

    httpx's own decoders inflate each received chunk whole: 64 KiB of a gzip bomb become 64 MB at
    once, and layered encodings multiply that. Here every step is bounded.
    """

    PIECE = 1024 * 1024

    def __init__(self, coding: str, url: str) -> None:
        self._coding = coding
        self._url = url
        gzip = coding in ("gzip", "x-gzip")
        self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
        # "deflate" should be zlib-wrapped, but some servers send raw deflate: try both, as
        # browsers do.
        self._may_be_raw = not gzip

    @classmethod
    def for_response(cls, response: httpx.Response, url: str) -> _Inflater | None:
        codings = [
            coding.strip().lower()
            for coding in response.headers.get_list("content-encoding", split_commas=True)
        ]
        codings = [c for c in codings if c and c != "identity"]
        if not codings:
            return None
        if len(codings) > 1:
            raise FetchError(
                f"the server compressed the answer several times over ({', '.join(codings)}), "
                "which the app refuses",
                url,
            )
        if codings[0] in ("gzip", "x-gzip", "deflate"):
            return cls(codings[0], url)
        if codings[0] in ("br", "zstd", "compress", "x-compress"):
            raise FetchError(
                f"the server compressed the answer with {codings[0]}, which the app did not ask "
                "for and cannot read",
                url,
            )
        return None  # a label that is no compression at all; browsers ignore those too

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self._zlib.eof:
            try:
                piece = self._zlib.decompress(data, self.PIECE)
            except zlib.error:
                if not self._may_be_raw:
                    raise FetchError(
                        f"the server sent a damaged {self._coding}-compressed answer", self._url
                    ) from None
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self._may_be_raw = False
                continue
            self._may_be_raw = False
            data = self._zlib.unconsumed_tail  # what did not fit in this piece
            if piece:
                yield piece


# -- Errors ---------------------------------------------------------------------------------------


def _translate(error: Exception, hop_url: str, url: str, limits: FetchLimits) -> FetchError:
    """The FetchError that says, in words, what an httpx or socket error means."""
    parts = urlsplit(hop_url)
    host = parts.hostname or hop_url
    try:
        where = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        where = host
    if isinstance(error, httpx.ConnectTimeout):
        return FetchTimeout(
            f"could not connect to {where} within {duration_in_words(limits.connect_timeout)}", url
        )
    if isinstance(error, httpx.ReadTimeout):
        return FetchTimeout(
            f"{where} sent nothing for {duration_in_words(limits.read_timeout)}: it stopped "
            "answering",
            url,
        )
    if isinstance(error, httpx.TimeoutException):
        return FetchTimeout(f"{where} took too long to take the request", url)
    if isinstance(error, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return InvalidUrl(f"the address {hop_url} cannot be fetched: {error}", url)
    if isinstance(error, httpx.RemoteProtocolError):
        # h11's wording, put plainly; its own text quotes raw bytes.
        text = str(error)
        if "without sending a response" in text:
            return FetchError(f"{where} closed the connection without answering", url)
        if "complete message body" in text:
            return FetchError(f"{where} closed the connection before the answer was complete", url)
        return FetchError(f"{where} did not answer in valid HTTP", url)
    if isinstance(error, httpx.DecodingError):
        return FetchError(f"{where} sent a damaged compressed answer", url)
    if isinstance(error, httpx.LocalProtocolError):
        # Its text may quote a header value: say which kind of thing failed, not what.
        return FetchError("the request could not be sent: a request header is not valid", url)
    for cause in _causes(error):
        if isinstance(cause, socket.gaierror):
            return DnsError(
                f"the host name {host} could not be found: check the address and that you are "
                "online",
                url,
            )
        if isinstance(cause, ssl.SSLCertVerificationError):
            return TlsError(
                f"the certificate of {host} is not trusted ({cause.verify_message or cause}); "
                "if you trust this site anyway, turn on “skip TLS verification” for this tracker",
                url,
            )
        if isinstance(cause, ssl.SSLError):
            return TlsError(
                f"a secure connection to {where} could not be made ({cause.reason or cause})", url
            )
        if isinstance(cause, ConnectionRefusedError):
            return ConnectError(f"{where} refused the connection: nothing is listening there", url)
        if isinstance(cause, ConnectionResetError | BrokenPipeError):
            return ConnectError(f"the connection to {where} was reset", url)
    if isinstance(error, httpx.ConnectError | httpx.ProxyError):
        return ConnectError(f"could not connect to {where} ({_brief(error)})", url)
    if isinstance(error, httpx.NetworkError | OSError):
        return ConnectError(f"the connection to {where} was lost ({_brief(error)})", url)
    return FetchError(f"the request to {where} failed ({_brief(error)})", url)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what caused it, down the chain (httpx wraps httpcore wraps the socket's)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _brief(error: object) -> str:
    """The message on one line and short enough for a notification."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 120 else text[:117] + "…"


def _status_text(response: httpx.Response) -> str:
    status = response.status_code
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:  # a code of the server's own: its words, if they are words
        phrase = " ".join(response.reason_phrase.split())[:60]
        phrase = phrase if phrase.isprintable() else ""
    return f"{status} {phrase}".strip()


def _size(count: int) -> str:
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= size:
            value = count / size
            return (
                f"{value:.0f} {unit}"
                if value >= 10 or value.is_integer()
                else f"{value:.1f} {unit}"
            )
    return f"{count} bytes"
