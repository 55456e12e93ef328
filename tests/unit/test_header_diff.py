"""Header and cookie changes between two snapshots, in words."""

from __future__ import annotations

import pytest

from desktop_tracker.kinds.headers.header_diff import describe_header_changes
from desktop_tracker.kinds.headers.response_headers import CookieFlags

HSTS = "strict-transport-security"


def headers_diff(old: dict[str, str], new: dict[str, str]) -> list[str]:
    return describe_header_changes(old, new, [], [])


def cookies_diff(old: list[CookieFlags], new: list[CookieFlags]) -> list[str]:
    return describe_header_changes({}, {}, old, new)


def test_nothing_changed_says_nothing():
    headers = {HSTS: "max-age=300", "x-frame-options": "DENY", "x-custom": "a"}
    cookies = [CookieFlags("a", True, True, "Lax")]
    assert describe_header_changes(headers, dict(headers), cookies, list(cookies)) == []
    assert describe_header_changes({}, {}, [], []) == []


# --- HSTS ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "lines"),
    [
        ("max-age=31536000", "max-age=300", ["HSTS max-age lowered from 31536000 to 300"]),
        ("max-age=300", "max-age=31536000", ["HSTS max-age raised from 300 to 31536000"]),
        ("max-age=300; includeSubDomains", "max-age=300", ["HSTS lost includeSubDomains"]),
        ("max-age=300", "max-age=300; includeSubDomains", ["HSTS gained includeSubDomains"]),
        ("max-age=300; preload", "max-age=300", ["HSTS lost preload"]),
        ("max-age=300", "max-age=300; preload", ["HSTS gained preload"]),
        (
            "max-age=31536000; includeSubDomains; preload",
            "max-age=0",
            [
                "HSTS max-age lowered from 31536000 to 0",
                "HSTS lost includeSubDomains",
                "HSTS lost preload",
            ],
        ),
        # The same policy spelled otherwise is no change.
        ("max-age=300; includeSubDomains", "Max-Age=300;  includeSubDomains", []),
        # The same meaning but other text (quotes, an unknown directive): said as it is.
        (
            "max-age=300",
            'max-age="300"',
            ["Strict-Transport-Security changed from 'max-age=300' to 'max-age=\"300\"'"],
        ),
        (
            "max-age=300",
            "max-age=300; report-uri=x",
            ["Strict-Transport-Security changed from 'max-age=300' to 'max-age=300; report-uri=x'"],
        ),
        # Validity changes are said.
        (
            "max-age=300",
            "max-age=abc",
            [
                "Strict-Transport-Security changed from 'max-age=300' to 'max-age=abc', "
                "which is invalid: browsers ignore it"
            ],
        ),
        (
            "max-age=abc",
            "max-age=300",
            [
                "Strict-Transport-Security changed from 'max-age=abc' to 'max-age=300', "
                "which is valid"
            ],
        ),
        (
            "max-age=abc",
            "max-age=def",
            ["Strict-Transport-Security changed from 'max-age=abc' to 'max-age=def'"],
        ),
    ],
)
def test_hsts_changes(old, new, lines):
    assert headers_diff({HSTS: old}, {HSTS: new}) == lines


def test_hsts_added_and_removed():
    assert headers_diff({HSTS: "max-age=31536000"}, {}) == ["Strict-Transport-Security removed"]
    assert headers_diff({}, {HSTS: "max-age=300; includeSubDomains"}) == [
        "Strict-Transport-Security added: 'max-age=300; includeSubDomains'"
    ]


# --- other headers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "lines"),
    [
        (
            {"x-frame-options": "DENY"},
            {"x-frame-options": "SAMEORIGIN"},
            ["X-Frame-Options changed from DENY to SAMEORIGIN"],
        ),
        ({"x-frame-options": "DENY"}, {"x-frame-options": "deny"}, []),  # keywords: any case
        ({"referrer-policy": "a,b"}, {"referrer-policy": " A , b"}, []),
        ({}, {"referrer-policy": "no-referrer"}, ["Referrer-Policy added: no-referrer"]),
        (
            {},
            {"referrer-policy": "no-referrer, strict-origin"},
            ["Referrer-Policy added: no-referrer, strict-origin"],
        ),
        ({"referrer-policy": "no-referrer"}, {}, ["Referrer-Policy removed"]),
        (
            {"x-content-type-options": "nosniff"},
            {"x-content-type-options": "no sniff"},  # not a keyword: quoted
            ["X-Content-Type-Options changed from nosniff to 'no sniff'"],
        ),
        (
            {"cross-origin-opener-policy": "same-origin"},
            {"cross-origin-opener-policy": "unsafe-none"},
            ["Cross-Origin-Opener-Policy changed from same-origin to unsafe-none"],
        ),
        (
            {},
            {"cross-origin-embedder-policy": "require-corp"},
            ["Cross-Origin-Embedder-Policy added: require-corp"],
        ),
        (
            {"cross-origin-resource-policy": "same-site"},
            {},
            ["Cross-Origin-Resource-Policy removed"],
        ),
        (
            {"permissions-policy": "camera=()"},
            {"permissions-policy": "camera=(self)"},
            ["Permissions-Policy changed from 'camera=()' to 'camera=(self)'"],
        ),
        ({"x-custom": "a"}, {"x-custom": "b"}, ["X-Custom changed from 'a' to 'b'"]),
        ({"x-custom": "a"}, {"x-custom": "A"}, ["X-Custom changed from 'a' to 'A'"]),
        ({}, {"x-custom": ""}, ["X-Custom added: ''"]),
        ({"x-xss-protection": "0"}, {}, ["X-XSS-Protection removed"]),
        ({}, {"server": "nginx"}, ["Server added: 'nginx'"]),
        ({}, {"access-control-allow-origin": "*"}, ["Access-Control-Allow-Origin added: '*'"]),
    ],
)
def test_header_changes(old, new, lines):
    assert headers_diff(old, new) == lines


