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


@pytest.fixture(autouse=True)
def _no_window_outlives_its_test(qapp):  # type: ignore[no-untyped-def]
    """Close and delete what a test left open, while its objects are still whole.

    pytest-qt processes Qt events around every later test, unit tests included; a timer or a
    deferred delete of a window left from a GUI test, fired then, crashed the interpreter.
    """
    yield
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    gc.collect()
