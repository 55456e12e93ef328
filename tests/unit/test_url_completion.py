"""An address typed without a scheme is completed (domain/urls.py: complete_url), the same for the
editor and the command line; and a tracker left without a name is named after its host."""

from __future__ import annotations

import pytest

from desktop_tracker.domain.trackers import NAME_MAX, Tracker
from desktop_tracker.domain.urls import complete_url, name_from_url, validate_http_url


@pytest.mark.parametrize(
    ("typed", "completed"),
    [
        ("example.com", "https://example.com/"),
        ("  example.com  ", "https://example.com/"),
        ("example.com/path", "https://example.com/path"),
        ("example.com/path/", "https://example.com/path/"),
        ("example.com?q=1", "https://example.com/?q=1"),
        ("example.com#top", "https://example.com/#top"),
        ("www.Example.COM", "https://www.Example.COM/"),  # kept as typed
        ("shop.example.com:8443/cart", "https://shop.example.com:8443/cart"),
        ("bücher.de", "https://bücher.de/"),
        ("192.168.1.20", "https://192.168.1.20/"),
        ("intranet:8080", "https://intranet:8080/"),  # a port makes one word a host
        # This machine's own addresses: a local test server, in plain http.
        ("localhost", "http://localhost/"),
        ("localhost:8080", "http://localhost:8080/"),
        ("LOCALHOST:8080/x", "http://LOCALHOST:8080/x"),
        ("app.localhost:3000", "http://app.localhost:3000/"),
        ("127.0.0.1:5000/api", "http://127.0.0.1:5000/api"),
        ("127.1.2.3", "http://127.1.2.3/"),
        ("[::1]:8080", "http://[::1]:8080/"),
        ("[2001:db8::1]", "https://[2001:db8::1]/"),
    ],
)
def test_an_address_without_a_scheme_is_written_in_full(typed: str, completed: str) -> None:
    assert complete_url(typed) == completed
    assert validate_http_url(completed) == completed  # and it can be tracked as it is
    assert complete_url(completed) == completed  # completing twice changes nothing more


@pytest.mark.parametrize(
    "typed",
    [
        "https://example.com",  # a scheme: as typed, not even a "/" added
        "HTTP://Example.com/x",
        "http:example.com",
        "ftp://example.com/",
        "file:///etc/passwd",
        "javascript:alert(1)",  # never made a host "javascript" with a port "alert(1)"
        "mailto:me@example.com",
        "tel:123",
        "about:blank",
        "data:text/html,hi",
        "foo:/bar",
        "shop",  # one word: a slip more likely than a host
        "example.com:",  # no port after the colon
        "user:secret@example.com",  # credentials are not completed
        "exa mple.com",
        "a..b",
        "[::1",
        "[nonsense]",
        "",
        "   ",
    ],
)
def test_anything_else_is_left_as_typed_for_the_url_rule_to_word(typed: str) -> None:
    assert complete_url(typed) == typed.strip()


def test_what_is_not_completed_is_still_refused_in_the_same_words() -> None:
    with pytest.raises(ValueError, match="not a full address"):
        validate_http_url(complete_url("shop"))
    with pytest.raises(ValueError, match="not javascript: URLs"):
        validate_http_url(complete_url("javascript:alert(1)"))
    with pytest.raises(ValueError, match="invalid port"):
        validate_http_url(complete_url("example.com:99999"))


def test_the_url_rule_itself_still_wants_a_scheme() -> None:
    # Completion is the editor's and the CLI's step; a stored or fetched URL has its scheme.
    with pytest.raises(ValueError, match="not a full address"):
        Tracker("Shop", "example.com").validated()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://example.com/", "example.com"),
        ("https://www.Example.com/shop?x=1", "example.com"),
        ("http://localhost:8080/", "localhost:8080"),
        ("https://user:secret@example.com/", "example.com"),  # never the credentials
        ("http://[::1]:8080/", "[::1]:8080"),
        ("example.com", ""),  # not a URL that can be tracked: no name from it
        ("", ""),
    ],
)
def test_a_tracker_without_a_name_is_named_after_its_host(url: str, name: str) -> None:
    assert name_from_url(url, longest=NAME_MAX) == name


def test_a_name_from_the_host_is_not_one_already_taken() -> None:
    taken = {"example.com", "example.com (2)", "Other"}
    assert name_from_url("https://example.com/a", taken, longest=NAME_MAX) == "example.com (3)"
    assert name_from_url("https://example.org/", taken, longest=NAME_MAX) == "example.org"


def test_a_name_from_a_long_host_fits_the_name_limit() -> None:
    host = "a" * 60 + "." + "b" * 60 + ".example"
    name = name_from_url(f"https://{host}/", longest=NAME_MAX)
    assert len(name) == NAME_MAX and host.startswith(name)
    again = name_from_url(f"https://{host}/", {name}, longest=NAME_MAX)
    assert len(again) == NAME_MAX and again.endswith(" (2)")
    assert Tracker(again, f"https://{host}/").validated().name == again
