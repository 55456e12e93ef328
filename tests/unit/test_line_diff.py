"""The line diff of big bodies: opcodes that turn the old lines into the new, anchored on the
lines that say the most, grouped into hunks as `diff -u` groups them, and rows for a unified and
a side-by-side view with the folded lines said in words."""

from __future__ import annotations

import difflib
import itertools
import random
import time
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_tracker.kinds import line_diff
from desktop_tracker.kinds.line_diff import (
    Opcode,
    SideRow,
    UnifiedRow,
    changed_words,
    diff_lines,
    line_opcodes,
)


def applied(old: Sequence[str], new: Sequence[str], opcodes: Sequence[Opcode]) -> list[str]:
    """The lines the opcodes make of `old` (checking they cover both texts in order)."""
    out: list[str] = []
    i = j = 0
    for tag, i1, i2, j1, j2 in opcodes:
        assert (i1, j1) == (i, j)
        assert i1 <= i2 and j1 <= j2 and (i1 < i2 or j1 < j2)
        if tag == "equal":
            assert list(old[i1:i2]) == list(new[j1:j2])
            out += old[i1:i2]
        else:
            assert (tag == "replace") == (i1 < i2 and j1 < j2)
            out += new[j1:j2]
        i, j = i2, j2
    assert (i, j) == (len(old), len(new))
    return out


def text(lines: Sequence[str]) -> str:
    return "".join(line + "\n" for line in lines)


