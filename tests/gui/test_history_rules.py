""" "Ignore this" from the history's diffs: each kind's view proposes a rule, the history asks
first (showing the rule), adds it to the tracker through the service, and the next check follows
it. Real services, a real SQLite file and a local server."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.diff_view import literal
from desktop_tracker.gui.history_view import HistoryView
from desktop_tracker.gui.kinds.headers_diff_view import HeadersDiffView
from desktop_tracker.gui.kinds.resources_diff import ResourcesDiffView
from desktop_tracker.gui.kinds.text_diff_view import TextDiffView
from tests.gui.test_history_content import html
from tests.gui.test_history_headers import headers_history
from tests.gui.test_history_view import (
    Harness,
    four_revisions,
    keep_running_when_windows_close,  # noqa: F401 - autouse: closing a view must not quit the app
    revision_ids,
    running,
    select,
    until,
)
from tests.support.http_server import LocalServer


def open_box(view: HistoryView) -> QMessageBox:
    [box] = [b for b in view.findChildren(QMessageBox) if b.isVisible()]
    return box


def confirm_button(box: QMessageBox) -> object:
    [button] = [b for b in box.buttons() if b.text().startswith("Add ")]
    return button


async def confirm(view: HistoryView) -> tuple[str, str]:
    box = open_box(view)
    button = confirm_button(box)
    kind, pattern = await until(view.rule_added, button.click)  # type: ignore[attr-defined]
    return kind, pattern


async def content_history(h: Harness) -> int:
    h.server.route("/news", html("Shop", "Updated 12:30 today", "Price: 10 euros"))
    tracker = await h.trackers.add(Tracker("News", h.server.url("/news"), kind="content"))
    assert tracker.id is not None
    await h.check(tracker.id)
    h.server.route("/news", html("Shop", "Updated 12:31 today", "Price: 10 euros"))
    await h.check(tracker.id)
    return tracker.id


def text_view_of(view: HistoryView) -> TextDiffView:
    diff = view.diff_view
    assert isinstance(diff, TextDiffView)
    return diff


def block_of(diff: TextDiffView, text: str) -> int:
    return diff.line_texts(diff.unified_pane).index(text)


async def latest_text(h: Harness, tracker_id: int) -> str:
    [newest, *_] = await h.trackers.history(tracker_id)
    text: str = newest.revision.snapshot.text
    return text


async def test_ignore_lines_like_this_asks_then_adds_the_rule_and_the_next_check_follows_it(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id = await content_history(h)
        view = await h.open_view(tracker_id)
        diff = text_view_of(view)
        pane = diff.unified_pane
        diff.select_in(pane, block_of(diff, "Updated 12:31 today"), 3, 3)  # the cursor on it
        assert diff.ignore_line_button.isEnabled()
        assert not diff.mask_button.isEnabled()  # nothing selected to mask

        diff.ignore_line_button.click()
        box = open_box(view)
        rule = "^Updated 12:31 today$"
        assert rule in box.text()  # the rule is shown before anything is saved
        assert "lines of text" in box.text()  # what an ignore rule of this kind leaves out
        assert "next check" in box.text()
        assert await confirm(view) == ("ignore", rule)

        tracker = await h.trackers.get(tracker_id)
        assert tracker.ignore == (rule,)
        assert tracker.mask == ()
        assert "applies from the next check" in view.notice_text
        assert rule in view.notice_text

        # The next check leaves the line out.
        await h.check(tracker_id)
        assert await latest_text(h, tracker_id) == "Shop\nPrice: 10 euros"


async def test_mask_this_part_adds_a_mask_rule_for_the_selection(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id = await content_history(h)
        view = await h.open_view(tracker_id)
        diff = text_view_of(view)
        diff.set_mode("side by side")
        _, right = diff.side_panes
        row = diff.line_texts(right).index("Updated 12:31 today")
        diff.select_in(right, row, len("Updated "), len("Updated 12:31"))
        assert diff.selected_part() == "12:31"
        diff.mask_button.click()
        assert r"\d+:\d+" in open_box(view).text()
        assert await confirm(view) == ("mask", r"\d+:\d+")
        tracker = await h.trackers.get(tracker_id)
        assert tracker.mask == (r"\d+:\d+",)
        assert tracker.ignore == ()

        server.route("/news", html("Shop", "Updated 12:45 today", "Price: 10 euros"))
        await h.check(tracker_id)
        assert await latest_text(h, tracker_id) == "Shop\nUpdated … today\nPrice: 10 euros"


async def test_cancelling_adds_nothing_and_a_rule_is_never_added_twice(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id = await content_history(h)
        view = await h.open_view(tracker_id)
        diff = text_view_of(view)
        diff.select_in(diff.unified_pane, block_of(diff, "Shop"), 0, 0)

        diff.ignore_line_button.click()
        open_box(view).button(QMessageBox.StandardButton.Cancel).click()
        await asyncio.sleep(0.1)
        assert (await h.trackers.get(tracker_id)).ignore == ()
        assert view.notice_text == ""

        diff.ignore_line_button.click()
        await confirm(view)
        diff.ignore_line_button.click()
        await confirm(view)
        assert (await h.trackers.get(tracker_id)).ignore == ("^Shop$",)
        assert "already" in view.notice_text


async def test_the_text_panes_context_menu_offers_both_rules(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id = await content_history(h)
        view = await h.open_view(tracker_id)
        diff = text_view_of(view)
        pane = diff.unified_pane
        pane.customContextMenuRequested.emit(QPoint(5, 5))
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        actions = {action.text(): action for action in menu.actions()}
        assert actions["Ignore lines like this…"].isEnabled()  # the line clicked on
        assert not actions["Mask this part…"].isEnabled()  # nothing selected
        actions["Ignore lines like this…"].trigger()
        menu.close()
        line = diff.current_line()
        assert line is not None
        assert literal(line.text) in open_box(view).text()
        open_box(view).button(QMessageBox.StandardButton.Cancel).click()


async def test_ignore_this_resource_adds_a_rule_for_its_url(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id, urls = await four_revisions(h)
        view = await h.open_view(tracker_id)
        await select(view, revision_ids(view)[2])  # pixel.js added
        diff = view.diff_view
        assert isinstance(diff, ResourcesDiffView)
        assert not diff.ignore_button.isEnabled()  # no row selected
        diff.select_resource(urls["pixel"])
        assert diff.ignore_button.isEnabled()
        diff.ignore_button.click()
        rule = "^" + literal(urls["pixel"]) + "$"
        assert rule == f"^http://127\\.0\\.0\\.1:{server.port}/pixel\\.js$"
        assert "resource URLs" in open_box(view).text()
        assert await confirm(view) == ("ignore", rule)
        assert (await h.trackers.get(tracker_id)).ignore == (rule,)

        # The page lists pixel.js again; the next check leaves it out.
        server.route(
            "/shop",
            '<!doctype html><html><head><script src="/app.js"></script>'
            '<script src="/pixel.js"></script></head></html>',
        )
        await h.check(tracker_id)
        [newest, *_] = await h.trackers.history(tracker_id)
        assert [r.url for r in newest.revision.resources] == [urls["app"]]


async def test_ignore_this_header_adds_a_rule_for_its_name(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id = await headers_history(h)
        view = await h.open_view(tracker_id)
        diff = view.diff_view
        assert isinstance(diff, HeadersDiffView)

        # A cookie's change is no header's: nothing to ignore.
        diff.select_change("cookie session lost HttpOnly")
        assert not diff.ignore_button.isEnabled()
        diff.select_change("X-Frame-Options changed from DENY to SAMEORIGIN")
        assert diff.ignore_button.isEnabled()
        assert diff.ignore_button.text() == "Ignore x-frame-options…"
        diff.ignore_button.click()
        assert "^x-frame-options:" in open_box(view).text()
        assert await confirm(view) == ("ignore", "^x-frame-options:")
        assert (await h.trackers.get(tracker_id)).ignore == ("^x-frame-options:",)

        # The headers tab offers it too.
        diff.tabs.setCurrentIndex(1)
        diff.select_header("referrer-policy")
        assert diff.ignore_button.text() == "Ignore referrer-policy…"

        await h.check(tracker_id)
        [newest, *_] = await h.trackers.history(tracker_id)
        assert "x-frame-options" not in newest.revision.snapshot.headers
        assert "referrer-policy" in newest.revision.snapshot.headers
