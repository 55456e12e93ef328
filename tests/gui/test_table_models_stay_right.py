"""The Qt-item models stay right: the trackers table (refreshes under a sort and a filter, stale
cells, the running state, web text in tool tips) and RowsModel (rebuilds, theme changes)."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView

from desktop_tracker.gui.diff_view import STATE_ROLE, Cell, ChangeColours, RowsModel
from desktop_tracker.gui.kinds.resources_diff import ResourcesDiffView
from desktop_tracker.gui.trackers_model import (
    COLUMNS,
    LAST,
    NAME,
    NEXT,
    SORT_ROLE,
    STATUS,
    TRACKER_ID_ROLE,
    UNREAD,
    TrackersFilter,
    TrackersModel,
)
from desktop_tracker.kinds.resources.diff import diff_resources
from desktop_tracker.kinds.resources.snapshot import Resource
from desktop_tracker.service.trackers import TrackerOverview
from tests.gui.test_history_view import (
    column,
    compare,
    expect,
    four_revisions,
    keep_running_when_windows_close,  # noqa: F401 - autouse: closing a view must not quit the app
    revision_ids,
    running,
    select,
)
from tests.gui.test_trackers_model import ROWS, overview
from tests.support.http_server import LocalServer

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ALL_ROLES = [
    DISPLAY,
    TOOLTIP,
    Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.FontRole,
    SORT_ROLE,
    TRACKER_ID_ROLE,
    Qt.ItemDataRole.UserRole + 2,
]


def shown_tooltip(tooltip: str) -> str:
    """What QToolTip shows for this text: it guesses rich text like QLabel's AutoText."""
    from PySide6 import QtGui

    if QtGui.Qt.mightBeRichText(tooltip):
        document = QTextDocument()
        document.setHtml(tooltip)
        return document.toPlainText()
    return tooltip


def snapshot(model: TrackersModel) -> list[list[list[Any]]]:
    return [
        [[model.index(r, c).data(role) for role in ALL_ROLES] for c in range(len(COLUMNS))]
        for r in range(model.rowCount())
    ]


def fresh(rows: list[TrackerOverview], running: set[int] | None = None) -> TrackersModel:
    model = TrackersModel()
    if running:
        model.set_running(running)
    model.set_rows(rows)
    return model


def table_on(proxy: TrackersFilter) -> QTableView:
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return view


def selected_ids(view: QTableView) -> list[int]:
    return [index.data(TRACKER_ID_ROLE) for index in view.selectionModel().selectedRows()]


def proxy_names(proxy: TrackersFilter) -> list[str]:
    return [proxy.index(row, NAME).data() for row in range(proxy.rowCount())]


def renamed(row: TrackerOverview, name: str, url: str | None = None) -> TrackerOverview:
    tracker = replace(row.tracker, name=name, url=url if url is not None else row.tracker.url)
    return replace(row, tracker=tracker)


# -- trackers table: web text -------------------------------------------------------------------


def test_an_error_tooltip_from_the_web_shows_as_plain_text(qapp: Any) -> None:
    # fetcher._status_text keeps a non-standard status's reason phrase from the server.
    error = "the server answered 599 <b>pwned</b> <img src=x>"
    model = fresh([overview(1, "Bad", "https://bad.example/", last=3.0, error=error)])
    assert shown_tooltip(model.index(0, LAST).data(TOOLTIP)) == error
    model.set_rows([overview(1, "Bad", "https://bad.example/", last=4.0, error=error + "!")])
    assert shown_tooltip(model.index(0, LAST).data(TOOLTIP)) == error + "!"


# -- trackers table: stale cells ----------------------------------------------------------------


def test_values_going_back_to_empty_leave_no_stale_cell(qapp: Any) -> None:
    failing = overview(1, "A", "https://a.example/", last=3.0, next_check=7.0, unread=4, error="x")
    model = fresh([failing])
    assert model.index(0, LAST).data(TOOLTIP) is not None
    healed = overview(1, "A", "https://a.example/", last=None, next_check=None, unread=0)
    model.set_rows([healed])
    assert model.index(0, LAST).data(TOOLTIP) is None  # the tool tip is gone
    assert model.index(0, UNREAD).data() == ""
    assert model.index(0, UNREAD).data(SORT_ROLE) == 0
    assert model.index(0, NEXT).data(SORT_ROLE) == float("inf")
    assert model.index(0, LAST).data() == "never"
    align = model.index(0, UNREAD).data(Qt.ItemDataRole.TextAlignmentRole)
    assert int(align) == int(Qt.AlignmentFlag.AlignCenter)
    assert snapshot(model) == snapshot(fresh([healed]))


