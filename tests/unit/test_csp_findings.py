"""CSP findings: the same cases, severities and directives as csp-evaluator's default evaluation.

GOLDEN holds csp-evaluator's own output (its CspEvaluator with CSP3 and the default checks, run
on each policy, findings of type IGNORED left out), mapped to our check names and severities.
The check-level cases below are csp-evaluator's unit tests, ported: like them, they run one
check on the policy as parsed, not on the effective policy.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop_tracker.kinds.base import Finding
from desktop_tracker.kinds.headers import csp_checks as checks
from desktop_tracker.kinds.headers.csp import Policy, parse_header, parse_policy
from desktop_tracker.kinds.headers.csp_checks import (
    effective_csp,
    effective_directive,
    evaluate_policy,
    policy_findings,
    source_hostname,
)

Check = Callable[[checks.Directives], list[Finding]]


def run(check: Check, text: str) -> list[Finding]:
    """One check on the policy as parsed, as csp-evaluator's own unit tests run them."""
    return check({k: list(v) for k, v in parse_policy(text).directives.items()})


def summary(text: str) -> list[str]:
    """Our findings for one policy, as "severity check directive" lines."""
    return [f"{f.severity} {f.check} {f.directive}" for f in policy_findings([parse_policy(text)])]


GOLDEN = [
    (
        (
            "script-src 'nonce-r4nd0mN0nc3' 'strict-dynamic' https: 'unsafe-inline'; "
            "object-src 'none'; base-uri 'none'"
        ),
        [],
    ),
    (
        (
            "script-src 'nonce-r4nd0mN0nc3' 'strict-dynamic' https: 'unsafe-inline'; "
            "object-src 'none'"
        ),
        [
            "high missing-directive base-uri",
        ],
    ),
    (
        "script-src 'sha256-abcdefghijklmnop=' 'strict-dynamic'; object-src 'none'",
        [
            "high missing-directive base-uri",
        ],
    ),
    (
        "script-src 'sha256-abcdefghijklmnop='; object-src 'none'",
        [],
    ),
    (
        (
            "script-src 'strict-dynamic' 'nonce-abcdefghij' 'self' www.google.com "
            "http://evil.example 'unsafe-inline'; "
            "object-src 'none'; base-uri 'self'"
        ),
        [],
    ),
    (
        "default-src 'self'",
        [
            "low allowlist-bypass default-src",
        ],
    ),
    (
        "default-src 'self' 'unsafe-inline' 'unsafe-eval' https: data:",
        [
            "high unsafe-inline default-src",
            "low unsafe-eval default-src",
            "high plain-url-scheme default-src",
            "high plain-url-scheme default-src",
            "low allowlist-bypass default-src",
        ],
    ),
    (
        (
            "default-src 'none'; "
            "script-src 'self' https://www.google-analytics.com https://ajax.googleapis.com; "
            "img-src 'self' data:"
        ),
        [
            "low allowlist-bypass script-src",
            "low allowlist-bypass script-src",
            "high allowlist-bypass script-src",
        ],
    ),
    (
        (
            "default-src https:; script-src 'unsafe-inline' 'nonce-abcdefghij'; object-src 'none'; "
            "base-uri 'none'"
        ),
        [],
    ),
    (
        "default-src 'unsafe-inline' 'nonce-abcdefghij'; object-src 'none'; base-uri 'none'",
        [],
    ),
    (
        (
            "script-src 'unsafe-inline'; script-src-elem 'nonce-abcdefghij'; object-src 'none'; "
            "base-uri 'none'"
        ),
        [
            "high unsafe-inline script-src",
        ],
    ),
    (
        (
            "script-src 'nonce-abcdefghij' 'strict-dynamic'; script-src-elem 'unsafe-inline'; "
            "object-src 'none'; base-uri 'none'"
        ),
        [
            "high unsafe-inline script-src-elem",
        ],
    ),
    (
        (
            "script-src 'nonce-abcdefghij' 'strict-dynamic'; script-src-attr 'unsafe-inline'; "
            "object-src 'none'; base-uri 'none'"
        ),
        [
            "high unsafe-inline script-src-attr",
        ],
    ),
    (
        "script-src-elem 'self'; object-src 'none'",
        [
            "high missing-directive script-src",
            "low allowlist-bypass script-src-elem",
        ],
    ),
    (
        "script-src 'self' 'unsafe-hashes' 'sha256-abcdefghijklmnop='; object-src 'none'",
        [
            "low unsafe-hashes script-src",
            "low allowlist-bypass script-src",
        ],
    ),
    (
        "script-src https://googletagmanager.com 'unsafe-eval'; object-src 'none'",
        [
            "low unsafe-eval script-src",
            "high allowlist-bypass script-src",
        ],
    ),
    (
        "script-src https://www.googletagmanager.com; object-src 'none'",
        [
            "low allowlist-bypass script-src",
        ],
    ),
    (
        "script-src *.google.com 'none'; object-src 'none'",
        [],
    ),
    (
        "script-src https://cdnjs.cloudflare.com/ajax/libs/; object-src 'none'",
        [
            "high allowlist-bypass script-src",
        ],
    ),
    (
        (
            "script-src https://cdnjs.cloudflare.com/ajax/libs/angular.js/1.2.16/angular.min.js; "
            "object-src 'none'"
        ),
        [
            "high allowlist-bypass script-src",
        ],
    ),
    (
        "script-src https://cdnjs.cloudflare.com/other.js; object-src 'none'",
        [
            "low allowlist-bypass script-src",
        ],
    ),
    (
        "script-src *.gstatic.com; object-src 'none'",
        [
            "high allowlist-bypass script-src",
        ],
    ),
    (
        "script-src 'self'; object-src https://*.googleapis.com",
        [
            "low allowlist-bypass script-src",
            "high allowlist-bypass object-src",
        ],
    ),
    (
        "script-src 'self'; object-src 'self' data:",
        [
            "high plain-url-scheme object-src",
            "low allowlist-bypass script-src",
            "low allowlist-bypass object-src",
            "low allowlist-bypass object-src",
        ],
    ),
    (
        "script-src 'self'; object-src vk.com; plugin-types application/pdf",
        [
            "low allowlist-bypass script-src",
        ],
    ),
    (
        "script-src 'self'; object-src vk.com; plugin-types application/x-shockwave-flash",
        [
            "low allowlist-bypass script-src",
            "high allowlist-bypass object-src",
        ],
    ),
    (
        "default-src vk.com",
        [
            "low allowlist-bypass default-src",
            "high allowlist-bypass default-src",
        ],
    ),
    (
        "script-src 'self'; default-src https://*.googleapis.com",
        [
            "low allowlist-bypass script-src",
            "high allowlist-bypass default-src",
        ],
    ),
    (
        "object-src 'none'; script-src * http://* //*",
        [
            "high wildcard script-src",
            "high wildcard script-src",
            "high wildcard script-src",
            "medium http-source script-src",
        ],
    ),
    (
        "base-uri *; script-src 'none'; object-src 'none'",
        [
            "high wildcard base-uri",
        ],
    ),
    (
        "base-uri https:; script-src 'none'; object-src 'none'",
        [
            "high plain-url-scheme base-uri",
        ],
    ),
    (
        "script-src 8.8.8.8 //127.0.0.1 https://[::1] 127.0.0.1:8080; object-src 'none'",
        [
            "low allowlist-bypass script-src",
            "low allowlist-bypass script-src",
            "low allowlist-bypass script-src",
            "info ip-source script-src",
            "info ip-source script-src",
            "info ip-source script-src",
            "info ip-source script-src",
        ],
    ),
    (
        "script-src 'nonce-short'; object-src 'none'; base-uri 'none'",
        [
            "medium nonce-length script-src",
        ],
    ),
    (
        "script-src 'nonce-***notBase64***'; object-src 'none'; base-uri 'none'",
        [
            "info nonce-charset script-src",
            "syntax invalid-keyword script-src",
        ],
    ),
    (
        (
            "script-src http://foo.bar https://test.com; report-uri http://test.com; "
            "object-src 'none'"
        ),
        [
            "low allowlist-bypass script-src",
            "low allowlist-bypass script-src",
            "medium http-source script-src",
            "medium http-source report-uri",
        ],
    ),
    (
        (
            "reflected-xss block; referrer origin; disown-opener; prefetch-src 'self'; "
            "script-src 'none'; object-src 'none'"
        ),
        [
            "info deprecated-directive reflected-xss",
            "info deprecated-directive referrer",
            "info deprecated-directive disown-opener",
            "info deprecated-directive prefetch-src",
            "syntax invalid-keyword reflected-xss",
        ],
    ),
    (
        "foobar-src http:; script-src 'none'; object-src 'none'",
        [
            "syntax unknown-directive foobar-src",
        ],
    ),
    (
        "script-src: 'self'; object-src 'none'",
        [
            "high missing-directive script-src",
            "syntax unknown-directive script-src:",
        ],
    ),
    (
        "default-src foo.bar script-src 'none'",
        [
            "syntax missing-semicolon default-src",
        ],
    ),
    (
        (
            "script-src strict-dynamic nonce-test sha256-asdf 'foo-bar' 'nonce-invalid$' "
            "'sha256-invalid$'; "
            "object-src 'none'"
        ),
        [
            "info nonce-charset script-src",
            "syntax invalid-keyword script-src",
            "syntax invalid-keyword script-src",
            "syntax invalid-keyword script-src",
            "syntax invalid-keyword script-src",
            "syntax invalid-keyword script-src",
            "syntax invalid-keyword script-src",
        ],
    ),
    (
        (
            "require-trusted-types-for 'script'; "
            "trusted-types 'allow-duplicates' policy1 'none' 'self'; script-src 'none'; "
            "object-src 'none'"
        ),
        [
            "syntax invalid-keyword trusted-types",
        ],
    ),
    (
        "upgrade-insecure-requests",
        [
            "high missing-directive object-src",
            "high missing-directive script-src",
        ],
    ),
    (
        "",
        [
            "high missing-directive object-src",
            "high missing-directive script-src",
        ],
    ),
    (
        "object-src; script-src 'none'",
        [
            "high missing-directive object-src",
        ],
    ),
    (
        "default-src; script-src 'self'",
        [
            "high missing-directive object-src",
            "low allowlist-bypass script-src",
        ],
    ),
    (
        "SCRIPT-SRC 'SELF' 'UNSAFE-INLINE' HTTPS:; OBJECT-SRC 'NONE'",
        [
            "high unsafe-inline script-src",
            "high plain-url-scheme script-src",
            "low allowlist-bypass script-src",
        ],
    ),
    (
        "script-src 'self'; script-src 'unsafe-inline'; object-src 'none'",
        [
            "low allowlist-bypass script-src",
        ],
    ),
    (
        "frame-ancestors 'none'",
        [
            "high missing-directive object-src",
            "high missing-directive script-src",
        ],
    ),
    (
        "style-src 'unsafe-inline'; script-src 'none'; object-src 'none'",
        [],
    ),
    (
        "script-src 'wasm-unsafe-eval' 'report-sample' 'self'; object-src 'none'",
        [
            "low allowlist-bypass script-src",
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), GOLDEN)
def test_findings_match_csp_evaluator(text: str, expected: list[str]) -> None:
    assert summary(text) == expected


# -- the effective policy ---------------------------------------------------------------------


def test_strict_dynamic_drops_hosts_schemes_self_and_unsafe_inline() -> None:
    text = (
        "default-src 'unsafe-inline' 'strict-dynamic' 'nonce-123' 'sha256-foobar' 'self'; "
        "report-to foo.bar; worker-src *; script-src-attr 'self'; style-src-elem 'self'"
    )
    effective = effective_csp(parse_policy(text).directives)
    assert effective["default-src"] == ["'strict-dynamic'", "'nonce-123'", "'sha256-foobar'"]
    assert effective["report-to"] == ["foo.bar"]
    assert effective["worker-src"] == ["*"]
    assert effective["script-src-attr"] == ["'self'"]  # no strict-dynamic of its own
    assert effective["style-src-elem"] == ["'self'"]


def test_hosts_beside_strict_dynamic_are_not_judged() -> None:
    text = (
        "script-src 'nonce-abcdefghij' 'strict-dynamic' https: http://a.test www.google.com "
        "'self' 8.8.8.8 nonce-bare; object-src 'none'; base-uri 'none'"
    )
    assert summary(text) == []
    without = text.replace("'strict-dynamic' ", "")
    assert "high plain-url-scheme script-src" in summary(without)
    assert "high allowlist-bypass script-src" in summary(without)
    assert "medium http-source script-src" in summary(without)


def test_unsafe_inline_beside_a_nonce_or_hash_is_ignored() -> None:
    base = "; object-src 'none'; base-uri 'none'"
    assert summary("script-src 'unsafe-inline' 'nonce-abcdefghij'" + base) == []
    assert summary("script-src 'unsafe-inline' 'sha256-abcdefghij='" + base) == []
    # A nonce or hash that is not base64 does not count: browsers keep 'unsafe-inline'.
    assert summary("script-src 'unsafe-inline' 'nonce-invalid$'" + base)[0] == (
        "high unsafe-inline script-src"
    )
    assert summary("script-src 'unsafe-inline' 'sha256-invalid$'" + base)[0] == (
        "high unsafe-inline script-src"
    )


def test_a_nonce_in_script_src_does_not_excuse_unsafe_inline_in_script_src_elem() -> None:
    text = "script-src 'nonce-aaaaaaaaaa' 'strict-dynamic'; script-src-elem 'unsafe-inline'"
    effective = effective_csp(parse_policy(text).directives)
    assert effective["script-src-elem"] == ["'unsafe-inline'"]
    assert run(checks.check_script_unsafe_inline, "script-src-elem 'unsafe-inline'")[
        0
    ].severity == ("high")
    assert "high unsafe-inline script-src-elem" in summary(text)


@pytest.mark.parametrize(
    ("text", "asked", "applied"),
    [
        ("default-src https:; script-src foo.bar", "script-src", "script-src"),
        ("default-src https:; script-src foo.bar", "style-src", "default-src"),
        ("default-src https:; script-src foo.bar", "script-src-elem", "script-src"),
        ("default-src https:; style-src-elem foo.bar", "style-src-attr", "default-src"),
        ("style-src a.test", "style-src-elem", "style-src"),
        ("script-src a.test", "base-uri", "base-uri"),  # not a fetch directive: no fallback
        ("script-src a.test", "frame-ancestors", "frame-ancestors"),
    ],
)
def test_effective_directive_falls_back_as_browsers_do(text: str, asked: str, applied: str) -> None:
    assert effective_directive(parse_policy(text).directives, asked) == applied


def test_default_src_stands_in_for_script_src_and_object_src() -> None:
    found = summary("default-src 'unsafe-inline' 'unsafe-eval' data: *")
    assert found[:4] == [
        "high unsafe-inline default-src",
        "low unsafe-eval default-src",
        "high plain-url-scheme default-src",
        "high wildcard default-src",
    ]
    assert not any("missing-directive" in f for f in found)
    # A directive of its own takes over: default-src's weakness no longer matters for scripts.
    assert summary("default-src 'unsafe-inline'; script-src 'none'; object-src 'none'") == []


# -- ported from csp-evaluator's security_checks_test and parser_checks_test ---------------

INLINE = checks.check_script_unsafe_inline
EVAL = checks.check_script_unsafe_eval
SCHEMES = checks.check_plain_url_schemes
WILDCARDS = checks.check_wildcards
MISSING = checks.check_missing_directives
BYPASS = checks.check_script_allowlist_bypass
FLASH = checks.check_flash_object_allowlist_bypass
IP = checks.check_ip_source
DEPRECATED = checks.check_deprecated_directive
NONCE = checks.check_nonce_length
HTTP = checks.check_src_http
UNKNOWN = checks.check_unknown_directive
SEMICOLON = checks.check_missing_semicolon
KEYWORD = checks.check_invalid_keyword


@pytest.mark.parametrize(
    ("check", "text", "count", "severity"),
    [
        (
            INLINE,
            ("default-src https:; script-src 'unsafe-inline'; script-src-elem 'unsafe-inline';"),
            2,
            "high",
        ),
        (INLINE, "default-src 'unsafe-inline'", 1, "high"),
        (INLINE, ("script-src 'unsafe-hashes' 'sha256-1DCfk1NYWuHMfoobarfoobar='"), 1, "low"),
        (
            INLINE,
            (
                "default-src 'unsafe-inline'; script-src https:; script-src-attr https:; "
                "script-src-elem https:"
            ),
            0,
            None,
        ),
        (
            EVAL,
            (
                "default-src https:; script-src 'unsafe-eval'; script-src-attr 'unsafe-eval'; "
                "script-src-elem 'unsafe-eval';"
            ),
            3,
            "low",
        ),
        (EVAL, "default-src 'unsafe-eval'", 1, "low"),
        (SCHEMES, "script-src data: http: https: sthInvalid:", 3, "high"),
        (SCHEMES, "object-src data: http: https: sthInvalid:", 3, "high"),
        (SCHEMES, "base-uri data: http: https: sthInvalid:", 3, "high"),
        (
            SCHEMES,
            ("default-src https:; object-src 'none'; script-src 'none'; base-uri 'none'"),
            0,
            None,
        ),
        (
            WILDCARDS,
            (
                "script-src * http://* //*; script-src-attr * http://* //*; "
                "script-src-elem * http://* //*"
            ),
            9,
            "high",
        ),
        (WILDCARDS, "object-src * http://* //*", 3, "high"),
        (WILDCARDS, "base-uri * http://* //*", 3, "high"),
        (
            WILDCARDS,
            ("default-src *; object-src *.foo.bar; script-src 'none'; base-uri 'none'"),
            0,
            None,
        ),
        (MISSING, "script-src 'none'", 1, "high"),
        (MISSING, "object-src 'none'", 1, "high"),
        (MISSING, "object-src 'self'", 1, "high"),
        (MISSING, "script-src 'nonce-123'; object-src 'none'", 1, "high"),
        (MISSING, ("script-src 'sha256-123456' 'strict-dynamic'; object-src 'none'"), 1, "high"),
        (MISSING, "script-src 'sha256-123456'; object-src 'none'", 0, None),
        (MISSING, "script-src 'none'; object-src 'none'", 0, None),
        (MISSING, "default-src https:;", 0, None),
        (MISSING, "default-src 'none';", 0, None),
        (BYPASS, "script-src *.google.com", 1, "high"),
        (BYPASS, ("script-src *.google.com 'none'; script-src-elem *.google.com 'none'"), 0, None),
        (
            BYPASS,
            (
                "script-src https://googletagmanager.com 'unsafe-eval'; "
                "script-src-elem https://googletagmanager.com 'unsafe-eval'"
            ),
            2,
            "high",
        ),
        (
            BYPASS,
            (
                "script-src https://googletagmanager.com; "
                "script-src-elem https://googletagmanager.com;"
            ),
            2,
            "low",
        ),
        (BYPASS, ("script-src gstatic.com; script-src-elem gstatic.com"), 2, "high"),
        (BYPASS, "script-src foo.bar; script-src-elem foo.bar", 2, "low"),
        (BYPASS, ("script-src 'self'; script-src-attr 'self'; script-src-elem 'self'"), 2, "low"),
        (FLASH, "object-src https://*.googleapis.com", 1, "high"),
        (FLASH, "object-src https://foo.bar", 1, "low"),
        (FLASH, "object-src 'self'", 1, "low"),
        (IP, ("script-src 8.8.8.8; font-src //127.0.0.1 https://[::1] not.an.ip"), 3, "info"),
        (DEPRECATED, "report-uri foo.bar/csp;report-to abc", 0, None),
        (DEPRECATED, "report-to abc", 0, None),
        (DEPRECATED, "reflected-xss block", 1, "info"),
        (DEPRECATED, "referrer origin", 1, "info"),
        (DEPRECATED, "prefetch-src test", 1, "info"),
        (DEPRECATED, "disown-opener", 1, "info"),
        (NONCE, "script-src 'nonce-veryLongRandomNonce'", 0, None),
        (NONCE, "script-src 'nonce-short'", 1, "medium"),
        (NONCE, "script-src 'nonce-***notBase64***'", 1, "info"),
        (
            HTTP,
            ("script-src http://foo.bar https://test.com; report-uri http://test.com"),
            2,
            "medium",
        ),
        (UNKNOWN, "foobar-src http:", 1, "syntax"),
        (SEMICOLON, "default-src foo.bar script-src 'none'", 1, "syntax"),
        (KEYWORD, "script-src strict-dynamic nonce-test sha256-asdf", 3, "syntax"),
        (KEYWORD, "script-src 'foo-bar'", 1, "syntax"),
        (KEYWORD, "script-src 'nonce-invalid$'", 1, "syntax"),
        (KEYWORD, "script-src 'sha256-invalid$'", 1, "syntax"),
        (KEYWORD, "require-trusted-types-for 'script'", 0, None),
        (KEYWORD, "trusted-types 'allow-duplicates' policy1", 0, None),
    ],
)
def test_ported_check_cases(check: Check, text: str, count: int, severity: str | None) -> None:
    found = run(check, text)
    assert len(found) == count
    assert all(f.severity == severity for f in found)


def test_the_directive_blamed_is_the_one_that_applies() -> None:
    found = run(checks.check_plain_url_schemes, "default-src https:; object-src data: sthInvalid:")
    assert [f.directive for f in found] == ["default-src", "object-src"]
    found = run(checks.check_wildcards, "default-src *; object-src * ignore.me.com")
    assert [f.directive for f in found] == ["default-src", "object-src"]
    found = run(checks.check_unknown_directive, "foobar-src http:")
    assert [f.directive for f in found] == ["foobar-src"]


def test_bypass_messages_name_the_host_and_what_it_serves() -> None:
    (jsonp,) = run(checks.check_script_allowlist_bypass, "script-src *.google.com")
    assert "www.google.com" in jsonp.message and "JSONP" in jsonp.message
    found = run(checks.check_script_allowlist_bypass, "script-src gstatic.com")
    assert "gstatic.com" in found[0].message and "AngularJS" in found[0].message
    (both,) = run(checks.check_script_allowlist_bypass, "script-src www.googleadservices.com")
    assert "JSONP endpoints and AngularJS" not in both.message  # its JSONP needs eval
    (both,) = run(
        checks.check_script_allowlist_bypass, "script-src www.googleadservices.com 'unsafe-eval'"
    )
    assert "JSONP endpoints and AngularJS" in both.message
    (flash,) = run(checks.check_flash_object_allowlist_bypass, "object-src 'self'")
    assert "'none'" in flash.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("object-src 'none'; plugin-types application/pdf", []),
        ("object-src vk.com; plugin-types application/pdf", []),  # no Flash: no Flash bypass
        ("object-src vk.com; plugin-types application/x-shockwave-flash", ["high"]),
        ("object-src vk.com 'none'", []),
        ("default-src vk.com", ["high"]),
        ("default-src foo.bar", []),  # the "restrict to 'none'" advice is for object-src only
    ],
)
def test_flash_bypass_cases(text: str, expected: list[str]) -> None:
    found = run(checks.check_flash_object_allowlist_bypass, text)
    assert [f.severity for f in found] == expected


