"""Hashes, Subresource Integrity as browsers check it, and first- or third-party by site."""

from __future__ import annotations

import base64
import hashlib
import threading

import pytest
from publicsuffixlist import PublicSuffixList

from desktop_tracker.kinds.resources import fingerprint
from desktop_tracker.kinds.resources.fingerprint import (
    integrity_matches,
    is_third_party,
    registrable_domain,
    sha256_hex,
)

DATA = b"console.log('hello');\n"
OTHER = b"console.log('tampered');\n"


def sri(algorithm: str, data: bytes) -> str:
    """The integrity token a build tool writes, computed independently of the module."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def test_sha256_hex_known_vectors() -> None:
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# -- Subresource Integrity ---------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["sha256", "sha384", "sha512"])
def test_integrity_of_each_supported_algorithm(algorithm: str) -> None:
    assert integrity_matches(sri(algorithm, DATA), DATA) is True
    assert integrity_matches(sri(algorithm, OTHER), DATA) is False
    assert integrity_matches(sri(algorithm, b""), b"") is True


def test_integrity_known_vector() -> None:
    # From the SRI specification's example for `alert('Hello, world.');`.
    integrity = "sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO"
    assert integrity_matches(integrity, b"alert('Hello, world.');") is True


def test_algorithm_names_are_case_insensitive() -> None:
    assert integrity_matches(sri("sha256", DATA).replace("sha256", "SHA256"), DATA) is True
    assert integrity_matches(sri("sha512", DATA).replace("sha512", "Sha512"), DATA) is True


def test_only_the_strongest_algorithm_counts() -> None:
    assert integrity_matches(f"{sri('sha256', OTHER)} {sri('sha512', DATA)}", DATA) is True
    assert integrity_matches(f"{sri('sha512', OTHER)} {sri('sha256', DATA)}", DATA) is False
    assert integrity_matches(f"{sri('sha384', DATA)} {sri('sha256', OTHER)}", DATA) is True
    assert integrity_matches(f"{sri('sha256', DATA)} {sri('sha384', OTHER)}", DATA) is False


def test_any_value_of_the_strongest_algorithm_matches() -> None:
    integrity = f"{sri('sha384', OTHER)} {sri('sha384', b'x')} {sri('sha384', DATA)}"
    assert integrity_matches(integrity, DATA) is True
    assert integrity_matches(f"{sri('sha384', OTHER)} {sri('sha384', b'x')}", DATA) is False


@pytest.mark.parametrize(
    "integrity",
    ["", "   ", "md5-abc", "sha1-abc sha224-def", "sha-256-abc", "sha256", "sha256abc", "garbage"],
)
def test_no_supported_algorithm_means_the_attribute_is_ignored(integrity: str) -> None:
    assert integrity_matches(integrity, DATA) is None


def test_unsupported_tokens_beside_a_supported_one_are_ignored() -> None:
    assert integrity_matches(f"md5-xyz {sri('sha256', DATA)} sha3-abc", DATA) is True
    assert integrity_matches(f"sha1-xyz {sri('sha256', OTHER)}", DATA) is False


def test_options_after_a_question_mark_are_ignored() -> None:
    assert integrity_matches(f"{sri('sha256', DATA)}?foo", DATA) is True
    assert integrity_matches(f"{sri('sha512', DATA)}?ct=application/javascript?x", DATA) is True
    assert integrity_matches(f"{sri('sha512', OTHER)}?foo", DATA) is False


def test_any_ascii_whitespace_separates_tokens() -> None:
    assert integrity_matches(f"\n\t{sri('sha256', OTHER)}\r\n {sri('sha512', DATA)}\f", DATA)


def test_missing_padding_and_base64url_are_tolerated() -> None:
    # Find data whose digest needs padding and has "+" or "/" in it, so both rules are exercised.
    data = next(
        candidate
        for candidate in (str(n).encode() for n in range(1000))
        if set(sri("sha256", candidate)) & {"+", "/"}
    )
    token = sri("sha256", data)
    assert token.endswith("=")
    assert integrity_matches(token.rstrip("="), data) is True
    url_safe = token.replace("+", "-").replace("/", "_")
    assert url_safe != token
    assert integrity_matches(url_safe, data) is True
    assert integrity_matches(url_safe.rstrip("="), data) is True


def test_undecodable_value_of_the_strongest_algorithm_fails_the_check() -> None:
    # As the SRI specification compares values: a malformed one simply matches nothing.
    assert integrity_matches(f"{sri('sha256', DATA)} sha512-!!!not-base64!!!", DATA) is False
    assert integrity_matches("sha256-", DATA) is False
    assert integrity_matches("sha256-é", DATA) is False


def test_a_digest_of_another_length_does_not_match() -> None:
    truncated = base64.b64encode(hashlib.sha256(DATA).digest()[:16]).decode()
    assert integrity_matches(f"sha256-{truncated}", DATA) is False


# -- sites -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("www.example.com", "example.com"),
        ("WWW.Example.COM", "example.com"),
        ("example.com", "example.com"),
        ("a.b.c.example.com", "example.com"),
        ("www.example.com.", "example.com"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("co.uk", "co.uk"),
        ("com", "com"),
        ("localhost", "localhost"),
        ("LOCALHOST", "localhost"),
        ("intranet", "intranet"),
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("[2001:DB8::1]", "[2001:db8::1]"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("www.BÜCHER.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("alice.github.io", "alice.github.io"),
        ("x.y.alice.github.io", "alice.github.io"),
        ("github.io", "github.io"),
        ("bucket.s3.amazonaws.com", "bucket.s3.amazonaws.com"),
        ("printer.office.internal", "office.internal"),  # unknown TLDs count as public suffixes
    ],
)
def test_registrable_domain(host: str, expected: str) -> None:
    assert registrable_domain(host) == expected


@pytest.mark.parametrize(
    ("resource", "page"),
    [
        ("https://cdn.example.com/a.js", "https://www.example.com/"),
        ("http://example.com/a.js", "https://www.example.com:8443/page"),
        ("https://static.bbc.co.uk/a.js", "https://www.bbc.co.uk/news"),
        ("https://alice.github.io/lib.js", "https://docs.alice.github.io/"),
        ("https://bücher.de/a.js", "https://www.xn--bcher-kva.de/"),
        ("http://127.0.0.1:8000/a.js", "http://127.0.0.1/"),
        ("http://[::1]:8000/a.js", "http://[::1]/"),
        ("http://localhost:3000/a.js", "http://localhost/"),
    ],
)
def test_first_party(resource: str, page: str) -> None:
    assert is_third_party(resource, page) is False


@pytest.mark.parametrize(
    ("resource", "page"),
    [
        ("https://example.net/a.js", "https://example.com/"),
        ("https://cdn.jsdelivr.net/npm/x.js", "https://www.example.com/"),
        ("https://other.co.uk/a.js", "https://example.co.uk/"),
        ("https://bob.github.io/a.js", "https://alice.github.io/"),
        ("https://b.s3.amazonaws.com/a.js", "https://a.s3.amazonaws.com/"),
        ("http://127.0.0.2/a.js", "http://127.0.0.1/"),
        ("http://127.0.0.1/a.js", "http://localhost/"),
        ("http://[::1]/a.js", "http://localhost/"),
        ("https://example.com/a.js", "about:blank"),
    ],
)
def test_third_party(resource: str, page: str) -> None:
    assert is_third_party(resource, page) is True


def test_inline_and_hostless_resources_are_first_party() -> None:
    assert is_third_party(None, "https://www.example.com/") is False
    assert is_third_party("data:text/javascript,1", "https://www.example.com/") is False
    assert is_third_party("http://[::1/a.js", "https://www.example.com/") is False


def test_the_suffix_list_is_built_once_under_concurrent_first_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[PublicSuffixList] = []

    def counting_list() -> PublicSuffixList:
        built.append(PublicSuffixList())
        return built[-1]

    monkeypatch.setattr(fingerprint, "_psl", None)
    monkeypatch.setattr(fingerprint, "PublicSuffixList", counting_list)
    start = threading.Barrier(16)
    results: list[str] = []

    def look_up() -> None:
        start.wait()
        results.append(registrable_domain("www.example.co.uk"))

    threads = [threading.Thread(target=look_up) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["example.co.uk"] * 16
    assert len(built) == 1
