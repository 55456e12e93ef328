"""PySide6 6.12.0 on CPython 3.11 leaks a reference to None on every void call and aborts the
process after a few thousand. The pinned version must survive many."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
widget = QWidget()
before = sys.getrefcount(None)
for _ in range(20_000):
    widget.setEnabled(True)
    widget.setToolTip("x")
print(sys.getrefcount(None) - before)
"""


def test_twenty_thousand_void_calls_neither_crash_nor_leak_none():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", "import sys\n" + SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) < 1000
