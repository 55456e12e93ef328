"""The tracker commands of the command line: their JSON contracts, round trips and errors."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_tracker.cli import main
from tests.support.http_server import LocalServer

R_KEYS = ["url", "inline", "digest", "size", "integrity", "integrity_ok", "third_party", "error"]


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        local.route("/app.js", "app()", content_type="text/javascript")
        local.route("/site.css", "p{}", content_type="text/css")
        local.route(
            "/shop",
            "<html><head><link rel=stylesheet href=/site.css><script src=/app.js></script>"
            "<script>inline()</script><style>b{}</style>"
            f'<script src="{local.url("/gone.js", host="localhost")}"></script></head></html>',
        )
        yield local


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_json_is_exactly_the_documented_shape_in_document_order(server, capsys):
    code, out, err = run(capsys, "check", server.url("/shop"), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["url", "final_url", "status", "scripts", "styles"]
    assert (data["url"], data["final_url"], data["status"]) == (
        server.url("/shop"),
        server.url("/shop"),
        200,
    )
    assert all(list(r) == R_KEYS for r in data["scripts"] + data["styles"])
    app, inline, gone = data["scripts"]
    assert app == {
        "url": server.url("/app.js"),
        "inline": False,
        "digest": hashlib.sha256(b"app()").hexdigest(),
        "size": 5,
        "integrity": None,
        "integrity_ok": None,
        "third_party": False,
        "error": None,
    }
    assert (inline["url"], inline["inline"]) == (None, True)
    assert inline["digest"] == hashlib.sha256(b"inline()").hexdigest()
    assert gone["third_party"] is True and "404" in gone["error"]
    assert [s["url"] for s in data["styles"]] == [server.url("/site.css"), None]


def test_check_sends_the_given_headers(server, capsys):
    code, _, _ = run(capsys, "check", server.url("/shop"), "--header", "Cookie: a=b", "--json")
    assert code == 0
    assert server.requests_to("/shop")[0].header("cookie") == "a=b"


def test_check_of_an_unreachable_page_exits_1_with_the_error(server, capsys):
    code, out, err = run(capsys, "check", server.url("/nothing"), "--json")
    assert (code, out) == (1, "")
    assert "404" in err


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://x.test/", "javascript:alert(1)"])
def test_check_refuses_what_is_not_http(capsys, url):
    code, _, err = run(capsys, "check", url)
    assert code == 1 and "http" in err


def test_add_list_history_remove(server, capsys, tmp_path):
    data = ["--data-dir", str(tmp_path)]
    code, out, err = run(
        capsys,
        "add",
        server.url("/shop"),
        "--name",
        "Shop",
        "--schedule",
        "0 9 * * 1",
        "--tz",
        "Europe/Paris",
        "--retry",
        "constant,attempts=3,interval=1m",
        "--header",
        "Authorization: Bearer x",
        *data,
    )
    assert code == 0, err
    code, out, _ = run(capsys, "list", "--json", *data)
    [row] = json.loads(out)
    assert (row["name"], row["schedule"], row["timezone"]) == ("Shop", "0 9 * * 1", "Europe/Paris")
    assert "Monday" in row["description"]
    assert row["next_check"].endswith("+00:00") and row["last_check"] is None
    code, out, _ = run(capsys, "history", "Shop", "--json", *data)
    history = json.loads(out)
    assert history["revisions"] == [] and history["runs"] == []
    # Request header values are cookies and tokens: named, never printed (export writes them).
    assert history["tracker"]["headers"] == {"Authorization": "…"}
    assert row["headers"] == {"Authorization": "…"} and "Bearer x" not in out
    assert run(capsys, "remove", "Shop", *data)[0] == 0
    assert json.loads(run(capsys, "list", "--json", *data)[1]) == []


def test_add_refuses_bad_input_and_saves_nothing(capsys, tmp_path):
    data = ["--data-dir", str(tmp_path)]
    for args, words in [
        (["https://a.test/", "--name", "A", "--schedule", "0 0 31 2 *"], "never"),
        (["file:///x", "--name", "A"], "http"),
        (["https://a.test/", "--name", "A", "--revisions", "0"], "revisions"),
        (["https://a.test/", "--name", "A", "--retry", "sometimes"], "retry"),
        (["https://a.test/", "--name", "A", "--header", "no colon"], "Name: value"),
    ]:
        code, _, err = run(capsys, "add", *args, *data)
        assert code == 2 and words in err, (args, err)
    assert json.loads(run(capsys, "list", "--json", *data)[1]) == []


def test_a_duplicate_name_is_refused(capsys, tmp_path):
    data = ["--data-dir", str(tmp_path)]
    assert run(capsys, "add", "https://a.test/", "--name", "A", *data)[0] == 0
    code, _, err = run(capsys, "add", "https://b.test/", "--name", "A", *data)
    assert code == 2 and "exists already" in err


def test_history_of_an_unknown_name_lists_the_known_ones(capsys, tmp_path):
    data = ["--data-dir", str(tmp_path)]
    run(capsys, "add", "https://a.test/", "--name", "Alpha", *data)
    code, _, err = run(capsys, "history", "Beta", *data)
    assert code == 1 and "Alpha" in err


def test_export_then_import_round_trips_exactly(capsys, tmp_path):
    first, second = ["--data-dir", str(tmp_path / "one")], ["--data-dir", str(tmp_path / "two")]
    run(
        capsys,
        "add",
        "https://a.test/",
        "--name",
        "A",
        "--schedule",
        "@daily",
        "--tz",
        "Asia/Tokyo",
        "--ignore",
        r"ads\.js",
        "--no-notify",
        *first,
    )
    run(
        capsys,
        "add",
        "https://b.test/x",
        "--name",
        "B",
        "--revisions",
        "3",
        "--insecure",
        "--retry",
        "exponential,attempts=4,initial=10s,multiplier=3,max=5m",
        *first,
    )
    exported = tmp_path / "trackers.json"
    assert run(capsys, "export", str(exported), *first)[0] == 0
    assert run(capsys, "import", str(exported), *second)[0] == 0
    again = json.loads(run(capsys, "export", *second)[1])
    assert again == json.loads(exported.read_text())
    # Importing the same trackers again would clash: nothing is imported, the message says why.
    code, _, err = run(capsys, "import", str(exported), *second)
    assert code == 2 and "exist already" in err
    assert len(json.loads(run(capsys, "list", "--json", *second)[1])) == 2


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("not json", "not JSON"),
        ('{"format": "other"}', "not a desktop_tracker export"),
        (
            '{"format": "desktop-tracker/trackers", "version": 1, "trackers": [{"name": "x"}]}',
            "url",
        ),
    ],
)
def test_import_refuses_bad_files_and_imports_nothing(capsys, tmp_path, content, words):
    path: Path = tmp_path / "in.json"
    path.write_text(content)
    code, _, err = run(capsys, "import", str(path), "--data-dir", str(tmp_path / "d"))
    assert code == 2 and words in err
    assert json.loads(run(capsys, "list", "--json", "--data-dir", str(tmp_path / "d"))[1]) == []


def test_a_url_typed_without_a_scheme_is_completed_by_add_and_edit_as_the_editor_does(
    capsys, tmp_path
):
    data = ("--data-dir", str(tmp_path / "data"))
    code, _, err = run(
        capsys, "add", "example.com", "--name", "Example", "--schedule", "manual", *data
    )
    assert code == 0, err
    code, out, _ = run(capsys, "list", "--json", *data)
    assert [t["url"] for t in json.loads(out)] == ["https://example.com/"]
    assert run(capsys, "edit", "Example", "--url", "localhost:8080/shop", *data)[0] == 0
    code, out, _ = run(capsys, "list", "--json", *data)
    assert [t["url"] for t in json.loads(out)] == ["http://localhost:8080/shop"]
