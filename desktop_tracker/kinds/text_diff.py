"""What changed between two texts, line by line, and inside a changed line word by word.

Lines are compared with difflib's SequenceMatcher, as `diff` would; within a run of changed
lines, each removed line is paired with the added line that replaced it (the most similar
ones first, in order) and the words that differ between the two are marked, so a price that
went from 10 to 12 shows as one changed word, not two whole lines.

A removed line beside the added line that replaced it counts as one *changed* line in
`summary()`; `added` and `removed` count lines as `diff` does, a changed line in both.

Cost: a line that repeats many times in the new text (a blank line, "</div>", "Reply") makes
SequenceMatcher's search quadratic in the repeats, so when one repeats over 50 times its
"popular line" heuristic is on (lines that make up over 1 % of the text do not anchor the
match); otherwise, as for nearly every page's text, every line counts. Word-level detail is
left out (whole lines are marked) beyond 200,000 lines, and for any line over 10,000
characters, where pairing words would be quadratic in the line's length.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

Change = Literal["same", "added", "removed"]

MAX_DETAILED_LINES = 200_000
MAX_DETAILED_LINE = 10_000
POPULAR_FROM = 50  # repeats of a line in the new text that turn difflib's autojunk on
_SIMILAR = 0.5  # a pair less alike than this is shown as two whole lines
_BEST_PAIRS_UP_TO = 400  # removed × added lines of a run; beyond it, they pair in order
_WORDS = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a line; a changed piece is highlighted."""

    text: str
    changed: bool


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of the diff, with its 1-based number in the old and the new text (None for
    the side it is not on), as pieces whose text joined is the line exactly."""

    change: Change
    old_number: int | None
    new_number: int | None
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)


@dataclass(frozen=True, slots=True)
class TextDiff:
    """A line diff. `pairs` are the (removed, added) indices into `lines` of the lines shown
    side by side, each removed line beside the added line that replaced it."""

    lines: tuple[DiffLine, ...]
    added: int
    removed: int
    pairs: tuple[tuple[int, int], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed)

    @property
    def changed(self) -> int:
        return len(self.pairs)

    def hunks(self, context: int = 3) -> list[list[DiffLine]]:
        """The changed lines with up to `context` unchanged lines around them, grouped as
        `diff -u` groups them (changes with at most 2 × context lines between share a hunk)."""
        return [list(self.lines[lo:hi]) for lo, hi in self._hunk_bounds(context)]

    def _hunk_bounds(self, context: int) -> list[tuple[int, int]]:
        if context < 0:
            raise ValueError(f"context must be 0 or more, not {context}")
        changed = [k for k, line in enumerate(self.lines) if line.change != "same"]
        if not changed:
            return []
        bounds: list[tuple[int, int]] = []
        lo, previous = max(0, changed[0] - context), changed[0]
        for k in changed[1:]:
            if k - previous - 1 > 2 * context:
                bounds.append((lo, previous + context + 1))
                lo = k - context
            previous = k
        bounds.append((lo, min(len(self.lines), previous + context + 1)))
        return bounds

    def side_by_side(self) -> list[tuple[DiffLine | None, DiffLine | None]]:
        """Rows of (old, new): an unchanged line on both sides, a removed line beside the
        added line that replaced it, and None opposite a line with nothing in its place."""
        partner = dict(self.pairs)
        lines = self.lines
        rows: list[tuple[DiffLine | None, DiffLine | None]] = []
        k, count = 0, len(lines)
        while k < count:
            if lines[k].change == "same":
                rows.append((lines[k], lines[k]))
                k += 1
                continue
            first_added = k
            while first_added < count and lines[first_added].change == "removed":
                first_added += 1
            end = first_added
            while end < count and lines[end].change == "added":
                end += 1
            removed, added = k, first_added
            for r in range(k, first_added):
                a = partner.get(r)
                if a is None:
                    continue
                rows += [(lines[i], None) for i in range(removed, r)]
                rows += [(None, lines[i]) for i in range(added, a)]
                rows.append((lines[r], lines[a]))
                removed, added = r + 1, a + 1
            rows += [(lines[i], None) for i in range(removed, first_added)]
            rows += [(None, lines[i]) for i in range(added, end)]
            k = end
        return rows

    def unified(self, context: int = 3, old_name: str = "before", new_name: str = "after") -> str:
        """The diff as `diff -u` prints it (no trailing newline); "" when nothing changed."""
        if self.is_empty:
            return ""
        out = [f"--- {old_name}", f"+++ {new_name}"]
        marks = {"same": " ", "removed": "-", "added": "+"}
        for lo, hi in self._hunk_bounds(context):
            hunk = self.lines[lo:hi]
            before = self.lines[lo - 1] if lo else None  # unchanged, when there is one
            old = [line.old_number for line in hunk if line.old_number is not None]
            new = [line.new_number for line in hunk if line.new_number is not None]
            old_start = old[0] - 1 if old else (before.old_number or 0) if before else 0
            new_start = new[0] - 1 if new else (before.new_number or 0) if before else 0
            out.append(f"@@ -{_range(old_start, len(old))} +{_range(new_start, len(new))} @@")
            out += [marks[line.change] + line.text for line in hunk]
        return "\n".join(out)

    def summary(self) -> str:
        """In words: "3 lines added, 1 removed", "1 line changed", "no change"."""
        counts = [
            (n, verb)
            for n, verb in (
                (self.changed, "changed"),
                (self.added - self.changed, "added"),
                (self.removed - self.changed, "removed"),
            )
            if n
        ]
        if not counts:
            return "no change"
        (first, verb), *rest = counts
        phrases = [f"{first:,} {'line' if first == 1 else 'lines'} {verb}"]
        return ", ".join(phrases + [f"{n:,} {verb}" for n, verb in rest])

    def added_text(self) -> list[str]:
        """The added lines, those that replaced a line included: the new text."""
        return [line.text for line in self.lines if line.change == "added"]


def _range(start: int, length: int) -> str:
    """A hunk's range as `diff -u` writes it: the first line and the count (alone for 1;
    for none, the line before)."""
    if length == 1:
        return str(start + 1)
    return f"{start if not length else start + 1},{length}"


def split_lines(text: str) -> list[str]:
    """The lines of `text`: split at "\\n", a final newline ending the last line."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def words(line: str) -> list[str]:
    """`line` in words, runs of whitespace and single other characters: joined, the line."""
    return _WORDS.findall(line)


