"""A tracker's request headers are cookies and tokens: the commands name them and never print
their values (`export` alone writes them, to a file readable by you alone)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator

import pytest

from desktop_tracker.cli import main
from tests.support.http_server import LocalServer

SECRETS = {"Cookie": "session=C00KIE-VALUE-123", "Authorization": "Bearer T0KEN-VALUE-456"}


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        local.route("/p", "<html><body><p>hello</p></body></html>")
        yield local


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out + err


def headers() -> list[str]:
    return [arg for name, value in SECRETS.items() for arg in ("--header", f"{name}: {value}")]


def assert_no_secret(text: str) -> None:
    for value in SECRETS.values():
        assert value not in text
        assert value.split("=", 1)[-1].split(" ", 1)[-1] not in text


def test_list_and_history_json_name_the_headers_and_hide_their_values(server, capsys, data):
    run(capsys, "add", server.url("/p"), "--name", "P", "--kind", "content", *headers(), *data)
    run(capsys, "check", "P", *data)
    out = run(capsys, "list", "--json", *data)
    assert_no_secret(out)
    [row] = json.loads(out)
    assert row["headers"] == {"Cookie": "…", "Authorization": "…"}
    out = run(capsys, "history", "P", "--json", *data)
    assert_no_secret(out)
    assert json.loads(out)["tracker"]["headers"] == {"Cookie": "…", "Authorization": "…"}
    assert server.requests_to("/p")[0].header("cookie") == SECRETS["Cookie"]  # sent all the same


def test_no_command_prints_a_header_value(server, capsys, data):
    run(capsys, "add", server.url("/p"), "--name", "P", *headers(), *data)
    said = [
        run(capsys, *args, *data)
        for args in (
            ["list"],
            ["history", "P"],
            ["check", "P"],
            ["check", "P", "--json"],
            ["edit", "P", "--header", "Cookie: session=OTHER-VALUE-789"],
            ["edit", "P", "--clear-headers"],
            ["notifications", "--json"],
        )
    ]
    assert_no_secret("\n".join(said))
    assert "OTHER-VALUE-789" not in "\n".join(said)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_export_is_where_the_values_are_written_readable_by_you_alone(capsys, data, tmp_path):
    run(capsys, "add", "https://a.test/", "--name", "A", *headers(), *data)
    path = tmp_path / "trackers.json"
    run(capsys, "export", str(path), *data)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["trackers"][0]["headers"] == SECRETS