def test_long_values_are_quoted_short():
    old, new = "a" * 200, "b" * 200
    [line] = headers_diff({"x-custom": old}, {"x-custom": new})
    assert line == f"X-Custom changed from '{'a' * 79}…' to '{'b' * 79}…'"
    [line] = headers_diff({}, {"x-frame-options": "DENY" + ", DENY" * 30})
    assert line.startswith("X-Frame-Options added: 'DENY, DENY") and line.endswith("…'")


def test_csp_headers_and_set_cookie_are_left_out():
    old = {"content-security-policy": "default-src 'self'", "set-cookie": "a=secret"}
    new = {
        "content-security-policy": "default-src *",
        "content-security-policy-report-only": "script-src 'none'",
        "set-cookie": "a=other-secret",
    }
    assert headers_diff(old, new) == []


def test_lines_come_in_security_header_order_then_the_others_as_listed():
    old = {"x-old": "1", "referrer-policy": "no-referrer"}
    new = {"x-b": "1", "x-frame-options": "DENY", "x-a": "1", HSTS: "max-age=1"}
    assert headers_diff(old, new) == [
        "Strict-Transport-Security added: 'max-age=1'",
        "X-Frame-Options added: DENY",
        "Referrer-Policy removed",
        "X-B added: '1'",
        "X-A added: '1'",
        "X-Old removed",
    ]


def test_header_names_in_any_case_are_one_header():
    assert headers_diff({"X-Frame-Options": "DENY"}, {"x-frame-options": "DENY"}) == []


# --- cookies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "lines"),
    [
        (
            [CookieFlags("session", True, True, None)],
            [CookieFlags("session", True, False, None)],
            ["cookie session lost HttpOnly"],
        ),
        (
            [CookieFlags("session", False, True, None)],
            [CookieFlags("session", True, True, None)],
            ["cookie session gained Secure"],
        ),
        (
            [CookieFlags("s", True, True, None)],
            [CookieFlags("s", False, False, None)],
            ["cookie s lost Secure", "cookie s lost HttpOnly"],
        ),
        (
            [],
            [CookieFlags("tracker", True, True, "Lax")],
            ["cookie tracker added (Secure, HttpOnly, SameSite=Lax)"],
        ),
        ([], [CookieFlags("t", False, True, None)], ["cookie t added (HttpOnly)"]),
        (
            [],
            [CookieFlags("t", False, False, None)],
            ["cookie t added (no Secure, HttpOnly or SameSite)"],
        ),
        ([CookieFlags("old", True, True, "Strict")], [], ["cookie old removed"]),
        (
            [CookieFlags("x", True, True, "Strict")],
            [CookieFlags("x", True, True, "None")],
            ["cookie x SameSite changed from Strict to None"],
        ),
        (
            [CookieFlags("x", True, True, None)],
            [CookieFlags("x", True, True, "Lax")],
            ["cookie x gained SameSite=Lax"],
        ),
        (
            [CookieFlags("x", True, True, "Strict")],
            [CookieFlags("x", True, True, None)],
            ["cookie x lost SameSite=Strict"],
        ),
        ([], [CookieFlags("", True, False, None)], ["cookie (no name) added (Secure)"]),
        ([], [CookieFlags("a b", True, False, None)], ["cookie 'a b' added (Secure)"]),
    ],
)
def test_cookie_changes(old, new, lines):
    assert cookies_diff(old, new) == lines


def test_cookies_are_matched_by_name_and_said_in_name_order():
    old = [CookieFlags("b", True, True, None), CookieFlags("c", True, True, None)]
    new = [CookieFlags("c", True, False, None), CookieFlags("a", True, True, None)]
    assert cookies_diff(old, new) == [
        "cookie a added (Secure, HttpOnly)",
        "cookie b removed",
        "cookie c lost HttpOnly",
    ]


def test_header_lines_come_before_cookie_lines():
    lines = describe_header_changes(
        {}, {"x-frame-options": "DENY"}, [], [CookieFlags("a", True, True, None)]
    )
    assert lines == ["X-Frame-Options added: DENY", "cookie a added (Secure, HttpOnly)"]


def test_long_cookie_names_are_cut():
    [line] = cookies_diff([CookieFlags("n" * 300, True, True, None)], [])
    assert line == f"cookie {'n' * 79}… removed"


def test_bad_entries_are_skipped():
    lines = describe_header_changes(
        {1: "x"},  # type: ignore[dict-item]
        {"x-custom": None},  # type: ignore[dict-item]
        ["not a cookie"],  # type: ignore[list-item]
        [None],  # type: ignore[list-item]
    )
    assert lines == []
