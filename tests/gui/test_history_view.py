"""The history view on real services: a real SQLite file, the real scheduler and a local server.

Tests await the view's signals through futures (never qtbot.waitSignal inside a coroutine: it
re-enters the loop and runs other tasks inside it).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget

from desktop_tracker.core.jobs import RunOutcome, RunRecord
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.diff_view import (
    STATE_ROLE,
    ChangeColours,
    contrast_ratio,
    relative_luminance,
)
from desktop_tracker.gui.history_view import HistoryView, HistoryWindow, local_time
from desktop_tracker.gui.kinds.resources_diff import DiffModel, ResourcesDiffView
from desktop_tracker.kinds.resources.diff import diff_resources
from desktop_tracker.kinds.resources.snapshot import Resource
from desktop_tracker.service.app import AppServices
from desktop_tracker.service.trackers import RevisionSaved, TrackerService
from tests.support.http_server import LocalServer, garbage

TAG = "<img src=x onerror=alert(1)>"
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole


@pytest.fixture(autouse=True)
def keep_running_when_windows_close(qapp: QApplication) -> Iterator[None]:
    """Closing the test's only window must not quit the app mid-test (as in the tray app, where
    the main window's close hides it)."""
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


def page(*tags: str) -> str:
    return "<!doctype html><html><head>" + "".join(tags) + "</head><body><p>shop</p></body></html>"


