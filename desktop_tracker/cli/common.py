"""What every command shares: exit codes and how errors are printed."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def fail(message: str, code: int) -> int:
    """Print the error for the user on stderr and return the exit code."""
    print(f"desktop-tracker: error: {message}", file=sys.stderr)
    return code
