"""The running desktop app driven as a user would: the window's actions, the editor's fields,
the history window, the tray, quitting. Real services on a fresh
data directory, a local server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon

from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui import tray as tray_module
from desktop_tracker.gui.trackers_model import NAME, NEXT, STATUS
from tests.support.desktop_app import Running as BaseRunning
from tests.support.desktop_app import until

TAG = "<img src=x onerror=alert(1)><b>bold</b>"
PAGE = "<html><head><script src='/app.js'></script></head><body>shop</body></html>"


@pytest.fixture(autouse=True)
def _keep_app_and_hook(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    hook = sys.excepthook
    yield
    sys.excepthook = hook  # the app installs its reporter and never puts the old hook back
    qapp.setQuitOnLastWindowClosed(before)


class Running(BaseRunning):
    """With the steps these tests repeat."""

    def tracker_id(self, name: str) -> int:
        for row in range(self.window.model.rowCount()):
            overview = self.window.model.overview(row)
            if overview.tracker.name == name:
                return int(overview.tracker.id)
        raise AssertionError(f"no tracker {name}")

    async def open_editor(self, action: Any) -> Any:
        self.window._editor = None
        action.trigger()
        return await until(lambda: self.window._editor if self.window._editor is not None else None)

    async def add(self, qtbot: Any, name: str, url: str) -> None:
        editor = await self.open_editor(self.window.add_action)
        qtbot.keyClicks(editor.name, name)
        qtbot.keyClicks(editor.url, url)
        assert editor.ok_button.isEnabled(), editor.errors()
        qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
        await until(lambda: name in self.rows())


def message_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.allWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


# -- the tracker editor ------------------------------------------------------------------------


async def test_typing_an_invalid_url_disables_ok_and_says_why(qapp, qtbot, data_dir, server):
    running = await Running(data_dir).start()
    try:
        editor = await running.open_editor(running.window.add_action)
        qtbot.keyClicks(editor.name, "Shop")
        qtbot.keyClicks(editor.url, "ftp://example.com/")
        assert not editor.ok_button.isEnabled()
        assert editor.url_error.isVisible() and editor.url_error.text().startswith("⚠")
        editor.url.clear()
        qtbot.keyClicks(editor.url, server.url("/shop"))
        assert editor.ok_button.isEnabled()
        assert not editor.url_error.isVisible()
        # A name in use is refused in place too.
        editor.reject()
        await running.add(qtbot, "Shop", server.url("/shop"))
        editor = await running.open_editor(running.window.add_action)
        qtbot.keyClicks(editor.name, "Shop")
        qtbot.keyClicks(editor.url, server.url("/other"))
        assert not editor.ok_button.isEnabled()
        assert "already called" in editor.name_error.text()
        editor.reject()
    finally:
        await running.quit()


async def test_ok_follows_a_field_set_programmatically(qapp, qtbot, data_dir, server):
    running = await Running(data_dir).start()
    try:
        editor = await running.open_editor(running.window.add_action)
        qtbot.keyClicks(editor.name, "Shop")
        qtbot.keyClicks(editor.url, server.url("/shop"))
        assert editor.ok_button.isEnabled()
        editor.url.setText("not a url")
        assert not editor.ok_button.isEnabled()
        editor.reject()
    finally:
        await running.quit()


async def test_headers_notify_revisions_retry_schedule_are_saved_and_shown_again(
    qapp, qtbot, data_dir, server
):
    running = await Running(data_dir).start()
    try:
        editor = await running.open_editor(running.window.add_action)
        qtbot.keyClicks(editor.name, "Shop")
        qtbot.keyClicks(editor.url, server.url("/shop"))
        qtbot.mouseClick(editor.add_header, Qt.MouseButton.LeftButton)
        editor.headers.item(0, 0).setText("Cookie")
        editor.headers.item(0, 1).setText("session=abc")
        editor.notify.setChecked(False)
        editor.revisions.setValue(7)
        retry = editor.retry
        retry.kind.setCurrentIndex(retry.kind.findData("exponential"))
        retry.initial.setText("30s")
        assert "Retries after 30 s, 1 min" in retry.summary.text()
        sched = editor.schedule
        sched.mode.setCurrentIndex(sched.mode.findData("cron"))
        sched.zone.setEditText("Europe/Paris")
        sched.cron.clear()
        qtbot.keyClicks(sched.cron, "0 9 * * 1")
        assert "Monday" in sched.description.text()
        assert len(sched.next_runs.text().splitlines()) == 5
        assert all("CE" in line for line in sched.next_runs.text().splitlines())
        assert editor.ok_button.isEnabled(), editor.errors()
        qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
        await until(lambda: "Shop" in running.rows())

        running.window.select(running.tracker_id("Shop"))
        again = await running.open_editor(running.window.edit_action)
        assert again.headers.rowCount() == 1
        assert again.headers.item(0, 0).text() == "Cookie"
        assert again.headers.item(0, 1).text() == "session=abc"
        assert not again.notify.isChecked()
        assert again.revisions.value() == 7
        assert again.retry.kind.currentData() == "exponential"
        assert again.retry.initial.text() == "30s"
        assert again.schedule.expression() == "0 9 * * 1"
        assert again.schedule.timezone() == "Europe/Paris"
        again.reject()
    finally:
        await running.quit()


async def test_preview_for_preset_once_and_zone(qapp, qtbot, data_dir):
    running = await Running(data_dir).start()
    try:
        editor = await running.open_editor(running.window.add_action)
        sched = editor.schedule
        sched.mode.setCurrentIndex(sched.mode.findData("preset"))
        sched.preset.setCurrentIndex(sched.preset.findData("@daily"))
        sched.zone.setEditText("UTC")
        daily = sched.next_runs.text().splitlines()
        assert len(daily) == 5 and all("00:00" in line for line in daily)
        assert sched.description.text() not in ("", "—")
        sched.zone.setEditText("Asia/Tokyo")
        assert sched.next_runs.text().splitlines() != daily
        assert "UTC+09:00" in sched.next_runs.text()

        sched.mode.setCurrentIndex(sched.mode.findData("once"))
        words = sched.description.text()
        runs = sched.next_runs.text().splitlines()
        assert len(runs) == 1 and "09:00" in runs[0]
        sched.once.setDateTime(sched.once.dateTime().addDays(1))
        assert sched.description.text() != words

        sched.mode.setCurrentIndex(sched.mode.findData("cron"))
        sched.cron.clear()
        qtbot.keyClicks(sched.cron, "61 * * * *")
        assert not editor.ok_button.isEnabled()
        assert sched.expression_error.isVisible() and "minute" in sched.expression_error.text()
        editor.reject()
    finally:
        await running.quit()


# -- the main window ---------------------------------------------------------------------------


async def test_delete_cancel_keeps_the_tracker(qapp, qtbot, data_dir, server):
    running = await Running(data_dir).start()
    try:
        await running.add(qtbot, "Shop", server.url("/shop"))
        running.window.select(running.tracker_id("Shop"))
        running.window.delete_action.trigger()
        box = await until(lambda: getattr(running.window, "_confirm", None))
        assert box.isVisible() and "Shop" in box.text()
        box.button(QMessageBox.StandardButton.Cancel).click()
        await until(lambda: not box.isVisible())
        running.window.refresh()
        await asyncio.sleep(0.2)
        assert running.rows() == ["Shop"]
        assert len(await running.app.services.trackers.all()) == 1
    finally:
        await running.quit()


async def test_pause_and_resume_one_and_all(qapp, qtbot, data_dir, server):
    running = await Running(data_dir).start()
    try:
        await running.add(qtbot, "Shop", server.url("/shop"))
        window = running.window
        window.select(running.tracker_id("Shop"))
        window.pause_action.trigger()
        await until(lambda: running.cell("Shop", STATUS) == "Paused")
        assert running.cell("Shop", NEXT) == "paused"
        await until(lambda: window.pause_action.text() == "&Resume")
        window.pause_action.trigger()
        await until(lambda: running.cell("Shop", STATUS) != "Paused")

        window.pause_all_action.trigger()
        assert running.app.services.scheduler.paused
        assert "paused" in window.scheduler_label.text()
        assert window.pause_all_action.text() == "Resume &all"
        window.pause_all_action.trigger()
        assert not running.app.services.scheduler.paused
        assert window.scheduler_label.text() == "Scheduler running"
    finally:
        await running.quit()


async def test_filter_box_and_sorting(qapp, qtbot, data_dir, server):
    running = await Running(data_dir).start()
    try:
        await running.add(qtbot, "Beta", server.url("/b"))
        await running.add(qtbot, "Alpha", server.url("/a"))
        assert running.rows() == ["Alpha", "Beta"]
        running.window.table.sortByColumn(NAME, Qt.SortOrder.DescendingOrder)
        assert running.rows() == ["Beta", "Alpha"]
        qtbot.keyClicks(running.window.filter_box, "alp")
        assert running.rows() == ["Alpha"]
    finally:
        await running.quit()


async def test_export_and_import_through_the_menu(qapp, qtbot, data_dir, server, tmp_path):
    running = await Running(data_dir).start()
    try:
        await running.add(qtbot, "Shop", server.url("/shop"))
        target = tmp_path / "out.json"
        running.window.export_action.trigger()
        dialog = running.window._file_dialog
        assert dialog.isVisible()
        dialog.fileSelected.emit(str(target))
        dialog.close()
        await until(target.exists)
        data = json.loads(target.read_text(encoding="utf-8"))
        assert [t["name"] for t in data["trackers"]] == ["Shop"]
        await until(lambda: "Exported 1" in running.window.statusBar().currentMessage())

        await running.app.services.trackers.remove(running.tracker_id("Shop"))
        await until(lambda: running.rows() == [])
        running.window.import_action.trigger()
        dialog = running.window._file_dialog
        dialog.fileSelected.emit(str(target))
        dialog.close()
        await until(lambda: running.rows() == ["Shop"])
        # Importing again clashes: said in place, in words.
        running.window.import_action.trigger()
        running.window._file_dialog.fileSelected.emit(str(target))
        running.window._file_dialog.close()
        await until(lambda: running.window.message.isVisible())
        assert "exist already" in running.window.message.text()
        assert "Traceback" not in running.window.message.text()
    finally:
        await running.quit()


async def test_status_bar_shows_checks_running_with_progress(qapp, qtbot, data_dir, server):
    gate = threading.Event()

    def slow(exchange: Any) -> None:
        gate.wait(10)
        exchange.respond(200, PAGE, [("Content-Type", "text/html")])

    for path in ("/a", "/b", "/c"):
        server.handle(path, slow)
    server.route("/app.js", "v1", content_type="text/javascript")
    running = await Running(data_dir).start()
    try:
        for name, path in (("A", "/a"), ("B", "/b"), ("C", "/c")):
            await running.add(qtbot, name, server.url(path))
        window = running.window
        window.check_all_action.trigger()
        await until(lambda: "checking 3" in window.scheduler_label.text())
        await until(lambda: window.progress.isVisible())
        assert window.progress.text() == "Checking 1 of 3"
        assert window.progress_bar.isVisible() and window.progress_bar.maximum() == 3
        gate.set()
        await until(lambda: window.scheduler_label.text() == "Scheduler running")
        await until(lambda: not window.progress.isVisible())
        await until(lambda: all(running.cell(n, STATUS) == "OK" for n in "ABC"))
    finally:
        gate.set()
        await running.quit()


# -- history -----------------------------------------------------------------------------------


async def test_history_diff_run_log_and_clear_through_the_app(qapp, qtbot, data_dir, server):
    server.route("/shop", PAGE)
    server.route("/app.js", "v1", content_type="text/javascript")
    running = await Running(data_dir).start()
    try:
        await running.add(qtbot, "Shop", server.url("/shop"))
        tracker_id = running.tracker_id("Shop")
        trackers = running.app.services.trackers
        await (await trackers.check_now(tracker_id))
        server.route("/app.js", "v2 longer", content_type="text/javascript")
        await (await trackers.check_now(tracker_id))
        await running.app.services.scheduler.flush()
        running.window.select(tracker_id)
        running.window.history_action.trigger()
        view = running.window._history_windows[tracker_id].view
        await until(lambda: view.revisions_model.rowCount() == 2)
        await until(lambda: view.diff_view.visible_rows())
        states = [row[0] for row in view.diff_view.visible_rows()]
        assert "~ changed" in states
        assert view.compare_combo.count() == 2  # previous, or the other revision
        runs = view.runs_model
        headers = [runs.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
        assert headers == [
            "Planned",
            "Started",
            "Late by",
            "Duration",
            "Outcome",
            "Attempt",
            "Error",
        ]
        await until(lambda: runs.rowCount() == 2)
        assert runs.index(0, 4).data() == "✓ succeeded"
        assert runs.index(0, 5).data() == "1"

        box = view.ask_clear_history()
        box.button(QMessageBox.StandardButton.Cancel).click()
        await asyncio.sleep(0.1)
        assert len(await trackers.history(tracker_id)) == 2
        qtbot.mouseClick(view.clear_button, Qt.MouseButton.LeftButton)
        box = await until(
            lambda: [b for b in message_boxes() if b.windowTitle() == "Clear history"]
        )
        [confirm] = [b for b in box[0].buttons() if b.text() == "Clear history"]
        confirm.click()
        await until(lambda: view.revisions_model.rowCount() == 0)
    finally:
        await running.quit()


# -- tray, closing, notifications --------------------------------------------------------------


@pytest.fixture
def tray_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))


async def test_closing_with_a_tray_keeps_running_and_says_so_once(qapp, data_dir, tray_present):
    running = await Running(data_dir).start()
    try:
        hints: list[None] = []
        running.window.tray_hint_needed.connect(lambda: hints.append(None))
        running.window.close()
        assert not running.window.isVisible()
        await asyncio.sleep(0.1)
        assert not running.task.done() and not running.app.quit.is_set()
        running.app._show_window()
        running.window.close()
        assert hints == [None]
        assert not running.app.quit.is_set()
    finally:
        await running.quit()


async def test_a_tray_that_comes_late_keeps_the_app_running_on_close(qapp, data_dir, monkeypatch):
    there: list[bool] = []
    monkeypatch.setattr(tray_module, "TRAY_RETRY_MS", 10)
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: bool(there)))
    running = await Running(data_dir).start()
    try:
        tray = running.app.tray
        assert tray is not None and not tray.isVisible()
        there.append(True)
        await until(tray.isVisible)
        running.window.close()
        await asyncio.sleep(0.1)
        assert not running.app.quit.is_set()
    finally:
        await running.quit()


async def test_tray_click_on_a_change_opens_that_history(qapp, data_dir, server, tray_present):
    server.route("/shop", PAGE)
    server.route("/app.js", "v1", content_type="text/javascript")
    running = await Running(data_dir).start()
    try:
        tray = running.app.tray
        assert tray is not None and tray.isVisible()
        trackers = running.app.services.trackers
        saved = await trackers.add(Tracker(TAG, server.url("/shop")))
        await (await trackers.check_now(saved.id))
        server.route("/app.js", "v2", content_type="text/javascript")
        shown: list[tuple[Any, ...]] = []
        original = tray.showMessage

        def record(*args: Any) -> None:
            # Stored before shown: the database has it when the message goes out.
            stored = running.app.services.database.call(
                lambda c: c.execute("SELECT count(*) FROM notifications").fetchone()[0]
            )
            shown.append((args, stored))
            original(*args)

        tray.showMessage = record  # type: ignore[method-assign]
        await (await trackers.check_now(saved.id))
        await until(lambda: shown)
        (args, stored), *_ = shown
        assert stored == 1
        assert TAG in args[0]
        inbox = running.app.inbox
        await until(lambda: inbox.list.topLevelItemCount() == 1)
        assert TAG in inbox.list.topLevelItem(0).text(2)
        assert "&lt;img" in inbox.list.topLevelItem(0).toolTip(2)
        assert running.window.inbox_dock.windowTitle() == "Notifications (1)"
        running.window.hide()
        tray.messageClicked.emit()
        await until(lambda: saved.id in running.window._history_windows)
        assert running.window.isVisible()
        history = running.window._history_windows[saved.id]
        await until(history.isVisible)
        await until(lambda: running.app.center.unread_count == 0)
        await until(lambda: running.window.inbox_dock.windowTitle() == "Notifications")
    finally:
        await running.quit()


async def test_tray_menu_pause_all_and_quit(qapp, data_dir, tray_present):
    running = await Running(data_dir).start()
    tray = running.app.tray
    assert tray is not None
    tray.trigger("Pause all")
    assert running.app.services.scheduler.paused
    assert "paused" in running.window.scheduler_label.text()
    tray.trigger("Resume all")
    assert not running.app.services.scheduler.paused
    scheduler = running.app.services.scheduler
    tray.trigger("Quit")
    assert await asyncio.wait_for(running.task, 30) == 0
    assert not scheduler.running
    assert running.app.services.database is None


# -- web text and errors -----------------------------------------------------------------------


async def test_web_text_in_boxes_titles_and_errors_is_plain(qapp, qtbot, data_dir, server):
    url = server.url("/missing") + "?q=<b>x</b>"
    running = await Running(data_dir).start()
    try:
        trackers = running.app.services.trackers
        saved = await trackers.add(Tracker(TAG, url))
        await until(lambda: running.rows() == [TAG])
        await (await trackers.check_now(saved.id))
        await running.app.services.scheduler.flush()
        running.window.refresh()
        await until(lambda: running.cell(TAG, STATUS) == "Failing")
        running.window.select(saved.id)

        editor = await running.open_editor(running.window.edit_action)
        assert TAG in editor.windowTitle()
        editor.reject()

        running.window.delete_action.trigger()
        box = await until(lambda: getattr(running.window, "_confirm", None))
        assert box.textFormat() == Qt.TextFormat.PlainText and TAG in box.text()
        box.button(QMessageBox.StandardButton.Cancel).click()

        running.window.history_action.trigger()
        window = running.window._history_windows[saved.id]
        view = window.view
        await until(lambda: view.runs_model.rowCount() == 1)
        assert TAG in window.windowTitle()
        for label in view.plain_labels():
            assert label.textFormat() == Qt.TextFormat.PlainText
        error_tip = view.runs_model.index(0, 6).data(Qt.ItemDataRole.ToolTipRole)
        if error_tip:
            assert "<b>x" not in error_tip
    finally:
        await running.quit()


async def test_an_unexpected_exception_is_shown_once_in_words(qapp, data_dir):
    running = await Running(data_dir).start()
    try:

        def broken() -> None:
            raise ZeroDivisionError("<b>boom</b>")

        QTimer.singleShot(0, broken)
        box = await until(lambda: running.app.reporter._box)
        await until(box.isVisible)
        assert "Traceback" not in box.text() and "Traceback" not in box.detailedText()
        assert box.textFormat() == Qt.TextFormat.PlainText
        QTimer.singleShot(0, broken)
        await asyncio.sleep(0.2)
        assert len([b for b in message_boxes() if b.windowTitle() == "desktop_tracker"]) == 1
    finally:
        await running.quit()


async def test_an_unexpected_exception_is_logged_to_a_file_in_the_data_dir(qapp, data_dir):
    running = await Running(data_dir).start()
    try:

        def broken() -> None:
            raise ZeroDivisionError("boom for the log")

        QTimer.singleShot(0, broken)
        await until(lambda: running.app.reporter._box)
        logs = list(data_dir.glob("*.log"))
        assert any("boom for the log" in p.read_text(encoding="utf-8") for p in logs), logs
    finally:
        await running.quit()


async def test_an_exception_in_a_loop_callback_is_shown(qapp, data_dir):
    running = await Running(data_dir).start()
    try:

        def broken() -> None:
            raise RuntimeError("callback boom")

        asyncio.get_running_loop().call_soon(broken)
        await until(lambda: running.app.reporter._box, timeout=2)
    finally:
        await running.quit()


async def test_a_final_failure_is_a_tray_warning(qapp, data_dir, server, tray_present):
    server.route("/gone", "nope", status=404)
    running = await Running(data_dir).start()
    try:
        tray = running.app.tray
        shown: list[tuple[Any, ...]] = []
        tray.showMessage = lambda *args: shown.append(args)  # type: ignore[method-assign]
        trackers = running.app.services.trackers
        saved = await trackers.add(Tracker("Gone", server.url("/gone")))
        await (await trackers.check_now(saved.id))
        await until(lambda: shown)
        assert shown[0][2] == QSystemTrayIcon.MessageIcon.Warning
        assert "Gone" in shown[0][0]
    finally:
        await running.quit()


async def test_quit_records_a_run_in_flight_as_interrupted(qapp, data_dir, server, monkeypatch):
    from desktop_tracker.gui import app as app_module
    from desktop_tracker.store.database import Database

    monkeypatch.setattr(app_module, "QUIT_GRACE_SECONDS", 0.3)
    gate = threading.Event()
    started = threading.Event()

    def stuck(exchange: Any) -> None:
        started.set()
        gate.wait(10)
        exchange.respond(200, PAGE, [("Content-Type", "text/html")])

    server.handle("/stuck", stuck)
    running = await Running(data_dir).start()
    try:
        trackers = running.app.services.trackers
        saved = await trackers.add(Tracker("Stuck", server.url("/stuck")))
        await trackers.check_now(saved.id)
        await until(started.is_set)
        assert await running.quit() == 0
    finally:
        gate.set()
    database = Database(data_dir / "desktop-tracker.sqlite3")
    try:
        outcomes = database.call(lambda c: [r[0] for r in c.execute("SELECT outcome FROM runs")])
    finally:
        database.close()
    assert outcomes == ["interrupted"]


async def test_a_name_with_the_modified_placeholder_is_shown_as_written(
    qapp, qtbot, data_dir, server
):
    running = await Running(data_dir).start()
    try:
        saved = await running.app.services.trackers.add(Tracker("Shop [*] v2", server.url("/")))
        await until(lambda: running.rows() == ["Shop [*] v2"])
        running.window.select(saved.id)
        editor = await running.open_editor(running.window.edit_action)
        await until(lambda: editor.windowHandle() is not None)
        shown = editor.windowHandle().title()  # what the title bar shows
        editor.reject()
        assert "[*]" in shown
    finally:
        await running.quit()
