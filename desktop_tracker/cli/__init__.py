"""The command line: `desktop-tracker COMMAND …`, over the same services as the GUI.

It starts quickly: `--help` imports no command, and a command imports its own module alone
(`schedule` needs no database, no network and no Qt). Each command's line in `--help` is written
here; its module adds its options when the command is parsed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from desktop_tracker import version_text
from desktop_tracker.cli.common import EXIT_FAILED, data_dir_option, fail

if TYPE_CHECKING:
    from desktop_tracker.cli.run import WindowOpener

SelfTest = Callable[[], int]

# Every command, in the order of `--help`: its name, the module of desktop_tracker.cli that
# adds its options (`add_parsers`) and runs it, and its line in `--help`.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("schedule", "schedule", "describe a schedule and print its next due times"),
    ("run", "run", "run the scheduler"),
    ("check", "check", "check a page once (writing nothing), or a stored tracker now"),
    ("add", "trackers", "add a tracker"),
    ("edit", "edit", "change a tracker's settings"),
    ("list", "trackers", "list trackers"),
    ("remove", "trackers", "remove a tracker and its history"),
    ("pause", "trackers", "stop checking: one tracker, or --all"),
    ("resume", "trackers", "check again on schedule: one tracker, or --all"),
    ("history", "history", "a tracker's revisions, diffs, findings and runs"),
    ("notifications", "history", "what the trackers told, newest first"),
    ("learn", "learn", "propose mask rules for what changes by itself on a tracker's page"),
    ("export", "transfer", "write every tracker as JSON"),
    ("import", "transfer", "add the trackers of an export (all or none)"),
    ("autostart", "autostart", "start the app at login, in the tray: on, off or status"),
)
_MODULES = {name: module for name, module, _ in COMMANDS}


class _VersionAction(argparse.Action):
    """--version: "desktop-tracker X.Y.Z" first (scripts read it), then the build's facts, as
    written; argparse's own version action would reflow the lines into one."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        if sys.stdout is not None:  # None in a windowed build
            print(version_text())
        parser.exit()


class _CommandParsers:
    """What a command's module adds its parser through (`common.Parsers`): the parser already
    made for that name, given the module's description."""

    def __init__(self, parsers: dict[str, argparse.ArgumentParser], module: str) -> None:
        self._parsers = parsers
        self._module = module

    def add_parser(self, name: str, *, description: str | None = None) -> argparse.ArgumentParser:
        if _MODULES.get(name) != self._module:
            raise LookupError(f"cli.{self._module} adds {name!r}, which COMMANDS does not give it")
        parser = self._parsers[name]
        parser.description = description
        return parser


class _Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """The subcommands, whose options are added when one of them is parsed (or by `complete`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._completed: set[str] = set()  # modules whose parsers have their options

    def complete(self, name: str) -> None:
        """Give the command `name` (and the others of its module) their options."""
        module = _MODULES[name]
        if module in self._completed:
            return
        self._completed.add(module)
        _command_module(module).add_parsers(_CommandParsers(self._name_parser_map, module))

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if values and values[0] in _MODULES:  # else argparse says it is not a command
            self.complete(values[0])
        super().__call__(parser, namespace, values, option_string)


def _command_module(module: str) -> ModuleType:
    # Written out rather than importlib.import_module(name): PyInstaller finds the modules a
    # frozen build holds by reading the imports.
    match module:
        case "schedule":
            from desktop_tracker.cli import schedule as commands
        case "run":
            from desktop_tracker.cli import run as commands
        case "check":
            from desktop_tracker.cli import check as commands
        case "trackers":
            from desktop_tracker.cli import trackers as commands
        case "edit":
            from desktop_tracker.cli import edit as commands
        case "history":
            from desktop_tracker.cli import history as commands
        case "learn":
            from desktop_tracker.cli import learn as commands
        case "transfer":
            from desktop_tracker.cli import transfer as commands
        case "autostart":
            from desktop_tracker.cli import autostart as commands
        case _:
            raise LookupError(f"no command module {module!r}")
    return commands


def build_parser(*, lazy: bool = False) -> argparse.ArgumentParser:
    """The command line's parser, every command with its options; `lazy`: a command's options
    are added (and its module imported) only when it is parsed."""
    parser = argparse.ArgumentParser(
        prog="desktop-tracker",
        description="Watch web pages on cron schedules and hear when they change.",
    )
    parser.add_argument(
        "--version", action=_VersionAction, help="show the version, platform and build, and exit"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this copy of the app works (in a temporary data directory) and exit",
    )
    data_dir_option(parser, before_command=True)  # and after the command, where it is used
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", action=_Commands)
    for name, _, help_text in COMMANDS:
        commands.add_parser(name, help=help_text)
    if not lazy:
        for name in _MODULES:
            commands.complete(name)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    open_window: WindowOpener | None = None,
    self_test: SelfTest | None = None,
) -> int:
    """Run a command; with none, open the desktop window through `open_window`; --self-test
    runs `self_test` (the launcher passes both: the command line itself knows nothing of the
    GUI)."""
    parser = build_parser(lazy=True)
    args = parser.parse_args(argv)
    if args.self_test:
        if self_test is None:
            return fail("the self-test is not available here", EXIT_FAILED)
        return self_test()
    args.window_opener = open_window
    handler = getattr(args, "handler", None)
    if handler is None:
        from desktop_tracker.cli import run

        return run.open_window(args.data_dir, open_window)  # no command: the desktop app
    result: int = handler(args)
    return result
