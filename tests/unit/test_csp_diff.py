"""CSP changes between two fetches, in words: one line per change, read canonically."""

from __future__ import annotations

import pytest

from desktop_tracker.kinds.headers.csp import CspSource, Policy, parse_header, parse_policy
from desktop_tracker.kinds.headers.csp_diff import describe_changes, join_words, policies_equal


def changes(old: str, new: str, source: CspSource = "header") -> list[str]:
    return describe_changes(parse_header(old, source), parse_header(new, source))


def test_gained_sources_are_listed_in_one_line() -> None:
    assert changes(
        "script-src 'self'", "script-src 'self' 'unsafe-inline' https://cdn.example"
    ) == ["script-src gained 'unsafe-inline' and https://cdn.example"]


def test_lost_sources() -> None:
    assert changes("script-src 'nonce-a' 'strict-dynamic'", "script-src 'nonce-b'") == [
        "script-src lost 'strict-dynamic'"
    ]


def test_a_directive_that_gains_and_loses_gets_a_line_for_each() -> None:
    assert changes("img-src a.test b.test", "img-src c.test a.test") == [
        "img-src gained c.test",
        "img-src lost b.test",
    ]


def test_removed_and_added_directives() -> None:
    old = "script-src 'self'; base-uri 'none'"
    new = "script-src 'self'; object-src 'none'; upgrade-insecure-requests"
    assert changes(old, new) == [
        "base-uri removed",
        "object-src added: 'none'",
        "upgrade-insecure-requests added",
    ]


def test_an_added_directive_lists_its_sources_as_a_sentence() -> None:
    assert changes("", "script-src 'self'") == ["the Content-Security-Policy header was added"]
    assert changes("object-src 'none'", "object-src 'none'; script-src 'self' a.test b.test") == [
        "script-src added: 'self', a.test and b.test"
    ]


@pytest.mark.parametrize(
    ("items", "words"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_join_words(items: list[str], words: str) -> None:
    assert join_words(items) == words


def test_a_new_nonce_is_no_change() -> None:
    old = "script-src 'nonce-Q2hhbmdl1' 'strict-dynamic'; object-src 'none'"
    new = "script-src 'nonce-T3RoZXI2' 'strict-dynamic'; object-src 'none'"
    assert changes(old, new) == []
    assert policies_equal(parse_header(old), parse_header(new))


def test_a_nonce_that_appears_is_shown_without_its_value() -> None:
    assert changes("script-src 'self'", "script-src 'self' 'nonce-abc'") == [
        "script-src gained 'nonce-…'"
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("script-src https://CDN.Example.com/", "script-src https://cdn.example.com"),
        ("script-src 'SELF' HTTPS:", "script-src 'self' https:"),
        ("script-src a.test b.test", "script-src b.test a.test"),
        ("script-src 'self'; object-src 'none'", "OBJECT-SRC 'none'; script-src 'self'"),
        ("script-src 'self' 'self'", "script-src 'self'"),
        ("script-src 'self'; script-src: x", "script-src 'self'"),  # dropped by browsers anyway
    ],
)
def test_what_means_the_same_is_no_change(old: str, new: str) -> None:
    assert changes(old, new) == []
    assert policies_equal(parse_header(old), parse_header(new))


def test_a_path_that_changes_case_is_a_change() -> None:
    assert changes("script-src a.test/App.js", "script-src a.test/app.js") == [
        "script-src gained a.test/app.js",
        "script-src lost a.test/App.js",
    ]
    assert not policies_equal(
        parse_header("script-src a.test/App.js"), parse_header("script-src a.test/app.js")
    )


def test_report_only_policies_added_and_removed() -> None:
    enforced = parse_header("script-src 'self'")
    report_only = parse_header("script-src 'none'", "report-only")
    assert describe_changes(enforced, enforced + report_only) == ["a report-only policy was added"]
    assert describe_changes(enforced + report_only, enforced) == [
        "a report-only policy was removed"
    ]
    assert not policies_equal(enforced, enforced + report_only)


def test_meta_policies_added_and_removed() -> None:
    header = parse_header("script-src 'self'")
    meta = [parse_policy("object-src 'none'", "meta")]
    assert describe_changes(header + meta, header) == [
        "the policy sent in a <meta> tag was removed"
    ]
    assert describe_changes(header, header + meta) == ["the policy sent in a <meta> tag was added"]
    second = [parse_policy("base-uri 'none'", "meta")]
    assert describe_changes(meta, meta + second) == [
        "another policy sent in a <meta> tag was added"
    ]


def test_the_enforced_header_added_removed_and_a_second_one() -> None:
    one = parse_header("script-src 'self'")
    two = parse_header("script-src 'self', object-src 'none'")
    assert describe_changes([], one) == ["the Content-Security-Policy header was added"]
    assert describe_changes(one, []) == ["the Content-Security-Policy header was removed"]
    assert describe_changes(one, two) == ["another enforced header policy was added"]
    assert describe_changes(two, one) == ["another enforced header policy was removed"]


def test_two_header_policies_are_paired_by_position() -> None:
    old = parse_header("script-src 'self', object-src 'none'")
    new = parse_header("script-src 'self' a.test, object-src 'self'")
    assert describe_changes(old, new) == [
        "header policy 1: script-src gained a.test",
        "header policy 2: object-src gained 'self'",
        "header policy 2: object-src lost 'none'",
    ]


def test_changes_are_grouped_by_where_the_policy_came_from() -> None:
    old = [
        parse_policy("script-src 'self'", "report-only"),
        parse_policy("script-src 'self'", "meta"),
        parse_policy("script-src 'self'", "header"),
    ]
    new = [
        parse_policy("script-src 'self' a.test", "header"),
        parse_policy("script-src 'self' b.test", "meta"),
        parse_policy("script-src 'self' c.test", "report-only"),
    ]
    assert describe_changes(old, new) == [
        "script-src gained a.test",
        "<meta> policy: script-src gained b.test",
        "report-only policy: script-src gained c.test",
    ]


def test_several_report_only_policies_are_numbered() -> None:
    old = parse_header("script-src 'self', object-src 'none'", "report-only")
    new = parse_header("script-src 'self', object-src 'self'", "report-only")
    assert describe_changes(old, new) == [
        "report-only policy 2: object-src gained 'self'",
        "report-only policy 2: object-src lost 'none'",
    ]


def test_the_same_policies_give_no_lines_and_are_equal() -> None:
    policies = parse_header("default-src 'self'; script-src 'nonce-x' 'strict-dynamic', img-src *")
    assert describe_changes(policies, policies) == []
    assert policies_equal(policies, list(policies))
    assert policies_equal([], [])


def test_policies_equal_agrees_with_describe_changes() -> None:
    cases = [
        ("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
        ("script-src 'self'", "script-src 'SELF'"),
        ("script-src 'self'", ""),
        ("script-src 'self', img-src *", "script-src 'self'"),
        ("upgrade-insecure-requests", "upgrade-insecure-requests"),
    ]
    for old, new in cases:
        before, after = parse_header(old), parse_header(new)
        assert policies_equal(before, after) == (describe_changes(before, after) == [])


def test_hand_made_policies_compare_like_parsed_ones() -> None:
    made = [Policy("header", {"script-src": ("'SELF'", "https://A.test/")})]
    assert policies_equal(made, parse_header("script-src 'self' https://a.test"))
