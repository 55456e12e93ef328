"""Weaknesses of Content-Security-Policy policies, in words a site owner understands.

The checks are those of Google's csp-evaluator in its default evaluation (CSP Level 3, its
security and parser checks, not its strict-CSP advice), with the same cases flagged and the
same directive blamed. Like csp-evaluator and like a browser, they judge the *effective*
policy: 'unsafe-inline' beside a nonce or hash is ignored, and beside 'strict-dynamic' so are
host and scheme sources, 'self' and 'unsafe-inline'; a missing fetch directive falls back to
default-src.

Every policy given is judged on its own, as csp-evaluator judges the one it is given. Findings
about a report-only policy are kept, as they show what the site means to enforce, but their
message begins by saying that the policy is only reported; where a page sends several policies
of one kind, the message begins by saying which. Findings come in csp-evaluator's order: policy
by policy, check by check, directive by directive.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from desktop_tracker.kinds.base import Finding, Severity
from desktop_tracker.kinds.headers.csp import (
    FETCH_DIRECTIVES,
    KEYWORDS,
    KNOWN_DIRECTIVES,
    WILDCARD_PLACEHOLDER,
    Policy,
    is_hash,
    is_nonce,
    is_url_scheme,
    scheme_free,
    source_url,
)
from desktop_tracker.kinds.headers.csp_bypasses import (
    ANGULAR,
    FLASH,
    JSONP,
    JSONP_NEEDS_EVAL,
    match_bypass,
)

Directives = dict[str, list[str]]

SCRIPT_DIRECTIVES = ("script-src", "script-src-attr", "script-src-elem")
XSS_DIRECTIVES = (*SCRIPT_DIRECTIVES, "object-src", "base-uri")
XSS_SCHEMES = ("data:", "http:", "https:")
SELF, NONE = "'self'", "'none'"
UNSAFE_INLINE, UNSAFE_EVAL, UNSAFE_HASHES = "'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'"
STRICT_DYNAMIC = "'strict-dynamic'"
_IPV4 = re.compile(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}")
_SHA_PREFIX = re.compile(r"(sha256|sha384|sha512)-")
# A nonce is new on every response: messages show it without its value, so they stay the same.
_NONCE_BODY = re.compile(r"^('?nonce-).+?('?)$", re.DOTALL | re.IGNORECASE)
_SHOWN_CHARS = 100
_BARE_KEYWORDS = frozenset(k.strip("'") for k in KEYWORDS)


def policy_findings(policies: Sequence[Policy]) -> list[Finding]:
    """Every weakness of every policy, each naming the directive it is about."""
    counts = Counter(p.source for p in policies)
    seen: Counter[str] = Counter()
    findings: list[Finding] = []
    for policy in policies:
        seen[policy.source] += 1
        prefix = _prefix(policy.source, seen[policy.source], counts[policy.source])
        for finding in evaluate_policy(policy):
            findings.append(replace(finding, message=prefix + finding.message))
    return findings


def _prefix(source: str, number: int, count: int) -> str:
    nth = f" {number} of {count}" if count > 1 else ""
    if source == "report-only":
        return f"Report-only policy{nth} (reported, not enforced): "
    if source == "meta":
        return f"Policy{nth} in a <meta> tag: "
    return f"Header policy{nth}: " if nth else ""


def evaluate_policy(policy: Policy) -> list[Finding]:
    """csp-evaluator's default findings for one policy, in its order."""
    # csp-evaluator also judges the parts a browser drops, so it sees the policy as written.
    effective = effective_csp(policy.as_written or policy.directives)
    findings: list[Finding] = []
    for check in _CHECKS:
        findings += check(effective)
    return findings


def effective_directive(directives: Mapping[str, Sequence[str]], name: str) -> str:
    """The directive a browser applies for `name`: itself, its parent, or default-src."""
    if name in directives:
        return name
    for parent in ("script-src", "style-src"):
        if name in (f"{parent}-attr", f"{parent}-elem") and parent in directives:
            return parent
    return "default-src" if name in FETCH_DIRECTIVES else name


