"""Capturing a response's security headers, cookie flags and HSTS policy."""

from __future__ import annotations

import json

import pytest

from desktop_tracker.kinds.headers.response_headers import (
    MAX_AGE_CAP,
    MAX_COOKIES,
    MAX_VALUE_CHARS,
    SECURITY_HEADERS,
    CookieFlags,
    Hsts,
    cookie_flags,
    parse_hsts,
    security_headers,
)

INVALID = Hsts(None, False, False, False)


# --- security_headers ---------------------------------------------------------------------


def test_security_headers_keep_only_the_known_ones_in_their_order_with_lower_case_names():
    headers = [
        ("Referrer-Policy", "no-referrer"),
        ("Content-Type", "text/html"),
        ("STRICT-TRANSPORT-SECURITY", "  max-age=300 "),
        ("x-frame-options", "DENY"),
    ]
    assert list(security_headers(headers).items()) == [
        ("strict-transport-security", "max-age=300"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ]


def test_a_header_sent_several_times_is_joined_with_comma_space_leaving_out_empty_ones():
    headers = [
        ("X-Frame-Options", "SAMEORIGIN"),
        ("Referrer-Policy", ""),
        ("x-frame-options", " DENY "),
        ("X-Frame-Options", "   "),
        ("Referrer-Policy", "unsafe-url"),
    ]
    assert security_headers(headers) == {
        "x-frame-options": "SAMEORIGIN, DENY",
        "referrer-policy": "unsafe-url",
    }


def test_a_header_sent_empty_is_there_with_an_empty_value():
    assert security_headers([("Strict-Transport-Security", " ")]) == {
        "strict-transport-security": ""
    }


def test_extra_headers_in_any_case_come_after_the_known_ones_in_the_order_given():
    headers = [("X-B", "2"), ("x-a", "1"), ("X-Frame-Options", "DENY"), ("X-C", "3")]
    found = security_headers(headers, extra=["X-A", "x-b", "X-Missing", "x-a"])
    assert list(found.items()) == [("x-frame-options", "DENY"), ("x-a", "1"), ("x-b", "2")]


def test_set_cookie_is_never_included_even_when_asked_for():
    headers = [("Set-Cookie", "session=s3cret"), ("set-cookie", "b=c")]
    assert security_headers(headers, extra=["Set-Cookie", "set-cookie"]) == {}


def test_every_security_header_is_captured():
    headers = [(name.upper(), f"v-{name}") for name in SECURITY_HEADERS]
    assert security_headers(headers) == {name: f"v-{name}" for name in SECURITY_HEADERS}


def test_huge_values_are_cut_and_floods_of_repeats_cost_nothing():
    found = security_headers([("Permissions-Policy", "a" * (MAX_VALUE_CHARS * 3))])
    assert len(found["permissions-policy"]) == MAX_VALUE_CHARS
    flood = [("X-Frame-Options", "DENY")] * 200_000
    assert len(security_headers(flood)["x-frame-options"]) == MAX_VALUE_CHARS


def test_bad_pairs_are_skipped_not_raised_on():
    headers = [
        ("X-Frame-Options",),
        (None, "x"),
        ("Referrer-Policy", b"x"),
        ["X-Content-Type-Options", "nosniff"],
    ]
    found = security_headers(headers, extra=[None, ""])  # type: ignore[arg-type, list-item]
    assert found == {"x-content-type-options": "nosniff"}


# --- cookie_flags -------------------------------------------------------------------------


def flags_of(line: str) -> list[tuple[str, bool, bool, str | None]]:
    return [
        (c.name, c.secure, c.httponly, c.samesite) for c in cookie_flags([("Set-Cookie", line)])
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # The Observatory's cookie strings.
        (
            "SESSIONID=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly",
            ("SESSIONID", True, True, None),
        ),
        ("foo=bar; Domain=mozilla.org; Secure; Path=/", ("foo", True, False, None)),
        (
            "heroku-session-affinity=bar; Domain=mozilla.org; Path=/",
            ("heroku-session-affinity", False, False, None),
        ),
        ("S=bar; Path=/; Secure; HttpOnly; SameSite=Strict", ("S", True, True, "Strict")),
        ("S=bar; Path=/; Secure; HttpOnly; SameSite=Lax", ("S", True, True, "Lax")),
        ("S=bar; Path=/; Secure; HttpOnly; SameSite=None", ("S", True, True, "None")),
        ("S=bar; Secure; HttpOnly; SameSite=", ("S", True, True, None)),
        ("S=bar; Secure; HttpOnly; SameSite=True", ("S", True, True, None)),
        ("S=bar; Secure; HttpOnly; SameSite=Invalid", ("S", True, True, None)),
        # Attribute names and SameSite values are case-insensitive, spaces around them trimmed.
        ("a=b;SECURE;httponly;samesite=lAX", ("a", True, True, "Lax")),
        ("a=b ;  Secure  ; HttpOnly ;SameSite = strict ", ("a", True, True, "Strict")),
        # Secure and HttpOnly with a value still count; the last SameSite wins, unknown is none.
        ("a=b; Secure=no; HttpOnly=0", ("a", True, True, None)),
        ("a=b; SameSite=Strict; SameSite=None", ("a", False, False, "None")),
        ("a=b; SameSite=Lax; SameSite=bogus", ("a", False, False, None)),
        # Flag names inside the value or in other attributes' values are not flags.
        ("a=Secure; Path=/HttpOnly; Comment=SameSite=Lax", ("a", False, False, None)),
        # No "=" in the first part: the cookie with the empty name (RFC 6265bis).
        ("justavalue; Secure", ("", True, False, None)),
        ("=value; HttpOnly", ("", False, True, None)),
        ("name=; Secure", ("name", True, False, None)),
        ("  spaced name  = v", ("spaced name", False, False, None)),
        ("a=b\tc; Secure", ("a", True, False, None)),  # a tab is allowed
        ("a=b; Secure; SameSite=" + "x" * 2000, ("a", True, False, None)),  # too long: ignored
    ],
)
def test_cookie_flags_are_read_as_browsers_read_them(line, expected):
    assert flags_of(line) == [expected]


