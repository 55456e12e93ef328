"""Small rules for saying things to the user: a list in a sentence, the first line of a text, an
error in words. In core/, the lowest layer, so that every layer says them the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["error_in_words", "first_line", "join_words"]


def join_words(words: Sequence[str], conjunction: str) -> str:
    """'a', 'a and b', 'a, b and c' (with "or": 'a, b or c')."""
    if len(words) <= 2:
        return f" {conjunction} ".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def first_line(text: str, default: str = "") -> str:
    """The first line of `text` that has something on it, or `default` when none has."""
    stripped = text.strip()
    return stripped.splitlines()[0] if stripped else default


def error_in_words(error: BaseException, *, one_line: bool = False, named: bool = False) -> str:
    """An error as the user is told it: its message, which the app's own errors write for the
    user; a built-in error's message (ValueError, OSError) is the name's, in front of it:
    "ValueError: bad value". An error without a message is its name.

    `one_line`: only the message's first line (a message bar, a one-line report).
    `named`: the name in front of any error's message (an unexpected error, for a report).
    """
    text = str(error)
    text = first_line(text) if one_line else text.strip()
    name = type(error).__name__
    if not text:
        return name
    return f"{name}: {text}" if named or type(error).__module__ == "builtins" else text
