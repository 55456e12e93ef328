"""Tracker fields and their rules, and the export form."""

from __future__ import annotations

import pytest

from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.domain.trackers import InvalidTracker, Tracker


def tracker(**fields: object) -> Tracker:
    base: dict[str, object] = {"name": "Shop", "url": "https://shop.test/checkout"}
    base.update(fields)
    return Tracker(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"name": "  "}, "name", "1 to 100"),
        ({"name": "x" * 101}, "name", "1 to 100"),
        ({"url": "file:///etc/passwd"}, "url", "only http and https"),
        ({"url": "javascript:alert(1)"}, "url", "http"),
        ({"url": "ftp://files.test/"}, "url", "only http and https"),
        ({"url": "data:text/html,hi"}, "url", "http"),
        ({"url": "shop.test"}, "url", "http:// or https://"),
        ({"url": "https://"}, "url", "host"),
        ({"url": "https://shop.test:99999/"}, "url", "port"),
        ({"revisions": 0}, "revisions", "between 1 and 100"),
        ({"revisions": 101}, "revisions", "between 1 and 100"),
        ({"headers": {"Bad Name": "x"}}, "headers", "not a valid header name"),
        ({"headers": {"X-A": "one\r\nX-B: two"}}, "headers", "line break"),
        ({"schedule": "0 0 31 2 *"}, "schedule", "never"),
        ({"schedule": "@daily", "timezone": "Nowhere/Land"}, "schedule", "time zone"),
        ({"ignore": ("(",)}, "ignore", "regular expression"),
    ],
)
def test_invalid_fields_are_refused_with_the_field_named(fields, field, words):
    with pytest.raises(InvalidTracker) as caught:
        tracker(**fields).validated()
    assert caught.value.field == field
    assert words in str(caught.value)


def test_validation_strips_the_name_and_fills_in_the_zone():
    valid = tracker(name="  Shop  ", timezone="").validated()
    assert valid.name == "Shop"
    assert valid.timezone  # the system's zone


def test_export_form_round_trips_exactly():
    original = tracker(
        headers={"Cookie": "s=1"},
        schedule="*/10 * * * * *",
        timezone="Europe/Paris",
        retry=RetryStrategy("exponential", attempts=4, initial=30, multiplier=2, maximum=600),
        notify=False,
        ignore=(r"analytics\.js",),
        verify_tls=False,
        revisions=3,
    ).validated()
    assert Tracker.from_json(original.to_json()) == original


def test_ignore_rules_match_resource_urls():
    rules = tracker(ignore=(r"google-analytics\.com", r"\?v=\d+$"))
    assert rules.ignores("https://www.google-analytics.com/ga.js")
    assert rules.ignores("https://shop.test/app.js?v=42")
    assert not rules.ignores("https://shop.test/app.js")
    assert not rules.ignores(None)
