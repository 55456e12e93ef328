"""A line diff fast enough for big texts: a resource's body, beautified, of tens of thousands of
lines, shown unified or side by side.

`text_diff.diff_text` (the content kind's diff) runs difflib's SequenceMatcher over the whole
text and builds a detailed line for each line; on a beautified 1 MB bundle (37,000 lines of
script, 89,000 of stylesheet) SequenceMatcher alone takes 0.3 to 1.6 s, beyond a window's
300 ms budget. Here:

1. lines become integers (equal lines, equal numbers), so comparisons are of small ints; with
   `ignore_indentation` a line's number is that of its text stripped: beautified code is
   indented by its nesting, so one brace added re-indents every line after it;
2. the lines both texts start and end with are set aside, compared a slice at a time in C;
3. what is left is matched as `diff --patience` matches it: lines that occur once in each side
   are the anchors, the longest run of them in the same order (a longest increasing
   subsequence, O(n log n)) is kept, and the same is done between each pair of anchors, each
   gap first losing the lines it starts and ends with;
4. a gap with no line unique to both sides is matched by difflib, when it is small
   (`SMALL_GAP` lines × lines at most); a bigger one is shown replaced whole (two runs of lines
   with nothing unique in common are a rewrite, and difflib would be quadratic on them). The
   lines looked at are bounded (`WORK_PER_LINE`), so a contrived text cannot make it slow.

Patience matching anchors on the lines that say the most (a function's signature, a selector)
rather than on "}" and blank lines, so a diff of code keeps changed blocks together. The result
is difflib's opcodes, from which `LineDiff` gives the rows of a unified and of a side-by-side
view, with unchanged lines beyond `context` of a change folded into one row that says how many.
Within a changed pair of lines, `changed_words` marks the words that differ (lines of at most
`text_diff.MAX_DETAILED_LINE` characters).

Cost, a 1 MB bundle beautified (tests/bench/bench_body_diff.py, medians): 40-45 ms for five
edits, 55 ms (script) to 85 ms (stylesheet) for a new version of its libraries with 4,000 to
5,000 lines changed; difflib takes 8 to 20 times as long.
"""

from __future__ import annotations

import difflib
import operator
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from desktop_tracker.kinds.text_diff import Segment, split_lines, word_segments

Tag = Literal["equal", "replace", "delete", "insert"]
Opcode = tuple[Tag, int, int, int, int]  # as difflib's: (tag, i1, i2, j1, j2)
RowKind = Literal["same", "added", "removed", "changed", "fold"]

SMALL_GAP = 250_000  # lines × lines of a gap with no anchor that difflib still matches
WORK_PER_LINE = 20  # lines looked at per line of the two texts, at most (see _matching_blocks)
CONTEXT = 3  # unchanged lines kept around a change, as `diff -u` keeps them


# -- matching ----------------------------------------------------------------------------------


def line_opcodes(
    old: Sequence[str], new: Sequence[str], *, ignore_indentation: bool = False
) -> list[Opcode]:
    """How to turn the lines `old` into `new`, as difflib's `get_opcodes()` says it; with
    `ignore_indentation`, lines that differ only in the spaces they start or end with are
    equal (beautified code's indentation follows its nesting alone)."""
    keys_old = list(map(str.strip, old)) if ignore_indentation else old
    keys_new = list(map(str.strip, new)) if ignore_indentation else new
    # Equal lines, equal small numbers: compared, counted and hashed as ints from here on.
    numbers = {line: n for n, line in enumerate(dict.fromkeys([*keys_old, *keys_new]))}
    a = list(map(numbers.__getitem__, keys_old))
    b = list(map(numbers.__getitem__, keys_new))
    opcodes: list[Opcode] = []
    i = j = 0
    for start_a, start_b, size in _matching_blocks(a, b):
        tag: Tag | None = None
        if i < start_a and j < start_b:
            tag = "replace"
        elif i < start_a:
            tag = "delete"
        elif j < start_b:
            tag = "insert"
        if tag is not None:
            opcodes.append((tag, i, start_a, j, start_b))
        if size:
            opcodes.append(("equal", start_a, start_a + size, start_b, start_b + size))
        i, j = start_a + size, start_b + size
    return opcodes


