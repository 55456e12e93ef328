"""Rules the user writes as regular expressions: ignore (leave out) and mask (blank a part).

Every kind applies them to its own lines (resource URLs, page text, header values); the rules are
compiled once here, whoever asks.
"""

from __future__ import annotations

import functools
import re
import threading
import warnings
from collections.abc import Iterable

MASK = "…"  # what a masked part reads as

_RULES_LOCK = threading.Lock()  # warnings' filters are the process's: one change at a time


class InvalidRule(ValueError):
    """A rule that is not a regular expression; the message says why."""


@functools.lru_cache(maxsize=1024)
def compile_rule(pattern: str) -> re.Pattern[str]:
    """A rule, compiled once. Python prints a FutureWarning on stderr for a few forms that a
    later version may read otherwise ("[[]", and "&&", "||", "--", "~~" inside a set): they are
    valid regular expressions that mean what they mean today, so they are taken without a word,
    and the user sees one message for a rule that is wrong ("[[") or none.

    :raises InvalidRule: for a rule that is not a regular expression.
    """
    try:
        with _RULES_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile(pattern)
    # The parser recurses per group, and a repeat count too large for it overflows.
    except (re.error, RecursionError, OverflowError) as error:
        reason = error if not isinstance(error, RecursionError) else "nested too deeply"
        raise InvalidRule(str(reason)) from None


def matches_any(text: str, patterns: Iterable[str]) -> bool:
    """Whether any rule finds a match in `text`."""
    return any(compile_rule(p).search(text) for p in patterns)


def masked(text: str, patterns: Iterable[str]) -> str:
    """`text` with every match of every rule replaced by "…", rule after rule."""
    for pattern in patterns:
        text = compile_rule(pattern).sub(MASK, text)
    return text
