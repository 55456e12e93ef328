"""Retry strategies: the delays each one waits, their caps, and the command line's form."""

from __future__ import annotations

import pytest

from desktop_tracker.core.retry import (
    InvalidRetryStrategy,
    RetryStrategy,
    parse_duration,
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
    assert parse_duration("90") == 90
    assert parse_duration("1d2h3m4s") == 86400 + 7200 + 180 + 4
