"""Content-Security-Policy parsing: header values into policies, sources into comparable forms.

A policy is parsed the way CSP Level 3 ("parse a serialized CSP") says a browser does: split on
';', the first word of each part names the directive (lower-cased), the rest are its source
expressions, and the first occurrence of a duplicated directive wins. On top of that, source
expressions are normalised the way Google's csp-evaluator normalises them (known keywords and
bare schemes lower-cased, repeats dropped), so that `csp_checks` judges what csp-evaluator
judges. A header value longer than `MAX_HEADER_CHARS` is cut there before parsing: a policy that
long is broken anyway, and the cap keeps the work per page bounded.

`host_and_path` reads a source expression the way a browser's URL parser would, which the
checks need to know which host (or IP address) a source names.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

CspSource = Literal["header", "report-only", "meta"]

MAX_HEADER_CHARS = 64 * 1024

# The directives csp-evaluator knows; anything else is reported as unknown.
FETCH_DIRECTIVES: tuple[str, ...] = (
    "child-src", "connect-src", "default-src", "font-src", "frame-src", "img-src",
    "manifest-src", "media-src", "object-src", "script-src", "script-src-attr",
    "script-src-elem", "style-src", "style-src-attr", "style-src-elem", "worker-src",
)  # fmt: skip
KNOWN_DIRECTIVES: frozenset[str] = frozenset(FETCH_DIRECTIVES) | {
    "prefetch-src", "base-uri", "plugin-types", "sandbox", "disown-opener", "form-action",
    "frame-ancestors", "navigate-to", "report-to", "report-uri", "block-all-mixed-content",
    "upgrade-insecure-requests", "reflected-xss", "referrer", "require-sri-for",
    "trusted-types", "require-trusted-types-for", "webrtc",
}  # fmt: skip
KEYWORDS: frozenset[str] = frozenset(
    f"'{word}'"
    for word in (
        "self", "none", "unsafe-inline", "unsafe-eval", "wasm-eval", "wasm-unsafe-eval",
        "strict-dynamic", "unsafe-hashed-attributes", "unsafe-hashes", "report-sample",
        "block", "allow", "inline-speculation-rules",
    )
)  # fmt: skip

_ASCII_WHITESPACE = "\t\n\x0c\r "
_WHITESPACE_RUN = re.compile(r"[\t\n\x0c\r ]+")
_DIRECTIVE_NAME = re.compile(r"[A-Za-z0-9-]+")
_URL_SCHEME = re.compile(r"[a-zA-Z][+a-zA-Z0-9.-]*:")
_STRICT_NONCE = re.compile(r"'nonce-[a-zA-Z0-9+/_-]+={0,2}'")
_STRICT_HASH = re.compile(r"'(sha256|sha384|sha512)-[a-zA-Z0-9+/_-]+={0,2}'")
_LOOSE_NONCE = re.compile(r"'nonce-(.+)'", re.DOTALL)
_LOOSE_HASH = re.compile(r"'(sha256|sha384|sha512)-(.+)'", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Policy:
    """One policy as a browser holds it: where it came from and its directives in order.

    `problems` are (check, directive, message) for what parsing had to drop: a part whose name
    is no directive name is ignored by browsers, but a site owner wants to hear of it.
    `as_written` is set only when something was dropped: every directive in order, dropped ones
    included, which is what csp-evaluator judges. It takes no part in comparing policies.
    """

    source: CspSource
    directives: dict[str, tuple[str, ...]]
    problems: tuple[tuple[str, str | None, str], ...] = ()
    as_written: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        """The policy as plain JSON: its source and each directive's sources as a list."""
        return {
            "source": self.source,
            "directives": {name: list(values) for name, values in self.directives.items()},
        }


def parse_policy(text: str, source: CspSource = "header") -> Policy:
    """Parse one serialized policy; any string gives a policy, garbage only adds problems."""
    written: dict[str, tuple[str, ...]] = {}
    problems: list[tuple[str, str | None, str]] = []
    for part in text[:MAX_HEADER_CHARS].split(";"):
        words = [w for w in _WHITESPACE_RUN.split(part.strip(_ASCII_WHITESPACE)) if w]
        if not words:
            continue
        name = words[0].lower()
        if name in written:
            continue  # the first of a repeated directive is the one that counts
        values: list[str] = []
        for word in words[1:]:
            value = normalize_source(word)
            if value not in values:
                values.append(value)
        written[name] = tuple(values)
        # Browsers ignore a part whose name is not ASCII letters, digits and '-' (CSP's grammar).
        if not _DIRECTIVE_NAME.fullmatch(words[0]):
            problems.append(("unknown-directive", name, _dropped_name_message(name)))
    dropped = {directive for _, directive, _ in problems}
    directives = {k: v for k, v in written.items() if k not in dropped}
    return Policy(source, directives, tuple(problems), written if problems else {})