def _matching_blocks(a: list[int], b: list[int]) -> list[tuple[int, int, int]]:
    """Runs of equal lines (start in a, start in b, length) in order, ending with the
    (len(a), len(b), 0) sentinel, as difflib's get_matching_blocks()."""
    runs: list[tuple[int, int, int]] = []  # runs of equal lines, found in any order
    gaps = [(0, len(a), 0, len(b))]
    # Lines looked at, at most: a gap left when it runs out is shown replaced whole. Real
    # diffs use a few times the lines; only a contrived text could nest gaps deep enough.
    budget = WORK_PER_LINE * (len(a) + len(b)) + 100_000
    while gaps:
        a_lo, a_hi, b_lo, b_hi = gaps.pop()
        head = _common_run(a, b, a_lo, b_lo, min(a_hi - a_lo, b_hi - b_lo), 1)
        if head:
            runs.append((a_lo, b_lo, head))
            a_lo, b_lo = a_lo + head, b_lo + head
        tail = _common_run(a, b, a_hi - 1, b_hi - 1, min(a_hi - a_lo, b_hi - b_lo), -1)
        if tail:
            a_hi, b_hi = a_hi - tail, b_hi - tail
            runs.append((a_hi, b_hi, tail))
        if a_lo == a_hi or b_lo == b_hi or budget <= 0:
            continue
        budget -= (a_hi - a_lo) + (b_hi - b_lo)
        anchors = _unique_anchors(a, b, a_lo, a_hi, b_lo, b_hi)
        if not anchors:
            if (a_hi - a_lo) * (b_hi - b_lo) <= SMALL_GAP:
                budget -= (a_hi - a_lo) * (b_hi - b_lo) // 8  # difflib is quadratic at worst
                runs += _small_gap(a, b, a_lo, a_hi, b_lo, b_hi)
            continue
        previous_a, previous_b = a_lo, b_lo
        for i, j in anchors:
            runs.append((i, j, 1))
            gaps.append((previous_a, i, previous_b, j))
            previous_a, previous_b = i + 1, j + 1
        gaps.append((previous_a, a_hi, previous_b, b_hi))
    runs.sort()
    blocks: list[tuple[int, int, int]] = []
    for i, j, size in runs:
        if blocks:
            start_a, start_b, length = blocks[-1]
            if start_a + length == i and start_b + length == j:
                blocks[-1] = (start_a, start_b, length + size)
                continue
        blocks.append((i, j, size))
    blocks.append((len(a), len(b), 0))
    return blocks


def _common_run(a: list[int], b: list[int], i: int, j: int, limit: int, step: int) -> int:
    """How many lines a and b share from a[i] and b[j] on, forwards (`step` 1) or backwards
    (-1), at most `limit`: compared a slice at a time, the slices doubling while they match
    and halving when one does not, so a long run costs a few comparisons done in C."""
    length, size = 0, 1
    while length < limit:
        size = min(size, limit - length)
        if step > 0:
            same = a[i + length : i + length + size] == b[j + length : j + length + size]
        else:
            same = (
                a[i - length - size + 1 : i - length + 1]
                == b[j - length - size + 1 : j - length + 1]
            )
        if same:
            length += size
            size *= 2
        elif size == 1:
            break
        else:
            size //= 2
    return length


def _unique_anchors(
    a: list[int], b: list[int], a_lo: int, a_hi: int, b_lo: int, b_hi: int
) -> list[tuple[int, int]]:
    """The longest chain, in order on both sides, of lines that occur once in a[a_lo:a_hi]
    and once in b[b_lo:b_hi]."""
    in_a = Counter(a[a_lo:a_hi])
    in_b = Counter(b[b_lo:b_hi])
    where_a = {a[i]: i for i in range(a_lo, a_hi) if in_a[a[i]] == 1}
    # (position in a) for each anchor candidate, in the order of b.
    pairs = [
        (where_a[line], j)
        for j, line in enumerate(b[b_lo:b_hi], b_lo)
        if in_b[line] == 1 and line in where_a
    ]
    if not pairs:
        return []
    # Longest increasing subsequence of the positions in a (patience sorting).
    tails: list[int] = []  # tails[k]: position in a ending the best chain of length k + 1
    tail_index: list[int] = []  # the index in pairs of that chain's last pair
    back: list[int] = [-1] * len(pairs)
    for index, (i, _) in enumerate(pairs):
        k = bisect_left(tails, i)
        if k == len(tails):
            tails.append(i)
            tail_index.append(index)
        else:
            tails[k] = i
            tail_index[k] = index
        back[index] = tail_index[k - 1] if k else -1
    chain: list[tuple[int, int]] = []
    index = tail_index[-1]
    while index >= 0:
        chain.append(pairs[index])
        index = back[index]
    chain.reverse()
    return chain


