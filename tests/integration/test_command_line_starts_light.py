"""The command line starts quickly because it imports little: `--help` no command, a command its
own module alone, `schedule` no database, network, HTML parser or Qt (the issue: "starts in
<= 0.2 s"). What is imported is checked, in a fresh interpreter, rather than how long it takes:
that is what could quietly break, and it does not depend on the machine's load
(tests/bench/bench_cli.py times it).

And the lazy parser is the same parser: every command's help reads as when all are built.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap

import pytest

from desktop_tracker import launcher, self_test
from desktop_tracker.cli import COMMANDS, build_parser, main

# Heavy, or not needed before a command asks for it.
NEVER_AT_START = (
    "PySide6",
    "shiboken6",
    "qasync",
    "httpx",
    "httpcore",
    "sqlite3",
    "_sqlite3",
    "selectolax",
    "publicsuffixlist",
    "charset_normalizer",
    "jeepney",
    "desktop_tracker.gui",
    "desktop_tracker.service",
    "desktop_tracker.store",
    "desktop_tracker.tracking",
    "desktop_tracker.kinds",
    "desktop_tracker.domain",
    "desktop_tracker.self_test",
    "desktop_tracker.autostart",
    "desktop_tracker.core.scheduler",
)
COMMAND_MODULES = sorted({f"desktop_tracker.cli.{module}" for _, module, _ in COMMANDS})


def modules_after(*argv: str, tmp_path) -> tuple[int, set[str], str]:
    """Exit code, the modules loaded and the output of `desktop-tracker ARGV`, run as the
    entry point runs it, in a fresh interpreter."""
    script = textwrap.dedent(
        """
        import contextlib, io, json, sys
        from desktop_tracker.launcher import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                code = main(sys.argv[1:])
            except SystemExit as exit:
                code = exit.code or 0
        print(json.dumps({"code": code, "modules": sorted(sys.modules), "out": out.getvalue()}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DESKTOP_TRACKER_HOME": str(tmp_path / "home")},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    return result["code"], set(result["modules"]), result["out"]


def loaded(modules: set[str], names: tuple[str, ...] | list[str]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.slow
def test_help_imports_no_command_and_nothing_heavy(tmp_path):
    code, modules, out = modules_after("--help", tmp_path=tmp_path)
    assert code == 0 and "schedule" in out and "autostart" in out
    assert loaded(modules, NEVER_AT_START) == []
    assert loaded(modules, COMMAND_MODULES) == []
    assert loaded(modules, ["desktop_tracker.core.schedules", "cron_descriptor", "logging"]) == []


@pytest.mark.slow
def test_schedule_imports_its_own_module_and_no_database_network_or_qt(tmp_path):
    code, modules, out = modules_after(
        "schedule", "*/5 * * * *", "--tz", "UTC", "--count", "2", tmp_path=tmp_path
    )
    assert code == 0 and out.startswith("Every 5 minutes (UTC)\n")
    assert loaded(modules, NEVER_AT_START) == []
    assert loaded(modules, COMMAND_MODULES) == ["desktop_tracker.cli.schedule"]


@pytest.mark.slow
def test_a_command_that_only_reads_the_data_file_imports_no_network_stack_or_qt(tmp_path):
    data = str(tmp_path / "data")
    code, modules, out = modules_after("list", "--json", "--data-dir", data, tmp_path=tmp_path)
    assert code == 0 and out.strip() == "[]"
    network_and_qt = ("httpx", "httpcore", "desktop_tracker.tracking", "PySide6", "qasync")
    assert loaded(modules, network_and_qt) == []


@pytest.mark.slow
def test_a_commands_help_imports_that_command_and_nothing_heavy(tmp_path):
    code, modules, out = modules_after("autostart", "--help", tmp_path=tmp_path)
    assert code == 0 and "{on,off,status}" in out
    assert loaded(modules, COMMAND_MODULES) == ["desktop_tracker.cli.autostart"]
    assert loaded(modules, [m for m in NEVER_AT_START if m != "desktop_tracker.autostart"]) == []


def test_the_launcher_knows_the_self_tests_step_option():
    assert launcher.STEP_OPTION == self_test.STEP_OPTION


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_command_is_built_by_its_module_with_a_handler():
    built = subparsers(build_parser())
    assert list(built) == [name for name, _, _ in COMMANDS]
    for name, parser in built.items():
        assert callable(parser.get_default("handler")), name


@pytest.mark.parametrize("name", [name for name, _, _ in COMMANDS])
def test_a_commands_help_is_the_same_built_lazily(name, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    expected = subparsers(build_parser())[name].format_help()
    with pytest.raises(SystemExit) as exit:
        main([name, "--help"])
    assert exit.value.code == 0
    assert capsys.readouterr().out == expected


def test_the_top_level_help_is_the_same_built_lazily(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    expected = build_parser().format_help()
    with pytest.raises(SystemExit):
        main(["--help"])
    assert capsys.readouterr().out == expected
    assert build_parser(lazy=True).format_help() == expected


def test_a_lazy_parser_reads_options_before_and_after_the_command(tmp_path):
    args = build_parser(lazy=True).parse_args(
        ["--data-dir", str(tmp_path), "schedule", "@daily", "--count", "3"]
    )
    assert (args.command, args.expression, args.count, args.data_dir) == (
        "schedule",
        "@daily",
        3,
        str(tmp_path),
    )
    args = build_parser(lazy=True).parse_args(["list", "--data-dir", "elsewhere", "--json"])
    assert (args.command, args.json, args.data_dir) == ("list", True, "elsewhere")
