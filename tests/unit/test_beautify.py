"""Minified scripts and stylesheets are laid out for reading; readable code, hostile input and
huge input come back as they were, and nothing raises."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_tracker.kinds import beautify as beautify_module
from desktop_tracker.kinds.beautify import BEAUTIFIER_VERSION, beautify, fits, is_minified

MINIFIED_JS = (
    '!function(e,t){"use strict";var n={a:1,b:[1,2,3]};function r(o){if(!o)return null;'
    "for(var i=0;i<o.length;i++){t.push(o[i]*2)}return t}e.lib={run:r,data:n}}(window,[]);"
) * 8
MINIFIED_CSS = (
    "body{margin:0;padding:0;font:14px/1.4 sans-serif}a:hover{color:#06c;text-decoration:none}"
    "@media (max-width:600px){.nav{display:none}.main{width:100%}}"
) * 8
READABLE_JS = """function add(a, b) {
  return a + b;
}

// A long comment line is fine: the code is read line by line already.
const total = [1, 2, 3].reduce(add, 0);
"""


def without_spaces(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_a_minified_script_is_laid_out_on_short_lines_with_the_same_code() -> None:
    assert is_minified(MINIFIED_JS)
    out = beautify(MINIFIED_JS, "script")
    lines = out.split("\n")
    assert len(lines) > 50
    assert max(map(len, lines)) < 120
    assert "  return t" in out  # indented by two spaces
    assert without_spaces(out) == without_spaces(MINIFIED_JS)


def test_a_minified_stylesheet_is_laid_out_by_rule_and_declaration() -> None:
    for language in ("style", "stylesheet"):
        out = beautify(MINIFIED_CSS, language)
        assert "body {\n  margin: 0;\n  padding: 0;" in out
        assert without_spaces(out) == without_spaces(MINIFIED_CSS)


def test_readable_code_is_left_as_it_is() -> None:
    assert not is_minified(READABLE_JS)
    assert beautify(READABLE_JS, "script") is READABLE_JS
    assert beautify("", "style") == ""


def test_minified_means_long_lines_hold_half_the_text() -> None:
    short = "a = 1;\n" * 100
    assert not is_minified(short)
    assert is_minified(short + "x" * 800)  # one long line holding more than half
    assert not is_minified(short * 3 + "x" * 800)
    assert not is_minified("x" * 300)  # too short to tell


def test_beautified_code_is_left_alone_the_second_time_and_every_time_the_same() -> None:
    once = beautify(MINIFIED_JS, "script")
    assert beautify(once, "script") is once
    assert beautify(MINIFIED_JS, "script") == once
    forced = beautify(READABLE_JS, "script", force=True)
    assert forced == beautify(READABLE_JS, "script", force=True)


def test_packed_scripts_are_not_unpacked() -> None:
    # jsbeautifier would run its unpackers on this; we show the code the site serves.
    packed = (
        "eval(function(p,a,c,k,e,d){e=function(c){return c};if(!''.replace(/^/,String))"
        "{while(c--){d[c]=k[c]||c}k=[function(e){return d[e]}];e=function(){return'\\\\w+'};"
        "c=1};while(c--){if(k[c]){p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}"
        "return p}('0 1=2;',3,3,'var|secret|42'.split('|'),0,{}))"
    )
    out = beautify(packed, "script", force=True)
    assert "secret" not in out.replace("'var|secret|42'", "")
    assert without_spaces(out) == without_spaces(packed)


def test_an_unknown_language_is_a_mistake_of_the_caller() -> None:
    with pytest.raises(ValueError, match="no beautifier"):
        beautify(MINIFIED_JS, "html")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "hostile",
    [
        "{" * 100_000,  # 200 MB of indentation (40,000 of them exhaust memory)
        "[" * 100_000,
        "({a:" * 30_000,
        "function(){" * 20_000,
        "@media{" * 20_000,
        "`${" * 5_000,  # overflows Python's stack in jsbeautifier
    ],
    ids=["braces", "brackets", "objects", "functions", "at-rules", "templates"],
)
def test_hostile_nesting_comes_back_untouched_at_once(hostile: str) -> None:
    for language in ("script", "style"):
        started = time.perf_counter()
        assert beautify(hostile, language, force=True) is hostile
        assert time.perf_counter() - started < 2


def test_text_with_too_many_tokens_or_characters_is_not_beautified(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(beautify_module, "MAX_TOKENS", 100)
    assert not fits(MINIFIED_JS)
    assert beautify(MINIFIED_JS, "script") is MINIFIED_JS
    monkeypatch.setattr(beautify_module, "MAX_TOKENS", 10**9)
    monkeypatch.setattr(beautify_module, "MAX_CHARS", 100)
    assert beautify(MINIFIED_JS, "script") is MINIFIED_JS


def test_a_failing_beautifier_gives_the_text_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> str:
        raise IndexError("deep inside the tokenizer")

    monkeypatch.setattr(beautify_module, "_beautify_script", broken)
    assert beautify(MINIFIED_JS, "script") is MINIFIED_JS


@pytest.mark.parametrize(
    "odd",
    [
        '"' + "a" * 5_000,  # an unterminated string
        "/*" + "a" * 5_000,  # an unterminated comment
        "x=/" + "a" * 5_000,  # an unterminated regular expression
        "\x00" * 5_000,
        "\ud800" * 1_000,  # lone surrogates
        "<html><body>" + "<div>x</div>" * 500,
        "}" * 5_000,
    ],
)
def test_odd_input_never_raises(odd: str) -> None:
    for language in ("script", "style"):
        assert isinstance(beautify(odd, language, force=True), str)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}[]();,:'\"`/*\\ \n\tab1=+.$@#")), max_size=400))
def test_any_text_gives_a_text_and_never_raises(text: str) -> None:
    for language in ("script", "style"):
        assert isinstance(beautify(text, language, force=True), str)


def test_the_version_names_both_beautifiers() -> None:
    assert "jsbeautifier" in BEAUTIFIER_VERSION
    assert "cssbeautifier" in BEAUTIFIER_VERSION
    assert re.search(r"jsbeautifier \d+\.\d+", BEAUTIFIER_VERSION)
