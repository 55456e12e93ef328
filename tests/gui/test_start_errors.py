"""The desktop app that cannot start says why in a window, in words (someone who opened it from a
menu never sees stderr), exits non-zero, and leaves the data file as it was."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_tracker.data_dir import DATABASE_NAME
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.app import DesktopApp
from desktop_tracker.gui.single_instance import server_name
from desktop_tracker.store import tracker_repository as repo
from desktop_tracker.store.database import Database
from tests.support.damaged_database import overwrite_table_page
from tests.support.desktop_app import until


def shown_message() -> QMessageBox | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            return widget
    return None


async def start_and_read_the_message(data_dir: Path) -> tuple[int, str]:
    # As run_gui does: closing the message must not quit Qt under the test's loop.
    QApplication.instance().setQuitOnLastWindowClosed(False)  # type: ignore[union-attr]
    app = DesktopApp(data_dir, server_name(data_dir))
    task = asyncio.ensure_future(app.run())
    try:
        box = await until(shown_message)
    except AssertionError:  # it started instead: stop it cleanly, then fail
        app.quit.set()
        await asyncio.wait_for(task, 30)
        raise
    text = box.text()
    box.accept()
    return await asyncio.wait_for(task, 10), text


def random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(8).randbytes(64 * 1024))


def trackers_page_overwritten(path: Path) -> None:
    """Damage that the start used to miss: it reads only the jobs' timings at first."""
    database = Database(path)
    for n in range(3):
        tracker = Tracker(f"T{n}", f"https://{n}.test/", schedule="@daily", timezone="UTC")
        database.call(lambda c, t=tracker: repo.insert_tracker(c, t.validated()), write=True)
    database.close()
    overwrite_table_page(path, "trackers")


@pytest.mark.parametrize("damage", [random_bytes, trackers_page_overwritten])
async def test_a_damaged_data_file_is_shown_in_words_at_start(qapp, data_dir, damage):
    data_dir.mkdir()
    damage(data_dir / DATABASE_NAME)
    before = (data_dir / DATABASE_NAME).read_bytes()
    code, text = await start_and_read_the_message(data_dir)
    assert code == 1
    assert text.startswith("desktop_tracker cannot start.")
    assert "is damaged or is not a desktop_tracker database" in text
    assert "move the file aside" in text and "Traceback" not in text
    assert (data_dir / DATABASE_NAME).read_bytes() == before


async def test_a_data_dir_that_is_a_file_is_shown_in_words_at_start(qapp, tmp_path):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("mine")
    code, text = await start_and_read_the_message(not_a_folder)
    assert code == 1
    assert f"the data directory {not_a_folder} is a file, not a folder" in text
    assert "pass --data-dir with a folder" in text and "Errno" not in text
    assert not_a_folder.read_text() == "mine"