def diff_text(old: str, new: str) -> TextDiff:
    """The line diff from `old` to `new`, with word-level detail for lines that changed a
    little."""
    a, b = split_lines(old), split_lines(new)
    popular = bool(b) and Counter(b).most_common(1)[0][1] > POPULAR_FROM
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=popular)
    detailed = max(len(a), len(b)) <= MAX_DETAILED_LINES
    lines: list[DiffLine] = []
    pairs: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [
                DiffLine("same", i + 1, j + 1, (Segment(a[i], False),))
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            continue
        removed: list[tuple[Segment, ...]] = [(Segment(a[i], True),) for i in range(i1, i2)]
        added: list[tuple[Segment, ...]] = [(Segment(b[j], True),) for j in range(j1, j2)]
        first = len(lines)
        for r, s in _pair(a[i1:i2], b[j1:j2], detailed):
            pairs.append((first + r, first + len(removed) + s))
            if detailed:
                removed[r], added[s] = _word_segments(a[i1 + r], b[j1 + s])
        lines += [DiffLine("removed", i1 + r + 1, None, seg) for r, seg in enumerate(removed)]
        lines += [DiffLine("added", None, j1 + s + 1, seg) for s, seg in enumerate(added)]
    same = sum(1 for line in lines if line.change == "same")
    return TextDiff(tuple(lines), len(b) - same, len(a) - same, tuple(pairs))


def _pair(removed: list[str], added: list[str], detailed: bool) -> list[tuple[int, int]]:
    """Which removed line (index) is shown beside which added one: in order when the counts
    are equal or the run is large, else the most similar pairs first, never crossing."""
    n, m = len(removed), len(added)
    if not n or not m:
        return []
    if n == m or not detailed or n * m > _BEST_PAIRS_UP_TO:
        return [(k, k) for k in range(min(n, m))]
    tokens_r = [_bag(line) for line in removed]
    tokens_a = [_bag(line) for line in added]
    found: list[tuple[int, int]] = []
    ranges = [(0, n, 0, m)]
    while ranges:
        r_lo, r_hi, a_lo, a_hi = ranges.pop()
        best, best_ratio = None, _SIMILAR
        for r in range(r_lo, r_hi):
            for s in range(a_lo, a_hi):
                ratio = _similarity(tokens_r[r], tokens_a[s])
                if ratio > best_ratio or (best is None and ratio >= best_ratio):
                    best, best_ratio = (r, s), ratio
        if best is None:
            # Nothing alike: the lines face each other in order, each marked whole.
            found += [(r_lo + k, a_lo + k) for k in range(min(r_hi - r_lo, a_hi - a_lo))]
            continue
        found.append(best)
        r, s = best
        if r > r_lo and s > a_lo:
            ranges.append((r_lo, r, a_lo, s))
        if r + 1 < r_hi and s + 1 < a_hi:
            ranges.append((r + 1, r_hi, s + 1, a_hi))
    return sorted(found)


def _bag(line: str) -> Counter[str] | None:
    return Counter(words(line)) if len(line) <= MAX_DETAILED_LINE else None


def _similarity(a: Counter[str] | None, b: Counter[str] | None) -> float:
    """How alike two lines are (0 to 1), by the words they have in common in any order:
    enough to choose which lines face each other, and linear in their length (the pairs
    chosen have their words matched in order afterwards)."""
    if not a or not b:
        return 0.0
    common = sum((a & b).values())
    return 2.0 * common / (a.total() + b.total())


def _word_match(a: list[str], b: list[str]) -> tuple[float, list[tuple[str, int, int, int, int]]]:
    """The similarity of two word lists and the opcodes from one to the other.

    The words both lines start and end with are set aside first (a line that changed a
    little is mostly those); what is left is matched with difflib's popular-word heuristic,
    which only applies from 200 words on, where words like " " and '"' would make the match
    quadratic.
    """
    limit = min(len(a), len(b))
    head = 0
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=True)
    opcodes = [("equal", 0, head, 0, head)] if head else []
    opcodes += [
        (tag, i1 + head, i2 + head, j1 + head, j2 + head)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if i1 < i2 or j1 < j2
    ]
    if tail:
        opcodes.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    same = sum(i2 - i1 for tag, i1, i2, _, _ in opcodes if tag == "equal")
    total = len(a) + len(b)
    return (2.0 * same / total if total else 1.0), opcodes


