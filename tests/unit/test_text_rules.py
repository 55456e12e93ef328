"""Ignore (drop) and mask rules over text, line by line."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_tracker.kinds.content.rules import MAX_PIECE, apply_rules
from desktop_tracker.kinds.rules import compile_rule

TEXT = "Headline\nUpdated 10:42\nShare on Facebook\nBody text, 3 comments\nFooter © 2024"


def test_no_rules_give_the_text_as_it_is() -> None:
    assert apply_rules(TEXT, [], []) is TEXT
    assert apply_rules("", [], []) == ""


def test_a_mask_replaces_every_match_in_a_line_with_an_ellipsis() -> None:
    assert apply_rules("Updated 10:42", [], [r"\d\d:\d\d"]) == "Updated …"
    assert apply_rules("10:42 then 11:07", [], [r"\d\d:\d\d"]) == "… then …"
    assert apply_rules(TEXT, [], [r"\d+"]).split("\n") == [
        "Headline",
        "Updated …:…",
        "Share on Facebook",
        "Body text, … comments",
        "Footer © …",
    ]


def test_masks_apply_in_the_order_given() -> None:
    assert apply_rules("id=abc123", [], [r"abc", r"\d+"]) == "id=……"
    assert apply_rules("id=abc123", [], [r"[a-z]+\d+", r"\d+"]) == "id=…"


def test_a_drop_rule_leaves_out_every_line_it_finds_a_match_in() -> None:
    assert apply_rules(TEXT, [r"^Share\b", r"©"], []) == (
        "Headline\nUpdated 10:42\nBody text, 3 comments"
    )


def test_drop_rules_see_the_line_before_the_masks() -> None:
    # Written against the line the user saw; masking first would hide the time from it.
    kept = apply_rules(TEXT, [r"^Updated \d+:\d+$"], [r"\d+:\d+"])
    assert "Updated" not in kept
    assert apply_rules("Updated 10:42", [r"^Updated …$"], [r"\d+:\d+"]) == "Updated …"


def test_a_rule_never_reaches_across_lines() -> None:
    assert apply_rules("a\nb", [], [r"a\nb", r"\s+"]) == "a\nb"
    assert apply_rules("one two\nthree", [], [r"\s+"]) == "one…two\nthree"
    assert apply_rules("keep\ndrop me\nkeep", [r"^drop me$"], []) == "keep\nkeep"


def test_empty_lines_are_kept_unless_dropped() -> None:
    assert apply_rules("a\n\nb", [], [r"x"]) == "a\n\nb"
    assert apply_rules("a\n\nb", [r"^$"], []) == "a\nb"


def test_long_lines_are_masked_through_their_whole_length() -> None:
    line = "v=1;" * (MAX_PIECE // 2)  # 200,000 characters
    assert apply_rules(line, [], [r"\d"]) == "v=…;" * (MAX_PIECE // 2)
    tail_only = "x" * (2 * MAX_PIECE + 10) + "needle"
    assert apply_rules(f"{tail_only}\nkept", [r"needle"], []) == "kept"


def test_each_rule_is_compiled_once_for_every_call() -> None:
    pattern = r"(?:unique-to-this-test)\d+"
    apply_rules("x", [], [pattern])
    misses = compile_rule.cache_info().misses
    for _ in range(50):
        apply_rules("unique-to-this-test1\nother", [pattern], [pattern])
    assert compile_rule.cache_info().misses == misses


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="ab1 2:\t…", max_size=20), max_size=10),
    st.sampled_from([r"\d+", r"a", r"\s", r"b+", r"^a", r"1$"]),
)
def test_masking_is_re_sub_on_each_line(lines: list[str], pattern: str) -> None:
    text = "\n".join(lines)
    expected = "\n".join(re.sub(pattern, "…", line) for line in text.split("\n"))
    assert apply_rules(text, [], [pattern]) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="ab1 2:", max_size=20), max_size=10),
    st.sampled_from([r"\d", r"^a", r"b$", r"^$"]),
)
def test_dropping_keeps_the_other_lines_in_order(lines: list[str], pattern: str) -> None:
    text = "\n".join(lines)
    kept = [line for line in text.split("\n") if not re.search(pattern, line)]
    assert apply_rules(text, [pattern], []) == "\n".join(kept)
