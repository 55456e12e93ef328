"""User input quoted in messages: visible, and short whatever its size."""

from __future__ import annotations

from desktop_tracker.core.quoting import quote


def test_short_text_is_quoted_whole():
    assert quote("Checkout") == "'Checkout'"
    assert quote("") == "''"


def test_long_text_is_cut_near_the_limit_and_says_how_long_it_was():
    shown = quote("x" * 50_000_000)
    assert shown.startswith("'" + "x" * 80 + "…'")
    assert "50,000,000 characters" in shown
    assert len(shown) < 120


def test_the_limit_can_be_chosen():
    assert quote("abcdef", limit=3) == "'abc…' (6 characters)"
    assert quote("abc", limit=3) == "'abc'"


def test_control_characters_are_shown_as_escapes_and_counted_in_the_limit():
    assert quote("a\nb\x1b[2Jc\td") == r"'a\nb\x1b[2Jc\td'"
    shown = quote("\x00" * 1000)
    assert "\x00" not in shown and len(shown) < 120


def test_letters_of_any_script_stay_as_they_are():
    assert quote("Caisse — 日本") == "'Caisse — 日本'"
