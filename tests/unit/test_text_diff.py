"""Line diffs with word-level detail: pieces, pairing, hunks, `diff -u` text, summaries."""

from __future__ import annotations

import difflib
import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_tracker.kinds import text_diff
from desktop_tracker.kinds.content.text import page_text
from desktop_tracker.kinds.text_diff import DiffLine, Segment, TextDiff, diff_text, words

CORPUS = Path(__file__).parents[2].parent / "shared/corpus/real-pages"


def marked(line: DiffLine) -> list[tuple[str, bool]]:
    return [(segment.text, segment.changed) for segment in line.segments]


def rows(diff: TextDiff) -> list[tuple[str | None, str | None]]:
    return [
        (None if old is None else old.text, None if new is None else new.text)
        for old, new in diff.side_by_side()
    ]


def check_consistent(old: str, new: str, diff: TextDiff) -> None:
    """Every line of both texts is in the diff once, numbered, its pieces joined exactly."""
    old_lines, new_lines = text_diff.split_lines(old), text_diff.split_lines(new)
    rebuilt_old = [line for line in diff.lines if line.change != "added"]
    rebuilt_new = [line for line in diff.lines if line.change != "removed"]
    assert [line.text for line in rebuilt_old] == old_lines
    assert [line.text for line in rebuilt_new] == new_lines
    assert [line.old_number for line in rebuilt_old] == list(range(1, len(old_lines) + 1))
    assert [line.new_number for line in rebuilt_new] == list(range(1, len(new_lines) + 1))
    paired = {k for pair in diff.pairs for k in pair}
    for k, line in enumerate(diff.lines):
        assert line.segments and "".join(s.text for s in line.segments) == line.text
        if line.change == "same":
            assert not any(segment.changed for segment in line.segments)
        elif k not in paired:
            assert [segment.changed for segment in line.segments] == [True]
    for r, a in diff.pairs:
        assert diff.lines[r].change == "removed" and diff.lines[a].change == "added"
        # Something is marked on one side at least (a line that only gained words, on one).
        assert any(s.changed for s in diff.lines[r].segments + diff.lines[a].segments)
    assert diff.added == sum(line.change == "added" for line in diff.lines)
    assert diff.removed == sum(line.change == "removed" for line in diff.lines)


# -- words and segments --------------------------------------------------------------------------


def test_words_keep_whitespace_and_punctuation_so_they_join_to_the_line() -> None:
    line = "Price: 1,299.00 €  (was 1,399) — save\tnow!"
    assert "".join(words(line)) == line
    assert words("a, b") == ["a", ",", " ", "b"]


def test_a_line_that_changed_a_little_has_its_changed_words_marked() -> None:
    diff = diff_text("Title\nPrice 10 EUR today\nEnd", "Title\nPrice 12 EUR today\nEnd")
    removed, added = (line for line in diff.lines if line.change != "same")
    assert marked(removed) == [("Price ", False), ("10", True), (" EUR today", False)]
    assert marked(added) == [("Price ", False), ("12", True), (" EUR today", False)]
    assert (removed.old_number, removed.new_number) == (2, None)
    assert (added.old_number, added.new_number) == (None, 2)


def test_an_unrelated_replacement_is_marked_as_whole_lines() -> None:
    diff = diff_text("Quarterly results are in", "Completely different words here")
    assert [marked(line) for line in diff.lines] == [
        [("Quarterly results are in", True)],
        [("Completely different words here", True)],
    ]
    assert rows(diff) == [("Quarterly results are in", "Completely different words here")]


def test_words_only_added_are_marked_on_the_new_side_alone() -> None:
    diff = diff_text("Opening hours", "Opening hours today")
    assert [marked(line) for line in diff.lines] == [
        [("Opening hours", False)],
        [("Opening hours", False), (" today", True)],
    ]


def test_a_moved_line_paired_with_itself_is_marked_whole() -> None:
    old_segments, new_segments = text_diff._word_segments("same line", "same line")
    assert old_segments == new_segments == (Segment("same line", True),)


def test_added_and_removed_lines_are_marked_whole() -> None:
    diff = diff_text("a\nb", "a\nnew line\nb")
    assert [(line.change, marked(line)) for line in diff.lines] == [
        ("same", [("a", False)]),
        ("added", [("new line", True)]),
        ("same", [("b", False)]),
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="ab c,.1\t", max_size=12), max_size=12),
    st.lists(st.text(alphabet="ab c,.1\t", max_size=12), max_size=12),
)
def test_every_line_is_in_the_diff_once_and_its_pieces_join_exactly(
    old: list[str], new: list[str]
) -> None:
    a, b = "\n".join(old), "\n".join(new)
    check_consistent(a, b, diff_text(a, b))