def test_in_place_updates_match_a_fresh_model_whatever_changed(qapp: Any) -> None:
    model = fresh(ROWS)
    a, b, c = ROWS
    steps = [
        [renamed(a, "Zed", "https://z.example/"), b, c],
        [a, replace(b, unread=3, next_check=1.0), c],
        [a, b, overview(3, "Other", "https://o.example/", last=9.0, error="boom")],
        [a, replace(b, tracker=replace(b.tracker, enabled=False)), c],
        list(ROWS),
    ]
    for rows in steps:
        model.set_rows(rows)
        assert snapshot(model) == snapshot(fresh(rows))


def test_a_tracker_keeping_its_id_but_nothing_else_is_rewritten_whole(qapp: Any) -> None:
    # An id reused by SQLite (the highest one deleted, another added) between two refreshes.
    model = fresh(ROWS)
    other = overview(3, "New one", "https://new.example/", last=5.0, unread=1, error="e")
    model.set_rows([ROWS[0], ROWS[1], other])
    assert snapshot(model) == snapshot(fresh([ROWS[0], ROWS[1], other]))
    assert model.overview(model.row_of(3) or 0).tracker.name == "New one"


# -- trackers table: refreshes under a sort and a filter ------------------------------------------


def test_the_selection_follows_a_tracker_that_moves_in_the_sort(qapp: Any) -> None:
    model = fresh(ROWS)
    proxy = TrackersFilter(model)
    view = table_on(proxy)
    view.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
    assert proxy_names(proxy) == ["blog", "Docs", "Shop"]
    view.selectRow(0)
    assert selected_ids(view) == [2]
    model.set_rows([ROWS[0], renamed(ROWS[1], "zzz"), ROWS[2]])
    assert proxy_names(proxy) == ["Docs", "Shop", "zzz"]
    assert selected_ids(view) == [2]
    model.set_rows([ROWS[0], replace(ROWS[1], unread=50), ROWS[2]])
    view.sortByColumn(UNREAD, Qt.SortOrder.DescendingOrder)
    assert selected_ids(view) == [2]
    assert proxy_names(proxy)[0] == "blog"


def test_a_reorder_rebuilds_and_rows_keep_their_own_values(qapp: Any) -> None:
    model = fresh(ROWS)
    proxy = TrackersFilter(model)
    proxy.sort(NAME, Qt.SortOrder.AscendingOrder)
    model.set_rows([ROWS[2], ROWS[0], ROWS[1]])
    assert [model.index(r, NAME).data(TRACKER_ID_ROLE) for r in range(3)] == [3, 1, 2]
    assert model.row_of(3) == 0 and model.overview(0).tracker.id == 3
    assert proxy_names(proxy) == ["blog", "Docs", "Shop"]
    assert snapshot(model) == snapshot(fresh([ROWS[2], ROWS[0], ROWS[1]]))


def test_the_filter_follows_names_and_urls_that_change(qapp: Any) -> None:
    model = fresh(ROWS)
    proxy = TrackersFilter(model)
    proxy.sort(NAME, Qt.SortOrder.AscendingOrder)
    proxy.set_text("zz")
    assert proxy_names(proxy) == []
    model.set_rows([ROWS[0], renamed(ROWS[1], "blog", "https://zz.example/"), ROWS[2]])
    assert proxy_names(proxy) == ["blog"]  # now matches by URL
    model.set_rows(list(ROWS))
    assert proxy_names(proxy) == []
    model.set_rows([ROWS[0], ROWS[1], renamed(ROWS[2], "Docs ZZ")])
    assert proxy_names(proxy) == ["Docs ZZ"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("a.b", ["a.b (x)"]),
        ("A*", []),
        ("(x)", ["a.b (x)"]),
        ("[", ["c[d"]),
        ("\\", ["e\\f"]),
        ("  C[D  ", ["c[d"]),
        ("^", []),
        ("ÄÖ", ["äö"]),
    ],
)
def test_filter_text_is_a_fixed_string_any_case(qapp: Any, text: str, names: list[str]) -> None:
    rows = [
        overview(1, "a.b (x)", "https://one.example/"),
        overview(2, "c[d", "https://two.example/"),
        overview(3, "e\\f", "https://three.example/"),
        overview(4, "äö", "https://four.example/"),
        overview(5, "aab", "https://five.example/"),
    ]
    proxy = TrackersFilter(fresh(rows))
    proxy.sort(NAME, Qt.SortOrder.AscendingOrder)
    proxy.set_text(text)
    assert proxy_names(proxy) == names


