"""`notifications`: what the trackers told, newest first, as text or JSON; --unread and
--mark-read."""

from __future__ import annotations

import json
import re

import pytest

from desktop_tracker.cli import main
from tests.support.http_server import LocalServer

KEYS = ["id", "tracker_id", "tracker", "kind", "title", "body", "created_at", "read", "revision_id"]


def ok(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def told(capsys: pytest.CaptureFixture[str], data: list[str], *extra: str) -> list[dict]:
    return json.loads(ok(capsys, "notifications", "--json", *extra, *data))


def change_twice(server: LocalServer, capsys: pytest.CaptureFixture[str], data: list[str]) -> None:
    """Tracker 'News': a baseline (told nobody), then two changes (told)."""
    ok(capsys, "add", server.url("/news"), "--name", "News", "--kind", "content", *data)
    for text in ("first", "second", "third"):
        server.route("/news", f"<html><body><p>{text}</p></body></html>")
        ok(capsys, "check", "News", *data)


def test_notifications_json_newest_first_with_exactly_the_documented_keys(server, capsys, data):
    assert told(capsys, data) == []
    change_twice(server, capsys, data)
    newest, older = told(capsys, data)
    assert list(newest) == KEYS
    assert newest["id"] > older["id"]
    assert newest["created_at"] >= older["created_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", newest["created_at"])
    assert {k: newest[k] for k in ("tracker", "kind", "title", "read", "revision_id")} == {
        "tracker": "News",
        "kind": "change",
        "title": "Change detected: News",
        "read": False,
        "revision_id": 3,
    }
    assert newest["body"] == "1 line changed\n- second\n+ third"
    assert isinstance(newest["tracker_id"], int) and older["revision_id"] == 2


def test_mark_read_marks_what_was_listed(server, capsys, data):
    change_twice(server, capsys, data)
    shown = told(capsys, data, "--unread", "--mark-read")
    assert [n["read"] for n in shown] == [False, False]  # as they were when listed
    assert told(capsys, data, "--unread") == []
    assert [n["read"] for n in told(capsys, data)] == [True, True]
    [row] = json.loads(ok(capsys, "list", "--json", *data))
    assert row["unread"] == 0


def test_notifications_text_form(server, capsys, data):
    assert ok(capsys, "notifications", *data) == "no notifications\n"
    change_twice(server, capsys, data)
    lines = ok(capsys, "notifications", *data).splitlines()
    assert re.fullmatch(r"\S+\+00:00  unread  Change detected: News", lines[0])
    assert lines[1:4] == ["    1 line changed", "    - second", "    + third"]
    ok(capsys, "notifications", "--mark-read", *data)
    assert ok(capsys, "notifications", "--unread", *data) == "no unread notifications\n"
    assert "  read    Change detected: News" in ok(capsys, "notifications", *data)