def script(src: str, integrity: str | None = None) -> str:
    extra = f' integrity="{integrity}"' if integrity else ""
    return f'<script src="{src}"{extra}></script>'


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def expect(signal: SignalInstance) -> asyncio.Future[tuple[Any, ...]]:
    """A future resolved by the next emission of `signal`, connected now (so an emission
    during the next statement counts)."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def fired(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    def disconnect(_: object) -> None:
        with contextlib.suppress(RuntimeError):  # the sender is gone (destroyed): nothing to undo
            signal.disconnect(fired)

    signal.connect(fired)
    future.add_done_callback(disconnect)
    return future


async def until(
    signal: SignalInstance, action: Callable[[], object] | None = None, timeout: float = 15
) -> tuple[Any, ...]:
    """Do `action`, then wait for `signal`."""
    future = expect(signal)
    if action is not None:
        action()
    return await asyncio.wait_for(future, timeout)


class Harness:
    """Services on a fresh data directory, and the views opened on them (closed first)."""

    def __init__(self, services: AppServices, server: LocalServer) -> None:
        self.services = services
        self.server = server
        self.widgets: list[QWidget] = []

    @property
    def trackers(self) -> TrackerService:
        assert self.services.trackers is not None
        return self.services.trackers

    async def add(self, name: str = "Shop", path: str = "/shop") -> int:
        tracker = await self.trackers.add(Tracker(name, self.server.url(path)))
        assert tracker.id is not None
        return tracker.id

    async def check(self, tracker_id: int) -> RunRecord:
        task = await self.trackers.check_now(tracker_id)
        assert task is not None
        record = await asyncio.wait_for(task, 30)
        assert self.services.scheduler is not None
        await self.services.scheduler.flush()  # the run record is on disk for the run log
        return record

    async def open_view(self, tracker_id: int) -> HistoryView:
        view = HistoryView(self.trackers, tracker_id)
        view.resize(1000, 700)
        self.widgets.append(view)
        await until(view.loaded, view.show)
        return view


@asynccontextmanager
async def running(data_dir: Path, server: LocalServer) -> AsyncIterator[Harness]:
    services = AppServices(data_dir)
    await services.open()
    harness = Harness(services, server)
    try:
        yield harness
    finally:
        for widget in harness.widgets:
            widget.close()
            widget.deleteLater()
        await services.close()


def column(model: Any, number: int, role: int = DISPLAY) -> list[Any]:
    return [model.index(row, number).data(role) for row in range(model.rowCount())]


def summaries(view: HistoryView) -> list[str]:
    return column(view.revisions_model, 1)


def revision_ids(view: HistoryView) -> list[int]:
    return [entry.revision.id for entry in view.revisions_model.entries()]


async def select(view: HistoryView, revision_id: int) -> None:
    await until(view.diff_shown, lambda: view.select_revision(revision_id))


async def compare(view: HistoryView, revision_id: int | None) -> None:
    await until(view.diff_shown, lambda: view.compare_with(revision_id))


def assert_plain(labels: list[QLabel]) -> None:
    for label in labels:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()


async def four_revisions(h: Harness) -> tuple[int, dict[str, str]]:
    """baseline (app.js) → pixel.js added → app.js changed → pixel.js removed."""
    h.server.route("/app.js", "app = 1", content_type="text/javascript")
    h.server.route("/pixel.js", "track()", content_type="text/javascript")
    h.server.route("/shop", page(script("/app.js")))
    tracker_id = await h.add()
    await h.check(tracker_id)
    h.server.route("/shop", page(script("/app.js"), script("/pixel.js")))
    await h.check(tracker_id)
    h.server.route("/app.js", "app = 22", content_type="text/javascript")
    await h.check(tracker_id)
    h.server.route("/shop", page(script("/app.js")))
    await h.check(tracker_id)
    urls = {"app": h.server.url("/app.js"), "pixel": h.server.url("/pixel.js")}
    return tracker_id, urls


# -- revisions and diffs ----------------------------------------------------------------------


async def test_revisions_are_listed_newest_first_and_each_shows_its_diff(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id, urls = await four_revisions(h)
        view = await h.open_view(tracker_id)

        assert summaries(view) == ["1 removed", "1 changed", "1 added", "baseline"]
        # What was fetched, in the time's tool tip; the kind's own counts are the summary's.
        tips = column(view.revisions_model, 0, TOOLTIP)
        assert all(f"HTTP 200 from {server.url('/shop')}" in tip for tip in tips)
        history = await h.trackers.history(tracker_id)
        assert column(view.revisions_model, 0) == [
            local_time(e.revision.created_at) for e in history
        ]
        assert view.error_text == ""

        # The newest is selected and its diff shown at once.
        selected = view.selected_entry()
        assert selected is not None and selected.revision.id == history[0].revision.id
        [removed] = view.diff_view.visible_rows()
        assert removed[:3] == ["− removed", "script", urls["pixel"]]
        assert removed[3] == "7 B"

        _, changed_id, added_id, baseline_id = revision_ids(view)
        await select(view, added_id)
        assert [row[:3] for row in view.diff_view.visible_rows()] == [
            ["+ added", "script", urls["pixel"]]
        ]
        # Unchanged resources are hidden, and shown greyed on request.
        view.diff_view.set_show_unchanged(True)
        rows = view.diff_view.visible_rows()
        assert [row[:3] for row in rows] == [
            ["= unchanged", "script", urls["app"]],
            ["+ added", "script", urls["pixel"]],
        ]
        model = view.diff_view.model
        muted = model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole)
        assert muted == view.diff_view.colours.muted
        view.diff_view.set_show_unchanged(False)

        await select(view, changed_id)
        [changed] = view.diff_view.visible_rows()
        assert changed[:3] == ["~ changed", "script", urls["app"]]
        assert changed[3] == "7 B → 8 B"
        assert changed[4] == f"{sha(b'app = 1')[:8]} → {sha(b'app = 22')[:8]}"
        assert changed[5] == "first-party"

        await select(view, baseline_id)
        assert [row[:3] for row in view.diff_view.visible_rows()] == [
            ["• baseline", "script", urls["app"]]
        ]
        assert view.compare_combo.currentText().startswith("Previous revision (none")


async def test_any_two_revisions_can_be_compared_older_to_newer(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id, urls = await four_revisions(h)
        view = await h.open_view(tracker_id)
        removed_id, changed_id, _, baseline_id = revision_ids(view)

        # The combo lists "previous" and every other revision.
        assert view.compare_combo.count() == 4
        assert view.compare_combo.itemData(0) is None

        await compare(view, baseline_id)
        # pixel.js came and went between them: only app.js changed.
        assert [row[:3] for row in view.diff_view.visible_rows()] == [
            ["~ changed", "script", urls["app"]]
        ]

        # Selecting the older one and comparing with the newer gives the same direction.
        await select(view, baseline_id)
        await compare(view, removed_id)
        assert [row[:3] for row in view.diff_view.visible_rows()] == [
            ["~ changed", "script", urls["app"]]
        ]

        await compare(view, changed_id)
        assert sorted(row[0] for row in view.diff_view.visible_rows()) == [
            "+ added",
            "~ changed",
        ]

        # Back to "previous": the baseline has none.
        await compare(view, None)
        assert view.diff_view.visible_rows()[0][0] == "• baseline"


async def test_findings_are_highlighted_above_the_diff_and_marked_in_the_list(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        lib = b"lib = 1"
        server.route("/lib.js", lib, content_type="text/javascript")
        server.route("/shop", page(script("/lib.js", sri(lib))))
        tracker_id = await h.add()
        await h.check(tracker_id)
        server.route("/lib.js", b"lib = 1; steal()", content_type="text/javascript")
        # localhost is another site than 127.0.0.1: a third party, served by the same server.
        third = server.url("/x.js", host="localhost")
        server.route("/x.js", "x()", content_type="text/javascript")
        server.route("/shop", page(script("/lib.js", sri(lib)), script(third)))
        await h.check(tracker_id)

        view = await h.open_view(tracker_id)
        assert column(view.revisions_model, 2) == ["⚠ 2", ""]
        strip = view.diff_view.findings_strip
        assert not strip.isHidden()
        messages = strip.messages()
        assert len(messages) == 2
        assert all(m.startswith("⚠ ") for m in messages)
        assert any("new third-party origin" in m for m in messages)
        assert any("no longer matches its integrity" in m for m in messages)
        assert_plain(strip.labels)

        rows = {row[2]: row for row in view.diff_view.visible_rows()}
        assert rows[third][0] == "+ added"
        assert rows[third][5] == "third-party"
        assert rows[server.url("/lib.js")][5] == "SRI ok → ⚠ SRI mismatch"

        # The baseline has no findings: the strip goes away.
        await select(view, revision_ids(view)[1])
        assert strip.isHidden()


async def test_a_check_while_the_view_is_open_refreshes_it(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        server.route("/a.js", "a()", content_type="text/javascript")
        server.route("/b.js", "b()", content_type="text/javascript")
        server.route("/shop", page(script("/a.js")))
        tracker_id = await h.add()
        await h.check(tracker_id)
        view = await h.open_view(tracker_id)
        assert summaries(view) == ["baseline"]

        server.route("/shop", page(script("/a.js"), script("/b.js")))
        loaded = expect(view.loaded)
        await h.check(tracker_id)
        await asyncio.wait_for(loaded, 15)
        assert summaries(view) == ["1 added", "baseline"]
        # It was on the newest revision, so it follows the new newest.
        assert [row[:3] for row in view.diff_view.visible_rows()] == [
            ["+ added", "script", server.url("/b.js")]
        ]

        # Another tracker's revisions do not concern it.
        reloaded = expect(view.loaded)  # trackers changed: the view reloads (a rename, say)
        other = await h.add("Other", "/shop")
        await asyncio.wait_for(reloaded, 15)
        reloads: list[object] = []
        view.loaded.connect(lambda: reloads.append(True))
        await h.check(other)
        await asyncio.sleep(0.2)
        assert reloads == []


async def test_clear_history_asks_first_then_empties_the_list(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id, _ = await four_revisions(h)
        view = await h.open_view(tracker_id)
        assert view.clear_button.isEnabled()

        # Cancel: nothing happens.
        view.clear_button.click()
        box = view.findChild(QMessageBox)
        assert box is not None and box.isVisible()
        assert box.textFormat() == Qt.TextFormat.PlainText
        assert "4 kept revisions of “Shop”" in box.text()
        box.button(QMessageBox.StandardButton.Cancel).click()
        await asyncio.sleep(0.1)
        assert len(summaries(view)) == 4

        view.clear_button.click()
        box = next(b for b in view.findChildren(QMessageBox) if b.isVisible())
        [confirm] = [b for b in box.buttons() if b.text() == "Clear history"]
        await until(view.loaded, confirm.click)
        assert summaries(view) == []
        assert await h.trackers.history(tracker_id) == []
        assert not view.clear_button.isEnabled()
        assert "No revisions are kept yet" in view.diff_view.message


# -- run log ----------------------------------------------------------------------------------


async def test_the_run_log_lists_runs_with_outcomes_and_errors(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        server.route("/shop", page())
        tracker_id = await h.add()
        assert (await h.check(tracker_id)).outcome is RunOutcome.SUCCEEDED
        server.route("/shop", "oops", status=500)
        failed = await h.check(tracker_id)
        assert failed.outcome is RunOutcome.FAILED

        view = await h.open_view(tracker_id)
        runs = view.runs_model
        assert column(runs, 4) == ["✗ failed", "✓ succeeded"]
        assert column(runs, 5) == ["1", "1"]
        error = column(runs, 6)[0]
        assert "500" in error and error == failed.error
        assert column(runs, 6)[1] == ""
        assert column(runs, 0)[0] == local_time(failed.planned_at)
        assert all(text.startswith(("+", "−")) for text in column(runs, 2))
        assert all(text.endswith(("ms", "s")) for text in column(runs, 3))
        assert view.tabs.tabText(1).replace("&", "") == "Run log"


async def test_a_failed_check_reloads_the_run_log(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        server.route("/shop", page())
        tracker_id = await h.add()
        await h.check(tracker_id)
        view = await h.open_view(tracker_id)
        server.route("/shop", "oops", status=500)
        # CheckFailed (retries used up, the failure recorded) is what tells the view.
        loaded = expect(view.loaded)
        await h.check(tracker_id)
        await asyncio.wait_for(loaded, 15)
        assert column(view.runs_model, 4)[0] == "✗ failed"


async def loaded_until(view: HistoryView, condition: Callable[[], bool]) -> None:
    """Wait for the view's loads until `condition()` holds (one event can make two loads)."""
    async with asyncio.timeout(15):
        while not condition():
            await asyncio.wait_for(expect(view.loaded), 15)


