"""Retry strategies: the delays each one waits, their caps, and the command line's form."""

from __future__ import annotations

import math

import pytest

from desktop_tracker.core.retry import (
    MAX_DELAY,
    MAX_MULTIPLIER,
    InvalidRetryStrategy,
    RetryStrategy,
    parse_retry,
)


def test_no_retry_gives_up_after_the_first_attempt():
    assert RetryStrategy().delay_after(1) is None
    assert RetryStrategy().delays() == []


def test_constant_waits_the_same_interval_for_each_retry():
    assert RetryStrategy("constant", attempts=4, initial=30).delays() == [30, 30, 30]


def test_linear_grows_by_its_increment_and_stops_at_its_cap():
    strategy = RetryStrategy("linear", attempts=6, initial=10, increment=20, maximum=55)
    assert strategy.delays() == [10, 30, 50, 55, 55]


def test_exponential_multiplies_and_stops_at_its_cap():
    strategy = RetryStrategy("exponential", attempts=6, initial=5, multiplier=3, maximum=100)
    assert strategy.delays() == [5, 15, 45, 100, 100]
    assert strategy.delay_after(6) is None


@pytest.mark.parametrize("attempts", [0, 11])
def test_attempts_outside_one_to_ten_are_refused(attempts):
    with pytest.raises(InvalidRetryStrategy, match="between 1 and 10"):
        RetryStrategy("constant", attempts=attempts, initial=1)


def test_round_trips_through_its_dict_form():
    strategy = RetryStrategy("exponential", attempts=5, initial=10, multiplier=2, maximum=600)
    assert RetryStrategy.from_dict(strategy.to_dict()) == strategy


def test_command_line_form_reads_durations_and_names():
    assert parse_retry("exponential,attempts=5,initial=10s,multiplier=2,max=10m") == RetryStrategy(
        "exponential", attempts=5, initial=10, multiplier=2, maximum=600
    )
    assert parse_retry("constant,attempts=3,interval=1h30m").delays() == [5400, 5400]
    assert parse_retry("none") == RetryStrategy()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("sometimes", "unknown retry strategy"),
        ("constant,attempts=three", "whole number"),
        ("constant,attempts=3,interval=soon", "not a duration"),
        ("linear,attempts=3,speed=2", "unknown retry setting"),
        ("exponential,attempts=3,multiplier=0.5", "multiplier"),
    ],
)
def test_bad_command_line_forms_say_what_is_wrong(spec, message):
    with pytest.raises(InvalidRetryStrategy, match=message):
        parse_retry(spec)


def test_durations_accept_units_and_combinations():
    assert parse_retry("constant,attempts=2,interval=90").delays() == [90]
    assert parse_retry("constant,attempts=2,interval=1d2h3m4s").delays() == [93784]
    assert parse_retry("constant,attempts=2,interval=2.5s").delays() == [2.5]


def test_the_command_line_forgives_spaces_in_a_duration_as_the_editor_does():
    # Once refused here ("'1h 30m' is not a duration") while the retry editor took it.
    assert parse_retry("constant,attempts=3,interval=1h 30m").delays() == [5400, 5400]


# -- limits and what bad input is told ----------------------------------------------------------

WEEK = 7 * 86400


