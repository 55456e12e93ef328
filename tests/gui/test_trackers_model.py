"""The trackers table's model: real sort values, the filter box, and updates that touch only what
changed (all of it served by Qt from C++, with no Python model behind the view)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from desktop_tracker.core.jobs import RunOutcome, RunRecord
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.trackers_model import (
    LAST,
    NAME,
    NEXT,
    STATUS,
    TRACKER_ID_ROLE,
    UNREAD,
    URL,
    TrackersFilter,
    TrackersModel,
)
from desktop_tracker.service.trackers import TrackerOverview


def overview(
    tracker_id: int,
    name: str,
    url: str,
    *,
    last: float | None = None,
    next_check: float | None = None,
    unread: int = 0,
    error: str | None = None,
) -> TrackerOverview:
    run = None
    if last is not None:
        outcome = RunOutcome.FAILED if error else RunOutcome.SUCCEEDED
        run = RunRecord("r", f"tracker:{tracker_id}", last, last, last + 1, outcome, error, 1)
    tracker = replace(Tracker(name, url, schedule="0 9 * * *", timezone="UTC"), id=tracker_id)
    return TrackerOverview(tracker, next_check, run, unread)


ROWS = [
    overview(1, "Shop", "https://shop.example/checkout", last=2_000_000_000.0, next_check=5.0),
    overview(2, "blog", "https://blog.example/", last=1_000_000_000.0, next_check=None),
    overview(3, "Docs", "https://docs.example/<img src=x>", next_check=9.0, unread=12),
]


def column(
    proxy: TrackersFilter, number: int, role: int = Qt.ItemDataRole.DisplayRole
) -> list[Any]:
    return [proxy.index(row, number).data(role) for row in range(proxy.rowCount())]


def test_sorting_uses_real_values_not_the_text(qapp: Any) -> None:
    model = TrackersModel()
    model.set_rows(ROWS)
    proxy = TrackersFilter(model)
    proxy.sort(NAME, Qt.SortOrder.AscendingOrder)
    assert column(proxy, NAME) == ["blog", "Docs", "Shop"]  # not case-sensitive
    proxy.sort(LAST, Qt.SortOrder.AscendingOrder)
    assert column(proxy, NAME) == ["Docs", "blog", "Shop"]  # never checked first, then by time
    proxy.sort(NEXT, Qt.SortOrder.AscendingOrder)
    assert column(proxy, NAME) == ["Shop", "Docs", "blog"]  # no next check sorts last
    proxy.sort(UNREAD, Qt.SortOrder.DescendingOrder)
    assert column(proxy, NAME)[0] == "Docs"  # 12 unread, as a number


def test_the_filter_keeps_rows_whose_name_or_url_contains_the_text(qapp: Any) -> None:
    model = TrackersModel()
    model.set_rows(ROWS)
    proxy = TrackersFilter(model)
    proxy.sort(NAME, Qt.SortOrder.AscendingOrder)
    proxy.set_text("  CHECKOUT ")
    assert column(proxy, NAME) == ["Shop"]
    proxy.set_text("docs")
    assert column(proxy, NAME, TRACKER_ID_ROLE) == [3]
    proxy.set_text("<img")  # web text is searched (and shown) as text
    assert column(proxy, URL) == ["https://docs.example/<img src=x>"]
    proxy.set_text("")
    assert len(column(proxy, NAME)) == 3


def test_a_refresh_writes_only_the_cells_that_changed(qapp: Any) -> None:
    model = TrackersModel()
    model.set_rows(ROWS)
    changed: list[tuple[int, int, int, int]] = []

    def on_changed(first: QModelIndex, last: QModelIndex, roles: list[int]) -> None:
        changed.append((first.row(), first.column(), last.row(), last.column()))

    model.dataChanged.connect(on_changed)
    model.set_rows([ROWS[0], replace(ROWS[1], unread=4), ROWS[2]])
    assert changed and all((r, c) == (1, UNREAD) for r, c, _, _ in changed)
    assert model.index(1, UNREAD).data() == "4"

    changed.clear()
    model.set_rows(list(model_rows(model)))  # nothing new: nothing written
    assert changed == []


def test_running_and_failing_states_and_the_error_tooltip(qapp: Any) -> None:
    model = TrackersModel()
    error = "the server redirected to <img src=x onerror=alert(1)>"
    failing = overview(4, "Bad", "https://bad.example/", last=3.0, error=error)
    model.set_rows([*ROWS, failing])
    model.set_running({1})
    assert model.index(0, STATUS).data() == "Checking…"
    model.set_running(set())
    assert model.index(0, STATUS).data() == "OK"
    assert model.index(3, STATUS).data() == "Failing"
    tooltip = model.index(3, LAST).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;img src=x onerror=alert(1)&gt;" in tooltip and "<img" not in tooltip  # as text
    assert model.index(0, LAST).data(Qt.ItemDataRole.ToolTipRole) is None
    assert model.index(2, NAME).data(TRACKER_ID_ROLE) == 3


def test_a_different_set_of_trackers_rebuilds_the_rows(qapp: Any) -> None:
    model = TrackersModel()
    model.set_rows(ROWS)
    model.set_rows([ROWS[2]])
    assert model.rowCount() == 1
    assert model.index(0, NAME).data() == "Docs"
    assert model.row_of(3) == 0 and model.row_of(1) is None


def model_rows(model: TrackersModel) -> list[TrackerOverview]:
    return [model.overview(row) for row in range(model.rowCount())]


def test_a_tracker_that_skips_tls_verification_says_so(qapp: Any) -> None:
    model = TrackersModel()
    insecure = replace(ROWS[0], tracker=replace(ROWS[0].tracker, verify_tls=False))
    model.set_rows([insecure, ROWS[1]])
    assert "TLS not verified" in model.index(0, STATUS).data()
    assert "not checked" in model.index(0, STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert "TLS" not in model.index(1, STATUS).data()
    assert model.index(1, STATUS).data(Qt.ItemDataRole.ToolTipRole) is None