def _effective_directives(directives: Directives, names: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(effective_directive(directives, name) for name in names))


def effective_csp(directives: Mapping[str, Sequence[str]]) -> Directives:
    """The directives with what a CSP3 browser ignores taken out of the script directives."""
    effective = {name: list(values) for name, values in directives.items()}
    for name in SCRIPT_DIRECTIVES:
        directive = effective_directive(effective, name)
        current = effective.get(directive)
        if current is None:
            continue
        written = directives.get(directive, ())
        if any(is_nonce(v, strict=True) or is_hash(v, strict=True) for v in current):
            _remove(current, UNSAFE_INLINE)
        if STRICT_DYNAMIC in written:
            for value in written:
                if not value.startswith("'") or value in (SELF, UNSAFE_INLINE):
                    _remove(current, value)
    return effective


def _remove(values: list[str], value: str) -> None:
    if value in values:
        values.remove(value)


# What each finding says; {d} is the directive, {v} the source, {h} a host.
_SAYS = {
    "unsafe-inline": (
        "{d} allows 'unsafe-inline': any script injected into the page, inline or as an "
        "event handler, runs."
    ),
    "unsafe-hashes": (
        "{d} allows 'unsafe-hashes': inline event handlers whose hash is listed run wherever "
        "an attacker puts them; moving them into script files is safer."
    ),
    "unsafe-eval": (
        "{d} allows 'unsafe-eval': text that reaches eval(), new Function() or setTimeout() "
        "with a string runs as code."
    ),
    "no-object-src": (
        "object-src is missing, with no default-src to fall back on: plugins such as <object> "
        "and <embed> can be injected and run script; set object-src 'none'."
    ),
    "empty-object-src": (
        "object-src relies on an empty {h}: browsers read that as 'none', but many tools and "
        "readers do not; say object-src 'none' outright."
    ),
    "no-script-src": (
        "script-src is missing, and there is no default-src: the policy does not restrict "
        "scripts at all."
    ),
    "no-base-uri": (
        "base-uri is missing: an injected <base> tag can make the page's relative script URLs "
        "load from an attacker's site, nonce and all; set base-uri 'none' or 'self'."
    ),
    "self": (
        "{d} allows 'self': if this site serves JSONP, AngularJS or files that users upload, "
        "an attacker can run script through them."
    ),
    "maybe-bypass": (
        "{d} allows {v}: no bypass is known there, but if it serves JSONP replies or "
        "AngularJS, any script can run through it."
    ),
    "bypass": (
        "{d} allows {v}, and {h} is known to host {what}, through which an attacker can run "
        "any script despite this policy."
    ),
    "flash": (
        "{d} allows {v}, and {h} is known to host Flash files through which an attacker can "
        "run script despite this policy."
    ),
    "object-source": "object-src allows {v}: plugins can be loaded from there; 'none' is safer.",
    "localhost": "{d} allows localhost ({v}): fine while developing, not in production.",
    "ip": (
        "{d} names the IP address {h} ({v}): browsers match sources by host name, so an IP "
        "address is likely ignored."
    ),
    # A nonce is new on every response, so these do not quote it: the words stay the same.
    "nonce-length": "{d} has a nonce shorter than 8 characters: a nonce that short can be guessed.",
    "nonce-charset": "{d} has a nonce that is not base64, as a random nonce should be.",
    "http-report": (
        "report-uri sends violation reports over plain http ({v}): anyone on the network can "
        "read or change them; use https."
    ),
    "http": (
        "{d} allows {v} over plain http: anyone on the network can swap what it loads; allow "
        "only https."
    ),
    "colon": (
        '"{d}" is not a directive: directive names do not end with a colon, so browsers ignore '
        "this part of the policy."
    ),
    "unknown": '"{d}" is not a known CSP directive, so browsers ignore it.',
    "semicolon": (
        '{d} lists "{v}" as a source: that is a directive name, so a ";" is probably missing '
        "before it and browsers read it as part of {d}."
    ),
    "no-ticks": (
        "{d} lists {v} without single quotes, so browsers read it as a host name, not as the "
        "keyword '{v}'."
    ),
    "bad-keyword": (
        "{d} lists {v}, which is no CSP keyword (nor a well-formed nonce or hash), so browsers "
        "ignore it."
    ),
}
_DEPRECATED = {
    "reflected-xss": "reflected-xss was dropped after CSP 1.1 and does nothing now.",
    "referrer": "referrer was dropped from CSP and does nothing now; use Referrer-Policy.",
    "disown-opener": (
        "disown-opener was dropped from CSP and does nothing now; use Cross-Origin-Opener-Policy."
    ),
    "prefetch-src": "prefetch-src is deprecated: browsers may stop honouring it at any time.",
}


