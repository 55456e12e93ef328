"""`check URL --kind content|headers`: the JSON contracts, the text forms, and what is refused;
and the rule that tells a URL from a tracker's name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_tracker.cli import main
from desktop_tracker.cli.check import is_url
from tests.support.http_server import LocalServer

PAGE = (
    "<!doctype html><html><head><title>Shop</title><script>var x = 1;</script></head><body>"
    "<nav>Home | Cart</nav><main><h1>Prices</h1><p>Tea: 4 €</p><p>Coffee: 5 €</p></main>"
    "<footer>© Shop</footer></body></html>"
)
HEADERS = [
    ("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'"),
    ("Strict-Transport-Security", "max-age=31536000"),
    ("X-Frame-Options", "DENY"),
    ("Set-Cookie", "session=S3CR3T-SESSION; Path=/; HttpOnly; SameSite=Lax"),
    ("Set-Cookie", "theme=D4RK-VALUE; Secure"),
    ("X-Shop-Build", "build-42"),
]


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        local.route("/shop", PAGE, headers=HEADERS)
        yield local


@pytest.fixture(autouse=True)
def _no_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """`check URL` uses no data directory: none may appear where the default one would be."""
    fallback = tmp_path / "default-data-dir"
    monkeypatch.setenv("DESKTOP_TRACKER_HOME", str(fallback))
    yield fallback
    assert not fallback.exists()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- content --------------------------------------------------------------------------------------


def test_content_json_is_exactly_the_documented_shape(server, capsys):
    code, out, err = run(
        capsys, "check", server.url("/shop"), "--kind", "content", "--selector", "main", "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["url", "final_url", "status", "selector", "text"]
    assert data == {
        "url": server.url("/shop"),
        "final_url": server.url("/shop"),
        "status": 200,
        "selector": "main",
        "text": "Prices\nTea: 4 €\nCoffee: 5 €",
    }


def test_content_without_a_selector_is_the_text_a_person_reads(server, capsys):
    code, out, err = run(capsys, "check", server.url("/shop"), "--kind", "content", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["selector"] is None
    # No title, no script: what the page shows, block by block.
    assert data["text"].splitlines() == [
        "Home | Cart",
        "Prices",
        "Tea: 4 €",
        "Coffee: 5 €",
        "© Shop",
    ]


def test_content_text_form_prints_the_text(server, capsys):
    code, out, err = run(
        capsys, "check", server.url("/shop"), "--kind", "content", "--selector", "main p"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{server.url('/shop')} — 200"
    assert lines[1] == "the text of main p (2 lines):"
    assert lines[2:] == ["Tea: 4 €", "", "Coffee: 5 €"]  # each match of the selector apart


def test_a_selector_that_matches_nothing_fails_the_check_in_words(server, capsys):
    code, out, err = run(
        capsys, "check", server.url("/shop"), "--kind", "content", "--selector", "aside.gone"
    )
    assert (code, out) == (1, "")
    assert "the selector matched nothing: the page changed or the selector is wrong" in err
    assert err.startswith("desktop-tracker: error: ")


def test_a_selector_that_is_not_css_is_a_usage_error(server, capsys):
    code, out, err = run(
        capsys, "check", server.url("/shop"), "--kind", "content", "--selector", "main[[["
    )
    assert (code, out) == (2, "")
    assert "selector" in err
    assert server.requests_to("/shop") == []  # refused before anything was fetched


@pytest.mark.parametrize("kind", [[], ["--kind", "resources"], ["--kind", "headers"]])
def test_a_selector_without_kind_content_is_refused(server, capsys, kind):
    code, out, err = run(capsys, "check", server.url("/shop"), *kind, "--selector", "main")
    assert (code, out) == (2, "")
    assert "--selector goes with --kind content" in err
    assert server.requests_to("/shop") == []


# -- headers --------------------------------------------------------------------------------------


def test_headers_json_is_exactly_the_documented_shape(server, capsys):
    code, out, err = run(capsys, "check", server.url("/shop"), "--kind", "headers", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == [
        "url",
        "final_url",
        "status",
        "headers",
        "cookies",
        "csp",
        "findings",
    ]
    assert (data["url"], data["final_url"], data["status"]) == (
        server.url("/shop"),
        server.url("/shop"),
        200,
    )
    assert data["headers"]["content-security-policy"] == HEADERS[0][1]
    assert data["headers"]["x-frame-options"] == "DENY"
    assert all(name == name.lower() for name in data["headers"])
    assert "x-shop-build" not in data["headers"]  # not a security header, not asked for
    assert data["cookies"] == [
        {"name": "session", "secure": False, "httponly": True, "samesite": "Lax"},
        {"name": "theme", "secure": True, "httponly": False, "samesite": None},
    ]
    [policy] = data["csp"]
    assert list(policy) == ["source", "directives"]
    assert policy == {
        "source": "header",
        "directives": {"default-src": ["'self'"], "script-src": ["'self'", "'unsafe-inline'"]},
    }
    assert data["findings"], "unsafe-inline is a finding"
    assert all(list(f) == ["check", "severity", "directive", "message"] for f in data["findings"])
    assert "unsafe-inline" in {f["check"] for f in data["findings"]}


def test_cookie_values_never_appear_in_any_form(server, capsys):
    for form in ([], ["--json"]):
        code, out, err = run(capsys, "check", server.url("/shop"), "--kind", "headers", *form)
        assert code == 0, err
        for value in ("S3CR3T-SESSION", "D4RK-VALUE"):
            assert value not in out + err


def test_a_header_to_watch_is_shown_beside_the_security_headers(server, capsys):
    code, out, err = run(
        capsys,
        "check",
        server.url("/shop"),
        "--kind",
        "headers",
        "--watch-header",
        "X-Shop-Build",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["headers"]["x-shop-build"] == "build-42"


def test_headers_text_form_says_each_part(server, capsys):
    code, out, err = run(capsys, "check", server.url("/shop"), "--kind", "headers")
    assert code == 0, err
    assert f"{server.url('/shop')} — 200" in out
    assert "  x-frame-options: DENY" in out
    assert "  session  not Secure, HttpOnly, SameSite=Lax" in out
    assert "  theme  Secure, not HttpOnly, no SameSite" in out
    assert (
        "  from the header:\n    default-src 'self'\n    script-src 'self' 'unsafe-inline'" in out
    )
    assert "high    script-src allows 'unsafe-inline'" in out


def test_a_headers_check_takes_any_response_not_only_html(server, capsys):
    server.route("/api", '{"ok": true}', content_type="application/json", headers=HEADERS[:1])
    code, out, err = run(capsys, "check", server.url("/api"), "--kind", "headers", "--json")
    assert code == 0, err
    assert list(json.loads(out)["headers"]) == ["content-security-policy"]


def test_the_resources_text_form_is_as_before(server, capsys):
    server.route("/app.js", "app()", content_type="text/javascript")
    server.route("/page", '<html><head><script src="/app.js"></script></head></html>')
    code, out, err = run(capsys, "check", server.url("/page"))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{server.url('/page')} — 200"
    assert lines[1] == "Scripts (1):"
    assert lines[2].startswith(f"  {server.url('/app.js')}  5 B  sha256:")
    assert lines[3] == "Stylesheets (0):"


# -- a URL or a name ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "url"),
    [
        ("https://example.com/", True),
        ("http://127.0.0.1:8080/x", True),
        ("HTTPS://EXAMPLE.COM", True),
        ("example.com://odd", True),
        ("file:///etc/passwd", True),
        ("javascript:alert(1)", True),
        ("data:text/html,hi", True),
        ("https:example.com", True),
        ("Shop", False),
        ("Shop: checkout", False),
        ("example.com", False),
        ("my:tracker", False),
        ("data: my notes", False),
    ],
)
def test_what_is_a_url_and_what_is_a_name(target, url):
    assert is_url(target) is url


def test_a_name_that_looks_like_an_address_is_told_how_to_check_a_page(capsys, tmp_path):
    code, _, err = run(capsys, "check", "example.com", "--data-dir", str(tmp_path / "d"))
    assert code == 1
    assert "no tracker is named 'example.com'" in err
    assert "write its address with https:// in front" in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "say what to check"),
        (["https://a.test/", "--name", "A"], "not both"),
    ],
)
def test_check_needs_one_url_or_one_name(capsys, args, words):
    code, out, err = run(capsys, "check", *args)
    assert (code, out) == (2, "")
    assert words in err
