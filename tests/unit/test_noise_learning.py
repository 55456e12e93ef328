"""Noise learning: mask rules from a few fetches of an unchanged page, and "ignore this"."""

from __future__ import annotations

import gzip
import random
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_tracker.kinds.content.rules import apply_rules
from desktop_tracker.kinds.content.text import page_text
from desktop_tracker.kinds.noise import ProposedRule, propose_masks, rule_for_text
from desktop_tracker.kinds.rules import compile_rule

CORPUS = Path(__file__).parents[2].parent / "shared/corpus/real-pages"
RANDOM = random.Random(20240301)


def token(size: int, alphabet: str = string.ascii_letters + string.digits + "_-") -> str:
    return "".join(RANDOM.choice(alphabet) for _ in range(size))


def hex_token(size: int) -> str:
    return token(size, "0123456789abcdef")


def masked(samples: list[str], rules: list[ProposedRule]) -> list[str]:
    return [apply_rules(sample, [], [rule.pattern for rule in rules]) for sample in samples]


def assert_learned(samples: list[str]) -> list[ProposedRule]:
    """Proposals that make the samples read the same, every one of them valid."""
    rules = propose_masks(samples)
    for rule in rules:
        compile_rule(rule.pattern)
        assert not re.search(rule.pattern, ""), rule
        assert 1 <= len(rule.examples) <= 3 and len(set(rule.examples)) == len(rule.examples)
    assert len(set(masked(samples, rules))) == 1, (rules, masked(samples, rules))
    return rules


# -- a page fetched three times ------------------------------------------------------------------


