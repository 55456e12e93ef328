"""Ignore and mask rules applied to a page's text, line by line.

Drop rules come first and see each line as it is on the page, so a rule written against a line
the user saw ("^Last updated \\d+:\\d+") still finds it however the masks would have changed it;
then masks replace every match in the lines that are left with "…". A mask never spans lines.

Python's `re` has no time limit, and a pathological pattern on a long line can take time
quadratic or worse in its length. Each line is therefore searched in pieces of at most
100,000 characters (minified scripts and stylesheets make lines that long): a pattern's cost is
bounded per piece, at the price of missing a match that straddles two pieces.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop_tracker.kinds.rules import MASK, compile_rule

MAX_PIECE = 100_000


def apply_rules(text: str, drop: Sequence[str], mask: Sequence[str]) -> str:
    """`text` without its lines that a drop rule finds a match in, and with every match of
    every mask rule in the others replaced by "…" (the masks in the order given).

    The patterns are expected to be valid (checked when the user saved them); each is compiled
    once for the process.
    """
    if not drop and not mask:
        return text
    drops = [compile_rule(pattern) for pattern in drop]
    masks = [compile_rule(pattern) for pattern in mask]
    kept: list[str] = []
    for line in text.split("\n"):
        pieces = _pieces(line)
        if any(rule.search(piece) for rule in drops for piece in pieces):
            continue
        for rule in masks:
            pieces = [rule.sub(MASK, piece) for piece in pieces]
        kept.append(pieces[0] if len(pieces) == 1 else "".join(pieces))
    return "\n".join(kept)


def _pieces(line: str) -> list[str]:
    if len(line) <= MAX_PIECE:
        return [line]
    return [line[start : start + MAX_PIECE] for start in range(0, len(line), MAX_PIECE)]
