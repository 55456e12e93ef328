"""The one build of the frozen app that the packaging tests share: built once per test run.

`python packaging/build.py --json` (a clean venv, `pip install .`, PyInstaller, the tar.gz and
the .deb) takes about a minute here, plus downloads on a fresh machine. To test a build made
already, point DESKTOP_TRACKER_BUILD_JSON at the JSON that `build.py --json` printed.
"""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 1500  # a fresh machine downloads PySide6 and PyInstaller first


@pytest.fixture(scope="session")
def frozen_build() -> dict[str, Any]:
    if not sys.platform.startswith("linux"):
        pytest.skip("the packaging tests build the Linux app")
    given = os.environ.get("DESKTOP_TRACKER_BUILD_JSON")
    if given:
        return json.loads(Path(given).read_text(encoding="utf-8"))
    # The tests' isolated home has an empty cache: keep pip's cache the user's, so a second run
    # does not download PySide6 again (what is cached is wheels from PyPI, nothing of the app's).
    cache = Path(pwd.getpwuid(os.getuid()).pw_dir) / ".cache" / "pip"
    env = {**os.environ, "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(cache))}
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py"), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    assert result.returncode == 0, (
        f"build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return json.loads(result.stdout)
