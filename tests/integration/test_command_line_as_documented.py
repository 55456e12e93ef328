"""The app as a user drives it: the command line exactly as the README writes it, and the
tracker service, against a real server on 127.0.0.1.

"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shlex
from pathlib import Path

import pytest

from desktop_tracker.cli import build_parser, main
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.service.app import CommandServices
from desktop_tracker.service.trackers import TrackerService

R_KEYS = ["url", "inline", "digest", "size", "integrity", "integrity_ok", "third_party", "error"]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sri(data: bytes, algorithm: str = "sha384") -> str:
    return f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, data).digest()).decode()


def page(*tags: str) -> str:
    return "<!doctype html><html><head>" + "".join(tags) + "</head><body>x</body></html>"


@pytest.fixture(autouse=True)
def _no_default_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Whatever a command does without --data-dir lands here, never in the user's own data."""
    fallback = tmp_path / "fallback-data-dir"
    monkeypatch.setenv("DESKTOP_TRACKER_HOME", str(fallback))
    return fallback


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- the README's commands -----------------------------------------------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"


def documented_commands() -> list[list[str]]:
    """Each `desktop-tracker …` line of the README's command-line section, as words."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Command line") : text.index("The export format:")]
    blocks = "".join(re.findall(r"```sh\n(.*?)```", section, re.DOTALL)).replace("\\\n", " ")
    return [
        shlex.split(re.split(r"\s#\s", line)[0])
        for line in blocks.splitlines()
        if line.startswith("desktop-tracker ")
    ]


def subcommands() -> dict[str, argparse.ArgumentParser]:
    [action] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_command_and_option_the_readme_shows_exists():
    commands = subcommands()
    shown = documented_commands()
    assert {words[1] for words in shown} >= {
        "check", "add", "edit", "list", "history", "remove", "pause", "resume", "learn",
        "notifications", "export", "import", "schedule", "run", "autostart",
    }  # fmt: skip
    for words in shown:
        parser = commands[words[1]]
        known = {s for action in parser._actions for s in action.option_strings}
        for word in words[2:]:
            option = word.strip("[]").split("=")[0]
            if option.startswith("--"):
                assert option in known, (words, option)


def test_check_help_says_how_a_url_is_told_from_a_name(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "TARGET is a URL when it has :// in it or starts with a URL scheme" in said
    assert "anything else is the NAME of a stored tracker" in said


# -- check URL --json: the extraction rules --------------------------------------------


def test_check_json_follows_every_extraction_rule_in_document_order(server, capsys):
    js, css = b"x=1", b"p{}"
    for name in ("pre.js", "mod.js", "m.js", "proto.js", "a.js", "s256.js", "s512.js"):
        server.route(f"/sub/{name}", js, content_type="text/javascript")
    for name in ("a.css", "alt.css", "pre.css"):
        server.route(f"/sub/{name}", css, content_type="text/css")
    host = server.url("/").split("//", 1)[1].rstrip("/")
    server.route(
        "/page",
        page(
            '<base href="/sub/">',
            '<link rel="STYLESHEET" href="a.css">',
            '<link rel="Alternate StyleSheet" href="alt.css">',
            '<link rel=preload as=script href="pre.js">',
            '<link rel=preload as=style href="pre.css">',
            '<link rel=modulepreload href="mod.js">',
            '<script type="application/ld+json">{"a": 1}</script>',
            '<script type="module" src="m.js"></script>',
            "<script type=module>import './m.js';</script>",
            f'<script src="//{host}/sub/proto.js"></script>',
            '<script src="data:text/javascript;base64,YWxlcnQoMSk="></script>',
            '<script src="a.js"></script>',
            f'<script src="a.js" integrity="{sri(js)}"></script>',
            f'<script src="s256.js" integrity="{sri(js, "sha256")}"></script>',
            f'<script src="s512.js" integrity="{sri(b"other", "sha512")}"></script>',
            "<style>p{color:red}</style>",
            '<script src="/missing.js"></script>',
        ),
    )
    code, out, err = run(capsys, "check", server.url("/page"), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["url", "final_url", "status", "scripts", "styles"]
    assert data["status"] == 200
    assert all(list(r) == R_KEYS for r in data["scripts"] + data["styles"])
    sub = server.url("/sub/")
    assert [r["url"] for r in data["scripts"]] == [
        sub + "pre.js",
        sub + "mod.js",
        sub + "m.js",
        None,  # the inline module
        sub + "proto.js",
        None,  # the data: URL
        sub + "a.js",  # named twice, kept once
        sub + "s256.js",
        sub + "s512.js",
        server.url("/missing.js"),
    ]
    scripts = {r["url"]: r for r in data["scripts"]}
    assert data["scripts"][5]["digest"] == sha(b"alert(1)")
    assert data["scripts"][5]["inline"] is True
    assert scripts[sub + "a.js"]["integrity_ok"] is True
    assert scripts[sub + "s256.js"]["integrity_ok"] is True
    assert scripts[sub + "s512.js"]["integrity_ok"] is False
    missing = scripts[server.url("/missing.js")]
    assert (missing["digest"], missing["size"]) == ("", 0) and "404" in missing["error"]
    assert [r["url"] for r in data["styles"]] == [
        sub + "a.css",
        sub + "alt.css",
        sub + "pre.css",
        None,
    ]


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/", "javascript:alert(1)", "data:text/html,hi"],
)
def test_check_of_what_is_not_http_exits_1_with_the_error_on_stderr(url, capsys):
    code, out, err = run(capsys, "check", url, "--json")
    assert (code, out) == (1, "")
    assert "error" in err and "http" in err


def test_check_of_a_404_page_exits_1_with_the_error_on_stderr(server, capsys):
    code, out, err = run(capsys, "check", server.url("/nothing-here"), "--json")
    assert (code, out) == (1, "")
    assert "404" in err


# -- add / list / history / remove / export / import ----------------------------------------------


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--schedule", "61 * * * *"], "minute"),
        (["--schedule", "* * *"], "fields"),
        (["--tz", "Mars/Base"], "time zone"),
        (["--revisions", "0"], "revisions"),
        (["--retry", "bogus"], "retry"),
    ],
)
def test_add_refuses_bad_input_with_exit_2_and_saves_nothing(
    extra, words, server, tmp_path, capsys
):
    data = str(tmp_path / "d")
    code, _, err = run(capsys, "add", server.url("/p"), "--name", "A", *extra, "--data-dir", data)
    assert code == 2 and words in err
    assert run(capsys, "list", "--json", "--data-dir", data)[1].strip() == "[]"


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://x/", "javascript:alert(1)", "data:,x"]
)
def test_add_refuses_non_http_schemes(url, tmp_path, capsys):
    data = str(tmp_path / "d")
    code, _, err = run(capsys, "add", url, "--name", "A", "--data-dir", data)
    assert code == 2 and "url" in err


def test_export_import_round_trips_exactly_with_every_field(server, tmp_path, capsys):
    first, second = str(tmp_path / "one"), str(tmp_path / "two")
    export_one, export_two = tmp_path / "one.json", tmp_path / "two.json"
    for args in (
        ["--name", "Shop", "--schedule", "*/30 * * * *", "--tz", "Europe/Paris", "--revisions",
         "20", "--header", "Cookie: a=b", "--retry",
         "exponential,attempts=4,initial=1m,multiplier=2,max=30m"],
        ["--name", "Ünï <b>x</b>", "--schedule", "@every 15m", "--tz", "America/New_York",
         "--ignore", r"a\.js", "--no-notify", "--insecure"],
        ["--name", "Once", "--schedule", "once 2030-01-01T09:00", "--tz", "Asia/Tokyo",
         "--retry", "linear,attempts=4,initial=1m,increment=1m,max=10m"],
        ["--name", "Sec", "--schedule", "*/10 * * * * *", "--tz", "UTC", "--retry",
         "constant,attempts=3,interval=5m"],
    ):  # fmt: skip
        code, _, err = run(capsys, "add", server.url("/p"), *args, "--data-dir", first)
        assert code == 0, err
    assert run(capsys, "export", str(export_one), "--data-dir", first)[0] == 0
    assert run(capsys, "import", str(export_one), "--data-dir", second)[0] == 0
    assert run(capsys, "export", str(export_two), "--data-dir", second)[0] == 0
    assert export_one.read_text() == export_two.read_text()
    # Importing again clashes on every name: refused with exit 2, nothing added.
    code, _, err = run(capsys, "import", str(export_one), "--data-dir", second)
    assert code == 2 and "Nothing was imported" in err
    assert len(json.loads(run(capsys, "list", "--json", "--data-dir", second)[1])) == 4


def test_data_dir_before_the_command_is_the_one_used(
    server, tmp_path, capsys, _no_default_data_dir
):
    data = tmp_path / "chosen"
    code, _, err = run(capsys, "--data-dir", str(data), "add", server.url("/p"), "--name", "A")
    assert code == 0, err
    assert not (_no_default_data_dir / "desktop-tracker.sqlite3").exists()
    names = [
        t["name"] for t in json.loads(run(capsys, "list", "--json", "--data-dir", str(data))[1])
    ]
    assert names == ["A"]


def test_a_tracker_that_skips_tls_verification_is_shown_with_a_warning(server, tmp_path, capsys):
    data = str(tmp_path / "d")
    code, out, err = run(
        capsys, "add", server.url("/p"), "--name", "A", "--insecure", "--data-dir", data
    )
    assert code == 0
    added = (out + err).lower()
    _, listed, _ = run(capsys, "list", "--data-dir", data)
    assert "tls" in added or "certificate" in added
    assert "tls" in listed.lower() or "certificate" in listed.lower()


# -- revisions and findings -----------------------------------------------------------------------


class Env:
    """The trackers service as a command opens it: on a data directory, no scheduler."""

    def __init__(self, tmp_path: Path) -> None:
        self.services = CommandServices(tmp_path / "data")
        self.service: TrackerService

    async def __aenter__(self) -> Env:
        await self.services.open()
        assert self.services.trackers is not None
        self.service = self.services.trackers
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.services.close()

    async def check(self, tracker: Tracker) -> None:
        assert tracker.id is not None
        await self.service.check_once(tracker.id)


async def test_an_integrity_attribute_removed_from_the_same_bytes_is_a_finding(server, tmp_path):
    lib = b"lib()"
    server.route("/lib.js", lib, content_type="text/javascript")
    server.route("/shop", page(f'<script src="/lib.js" integrity="{sri(lib)}"></script>'))
    async with Env(tmp_path) as env:
        tracker = await env.service.add(Tracker("Shop", server.url("/shop")))
        await env.check(tracker)
        server.route("/shop", page('<script src="/lib.js"></script>'))
        await env.check(tracker)
        newest = (await env.service.history(tracker.id))[0]
        assert newest.diff is not None
        assert [f.check for f in newest.diff.findings] == ["integrity_removed"]
        assert len(await env.service.notifications()) == 1


async def test_a_stylesheets_integrity_broken_is_a_finding(server, tmp_path):
    css = b"p{}"
    server.route("/site.css", css, content_type="text/css")
    server.route("/shop", page(f'<link rel=stylesheet href="/site.css" integrity="{sri(css)}">'))
    async with Env(tmp_path) as env:
        tracker = await env.service.add(Tracker("Shop", server.url("/shop")))
        await env.check(tracker)
        wrong = sri(b"something else")
        server.route("/shop", page(f'<link rel=stylesheet href="/site.css" integrity="{wrong}">'))
        await env.check(tracker)
        newest = (await env.service.history(tracker.id))[0]
        assert newest.diff is not None
        assert [f.check for f in newest.diff.findings] == ["integrity_mismatch"]