def _small_gap(
    a: list[int], b: list[int], a_lo: int, a_hi: int, b_lo: int, b_hi: int
) -> list[tuple[int, int, int]]:
    """Runs of equal lines in a gap with no unique anchor, as difflib matches them."""
    matcher = difflib.SequenceMatcher(None, a[a_lo:a_hi], b[b_lo:b_hi], autojunk=False)
    return [(a_lo + i, b_lo + j, size) for i, j, size in matcher.get_matching_blocks() if size]


# -- rows -------------------------------------------------------------------------------------


class UnifiedRow(NamedTuple):
    """A row of the unified view: a line ("same", "added" or "removed") with its 1-based
    numbers in the old and new text (None on the side it is not on), or a "fold" row whose
    `text` says in words which lines follow, or how many unchanged lines are not shown."""

    kind: RowKind
    old_number: int | None
    new_number: int | None
    text: str


class SideRow(NamedTuple):
    """A row of the side-by-side view: an old line beside the new one. "same": the same line
    on both sides; "changed": a removed line beside the added line that replaced it;
    "removed"/"added": a line with nothing opposite (None there); "fold": `old_text` says in
    words which lines follow (or how many are not shown), and the rest is None."""

    kind: RowKind
    old_number: int | None
    old_text: str | None
    new_number: int | None
    new_text: str | None


