"""Which URLs can be tracked: the one rule (domain/urls.py), for a tracker's URL and every fetch."""

from __future__ import annotations

import pytest

from desktop_tracker.domain.trackers import InvalidTracker, Tracker
from desktop_tracker.domain.urls import InvalidUrl, validate_http_url, written_scheme
from desktop_tracker.tracking import errors
from desktop_tracker.tracking.fetcher import validate_url


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("file:///etc/passwd", "only http and https pages can be tracked, not file: URLs"),
        ("javascript:alert(1)", "not javascript: URLs"),
        ("javascript:alert(1) x", "not javascript: URLs"),  # the scheme is said first
        ("gopher://x.test/", "not gopher: URLs"),
        ("foo:/bar", "not foo: URLs"),
        ("example.com:8080", "not a full address"),
        ("shop.test", "not a full address"),
        ("", "empty"),
        ("http://exa mple.test/", "spaces"),
        ("http://x.test:99999/", "invalid port"),
        ("https://", "no host"),
        # urlsplit's own refusals, once a bare ValueError("Invalid IPv6 URL") out of the domain.
        ("http://[abc/", "the URL 'http://[abc/' is not valid: Invalid IPv6 URL"),
        ("http://[::1/", "is not valid"),
    ],
)
def test_what_cannot_be_tracked_is_refused_in_words(url: str, words: str) -> None:
    with pytest.raises(InvalidUrl) as refused:
        validate_http_url(url)
    assert words in str(refused.value)
    with pytest.raises(errors.InvalidUrl) as fetch_refused:  # the fetcher's, same words
        validate_url(url)
    assert str(fetch_refused.value) == str(refused.value)
    assert isinstance(fetch_refused.value, InvalidUrl) and fetch_refused.value.url == url.strip()


def test_a_tracker_with_an_unreadable_url_is_refused_on_its_url_field() -> None:
    with pytest.raises(InvalidTracker) as refused:
        Tracker("Shop", "http://[abc/").validated()
    assert refused.value.field == "url" and "is not valid" in str(refused.value)


@pytest.mark.parametrize(
    ("url", "stripped"),
    [(" https://a.test/x?y=1 ", "https://a.test/x?y=1"), ("HTTP://A/", "HTTP://A/")],
)
def test_a_good_url_is_returned_stripped(url: str, stripped: str) -> None:
    assert validate_http_url(url) == stripped == validate_url(url)


@pytest.mark.parametrize(
    ("text", "scheme"),
    [
        ("https://a", "https"),
        ("FILE:///x", "file"),
        ("example.com:8080", "example.com"),
        ("/x", ""),
    ],
)
def test_the_written_scheme(text: str, scheme: str) -> None:
    assert written_scheme(text) == scheme
