"""An httpx transport that sends every request to one local server, whatever its host.

Real pages name many hosts (their own, CDNs, ad servers). Tests keep those URLs as they are — so
relative links, `<base href>` and first- or third-party all behave as on the web — and this
transport delivers each request to 127.0.0.1 instead, with the original Host header. No request
and no DNS query leaves the machine.
"""

from __future__ import annotations

import httpx


class OneServerTransport(httpx.AsyncBaseTransport):
    """Every request to 127.0.0.1:`port`, its Host as the URL says (the benchmarks' transport,
    over a fake network, is tests/bench/loopback.py's LoopbackTransport)."""

    def __init__(self, port: int) -> None:
        self._port = port
        # As many connections as the fetcher allows itself, no more: a large idle pool costs a
        # scan per request.
        self._inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=16))
        self.hosts_seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.hosts_seen.append(request.url.host)
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self._port)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