@pytest.mark.parametrize(
    "line",
    [
        "",
        "=",
        " ; Secure",
        "a=b\x00c; Secure",  # control characters: ignored entirely
        "a=b\nSet-Cookie: c=d",
        "a=b\x7f",
        "a=" + "v" * 4096,  # name and value over 4096 characters
    ],
)
def test_set_cookies_browsers_ignore_are_left_out(line):
    assert flags_of(line) == []


def test_name_and_value_of_exactly_4096_characters_are_kept():
    assert flags_of("ab=" + "v" * 4094) == [("ab", False, False, None)]


def test_the_last_cookie_of_a_name_wins_and_cookies_are_sorted_by_name():
    headers = [
        ("Set-Cookie", "zeta=1; Secure"),
        ("Content-Type", "text/html"),
        ("set-cookie", "alpha=1"),
        ("SET-COOKIE", "zeta=2; HttpOnly"),
    ]
    assert cookie_flags(headers) == [
        CookieFlags("alpha", False, False, None),
        CookieFlags("zeta", False, True, None),
    ]


@pytest.mark.parametrize(
    "deleting",
    [
        "sid=; Max-Age=0",
        "sid=x; max-age=-1",
        "sid=x; Max-Age=000",
        "sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        "sid=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Path=/",
        "sid=; Expires=Sat, 01 Jan 2000 00:00:00 GMT; Max-Age=-5",
        "sid=; Expires=Fri, 31 Dec 1999 23:59:59 GMT",
        "sid=; Expires=Thu, 01 Jan 70 00:00:00 GMT",  # two-digit years: 70-99 are 19xx
    ],
)
def test_a_set_cookie_that_deletes_removes_the_cookie(deleting):
    headers = [
        ("Set-Cookie", "sid=abc; Secure"),
        ("Set-Cookie", "other=1"),
        ("Set-Cookie", deleting),
    ]
    assert [c.name for c in cookie_flags(headers)] == ["other"]