def _finding(
    check: str, severity: Severity, says: str, directive: str, value: str = "", **more: str
) -> Finding:
    shown = _NONCE_BODY.sub(r"\1…\2", value)
    if len(shown) > _SHOWN_CHARS:  # a garbage header must not make a page-long message
        shown = shown[: _SHOWN_CHARS - 1] + "…"
    message = _SAYS[says].format(d=directive, v=shown, **more)
    return Finding(check, severity, message, directive)


def check_script_unsafe_inline(csp: Directives) -> list[Finding]:
    """'unsafe-inline' (high) and 'unsafe-hashes' (low) in the script directives."""
    findings: list[Finding] = []
    for directive in _effective_directives(csp, SCRIPT_DIRECTIVES):
        values = csp.get(directive, [])
        if UNSAFE_INLINE in values:
            findings.append(_finding("unsafe-inline", "high", "unsafe-inline", directive))
        if UNSAFE_HASHES in values:
            findings.append(_finding("unsafe-hashes", "low", "unsafe-hashes", directive))
    return findings


def check_script_unsafe_eval(csp: Directives) -> list[Finding]:
    """'unsafe-eval' in the script directives."""
    return [
        _finding("unsafe-eval", "low", "unsafe-eval", directive)
        for directive in _effective_directives(csp, SCRIPT_DIRECTIVES)
        if UNSAFE_EVAL in csp.get(directive, [])
    ]


def _loads(directive: str) -> str:
    if directive == "object-src":
        return "plugins (<object>, <embed>)"
    return "scripts" if directive != "default-src" else "scripts, plugins and more"


def check_plain_url_schemes(csp: Directives) -> list[Finding]:
    """`https:`, `http:` or `data:` where they let any script in."""
    findings: list[Finding] = []
    for directive in _effective_directives(csp, XSS_DIRECTIVES):
        for value in csp.get(directive, []):
            if value not in XSS_SCHEMES:
                continue
            if directive == "base-uri":
                why = "an injected <base> tag can point the page's relative script URLs anywhere"
            elif value == "data:":
                why = f"an attacker can write {_loads(directive)} of their own inline"
            else:
                why = f"{_loads(directive)} can come from any site and the allowlist limits nothing"
            message = f"{directive} allows every {value} URL, so {why}."
            findings.append(Finding("plain-url-scheme", "high", message, directive))
    return findings


def check_wildcards(csp: Directives) -> list[Finding]:
    """A bare '*' host in script-src, object-src or base-uri."""
    findings: list[Finding] = []
    for directive in _effective_directives(csp, XSS_DIRECTIVES):
        for value in csp.get(directive, []):
            if scheme_free(value) != "*":
                continue
            if directive == "base-uri":
                why = "an injected <base> tag can point the page's relative URLs at any host"
            else:
                why = f"{_loads(directive)} can be loaded from any host"
            message = f"{directive} allows {value}, so {why}."
            findings.append(Finding("wildcard", "high", message, directive))
    return findings


