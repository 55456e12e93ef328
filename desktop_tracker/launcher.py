"""`desktop-tracker`: the desktop window, or a command of the command line.

The top of the layers: it alone knows both the GUI and the command line, so that neither has to
know the other. The command line decides (no command, or `run` without --headless, means the
window) and calls back here to open it.

It imports little itself: the command line's parser (which imports a command's module only when
that command runs), the self-test only when asked for, Qt only when the window opens, so that a
command starts in a fraction of a second.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop_tracker import qt_version
from desktop_tracker.cli import main as cli_main
from desktop_tracker.cli.common import EXIT_FAILED, fail

if TYPE_CHECKING:
    from pathlib import Path

# self_test.STEP_OPTION, written out so that starting does not import the self-test (a test
# checks that they agree).
STEP_OPTION = "--self-test-step"


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == [STEP_OPTION]:
        # A step of `--self-test` in a process of its own (the frozen app is its own
        # interpreter): no logging set up, nothing of the user's touched.
        from desktop_tracker import self_test

        return self_test.run_step(arguments[1:])
    return cli_main(arguments, open_window=open_window, self_test=run_self_test)


def run_self_test() -> int:
    from desktop_tracker import self_test

    return self_test.main()


def open_window(data_dir: Path, *, in_tray: bool = False) -> int:
    if not _display_available():
        # A server or a CI machine: Qt would abort without a screen. Do the app's main job,
        # the scheduler, and say so.
        print(
            "desktop-tracker: no display found (DISPLAY/WAYLAND_DISPLAY unset): running the "
            "scheduler without a window; stop it with Ctrl+C.",
            file=sys.stderr,
        )
        return cli_main(["run", "--headless", "--data-dir", str(data_dir)])
    try:
        from desktop_tracker.gui.app import run_gui
    except ImportError as error:  # Qt's system libraries missing on a server, say
        return fail(
            f"the desktop window cannot start ({error}); `run --headless` runs without one",
            EXIT_FAILED,
        )
    import logging

    logging.getLogger(__name__).info("the desktop window, on Qt %s", qt_version())
    return run_gui(data_dir, sys.argv[:1], in_tray=in_tray)


def _display_available() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True  # Windows and macOS always have a screen; a chosen Qt platform is trusted
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