@dataclass(frozen=True, slots=True)
class Hunk:
    """Changed lines with their context: lines [old_start, old_end) of the old text and
    [new_start, new_end) of the new (0-based), and the opcodes that make it up."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    opcodes: tuple[Opcode, ...]

    def title(self) -> str:
        """Where the hunk is, in words: "Old lines 120–135, new lines 121–140"."""
        old = _lines(self.old_start, self.old_end)
        return f"Old {old}, new {_lines(self.new_start, self.new_end)}"


def _lines(start: int, end: int) -> str:
    if end - start == 1:
        return f"line {start + 1:,}"
    if end > start:
        return f"lines {start + 1:,}–{end:,}"
    return f"none (after line {start:,})" if start else "none (at the start)"


def _unchanged(count: int, where: str) -> str:
    return f"{count:,} unchanged {'line' if count == 1 else 'lines'} {where}"


@dataclass(frozen=True, slots=True)
class LineDiff:
    """The line diff of two texts: their lines and the opcodes from one to the other.
    `added` and `removed` count lines as `diff` counts them (a replaced line in both).
    `reindented`: lines taken as equal that differ in their indentation (or spaces at their
    end), when indentation was ignored; a unified row shows such a line as it is now."""

    old: tuple[str, ...]
    new: tuple[str, ...]
    opcodes: tuple[Opcode, ...]
    added: int
    removed: int
    reindented: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed)

    def summary(self) -> str:
        """In words: "+12 −3 lines", or "no change"."""
        if self.is_empty:
            return "no change"
        return f"+{self.added:,} −{self.removed:,} lines"

    def hunks(self, context: int = CONTEXT) -> list[Hunk]:
        """The changes with up to `context` unchanged lines around each, grouped as `diff -u`
        groups them (changes at most 2 × context lines apart share a hunk)."""
        if context < 0:
            raise ValueError(f"context must be 0 or more, not {context}")
        if self.is_empty:
            return []
        # difflib's get_grouped_opcodes, on these opcodes.
        codes = list(self.opcodes)
        if codes[0][0] == "equal":
            _, i1, i2, j1, j2 = codes[0]
            codes[0] = ("equal", max(i1, i2 - context), i2, max(j1, j2 - context), j2)
        if codes[-1][0] == "equal":
            _, i1, i2, j1, j2 = codes[-1]
            codes[-1] = ("equal", i1, min(i2, i1 + context), j1, min(j2, j1 + context))
        hunks: list[Hunk] = []
        group: list[Opcode] = []
        for tag, i1, i2, j1, j2 in codes:
            if tag == "equal" and i2 - i1 > 2 * context:
                group.append((tag, i1, i1 + context, j1, j1 + context))
                hunks.append(_hunk(group))
                group = []
                i1, j1 = i2 - context, j2 - context
            group.append((tag, i1, i2, j1, j2))
        if any(tag != "equal" for tag, *_ in group):
            hunks.append(_hunk(group))
        return hunks

    def unified_rows(self, context: int | None = CONTEXT) -> list[UnifiedRow]:
        """The rows of a unified view: every line when `context` is None, else the hunks,
        each after a fold row saying where it is and how many unchanged lines it skipped."""
        rows: list[UnifiedRow] = []
        old, new = self.old, self.new
        for opcodes, fold in self._pieces(context):
            if fold is not None:
                rows.append(UnifiedRow("fold", None, None, fold))
            for tag, i1, i2, j1, j2 in opcodes:
                if tag == "equal":
                    rows += [
                        UnifiedRow("same", i + 1, j + 1, new[j])
                        for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                    ]
                    continue
                rows += [UnifiedRow("removed", i + 1, None, old[i]) for i in range(i1, i2)]
                rows += [UnifiedRow("added", None, j + 1, new[j]) for j in range(j1, j2)]
        return rows

    def side_by_side_rows(self, context: int | None = CONTEXT) -> list[SideRow]:
        """The rows of a side-by-side view, folded as `unified_rows` folds them; in a run of
        replaced lines the removed and added lines face each other in order."""
        rows: list[SideRow] = []
        old, new = self.old, self.new
        for opcodes, fold in self._pieces(context):
            if fold is not None:
                rows.append(SideRow("fold", None, fold, None, None))
            for tag, i1, i2, j1, j2 in opcodes:
                if tag == "equal":
                    rows += [
                        SideRow("same", i + 1, old[i], j + 1, new[j])
                        for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                    ]
                    continue
                paired = min(i2 - i1, j2 - j1)
                rows += [
                    SideRow("changed", i1 + k + 1, old[i1 + k], j1 + k + 1, new[j1 + k])
                    for k in range(paired)
                ]
                rows += [
                    SideRow("removed", i + 1, old[i], None, None) for i in range(i1 + paired, i2)
                ]
                rows += [
                    SideRow("added", None, None, j + 1, new[j]) for j in range(j1 + paired, j2)
                ]
        return rows

    def _pieces(self, context: int | None) -> list[tuple[Sequence[Opcode], str | None]]:
        """What the rows are made of: the opcodes of each hunk and the fold row before it
        (all opcodes, no fold, when context is None); a last fold for the lines after."""
        if context is None:
            return [(self.opcodes, None)]
        pieces: list[tuple[Sequence[Opcode], str | None]] = []
        shown = 0  # old lines up to here are shown or folded already
        for hunk in self.hunks(context):
            skipped = hunk.old_start - shown
            fold = hunk.title()
            if skipped:
                fold += f" ({_unchanged(skipped, 'before')})"
            pieces.append((hunk.opcodes, fold))
            shown = hunk.old_end
        if pieces and shown < len(self.old):
            pieces.append(((), _unchanged(len(self.old) - shown, "after")))
        return pieces


def _hunk(opcodes: list[Opcode]) -> Hunk:
    opcodes = [op for op in opcodes if op[1] < op[2] or op[3] < op[4]]  # no empty context
    return Hunk(opcodes[0][1], opcodes[-1][2], opcodes[0][3], opcodes[-1][4], tuple(opcodes))


def diff_lines(old: str, new: str, *, ignore_indentation: bool = False) -> LineDiff:
    """The line diff from text `old` to text `new` (split at "\\n"); with
    `ignore_indentation`, lines that differ only in leading or trailing spaces are equal."""
    a, b = tuple(split_lines(old)), tuple(split_lines(new))
    opcodes = tuple(line_opcodes(a, b, ignore_indentation=ignore_indentation))
    removed = sum(i2 - i1 for tag, i1, i2, _, _ in opcodes if tag != "equal")
    added = sum(j2 - j1 for tag, _, _, j1, j2 in opcodes if tag != "equal")
    reindented = 0
    if ignore_indentation:
        reindented = sum(
            sum(map(operator.ne, a[i1:i2], b[j1:j2]))
            for tag, i1, i2, j1, j2 in opcodes
            if tag == "equal"
        )
    return LineDiff(a, b, opcodes, added, removed, reindented)


def changed_words(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """A changed line and the line that replaced it in pieces, the words that differ marked
    (each whole when they are long, or too different for words to help)."""
    return word_segments(old, new)