def _dropped_name_message(name: str) -> str:
    if name.endswith(":"):
        return (
            f'"{name}" is not a directive: directive names do not end with a colon, '
            "so browsers ignore this part of the policy."
        )
    return f'"{name}" is not a valid directive name, so browsers ignore this part of the policy.'


def parse_header(value: str, source: CspSource = "header") -> list[Policy]:
    """Parse a header value into its policies (several may be joined with ',').

    A <meta> tag's content is one policy: browsers do not split it on commas. Parts that hold
    nothing at all (no directive and no problem) are left out, as browsers leave them out.
    """
    value = value[:MAX_HEADER_CHARS]
    parts = [value] if source == "meta" else value.split(",")
    policies = [parse_policy(part, source) for part in parts]
    return [p for p in policies if p.directives or p.problems]


def normalize_source(expression: str) -> str:
    """The source expression as csp-evaluator stores it: keywords and bare schemes lower-cased."""
    lowered = expression.lower()
    if lowered in KEYWORDS or _URL_SCHEME.fullmatch(expression):
        return lowered
    return expression


def is_url_scheme(value: str) -> bool:
    """True for a bare scheme source such as `https:` or `data:`."""
    return _URL_SCHEME.fullmatch(value) is not None


def is_nonce(value: str, strict: bool = False) -> bool:
    """True for 'nonce-…'; with `strict`, only when the nonce is base64."""
    return (_STRICT_NONCE if strict else _LOOSE_NONCE).fullmatch(value) is not None


def is_hash(value: str, strict: bool = False) -> bool:
    """True for 'sha256-…', 'sha384-…' or 'sha512-…'; with `strict`, only with a base64 digest."""
    return (_STRICT_HASH if strict else _LOOSE_HASH).fullmatch(value) is not None


_HOST_SOURCE = re.compile(
    r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?"
    r"(?P<host>\[[^\]/]*\]|[^/:?#\[\]]+)(?P<port>:(?:[0-9]+|\*))?(?P<path>[/?#].*)?",
    re.DOTALL,
)


def canonical_source(expression: str) -> str:
    """The form two fetches of a policy are compared in: what may vary between them removed.

    Nonces change on every response, so every nonce reads "'nonce-…'"; keywords, schemes and
    host names are case-insensitive, so they are lower-cased (a path keeps its case); a bare
    host's trailing '/' means nothing, so it goes.
    """
    expression = expression.strip(_ASCII_WHITESPACE)
    lowered = expression.lower()
    if lowered.startswith("'nonce-") and lowered.endswith("'") and len(lowered) > 7:
        return "'nonce-…'"
    if lowered.startswith("'") and lowered.endswith("'"):
        hashed = _LOOSE_HASH.fullmatch(expression.lower())
        if hashed:  # the digest is base64, where case matters; the algorithm's name is not
            return f"'{hashed.group(1)}-{expression[len(hashed.group(1)) + 2 :]}"
        return lowered
    if is_url_scheme(expression):
        return lowered
    match = _HOST_SOURCE.fullmatch(expression)
    if match is None or not _looks_like_host(match):
        return expression
    scheme = f"{match['scheme'].lower()}://" if match["scheme"] else ""
    path = match["path"] or ""
    if path == "/":
        path = ""
    return f"{scheme}{match['host'].lower()}{match['port'] or ''}{path}"


def _looks_like_host(match: re.Match[str]) -> bool:
    # A bare word such as a Trusted Types policy name or a report-to group is case-sensitive
    # and no host; only what is plainly a host source gets lower-cased.
    host = match["host"]
    return bool(
        match["scheme"]
        or match["port"]
        or "." in host
        or host.startswith(("*", "["))
        or host.lower() == "localhost"
    )


def scheme_free(url: str) -> str:
    """The source without a leading `scheme://` or `//`, as csp-evaluator strips it."""
    url = re.sub(r"^\w[+\w.-]*://", "", url, count=1, flags=re.ASCII | re.IGNORECASE)
    return re.sub(r"^//", "", url, count=1)


WILDCARD_PLACEHOLDER = "wildcard_placeholder"


