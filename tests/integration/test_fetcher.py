"""The fetcher against a real server on 127.0.0.1: every case ends in a page or the right error."""

from __future__ import annotations

import asyncio
import socket
import time
import tracemalloc
import zlib
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_tracker import __version__
from desktop_tracker.tracking.encoding import decode_html, encoding_for_label
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
from desktop_tracker.tracking.fetcher import (
    USER_AGENT,
    Fetcher,
    FetchLimits,
    looks_like_html,
    validate_url,
)
from tests.support.http_server import (
    Exchange,
    LocalServer,
    drip,
    free_port,
    garbage,
    gzip_zeros,
    stream,
)
from tests.support.loopback import OneServerTransport

# Short enough that a test which goes wrong fails in seconds rather than hanging.
QUICK = FetchLimits(connect_timeout=3, read_timeout=3, total_timeout=8)
MB = 1024 * 1024


@pytest.fixture
def tls_server() -> Iterator[LocalServer]:
    with LocalServer(https=True) as server:
        yield server


def html(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"


# -- Pages ----------------------------------------------------------------------------------------


async def test_a_plain_page_arrives_with_its_headers_in_order(server: LocalServer) -> None:
    server.route(
        "/page",
        html("<p>hello</p>"),
        headers=[("Set-Cookie", "a=1"), ("X-Frame-Options", "DENY"), ("Set-Cookie", "b=2")],
    )
    async with Fetcher(QUICK) as fetcher:
        page = await fetcher.fetch_page(server.url("/page"))
    assert (page.url, page.final_url, page.status) == (server.url("/page"),) * 2 + (200,)
    assert "<p>hello</p>" in page.text
    assert page.body == html("<p>hello</p>").encode()
    assert page.encoding == "utf-8"
    assert [h for h in page.headers if h[0] == "set-cookie"] == [
        ("set-cookie", "a=1"),
        ("set-cookie", "b=2"),
    ]
    assert ("x-frame-options", "DENY") in page.headers
    assert "a=1" not in repr(page)  # headers (cookies) stay out of logs


async def test_a_redirect_chain_ends_at_the_final_url(server: LocalServer) -> None:
    server.route("/a", status=301, headers={"Location": "/b"})
    server.route("/b", status=302, headers={"Location": "c?x=1"})  # relative to /b
    server.route("/c", status=307, headers={"Location": server.url("/end#top")})
    server.route("/end", html("the end"))
    async with Fetcher(QUICK) as fetcher:
        page = await fetcher.fetch_page(server.url("/a"))
    assert page.url == server.url("/a")
    assert page.final_url == server.url("/end#top")
    assert "the end" in page.text
    assert [r.path for r in server.requests] == ["/a", "/b", "/c?x=1", "/end"]


async def test_a_redirect_loop_is_named_as_one(server: LocalServer) -> None:
    server.route("/ping", status=302, headers={"Location": "/pong"})
    server.route("/pong", status=302, headers={"Location": "/ping"})
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(TooManyRedirects, match="redirects in a loop") as caught:
            await fetcher.fetch_page(server.url("/ping"))
    assert caught.value.url == server.url("/ping")
    assert len(server.requests) == 2


async def test_more_redirects_than_the_limit_are_refused(server: LocalServer) -> None:
    for hop in range(5):
        server.route(f"/{hop}", status=302, headers={"Location": f"/{hop + 1}"})
    server.route("/5", html("too far"))
    limits = FetchLimits(max_redirects=3, total_timeout=8)
    async with Fetcher(limits) as fetcher:
        with pytest.raises(TooManyRedirects, match="more than 3 times"):
            await fetcher.fetch_page(server.url("/0"))
    assert len(server.requests) == 4  # the first request and three redirects, no more


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:x()"])
async def test_a_redirect_out_of_the_web_is_refused(server: LocalServer, target: str) -> None:
    server.route("/evil", status=302, headers={"Location": target})
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(InvalidUrl, match="only http and https"):
            await fetcher.fetch_page(server.url("/evil"))


async def test_the_callers_headers_do_not_follow_a_redirect_to_another_site(
    server: LocalServer,
) -> None:
    server.route("/here", status=302, headers={"Location": "/also-here"})
    server.route(
        "/also-here", status=302, headers={"Location": server.url("/away", host="localhost")}
    )
    server.route("/away", html("elsewhere"))
    secrets = {"Cookie": "session=s3cret", "Authorization": "Bearer t0ken"}
    async with Fetcher(QUICK) as fetcher:
        await fetcher.fetch_page(server.url("/here"), secrets)
    same_site, other_site = server.requests_to("/also-here")[0], server.requests_to("/away")[0]
    assert same_site.header("cookie") == "session=s3cret"
    assert other_site.header("cookie") is None
    assert other_site.header("authorization") is None
    assert other_site.header("user-agent") == USER_AGENT


# -- Size limits ----------------------------------------------------------------------------------


async def test_a_body_past_a_small_cap_is_refused_while_streaming(server: LocalServer) -> None:
    server.handle("/big", stream(50 * MB))  # no Content-Length: only counting can tell
    async with Fetcher(FetchLimits(page_bytes=64 * 1024, total_timeout=8)) as fetcher:
        with pytest.raises(TooLarge, match="the page is larger than 64 KB"):
            await fetcher.fetch_page(server.url("/big"))
    assert server.wait_until_idle()
    assert server.requests_to("/big")[0].bytes_sent < 10 * MB


async def test_50_mb_with_the_default_10_mb_cap_stops_early(server: LocalServer) -> None:
    server.handle("/big", stream(50 * MB))
    async with Fetcher() as fetcher:
        with pytest.raises(TooLarge, match="the page is larger than 10 MB"):
            await fetcher.fetch_page(server.url("/big"))
    assert server.wait_until_idle()
    # 10 MB read, plus what the sockets' buffers held when the client hung up.
    assert server.requests_to("/big")[0].bytes_sent < 20 * MB


async def test_a_declared_length_over_the_cap_is_refused_before_the_body(
    server: LocalServer,
) -> None:
    server.handle("/big", stream(50 * MB, content_length=True))
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(TooLarge, match="the server says 50 MB"):
            await fetcher.fetch_page(server.url("/big"))
    assert server.wait_until_idle()
    assert server.requests_to("/big")[0].bytes_sent < 10 * MB


async def test_a_gzip_bomb_stops_at_the_cap_without_inflating_in_memory(
    server: LocalServer,
) -> None:
    server.handle("/bomb", gzip_zeros(1024 * MB))  # 1 GB of zeros, ~1 MB on the wire
    tracemalloc.start()
    try:
        async with Fetcher() as fetcher:
            with pytest.raises(TooLarge, match="larger than 10 MB"):
                await fetcher.fetch_page(server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 30 * MB  # the 10 MB kept, never a whole inflated chunk of the bomb


async def test_a_resource_has_its_own_cap(server: LocalServer) -> None:
    server.handle("/app.js", gzip_zeros(2 * MB, content_type="text/javascript"))
    limits = FetchLimits(resource_bytes=1 * MB, total_timeout=8)
    async with Fetcher(limits) as fetcher:
        with pytest.raises(TooLarge, match="the resource is larger than 1 MB"):
            await fetcher.fetch_resource(server.url("/app.js"))


# -- Compression ----------------------------------------------------------------------------------


async def test_a_gzip_body_is_inflated_whole(server: LocalServer) -> None:
    size = 3 * MB + 5  # several pieces of inflated output, and a short last block
    server.handle("/zeros.js", gzip_zeros(size, content_type="text/javascript"))
    async with Fetcher(QUICK) as fetcher:
        resource = await fetcher.fetch_resource(server.url("/zeros.js"))
    assert resource.body == bytes(size)
    assert server.requests[0].header("accept-encoding") == "gzip, deflate"


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
async def test_deflate_is_read_wrapped_or_raw(server: LocalServer, wbits: int) -> None:
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = compressor.compress(html("squeezed").encode()) + compressor.flush()
    server.route("/page", body, headers={"Content-Encoding": "deflate"})
    async with Fetcher(QUICK) as fetcher:
        page = await fetcher.fetch_page(server.url("/page"))
    assert "squeezed" in page.text


async def test_an_encoding_not_asked_for_is_refused(server: LocalServer) -> None:
    server.route("/page", b"\x0b\x02\x80hi\x03", headers={"Content-Encoding": "br"})
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(FetchError, match="compressed the answer with br"):
            await fetcher.fetch_page(server.url("/page"))


async def test_damaged_gzip_is_a_fetch_error(server: LocalServer) -> None:
    server.route("/page", b"\x1f\x8b\x08\x00garbage" * 10, headers={"Content-Encoding": "gzip"})
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(FetchError, match="damaged gzip"):
            await fetcher.fetch_page(server.url("/page"))


# -- Time limits ----------------------------------------------------------------------------------


async def test_a_slow_drip_ends_at_the_total_timeout(server: LocalServer) -> None:
    server.handle("/drip", drip(html("x" * 100).encode(), interval=1.0))
    started = time.monotonic()
    async with Fetcher(FetchLimits(total_timeout=1.5)) as fetcher:
        with pytest.raises(FetchTimeout, match=r"did not arrive in full within 1\.5 s"):
            await fetcher.fetch_page(server.url("/drip"))
    assert time.monotonic() - started < 5
    assert server.wait_until_idle()  # and the server noticed the client left


async def test_silence_between_bytes_ends_at_the_read_timeout(server: LocalServer) -> None:
    server.handle("/drip", drip(html("x").encode(), interval=2.0))
    async with Fetcher(FetchLimits(read_timeout=0.3, total_timeout=8)) as fetcher:
        with pytest.raises(FetchTimeout, match=r"sent nothing for 0\.3 s"):
            await fetcher.fetch_page(server.url("/drip"))


# -- What is HTML ---------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", [None, "application/octet-stream", "text/plain"])
async def test_html_without_an_html_type_is_recognised(
    server: LocalServer, content_type: str | None
) -> None:
    server.route("/page", "\n<!-- generated -->\n" + html("sniffed"), content_type=content_type)
    async with Fetcher(QUICK) as fetcher:
        page = await fetcher.fetch_page(server.url("/page"))
    assert "sniffed" in page.text


@pytest.mark.parametrize("content_type", [None, "application/octet-stream", "text/plain"])
async def test_binary_garbage_without_an_html_type_is_not_html(
    server: LocalServer, content_type: str | None
) -> None:
    server.route("/blob", bytes(range(256)) * 8, content_type=content_type)
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(NotHtml, match="does not look like an HTML page"):
            await fetcher.fetch_page(server.url("/blob"))


@pytest.mark.parametrize("content_type", ["image/png", "application/json", "application/pdf"])
async def test_a_declared_other_type_is_not_html(server: LocalServer, content_type: str) -> None:
    server.route("/thing", b"<html>even if it says so</html>", content_type=content_type)
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(NotHtml, match=f"the server says it is {content_type}"):
            await fetcher.fetch_page(server.url("/thing"))


async def test_xhtml_is_html(server: LocalServer) -> None:
    xhtml = '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><p>x</p></html>'
    server.route("/page", xhtml, content_type="application/xhtml+xml")
    async with Fetcher(QUICK) as fetcher:
        assert "<p>x</p>" in (await fetcher.fetch_page(server.url("/page"))).text


def test_sniffing_skips_bom_space_comments_and_xml_declaration() -> None:
    assert looks_like_html(b"\xef\xbb\xbf  <!-- a --><!---->\n<?xml x?><!DOCTYPE html>")
    assert looks_like_html(b"<BODY onload=x()>")
    assert not looks_like_html(b"<bodyguard>")
    assert not looks_like_html(b"<!-- never closed <html>")
    assert not looks_like_html(b"")
    assert not looks_like_html(b'{"html": "<html>"}')


# -- Encodings ------------------------------------------------------------------------------------


async def test_invalid_utf8_is_replaced_not_fatal(server: LocalServer) -> None:
    server.route("/page", b"<html><p>caf\xc3 na\xffve</p></html>")  # declared utf-8
    async with Fetcher(QUICK) as fetcher:
        page = await fetcher.fetch_page(server.url("/page"))
    assert page.encoding == "utf-8"
    assert "caf\ufffd na\ufffdve" in page.text


RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей чаю. " * 3
JAPANESE = "いろはにほへと ちりぬるを わかよたれそ つねならむ、日本語のページです。" * 3


@pytest.mark.parametrize(
    ("meta", "codec", "words"),
    [
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">',
            "cp932",
            JAPANESE,
        ),
        ("<META charset=windows-1251>", "cp1251", RUSSIAN),
    ],
)
async def test_an_encoding_declared_only_in_meta_is_used(
    server: LocalServer, meta: str, codec: str, words: str
) -> None:
    body = f"<html><head>{meta}<title>t</title></head><body><p>{words}</p></body></html>"
    server.route("/page", body.encode(codec), content_type="text/html")
    async with Fetcher(QUICK) as fetcher:
        page = await fetcher.fetch_page(server.url("/page"))
    assert page.encoding == codec
    assert words in page.text


async def test_an_undeclared_legacy_encoding_is_guessed(server: LocalServer) -> None:
    body = f"<html><body><p>{RUSSIAN * 4}</p></body></html>".encode("cp1251")
    server.route("/page", body, content_type="text/html")
    async with Fetcher(QUICK) as fetcher:
        page = await fetcher.fetch_page(server.url("/page"))
    assert RUSSIAN in page.text


def test_encoding_order_bom_then_header_then_meta() -> None:
    meta = b"<meta charset=utf-8>"
    assert decode_html(b"\xef\xbb\xbf" + meta, "text/html; charset=cp1251")[1] == "utf-8"
    assert decode_html(meta + "ё".encode("cp1251"), 'text/html; charset="cp1251"') == (
        "<meta charset=utf-8>ё",
        "cp1251",
    )
    # An unknown label falls through to the next step.
    assert decode_html(meta + "ё".encode(), "text/html; charset=bogus")[1] == "utf-8"
    # In a comment, a meta is no declaration.
    assert decode_html(b"<!--<meta charset=koi8-r>--><meta charset=cp1251>", None)[1] == "cp1251"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("latin1", "cp1252"),
        ("ISO-8859-1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("Shift_JIS", "cp932"),
        (" utf8 ", "utf-8"),
        ("x-sjis", "cp932"),
        ("utf-7", None),  # a Python codec, but no page may use it
        ("base64", None),  # a Python codec, but not even text
        ("", None),
    ],
)
def test_labels_are_read_as_browsers_read_them(label: str, codec: str | None) -> None:
    assert encoding_for_label(label) == codec


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=2048),
    st.one_of(st.none(), st.text(max_size=40), st.just("text/html; charset=shift_jis")),
)
def test_decoding_never_fails(body: bytes, content_type: str | None) -> None:
    for prefix in (b"", b"<meta charset=", b"<meta http-equiv=content-type content='charset="):
        text, encoding = decode_html(prefix + body, content_type)
        assert (prefix + body).decode(encoding, errors="replace").endswith(text[-5:])


