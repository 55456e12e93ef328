"""`add` with kinds, `edit` (what is given changes, nothing else, checked as add checks it),
`pause` and `resume` (one tracker or all)."""

from __future__ import annotations

import json

import pytest

from desktop_tracker.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out


def listed(capsys: pytest.CaptureFixture[str], data: list[str]) -> dict[str, dict]:
    return {row["name"]: row for row in json.loads(ok(capsys, "list", "--json", *data))}


def exported(capsys: pytest.CaptureFixture[str], data: list[str]) -> dict[str, dict]:
    return {t["name"]: t for t in json.loads(ok(capsys, "export", *data))["trackers"]}


# -- add ------------------------------------------------------------------------------------------


def test_add_takes_each_kinds_options_and_list_shows_them(capsys, data):
    out = ok(capsys, "add", "https://a.test/", "--name", "Text", "--kind", "content",
             "--selector", "main", "--additions-only", "--mask", r"\d+ views",
             "--ignore", "^Ad:", *data)  # fmt: skip
    assert out.startswith("added content tracker 'Text'")
    ok(capsys, "add", "https://a.test/", "--name", "Sec", "--kind", "headers",
       "--watch-header", "X-Powered-By", *data)  # fmt: skip
    ok(capsys, "add", "https://a.test/", "--name", "Res", *data)
    rows = listed(capsys, data)
    assert list(rows["Text"]) == [
        "id", "name", "kind", "url", "schedule", "timezone", "description", "revisions",
        "enabled", "notify", "verify_tls", "headers", "ignore", "mask", "options",
        "next_check", "last_check", "unread",
    ]  # fmt: skip
    assert (rows["Text"]["kind"], rows["Text"]["options"]) == (
        "content",
        {"selector": "main", "additions_only": True},
    )
    assert (rows["Text"]["mask"], rows["Text"]["ignore"]) == ([r"\d+ views"], ["^Ad:"])
    assert (rows["Sec"]["kind"], rows["Sec"]["options"]) == (
        "headers",
        {"headers": ["x-powered-by"]},
    )
    assert (rows["Res"]["kind"], rows["Res"]["options"], rows["Res"]["mask"]) == (
        "resources",
        {},
        [],
    )
    text = ok(capsys, "list", *data)
    assert "Text  [content]  https://a.test/" in text and "Sec  [headers]" in text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--selector", "main"], "--selector is for content trackers, not resources ones "
         "(the default kind): add --kind content"),
        (["--kind", "headers", "--additions-only"], "--additions-only is for content trackers, "
         "not headers ones: add --kind content"),
        (["--kind", "content", "--watch-header", "X-A"], "--watch-header is for headers trackers"),
        (["--kind", "content", "--selector", "p[["], "options: selector: "),
        (["--kind", "headers", "--watch-header", "Set-Cookie"], "cookies are always watched"),
        (["--mask", "(unclosed"], "mask: mask rule '(unclosed' is not a regular expression"),
    ],
)  # fmt: skip
def test_add_refuses_options_of_another_kind_and_bad_ones(capsys, data, args, words):
    code, out, err = run(capsys, "add", "https://a.test/", "--name", "A", *args, *data)
    assert (code, out) == (2, ""), err
    assert words in err
    assert listed(capsys, data) == {}


# -- edit -----------------------------------------------------------------------------------------


def test_edit_changes_only_what_is_given_and_says_what(capsys, data):
    ok(capsys, "add", "https://a.test/", "--name", "Shop", "--schedule", "@daily", "--tz",
       "Europe/Paris", "--header", "Cookie: a=SECRET1", "--ignore", r"ads\.js", *data)  # fmt: skip
    before = exported(capsys, data)["Shop"]
    out = ok(capsys, "edit", "Shop", "--schedule", "*/30 * * * *", "--mask", r"\?v=\d+", *data)
    assert out.splitlines() == [
        "changed resources tracker 'Shop':",
        "  schedule: @daily → */30 * * * *",
        r"  mask rules: none → '\?v=\d+'",
        "  it now runs: Every 30 minutes (Europe/Paris)",
    ]
    after = exported(capsys, data)["Shop"]
    assert after == {**before, "schedule": "*/30 * * * *", "mask": [r"\?v=\d+"]}