def page_source(fetch: int, story: str = "The council approved the budget on Tuesday.") -> str:
    """A page's HTML, as lines: what changes between fetches is noise, except the story."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<meta name="csrf-token" content="{token(43)}">',
            f'<script nonce="{token(22)}">window.start = Date.now();</script>',
            f'<link rel="stylesheet" href="/static/site.css?v={1700000000 + 37 * fetch}">',
            f'<script src="/static/app.js?ver={hex_token(8)}"></script>',
            f'<script src="https://cdn.example.com/lib.js?_={1699999999 + fetch}"></script>',
            "<h1>Local news</h1>",
            f"<p>{story}</p>",
            '<form method="post" action="/subscribe">',
            f'<input type="hidden" name="csrf_token" value="{token(32)}">',
            "</form>",
            f"<footer>Rendered in {12 + fetch} ms at 10:{41 + fetch}:0{fetch}</footer>",
        ]
    )


def page_with_visible_noise(fetch: int, story: str = "Rain is expected all week.") -> str:
    return f"""<html><body>
        <header><p>Last updated 10:{41 + fetch} PM</p><p>{1204 + 9 * fetch:,} readers</p></header>
        <article><h1>Weather</h1><p>{story}</p>
        <p>Posted {3 + fetch} minutes ago · Comments ({17 + fetch})</p></article>
        <footer>Page built 2024-03-0{fetch + 1}T10:2{fetch}:00Z, request
        {hex_token(8)}-{hex_token(4)}-4{hex_token(3)}-a{hex_token(3)}-{hex_token(12)}</footer>
        </body></html>"""


def test_the_noise_of_a_pages_source_is_masked_and_a_new_sentence_still_shows() -> None:
    samples = [page_source(fetch) for fetch in range(3)]
    rules = assert_learned(samples)
    patterns = [rule.pattern for rule in rules]
    assert any("csrf_token" in pattern for pattern in patterns)
    assert any("nonce" in pattern for pattern in patterns)
    assert any(pattern.startswith("(?<=[?&]v=)") for pattern in patterns)
    assert any(pattern.startswith("(?<=[?&]ver=)") for pattern in patterns)
    assert any(pattern.startswith("(?<=[?&]_=)") for pattern in patterns)
    changed = page_source(3, story="The council rejected the budget on Tuesday.")
    masked_changed = apply_rules(changed, [], patterns)
    assert masked_changed != masked(samples, rules)[0]
    assert "The council rejected the budget on Tuesday." in masked_changed
    # A fourth fetch, with values never seen, reads as the first three.
    assert apply_rules(page_source(7), [], patterns) == masked(samples, rules)[0]


def test_the_noise_of_a_pages_text_is_masked_and_a_new_sentence_still_shows() -> None:
    samples = [page_text(page_with_visible_noise(fetch)) for fetch in range(3)]
    rules = assert_learned(samples)
    reasons = " ".join(rule.reason for rule in rules)
    for word in ("time of day", "counter", "relative time", "timestamp", "UUID"):
        assert word in reasons
    patterns = [rule.pattern for rule in rules]
    fourth = page_text(page_with_visible_noise(5))
    assert apply_rules(fourth, [], patterns) == masked(samples, rules)[0]
    changed = page_text(page_with_visible_noise(5, story="Snow is expected all week."))
    assert "Snow is expected all week." in apply_rules(changed, [], patterns)
    # The masked text still reads as the page: only the noise is gone.
    assert masked(samples, rules)[0].split("\n") == [
        "Last updated …",
        "… readers",
        "Weather",
        "Rain is expected all week.",
        "Posted … · Comments (…)",
        "Page built …, request …",
    ]


SHAPES: list[tuple[str, Callable[[int], str], str, str]] = [
    (
        "csrf token",
        lambda k: f'<input name="csrf_token" value="{token(32)}">',
        "CSRF token",
        r"(?<=",
    ),
    ("nonce", lambda k: f'<script nonce="{token(24)}">', "nonce", "(?<="),
    ("session id", lambda k: f"Session: {hex_token(32)}", "session id", "(?<="),
    ("time", lambda k: f"Updated {9 + k}:{10 * k + 5:02d}", "time of day", r"\b\d{1,2}:"),
    ("date", lambda k: f"Edition of November {10 + k}, 2019", "date", r"\b"),
    ("iso date", lambda k: f"Built on 2024-03-{10 + k}", "date", r"\b\d{4}-"),
    ("counter", lambda k: f"{1000 + 7 * k} people like this", "counter", r"\d+"),
    ("counter in brackets", lambda k: f"Comments ({5 + k})", "counter", "(?<="),
    ("relative time", lambda k: f"Posted {k + 2} hours ago", "relative time", r"\b\d+"),
    ("unix time", lambda k: f'"generated": {1699999999 + 61 * k},', "timestamp", r"\b1"),
    (
        "uuid",
        lambda k: (
            f"trace {hex_token(8)}-{hex_token(4)}-{hex_token(4)}-{hex_token(4)}-{hex_token(12)}"
        ),
        "UUID",
        r"\b[0-9a-fA-F]{8}",
    ),
    ("cache buster", lambda k: f"/app.js?v={120 + k}&lang=en", "cache-busting", "(?<=[?&]v=)"),
    (
        "hashed file name",
        lambda k: f"/static/js/main.{hex_token(8)}.js",
        "token",
        r"(?<=js/main\.)",
    ),
    (
        "http date",
        lambda k: f"Date: Tue, 0{k + 1} Mar 2025 10:0{k}:00 GMT",
        "timestamp",
        r"\b(?:Mon",
    ),
]


@pytest.mark.parametrize(("name", "line", "reason", "start"), SHAPES, ids=[s[0] for s in SHAPES])
def test_each_kind_of_noise_gets_a_rule_by_its_shape(
    name: str, line: Callable[[int], str], reason: str, start: str
) -> None:
    samples = [f"Stable heading\n{line(k)}\nStable footer" for k in range(3)]
    rules = assert_learned(samples)
    assert len(rules) == 1, rules
    rule = rules[0]
    assert reason in rule.reason and rule.reason.endswith("changes between fetches")
    assert rule.pattern.startswith(start), rule.pattern
    # The rule is the shape, not the values: a new value is masked too.
    fresh = f"Stable heading\n{line(3)}\nStable footer"
    assert apply_rules(fresh, [], [rule.pattern]) == masked(samples, rules)[0]
    assert "Stable heading" in masked(samples, rules)[0]


def test_examples_are_the_values_seen() -> None:
    rules = propose_masks([f"Updated 10:4{k}" for k in range(3)])
    assert [rule.examples for rule in rules] == [("10:40", "10:41", "10:42")]


def test_a_date_and_time_is_masked_whole_before_its_time_could_be() -> None:
    samples = [f"at 10:0{k}\nGenerated 2024-03-0{k + 1}T10:2{k}:00Z" for k in range(3)]
    rules = assert_learned(samples)
    assert masked(samples, rules)[0] == "at …\nGenerated …"


# -- what is content stays visible ---------------------------------------------------------------


def test_nothing_changed_means_no_rule() -> None:
    assert propose_masks([page_source(0)] * 3) == []
    assert propose_masks([page_source(0)]) == []
    assert propose_masks([]) == []


@pytest.mark.parametrize(
    "lines",
    [
        ["The cat sat on the mat.", "The dog sat on the mat.", "The bird sat on the mat."],
        ["Quote of the day: be kind.", "Quote of the day: stay curious.", "Quote: rest."],
        ["Today: sunny", "Today: cloudy", "Today: rain"],
        ["Top story: Markets rally", "Top story: Storm nears coast", "Top story: Vote today"],
    ],
)
def test_a_change_of_words_is_content_and_gets_no_rule(lines: list[str]) -> None:
    assert propose_masks([f"Header\n{line}\nFooter" for line in lines]) == []


def test_a_number_that_nothing_names_gets_no_rule() -> None:
    assert propose_masks([f"Header\n{n}\nFooter" for n in (17, 18, 19)]) == []


def test_rules_never_mask_a_line_of_words_whole() -> None:
    samples = [
        "Breaking news from the city council\n"
        f"Comments ({k}) and {100 + k} shares on 2024-01-0{k + 1}\n"
        f"Tomorrow at {k + 8}:30 the meeting continues in public"
        for k in range(3)
    ]
    rules = assert_learned(samples)
    for line in masked(samples, rules)[0].split("\n"):
        assert len(re.findall(r"[^\W\d_]{2,}", line)) >= 3, line


# -- real pages ----------------------------------------------------------------------------------


def corpus_pages() -> list[str]:
    if not CORPUS.is_dir():
        pytest.skip(f"no real-page corpus at {CORPUS} (../shared beside the repository)")
    paths = sorted(CORPUS.glob("*.html.gz"))
    if not paths:
        pytest.skip(f"no *.html.gz pages in {CORPUS}")
    return [gzip.decompress(path.read_bytes()).decode("utf-8", "replace") for path in paths]


def noisy_fetch(html: str, fetch: int, extra: str = "") -> str:
    """A real page with what changes between fetches put in: a script nonce on every script,
    a CSRF field, a clock, a counter and a cache-busting URL."""
    nonce = token(22)
    html = re.sub(r"<script\b", f'<script nonce="{nonce}"', html, flags=re.IGNORECASE)
    noise = (
        f"<p>Last updated 10:{41 + fetch} | {1200 + 13 * fetch:,} readers</p>"
        f'<form><input type="hidden" name="authenticity_token" value="{token(40)}"></form>'
        f'<link rel="preload" href="/assets/app.js?v=1700000{fetch}00">{extra}'
    )
    return html + noise  # after the end of the page: a parser puts it at the end of <body>


def test_real_pages_text_with_noise_put_in_is_learned() -> None:
    for html in corpus_pages()[::4]:
        samples = [page_text(noisy_fetch(html, fetch)) for fetch in range(3)]
        rules = assert_learned(samples)
        patterns = [rule.pattern for rule in rules]
        changed = page_text(noisy_fetch(html, 4, "<p>A new sentence to notice.</p>"))
        assert "A new sentence to notice." in apply_rules(changed, [], patterns)
        # The masks touch numbers and tokens alone: the page's lines without a digit stay.
        own = [line for line in page_text(html).split("\n") if not re.search(r"\d", line)]
        kept = set(masked(samples, rules)[0].split("\n"))
        assert [line for line in own if line not in kept] == []


def test_real_pages_source_with_noise_put_in_is_learned() -> None:
    for html in corpus_pages()[1::12]:
        samples = [noisy_fetch(html, fetch) for fetch in range(3)]
        rules = assert_learned(samples)
        assert any("nonce" in rule.reason for rule in rules), rules
        assert any("CSRF" in rule.reason for rule in rules), rules


# -- "ignore this" -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selected", "pattern", "also_matches"),
    [
        ("Updated 10:42", r"Updated \d+:\d+", "Updated 9:05"),
        ("1,024 views", r"\d+(?:[.,]\d+)* views", "987 views"),
        ("build 3fa9c2e1 ok", r"build [0-9a-fA-F]+ ok", "build 00ffa1b2c ok"),
        ("Price (USD): $5.00?", r"Price \(USD\): \$\d+(?:[.,]\d+)*\?", "Price (USD): $12.50?"),
        ("  padded  ", "padded", "padded"),
        (
            "a [b] {c} | d * e + f ^ g",
            r"a \[b\] \{c\} \| d \* e \+ f \^ g",
            "a [b] {c} | d * e + f ^ g",
        ),
    ],
)
def test_rule_for_text_escapes_and_generalises_numbers(
    selected: str, pattern: str, also_matches: str
) -> None:
    rule = rule_for_text(selected)
    assert rule == pattern
    assert re.fullmatch(rule, selected.strip())
    assert re.fullmatch(rule, also_matches)
    assert apply_rules(f"before {selected.strip()} after", [], [rule]) == "before … after"


def test_rule_for_text_does_not_generalise_words() -> None:
    rule = rule_for_text("Sold out")
    assert re.search(rule, "Sold out") and not re.search(rule, "In stock")
    assert rule_for_text("deadbeef") == "deadbeef"  # a word of hex letters is still a word


def test_rule_for_text_refuses_an_empty_selection() -> None:
    with pytest.raises(ValueError, match="nothing selected"):
        rule_for_text(" \n\t")