def check_missing_directives(csp: Directives) -> list[Finding]:
    """No object-src, no script-src, or no base-uri where nonces or hashes depend on it."""
    findings: list[Finding] = []
    if not csp.get("object-src", csp.get("default-src", [])):
        # An empty list blocks everything in a browser, but csp-evaluator asks for 'none'.
        empty = (
            "object-src" if "object-src" in csp else "default-src" if "default-src" in csp else ""
        )
        says = "empty-object-src" if empty else "no-object-src"
        findings.append(_finding("missing-directive", "high", says, "object-src", h=empty))
    if "script-src" not in csp and "default-src" not in csp:
        findings.append(_finding("missing-directive", "high", "no-script-src", "script-src"))
    # Without base-uri an injected <base> tag re-points relative URLs of scripts that carry a
    # nonce, or that 'strict-dynamic' trusts through a hash; an allowlist is not fooled so.
    scripts = csp.get(effective_directive(csp, "script-src"), [])
    nonces = any(is_nonce(v, strict=True) for v in scripts)
    hashes = any(is_hash(v, strict=True) for v in scripts)
    if (nonces or (hashes and STRICT_DYNAMIC in scripts)) and "base-uri" not in csp:
        findings.append(_finding("missing-directive", "high", "no-base-uri", "base-uri"))
    return findings


def check_script_allowlist_bypass(csp: Directives) -> list[Finding]:
    """Allowed hosts known to serve JSONP or AngularJS, and 'self' or hosts that might."""
    findings: list[Finding] = []
    for directive in _effective_directives(csp, ("script-src", "script-src-elem")):
        values = csp.get(directive, [])
        if NONE in values:
            continue
        for value in values:
            if value == SELF:
                findings.append(_finding("allowlist-bypass", "low", "self", directive))
            elif not (value.startswith("'") or is_url_scheme(value) or "." not in value):
                findings.append(_script_bypass(directive, value, UNSAFE_EVAL in values))
    return findings


def _script_bypass(directive: str, value: str, eval_allowed: bool) -> Finding:
    jsonp = match_bypass(value, JSONP)
    if jsonp is not None and jsonp in JSONP_NEEDS_EVAL and not eval_allowed:
        jsonp = None  # these endpoints only help an attacker who may also eval()
    angular = match_bypass(value, ANGULAR)
    host = angular or jsonp
    if host is None:
        return _finding("allowlist-bypass", "low", "maybe-bypass", directive, value)
    kinds = (("JSONP endpoints", jsonp), ("AngularJS", angular))
    what = " and ".join(kind for kind, found in kinds if found)
    return _finding("allowlist-bypass", "high", "bypass", directive, value, h=host, what=what)


def check_flash_object_allowlist_bypass(csp: Directives) -> list[Finding]:
    """Plugin sources that host Flash known to run script, or any plugin source at all."""
    directive = effective_directive(csp, "object-src")
    values = csp.get(directive, [])
    plugin_types = csp.get("plugin-types")
    if NONE in values or (
        plugin_types is not None and "application/x-shockwave-flash" not in plugin_types
    ):
        return []
    findings: list[Finding] = []
    for value in values:
        flash = match_bypass(value, FLASH)
        if flash is not None:
            findings.append(
                _finding("allowlist-bypass", "high", "flash", directive, value, h=flash)
            )
        elif directive == "object-src":
            findings.append(_finding("allowlist-bypass", "low", "object-source", directive, value))
    return findings


def source_hostname(value: str) -> str | None:
    """The host a source names, '*' kept, as csp-evaluator reads it; None if it names none."""
    named = source_url(value)
    return None if named is None else named[0].replace(WILDCARD_PLACEHOLDER, "*", 1)