def test_sort_keys_of_one_column_compare_as_numbers(qapp: Any) -> None:
    rows = [
        overview(1, "a", "https://a.example/", last=2.5, next_check=5.0),
        overview(2, "b", "https://b.example/", next_check=None),  # never run; nothing planned
        overview(3, "c", "https://c.example/", last=1e10, next_check=2.5),
        overview(4, "d", "https://d.example/", last=0.5, next_check=3e9),
    ]
    proxy = TrackersFilter(fresh(rows))
    proxy.sort(NEXT, Qt.SortOrder.AscendingOrder)
    assert proxy_names(proxy) == ["c", "a", "d", "b"]
    proxy.sort(NEXT, Qt.SortOrder.DescendingOrder)
    assert proxy_names(proxy) == ["b", "d", "a", "c"]
    proxy.sort(LAST, Qt.SortOrder.DescendingOrder)
    assert proxy_names(proxy) == ["c", "a", "d", "b"]


def test_a_whole_number_time_sorts_among_float_times(qapp: Any) -> None:
    rows = [
        overview(1, "a", "https://a.example/", next_check=5),  # type: ignore[arg-type]
        overview(2, "b", "https://b.example/", next_check=None),
        overview(3, "c", "https://c.example/", next_check=2.5),
        overview(4, "d", "https://d.example/", next_check=3_000_000_000),  # type: ignore[arg-type]
    ]
    wrong = []
    for order in itertools.permutations(rows):
        proxy = TrackersFilter(fresh(list(order)))
        proxy.sort(NEXT, Qt.SortOrder.AscendingOrder)
        if proxy_names(proxy) != ["c", "a", "d", "b"]:
            wrong.append(proxy_names(proxy))
        proxy.sort(NEXT, Qt.SortOrder.DescendingOrder)
        if proxy_names(proxy) != ["b", "d", "a", "c"]:
            wrong.append(proxy_names(proxy))
    assert wrong == []


# -- trackers table: the running state ----------------------------------------------------------


def test_checking_state_goes_with_a_removed_tracker_and_comes_back_right(qapp: Any) -> None:
    model = fresh(ROWS)
    model.set_running({1})
    model.set_rows([ROWS[1], ROWS[2]])  # tracker 1 deleted while being checked
    model.set_running(set())  # its run ends
    model.set_rows(list(ROWS))  # re-added with the same id
    assert model.index(model.row_of(1) or 0, STATUS).data() == "OK"
    assert snapshot(model) == snapshot(fresh(ROWS))


def test_a_tracker_checked_before_its_row_exists_shows_checking(qapp: Any) -> None:
    model = fresh(ROWS[:2])
    model.set_running({3})
    model.set_rows(list(ROWS))
    assert model.index(2, STATUS).data() == "Checking…"
    model.set_running(set())
    assert model.index(2, STATUS).data() == "Not checked yet"
    model.set_running({1, 2})
    model.set_rows([ROWS[0], replace(ROWS[1], unread=9), ROWS[2]])
    assert [model.index(r, STATUS).data() for r in range(3)][:2] == ["Checking…", "Checking…"]
    assert snapshot(model) == snapshot(fresh(model_rows(model), {1, 2}))


def test_the_checking_state_sorts_and_filters_like_any_status(qapp: Any) -> None:
    model = fresh(ROWS)
    proxy = TrackersFilter(model)
    proxy.sort(STATUS, Qt.SortOrder.AscendingOrder)
    model.set_running({3})
    assert proxy.index(0, STATUS).data() == "Checking…"
    proxy.set_text("docs")
    assert [proxy.index(r, STATUS).data() for r in range(proxy.rowCount())] == ["Checking…"]


def model_rows(model: TrackersModel) -> list[TrackerOverview]:
    return [model.overview(row) for row in range(model.rowCount())]


# -- RowsModel -------------------------------------------------------------------------------


class Words(RowsModel):
    """Each item a (text, tooltip, state) triple."""

    def __init__(self) -> None:
        super().__init__(["Word", "Tip"])

    def state(self, item: Any) -> str | None:
        return item[2]

    def cells(self, item: Any, colours: ChangeColours) -> list[Cell]:
        accent = colours.accent["green"] if item[2] == "added" else None
        return [
            Cell(item[0], foreground=accent, bold=accent is not None),
            Cell(item[1] or "", tooltip=item[1], align_right=item[1] is None),
        ]


