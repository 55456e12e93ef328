"""The tracker editor fetching pages through the trackers service, on a real HTTP server on
127.0.0.1 and a fresh data directory: "Test selector", "Learn noise", and saving a content
tracker. Nothing here sleeps a fixed time: `until` lets the loop run until the editor shows
the answer (qtbot.waitUntil would spin a nested Qt loop inside this test's task, where qasync
cannot run the fetch's own tasks)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.kinds.content_fields import PREVIEW_LINES, ContentFields
from desktop_tracker.gui.noise_dialog import NoiseDialog
from desktop_tracker.gui.tracker_editor import TrackerEditor
from desktop_tracker.kinds.content.text import NOTHING_MATCHED
from desktop_tracker.service.app import open_services
from desktop_tracker.service.trackers import TrackerService
from tests.support.desktop_app import until
from tests.support.http_server import Exchange, LocalServer, drip, free_port

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PAGE = """<!doctype html><html><head><title>Shop</title></head><body>
<nav>Home · Prices · Contact</nav>
<main><h1>Prices</h1><ul id="prices"><li>Coffee 3.20</li><li>Tea 2.80</li></ul></main>
<footer>© Shop</footer>
</body></html>"""


@pytest.fixture(autouse=True)
def keep_running_when_windows_close(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


@asynccontextmanager
async def service(data_dir: Path) -> AsyncIterator[TrackerService]:
    async with open_services(data_dir) as services:
        assert services.trackers is not None
        yield services.trackers


def open_editor(
    qtbot: QtBot, trackers: TrackerService, tracker: Tracker | None = None
) -> TrackerEditor:
    editor = TrackerEditor(None, tracker, service=trackers)
    qtbot.addWidget(editor)
    editor.open()  # as the main window does
    return editor


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def content_editor(qtbot: QtBot, trackers: TrackerService, url: str) -> ContentFields:
    editor = open_editor(qtbot, trackers)
    type_into(qtbot, editor.name, "Prices")
    type_into(qtbot, editor.url, url)
    editor.kind.setCurrentIndex(editor.kind.findData("content"))
    fields = editor.fields()
    assert isinstance(fields, ContentFields)
    return fields


async def press_test_selector(qtbot: QtBot, fields: ContentFields) -> str:
    qtbot.mouseClick(fields.test_button, Qt.MouseButton.LeftButton)
    assert fields.is_testing() and fields.test_button.text() == "Stop test"
    await until(lambda: not fields.is_testing())
    assert fields.test_button.text() == "Test selector"
    return fields.test_message()


# --- Test selector ----------------------------------------------------------------------------


async def test_test_selector_shows_the_text_the_selector_matches(
    qapp: QApplication, qtbot: QtBot, data_dir: Path, server: LocalServer
) -> None:
    server.route("/shop", PAGE)
    async with service(data_dir) as trackers:
        fields = content_editor(qtbot, trackers, server.url("/shop"))
        editor = fields.window()
        assert isinstance(editor, TrackerEditor)
        # The page is fetched with the form's request headers.
        qtbot.mouseClick(editor.add_header, Qt.MouseButton.LeftButton)
        editor.headers.item(0, 0).setText("Cookie")
        editor.headers.item(0, 1).setText("sid=42")
        type_into(qtbot, fields.selector, "#prices")

        message = await press_test_selector(qtbot, fields)

        assert message == "2 lines matched."
        assert fields.preview_text() == "Coffee 3.20\nTea 2.80"
        assert fields.preview.isReadOnly()
        assert fields.preview.font().fixedPitch() or fields.preview.font().family()
        assert fields.test_error.isHidden()
        assert server.requests_to("/shop")[-1].header("cookie") == "sid=42"
        # The window makes room for the preview rather than squeezing the fields together.
        await until(lambda: fields.height() >= fields.minimumSizeHint().height())

        # Empty: the whole page, as a reader sees it (no head, no title).
        type_into(qtbot, fields.selector, "")
        assert fields.preview.isHidden()  # the old preview was of another selector
        message = await press_test_selector(qtbot, fields)
        assert message == "The whole page: 5 lines."
        assert fields.preview_text().splitlines() == [
            "Home · Prices · Contact",
            "Prices",
            "Coffee 3.20",
            "Tea 2.80",
            "© Shop",
        ]

        # Nothing was saved.
        assert await trackers.all() == []


async def test_test_selector_shows_the_first_lines_of_a_long_match_and_counts_them(
    qapp: QApplication, qtbot: QtBot, data_dir: Path, server: LocalServer
) -> None:
    items = "".join(f"<li>Item {n}</li>" for n in range(1, 251))
    server.route("/long", f"<html><body><ol id='all'>{items}</ol></body></html>")
    async with service(data_dir) as trackers:
        fields = content_editor(qtbot, trackers, server.url("/long"))
        type_into(qtbot, fields.selector, "#all")
        message = await press_test_selector(qtbot, fields)
        assert message == f"250 lines matched; the first {PREVIEW_LINES} shown."
        lines = fields.preview_text().splitlines()
        assert len(lines) == PREVIEW_LINES and lines[-1] == f"Item {PREVIEW_LINES}"


async def test_a_selector_that_matches_nothing_says_so_in_words(
    qapp: QApplication, qtbot: QtBot, data_dir: Path, server: LocalServer
) -> None:
    server.route("/shop", PAGE)
    async with service(data_dir) as trackers:
        fields = content_editor(qtbot, trackers, server.url("/shop"))
        type_into(qtbot, fields.selector, "#sold-out")
        message = await press_test_selector(qtbot, fields)
        assert message.startswith(NOTHING_MATCHED)
        assert "the selector matched nothing: the page changed or the selector is wrong" in message
        assert not fields.test_error.isHidden()
        assert fields.test_error.textFormat() == Qt.TextFormat.PlainText
        assert fields.preview.isHidden()


async def test_a_page_that_cannot_be_fetched_says_why(
    qapp: QApplication, qtbot: QtBot, data_dir: Path, server: LocalServer
) -> None:
    async with service(data_dir) as trackers:
        fields = content_editor(qtbot, trackers, f"http://127.0.0.1:{free_port()}/")
        message = await press_test_selector(qtbot, fields)
        assert message and "Traceback" not in message and "\n" not in message
        assert not fields.test_error.isHidden() and fields.preview.isHidden()


async def test_a_running_test_can_be_stopped(
    qapp: QApplication, qtbot: QtBot, data_dir: Path, server: LocalServer
) -> None:
    server.handle("/slow", drip(PAGE.encode(), interval=0.5))
    async with service(data_dir) as trackers:
        fields = content_editor(qtbot, trackers, server.url("/slow"))
        qtbot.mouseClick(fields.test_button, Qt.MouseButton.LeftButton)
        await until(lambda: server.requests_to("/slow"))
        assert fields.is_testing()
        qtbot.mouseClick(fields.test_button, Qt.MouseButton.LeftButton)  # "Stop test"
        assert not fields.is_testing() and fields.test_message() == "Test stopped."
        assert fields.test_button.text() == "Test selector"

        # Closing the editor stops a test too.
        qtbot.mouseClick(fields.test_button, Qt.MouseButton.LeftButton)
        assert fields.is_testing()
        editor = fields.window()
        assert isinstance(editor, TrackerEditor)
        editor.reject()
        assert not fields.is_testing()
        await until(lambda: server.wait_until_idle(timeout=0))


# --- Learn noise ------------------------------------------------------------------------------


def noisy_page() -> tuple[list[str], object]:
    """A page whose request id (a UUID) and visitor count change at every request."""
    served: list[str] = []
    counter = itertools.count(40)

    def handler(exchange: Exchange) -> None:
        request_id = str(uuid.uuid4())
        served.append(request_id)
        body = (
            "<html><body><main><h1>Prices</h1>"
            f"<p>Request {request_id}</p><p>{next(counter)} visitors online</p>"
            "<p>Coffee 3.20</p></main></body></html>"
        )
        exchange.respond(200, body, [("Content-Type", "text/html; charset=utf-8")])

    return served, handler


async def learnt(editor: TrackerEditor) -> NoiseDialog:
    editor.learn_noise.click()
    dialog = editor.noise_dialog
    assert dialog is not None and dialog.isVisible()
    await until(lambda: not dialog.is_busy())
    return dialog


async def test_learnt_rules_are_accepted_into_the_mask_field(
    qapp: QApplication, qtbot: QtBot, data_dir: Path, server: LocalServer
) -> None:
    served, handler = noisy_page()
    server.handle("/noisy", handler)  # type: ignore[arg-type]
    async with service(data_dir) as trackers:
        fields = content_editor(qtbot, trackers, server.url("/noisy"))
        editor = fields.window()
        assert isinstance(editor, TrackerEditor)
        editor.masks.setPlainText("existing-rule")

        editor.learn_noise.click()
        dialog = editor.noise_dialog
        assert dialog is not None and dialog.isVisible()
        assert dialog.is_busy() and not dialog.busy.isHidden()
        assert not dialog.accept_button.isEnabled()
        await until(lambda: not dialog.is_busy())

        assert len(served) == 3  # three fetches
        assert dialog.busy.isHidden() and dialog.error.isHidden()
        reasons = [row.reason.text() for row in dialog.rows]
        assert any("UUID" in reason for reason in reasons), reasons
        assert any("counter" in reason for reason in reasons), reasons
        assert all(row.chosen() for row in dialog.rows)
        patterns = dialog.accepted_patterns()
        with qtbot.waitSignal(dialog.accepted, timeout=1000):
            dialog.accept_button.click()

        assert editor.masks.toPlainText().splitlines() == ["existing-rule", *patterns]
        assert editor.mask_error.isHidden()

        # Learnt again, the rules it has are applied first: nothing new, nothing twice.
        again = await learnt(editor)
        assert again.rows == [] and "no mask rule is needed" in again.status.text()
        again.reject()
        editor.add_mask_rules(patterns)
        assert editor.masks.toPlainText().splitlines() == ["existing-rule", *patterns]

        # With the rules, two fetches of the page read the same.
        editor.masks.setPlainText("\n".join(patterns))
        editor.accept()
        tracker = editor.result_tracker()
        assert tracker is not None and tracker.mask == tuple(patterns)
        first = await trackers.check_unsaved(tracker)
        second = await trackers.check_unsaved(tracker)
        assert first.snapshot.to_json() == second.snapshot.to_json()
        assert "visitors online" in first.snapshot.to_json()["text"]


async def test_a_rule_can_be_left_out_or_edited_before_it_is_accepted(
    qapp: QApplication, qtbot: QtBot, data_dir: Path, server: LocalServer
) -> None:
    _served, handler = noisy_page()
    server.handle("/noisy", handler)  # type: ignore[arg-type]
    async with service(data_dir) as trackers:
        fields = content_editor(qtbot, trackers, server.url("/noisy"))
        editor = fields.window()
        assert isinstance(editor, TrackerEditor)
        dialog = await learnt(editor)
        assert len(dialog.rows) >= 2
        dialog.rows[0].use.setChecked(False)
        dialog.rows[1].pattern.setText(r"\d+ visitors")
        dialog.accept_button.click()
        assert editor.masks.toPlainText() == "\n".join(
            [r"\d+ visitors", *[row.text() for row in dialog.rows[2:]]]
        )


async def test_learning_can_be_cancelled_while_it_fetches(
    qapp: QApplication, qtbot: QtBot, data_dir: Path, server: LocalServer
) -> None:
    server.handle("/slow", drip(PAGE.encode(), interval=0.5))
    async with service(data_dir) as trackers:
        fields = content_editor(qtbot, trackers, server.url("/slow"))
        editor = fields.window()
        assert isinstance(editor, TrackerEditor)
        editor.learn_noise.click()
        dialog = editor.noise_dialog
        assert dialog is not None
        await until(lambda: server.requests_to("/slow"))
        assert dialog.is_busy() and dialog.cancel_button.isEnabled()
        dialog.cancel_button.click()
        assert not dialog.isVisible() and not dialog.is_busy()
        assert editor.masks.toPlainText() == ""
        # The fetch stops: the server sees the client go, and no second fetch comes.
        await until(lambda: server.wait_until_idle(timeout=0))
        assert len(server.requests_to("/slow")) == 1


async def test_a_failed_learning_says_why_in_words(
    qapp: QApplication, qtbot: QtBot, data_dir: Path, server: LocalServer
) -> None:
    server.route("/gone", "no such page", status=404, content_type="text/plain")
    async with service(data_dir) as trackers:
        fields = content_editor(qtbot, trackers, server.url("/gone"))
        editor = fields.window()
        assert isinstance(editor, TrackerEditor)
        dialog = await learnt(editor)
        assert not dialog.error.isHidden()
        message = dialog.error.message()
        assert message and "404" in message and "Traceback" not in message
        assert not dialog.accept_button.isEnabled() and dialog.cancel_button.text() == "Close"


# --- saving -----------------------------------------------------------------------------------


async def test_saving_a_content_tracker_stores_its_options(
    qapp: QApplication, qtbot: QtBot, data_dir: Path, server: LocalServer
) -> None:
    server.route("/shop", PAGE)
    async with service(data_dir) as trackers:
        fields = content_editor(qtbot, trackers, server.url("/shop"))
        editor = fields.window()
        assert isinstance(editor, TrackerEditor)
        type_into(qtbot, fields.selector, " #prices ")
        fields.additions_only.click()
        editor.masks.setPlainText(r"\d+ visitors")
        with qtbot.waitSignal(editor.accepted, timeout=1000):
            editor.ok_button.click()
        result = editor.result_tracker()
        assert result is not None
        saved = await trackers.add(result)

        assert saved.id is not None
        stored = await trackers.get(saved.id)
        assert stored.kind == "content"
        assert stored.options == {"selector": "#prices", "additions_only": True}
        assert stored.mask == (r"\d+ visitors",)

        # Opened again, the editor shows them; an edit is saved as made.
        again = open_editor(qtbot, trackers, stored)
        again_fields = again.fields()
        assert isinstance(again_fields, ContentFields)
        assert again_fields.selector.text() == "#prices"
        assert again_fields.additions_only.isChecked()
        type_into(qtbot, again_fields.selector, "main")
        again_fields.additions_only.click()
        again.accept()
        edited = again.result_tracker()
        assert edited is not None
        await trackers.update(edited)
        stored = await trackers.get(saved.id)
        assert stored.options == {"selector": "main", "additions_only": False}