@pytest.mark.parametrize(
    "kept",
    [
        "sid=x; Max-Age=3600",
        "sid=x; Expires=Wed, 09 Jun 2038 10:18:14 GMT",
        "sid=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60",  # Max-Age wins
        "sid=x; Max-Age=0; Max-Age=60",  # the last valid one counts
        "sid=x; Max-Age=soon",  # invalid: ignored, a session cookie
        "sid=x; Max-Age=",
        "sid=x; Expires=yesterday",
        "sid=x; Expires=Thu, 01 Jan 1970",  # no time: not a date
        "sid=x; Expires=Thu, 32 Jan 1970 00:00:00 GMT",
        "sid=x; Expires=Thu, 01 Jan 1970 24:00:00 GMT",
        "sid=x; Expires=Thu, 01 Jan 1600 00:00:00 GMT",  # before 1601: not a date
        "sid=x; Expires=Thu, 01 Jan 69 00:00:00 GMT",  # 2069
    ],
)
def test_a_set_cookie_that_does_not_delete_keeps_the_cookie(kept):
    assert [c.name for c in cookie_flags([("Set-Cookie", kept)])] == ["sid"]


def test_a_deleted_cookie_set_again_later_in_the_response_is_there():
    headers = [("Set-Cookie", "sid=; Max-Age=0"), ("Set-Cookie", "sid=new; HttpOnly")]
    assert cookie_flags(headers) == [CookieFlags("sid", False, True, None)]


SECRET = "s3cr3t-V4lue-that-must-never-show"


def test_the_cookie_value_appears_in_no_output_repr_or_json():
    headers = [
        ("Set-Cookie", f"session={SECRET}; Secure; HttpOnly; SameSite=Lax"),
        ("Set-Cookie", f"{SECRET}; Secure"),  # nameless: the whole first part is the value
        ("Set-Cookie", f"x={SECRET}; SameSite={SECRET}"),
    ]
    cookies = cookie_flags(headers)
    assert len(cookies) == 3
    shown = [repr(cookies), str(cookies), json.dumps([c.to_json() for c in cookies])]
    shown += [repr(c) for c in cookies] + [str(vars_of(c)) for c in cookies]
    assert all(SECRET not in text for text in shown)
    assert SECRET not in repr(security_headers(headers, extra=["set-cookie"]))


def vars_of(cookie: CookieFlags) -> dict[str, object]:
    return {name: getattr(cookie, name) for name in cookie.__slots__}


def test_cookie_flags_to_json():
    assert CookieFlags("a", True, False, "Lax").to_json() == {
        "name": "a",
        "secure": True,
        "httponly": False,
        "samesite": "Lax",
    }


def test_at_most_max_cookies_names_are_kept_but_known_names_still_update():
    headers = [("Set-Cookie", f"c{i:05d}=v") for i in range(MAX_COOKIES + 50)]
    headers.append(("Set-Cookie", "c00000=v; Secure"))
    cookies = cookie_flags(headers)
    assert len(cookies) == MAX_COOKIES
    assert cookies[0] == CookieFlags("c00000", True, False, None)


def test_cookie_flags_skip_bad_pairs():
    assert cookie_flags([("Set-Cookie",), ("Set-Cookie", None)]) == []  # type: ignore[list-item]


