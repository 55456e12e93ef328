"""From the history's resources diff, a script's row opens the diff of its old and new text."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop_tracker.gui.body_diff_view import BodyDiffWindow
from desktop_tracker.gui.kinds.resources_diff import ResourcesDiffView
from tests.gui.test_history_view import (  # noqa: F401 (an autouse fixture)
    four_revisions,
    keep_running_when_windows_close,
    page,
    running,
    select,
)
from tests.support.http_server import LocalServer


async def opened(view: ResourcesDiffView, action: Callable[[], object]) -> BodyDiffWindow:
    """Do `action`, then wait (on the loop, never blocking it) for the body diff it opens."""
    before = set(map(id, view.body_windows))
    action()
    for _ in range(1500):
        fresh = [w for w in view.body_windows if id(w) not in before]
        if fresh:
            return fresh[0]
        await asyncio.sleep(0.01)  # the service reads the bodies on the database thread
    raise AssertionError("no body diff opened")


def texts(window: BodyDiffWindow) -> tuple[str, str]:
    diff = window.diff
    assert diff is not None
    return "\n".join(diff.old), "\n".join(diff.new)


async def test_a_changed_script_opens_its_body_diff_with_both_texts(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id, urls = await four_revisions(h)  # app.js: "app = 1" → "app = 22"
        history = await h.open_view(tracker_id)
        changed = [e.revision.id for e in history.revisions_model.entries()][1]
        await select(history, changed)
        view = history.diff_view
        assert isinstance(view, ResourcesDiffView)
        view.select_resource(urls["app"])
        assert view.bodies_button.isEnabled()

        window = await opened(view, view.bodies_button.click)
        assert texts(window) == ("app = 1", "app = 22")
        window.close()

        # Enter on the row opens it too, as a double-click does.
        view.select_resource(urls["app"])
        window = await opened(view, lambda: QTest.keyClick(view.table, Qt.Key.Key_Return))
        assert texts(window) == ("app = 1", "app = 22")
        window.close()


async def test_an_added_inline_style_opens_with_its_new_text_only(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        h.server.route("/shop", page())
        tracker_id = await h.add()
        await h.check(tracker_id)
        h.server.route("/shop", page("<style>p { color: red }</style>"))
        await h.check(tracker_id)
        history = await h.open_view(tracker_id)
        view = history.diff_view
        assert isinstance(view, ResourcesDiffView)
        view.table.selectRow(0)
        window = await opened(view, view.show_selected_bodies)
        assert window.diff is not None and window.diff.new == ("p { color: red }",)
        assert window.diff.old == ()
        window.close()
