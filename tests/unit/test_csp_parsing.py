"""CSP parsing: header values into policies, as browsers split them and csp-evaluator reads them.

Many cases are csp-evaluator's own parser and csp tests, ported.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_tracker.kinds.headers.csp import (
    MAX_HEADER_CHARS,
    Policy,
    canonical_source,
    host_and_path,
    is_hash,
    is_nonce,
    is_url_scheme,
    normalize_source,
    parse_header,
    parse_policy,
    scheme_free,
)
from desktop_tracker.kinds.headers.csp_bypasses import (
    ANGULAR_URLS,
    FLASH_URLS,
    JSONP,
    JSONP_URLS,
    match_bypass,
)
from desktop_tracker.kinds.headers.csp_checks import policy_findings
from desktop_tracker.kinds.headers.csp_diff import describe_changes


def test_a_full_policy_parses_into_its_directives_in_order() -> None:
    text = (
        "default-src 'none';"
        "script-src 'nonce-unsafefoobar' 'unsafe-eval' 'unsafe-hashes'  'unsafe-inline' \n"
        "https://example.com/foo.js foo.bar     'sha256-1DCfk1NYWuHMfoobarfoobar=';"
        "script-src-elem 'self' 'unsafe-inline' https://apis.google.com;"
        "object-src 'none';"
        "img-src 'self' https: data: blob:;"
        "font-src *;"
        "child-src *.example.com:9090;"
        "upgrade-insecure-requests;\n"
        "report-uri /csp/test"
    )
    policy = parse_policy(text)
    assert policy.source == "header"
    assert policy.problems == ()
    assert policy.directives == {
        "default-src": ("'none'",),
        "script-src": (
            "'nonce-unsafefoobar'",
            "'unsafe-eval'",
            "'unsafe-hashes'",
            "'unsafe-inline'",
            "https://example.com/foo.js",
            "foo.bar",
            "'sha256-1DCfk1NYWuHMfoobarfoobar='",
        ),
        "script-src-elem": ("'self'", "'unsafe-inline'", "https://apis.google.com"),
        "object-src": ("'none'",),
        "img-src": ("'self'", "https:", "data:", "blob:"),
        "font-src": ("*",),
        "child-src": ("*.example.com:9090",),
        "upgrade-insecure-requests": (),
        "report-uri": ("/csp/test",),
    }
    assert list(policy.directives) == list(policy.to_json()["directives"])


def test_the_first_of_a_repeated_directive_wins_whatever_its_case() -> None:
    policy = parse_policy("default-src 'none';default-src foo.bar;object-src 'none';OBJECT-src x;")
    assert policy.directives == {"default-src": ("'none'",), "object-src": ("'none'",)}


def test_keywords_and_schemes_are_lower_cased_hosts_and_paths_are_not() -> None:
    policy = parse_policy("DEFAULT-src 'NONE';img-src 'sElf' HTTPS: Example.com/CaseSensitive;")
    assert policy.directives == {
        "default-src": ("'none'",),
        "img-src": ("'self'", "https:", "Example.com/CaseSensitive"),
    }


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("'nOnE'", "'none'"),
        ("'nonce-aBcD'", "'nonce-aBcD'"),
        ("'hash-XyZ=='", "'hash-XyZ=='"),
        ("'SHA256-XyZ='", "'SHA256-XyZ='"),  # not a keyword: kept as written
        ("HTTPS:", "https:"),
        ("example.com/TEST", "example.com/TEST"),
        ("'Strict-Dynamic'", "'strict-dynamic'"),
        ("'WASM-UNSAFE-EVAL'", "'wasm-unsafe-eval'"),
    ],
)
def test_normalize_source(written: str, stored: str) -> None:
    assert normalize_source(written) == stored


def test_a_repeated_source_is_kept_once() -> None:
    policy = parse_policy("script-src 'self' 'SELF' a.test a.test")
    assert policy.directives == {"script-src": ("'self'", "a.test")}


def test_only_ascii_whitespace_separates() -> None:
    policy = parse_policy("script-src\t'self'\x0ca.test\r\nb.test ;  ;\n; object-src\u00a0'none'")
    assert policy.directives == {"script-src": ("'self'", "a.test", "b.test")}
    # A no-break space is no separator: a browser reads one name, and no valid one.
    assert [name for _, name, _ in policy.problems] == ["object-src\u00a0'none'"]


def test_a_name_that_is_no_directive_name_is_dropped_and_said() -> None:
    policy = parse_policy("script-src: 'self'; object-src 'none'; ünïcode a; x_y b")
    assert policy.directives == {"object-src": ("'none'",)}
    assert [(check, name) for check, name, _ in policy.problems] == [
        ("unknown-directive", "script-src:"),
        ("unknown-directive", "ünïcode"),
        ("unknown-directive", "x_y"),
    ]
    assert "colon" in policy.problems[0][2]
    # Dropped parts take no part in comparing or in the JSON form.
    assert policy == Policy("header", {"object-src": ("'none'",)}, policy.problems)
    assert policy.to_json() == {"source": "header", "directives": {"object-src": ["'none'"]}}


def test_to_json() -> None:
    policy = parse_policy("script-src 'self' a.test; upgrade-insecure-requests", "report-only")
    assert policy.to_json() == {
        "source": "report-only",
        "directives": {"script-src": ["'self'", "a.test"], "upgrade-insecure-requests": []},
    }


def test_a_header_value_may_join_several_policies_with_commas() -> None:
    policies = parse_header("script-src 'self', object-src 'none' ,, ", "report-only")
    assert [p.directives for p in policies] == [
        {"script-src": ("'self'",)},
        {"object-src": ("'none'",)},
    ]
    assert {p.source for p in policies} == {"report-only"}


def test_an_empty_header_is_no_policy() -> None:
    assert parse_header("") == []
    assert parse_header(" ; ;, ") == []
    assert parse_policy("").directives == {}


def test_a_meta_tag_holds_one_policy_commas_and_all() -> None:
    (policy,) = parse_header("script-src 'self', object-src 'none'", "meta")
    assert policy.source == "meta"
    assert policy.directives == {"script-src": ("'self',", "object-src", "'none'")}


def test_a_huge_header_is_cut_and_parsed_quickly() -> None:
    filler = "img-src " + " ".join(f"h{i}.test" for i in range(20_000))
    text = f"script-src 'self'; {filler}; object-src 'none'"
    assert len(text) > MAX_HEADER_CHARS
    started = time.perf_counter()
    (policy,) = parse_header(text)
    policy_findings([policy])
    assert time.perf_counter() - started < 5
    assert "object-src" not in policy.directives  # it lies past the cut
    assert policy.directives["script-src"] == ("'self'",)


CSP_LIKE = st.text(alphabet=list(" ;,:'*./-\t\nabcsrINL0123456789[]@%\u00e9"))
WORDS = st.lists(
    st.sampled_from(["script-src", "'self'", "'nonce-ab'", "'strict-dynamic'", "https:", "*", ";"])
    | CSP_LIKE
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(CSP_LIKE | WORDS | st.text())
def test_any_text_parses_judges_and_compares_without_raising(text: str) -> None:
    for source in ("header", "report-only", "meta"):
        policies = parse_header(text, source)
        for finding in policy_findings(policies):
            assert finding.severity in ("high", "medium", "low", "info", "syntax")
        describe_changes(policies, parse_header("script-src 'self'"))
        for policy in policies:
            for values in policy.directives.values():
                [canonical_source(v) for v in values]


# -- source expressions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "canonical"),
    [
        ("'nonce-abc123'", "'nonce-…'"),
        ("'NONCE-abc123'", "'nonce-…'"),
        ("'nonce-invalid$'", "'nonce-…'"),
        ("'SELF'", "'self'"),
        ("'Unsafe-Inline'", "'unsafe-inline'"),
        ("HTTPS:", "https:"),
        ("https://Example.COM/", "https://example.com"),
        ("HTTPS://Example.com/Path/", "https://example.com/Path/"),
        ("*.Example.com:443", "*.example.com:443"),
        ("Example.COM", "example.com"),
        ("LOCALHOST:8080", "localhost:8080"),
        ("[::1]", "[::1]"),
        ("'sha256-AbC='", "'sha256-AbC='"),
        ("'SHA256-AbC='", "'sha256-AbC='"),  # the digest keeps its case: base64 is case-sensitive
        ("MyPolicy", "MyPolicy"),  # a Trusted Types policy name, no host
        ("/Report", "/Report"),
        ("https://a.test/", "https://a.test"),
        ("https://a.test//", "https://a.test//"),
    ],
)
def test_canonical_source(expression: str, canonical: str) -> None:
    assert canonical_source(expression) == canonical


def test_is_url_scheme() -> None:
    for scheme in ("http:", "https:", "data:", "blob:", "b+l.o-b:", "filesystem:"):
        assert is_url_scheme(scheme)
    assert not is_url_scheme("invalid")
    assert not is_url_scheme("ht_tp:")


@pytest.mark.parametrize(
    ("value", "loose", "strict"),
    [
        ("'nonce-asdfASDF='", True, True),
        ("'nonce-as+df/A0234SDF=='", True, True),
        ("'nonce-as_dfASDF='", True, True),
        ("'nonce-asdfASDF==='", True, False),
        ("'sha256-asdfASDF='", False, False),
        ("'asdfASDF='", False, False),
        ("example.com", False, False),
    ],
)
def test_is_nonce(value: str, loose: bool, strict: bool) -> None:
    assert is_nonce(value) is loose
    assert is_nonce(value, strict=True) is strict


@pytest.mark.parametrize(
    ("value", "loose", "strict"),
    [
        ("'sha256-asdfASDF='", True, True),
        ("'sha256-as+d/f/ASD0+4F=='", True, True),
        ("'sha256-asdfASDF==='", True, False),
        ("'sha256-asd_fASDF='", True, True),
        ("'sha384-a'", True, True),
        ("'sha512-a'", True, True),
        ("'sha777-asdfASDF='", False, False),
        ("'asdfASDF='", False, False),
        ("example.com", False, False),
    ],
)
def test_is_hash(value: str, loose: bool, strict: bool) -> None:
    assert is_hash(value) is loose
    assert is_hash(value, strict=True) is strict


@pytest.mark.parametrize(
    ("url", "free"),
    [("https://*", "*"), ("//*", "*"), ("*", "*"), ("test//*", "test//*"), ("a+b.c://x", "x")],
)
def test_scheme_free(url: str, free: str) -> None:
    assert scheme_free(url) == free


@pytest.mark.parametrize(
    ("rest", "parsed"),
    [
        ("www.Google.com", ("www.google.com", "/")),
        ("a.test:443/x/../y/", ("a.test", "/y/")),
        ("a.test\\x\\y?q#f", ("a.test", "/x/y")),
        ("///a.test/p", ("a.test", "/p")),
        ("u:p@a.test", ("a.test", "/")),
        ("%41.test", ("a.test", "/")),
        ("[0:0:0:0:0:0:0:1]:80", ("[::1]", "/")),
        ("2130706433", ("127.0.0.1", "/")),
        ("0177.0.0.1", ("127.0.0.1", "/")),
        ("1.2.3.4.5", None),
        ("1" * 5000, None),  # longer than Python reads as a decimal: too big for an address
        ("0" * 5000 + "1", ("0.0.0.1", "/")),
        ("a.test:99999", None),
        ("a.test:8o", None),
        ("", None),
        ("a|b", None),
        ("[foo]", None),
    ],
)
def test_host_and_path_reads_urls_as_a_browser_does(
    rest: str, parsed: tuple[str, str] | None
) -> None:
    assert host_and_path(rest) == parsed


# -- allowlist-bypass data --------------------------------------------------------------------

TEST_BYPASSES = tuple(
    p
    for p in (
        host_and_path(url)
        for url in (
            "googletagmanager.com/gtm/js",
            "www.google.com/jsapi",
            "ajax.googleapis.com/ajax/services/feed/load",
        )
    )
    if p is not None
)


@pytest.mark.parametrize(
    ("source", "host"),
    [
        ("//www.google.com", "www.google.com"),
        ("//www.foo.bar", None),
        ("//*.google.com", "www.google.com"),
        ("//*.www.google.com", None),
        ("//*.google.com/jsapi", "www.google.com"),
        ("//*.google.com/wrongPath", None),
        ("//ajax.googleapis.com/ajax/", "ajax.googleapis.com"),
        ("//ajax.googleapis.com/ajax", None),
        ("https://WWW.GOOGLE.COM:*", "www.google.com"),
        ("google.com", None),  # no subdomain wildcard: only the host itself
    ],
)
def test_match_bypass(source: str, host: str | None) -> None:
    assert match_bypass(source, TEST_BYPASSES) == host


def test_the_bypass_lists_are_read_whole() -> None:
    assert len(JSONP) == len(JSONP_URLS) > 100
    assert len(ANGULAR_URLS) > 30 and len(FLASH_URLS) == 2
    assert all(url.startswith("//") for url in JSONP_URLS + ANGULAR_URLS + FLASH_URLS)
