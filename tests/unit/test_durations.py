"""Durations (core/durations.py): one reading for schedules and retries, one wording, one typed
form."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_tracker.core.durations import (
    InvalidDuration,
    duration_in_words,
    duration_text,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("90s", 90),
        ("15m", 900),
        ("2h", 7200),
        ("1h30m", 5400),
        ("1d", 86400),
        ("1d2h3m4s", 93784),
        ("2.5s", 2.5),
        ("1.5h", 5400),
        ("1H30M", 5400),
        # White space anywhere is left out, for the command line and the editor alike.
        ("1h 30m", 5400),
        (" 1 h 30 m ", 5400),
        ("1h\t30m", 5400),
    ],
)
def test_a_duration_is_read_in_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "   ", "soon", "1x", "30m1h", "h", "1.5.5s", "-5s", "1e3s", "٣s", "３s"]
)
def test_what_is_not_a_duration_is_refused_with_the_examples(text: str) -> None:
    with pytest.raises(InvalidDuration, match=r"is not a duration: write e\.g\. 30s") as caught:
        parse_duration(text)
    assert caught.value.problem == "form"


@pytest.mark.parametrize("text", ["90", "1.5h", "0.5s"])
def test_whole_durations_need_whole_numbers_and_units(text: str) -> None:
    assert parse_duration(text) > 0
    with pytest.raises(InvalidDuration) as caught:
        parse_duration(text, whole=True)
    assert caught.value.problem == "form"


def test_whole_durations_read_as_the_others_do() -> None:
    assert parse_duration("1h 30m", whole=True) == 5400
    assert parse_duration("999999999999d", whole=True) == 999999999999 * 86400


def test_bounds_say_which_side_is_wrong() -> None:
    with pytest.raises(InvalidDuration, match="too short: it must be at least 1s") as short:
        parse_duration("0s", minimum=1)
    with pytest.raises(InvalidDuration, match="too long: it can be at most 7d") as long:
        parse_duration("7d1s", maximum=7 * 86400)
    assert (short.value.problem, long.value.problem) == ("short", "long")
    assert parse_duration("7d", minimum=1, maximum=7 * 86400) == 7 * 86400


def test_input_of_any_size_is_read_or_quoted_short() -> None:
    assert parse_duration("1" + "0" * 400) == math.inf  # left to the caller's bounds
    with pytest.raises(InvalidDuration) as caught:
        parse_duration("x" * 10_000_000)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("seconds", "short", "long"),
    [
        (0, "0 s", "0 seconds"),
        (1, "1 s", "1 second"),
        (30, "30 s", "30 seconds"),
        (60, "1 min", "1 minute"),
        (90, "1 min 30 s", "1 minute 30 seconds"),
        (5400, "1 h 30 min", "1 hour 30 minutes"),
        (2 * 86400, "2 d", "2 days"),
        (2.5, "2.5 s", "2.5 seconds"),
        (0.1 + 0.2, "0.3 s", "0.3 seconds"),
        (1234567 * 86400, "1234567 d", "1234567 days"),
    ],
)
def test_a_duration_in_words(seconds: float, short: str, long: str) -> None:
    assert duration_in_words(seconds) == short
    assert duration_in_words(seconds, "long") == long


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (30, "30s"), (5400, "1h30m"), (90061, "1d1h1m1s"), (2.5, "2.5s")],
)
def test_the_typed_form(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


@given(st.integers(0, 10**12).map(lambda milliseconds: milliseconds / 1000))
def test_the_typed_form_reads_back_as_the_same_duration(seconds: float) -> None:
    assert parse_duration(duration_text(seconds)) == seconds
