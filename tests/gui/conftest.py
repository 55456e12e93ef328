"""Qt tests run offscreen: no display is needed, here or in CI.

`async def` tests here run inside the Qt loop through qasync (see tests/conftest.py); they take
the `qapp` fixture (pytest-qt) so the QApplication exists first. Fixtures below give a fresh
data directory and a local HTTP server per test.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")  # qasync picks the first binding it finds otherwise

from tests.support.http_server import LocalServer


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local
