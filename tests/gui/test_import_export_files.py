"""Import and export from the main window: the command line's reader and writer
(service/export_format.py). A bad file is refused in words, in the window, and nothing is
imported; an export is readable by the user alone, since it holds the request headers."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from desktop_tracker.domain.trackers import Tracker
from tests.support.desktop_app import Running, until

FORMAT = '{"format": "desktop-tracker/trackers", "version": 1, "trackers": [%s]}'
GOOD = '{"name": "Shop", "url": "https://shop.test/"}'


async def import_file(running: Running, path: Path) -> str:
    """Import `path` as the file dialog would; the message shown, "" when there is none."""
    window = running.window
    window.clear_error()
    before = window.statusBar().currentMessage()
    window._import_from(str(path))
    await until(lambda: window.message.isVisible() or window.statusBar().currentMessage() != before)
    return window.message.text() if window.message.isVisible() else ""


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"\xff\xfe{}", "is not UTF-8 text: the byte at offset 0 cannot be read"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply to read"),
        (b'{"format": "desktop-tracker/trackers", "format": 1}', "twice in one object"),
        (b"{not json", "is not JSON"),
        (
            (
                FORMAT % f'{GOOD}, {{"name": "B", "url": "https://b.test/", "enabled": "false"}}'
            ).encode(),
            "tracker 2 ('B'): enabled: expected true or false, found the text 'false'",
        ),
        (
            (FORMAT % ('{"name": "%s", "url": "https://b.test/"}' % ("n" * 5_000_000))).encode(),
            "(5,000,000 characters)",
        ),
    ],
    ids=["not-utf8", "deep-nesting", "duplicate-key", "not-json", "wrong-type", "huge-name"],
)
async def test_a_bad_file_is_refused_in_words_and_nothing_is_imported(
    qapp, data_dir, tmp_path, content, said
):
    path = tmp_path / "trackers.json"
    path.write_bytes(content)
    running = await Running(data_dir).start()
    try:
        message = await import_file(running, path)
        assert said in message
        assert message.startswith("⚠ Import failed: ") and "nothing was imported" in message
        assert len(message) < 400  # input is quoted short, whatever its size
        assert "Traceback" not in message and "codec" not in message
        assert await running.app.services.trackers.all() == []
        assert running.rows() == []
    finally:
        assert await running.quit() == 0


async def test_a_missing_or_oversized_file_is_refused_too(qapp, data_dir, tmp_path, monkeypatch):
    from desktop_tracker.service import export_format

    running = await Running(data_dir).start()
    try:
        message = await import_file(running, tmp_path / "gone.json")
        assert "there is no file" in message and "check its name" in message

        big = tmp_path / "big.json"
        big.write_text(FORMAT % GOOD)
        monkeypatch.setattr(export_format, "MAX_EXPORT_BYTES", 10)
        message = await import_file(running, big)
        assert "is larger than" in message and "nothing was imported" in message
        monkeypatch.undo()

        # The same file, within the cap, imports; the earlier error is gone.
        assert await import_file(running, big) == ""
        await until(lambda: running.rows() == ["Shop"])
        assert running.window.statusBar().currentMessage() == "Imported 1 trackers"
        assert not running.window.message.isVisible()
    finally:
        assert await running.quit() == 0


async def test_an_export_is_readable_by_the_user_alone_and_imports_back(qapp, data_dir, tmp_path):
    running = await Running(data_dir).start()
    services = running.app.services
    try:
        await services.trackers.add(
            Tracker("Checkout", "https://shop.test/checkout", headers={"Cookie": "session=s3cret"})
        )
        path = tmp_path / "new.json"
        old = os.umask(0o022)  # the usual umask, which would make a new file 0644
        try:
            running.window._export_to(str(path))
            await until(lambda: "Exported" in running.window.statusBar().currentMessage())
        finally:
            os.umask(old)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        data = json.loads(path.read_text(encoding="utf-8"))
        assert [t["headers"] for t in data["trackers"]] == [{"Cookie": "session=s3cret"}]
        assert running.window.statusBar().currentMessage() == f"Exported 1 trackers to {path}"

        # A file that exists, readable by others, loses their permissions before it is written.
        shared = tmp_path / "shared.json"
        shared.write_text("old contents, longer than nothing at all" * 100)
        shared.chmod(0o664)
        running.window._export_to(str(shared))
        await until(lambda: shared.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"))
        assert stat.S_IMODE(shared.stat().st_mode) == 0o600
    finally:
        assert await running.quit() == 0


async def test_an_export_that_cannot_be_written_says_why(qapp, data_dir, tmp_path):
    running = await Running(data_dir).start()
    try:
        running.window._export_to(str(tmp_path / "no such folder" / "trackers.json"))
        await until(lambda: running.window.message.isVisible())
        message = running.window.message.text()
        assert message.startswith("⚠ Export failed: ")
        assert "its folder does not exist" in message

        running.window._export_to(str(tmp_path))
        await until(lambda: "is a folder" in running.window.message.text())
    finally:
        assert await running.quit() == 0
