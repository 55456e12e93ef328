"""Origins (core/origins.py): the scheme, host and port a URL's requests go to."""

from __future__ import annotations

import pytest

from desktop_tracker.core.origins import DEFAULT_PORTS, Origin, origin, web_origin


@pytest.mark.parametrize(
    ("url", "expected", "text"),
    [
        ("https://CDN.Example/x.js", Origin("https", "cdn.example", 443), "https://cdn.example"),
        ("HTTP://a.test:80/", Origin("http", "a.test", 80), "http://a.test"),
        ("http://a.test:8080/", Origin("http", "a.test", 8080), "http://a.test:8080"),
        ("https://user:pw@a.test/", Origin("https", "a.test", 443), "https://a.test"),
        ("http://[::1]:8080/", Origin("http", "::1", 8080), "http://[::1]:8080"),
    ],
)
def test_the_origin_of_a_url(url: str, expected: Origin, text: str) -> None:
    assert origin(url) == expected
    assert str(expected) == text


@pytest.mark.parametrize(
    "url", ["ftp://a.test/", "data:text/plain,x", "https://", "http://[::1/", "http://a:x/", ""]
)
def test_no_origin_for_what_is_not_http_with_a_host(url: str) -> None:
    assert origin(url) is None


def test_parts_read_elsewhere_get_the_same_rule() -> None:
    assert web_origin("HTTPS", "A.Test", None) == Origin("https", "a.test", DEFAULT_PORTS["https"])
    assert web_origin("https", "a.test", 8443) == Origin("https", "a.test", 8443)
    assert web_origin("ws", "a.test", None) is None
    assert web_origin("http", "", None) is None
