"""Findings about security headers and cookies, after MDN's HTTP Observatory."""

from __future__ import annotations

import pytest

from desktop_tracker.kinds.base import Finding
from desktop_tracker.kinds.headers.header_checks import header_findings
from desktop_tracker.kinds.headers.response_headers import CookieFlags, cookie_flags

# A response with nothing to say about, so that each test sees only the finding it is about.
GOOD = {
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
}


def findings(
    headers: dict[str, str] | None = None,
    cookies: list[CookieFlags] | None = None,
    *,
    https: bool = True,
    frame_ancestors: bool = False,
    drop: tuple[str, ...] = (),
) -> list[Finding]:
    merged = {k: v for k, v in {**GOOD, **(headers or {})}.items() if k not in drop}
    return header_findings(merged, cookies or [], https=https, frame_ancestors=frame_ancestors)


def checks(found: list[Finding]) -> list[tuple[str, str]]:
    return [(f.check, f.severity) for f in found]


def test_a_good_response_has_no_findings():
    assert findings() == []


# --- HSTS ---------------------------------------------------------------------------------


def test_missing_hsts_over_https():
    [finding] = findings(drop=("strict-transport-security",))
    assert (finding.check, finding.severity) == ("hsts-missing", "medium")
    assert finding.directive == "strict-transport-security"
    assert "No Strict-Transport-Security" in finding.message


@pytest.mark.parametrize(
    "value",
    ["includeSubDomains; preload", "max-age=1; max-age=2", "max-age=abc", "", "max-age=-1"],
)
def test_an_invalid_hsts_header_is_missing_and_says_it_is_invalid(value):
    [finding] = findings({"strict-transport-security": value})
    assert (finding.check, finding.severity) == ("hsts-missing", "medium")
    assert "invalid" in finding.message and "browsers ignore it" in finding.message
    assert f"'{value}'" in finding.message


def test_max_age_zero_turns_hsts_off():
    [finding] = findings({"strict-transport-security": "max-age=0; includeSubDomains"})
    assert (finding.check, finding.severity) == ("hsts-missing", "medium")
    assert "max-age is 0" in finding.message


@pytest.mark.parametrize(
    ("max_age", "spelled"),
    [
        (1, "1 second"),
        (59, "59 seconds"),
        (60, "60 seconds (1 minute)"),
        (300, "300 seconds (5 minutes)"),
        (5400, "5400 seconds (1.5 hours)"),
        (86400, "86400 seconds (1 day)"),
        (15551999, "15551999 seconds (180 days)"),
    ],
)
def test_a_max_age_under_180_days_is_short(max_age, spelled):
    [finding] = findings({"strict-transport-security": f"max-age={max_age}"})
    assert (finding.check, finding.severity) == ("hsts-short", "low")
    assert finding.message.startswith(f"HSTS max-age is {spelled}: ")


def test_the_short_hsts_message_in_full():
    [finding] = findings({"strict-transport-security": "max-age=300"})
    assert finding.message == (
        "HSTS max-age is 300 seconds (5 minutes): browsers forget after that to insist on HTTPS; "
        "use at least 15552000 (180 days)"
    )


@pytest.mark.parametrize(
    "value",
    ["max-age=15552000", "max-age=15768000; includeSubDomains; preload", "max-age=" + "9" * 30],
)
def test_a_max_age_of_180_days_or_more_is_fine(value):
    assert [f for f in findings({"strict-transport-security": value}) if "hsts" in f.check] == []


@pytest.mark.parametrize("value", [None, "max-age=300", "garbage"])
def test_over_plain_http_nothing_is_said_about_hsts(value):
    headers = {} if value is None else {"strict-transport-security": value}
    drop = ("strict-transport-security",) if value is None else ()
    assert findings(headers, https=False, drop=drop) == []


# --- frame protection ---------------------------------------------------------------------


def test_no_frame_protection_at_all():
    [finding] = findings(drop=("x-frame-options",))
    assert (finding.check, finding.severity) == ("frame-protection-missing", "medium")
    assert finding.directive == "x-frame-options"
    assert "clickjacking" in finding.message


