"""Saying things to the user (core/words.py): lists, first lines, errors."""

from __future__ import annotations

import pytest

from desktop_tracker.core.words import error_in_words, first_line, join_words


class AppError(Exception):
    """An error of the app's own: its message is written for the user."""


@pytest.mark.parametrize(
    ("words", "joined"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_a_list_in_a_sentence(words: list[str], joined: str) -> None:
    assert join_words(words, "and") == joined
    assert join_words(words, "or") == joined.replace(" and ", " or ")


def test_the_first_line_with_something_on_it() -> None:
    assert first_line("  \n one \n two ") == "one "
    assert first_line("  \n ") == ""
    assert first_line("", "unknown error") == "unknown error"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (AppError("the page did not load"), "the page did not load"),
        (AppError(" two\nlines "), "two\nlines"),
        (ValueError("bad value"), "ValueError: bad value"),
        (KeyError("x"), "KeyError: 'x'"),
        (AppError(), "AppError"),
        (ValueError(""), "ValueError"),
    ],
)
def test_an_error_in_words_names_only_what_has_no_words_of_its_own(
    error: BaseException, words: str
) -> None:
    assert error_in_words(error) == words


def test_an_error_on_one_line_and_named() -> None:
    error = AppError("first\nsecond")
    assert error_in_words(error, one_line=True) == "first"
    assert error_in_words(error, named=True) == "AppError: first\nsecond"
    assert error_in_words(error, one_line=True, named=True) == "AppError: first"
    assert error_in_words(AppError(" "), named=True) == "AppError"