# -- side by side --------------------------------------------------------------------------------


def test_side_by_side_puts_a_removed_line_beside_the_line_that_replaced_it() -> None:
    diff = diff_text("a\nold one\nb\ngone\nc", "a\nnew one\nb\nc\nadded")
    assert rows(diff) == [
        ("a", "a"),
        ("old one", "new one"),
        ("b", "b"),
        ("gone", None),
        ("c", "c"),
        (None, "added"),
    ]


def test_side_by_side_pairs_the_most_similar_lines_of_a_run() -> None:
    old = "head\nThe price is 10 euros\ntail"
    new = "head\nA banner\nAnother banner\nThe price is 12 euros\ntail"
    diff = diff_text(old, new)
    assert rows(diff) == [
        ("head", "head"),
        (None, "A banner"),
        (None, "Another banner"),
        ("The price is 10 euros", "The price is 12 euros"),
        ("tail", "tail"),
    ]
    paired = [line for line in diff.lines if line.text.startswith("The price")]
    assert [marked(line) for line in paired] == [
        [("The price is ", False), ("10", True), (" euros", False)],
        [("The price is ", False), ("12", True), (" euros", False)],
    ]


def test_side_by_side_never_crosses_pairs() -> None:
    old = "x\nalpha one two\nbeta three four\ny"
    new = "x\nbeta three five\nnoise\nalpha one six\ny"
    table = rows(diff_text(old, new))
    olds = [row[0] for row in table if row[0] is not None]
    news = [row[1] for row in table if row[1] is not None]
    assert olds == old.split("\n") and news == new.split("\n")


# -- hunks and the unified view ------------------------------------------------------------------


def test_unified_is_the_text_diff_minus_u_prints() -> None:
    old = "\n".join(f"line {n}" for n in range(1, 21))
    new = old.replace("line 3\n", "line three\n").replace("line 18", "line 18\nextra")
    assert diff_text(old, new).unified() == "\n".join(
        [
            "--- before",
            "+++ after",
            "@@ -1,6 +1,6 @@",
            " line 1",
            " line 2",
            "-line 3",
            "+line three",
            " line 4",
            " line 5",
            " line 6",
            "@@ -16,5 +16,6 @@",
            " line 16",
            " line 17",
            " line 18",
            "+extra",
            " line 19",
            " line 20",
        ]
    )


def test_unified_names_the_sides_and_takes_the_context() -> None:
    text = diff_text("a\nb\nc", "a\nB\nc").unified(context=0, old_name="v1", new_name="v2")
    assert text == "--- v1\n+++ v2\n@@ -2 +2 @@\n-b\n+B"


def test_an_insertion_or_deletion_alone_has_an_empty_range() -> None:
    assert diff_text("a\nb", "a\nx\nb").unified(context=0).split("\n")[2] == "@@ -1,0 +2 @@"
    assert diff_text("", "x\ny").unified().split("\n")[2] == "@@ -0,0 +1,2 @@"
    assert diff_text("x", "").unified().split("\n")[2] == "@@ -1 +0,0 @@"


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from("abcdef"), max_size=40),
    st.lists(st.sampled_from("abcdef"), max_size=40),
    st.integers(min_value=0, max_value=4),
)
def test_unified_matches_difflib(old: list[str], new: list[str], context: int) -> None:
    expected = difflib.unified_diff(old, new, "before", "after", n=context, lineterm="")
    assert diff_text("\n".join(old), "\n".join(new)).unified(context) == "\n".join(expected)


def test_hunks_group_changes_with_their_context() -> None:
    old = "\n".join(str(n) for n in range(30))
    new = old.replace("\n5\n", "\nfive\n").replace("\n12\n", "\ntwelve\n")
    diff = diff_text(old, new)
    # 6 unchanged lines between the changes: one hunk at context 3, two at context 2.
    assert len(diff.hunks(3)) == 1
    two = diff.hunks(2)
    assert [[line.text for line in hunk] for hunk in two] == [
        ["3", "4", "5", "five", "6", "7"],
        ["10", "11", "12", "twelve", "13", "14"],
    ]
    assert diff.hunks(0) == [
        [line for line in diff.lines if line.text in {"5", "five"}],
        [line for line in diff.lines if line.text in {"12", "twelve"}],
    ]
    with pytest.raises(ValueError):
        diff.hunks(-1)


