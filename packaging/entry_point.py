"""The script PyInstaller freezes: `desktop-tracker`, as the wheel's console script runs it.

It lives here and imports the *installed* package (build.py runs PyInstaller in a clean venv
with the project installed normally, and never from the repository root), so the bundle holds
exactly what the wheel declares.
"""

import sys

from desktop_tracker.launcher import main

if __name__ == "__main__":
    sys.exit(main())
