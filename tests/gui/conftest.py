"""Qt tests run offscreen: no display is needed, here or in CI.

`async def` tests here run inside the Qt loop through qasync (see tests/conftest.py); they take
the `qapp` fixture (pytest-qt) so the QApplication exists first. Fixtures below give a fresh
data directory and a private D-Bus per test (the local HTTP server, `server`, is every test's:
tests/conftest.py). The offscreen platform and the rest of what Qt reads from the environment
are set in tests/conftest.py, for every test.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from tests.support.dbus import dbus_daemon, private_session_bus


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def session_bus() -> Iterator[str]:
    """A private D-Bus session bus of the test's own (tests/support/dbus.py): its address.
    Nothing on it is started by activation; a service a test wants there takes its name."""
    if dbus_daemon() is None:
        pytest.skip("dbus-daemon is not installed: no private bus to test D-Bus delivery on")
    with private_session_bus() as address:
        yield address


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


@pytest.fixture
def keep_quit_setting(qapp: QApplication) -> Iterator[None]:
    """The app under test sets quit-on-last-window-closed for itself: put it back after."""
    before = qapp.quitOnLastWindowClosed()
    yield
    qapp.setQuitOnLastWindowClosed(before)
