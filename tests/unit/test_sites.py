"""The one rule for where a tracker's request headers may go (tracking/sites.py)."""

from __future__ import annotations

import httpx
import pytest

from desktop_tracker.core.origins import Origin
from desktop_tracker.tracking.sites import origin_of, same_site


@pytest.mark.parametrize(
    ("site", "url"),
    [
        ("http://a.test/page", "http://a.test/other.js?x=1"),
        ("HTTP://A.Test/", "http://a.test/"),  # scheme and host are case-blind
        ("http://a.test/", "http://a.test:80/"),  # the default port, written or not
        ("https://a.test/", "https://a.test:443/x"),
        ("http://a.test:8080/", "http://a.test:8080/y"),
        ("http://a.test/", "https://a.test/"),  # the upgrade of plain http to https
        ("http://a.test:80/", "https://a.test:443/"),
        ("http://bücher.example/", "http://xn--bcher-kva.example/"),  # as the client sends it
        ("http://[::1]:8080/", "http://[::1]:8080/x"),
    ],
)
def test_the_same_site(site: str, url: str) -> None:
    assert same_site(site, url)


@pytest.mark.parametrize(
    ("site", "url"),
    [
        ("http://127.0.0.1:8080/", "http://localhost:8080/"),  # another name is another site
        ("http://a.test/", "http://b.test/"),
        ("http://a.test/", "http://cdn.a.test/"),  # a subdomain too
        ("http://cdn.a.test/", "http://a.test/"),
        ("http://a.test:8080/", "http://a.test:8081/"),
        ("http://a.test/", "http://a.test:8080/"),
        ("https://a.test/", "http://a.test/"),  # a downgrade: in clear text on the network
        ("http://a.test:8080/", "https://a.test:8080/"),  # an upgrade off the default ports
        ("http://a.test:8080/", "https://a.test/"),
        ("http://a.test/", "https://a.test:8443/"),
        ("http://a.test/", "http://a.test.evil.test/"),
        ("http://a.test/", "http://a.test@evil.test/"),  # user info is not the host
        ("http://a.test/", "http://a.test:pw@evil.test/"),
        ("http://a.test/", "http://a.test%2f@evil.test/"),
        ("http://a.test/", "ftp://a.test/"),
        ("http://a.test/", "http://[::1/"),  # unreadable: another site
        ("http://a.test/", ""),
        ("", "http://a.test/"),
    ],
)
def test_another_site(site: str, url: str) -> None:
    assert not same_site(site, url)


def test_the_origin_is_read_as_the_client_reads_the_url() -> None:
    punycode = Origin("http", "xn--bcher-kva.example", 80)
    assert origin_of("http://Bücher.Example/") == punycode
    assert origin_of(httpx.URL("http://bücher.example:80/x")) == punycode
    assert origin_of("http://[::1/") is None
    assert origin_of("ftp://a.test/") is None