async def test_every_failed_run_of_a_streak_reloads_the_run_log_not_only_the_told_one(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        server.route("/shop", "oops", status=500)
        tracker_id = await h.add()
        other = await h.add("Other", "/other")
        await h.check(tracker_id)  # the streak's first failure: told
        view = await h.open_view(tracker_id)
        assert column(view.runs_model, 4) == ["✗ failed"]
        told = len(await h.trackers.notifications())

        # The second failure of the streak is told to nobody; the open run log still shows it.
        reloaded = expect(view.loaded)
        await h.check(tracker_id)
        await asyncio.wait_for(reloaded, 15)
        await loaded_until(view, lambda: view.runs_model.rowCount() == 2)
        assert column(view.runs_model, 4) == ["✗ failed", "✗ failed"]
        assert len(await h.trackers.notifications()) == told

        # Another tracker's failures do not concern it.
        reloads: list[object] = []
        view.loaded.connect(lambda: reloads.append(True))
        await h.check(other)
        await h.trackers.wait_idle()
        await asyncio.sleep(0.2)
        assert reloads == []


async def test_with_the_schedulers_events_every_run_end_reloads_the_run_log(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        server.route("/shop", page())
        tracker_id = await h.add()
        other = await h.add("Other", "/shop")
        await h.check(tracker_id)
        scheduler = h.services.scheduler
        assert scheduler is not None
        before = len(scheduler.events._subscribers)
        # Not in h.widgets: it is closed (and deleted) below.
        window = HistoryWindow(h.trackers, tracker_id, runs=scheduler.events)
        view = window.view
        await until(view.loaded, window.show)
        assert len(scheduler.events._subscribers) == before + 1

        # The page did not change: no revision, no notification, only the run's end.
        reloaded = expect(view.loaded)
        await h.check(tracker_id)
        await asyncio.wait_for(reloaded, 15)
        assert column(view.runs_model, 4) == ["✓ succeeded", "✓ succeeded"]
        assert summaries(view) == ["baseline"]

        reloads: list[object] = []
        view.loaded.connect(lambda: reloads.append(True))
        await h.check(other)
        await asyncio.sleep(0.2)
        assert reloads == []

        destroyed = expect(window.destroyed)
        window.close()  # WA_DeleteOnClose: both subscriptions end
        await asyncio.wait_for(destroyed, 15)
        assert len(scheduler.events._subscribers) == before


# -- web text stays text ----------------------------------------------------------------------


async def test_web_text_is_shown_literally_never_as_html(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        name = f"Shop {TAG} [*]"
        # A script whose URL carries the tag (the extractor percent-encodes it) and whose server
        # answers with the tag as its reason phrase (which reaches the resource's error as is).
        server.handle("/x.js", garbage(f"HTTP/1.1 599 {TAG}\r\nContent-Length: 0\r\n\r\n".encode()))
        server.route("/shop", page(script(f"/x.js?{TAG}")))
        tracker_id = await h.add(name)
        await h.check(tracker_id)
        # A failed run whose error carries the server's words: its Content-Type.
        server.route("/shop", "x", content_type=f"text/{TAG}")
        failed = await h.check(tracker_id)
        assert TAG in (failed.error or "")

        window = HistoryWindow(h.trackers, tracker_id)
        h.widgets.append(window)
        view = window.view
        await until(view.loaded, window.show)

        [entry] = await h.trackers.history(tracker_id)
        [resource] = entry.revision.resources
        model = view.diff_view.model
        assert model.index(0, DiffModel.RESOURCE_COLUMN).data(DISPLAY) == resource.url
        assert "onerror=alert(1)" in model.index(0, DiffModel.RESOURCE_COLUMN).data(DISPLAY)
        status = model.index(0, 5).data(DISPLAY)
        assert TAG in status  # literally, as the server wrote it
        tooltip = model.index(0, 5).data(TOOLTIP)
        assert TAG not in tooltip and "&lt;img src=x onerror=alert(1)&gt;" in tooltip

        assert TAG in column(view.runs_model, 6)[0]
        run_tip = view.runs_model.index(0, 6).data(TOOLTIP)
        assert TAG not in run_tip and "&lt;img" in run_tip

        # The name: in the header label and in the window title, "[*]" included.
        assert any(label.text() == name for label in view.plain_labels())
        assert_plain(view.plain_labels())
        assert_plain(window.findChildren(QLabel))
        assert window.windowHandle().title() == f"History — {name}"


def test_a_url_with_markup_is_display_text_in_the_diff(qapp: QApplication) -> None:
    url = f"https://cdn.example/{TAG}.js"
    old = [Resource("script", "https://shop.example/a.js", False, "aa" * 32, 10)]
    new = [*old, Resource("script", url, False, "bb" * 32, 20, third_party=True)]
    view = ResourcesDiffView()
    view.show_resources_diff(diff_resources(old, new), old, new)
    [row] = view.visible_rows()
    assert row[2] == url
    tooltip = view.model.index(1, DiffModel.RESOURCE_COLUMN).data(TOOLTIP)
    assert TAG not in tooltip and "&lt;img" in tooltip
    # The finding names the origin; its label is plain text.
    assert_plain(view.labels())
    view.deleteLater()


# -- errors and lifetime ----------------------------------------------------------------------


async def test_a_load_error_is_shown_in_place_as_words(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        view = HistoryView(h.trackers, 999)
        h.widgets.append(view)
        [message] = await until(view.load_failed, view.show)
        assert "no tracker has the id 999" in message
        assert "no tracker has the id 999" in view.error_text
        assert "Traceback" not in view.error_text
        assert view.tabs.isHidden()  # nothing was ever loaded: the error stands in its place
        assert_plain(view.plain_labels())


async def test_the_view_stops_listening_when_closed_or_destroyed(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        server.route("/shop", page())
        tracker_id = await h.add()
        await h.check(tracker_id)
        bus = h.trackers.events
        # The bus's subscriber list is private; counting it is the direct way to see a leak.
        before = len(bus._subscribers)

        window = HistoryWindow(h.trackers, tracker_id)
        await until(window.view.loaded, window.show)
        assert window.windowTitle() == "History — Shop"
        # A rename while it is open: the title follows.
        tracker = await h.trackers.get(tracker_id)
        renamed = expect(window.view.loaded)
        await h.trackers.update(replace(tracker, name="Shop (EU)"))
        await asyncio.wait_for(renamed, 15)
        assert window.windowTitle() == "History — Shop (EU)"
        assert len(bus._subscribers) == before + 1
        destroyed = expect(window.destroyed)
        window.close()  # WA_DeleteOnClose
        await asyncio.wait_for(destroyed, 15)
        assert len(bus._subscribers) == before

        # An embedded view (never closed itself) stops when its parent is destroyed.
        parent = QWidget()
        view = HistoryView(h.trackers, tracker_id, parent)
        await until(view.loaded, parent.show)
        assert len(bus._subscribers) == before + 1
        gone = expect(view.destroyed)
        parent.deleteLater()
        await asyncio.wait_for(gone, 15)
        assert len(bus._subscribers) == before
        # Publishing afterwards reaches nobody and breaks nothing.
        bus.publish(RevisionSaved(tracker_id, 1, diff_resources([], []), False))


# -- colours ----------------------------------------------------------------------------------


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.AlternateBase, "#262626"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.Button, "#333333"),
        (QPalette.ColorRole.ButtonText, "#e6e6e6"),
        (QPalette.ColorRole.Highlight, "#2f65ca"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


def distance(a: QColor, b: QColor) -> float:
    return float(abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()))


def diff_colours_of(view: ResourcesDiffView) -> dict[str, tuple[QColor, QColor]]:
    """By row state: (foreground of the change column, row background)."""
    model = view.model
    found: dict[str, tuple[QColor, QColor]] = {}
    for row in range(model.rowCount()):
        state = model.index(row, 0).data(STATE_ROLE)
        foreground = model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole)
        background = model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole)
        found[state] = (foreground, background)
    return found


def test_diff_colours_are_readable_and_distinct_in_light_and_dark_palettes(
    qapp: QApplication,
) -> None:
    keep = [Resource("script", "https://a.example/keep.js", False, "aa" * 32, 1)]
    old = [*keep, Resource("script", "https://a.example/gone.js", False, "bb" * 32, 1)]
    old.append(Resource("stylesheet", "https://a.example/s.css", False, "cc" * 32, 1))
    new = [*keep, Resource("script", "https://a.example/new.js", False, "dd" * 32, 1)]
    new.append(Resource("stylesheet", "https://a.example/s.css", False, "ee" * 32, 2))
    view = ResourcesDiffView()
    view.show_resources_diff(diff_resources(old, new), old, new)

    light = QApplication.palette()
    for name, palette in (("light", light), ("dark", dark_palette())):
        view.setPalette(palette)
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        assert view.colours.base == base, name
        colours = diff_colours_of(view)
        assert set(colours) == {"added", "removed", "changed", "unchanged"}
        for state in ("added", "removed", "changed"):
            foreground, background = colours[state]
            # The symbol and word: readable on the row and on the plain base.
            assert contrast_ratio(foreground, background) >= 4.5, (name, state)
            assert contrast_ratio(foreground, base) >= 4.5, (name, state)
            # The row's tint: visibly not the base, and the normal text still reads on it.
            assert distance(background, base) >= 30, (name, state, background.name())
            assert contrast_ratio(text, background) >= 4.5, (name, state)
        tints = [colours[s][1] for s in ("added", "removed", "changed")]
        accents = [colours[s][0] for s in ("added", "removed", "changed")]
        for i in range(3):
            for j in range(i + 1, 3):
                assert distance(tints[i], tints[j]) >= 20, name
                assert distance(accents[i], accents[j]) >= 80, name
        # Unchanged rows: greyed (dimmer than the text) yet readable, and no tint.
        muted, background = colours["unchanged"]
        assert background is None
        assert 3.0 <= contrast_ratio(muted, base) < contrast_ratio(text, base), name
        if name == "dark":
            assert all(relative_luminance(t) < 0.1 for t in tints)  # dark tints on a dark base

    # The symbol and word are there whatever the colours.
    assert sorted(row[0] for row in view.visible_rows()) == ["+ added", "~ changed", "− removed"]
    view.deleteLater()


def test_change_colours_follow_an_odd_palette(qapp: QApplication) -> None:
    # A mid-grey base: the hues are pushed until they read.
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#808080"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#000000"))
    colours = ChangeColours.from_palette(palette)
    for accent in ("green", "red", "amber"):
        assert contrast_ratio(colours.accent[accent], colours.tint[accent]) >= 4.5


async def test_a_theme_change_keeps_the_selected_revision_and_its_diff(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id, _ = await four_revisions(h)
        view = await h.open_view(tracker_id)
        chosen = revision_ids(view)[2]
        await select(view, chosen)
        shown = view.diff_view.visible_rows()
        summaries_before = summaries(view)

        view.setPalette(dark_palette())  # what a switch to a dark theme sends

        entry = view.selected_entry()
        assert entry is not None and entry.revision.id == chosen
        assert view.diff_view.visible_rows() == shown
        assert summaries(view) == summaries_before
