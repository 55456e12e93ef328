"""A long history on real services (a real SQLite file): the newest page first, older pages as
the list is scrolled or paged with the keyboard down to the baseline, each revision with its own
diff, and any two compared, listed or not yet."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.history_view import PAGE, HistoryView
from desktop_tracker.service.app import AppServices
from tests.support.desktop_app import emitted, until
from tests.support.kept_revisions import URL, keep, script, scripts

COUNT = 2 * PAGE + 15  # three pages: two whole, one not


@pytest.fixture(autouse=True)
def keep_running_when_windows_close(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


@asynccontextmanager
async def long_history(data_dir: Path) -> AsyncIterator[tuple[HistoryView, list[int]]]:
    """A resources tracker whose revision n added script s{n} (revision 0, the baseline, has
    s0 alone), and its history view, shown and loaded; the revisions' ids, oldest first."""
    services = AppServices(data_dir)
    await services.open()
    view: HistoryView | None = None
    try:
        assert services.trackers is not None
        tracker = await services.trackers.add(Tracker("Shop", URL, schedule="manual"))
        assert tracker.id is not None
        ids = await keep(services, tracker.id, [scripts(n + 1) for n in range(COUNT)])
        view = HistoryView(services.trackers, tracker.id)
        view.resize(900, 600)
        await emitted(view.loaded, view.show)
        yield view, ids
    finally:
        if view is not None:
            view.close()
            view.deleteLater()
        await services.close()


def shown_ids(view: HistoryView) -> list[int]:
    return [entry.revision.id for entry in view.revisions_model.entries()]


def selected_id(view: HistoryView) -> int | None:
    entry = view.selected_entry()
    return entry.revision.id if entry is not None else None


def changes(view: HistoryView) -> list[list[str]]:
    """The diff's rows as shown: state, kind, URL."""
    return [row[:3] for row in view.diff_view.visible_rows()]  # type: ignore[attr-defined]


async def test_a_long_history_opens_on_its_newest_page_and_pages_down_to_its_baseline(
    qapp: QApplication, data_dir: Path
) -> None:
    async with long_history(data_dir) as (view, ids):
        model = view.revisions_model
        newest_first = ids[::-1]
        # The newest page only, newest first, the newest selected and its diff shown…
        assert shown_ids(view) == newest_first[:PAGE]
        assert selected_id(view) == ids[-1]
        assert changes(view) == [["+ added", "script", script(COUNT - 1)]]
        assert model.index(0, 1).data() == "1 added"
        # …while the window knows how many there are, and can compare with any of them.
        assert model.canFetchMore(QModelIndex())
        assert f"{COUNT} revisions kept" in [label.text() for label in view.plain_labels()]
        assert view.compare_combo.count() == COUNT  # "previous", then every other one

        # Ctrl+End goes to the last row shown; there the list asks for the next page, and the
        # next Ctrl+End goes further, down to the oldest.
        table = view.revision_table
        table.setFocus()
        pages = [model.rowCount()]
        while model.rowCount() < COUNT:
            QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
            await until(lambda: model.rowCount() > pages[-1])
            pages.append(model.rowCount())
        assert pages == [PAGE, 2 * PAGE, COUNT]
        assert shown_ids(view) == newest_first
        assert not model.canFetchMore(QModelIndex())
        QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        await until(lambda: selected_id(view) == ids[0])
        assert model.index(COUNT - 1, 1).data() == "baseline"
        assert changes(view) == [["• baseline", "script", script(0)]]

        # A reload keeps every row shown and the one chosen.
        await emitted(view.loaded, view.reload)
        assert shown_ids(view) == newest_first
        assert selected_id(view) == ids[0]


async def test_every_revision_of_a_long_history_shows_its_own_diff(
    qapp: QApplication, data_dir: Path
) -> None:
    async with long_history(data_dir) as (view, ids):
        newest_first = ids[::-1]
        # The last row of the first page: the revision before it is not in the list yet.
        last = newest_first[PAGE - 1]
        await emitted(view.diff_shown, lambda: view.select_revision(last))
        number = ids.index(last)
        assert changes(view) == [["+ added", "script", script(number)]]
        view.diff_view.set_show_unchanged(True)  # type: ignore[attr-defined]
        assert [url for state, _, url in changes(view) if state == "= unchanged"] == [
            script(n) for n in range(number)
        ]
        view.diff_view.set_show_unchanged(False)  # type: ignore[attr-defined]

        # One deep in the second page, once it is there (selecting the last row may have
        # scrolled the list to its end, which asks for the page by itself).
        view.fetch_more()
        await until(lambda: view.revisions_model.rowCount() >= 2 * PAGE)
        deep = newest_first[PAGE + 12]
        await emitted(view.diff_shown, lambda: view.select_revision(deep))
        assert changes(view) == [["+ added", "script", script(ids.index(deep))]]

        # The newest compared with the baseline, which the list does not show yet: every
        # script but the first came since.
        await emitted(view.diff_shown, lambda: view.select_revision(ids[-1]))
        assert ids[0] not in shown_ids(view)
        await emitted(view.diff_shown, lambda: view.compare_with(ids[0]))
        assert changes(view) == [["+ added", "script", script(n)] for n in range(1, COUNT)]
