"""The export format read strictly: every field of its JSON type, nothing coerced, nothing
unknown, and a file that cannot be read said in words (README, "The export format")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from desktop_tracker.core.retry import RetryStrategy
from desktop_tracker.domain.trackers import EXPORT_FIELDS, Tracker
from desktop_tracker.service.export_format import (
    EXPORT_FORMAT,
    MAX_EXPORT_BYTES,
    ImportRefused,
    decode_export,
    parse_export,
)

# One value of each JSON type; each field is tried with every one that is not its own.
JSON_VALUES: dict[str, Any] = {
    "text": "x",
    "whole number": 3,
    "fraction": 2.5,
    "true": True,
    "false": False,
    "null": None,
    "list": [],
    "object": {},
}
OWN_TYPES = {
    str: {"text"},
    int: {"whole number"},
    bool: {"true", "false"},
    list: {"list"},
    dict: {"object"},
}


def tracker_json(**fields: Any) -> dict[str, Any]:
    """The README's example tracker with `fields` changed (a None stays: it is JSON's null)."""
    data: dict[str, Any] = {
        "name": "Checkout",
        "kind": "resources",
        "url": "https://shop.example/checkout",
        "revisions": 20,
        "headers": {"Cookie": "a=b"},
        "schedule": "*/30 * * * *",
        "timezone": "Europe/Paris",
        "retry": {
            "strategy": "exponential",
            "attempts": 4,
            "initial": 60.0,
            "multiplier": 2.0,
            "maximum": 1800.0,
        },
        "notify": True,
        "ignore": ["google-analytics\\.com"],
        "verify_tls": True,
        "enabled": True,
    }
    data.update(fields)
    return data


def export(*trackers: Any, **top: Any) -> dict[str, Any]:
    return {"format": EXPORT_FORMAT, "version": 1, "trackers": list(trackers), **top}


def refused(data: Any) -> str:
    with pytest.raises(ImportRefused) as caught:
        parse_export(data)
    message = str(caught.value)
    assert "nothing was imported" in message
    return message


def test_the_readme_example_is_read_whole():
    [tracker] = parse_export(export(tracker_json()))
    assert tracker == Tracker(
        name="Checkout",
        url="https://shop.example/checkout",
        revisions=20,
        headers={"Cookie": "a=b"},
        schedule="*/30 * * * *",
        timezone="Europe/Paris",
        retry=RetryStrategy("exponential", 4, initial=60, multiplier=2, maximum=1800),
        notify=True,
        ignore=("google-analytics\\.com",),
        verify_tls=True,
        enabled=True,
    )


def test_the_typed_fields_are_exactly_those_an_export_writes():
    written = Tracker("A", "https://a.test/", timezone="UTC").validated().to_json()
    assert list(EXPORT_FIELDS) == list(written)
    assert all(isinstance(written[key], kind) for key, kind in EXPORT_FIELDS.items())


def test_fields_left_out_take_their_defaults():
    [tracker] = parse_export(export({"name": "A", "url": "https://a.test/"}))
    assert (tracker.schedule, tracker.retry, tracker.enabled, tracker.verify_tls) == (
        "manual",
        RetryStrategy(),
        True,
        True,
    )


@pytest.mark.parametrize(
    ("field", "wrong"),
    [
        (field, kind)
        for field, expected in EXPORT_FIELDS.items()
        for kind in JSON_VALUES
        if kind not in OWN_TYPES[expected]
    ],
)
def test_a_field_of_the_wrong_json_type_refuses_the_file_naming_field_and_types(field, wrong):
    message = refused(export(tracker_json(**{field: JSON_VALUES[wrong]})))
    assert message.startswith("tracker 1 ('Checkout'): " if field != "name" else "tracker 1: ")
    assert f"{field}: expected " in message
    assert "found " in message


def test_text_false_and_an_empty_list_are_not_false():
    assert "enabled: expected true or false, found the text 'false'" in refused(
        export(tracker_json(enabled="false"))
    )
    assert "verify_tls: expected true or false, found a list" in refused(
        export(tracker_json(verify_tls=[]))
    )
    assert "verify_tls: expected true or false, found the number 0" in refused(
        export(tracker_json(verify_tls=0))
    )


def test_true_is_not_a_number_of_revisions():
    assert "revisions: expected a whole number, found true" in refused(
        export(tracker_json(revisions=True))
    )


@pytest.mark.parametrize(
    ("headers", "words"),
    [({"Cookie": 1}, "the value of 'Cookie': expected text, found the number 1")],
)
def test_header_values_must_be_text(headers, words):
    assert words in refused(export(tracker_json(headers=headers)))


@pytest.mark.parametrize(
    ("rule", "words"),
    [("(" * 10_000, "nested too deeply"), ("a{99999999999}", "repetition number is too large")],
)
def test_ignore_rules_the_regex_parser_cannot_take_are_refused_in_words(rule, words):
    message = refused(export(tracker_json(ignore=[rule])))
    assert "is not a regular expression: " in message and words in message


def test_ignore_rules_must_be_text():
    assert "ignore: rule 2: expected text, found null" in refused(
        export(tracker_json(ignore=["a", None]))
    )


@pytest.mark.parametrize(
    ("retry", "words"),
    [
        ({}, 'the field "strategy" is missing'),
        ({"strategy": 1}, "strategy: expected text, found the number 1"),
        ({"strategy": "sometimes"}, "unknown strategy 'sometimes'"),
        ({"strategy": "none", "attempts": 1}, "the none strategy has no setting 'attempts'"),
        (
            {"strategy": "constant", "attempts": 3, "initial": 60, "maximum": 600},
            "the constant strategy has no setting 'maximum': it takes attempts, initial",
        ),
        ({"strategy": "constant", "attempts": "3"}, "attempts: expected a whole number"),
        ({"strategy": "constant", "attempts": True}, "attempts: expected a whole number"),
        ({"strategy": "constant", "attempts": 2.0}, "attempts: expected a whole number"),
        ({"strategy": "constant", "attempts": 11}, "attempts: expected 1 to 10"),
        ({"strategy": "constant", "attempts": 10**4000}, "a very long number"),
        ({"strategy": "linear", "initial": "1m"}, "initial: expected a number, found the text"),
        ({"strategy": "linear", "increment": False}, "increment: expected a number, found false"),
        ({"strategy": "exponential", "maximum": float("inf")}, "maximum: expected a finite"),
        ({"strategy": "exponential", "multiplier": float("nan")}, "multiplier: expected a finite"),
        ({"strategy": "exponential", "multiplier": 0.5}, "multiplier must be 1 or more"),
        ({"strategy": "constant", "initial": 0}, "initial interval must be more than 0"),
    ],
)
def test_retry_settings_are_checked_for_their_strategy(retry, words):
    message = refused(export(tracker_json(retry=retry)))
    assert "retry: " in message and words in message


def test_a_whole_number_of_seconds_is_a_number():
    retry = {"strategy": "constant", "attempts": 3, "initial": 30}
    [tracker] = parse_export(export(tracker_json(retry=retry)))
    assert tracker.retry == RetryStrategy("constant", 3, initial=30)


def test_an_unknown_field_is_refused_with_the_one_probably_meant():
    data = tracker_json()
    data["verfiy_tls"] = data.pop("verify_tls")
    message = refused(export(data))
    assert "tracker 1 ('Checkout'): unknown field 'verfiy_tls' (did you mean 'verify_tls'?)" in (
        message
    )


def test_required_fields_are_named_when_missing():
    for missing in ("name", "url"):
        data = tracker_json()
        del data[missing]
        assert f'{missing}: the field "{missing}" is missing' in refused(export(data))


def test_an_unknown_kind_is_refused():
    assert "kind: unknown tracker kind 'pages': use resources" in refused(
        export(tracker_json(kind="pages"))
    )


def test_a_tracker_that_is_not_an_object_is_refused_by_number():
    assert "tracker 2: expected an object, found a list" in refused(export(tracker_json(), []))


def test_one_wrong_tracker_refuses_all_and_is_named_by_number_and_name():
    message = refused(
        export(
            tracker_json(name="A"),
            tracker_json(name="B"),
            tracker_json(name="C", notify="yes"),
        )
    )
    assert message.startswith("tracker 3 ('C'): notify: expected true or false")


def test_a_name_twice_in_the_file_is_refused():
    message = refused(export(tracker_json(name="A"), tracker_json(name="A")))
    assert "trackers 1 and 2 are both named 'A'" in message


def test_user_input_in_messages_is_cut_short():
    for data in (
        tracker_json(name="n" * 5_000_000),
        tracker_json(url="https://a.test/" + "p" * 5_000_000),
        tracker_json(schedule="*" * 5_000_000),
        tracker_json(timezone="Z" * 5_000_000),
        tracker_json(headers={"X" * 5_000_000: "line\nbreak"}),
        tracker_json(headers={"Bad Name" * 1_000_000: "v"}),
        tracker_json(ignore=["(" * 5_000_000]),
        tracker_json(revisions=10**4000),
        tracker_json(kind="k" * 5_000_000),
        tracker_json(enabled="e" * 5_000_000),
        tracker_json(retry={"strategy": "s" * 5_000_000}),
        {**tracker_json(), "k" * 5_000_000: 1},
    ):
        assert len(refused(export(data))) < 400


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([], "not a desktop_tracker export"),
        ({"format": "other", "version": 1, "trackers": []}, "not a desktop_tracker export"),
        ({"version": 1, "trackers": []}, "not a desktop_tracker export"),
        (export(extra=1), "unknown field 'extra'"),
        ({"format": EXPORT_FORMAT, "trackers": []}, 'the field "version" is missing'),
        ({"format": EXPORT_FORMAT, "version": 1}, 'the field "trackers" is missing'),
        (export(version=True), '"version": expected a whole number, found true'),
        (export(version="1"), '"version": expected a whole number, found the text'),
        (export(version=1.0), '"version": expected a whole number, found the number 1.0'),
        (export(version=2), "a newer desktop_tracker wrote it: update this one"),
        (export(version=0), '"version": expected 1, found the number 0'),
        ({"format": EXPORT_FORMAT, "version": 1, "trackers": {}}, '"trackers": expected a list'),
    ],
)
def test_the_top_of_the_file_is_typed_too(data, words):
    assert words in refused(data)


def test_the_json_of_an_export_is_read():
    raw = json.dumps(export(tracker_json())).encode()
    assert parse_export(decode_export(raw, "f.json"))[0].name == "Checkout"
    # A byte order mark, as some Windows editors write, is fine.
    assert decode_export(b"\xef\xbb\xbf" + raw, "f.json") == export(tracker_json())


def decode_refused(raw: bytes) -> str:
    with pytest.raises(ImportRefused) as caught:
        decode_export(raw, "f.json")
    message = str(caught.value)
    assert message.startswith("f.json ") and "nothing was imported" in message
    assert len(message) < 300
    return message


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000,
        b'{"a":' * 100_000,
        b'{"format": "desktop-tracker/trackers", "trackers": [{"name": ' + b"[" * 100_000,
    ],
)
def test_deeply_nested_json_is_refused_in_words(raw):
    assert "nested too deeply" in decode_refused(raw)


def test_a_file_that_is_not_utf8_is_refused_in_words():
    message = decode_refused(b'{"name": "caf\xe9"}')
    assert "f.json is not UTF-8 text: the byte at offset 13 cannot be read" in message
    assert "export files are UTF-8 JSON" in message
    assert "codec" not in message


def test_invalid_json_says_line_and_column():
    message = decode_refused(b'{\n  "format": "x",\n  "version": 1,,\n}')
    assert "f.json is not JSON: " in message and "at line 3, column 16" in message


def test_a_key_twice_in_one_object_is_refused():
    assert "the key 'enabled' twice in one object" in decode_refused(
        b'{"enabled": true, "enabled": false}'
    )


def test_a_number_too_long_to_read_is_refused_in_words():
    assert "a number too long to read" in decode_refused(b"[" + b"9" * 5000 + b"]")


def test_a_file_larger_than_the_cap_is_refused_before_it_is_read():
    assert "larger than 50 MB" in decode_refused(b" " * (MAX_EXPORT_BYTES + 1))


def test_nan_and_infinity_are_no_numbers_of_revisions():
    for literal in (b"NaN", b"Infinity", b"1e999"):
        data = decode_export(
            b'{"format": "desktop-tracker/trackers", "version": 1, "trackers": '
            b'[{"name": "A", "url": "https://a.test/", "revisions": ' + literal + b"}]}",
            "f.json",
        )
        assert "revisions: expected a whole number" in refused(data)
