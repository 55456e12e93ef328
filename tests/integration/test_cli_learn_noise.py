"""`learn NAME`: what changes by itself between fetches becomes proposed mask rules; with
--accept they are the tracker's, and its checks no longer see that noise as a change."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator

import pytest

from desktop_tracker.cli import main
from tests.support.http_server import Exchange, LocalServer

TOKEN_RULE = "(?<=Request token: )[A-Za-z0-9_-]+"
COUNTER_RULE = r"\d+(?:[.,]\d+)*(?= visitors today)"
TIMESTAMP_RULE = r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
QUERY_RULE = r"(?<=[?&]v=)\d+"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    fetches = itertools.count(1)

    def noisy_text(exchange: Exchange) -> None:
        n = next(fetches)
        token = hashlib.sha256(str(n).encode()).hexdigest()[:20]
        exchange.respond(
            200,
            "<html><body><h1>Prices</h1><p>Tea: 4 €</p>"
            f"<p>Page generated 2025-03-0{n % 9 + 1}T10:{n % 60:02d}:00Z</p>"
            f"<p>Request token: x{token}</p><p>{1000 + 7 * n} visitors today</p></body></html>",
            [("Content-Type", "text/html; charset=utf-8")],
        )

    def cache_busted(exchange: Exchange) -> None:
        n = next(fetches)
        exchange.respond(
            200,
            f'<html><head><script src="/app.js?v={17000 + 13 * n}"></script></head></html>',
            [("Content-Type", "text/html")],
        )

    with LocalServer() as local:
        local.handle("/text", noisy_text)
        local.handle("/busted", cache_busted)
        local.route("/app.js", "app()", content_type="text/javascript")
        local.route("/calm", "<html><body><p>Nothing moves here</p></body></html>")
        yield local


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out


def mask_of(capsys: pytest.CaptureFixture[str], name: str, data: list[str]) -> list[str]:
    [row] = [r for r in json.loads(ok(capsys, "list", "--json", *data)) if r["name"] == name]
    return row["mask"]


def test_learn_proposes_then_accept_makes_checks_quiet(server, capsys, data):
    ok(capsys, "add", server.url("/text"), "--name", "Prices", "--kind", "content", *data)
    # Without the rules, two checks in a row differ: noise reads as a change.
    ok(capsys, "check", "Prices", *data)
    assert "no change" not in ok(capsys, "check", "Prices", *data)

    out = ok(capsys, "learn", "Prices", *data)
    lines = out.splitlines()
    assert lines[0] == "3 mask rules proposed for 'Prices', from 3 fetches:"
    assert lines[1] == f"  1. {TOKEN_RULE}"
    assert lines[2].startswith("     a token that changes between fetches; seen: 'x")
    assert f"  2. {COUNTER_RULE}" in lines and f"  3. {TIMESTAMP_RULE}" in lines
    assert "     a counter that changes between fetches; seen: '" in out
    assert lines[-2] == "to add them all: desktop-tracker learn Prices --accept"
    assert lines[-1] == f"or one at a time: desktop-tracker edit Prices --mask '{TOKEN_RULE}'"
    assert mask_of(capsys, "Prices", data) == []  # proposed, not taken

    out = ok(capsys, "learn", "Prices", "--accept", *data)
    assert "added them to the mask rules of 'Prices'" in out
    assert mask_of(capsys, "Prices", data) == [TOKEN_RULE, COUNTER_RULE, TIMESTAMP_RULE]

    ok(capsys, "check", "Prices", *data)  # the first check with the rules: masked text is new
    assert ok(capsys, "check", "Prices", *data) == "Prices: no change since the last check\n"
    [newest, *_] = json.loads(ok(capsys, "history", "Prices", "--json", *data))["revisions"]
    assert newest["text"].splitlines() == [
        "Prices",
        "Tea: 4 €",
        "Page generated …",
        "Request token: …",
        "… visitors today",
    ]
    # What is masked already is not proposed again.
    assert ok(capsys, "learn", "Prices", *data).startswith("no noise found in 3 fetches")


def test_learn_on_a_resources_tracker_finds_a_cache_buster(server, capsys, data):
    ok(capsys, "add", server.url("/busted"), "--name", "App", *data)
    out = ok(capsys, "learn", "App", "--accept", "--fetches", "2", *data)
    assert out.splitlines()[:2] == [
        "1 mask rule proposed for 'App', from 2 fetches:",
        f"  1. {QUERY_RULE}",
    ]
    assert "added it to the mask rules of 'App'" in out
    ok(capsys, "check", "App", *data)
    assert ok(capsys, "check", "App", *data) == "App: no change since the last check\n"
    [revision] = json.loads(ok(capsys, "history", "App", "--json", *data))["revisions"]
    assert [s["url"] for s in revision["scripts"]] == [server.url("/app.js?v=…")]


def test_learn_on_a_page_without_noise_says_so(server, capsys, data):
    ok(capsys, "add", server.url("/calm"), "--name", "Calm", "--kind", "content", *data)
    out = ok(capsys, "learn", "Calm", "--accept", "--fetches", "4", *data)
    assert out.startswith("no noise found in 4 fetches of 'Calm'")
    assert len(server.requests_to("/calm")) == 4
    assert mask_of(capsys, "Calm", data) == []


@pytest.mark.parametrize("fetches", ["1", "11"])
def test_learn_takes_2_to_10_fetches(server, capsys, data, fetches):
    ok(capsys, "add", server.url("/calm"), "--name", "Calm", *data)
    code, _, err = run(capsys, "learn", "Calm", "--fetches", fetches, *data)
    assert code == 2 and "--fetches must be between 2 and 10" in err
    assert server.requests_to("/calm") == []


def test_learn_of_a_page_that_fails_exits_1_with_the_reason(server, capsys, data):
    server.route("/gone", status=404)
    ok(capsys, "add", server.url("/gone"), "--name", "Gone", *data)
    code, out, err = run(capsys, "learn", "Gone", *data)
    assert (code, out) == (1, "") and "404" in err