def check_ip_source(csp: Directives) -> list[Finding]:
    """Sources given as IP addresses (localhost among them)."""
    findings: list[Finding] = []
    for directive, values in csp.items():
        for value in values:
            host = source_hostname(value)
            if host is None:
                continue
            if (host.startswith("[") and host.endswith("]")) or _IPV4.fullmatch(host):
                says = "localhost" if host == "127.0.0.1" else "ip"
                findings.append(_finding("ip-source", "info", says, directive, value, h=host))
    return findings


def _utf16_length(text: str) -> int:
    # csp-evaluator counts a nonce's length in UTF-16 code units, as JavaScript does.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def check_nonce_length(csp: Directives) -> list[Finding]:
    """Nonces shorter than 8 characters (medium) or outside base64 (info)."""
    findings: list[Finding] = []
    for directive, values in csp.items():
        for value in values:
            if not is_nonce(value):
                continue
            if _utf16_length(value[len("'nonce-") : -1]) < 8:
                findings.append(
                    _finding("nonce-length", "medium", "nonce-length", directive, value)
                )
            if not is_nonce(value, strict=True):
                findings.append(
                    _finding("nonce-charset", "info", "nonce-charset", directive, value)
                )
    return findings


def check_src_http(csp: Directives) -> list[Finding]:
    """Sources (and report URLs) over plain http://."""
    findings: list[Finding] = []
    for directive, values in csp.items():
        says = "http-report" if directive == "report-uri" else "http"
        for value in values:
            if value.startswith("http://"):
                findings.append(_finding("http-source", "medium", says, directive, value))
    return findings


def check_deprecated_directive(csp: Directives) -> list[Finding]:
    """Directives that browsers no longer (or soon no longer) honour."""
    return [
        Finding("deprecated-directive", "info", message, directive)
        for directive, message in _DEPRECATED.items()
        if directive in csp
    ]


def check_unknown_directive(csp: Directives) -> list[Finding]:
    """Directive names that CSP does not define, which browsers ignore."""
    return [
        _finding("unknown-directive", "syntax", "colon" if d.endswith(":") else "unknown", d)
        for d in csp
        if d not in KNOWN_DIRECTIVES
    ]


def check_missing_semicolon(csp: Directives) -> list[Finding]:
    """A directive name among a directive's sources: a ';' was probably forgotten."""
    return [
        _finding("missing-semicolon", "syntax", "semicolon", directive, value)
        for directive, values in csp.items()
        for value in values
        if value in KNOWN_DIRECTIVES
    ]


def check_invalid_keyword(csp: Directives) -> list[Finding]:
    """Keywords without their single quotes, and quoted words that are no keyword."""
    findings: list[Finding] = []
    for directive, values in csp.items():
        for value in values:
            if value in _BARE_KEYWORDS or value.startswith("nonce-") or _SHA_PREFIX.match(value):
                findings.append(_finding("invalid-keyword", "syntax", "no-ticks", directive, value))
            elif value.startswith("'") and not _valid_quoted(directive, value):
                findings.append(
                    _finding("invalid-keyword", "syntax", "bad-keyword", directive, value)
                )
    return findings


def _valid_quoted(directive: str, value: str) -> bool:
    if directive == "require-trusted-types-for":
        return value == "'script'"
    if directive == "trusted-types":
        return value in ("'allow-duplicates'", NONE)
    return value in KEYWORDS or is_hash(value, strict=True) or is_nonce(value, strict=True)


_CHECKS: tuple[Callable[[Directives], list[Finding]], ...] = (
    check_script_unsafe_inline,
    check_script_unsafe_eval,
    check_plain_url_schemes,
    check_wildcards,
    check_missing_directives,
    check_script_allowlist_bypass,
    check_flash_object_allowlist_bypass,
    check_ip_source,
    check_nonce_length,
    check_src_http,
    check_deprecated_directive,
    check_unknown_directive,
    check_missing_semicolon,
    check_invalid_keyword,
)
