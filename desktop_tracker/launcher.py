"""`desktop-tracker`: the desktop window, or a command of the command line.

The top of the layers: it alone knows both the GUI and the command line, so that neither has to
know the other. The command line decides (no command, or `run` without --headless, means the
window) and calls back here to open it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from desktop_tracker.cli import main as cli_main
from desktop_tracker.cli.common import EXIT_FAILED, fail


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, open_window=open_window)


def open_window(data_dir: Path) -> int:
    try:
        from desktop_tracker.gui.app import run_gui
    except ImportError as error:  # Qt's system libraries missing on a server, say
        return fail(
            f"the desktop window cannot start ({error}); `run --headless` runs without one",
            EXIT_FAILED,
        )
    return run_gui(data_dir, sys.argv[:1])
