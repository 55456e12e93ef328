"""What a response's security headers and cookies get wrong, as findings.

The checks and their weights follow MDN's HTTP Observatory; where browsers read a header
differently from it, what browsers do wins (noted at each check). A finding's severity comes from
the Observatory's score modifier for the same result:

    -30 or lower -> "high", -20 to -29 -> "medium", -5 to -19 -> "low", 0 -> "info".

Every finding's `directive` is the lower-case header it is about ("set-cookie" for cookies; the
message names the cookie).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from desktop_tracker.kinds.base import Finding, Severity
from desktop_tracker.kinds.headers.response_headers import (
    CookieFlags,
    Hsts,
    cookie_label,
    parse_hsts,
    quoted,
)

# The Observatory asks for six months, and accepts the 180 days many sites send for it.
SIX_MONTHS = 15_552_000

_WHITESPACE = " \t\n\f\r"
# Policies that send the page's full address (path and query) to other sites -> "low" (-5).
_LEAKS_URL = {
    "unsafe-url": "to every site it links to or loads from, even over plain HTTP",
    "no-referrer-when-downgrade": "to every other HTTPS site it links to or loads from",
}
# Policies the Observatory also calls unsafe; they send only the origin, which the default policy
# sends across sites too, and differ from it only towards plain-HTTP sites: "info".
_LEAKS_ORIGIN = {"origin", "origin-when-cross-origin"}
_REFERRER_POLICIES = {
    *_LEAKS_URL,
    *_LEAKS_ORIGIN,
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
# A load balancer's cookie, not a login: the Observatory leaves it out too.
_NOT_SESSIONS = {"heroku-session-affinity"}


def header_findings(
    headers: Mapping[str, str],
    cookies: Sequence[CookieFlags],
    *,
    https: bool,
    frame_ancestors: bool,
) -> list[Finding]:
    """The findings about a response's security headers and cookies, in a fixed order.

    `headers` is `security_headers()`' output, `https` whether the final URL is https, and
    `frame_ancestors` whether an enforced CSP has a frame-ancestors directive. Over plain HTTP
    nothing is said about HSTS: browsers ignore the header there, and the page not being on
    HTTPS at all is a bigger matter than any header.
    """
    found = {k.lower(): v for k, v in headers.items() if isinstance(k, str) and isinstance(v, str)}
    hsts_value = found.get("strict-transport-security")
    hsts = parse_hsts(hsts_value) if https else None
    findings = [
        *(_hsts_findings(hsts_value, hsts) if https else ()),
        *_frame_findings(found.get("x-frame-options"), frame_ancestors),
        *_nosniff_findings(found.get("x-content-type-options")),
        *_referrer_findings(found.get("referrer-policy")),
    ]
    # The Observatory forgives a missing Secure somewhat where HSTS keeps browsers on HTTPS.
    protected = hsts is not None and hsts.valid and (hsts.max_age or 0) >= SIX_MONTHS
    for cookie in cookies:
        finding = _cookie_finding(cookie, hsts_protects=protected)
        if finding is not None:
            findings.append(finding)
    return findings


def _severity(modifier: int) -> Severity:
    # The mapping of the module's docstring.
    if modifier <= -30:
        return "high"
    if modifier <= -20:
        return "medium"
    return "low" if modifier < 0 else "info"


def _duration(seconds: int) -> str:
    # In the largest unit that makes it at least 1, to a tenth: "5 minutes", "1.5 days".
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            tenths = (seconds * 10 + size // 2) // size  # integers: exact for any max-age
            whole, tenth = divmod(tenths, 10)
            amount = f"{whole}.{tenth}" if tenth else str(whole)
            return f"{amount} {unit}{'' if tenths == 10 else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def _hsts_findings(value: str | None, hsts: Hsts | None) -> list[Finding]:
    name = "strict-transport-security"
    if hsts is None:
        message = (
            "No Strict-Transport-Security (HSTS) header: browsers still try plain HTTP for this "
            "site, where an attacker on the network can step in before the redirect to HTTPS; "
            f"send max-age={SIX_MONTHS} (180 days) or more"
        )
        return [Finding("hsts-missing", _severity(-20), message, name)]
    if not hsts.valid:
        message = (
            f"Strict-Transport-Security {quoted(value or '')} is invalid, so browsers ignore it: "
            "it needs max-age=<seconds>, and each directive at most once"
        )
        return [Finding("hsts-missing", _severity(-20), message, name)]
    max_age = hsts.max_age or 0
    if max_age == 0:
        # The Observatory counts this as a short max-age; to a browser it deletes the policy.
        message = (
            "HSTS max-age is 0: this tells browsers to forget the site's HSTS policy, "
            "the same as sending no header"
        )
        return [Finding("hsts-missing", _severity(-20), message, name)]
    if max_age < SIX_MONTHS:
        spelled = _duration(max_age)
        if max_age >= 60:
            spelled = f"{max_age} seconds ({spelled})"
        message = (
            f"HSTS max-age is {spelled}: browsers forget after that to insist on HTTPS; "
            f"use at least {SIX_MONTHS} (180 days)"
        )
        return [Finding("hsts-short", _severity(-10), message, name)]
    return []


def _frame_findings(value: str | None, frame_ancestors: bool) -> list[Finding]:
    # The HTML Standard's reading: the comma-separated values, lower-cased, as a set; a set of
    # several holding deny, sameorigin or allowall blocks all framing. The Observatory calls
    # "SAMEORIGIN, SAMEORIGIN" invalid, but browsers read it as SAMEORIGIN.
    if frame_ancestors:
        return []
    name = "x-frame-options"
    if value is None:
        message = (
            "Neither X-Frame-Options nor CSP frame-ancestors: any site can show this page in a "
            "frame and trick visitors into clicking on it (clickjacking); send "
            "X-Frame-Options: DENY or SAMEORIGIN, or CSP frame-ancestors"
        )
        return [Finding("frame-protection-missing", _severity(-20), message, name)]
    options = {_ascii_lower(part.strip(_WHITESPACE)) for part in value.split(",")}
    if len(options) > 1 and options & {"deny", "sameorigin", "allowall"}:
        return []  # conflicting values: browsers block all framing
    if len(options) == 1 and options <= {"deny", "sameorigin"}:
        return []
    if len(options) == 1 and next(iter(options)).startswith("allow-from"):
        # The Observatory scores ALLOW-FROM 0, but browsers no longer know it: no protection.
        message = (
            "X-Frame-Options ALLOW-FROM is ignored by today's browsers, so any site can frame "
            "this page (clickjacking); use CSP frame-ancestors to allow chosen sites"
        )
    else:
        message = (
            f"X-Frame-Options {quoted(value)} is neither DENY nor SAMEORIGIN, so browsers "
            "ignore it and any site can frame this page (clickjacking)"
        )
    return [Finding("frame-protection-missing", _severity(-20), message, name)]


def _nosniff_findings(value: str | None) -> list[Finding]:
    # Fetch reads only the first comma-separated value: "nosniff, nosniff" (a header sent twice)
    # is nosniff to browsers, though the Observatory calls it invalid.
    name = "x-content-type-options"
    if value is None:
        message = (
            'No X-Content-Type-Options: nosniff: browsers may guess ("sniff") the type of a '
            "response and, for instance, run an uploaded text file as a script"
        )
        return [Finding("nosniff-missing", _severity(-5), message, name)]
    if _ascii_lower(value.split(",")[0].strip(_WHITESPACE)) == "nosniff":
        return []
    message = (
        f"X-Content-Type-Options is {quoted(value)}, not nosniff, so browsers ignore it and may "
        'guess ("sniff") the type of a response'
    )
    return [Finding("nosniff-missing", _severity(-5), message, name)]


def _referrer_findings(value: str | None) -> list[Finding]:
    # The last valid token wins. No header, or no valid token, leaves the browsers' default,
    # strict-origin-when-cross-origin, which is safe: no finding (the Observatory scores a
    # missing header 0 and passes it).
    if value is None:
        return []
    tokens = [_ascii_lower(token.strip(_WHITESPACE)) for token in value.split(",")]
    policy = next((token for token in reversed(tokens) if token in _REFERRER_POLICIES), None)
    if policy not in _LEAKS_URL and policy not in _LEAKS_ORIGIN:
        return []
    subject = f"Referrer-Policy {policy} sends"
    if len(tokens) > 1:
        subject = (
            f"Referrer-Policy is {quoted(value)}; browsers apply its last valid policy, "
            f"{policy}, which sends"
        )
    if policy in _LEAKS_URL:
        message = (
            f"{subject} the full address of this page, path and query included, "
            f"{_LEAKS_URL[policy]}"
        )
        return [Finding("referrer-unsafe", _severity(-5), message, "referrer-policy")]
    message = (
        f"{subject} this site's origin even to plain-HTTP sites, where anyone on the network "
        "can read it; the default, strict-origin-when-cross-origin, does not"
    )
    return [Finding("referrer-unsafe", _severity(0), message, "referrer-policy")]


def _cookie_finding(cookie: CookieFlags, *, hsts_protects: bool) -> Finding | None:
    # The Observatory's rules: names with "sess" or "login" are session cookies, names with
    # "csrf" anti-CSRF tokens; the worst modifier among the cookie's faults sets the severity.
    lower = _ascii_lower(cookie.name)
    session = lower not in _NOT_SESSIONS and ("sess" in lower or "login" in lower)
    anticsrf = "csrf" in lower
    lacks: list[str] = []
    reasons: list[str] = []
    modifiers = [0]
    if not cookie.secure:
        lacks.append("Secure")
        if hsts_protects:
            reasons.append(
                "without Secure a browser would send it over plain HTTP, though HSTS "
                "keeps this site on HTTPS"
            )
            modifiers.append(-10 if session else -5)
        else:
            reasons.append(
                "without Secure it also goes out over plain HTTP, where anyone on the "
                "network can read it"
            )
            modifiers.append(-40 if session else -20)
        if cookie.samesite == "None":
            reasons.append("browsers reject a SameSite=None cookie without Secure altogether")
            modifiers.append(-20)
    if not cookie.httponly:
        lacks.append("HttpOnly")
        reasons.append("without HttpOnly the page's scripts, injected ones too, can read it")
        modifiers.append(-30 if session else 0)
    if cookie.samesite is None:
        lacks.append("SameSite")
        reasons.append(
            "without SameSite other sites' requests may carry it (cross-site request forgery)"
        )
        modifiers.append(-20 if anticsrf else 0)
    if not lacks:
        return None
    kind = "Session cookie" if session else "Anti-CSRF cookie" if anticsrf else "Cookie"
    message = f"{kind} {cookie_label(cookie.name)} lacks {_and(lacks)}: " + "; ".join(reasons)
    return Finding("cookie-insecure", _severity(min(modifiers)), message, "set-cookie")


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _ascii_lower(text: str) -> str:
    # Header keywords are ASCII case-insensitive; str.lower() would also fold non-ASCII letters.
    return text.translate(_LOWER)


_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