@pytest.mark.parametrize(
    ("source", "host"),
    [
        ("https://www.google.com", "www.google.com"),
        ("https://www.google.com:8080", "www.google.com"),
        ("https://www.google.com:*", "www.google.com"),
        ("www.google.com", "www.google.com"),
        ("//www.google.com", "www.google.com"),
        ("//*.google.com", "*.google.com"),
        ("//*.google.com/any/path", "*.google.com"),
        ("*", "*"),
        ("https://*", "*"),
        ("unsafe-inline", "unsafe-inline"),
        ("1.2.3.4", "1.2.3.4"),
        ("[::1]", "[::1]"),
        ("https://1.2.3.4", "1.2.3.4"),
        ("http://[::1]", "[::1]"),
        ("//1.2.3.4", "1.2.3.4"),
        ("//[::1]", "[::1]"),
        # What a browser's URL parser makes of them, as csp-evaluator relies on it.
        ("127.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("https://user@8.8.4.4/x", "8.8.4.4"),
        ("WWW.Example.COM", "www.example.com"),
        ("example.1", None),
        ("ex^ample.com", None),
        ("http://", None),
        ("a:b:c", None),
    ],
)
def test_source_hostname(source: str, host: str | None) -> None:
    assert source_hostname(source) == host


def test_localhost_and_other_ip_addresses_get_different_words() -> None:
    found = run(checks.check_ip_source, "script-src 8.8.8.8 //127.0.0.1")
    assert "8.8.8.8" in found[0].message
    assert "localhost" in found[1].message


# -- policies as a page sends them ----------------------------------------------------------


def test_report_only_policies_are_judged_and_say_so() -> None:
    findings = policy_findings(parse_header("script-src 'unsafe-inline'", "report-only"))
    assert [(f.check, f.directive) for f in findings] == [
        ("unsafe-inline", "script-src"),
        ("missing-directive", "object-src"),
    ]
    assert all("report-only" in f.message.lower() for f in findings)
    assert all("not enforced" in f.message for f in findings)


def test_meta_policies_are_judged_and_say_where_they_come_from() -> None:
    (finding,) = policy_findings([parse_policy("script-src 'self'; object-src 'none'", "meta")])
    assert finding.check == "allowlist-bypass" and finding.severity == "low"
    assert "<meta>" in finding.message


def test_each_of_several_policies_is_judged_on_its_own() -> None:
    policies = parse_header("script-src 'none', object-src 'none'")
    assert [p.directives for p in policies] == [
        {"script-src": ("'none'",)},
        {"object-src": ("'none'",)},
    ]
    findings = policy_findings(policies)
    assert [(f.check, f.directive) for f in findings] == [
        ("missing-directive", "object-src"),
        ("missing-directive", "script-src"),
    ]
    assert findings[0].message.startswith("Header policy 1 of 2: ")
    assert findings[1].message.startswith("Header policy 2 of 2: ")


def test_a_single_header_policy_has_no_prefix() -> None:
    (finding,) = policy_findings(parse_header("script-src 'unsafe-inline'; object-src 'none'"))
    assert finding.message.startswith("script-src allows 'unsafe-inline': ")


def test_a_hand_made_policy_is_judged_like_a_parsed_one() -> None:
    made = Policy("header", {"script-src": ("'unsafe-inline'",), "object-src": ("'none'",)})
    assert evaluate_policy(made) == evaluate_policy(
        parse_policy("script-src 'unsafe-inline'; object-src 'none'")
    )


def test_parts_a_browser_drops_are_judged_as_csp_evaluator_judges_them() -> None:
    assert summary("script-src: http://a.test unsafe-inline; object-src 'none'") == [
        "high missing-directive script-src",
        "medium http-source script-src:",
        "syntax unknown-directive script-src:",
        "syntax invalid-keyword script-src:",
    ]


def test_nonce_values_stay_out_of_messages() -> None:
    # Nonces change on every response; a message quoting one would read as new each time.
    first = policy_findings(parse_header("script-src 'nonce-abc' nonce-x$y 'nonce-a$b'"))
    second = policy_findings(parse_header("script-src 'nonce-xyz' nonce-p$q 'nonce-c$d'"))
    assert first == second
    assert all("abc" not in f.message for f in first)


def test_findings_are_in_a_stable_order() -> None:
    text = "default-src * 'unsafe-inline'; script-src-elem http: 'self'; referrer x"
    assert policy_findings(parse_header(text)) == policy_findings(parse_header(text))


def test_every_check_name_and_severity_is_one_we_promise() -> None:
    names = {
        "missing-directive", "unsafe-inline", "unsafe-eval", "unsafe-hashes",
        "plain-url-scheme", "wildcard", "allowlist-bypass", "nonce-length", "nonce-charset",
        "http-source", "ip-source", "deprecated-directive", "unknown-directive",
        "invalid-keyword", "missing-semicolon",
    }  # fmt: skip
    found = [f for text, _ in GOLDEN for f in policy_findings([parse_policy(text)])]
    assert {f.check for f in found} == names
    assert {f.severity for f in found} <= {"high", "medium", "low", "info", "syntax"}


def test_a_huge_source_is_cut_short_in_the_message() -> None:
    (finding,) = run(checks.check_src_http, "script-src http://" + "a" * 5000)
    assert len(finding.message) < 400