lines_strategy = st.lists(
    st.sampled_from(["a", "b", "c", "}", "{", "", "x = 1;", "y"]), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(lines_strategy, lines_strategy)
def test_the_opcodes_turn_the_old_lines_into_the_new(old: list[str], new: list[str]) -> None:
    opcodes = line_opcodes(old, new)
    assert applied(old, new, opcodes) == new
    # No two changes side by side: a change and the next are apart by equal lines.
    tags = [tag for tag, *_ in opcodes]
    assert all(not (x != "equal" and y != "equal") for x, y in itertools.pairwise(tags))


@settings(max_examples=200, deadline=None)
@given(lines_strategy, lines_strategy, st.integers(0, 4))
def test_hunks_group_the_changes_as_difflib_groups_them(
    old: list[str], new: list[str], context: int
) -> None:
    diff = diff_lines(text(old), text(new))
    matcher = difflib.SequenceMatcher(None, old, new)
    matcher.opcodes = list(diff.opcodes)  # difflib's grouping, of our opcodes
    theirs = [
        [op for op in group if op[1] < op[2] or op[3] < op[4]]
        for group in matcher.get_grouped_opcodes(context)
    ]
    assert [list(hunk.opcodes) for hunk in diff.hunks(context)] == theirs


@settings(max_examples=200, deadline=None)
@given(lines_strategy, lines_strategy, st.sampled_from([None, 0, 1, 3]))
def test_every_changed_line_has_a_row_and_the_whole_file_every_line(
    old: list[str], new: list[str], context: int | None
) -> None:
    diff = diff_lines(text(old), text(new))
    unified = diff.unified_rows(context)
    assert sum(row.kind == "removed" for row in unified) == diff.removed
    assert sum(row.kind == "added" for row in unified) == diff.added
    side = diff.side_by_side_rows(context)
    assert sum(row.old_text is not None for row in side if row.kind != "fold") >= diff.removed
    assert sum(row.kind in ("added", "changed") for row in side) == diff.added
    assert sum(row.kind in ("removed", "changed") for row in side) == diff.removed
    if context is None:
        assert [row.text for row in unified if row.kind != "added"] == old
        assert [row.text for row in unified if row.kind != "removed"] == new
        assert [row.old_text for row in side if row.old_text is not None] == old
        assert [row.new_text for row in side if row.new_text is not None] == new


def test_a_function_inserted_between_two_others_is_one_block() -> None:
    # difflib anchors on "}" and "" as readily as on a signature; patience on the signatures.
    old = ["function a() {", "  return 1;", "}", "", "function c() {", "  return 3;", "}"]
    new = [*old[:4], "function b() {", "  return 2;", "}", "", *old[4:]]
    assert line_opcodes(old, new) == [
        ("equal", 0, 4, 0, 4),
        ("insert", 4, 4, 4, 8),
        ("equal", 4, 7, 8, 11),
    ]


def test_moved_blocks_and_unchanged_ends_are_kept() -> None:
    old = ["start", "one", "two", "three", "middle", "four", "end"]
    new = ["start", "four", "middle", "one", "two", "three", "end"]
    opcodes = line_opcodes(old, new)
    assert applied(old, new, opcodes) == new
    kept = sum(i2 - i1 for tag, i1, i2, _, _ in opcodes if tag == "equal")
    assert kept == 5  # start, one, two, three, end: the longest run in order


def test_nothing_in_common_is_one_replacement() -> None:
    assert line_opcodes(["a", "b"], ["c", "d", "e"]) == [("replace", 0, 2, 0, 3)]
    assert line_opcodes([], ["a"]) == [("insert", 0, 0, 0, 1)]
    assert line_opcodes(["a"], []) == [("delete", 0, 1, 0, 0)]
    assert line_opcodes([], []) == []


def test_a_gap_with_nothing_unique_is_matched_by_difflib_when_small() -> None:
    old = ["{", "}", "{", "}", "x", "{", "}"]
    new = ["{", "}", "y", "{", "}", "{", "}"]
    opcodes = line_opcodes(old, new)
    assert applied(old, new, opcodes) == new
    assert sum(i2 - i1 for tag, i1, i2, _, _ in opcodes if tag == "equal") == 6


def test_when_the_work_runs_out_the_rest_is_shown_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(5)
    old = [f"line {rng.randrange(50)}" for _ in range(30_000)]
    new = [line if rng.random() > 0.1 else "changed" for line in old]
    monkeypatch.setattr(line_diff, "WORK_PER_LINE", -10)  # no budget at all: one replacement
    opcodes = line_opcodes(old, new)
    assert applied(old, new, opcodes) == new
    assert len(opcodes) <= 3  # the ends both texts share, and one replacement between


def test_summary_and_counts_are_those_of_diff() -> None:
    diff = diff_lines("a\nb\nc\n", "a\nB\nc\nd\n")
    assert (diff.added, diff.removed) == (2, 1)
    assert diff.summary() == "+2 −1 lines"
    assert diff_lines("same\n", "same\n").summary() == "no change"
    assert diff_lines("same\n", "same\n").is_empty
    big = diff_lines("", "".join(f"{n}\n" for n in range(1234)))
    assert big.summary() == "+1,234 −0 lines"


def test_unified_rows_fold_unchanged_lines_and_say_where_each_hunk_is() -> None:
    old = [f"line {n}" for n in range(1, 41)]
    new = list(old)
    new[9] = "line ten"  # line 10
    new.insert(30, "inserted")  # after line 30
    rows = diff_lines(text(old), text(new)).unified_rows(3)
    folds = [row.text for row in rows if row.kind == "fold"]
    assert folds == [
        "Old lines 7–13, new lines 7–13 (6 unchanged lines before)",
        "Old lines 28–33, new lines 28–34 (14 unchanged lines before)",
        "7 unchanged lines after",
    ]
    assert UnifiedRow("removed", 10, None, "line 10") in rows
    assert UnifiedRow("added", None, 10, "line ten") in rows
    assert UnifiedRow("added", None, 31, "inserted") in rows
    assert UnifiedRow("same", 7, 7, "line 7") in rows
    assert all(row.kind == "fold" or row.old_number != 6 for row in rows)


def test_a_change_at_the_very_start_or_on_one_line_is_said_so() -> None:
    rows = diff_lines("b\n", "a\nb\n").unified_rows(0)
    assert rows[0] == UnifiedRow("fold", None, None, "Old none (at the start), new line 1")
    rows = diff_lines("a\nb\nc\n", "a\nc\n").unified_rows(0)
    assert rows[0].text == "Old line 2, new none (after line 1) (1 unchanged line before)"


def test_side_by_side_faces_each_removed_line_with_the_line_that_replaced_it() -> None:
    diff = diff_lines("keep\nold 1\nold 2\nold 3\nkeep\n", "keep\nnew 1\nnew 2\nkeep\nadded\n")
    rows = [row for row in diff.side_by_side_rows(None)]
    assert rows == [
        SideRow("same", 1, "keep", 1, "keep"),
        SideRow("changed", 2, "old 1", 2, "new 1"),
        SideRow("changed", 3, "old 2", 3, "new 2"),
        SideRow("removed", 4, "old 3", None, None),
        SideRow("same", 5, "keep", 4, "keep"),
        SideRow("added", None, None, 5, "added"),
    ]


def test_changed_words_mark_what_differs_in_a_line() -> None:
    old, new = changed_words("var timeout = 1000;", "var timeout = 2000;")
    assert [(s.text, s.changed) for s in old] == [
        ("var timeout = ", False),
        ("1000", True),
        (";", False),
    ]
    assert [(s.text, s.changed) for s in new] == [
        ("var timeout = ", False),
        ("2000", True),
        (";", False),
    ]


def test_a_beautified_bundle_of_50000_lines_diffs_in_well_under_a_second() -> None:
    rng = random.Random(7)
    words = ["var", "function", "return", "if", "else", "this", "null", "=", "(", ")", "{"]
    old = [
        "  " * rng.randrange(6) + " ".join(rng.choice(words) for _ in range(6)) + f" n{k};"
        for k in range(50_000)
    ]
    # A new version of its libraries: thousands of lines changed, some gone, some new.
    new = []
    for line in old:
        roll = rng.random()
        if roll < 0.05:
            new.append(line.replace("n", "m", 1))
        elif roll < 0.06:
            continue
        else:
            new.append(line)
        if roll > 0.99:
            new.append("  added();")
    old_text, new_text = text(old), text(new)
    started = time.perf_counter()
    diff = diff_lines(old_text, new_text)
    rows = diff.unified_rows()
    took = time.perf_counter() - started
    assert applied(diff.old, diff.new, diff.opcodes) == new
    assert diff.removed > 2_000 and rows
    assert took < 1.5, f"{took:.2f} s"  # about 0.1 s on the project's machines


def test_lines_that_differ_only_in_indentation_can_count_as_unchanged() -> None:
    # One brace added re-indents everything inside it, in beautified code.
    old = "a();\nif (x) {\n  b();\n  c();\n}\nd();\n"
    new = "a();\nif (x) {\n  try {\n    b();\n    c();\n  } catch (e) {}\n}\nd();\n"
    strict = diff_lines(old, new)
    assert (strict.added, strict.removed) == (4, 2)
    relaxed = diff_lines(old, new, ignore_indentation=True)
    assert (relaxed.added, relaxed.removed, relaxed.reindented) == (2, 0, 2)
    rows = relaxed.unified_rows(None)
    assert UnifiedRow("same", 3, 4, "    b();") in rows  # shown as it is now
    side = relaxed.side_by_side_rows(None)
    assert SideRow("same", 3, "  b();", 4, "    b();") in side
    assert strict.reindented == 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["a", " a", "b ", "  }", "}", ""]), max_size=30),
    st.lists(st.sampled_from(["a", " a", "b ", "  }", "}", "", "c"]), max_size=30),
)
def test_ignoring_indentation_matches_lines_by_their_stripped_text(
    old: list[str], new: list[str]
) -> None:
    opcodes = line_opcodes(old, new, ignore_indentation=True)
    stripped_old, stripped_new = [x.strip() for x in old], [x.strip() for x in new]
    assert applied(stripped_old, stripped_new, opcodes) == stripped_new