def rows_of(model: RowsModel) -> list[list[list[Any]]]:
    roles = [
        DISPLAY,
        TOOLTIP,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.TextAlignmentRole,
        STATE_ROLE,
    ]
    return [
        [[model.index(r, c).data(role) for role in roles] for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_set_items_with_as_many_rows_but_other_content_leaves_nothing_stale(qapp: Any) -> None:
    model = Words()
    model.set_items([("a", "<b>tip</b>", "added"), ("b", None, "unchanged")])
    model.set_items([("c", None, "unchanged"), ("d", "x", None)])
    reference = Words()
    reference.set_items([("c", None, "unchanged"), ("d", "x", None)])
    assert rows_of(model) == rows_of(reference)
    assert model.index(0, 1).data(TOOLTIP) is None
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole) is None
    assert model.index(1, 0).data(STATE_ROLE) is None
    assert model.entry(1) == ("d", "x", None)


def test_tooltips_of_rows_are_escaped(qapp: Any) -> None:
    model = Words()
    model.set_items([("a", "<img src=x> & <b>", "added")])
    assert shown_tooltip(model.index(0, 1).data(TOOLTIP)) == "<img src=x> & <b>"


def test_new_colours_keep_the_selection_and_rewrite_only_colours(qapp: Any) -> None:
    model = Words()
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    model.set_items([("a", None, "added"), ("b", "t", "unchanged"), ("c", None, "added")])
    view.selectRow(2)
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Base, QColor("#101010"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    colours = ChangeColours.from_palette(dark)
    model.set_colours(colours)
    assert [i.row() for i in view.selectionModel().selectedRows()] == [2]
    assert model.index(2, 0).data(Qt.ItemDataRole.ForegroundRole) == colours.accent["green"]
    reference = Words()
    reference.set_colours(colours)
    reference.set_items(model.items)
    assert rows_of(model) == rows_of(reference)


def test_a_theme_change_during_a_diff_keeps_rows_filter_and_selection(qapp: Any) -> None:
    old = [
        Resource("script", "https://a.example/a.js", False, "1" * 64, 1),
        Resource("script", "https://a.example/b.js", False, "2" * 64, 2),
    ]
    new = [
        Resource("script", "https://a.example/a.js", False, "1" * 64, 1),
        Resource("script", "https://a.example/b.js", False, "3" * 64, 3),
        Resource("script", "https://evil.example/<img src=x>.js", False, "4" * 64, 4),
    ]
    view = ResourcesDiffView()
    view.show_resources_diff(diff_resources(old, new), old, new)
    before = view.visible_rows()
    assert len(before) == 2  # the unchanged one is hidden
    view.table.selectRow(1)
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Base, QColor("#111111"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#f0f0f0"))
    view.setPalette(dark)
    assert view.colours.dark
    assert view.visible_rows() == before
    assert [i.row() for i in view.table.selectionModel().selectedRows()] == [1]
    model = view.model
    added = next(
        r for r in range(model.rowCount()) if model.index(r, 0).data(STATE_ROLE) == "added"
    )
    assert (
        model.index(added, 0).data(Qt.ItemDataRole.ForegroundRole) == view.colours.accent["green"]
    )
    assert model.index(added, 0).data(Qt.ItemDataRole.BackgroundRole) == view.colours.tint["green"]
    tip = model.index(added, 2).data(TOOLTIP)
    assert "https://evil.example/<img src=x>.js" in shown_tooltip(tip)
    view.set_show_unchanged(True)
    assert len(view.visible_rows()) == 3
    view.close()


# -- the history view: a reload under the user's choice ------------------------------------------


async def test_a_reload_keeps_the_revision_compared_with(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id, _ = await four_revisions(h)
        view = await h.open_view(tracker_id)
        _, changed_id, _, baseline_id = revision_ids(view)
        await select(view, changed_id)
        await compare(view, baseline_id)
        assert view.compare_combo.currentData() == baseline_id

        loaded = expect(view.loaded)
        view.reload()
        await asyncio.wait_for(loaded, 15)
        selected = view.selected_entry()
        assert selected is not None and selected.revision.id == changed_id
        assert view.compare_combo.currentData() == baseline_id


async def test_a_reload_keeps_the_selected_older_revision(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id, _ = await four_revisions(h)
        view = await h.open_view(tracker_id)
        _, changed_id, _, _ = revision_ids(view)
        await select(view, changed_id)
        loaded = expect(view.loaded)
        view.reload()
        await asyncio.wait_for(loaded, 15)
        selected = view.selected_entry()
        assert selected is not None and selected.revision.id == changed_id
        assert column(view.revisions_model, 1)[1] == "1 changed"
        assert [row[0] for row in view.diff_view.visible_rows()] == ["~ changed"]