@pytest.mark.parametrize(
    "value",
    [
        "DENY",
        "SAMEORIGIN",
        "deny",
        " sameorigin ",
        # Sent twice: the HTML Standard reads the set of values; the Observatory calls it invalid.
        "SAMEORIGIN, SAMEORIGIN",
        # Conflicting values: browsers block all framing.
        "DENY, SAMEORIGIN",
        "SAMEORIGIN, ALLOWALL",
    ],
)
def test_x_frame_options_that_protect(value):
    assert findings({"x-frame-options": value}) == []


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("whimsy", "'whimsy' is neither DENY nor SAMEORIGIN"),
        ("", "'' is neither DENY nor SAMEORIGIN"),
        ("ALLOWALL", "'ALLOWALL' is neither"),
        ("whimsy, whimsy2", "'whimsy, whimsy2' is neither"),
        ("ALLOW-FROM https://mozilla.org", "ALLOW-FROM is ignored by today's browsers"),
        ("allow-from https://a.test", "ALLOW-FROM is ignored"),
    ],
)
def test_x_frame_options_that_do_not(value, words):
    [finding] = findings({"x-frame-options": value})
    assert (finding.check, finding.severity) == ("frame-protection-missing", "medium")
    assert words in finding.message


@pytest.mark.parametrize("value", [None, "whimsy", "ALLOW-FROM https://a.test"])
def test_csp_frame_ancestors_is_enough(value):
    headers = {} if value is None else {"x-frame-options": value}
    drop = ("x-frame-options",) if value is None else ()
    assert findings(headers, frame_ancestors=True, drop=drop) == []


# --- nosniff ------------------------------------------------------------------------------


def test_missing_nosniff():
    [finding] = findings(drop=("x-content-type-options",))
    assert (finding.check, finding.severity) == ("nosniff-missing", "low")
    assert finding.directive == "x-content-type-options"


@pytest.mark.parametrize("value", ["nosniff", "nosniff ", "NOSNIFF", "nosniff, nosniff"])
def test_nosniff_values_browsers_accept(value):
    assert findings({"x-content-type-options": value}) == []


@pytest.mark.parametrize("value", ["whimsy", "", "whimsy, nosniff", "no-sniff", "nosniff;"])
def test_nosniff_values_browsers_ignore(value):
    [finding] = findings({"x-content-type-options": value})
    assert (finding.check, finding.severity) == ("nosniff-missing", "low")
    assert f"is '{value}', not nosniff" in finding.message


# --- Referrer-Policy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        None,  # browsers default to strict-origin-when-cross-origin
        "no-referrer",
        "same-origin",
        "strict-origin",
        "STRICT-ORIGIN",
        "strict-origin-when-cross-origin",
        "whimsy",  # no valid token: the default applies
        "whimsy, whimsy1, whimsy2",
        "no-referrer, whimsy",  # the last valid token wins
        "unsafe-url, no-referrer",
    ],
)
def test_referrer_policies_that_are_safe(value):
    assert findings({} if value is None else {"referrer-policy": value}) == []


@pytest.mark.parametrize(
    ("value", "policy"),
    [
        ("unsafe-url", "unsafe-url"),
        ("UNSAFE-URL", "unsafe-url"),
        ("no-referrer-when-downgrade", "no-referrer-when-downgrade"),
        ("origin-when-cross-origin, no-referrer, unsafe-url", "unsafe-url"),
        ("no-referrer, unsafe-url", "unsafe-url"),
        ("unsafe-url, whimsy", "unsafe-url"),
    ],
)
def test_referrer_policies_that_leak_the_full_address(value, policy):
    [finding] = findings({"referrer-policy": value})
    assert (finding.check, finding.severity) == ("referrer-unsafe", "low")
    assert finding.directive == "referrer-policy"
    assert "full address of this page" in finding.message
    assert f"{policy} sends" in finding.message or f"{policy}, which sends" in finding.message


def test_a_list_of_referrer_policies_names_the_one_that_applies():
    [finding] = findings({"referrer-policy": "no-referrer, unsafe-url"})
    assert finding.message.startswith(
        "Referrer-Policy is 'no-referrer, unsafe-url'; browsers apply its last valid policy, "
        "unsafe-url, which sends the full address"
    )


@pytest.mark.parametrize("value", ["origin", "origin-when-cross-origin"])
def test_referrer_policies_that_leak_only_the_origin_are_info(value):
    [finding] = findings({"referrer-policy": value})
    assert (finding.check, finding.severity) == ("referrer-unsafe", "info")
    assert "origin even to plain-HTTP sites" in finding.message


# --- cookies ------------------------------------------------------------------------------


def cookie(line: str) -> CookieFlags:
    [flags] = cookie_flags([("Set-Cookie", line)])
    return flags


SHORT_HSTS = {"strict-transport-security": "max-age=300"}