# --- parse_hsts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # The Observatory's cases.
        ("max-age=15768000; includeSubDomains; preload", Hsts(15_768_000, True, True, True)),
        ("max-age=86400", Hsts(86_400, False, False, True)),
        ("includeSubDomains; preload", INVALID),
        # Sent twice (joined with a comma): browsers read the first header only.
        (
            "max-age=15768000; includeSubDomains, max-age=300",
            Hsts(15_768_000, True, False, True),
        ),
        ("max-age=300, garbage", Hsts(300, False, False, True)),
        ('max-age=300, x="unclosed', Hsts(300, False, False, True)),
        ('max-age=300; x="a,b", max-age=1', Hsts(300, False, False, True)),
        (", max-age=300", INVALID),
        # Names are case-insensitive; whitespace and empty directives are allowed.
        ("MAX-AGE=31536000; INCLUDESUBDOMAINS; PRELOAD", Hsts(31_536_000, True, True, True)),
        ("  max-age = 300 ;; ; includeSubDomains ;", Hsts(300, True, False, True)),
        ("max-age=0", Hsts(0, False, False, True)),
        # Quoted values.
        ('max-age="31536000"', Hsts(31_536_000, False, False, True)),
        ('max-age="3153"6000', INVALID),
        ('max-age="31536000', INVALID),
        ('max-age=1; report="a;b, c"; includeSubDomains', Hsts(1, True, False, True)),
        ('max-age=1; x="a\\"; includeSubDomains"', Hsts(1, False, False, True)),
        ('max-age=1; x="a\\\\"; includeSubDomains', Hsts(1, True, False, True)),
        # max-age: required, once, ASCII digits only.
        ("", INVALID),
        ("   ", INVALID),
        ("max-age", INVALID),
        ("max-age=", INVALID),
        ("max-age=-1", INVALID),
        ("max-age=+1", INVALID),
        ("max-age=1.5", INVALID),
        ("max-age=1e6", INVALID),
        ("max-age=١٢٣", INVALID),
        ("max-age=1; max-age=2", INVALID),
        ("max-age=1; MAX-AGE=1", INVALID),
        # Every directive at most once; includeSubDomains without a value.
        ("max-age=1; includeSubDomains; includeSubDomains", INVALID),
        ("max-age=1; preload; preload", INVALID),
        ("max-age=1; includeSubDomains=yes", INVALID),
        ("max-age=1; includeSubDomains=", INVALID),
        # Unknown directives are ignored, but must be well-formed; preload with a value is not
        # the preload directive.
        ("max-age=1; foo=bar; baz", Hsts(1, False, False, True)),
        ("max-age=1; preload=yes", Hsts(1, False, False, True)),
        ("max-age=1; foo=a b", INVALID),
        ("max-age=1; fo o", INVALID),
        ("max-age=1; =x", INVALID),
        ("max age=1", INVALID),
    ],
)
def test_parse_hsts_follows_rfc_6797(value, expected):
    assert parse_hsts(value) == expected


def test_no_header_is_none():
    assert parse_hsts(None) is None


def test_huge_max_ages_are_clamped_and_leading_zeros_are_not_huge():
    assert parse_hsts("max-age=" + "9" * 4000) == Hsts(MAX_AGE_CAP, False, False, True)
    assert parse_hsts("max-age=9223372036854775808") == Hsts(MAX_AGE_CAP, False, False, True)
    assert parse_hsts("max-age=" + "0" * 3000 + "300") == Hsts(300, False, False, True)


def test_an_absurdly_long_hsts_header_is_invalid_but_a_long_second_copy_is_harmless():
    assert parse_hsts("max-age=1; " + "x; " * 2000) == INVALID
    assert parse_hsts("max-age=1, " + "x" * 100_000) == Hsts(1, False, False, True)


def test_parse_hsts_never_raises_on_garbage():
    for value in ['"', '\\"', ";;;", ",,,", "max-age=1;" * 5000, "\x00", 'a="\\']:
        assert isinstance(parse_hsts(value), Hsts)
    assert parse_hsts(b"max-age=1") == INVALID  # type: ignore[arg-type]