def test_edit_every_field(capsys, data):
    ok(capsys, "add", "https://a.test/", "--name", "Shop", "--header", "Cookie: a=SECRET1",
       "--header", "X-Token: SECRET2", "--mask", "old", *data)  # fmt: skip
    out = ok(
        capsys, "edit", "Shop", "--name", "Store", "--url", "https://b.test/x", "--tz",
        "Asia/Tokyo", "--revisions", "3", "--retry", "constant,attempts=3,interval=5m", "--header",
        "cookie: b=SECRET3", "--clear-mask", "--mask", "new", "--ignore", "x", "--no-notify",
        "--insecure", *data,
    )  # fmt: skip
    lines = out.splitlines()
    assert lines[0] == "changed resources tracker 'Shop':"
    assert "  name: 'Shop' → 'Store'" in lines
    assert "  url: https://a.test/ → https://b.test/x" in lines
    assert "  time zone: UTC → Asia/Tokyo" in lines
    assert "  it now runs: Manually (only Check now)" in lines
    assert "  revisions kept: 10 → 3" in lines
    assert "  retry: none → constant, 3 attempts (waits 5m, 5m)" in lines
    assert (
        "  request headers: Cookie, X-Token (values not shown) → X-Token, cookie (values not shown)"
        in lines
    )
    assert "  mask rules: 'old' → 'new'" in lines
    assert "  ignore rules: none → 'x'" in lines
    assert "  notify: yes → no" in lines
    assert "  verify TLS certificates: yes → no" in lines
    assert not any(secret in out for secret in ("SECRET1", "SECRET2", "SECRET3"))
    store = exported(capsys, data)["Store"]
    assert store["headers"] == {"X-Token": "SECRET2", "cookie": "b=SECRET3"}
    assert (store["mask"], store["ignore"], store["verify_tls"]) == (["new"], ["x"], False)
    assert store["retry"] == {"strategy": "constant", "attempts": 3, "initial": 300.0}


def test_edit_a_content_and_a_headers_tracker_options(capsys, data):
    ok(capsys, "add", "https://a.test/", "--name", "T", "--kind", "content", *data)
    out = ok(capsys, "edit", "T", "--selector", "article", "--additions-only", *data)
    assert "  selector: none (the whole page) → 'article'" in out
    assert "  notify on additions only: no → yes" in out
    ok(capsys, "edit", "T", "--no-selector", "--all-changes", *data)
    assert exported(capsys, data)["T"]["options"] == {"selector": None, "additions_only": False}
    ok(capsys, "add", "https://a.test/", "--name", "H", "--kind", "headers", *data)
    out = ok(capsys, "edit", "H", "--watch-header", "Server", "--watch-header", "X-A", *data)
    assert "  headers watched besides the security headers: none → server, x-a" in out
    ok(capsys, "edit", "H", "--clear-watch-headers", *data)
    assert exported(capsys, data)["H"]["options"] == {"headers": []}


def test_edit_with_the_same_values_changes_nothing(capsys, data):
    ok(capsys, "add", "https://a.test/", "--name", "A", "--schedule", "@hourly", *data)
    assert ok(capsys, "edit", "A", "--schedule", "@hourly", *data) == (
        "nothing changed: 'A' already is as given\n"
    )


