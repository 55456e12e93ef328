"""A burst of checks in the status bar: "Checking 8 of 59" with a bar whose total is the
burst's from its start, redrawn at most every STATUS_DELAY_MS, and Cancel, which drops the
checks of "Check all now" not yet started and leaves the schedules alone."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from desktop_tracker.core.events import JobFinished, JobStarted
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui import main_window
from desktop_tracker.gui.main_window import progress_text
from tests.support.desktop_app import Running, until

PAGE = "<html><head><script src='/app.js'></script></head><body>shop</body></html>"


pytestmark = pytest.mark.usefixtures("keep_quit_setting")


def started(tracker_id: int) -> JobStarted:
    return JobStarted(f"tracker:{tracker_id}", f"run-{tracker_id}", 0.0, 0.0, 1)


def finished(tracker_id: int) -> JobFinished:
    return JobFinished(f"tracker:{tracker_id}", f"run-{tracker_id}", 0.0, 0.0, 1.0, 1)


def test_the_words_say_which_check_of_how_many():
    assert progress_text(0, 59) == "Checking 1 of 59"
    assert progress_text(7, 59) == "Checking 8 of 59"
    assert progress_text(59, 59) == "Checking 59 of 59"


async def test_a_burst_shows_checking_8_of_59_and_its_total_stays_fixed(qapp, data_dir):
    running = await Running(data_dir).start()
    try:
        window = running.window
        scheduler = running.app.services.scheduler
        for tracker_id in range(1, 60):
            scheduler.events.publish(started(tracker_id))
        for tracker_id in range(1, 8):
            scheduler.events.publish(finished(tracker_id))
        # Throttled: nothing is redrawn per event, the status timer does it.
        assert not window.progress_bar.isVisible()
        await until(lambda: window.progress.text() == "Checking 8 of 59")
        assert window.progress_bar.isVisible()
        assert (window.progress_bar.value(), window.progress_bar.maximum()) == (7, 59)
        # A check that starts again within the burst is not counted twice.
        scheduler.events.publish(started(30))
        window._update_status()
        assert window.progress_bar.maximum() == 59
        # Scheduled checks: nothing of the user's to cancel.
        assert not window.cancel_button.isVisible()
        for tracker_id in range(8, 60):
            scheduler.events.publish(finished(tracker_id))
        await until(lambda: not window.progress.isVisible())
        assert not window.progress_bar.isVisible()
    finally:
        await running.quit()


async def test_cancel_drops_the_checks_not_started_and_keeps_the_schedules(
    qapp, data_dir, server, monkeypatch
):
    gate = threading.Event()

    def slow(exchange: Any) -> None:
        gate.wait(10)
        exchange.respond(200, PAGE, [("Content-Type", "text/html")])

    server.handle("/slow", slow)
    server.route("/app.js", "v1", content_type="text/javascript")
    monkeypatch.setattr(main_window, "BURST_PARALLEL", 2)
    running = await Running(data_dir).start()
    try:
        trackers = running.app.services.trackers
        saved = [
            await trackers.add(Tracker(f"T{n}", server.url("/slow"), schedule="0 9 * * *"))
            for n in range(5)
        ]
        await until(lambda: len(running.rows()) == 5)
        before = {row.tracker.id: row.next_check for row in await trackers.overview()}
        window = running.window
        window.check_all_action.trigger()
        await until(lambda: window.progress.text() == "Checking 1 of 5")
        await until(window.cancel_button.isVisible)
        assert window.cancel_checks_action.isEnabled()
        window.cancel_button.click()
        assert not window.cancel_checks_action.isEnabled()
        await until(lambda: window.progress_bar.maximum() == 2)
        assert "Cancelled 3 checks" in window.statusBar().currentMessage()
        gate.set()
        await until(lambda: not window.progress.isVisible())
        checked = [t for t in saved if await trackers.runs(t)]
        assert len(checked) == 2  # the two in flight finished; the other three never started
        after = {row.tracker.id: row.next_check for row in await trackers.overview()}
        assert after == before  # the scheduled runs stay as they were
    finally:
        gate.set()
        await running.quit()