# -- Statuses and network failures ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "words"), [(404, "404 Not Found"), (500, "500 Internal Server Error")]
)
async def test_an_error_status_is_an_http_status_error(
    server: LocalServer, status: int, words: str
) -> None:
    server.route("/page", "oops", status=status)
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(HttpStatusError, match=f"the server answered {words}") as caught:
            await fetcher.fetch_page(server.url("/page"))
        assert caught.value.status == status
        with pytest.raises(HttpStatusError):
            await fetcher.fetch_resource(server.url("/page"))


async def test_a_refused_port_is_a_connect_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(ConnectError, match="refused the connection") as caught:
            await fetcher.fetch_page(url)
    assert caught.value.url == url


async def test_an_unknown_host_is_a_dns_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The resolver answers in-process: tests send no query off this machine, not even DNS.
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if host in ("nonexistent.invalid", b"nonexistent.invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(DnsError, match=r"nonexistent\.invalid could not be found"):
            await fetcher.fetch_page("http://nonexistent.invalid/")


async def test_a_self_signed_certificate_is_a_tls_error_unless_skipped(
    tls_server: LocalServer,
) -> None:
    tls_server.route("/page", html("secret"))
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(TlsError, match=r"not trusted.*skip TLS verification"):
            await fetcher.fetch_page(tls_server.url("/page"))
        page = await fetcher.fetch_page(tls_server.url("/page"), verify_tls=False)
        assert "secret" in page.text
        with pytest.raises(TlsError):  # and the skip does not leak into verifying requests
            await fetcher.fetch_page(tls_server.url("/page"))


async def test_garbage_instead_of_http_is_a_fetch_error(server: LocalServer) -> None:
    server.handle("/garbage", garbage(b"\x00\x01\x02 not http at all\r\n\r\n"))
    server.handle("/nothing", garbage(b""))
    server.handle("/short", garbage(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<html>"))
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(FetchError, match="did not answer in valid HTTP"):
            await fetcher.fetch_page(server.url("/garbage"))
        with pytest.raises(FetchError, match="closed the connection without answering"):
            await fetcher.fetch_page(server.url("/nothing"))
        with pytest.raises(FetchError, match="before the answer was complete"):
            await fetcher.fetch_page(server.url("/short"))


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("x"),
        httpx.ConnectTimeout("x"),
        httpx.ReadTimeout("x"),
        httpx.WriteTimeout("x"),
        httpx.PoolTimeout("x"),
        httpx.ReadError("x"),
        httpx.WriteError("x"),
        httpx.CloseError("x"),
        httpx.ProxyError("x"),
        httpx.UnsupportedProtocol("x"),
        httpx.LocalProtocolError("x"),
        httpx.RemoteProtocolError("x"),
        httpx.DecodingError("x"),
        httpx.TooManyRedirects("x"),
        httpx.InvalidURL("x"),
        ConnectionResetError(104, "reset"),
    ],
    ids=lambda error: type(error).__name__,
)
async def test_no_transport_error_escapes_untranslated(error: Exception) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    async with Fetcher(QUICK, transport=httpx.MockTransport(fail)) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch_page("http://example.test/")
    assert caught.value.url == "http://example.test/"
    assert str(caught.value)


# -- Resources ------------------------------------------------------------------------------------


async def test_a_conditional_get_is_answered_not_modified(server: LocalServer) -> None:
    modified = "Wed, 21 Oct 2015 07:28:00 GMT"
    server.route("/app.js", "let x = 1", content_type="text/javascript", etag='"v1"')
    server.route("/app.css", "p {}", content_type="text/css", last_modified=modified)
    async with Fetcher(QUICK) as fetcher:
        first = await fetcher.fetch_resource(server.url("/app.js"))
        again = await fetcher.fetch_resource(server.url("/app.js"), etag=first.etag)
        css = await fetcher.fetch_resource(server.url("/app.css"))
        css_again = await fetcher.fetch_resource(
            server.url("/app.css"), last_modified=css.last_modified
        )
    assert (first.status, first.body, first.etag) == (200, b"let x = 1", '"v1"')
    assert (again.status, again.body) == (304, None)
    assert server.requests_to("/app.js")[1].header("if-none-match") == '"v1"'
    assert (css.last_modified, css_again.status, css_again.body) == (modified, 304, None)
    assert server.requests_to("/app.css")[1].header("if-modified-since") == modified


async def test_a_validator_that_cannot_be_sent_back_only_costs_a_full_request(
    server: LocalServer,
) -> None:
    server.route("/app.js", "let x = 1", content_type="text/javascript")
    async with Fetcher(QUICK) as fetcher:
        resource = await fetcher.fetch_resource(server.url("/app.js"), etag='"café"')
    assert (resource.status, resource.body) == (200, b"let x = 1")
    assert server.requests[0].header("if-none-match") is None


async def test_a_resource_need_not_be_html(server: LocalServer) -> None:
    server.route("/logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    async with Fetcher(QUICK) as fetcher:
        resource = await fetcher.fetch_resource(server.url("/logo.png"))
    assert resource.body == b"\x89PNG\r\n\x1a\n"


# -- Requests -------------------------------------------------------------------------------------


async def test_the_user_agent_names_the_app(server: LocalServer) -> None:
    server.route("/page", html("ua"))
    async with Fetcher(QUICK) as fetcher:
        await fetcher.fetch_page(server.url("/page"))
    seen = server.requests[0]
    assert seen.header("user-agent") == USER_AGENT
    assert USER_AGENT.startswith(f"desktop-tracker/{__version__} ")
    assert "text/html" in (seen.header("accept") or "")


async def test_custom_headers_reach_the_server_over_the_defaults(server: LocalServer) -> None:
    server.route("/page", html("headers"))
    headers = {"Cookie": "session=abc", "X-Api-Key": "k-123", "user-agent": "Mine/1.0"}
    async with Fetcher(QUICK) as fetcher:
        await fetcher.fetch_page(server.url("/page"), headers)
    seen = server.requests[0]
    assert seen.header("cookie") == "session=abc"
    assert seen.header("x-api-key") == "k-123"
    assert seen.header("user-agent") == "Mine/1.0"
    assert [name.lower() for name, _ in seen.headers].count("user-agent") == 1


async def test_cookies_the_server_sets_are_not_kept(server: LocalServer) -> None:
    server.route("/page", html("c"), headers={"Set-Cookie": "tracking=1; Path=/"})
    async with Fetcher(QUICK) as fetcher:
        await fetcher.fetch_page(server.url("/page"))
        await fetcher.fetch_page(server.url("/page"))
    assert server.requests[1].header("cookie") is None


@pytest.mark.parametrize("name", ["Bad Name", "X-Ok\n"])
async def test_an_unsendable_header_is_refused_without_quoting_its_value(name: str) -> None:
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(FetchError, match="header"):
            await fetcher.fetch_page("http://127.0.0.1:9/", {name: "v"})
        with pytest.raises(FetchError, match="X-Token") as caught:
            await fetcher.fetch_page("http://127.0.0.1:9/", {"X-Token": "s3cret\r\nEvil: 1"})
    assert "s3cret" not in str(caught.value)


# -- Concurrency ----------------------------------------------------------------------------------


def slow_page(exchange: Exchange) -> None:
    exchange.wait(0.3)
    exchange.respond(200, html("slow"), [("Content-Type", "text/html")])


async def test_requests_to_one_host_respect_the_per_host_limit(server: LocalServer) -> None:
    server.handle("/slow", slow_page)
    async with Fetcher(FetchLimits(max_per_host=2, total_timeout=8)) as fetcher:
        pages = await asyncio.gather(*(fetcher.fetch_page(server.url("/slow")) for _ in range(6)))
    assert len(pages) == 6
    assert server.peak_in_flight == 2


async def test_a_host_written_in_unicode_or_in_punycode_is_one_host(server: LocalServer) -> None:
    # The limit is the host's as the client connects to it: "bücher" is "xn--bcher-kva".
    server.handle("/slow", slow_page)
    urls = ["http://bücher.example/slow", "http://xn--bcher-kva.example/slow"]
    limits = FetchLimits(max_per_host=1, total_timeout=8)
    async with Fetcher(limits, transport=OneServerTransport(server.port)) as fetcher:
        await asyncio.gather(*(fetcher.fetch_page(url) for url in urls))
    assert [seen.header("host") for seen in server.requests] == ["xn--bcher-kva.example"] * 2
    assert server.peak_in_flight == 1


async def test_requests_to_all_hosts_respect_the_process_limit(server: LocalServer) -> None:
    server.handle("/slow", slow_page)
    limits = FetchLimits(max_per_host=2, max_concurrent=3, total_timeout=8)
    urls = [server.url("/slow", host=host) for host in ("127.0.0.1", "localhost")] * 3
    async with Fetcher(limits) as fetcher:
        await asyncio.gather(*(fetcher.fetch_page(url) for url in urls))
    assert server.peak_in_flight == 3


# -- URLs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("file:///etc/passwd", "not file:"),
        ("data:text/html,<p>hi</p>", "not data:"),
        ("javascript:alert(1)", "not javascript:"),
        ("ftp://example.com/file", "not ftp:"),
        ("", "empty"),
        ("   ", "empty"),
        ("example.com", "not a full address"),
        ("http://", "no host"),
        ("http://exa mple.com/", "spaces"),
        ("http://[::1/", "not valid"),
    ],
)
async def test_urls_that_cannot_be_tracked_are_refused(url: str, words: str) -> None:
    with pytest.raises(InvalidUrl, match=words):
        validate_url(url)
    async with Fetcher(QUICK) as fetcher:
        with pytest.raises(InvalidUrl, match=words):
            await fetcher.fetch_page(url)


def test_a_good_url_is_stripped() -> None:
    assert validate_url("  https://example.com/a?b=1  ") == "https://example.com/a?b=1"