def test_a_wait_is_at_most_seven_days_and_the_multiplier_at_most_ten():
    assert MAX_DELAY == WEEK and MAX_MULTIPLIER == 10
    assert parse_retry("constant,attempts=2,interval=7d").delays() == [WEEK]
    assert parse_retry("linear,attempts=3,initial=7d,increment=7d,max=7d").delays() == [WEEK] * 2
    # The largest strategy allowed: every wait is a date the scheduler can compute with.
    largest = RetryStrategy("exponential", attempts=10, initial=WEEK, multiplier=10, maximum=WEEK)
    assert largest.delays() == [WEEK] * 9


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("constant,attempts=2,interval=99999999999d", "initial interval must be at most 7 days"),
        ("constant,attempts=2,interval=7d1s", "initial interval must be at most 7 days"),
        ("linear,attempts=2,initial=1m,increment=8d", "increment interval must be at most 7 days"),
        ("exponential,attempts=2,initial=1m,max=1" + "0" * 400, "maximum interval must be at most"),
        ("exponential,attempts=2,multiplier=11", "multiplier must be at most 10"),
        ("exponential,attempts=2,multiplier=inf", "multiplier must be at most 10"),
        ("exponential,attempts=2,multiplier=nan", "multiplier must be 1 or more"),
        ("constant,attempts=²", "attempts must be a whole number"),
        ("constant,attempts=" + "9" * 5000, "attempts must be between 1 and 10"),
    ],
    ids=lambda value: value if len(value) < 60 else f"{value[:40]}…",
)
def test_waits_beyond_the_limits_are_refused_in_words(spec, message):
    with pytest.raises(InvalidRetryStrategy, match=message) as error:
        parse_retry(spec)
    assert len(str(error.value)) < 200


@pytest.mark.parametrize("name", ["initial", "increment", "maximum"])
@pytest.mark.parametrize(
    "value", [math.nan, math.inf, WEEK + 1, 10**5000], ids=["nan", "inf", "week+1s", "5001-digits"]
)
def test_intervals_that_are_not_a_number_of_seconds_up_to_a_week_are_refused(name, value):
    with pytest.raises(InvalidRetryStrategy, match=name):
        RetryStrategy("linear", attempts=3, **{name: value})


@pytest.mark.parametrize(
    "spec",
    [
        "x" * 10_000_000,
        "constant," + "x" * 10_000_000,
        "constant,attempts=" + "x" * 10_000_000,
        "constant," + "x" * 10_000_000 + "=1",
        "constant,attempts=2,interval=" + "x" * 10_000_000,
        "exponential,multiplier=" + "x" * 10_000_000,
    ],
    ids=["strategy", "setting", "attempts", "key", "duration", "multiplier"],
)
def test_input_of_any_size_is_quoted_short(spec):
    with pytest.raises(InvalidRetryStrategy) as error:
        parse_retry(spec)
    message = str(error.value)
    assert len(message) < 250 and "(10,000,000 characters)" in message


def test_numbers_and_fields_given_in_code_or_a_file_are_shown_short():
    with pytest.raises(InvalidRetryStrategy, match="a number too long to show"):
        RetryStrategy("constant", attempts=10**5000)
    with pytest.raises(InvalidRetryStrategy) as error:
        RetryStrategy.from_dict(
            {"strategy": "constant", **{"k" * 10**6 + str(n): 1 for n in range(9)}}
        )
    message = str(error.value)
    assert message.startswith("unknown retry field(s): ") and message.endswith(" and 4 more")
    assert len(message) < 700


def test_a_stored_strategy_from_before_the_limits_is_read_at_the_limits():
    # Earlier versions took any wait and multiplier: their databases must still open.
    stored = {"strategy": "exponential", "attempts": 4, "initial": 30 * 86400.0,
              "multiplier": 1e300, "maximum": math.inf}  # fmt: skip
    strategy = RetryStrategy.from_stored(stored)
    assert (strategy.initial, strategy.multiplier, strategy.maximum) == (WEEK, 10, WEEK)
    assert strategy.delays() == [WEEK] * 3
    assert RetryStrategy.from_stored({"strategy": "linear", "attempts": 2, "increment": math.nan})
    # What is within the limits is read as it is; what was never valid still is not.
    within = RetryStrategy("linear", attempts=3, initial=60, increment=30, maximum=600)
    assert RetryStrategy.from_stored(within.to_dict()) == within
    with pytest.raises(InvalidRetryStrategy):
        RetryStrategy.from_stored({"strategy": "constant", "attempts": 0})
