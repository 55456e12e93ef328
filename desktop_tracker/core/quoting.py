"""User input quoted in a message: visible, and short whatever its size.

It lives in core/, the lowest layer, so that every layer's messages can use it (the schedule
and retry messages of core/ as much as the tracker and import messages above it).
"""

from __future__ import annotations


def quote(text: str, limit: int = 80) -> str:
    """`text` in quotes, control characters shown as escapes (so a message cannot move the
    cursor or hide a line break) and cut after about `limit` characters: input can be any
    size, a tracker name of 50 MB included, and a message must stay readable."""
    shown = ""
    for char in text:
        visible = char if char.isprintable() else repr(char)[1:-1]
        if len(shown) + len(visible) > limit:
            return f"'{shown}…' ({len(text):,} characters)"
        shown += visible
    return f"'{shown}'"


def quote_some(texts: list[str], shown: int = 5) -> str:
    """The first `shown` texts quoted and joined, then "and N more": a refusal of an import of
    thousands must not print them all."""
    named = ", ".join(quote(text) for text in texts[:shown])
    return named + (f" and {len(texts) - shown:,} more" if len(texts) > shown else "")