# -- summary and additions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "summary"),
    [
        ("a\nb", "a\nb", "no change"),
        ("a\nb\nc\nd", "a\nc\nd\nX\nY\nZ", "3 lines added, 1 removed"),
        ("a\nPrice 10\nb", "a\nPrice 12\nb", "1 line changed"),
        ("Price 10\nTax 2", "Price 12\nTax 3", "2 lines changed"),
        ("a\nPrice 10\nb", "a\nPrice 12\nnew\nb", "1 line changed, 1 added"),
        ("a\nb\nc", "a", "2 lines removed"),
        ("", "x", "1 line added"),
    ],
)
def test_summary_in_words(old: str, new: str, summary: str) -> None:
    assert diff_text(old, new).summary() == summary


def test_nothing_changed_is_empty() -> None:
    diff = diff_text("a\nb\n", "a\nb")  # a final newline ends the last line; it is no line
    assert diff.is_empty and diff.added == diff.removed == 0
    assert diff.hunks() == [] and diff.unified() == "" and diff.added_text() == []
    assert rows(diff) == [("a", "a"), ("b", "b")]


def test_added_text_is_the_new_lines_those_that_replaced_one_included() -> None:
    diff = diff_text("job A\nPrice 10\njob B", "job A\nPrice 12\njob B\njob C")
    assert diff.added_text() == ["Price 12", "job C"]
    assert (diff.added, diff.removed) == (2, 1)


# -- limits --------------------------------------------------------------------------------------


def test_very_long_lines_are_marked_whole() -> None:
    long_old = "word " * 3000
    long_new = long_old.replace("word", "ward", 1)
    diff = diff_text(f"a\n{long_old}\nb", f"a\n{long_new}\nb")
    changed = [line for line in diff.lines if line.change != "same"]
    assert [len(line.segments) for line in changed] == [1, 1]
    assert rows(diff)[1] == (long_old, long_new)


def test_very_long_texts_are_diffed_by_whole_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_diff, "MAX_DETAILED_LINES", 10)
    old = "\n".join(f"item {n} costs 5" for n in range(20))
    new = old.replace("item 7 costs 5", "item 7 costs 6")
    diff = diff_text(old, new)
    assert [marked(line) for line in diff.lines if line.change != "same"] == [
        [("item 7 costs 5", True)],
        [("item 7 costs 6", True)],
    ]
    assert diff.summary() == "1 line changed"


def test_many_repeated_lines_stay_fast_and_right() -> None:
    old = "\n".join(["</div>", "Reply"] * 5000 + [f"comment {n}" for n in range(5000)])
    new = old.replace("comment 2500", "comment 2500 edited")
    diff = diff_text(old, new)
    assert diff.summary() == "1 line changed"
    check_consistent(old, new, diff)


# -- real pages ----------------------------------------------------------------------------------


def changed_copy(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    for k, line in enumerate(lines):
        if k % 13 == 12:
            continue
        if k % 7 == 6:
            parts = line.split(" ")
            parts[len(parts) // 2] = "CHANGED"
            line = " ".join(parts)
        out.append(line)
        if k % 17 == 16:
            out.append(f"A line added after line {k + 1}")
    return "\n".join(out)


def test_real_pages_text_against_a_changed_copy() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"no real-page corpus at {CORPUS} (../shared beside the repository)")
    paths = sorted(CORPUS.glob("*.html.gz"))
    if not paths:
        pytest.skip(f"no *.html.gz pages in {CORPUS}")
    for path in paths:
        old = page_text(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
        new = changed_copy(old)
        diff = diff_text(old, new)
        check_consistent(old, new, diff)
        assert diff.added_text() == [line.text for line in diff.lines if line.change == "added"]
        if len(old.split("\n")) >= 20:
            assert not diff.is_empty, path.name
        # Where the word CHANGED came in and the line is shown word by word, it is marked.
        for line in diff.lines:
            if line.change == "added" and len(line.segments) > 1 and "CHANGED" in line.text:
                assert any(s.changed and "CHANGED" in s.text for s in line.segments), line
        assert diff_text(old, old).is_empty


def test_segments_are_frozen_values() -> None:
    segment = Segment("x", True)
    with pytest.raises(AttributeError):
        segment.text = "y"  # type: ignore[misc]
    assert segment == Segment("x", True)