@pytest.mark.parametrize(
    ("line", "headers", "https", "severity", "lacks"),
    [
        # The Observatory's cases.
        ("SESSIONID=bar; Path=/; Secure; HttpOnly", {}, True, "info", "SameSite"),
        ("foo=bar; Secure; Path=/", {}, True, "info", "HttpOnly and SameSite"),
        ("heroku-session-affinity=bar; Path=/", {}, True, "low", None),  # not a session
        ("CSRFTOKEN=bar; Path=/; Secure; HttpOnly", {}, True, "medium", "SameSite"),
        ("S=bar; Secure; HttpOnly; SameSite=Invalid", {}, True, "info", "SameSite"),
        ("foo=bar; Path=/", {}, True, "low", None),  # no Secure, but HSTS
        ("SESSIONID=bar; Path=/; HttpOnly; SameSite=Lax", {}, True, "low", "Secure"),
        ("foo=bar; Path=/; HttpOnly; SameSite=Lax", SHORT_HSTS, True, "medium", "Secure"),
        ("foo=bar; HttpOnly; SameSite=Lax", {}, False, "medium", "Secure"),  # over HTTP
        ("SESSIONID=bar; Path=/; Secure; SameSite=Lax", {}, True, "high", "HttpOnly"),
        ("SESSIONID=bar; HttpOnly; SameSite=Lax", SHORT_HSTS, True, "high", "Secure"),
        ("SESSIONID=bar; Path=/", {}, False, "high", "Secure, HttpOnly and SameSite"),
        ("user_login=1; Secure; SameSite=Strict", {}, True, "high", "HttpOnly"),
        # SameSite=None without Secure: browsers reject it, even where HSTS would forgive.
        ("tracker=1; HttpOnly; SameSite=None", {}, True, "medium", "Secure"),
    ],
)
def test_cookie_findings_follow_the_observatory(line, headers, https, severity, lacks):
    [finding] = [f for f in findings(headers, [cookie(line)], https=https) if "cookie" in f.check]
    assert (finding.check, finding.severity) == ("cookie-insecure", severity)
    assert finding.directive == "set-cookie"
    assert cookie(line).name in finding.message
    if lacks is not None:
        assert f"lacks {lacks}:" in finding.message


def test_a_cookie_with_every_flag_has_no_finding():
    for samesite in ("Strict", "Lax", "None"):
        line = f"SESSIONID=bar; Secure; HttpOnly; SameSite={samesite}"
        assert findings(cookies=[cookie(line)]) == []


def test_one_finding_per_cookie_in_the_order_given_after_the_header_findings():
    cookies = cookie_flags(
        [
            ("Set-Cookie", "b=1; Secure; HttpOnly"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "ok=1; Secure; HttpOnly; SameSite=Lax"),
        ]
    )
    found = findings(cookies=cookies, drop=("x-content-type-options",))
    assert [(f.check, f.message.split(" lacks")[0]) for f in found] == [
        ("nosniff-missing", found[0].message.split(" lacks")[0]),
        ("cookie-insecure", "Cookie a"),
        ("cookie-insecure", "Cookie b"),
    ]


def test_cookie_messages_say_what_each_missing_flag_means():
    [finding] = findings(cookies=[cookie("SESSIONID=bar")], https=False)
    assert finding.message.startswith(
        "Session cookie SESSIONID lacks Secure, HttpOnly and SameSite:"
    )
    assert "plain HTTP" in finding.message
    assert "scripts" in finding.message
    assert "cross-site request forgery" in finding.message
    [finding] = findings(cookies=[cookie("CsrfToken=1; Secure; HttpOnly")])
    assert finding.message.startswith("Anti-CSRF cookie CsrfToken lacks SameSite:")
    [finding] = findings(cookies=[cookie("x=1; HttpOnly; SameSite=None")])
    assert "reject a SameSite=None cookie without Secure" in finding.message


def test_the_nameless_cookie_is_named_so():
    [finding] = findings(cookies=[cookie("justavalue; Secure; HttpOnly")])
    assert finding.message.startswith("Cookie (no name) lacks SameSite")


def test_a_finding_never_shows_a_cookie_value():
    secret = "s3cr3t-V4lue"
    cookies = cookie_flags([("Set-Cookie", f"sess={secret}"), ("Set-Cookie", secret)])
    assert all(secret not in repr(f) for f in findings(cookies=cookies))


def test_every_check_at_once_in_a_fixed_order():
    headers = {"referrer-policy": "unsafe-url"}
    found = findings(headers, [cookie("sessid=1")], drop=tuple(GOOD))
    assert checks(found) == [
        ("hsts-missing", "medium"),
        ("frame-protection-missing", "medium"),
        ("nosniff-missing", "low"),
        ("referrer-unsafe", "low"),
        ("cookie-insecure", "high"),
    ]


def test_header_names_in_any_case_and_bad_entries_do_not_matter():
    headers = {"X-Frame-Options": "DENY", "Strict-Transport-Security": "max-age=31536000", 1: "x"}
    headers["X-Content-Type-Options"] = "nosniff"
    assert header_findings(headers, [], https=True, frame_ancestors=False) == []  # type: ignore[arg-type]