def source_url(value: str) -> tuple[str, str] | None:
    """(hostname, pathname) that a host source names, None where it names none.

    As csp-evaluator reads it: scheme dropped, a ':*' port dropped, and the first '*' standing
    in as the label `WILDCARD_PLACEHOLDER` so that the URL parser accepts it.
    """
    rest = scheme_free(value).replace(":*", "", 1).replace("*", WILDCARD_PLACEHOLDER, 1)
    return host_and_path(rest)


# WHATWG URL Standard: the code points a host, and a domain, may not hold.
_FORBIDDEN_HOST = frozenset("\x00\t\n\r #/:<>?@[\\]^|")
_FORBIDDEN_DOMAIN = _FORBIDDEN_HOST | frozenset(map(chr, range(0x20))) | {"%", "\x7f"}
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_PATH_ENCODE = frozenset(_C0_AND_SPACE) | frozenset('"#<>?`{}\x7f')


def host_and_path(rest: str) -> tuple[str, str] | None:
    """(hostname, pathname) of the URL `https://` + `rest`, as a browser's URL parser gives them.

    None where that parser fails (csp-evaluator would throw there; we skip the source instead).
    """
    rest = re.sub(r"[\t\n\r]", "", rest).rstrip(_C0_AND_SPACE)
    rest = rest.lstrip("/\\")
    end = next((i for i, c in enumerate(rest) if c in "/\\?#"), len(rest))
    authority, tail = rest[:end], rest[end:]
    if "@" in authority:
        authority = authority.rsplit("@", 1)[1]
    host_text, port = _split_port(authority)
    if not host_text or (port and (not port.isdigit() or not port.isascii() or int(port) > 65535)):
        return None
    host = _parse_host(host_text)
    if host is None:
        return None
    return host, _pathname(tail)


def _split_port(authority: str) -> tuple[str, str]:
    in_brackets = False
    for i, c in enumerate(authority):
        if c == "[":
            in_brackets = True
        elif c == "]":
            in_brackets = False
        elif c == ":" and not in_brackets:
            return authority[:i], authority[i + 1 :]
    return authority, ""


def _parse_host(text: str) -> str | None:
    if text.startswith("["):
        if not text.endswith("]"):
            return None
        try:
            return f"[{ipaddress.IPv6Address(text[1:-1]).compressed}]"
        except ValueError:
            return None
    domain = unquote(text, errors="replace")
    if domain.isascii():
        domain = domain.lower()
    else:
        try:
            labels = re.split("[.\u3002\uff0e\uff61]", domain)
            domain = ".".join(label.encode("idna").decode("ascii") for label in labels).lower()
        except UnicodeError:
            return None
    if any(c in _FORBIDDEN_DOMAIN for c in domain):
        return None
    if _ends_in_number(domain):
        return _ipv4(domain)
    return domain


def _ends_in_number(domain: str) -> bool:
    parts = domain.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    last = parts[-1]
    return bool(last) and ((last.isascii() and last.isdigit()) or _ipv4_number(last) is not None)


def _ipv4_number(part: str) -> int | None:
    radix = 10
    if part[:2].lower() == "0x":
        part, radix = part[2:], 16
    elif len(part) > 1 and part.startswith("0"):
        part, radix = part[1:], 8
    if part == "":
        return 0
    digits = "0123456789abcdef"[:radix]
    if not all(c in digits for c in part.lower()):
        return None
    if len(part.lstrip("0")) > 12:
        return 1 << 48  # too big for any address; Python will not even read long decimals
    return int(part, radix)


def _ipv4(domain: str) -> str | None:
    parts = domain.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4 or "" in parts:
        return None
    numbers = [_ipv4_number(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    known = [n for n in numbers if n is not None]
    if any(n > 255 for n in known[:-1]) or known[-1] >= 256 ** (5 - len(known)):
        return None
    address = known[-1] + sum(n * 256 ** (3 - i) for i, n in enumerate(known[:-1]))
    return str(ipaddress.IPv4Address(address))


def _pathname(tail: str) -> str:
    path_text = re.split(r"[?#]", tail, maxsplit=1)[0]
    if not path_text:
        return "/"
    segments = re.split(r"[/\\]", path_text[1:])
    path: list[str] = []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        lowered = segment.lower()
        if lowered in ("..", ".%2e", "%2e.", "%2e%2e"):
            if path:
                path.pop()
            if last:
                path.append("")
        elif lowered in (".", "%2e"):
            if last:
                path.append("")
        else:
            path.append("".join(_encode_path_char(c) for c in segment))
    return "/" + "/".join(path)


def _encode_path_char(c: str) -> str:
    if c in _PATH_ENCODE or not c.isascii():
        return "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
    return c
