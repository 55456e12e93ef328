"""`check NAME`: a stored tracker checked now, its revision kept when it changed and said in
words; and `history --json` with each kind's revisions, diffs and findings."""

from __future__ import annotations

import json

import pytest

from desktop_tracker.cli import main

R_KEYS = ["url", "inline", "digest", "size", "integrity", "integrity_ok", "third_party", "error"]


def page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out


def history(capsys: pytest.CaptureFixture[str], name: str, data: list[str]) -> dict:
    return json.loads(ok(capsys, "history", name, "--json", *data))


def test_a_content_tracker_keeps_a_baseline_then_only_changes(server, capsys, data):
    server.route("/news", page("<main><p>Tea is 4 €</p></main><footer>x</footer>"))
    ok(capsys, "add", server.url("/news"), "--name", "News", "--kind", "content",
       "--selector", "main", *data)  # fmt: skip
    assert ok(capsys, "check", "News", *data) == ("News: first check: baseline kept (revision 1)\n")
    assert ok(capsys, "check", "News", *data) == "News: no change since the last check\n"
    assert len(history(capsys, "News", data)["revisions"]) == 1
    server.route("/news", page("<main><p>Tea is 5 €</p><p>Coffee is new</p></main>"))
    out = ok(capsys, "check", "News", *data)
    first, *details = out.splitlines()
    assert first == "News: 1 line changed, 1 added (revision 2)"
    assert details == ["  - Tea is 4 €", "  + Tea is 5 €", "  + Coffee is new"]
    newest, oldest = history(capsys, "News", data)["revisions"]
    assert list(newest) == [
        "id",
        "created_at",
        "kind",
        "final_url",
        "status",
        "text",
        "selector",
        "diff",
        "findings",
    ]
    assert (newest["id"], newest["kind"], newest["status"]) == (2, "content", 200)
    assert (newest["text"], newest["selector"]) == ("Tea is 5 €\nCoffee is new", "main")
    assert newest["diff"] == {
        "added": 2,
        "removed": 1,
        "unified": "--- before\n+++ after\n@@ -1 +1,2 @@\n-Tea is 4 €\n+Tea is 5 €\n+Coffee is new",
    }
    assert newest["findings"] == []
    assert (oldest["text"], oldest["diff"]) == ("Tea is 4 €", None)
    [told] = json.loads(ok(capsys, "notifications", "--json", *data))
    assert (told["title"], told["revision_id"]) == ("Change detected: News", 2)


def test_a_resources_tracker_says_what_was_added_and_what_got_weaker(server, capsys, data):
    server.route("/app.js", "app()", content_type="text/javascript")
    server.route("/shop", page("", '<script src="/app.js"></script>'))
    ok(capsys, "add", server.url("/shop"), "--name", "Shop", *data)
    ok(capsys, "check", "Shop", *data)
    other_site = server.url("/track.js", host="localhost")  # another site: third-party
    server.route("/track.js", "t()", content_type="text/javascript")
    server.route("/shop", page("", f'<script src="/app.js"></script><script src="{other_site}">'
                                   "</script>"))  # fmt: skip
    out = ok(capsys, "check", "Shop", *data)
    assert out.splitlines()[0] == "Shop: 1 added (revision 2)"
    assert f"  added script {other_site}" in out
    assert "  New weakness: a script now loads from a new third-party origin" in out
    newest = history(capsys, "Shop", data)["revisions"][0]
    assert newest["kind"] == "resources"
    assert [r["url"] for r in newest["scripts"]] == [server.url("/app.js"), other_site]
    assert all(list(r) == R_KEYS for r in newest["scripts"] + newest["styles"])
    assert newest["diff"]["added"] == 1
    assert [f["kind"] for f in newest["diff"]["findings"]] == ["new_third_party_origin"]


def test_a_headers_tracker_tells_a_new_weakness(server, capsys, data):
    csp = "default-src 'self'; script-src 'self'"
    server.route("/", page("hi"), headers={"Content-Security-Policy": csp})
    ok(capsys, "add", server.url("/"), "--name", "Site", "--kind", "headers", *data)
    assert ok(capsys, "check", "Site", *data).startswith("Site: first check: baseline kept")
    server.route("/", page("hi"), headers={"Content-Security-Policy": csp + " 'unsafe-inline'"})
    out = ok(capsys, "check", "Site", *data)
    assert out.splitlines()[0] == "Site: script-src gained 'unsafe-inline' (revision 2)"
    assert "  New weakness: script-src allows 'unsafe-inline'" in out
    newest = history(capsys, "Site", data)["revisions"][0]
    assert newest["kind"] == "headers"
    assert newest["headers"]["content-security-policy"].endswith("'unsafe-inline'")
    assert newest["csp"][0]["directives"]["script-src"] == ["'self'", "'unsafe-inline'"]
    assert "unsafe-inline" in {f["check"] for f in newest["findings"]}
    assert newest["diff"]["changes"] == ["script-src gained 'unsafe-inline'"]
    assert [f["check"] for f in newest["diff"]["new_findings"]] == ["unsafe-inline"]


