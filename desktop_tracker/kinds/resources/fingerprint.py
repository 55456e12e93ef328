"""Fingerprints of resources: their SHA-256, whether their integrity holds, whose they are.

Nothing here touches the network: the public suffix list is the copy that ships inside the
publicsuffixlist package.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import threading
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

# Subresource Integrity algorithms, weakest first: a browser checks only the strongest present.
_SRI_STRENGTH = {"sha256": 0, "sha384": 1, "sha512": 2}
_ASCII_WHITESPACE = " \t\n\f\r"

_psl: PublicSuffixList | None = None
_psl_lock = threading.Lock()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def integrity_matches(integrity: str, data: bytes) -> bool | None:
    """Subresource Integrity as browsers check it: the attribute is whitespace-separated tokens
    `alg-base64[?options]`; consider only sha256/sha384/sha512 (case-insensitive alg); use only the
    STRONGEST algorithm present; True if any of its values equals base64(digest(data)) (compare
    decoded bytes, tolerate missing padding / base64url); None if no token has a supported algorithm
    (the browser would ignore the attribute); False otherwise.

    A token of a supported algorithm whose value is not base64 at all still counts, as in the SRI
    specification: it matches nothing, so it can turn the answer to False but never to None.
    """
    by_algorithm: dict[str, list[str]] = {}
    for token in _split_ascii_whitespace(integrity):
        algorithm, dash, value = token.partition("-")
        algorithm = algorithm.lower()
        if dash and algorithm in _SRI_STRENGTH:
            # Options after "?" are reserved by the specification and change nothing today.
            by_algorithm.setdefault(algorithm, []).append(value.partition("?")[0])
    if not by_algorithm:
        return None
    strongest = max(by_algorithm, key=_SRI_STRENGTH.__getitem__)
    digest = hashlib.new(strongest, data).digest()
    return any(_decode_base64(value) == digest for value in by_algorithm[strongest])


def registrable_domain(host: str) -> str:
    """eTLD+1 via publicsuffixlist's PublicSuffixList (one instance, module level, lazily built,
    thread-safe); IP addresses and single-label hosts (localhost) are returned as they are;
    lower-case; IDNA-normalised.

    Private suffixes count (the list's default): `alice.github.io` and `bob.github.io` are two
    sites, as browsers' cookie and storage partitioning treat them. A host that is itself a public
    suffix (`co.uk`, `github.io`) is its own registrable domain.
    """
    host = host.strip(_ASCII_WHITESPACE).lower()
    if _is_ip_address(host) or "." not in host.rstrip("."):
        return host
    # "example.com." is the same site as "example.com": the list knows names without the root dot.
    name = host.rstrip(".")
    name = normalise_host(name) or name
    return _public_suffix_list().privatesuffix(name) or name


def is_third_party(resource_url: str | None, page_url: str) -> bool:
    """False for inline (None); otherwise True when the registrable domains differ (cdn.example.com
    vs www.example.com is first-party; example.com vs example.net third-party; s3.amazonaws.com /
    x.github.io private suffixes count as their own registrable domains, see registrable_domain).

    A resource URL without a host (nothing fetched from anywhere) is first-party.
    """
    if resource_url is None:
        return False
    resource_host = _hostname(resource_url)
    if not resource_host:
        return False
    return registrable_domain(resource_host) != registrable_domain(_hostname(page_url))


def normalise_host(host: str) -> str | None:
    """A host name as browsers put it on the wire: lower-case, internationalised labels in
    punycode. None when the name cannot be encoded (an empty or over-long label in an IDN)."""
    if host.isascii():
        return host.lower()
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


def warm_up() -> None:
    """Build the public suffix list now (call it on a worker thread at start)."""
    _public_suffix_list()


def _public_suffix_list() -> PublicSuffixList:
    # Building the list parses ~10,000 rules (tens of milliseconds): once, and only when needed.
    global _psl
    if _psl is None:
        with _psl_lock:
            if _psl is None:
                _psl = PublicSuffixList()
    return _psl


def _hostname(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # an unbalanced "[" in the authority
        return ""


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


def _decode_base64(value: str) -> bytes | None:
    # Browsers accept base64url digests too; padding is optional.
    value = value.replace("-", "+").replace("_", "/").rstrip("=")
    if len(value) % 4 == 1:
        return None
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _split_ascii_whitespace(text: str) -> list[str]:
    # str.split() would also split on non-ASCII spaces, which the HTML Standard keeps inside tokens.
    for space in "\t\n\f\r":
        text = text.replace(space, " ")
    return [token for token in text.split(" ") if token]