@pytest.mark.parametrize(
    ("args", "words", "code"),
    [
        ([], "say what to change", 2),
        (["--schedule", "0 0 31 2 *"], "never", 2),
        (["--url", "ftp://a.test/"], "url: only http and https", 2),
        (["--revisions", "0"], "revisions: keep between 1 and 100", 2),
        (["--retry", "sometimes"], "retry", 2),
        (["--tz", "Mars/Base"], "time zone", 2),
        (["--header", "no colon"], 'must have the form "Name: value"', 2),
        (["--selector", "main"], "--selector is for content trackers, and 'A' is a resources", 2),
        (["--watch-header", "X-A"], "--watch-header is for headers trackers", 2),
        (["--mask", "("], "mask: mask rule '(' is not a regular expression", 2),
        (["--name", "B"], "exists already", 2),
    ],
)
def test_edit_refuses_what_add_refuses_and_changes_nothing(capsys, data, args, words, code):
    ok(capsys, "add", "https://a.test/", "--name", "A", *data)
    ok(capsys, "add", "https://b.test/", "--name", "B", *data)
    before = exported(capsys, data)
    got, out, err = run(capsys, "edit", "A", *args, *data)
    assert (got, out) == (code, ""), err
    assert words in err
    assert exported(capsys, data) == before


def test_edit_of_an_unknown_tracker_names_those_there_are(capsys, data):
    ok(capsys, "add", "https://a.test/", "--name", "Alpha", *data)
    code, _, err = run(capsys, "edit", "Beta", "--schedule", "@daily", *data)
    assert code == 1 and "no tracker is named 'Beta' (trackers: Alpha)" in err


def test_edit_insecure_says_the_warning(capsys, data):
    ok(capsys, "add", "https://a.test/", "--name", "A", *data)
    code, _, err = run(capsys, "edit", "A", "--insecure", *data)
    assert code == 0 and "TLS verification is off" in err
    ok(capsys, "edit", "A", "--verify-tls", *data)
    assert listed(capsys, data)["A"]["verify_tls"] is True


# -- pause and resume -----------------------------------------------------------------------------


def test_pause_and_resume_all_say_what_they_did(capsys, data):
    for name in ("A", "B", "C"):
        ok(capsys, "add", "https://a.test/", "--name", name, "--schedule", "@hourly", *data)
    assert ok(capsys, "pause", "B", *data) == (
        "paused 'B': not checked until `desktop-tracker resume B`\n"
    )
    assert listed(capsys, data)["B"]["next_check"] is None
    assert ok(capsys, "pause", "B", *data) == "'B' is already paused\n"
    assert ok(capsys, "pause", "--all", *data).splitlines() == [
        "paused 'A': not checked until `desktop-tracker resume A`",
        "paused 'C': not checked until `desktop-tracker resume C`",
        "'B' is already paused",
    ]
    rows = listed(capsys, data)
    assert [row["enabled"] for row in rows.values()] == [False, False, False]
    assert all(row["next_check"] is None for row in rows.values())
    assert "paused; Every hour" in ok(capsys, "list", *data)
    assert ok(capsys, "resume", "A", *data).startswith("resumed 'A': Every hour")
    resumed = ok(capsys, "resume", "--all", *data).splitlines()
    assert [line.partition(":")[0] for line in resumed] == [
        "resumed 'B'",
        "resumed 'C'",
        "'A' is already active",
    ]
    rows = listed(capsys, data)
    assert all(row["enabled"] and row["next_check"] for row in rows.values())


def test_pause_all_of_one_kind(capsys, data):
    ok(capsys, "add", "https://a.test/", "--name", "R", *data)
    ok(capsys, "add", "https://a.test/", "--name", "H", "--kind", "headers", *data)
    assert ok(capsys, "pause", "--all", "--kind", "headers", *data).startswith("paused 'H'")
    assert {name: row["enabled"] for name, row in listed(capsys, data).items()} == {
        "R": True,
        "H": False,
    }


def test_pause_with_no_trackers_and_pause_without_a_name(capsys, data):
    assert ok(capsys, "pause", "--all", *data) == "no trackers to pause\n"
    code, _, err = run(capsys, "pause", *data)
    assert code == 2 and "say which tracker: pause NAME, or pause --all" in err
    code, _, err = run(capsys, "resume", "A", "--all", *data)
    assert code == 2 and "not both" in err
    code, _, err = run(capsys, "resume", "A", *data)
    assert code == 1 and "no tracker is named 'A'" in err