def word_segments(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """A removed line and the added line that replaced it in pieces, the words that differ
    marked, as this diff marks them (kinds/line_diff.py shows them for bodies' lines too)."""
    return _word_segments(old, new)


def _word_segments(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """The two lines in pieces, the words that differ marked (a line that only gained words
    has none marked on its old side); whole lines marked when they are too long to compare
    word by word, too different for it to help, or the same line (moved)."""
    whole = (Segment(old, True),), (Segment(new, True),)
    if old == new or len(old) > MAX_DETAILED_LINE or len(new) > MAX_DETAILED_LINE:
        return whole
    a, b = words(old), words(new)
    ratio, opcodes = _word_match(a, b)
    if ratio < _SIMILAR:
        return whole
    old_pieces: list[Segment] = []
    new_pieces: list[Segment] = []
    for tag, i1, i2, j1, j2 in opcodes:
        _append(old_pieces, "".join(a[i1:i2]), tag != "equal")
        _append(new_pieces, "".join(b[j1:j2]), tag != "equal")
    return tuple(old_pieces), tuple(new_pieces)


def _append(pieces: list[Segment], text: str, changed: bool) -> None:
    if not text:
        return
    if pieces and pieces[-1].changed == changed:
        pieces[-1] = Segment(pieces[-1].text + text, changed)
    else:
        pieces.append(Segment(text, changed))
