"""The desktop app as a user drives it: the main window, editor, checks, notifications, quitting,
and a second launch. Everything real: services on a fresh data directory, a local HTTP server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import pytest

from desktop_tracker.core.jobs import RunOutcome
from desktop_tracker.gui.history_view import HistoryWindow
from desktop_tracker.gui.single_instance import hand_over, server_name
from desktop_tracker.gui.trackers_model import SCHEDULE, STATUS
from desktop_tracker.store.database import Database
from tests.support.desktop_app import Running, until

PAGE = "<html><head><script src='/app.js'></script></head><body>shop</body></html>"


def fill_editor(editor: Any, name: str, url: str, cron: str | None = None) -> None:
    editor.name.setText(name)
    editor.url.setText(url)
    if cron is not None:
        editor.schedule.set_schedule(cron, "UTC")


async def add_through_editor(running: Running, name: str, url: str, cron: str = "manual") -> None:
    running.window.add_action.trigger()
    editor = await until(lambda: running.window._editor)
    fill_editor(editor, name, url, cron)
    assert editor.ok_button.isEnabled(), editor.errors()
    editor.accept()
    await until(lambda: name in running.rows())


async def test_add_edit_and_delete_through_the_window(qapp, data_dir, server):
    server.route("/shop", PAGE)
    running = await Running(data_dir).start()
    try:
        await add_through_editor(running, "Shop", server.url("/shop"), "0 9 * * 1")
        assert "Monday" in running.cell("Shop", SCHEDULE)

        running.window.select(running.window.model.overview(0).tracker.id)
        running.window.edit_action.trigger()
        editor = await until(
            lambda: running.window._editor if running.window._editor.isVisible() else None
        )
        assert editor.name.text() == "Shop"
        editor.name.setText("Checkout")
        editor.accept()
        await until(lambda: running.rows() == ["Checkout"] or running.window.message.isVisible())
        assert not running.window.message.isVisible(), running.window.message.text()

        running.window.delete_action.trigger()
        box = await until(lambda: getattr(running.window, "_confirm", None))
        [delete] = [b for b in box.buttons() if b.text() == "Delete"]
        delete.click()
        await until(lambda: running.rows() == [])
    finally:
        assert await running.quit() == 0


async def test_an_invalid_cron_shows_its_error_and_saves_nothing(qapp, data_dir, server):
    running = await Running(data_dir).start()
    try:
        running.window.add_action.trigger()
        editor = await until(lambda: running.window._editor)
        fill_editor(editor, "Shop", server.url("/shop"), "61 * * * *")
        assert not editor.ok_button.isEnabled()
        assert "minute" in editor.schedule.error()
        editor.reject()
        await asyncio.sleep(0.2)
        assert running.rows() == []
        trackers = await running.app.services.trackers.all()
        assert trackers == []
    finally:
        await running.quit()


async def test_check_now_makes_a_revision_that_the_history_shows(qapp, data_dir, server):
    server.route("/shop", PAGE)
    server.route("/app.js", "v1", content_type="text/javascript")
    running = await Running(data_dir).start()
    try:
        await add_through_editor(running, "Shop", server.url("/shop"))
        tracker_id = running.window.model.overview(0).tracker.id
        running.window.select(tracker_id)
        running.window.check_action.trigger()
        await until(lambda: running.cell("Shop", STATUS) == "OK")
        running.window.history_action.trigger()
        window = running.window._history_windows[tracker_id]
        assert isinstance(window, HistoryWindow)
        view = window.view
        await until(lambda: view.revisions_model.rowCount() == 1)
        assert "baseline" in str(view.revisions_model.index(0, 2).data()).lower() or any(
            "baseline" in str(view.revisions_model.index(0, c).data()).lower()
            for c in range(view.revisions_model.columnCount())
        )
    finally:
        await running.quit()


async def test_a_change_notifies_and_activating_it_opens_the_history(qapp, data_dir, server):
    server.route("/shop", PAGE)
    server.route("/app.js", "v1", content_type="text/javascript")
    running = await Running(data_dir).start()
    try:
        await add_through_editor(running, "Shop", server.url("/shop"))
        tracker_id = running.window.model.overview(0).tracker.id
        trackers = running.app.services.trackers
        await (await trackers.check_now(tracker_id))
        server.route("/app.js", "v2", content_type="text/javascript")
        await (await trackers.check_now(tracker_id))
        center = running.app.center
        await until(lambda: center.unread_count == 1)
        inbox = running.app.inbox
        await until(lambda: inbox.list.topLevelItemCount() == 1)
        item = inbox.list.topLevelItem(0)
        assert "Change detected: Shop — 1 changed" in [item.text(c) for c in range(4)]
        inbox.list.setCurrentItem(item)
        inbox.list.activated.emit(inbox.list.currentIndex())
        await until(lambda: tracker_id in running.window._history_windows)
        assert running.window._history_windows[tracker_id].isVisible()
        await until(lambda: center.unread_count == 0)
    finally:
        await running.quit()


async def test_quit_stops_the_scheduler_lets_runs_finish_and_closes_the_database(
    qapp, data_dir, server
):
    server.route("/shop", PAGE)
    server.route("/app.js", "v1", content_type="text/javascript")
    running = await Running(data_dir).start()
    await add_through_editor(running, "Shop", server.url("/shop"))
    scheduler = running.app.services.scheduler
    tracker_id = running.window.model.overview(0).tracker.id
    await running.app.services.trackers.check_now(tracker_id)
    assert await running.quit() == 0
    assert not scheduler.running
    assert running.app.services.database is None  # closed
    # The data directory is free again and every run was recorded as ended.
    database = Database(data_dir / "desktop-tracker.sqlite3")
    try:
        outcomes = database.call(lambda c: [r[0] for r in c.execute("SELECT outcome FROM runs")])
        assert outcomes and RunOutcome.RUNNING.value not in outcomes
    finally:
        database.close()


async def test_a_second_launch_hands_over_to_the_first(qapp, data_dir):
    running = await Running(data_dir).start()
    try:
        running.window.hide()
        assert hand_over(server_name(data_dir), ["--from-test"])
        await until(lambda: running.window.isVisible())

        # A real second process: it finds the first, says so and exits without a window.
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        running.window.hide()
        second = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "desktop_tracker", "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stdout
        await until(lambda: running.window.isVisible())
    finally:
        await running.quit()


async def test_web_text_is_never_rendered_as_html_in_the_table(qapp, data_dir, server):
    name = "<img src=x onerror=alert(1)><b>bold</b>"
    running = await Running(data_dir).start()
    try:
        await add_through_editor(running, name, server.url("/shop"))
        assert running.rows() == [name]
        assert running.window.empty_hint.textFormat().name == "PlainText"
    finally:
        await running.quit()


@pytest.mark.parametrize("paused", [True, False])
async def test_pause_all_shows_in_the_status_bar(qapp, data_dir, paused):
    running = await Running(data_dir).start()
    try:
        running.window.set_all_paused(paused)
        label = running.window.scheduler_label.text()
        assert ("paused" in label) is paused
        assert running.app.services.scheduler.paused is paused
    finally:
        await running.quit()