def test_a_check_that_fails_exits_1_with_the_reason_and_keeps_nothing(server, capsys, data):
    server.route("/p", page("<p>x</p>"))
    ok(capsys, "add", server.url("/p"), "--name", "P", "--kind", "content", "--selector", "p",
       *data)  # fmt: skip
    ok(capsys, "check", "P", *data)
    server.route("/p", page("<div>no paragraph</div>"))
    code, out, err = run(capsys, "check", "P", *data)
    assert (code, out) == (1, "")
    assert err == (
        "desktop-tracker: error: the check of 'P' failed: the selector matched nothing: "
        "the page changed or the selector is wrong ('p')\n"
    )
    server.route("/p", status=503)
    code, _, err = run(capsys, "check", "P", *data)
    assert code == 1 and "503" in err
    assert len(history(capsys, "P", data)["revisions"]) == 1


def test_check_json_of_a_stored_tracker(server, capsys, data):
    server.route("/p", page("<p>one</p>"))
    ok(capsys, "add", server.url("/p"), "--name", "P", "--kind", "content", *data)
    first = json.loads(ok(capsys, "check", "P", "--json", *data))
    assert list(first) == ["tracker", "kind", "revision_id", "baseline", "summary", "diff", "check"]
    assert first["tracker"] == "P" and first["kind"] == "content"
    assert (first["revision_id"], first["baseline"], first["diff"]) == (1, True, None)
    assert first["check"]["text"] == "one"
    same = json.loads(ok(capsys, "check", "P", "--json", *data))
    assert (same["revision_id"], same["baseline"], same["diff"]) == (None, False, None)
    assert same["summary"] == "no change since the last check"
    server.route("/p", page("<p>two</p>"))
    changed = json.loads(ok(capsys, "check", "P", "--json", *data))
    assert (changed["revision_id"], changed["baseline"]) == (2, False)
    assert (changed["diff"]["added"], changed["diff"]["removed"]) == (1, 1)
    assert changed["summary"] == "1 line changed (revision 2)"


def test_options_for_checking_a_url_are_refused_with_a_name(server, capsys, data):
    ok(capsys, "add", server.url("/p"), "--name", "P", *data)
    for extra in (["--header", "Cookie: a=b"], ["--insecure"]):
        code, _, err = run(capsys, "check", "P", *extra, *data)
        assert code == 2 and "is for checking a URL" in err and "edit" in err
    assert server.requests == []


def test_name_option_checks_a_tracker_whose_name_reads_as_a_url(server, capsys, data):
    server.route("/p", page("<p>x</p>"))
    ok(capsys, "add", server.url("/p"), "--name", "data:feed", "--kind", "content", *data)
    code, _, err = run(capsys, "check", "data:feed", *data)
    assert code == 1 and "only http and https" in err  # a URL, by the rule
    assert ok(capsys, "check", "--name", "data:feed", *data).startswith("data:feed: first check")


def test_trackers_of_two_kinds_with_one_name_are_told_apart_by_kind(server, capsys, data):
    server.route("/p", page("<p>x</p>"))
    ok(capsys, "add", server.url("/p"), "--name", "Shop", *data)
    ok(capsys, "add", server.url("/p"), "--name", "Shop", "--kind", "headers", *data)
    code, _, err = run(capsys, "check", "Shop", *data)
    assert code == 2
    assert "2 trackers are named 'Shop' (resources, headers): say which with --kind KIND" in err
    assert ok(capsys, "check", "Shop", "--kind", "headers", *data).startswith("Shop: first check")
    code, _, err = run(capsys, "history", "Shop", *data)
    assert code == 2 and "--kind" in err
    [revision] = json.loads(ok(capsys, "history", "Shop", "--kind", "headers", "--json", *data))[
        "revisions"
    ]
    assert revision["kind"] == "headers"
    code, _, err = run(capsys, "history", "Shop", "--kind", "content", *data)
    assert code == 1 and "no content tracker is named 'Shop'" in err
