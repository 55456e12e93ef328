"""A failing tracker shows as such in the trackers table: the word "Failing" beside a warning icon
and its error in words in the cell itself, not only in a tool tip; plain again after a success."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QIcon

from desktop_tracker.core.jobs import RunOutcome, RunRecord
from desktop_tracker.domain.revisions import FailureStreak, NotificationKind
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.trackers_model import LAST, NAME, STATUS, UNREAD, TrackersModel
from desktop_tracker.service.trackers import TrackerOverview
from tests.support.desktop_app import Running, until

DECORATION = Qt.ItemDataRole.DecorationRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
REFUSED = "127.0.0.1:9 refused the connection: nothing is listening there"
PAGE = "<html><head><script>app()</script></head><body>shop</body></html>"


def row(
    tracker_id: int,
    outcome: RunOutcome | None,
    error: str | None = None,
    *,
    streak: str | None = None,
    enabled: bool = True,
) -> TrackerOverview:
    tracker = Tracker(f"T{tracker_id}", f"https://t{tracker_id}.example/", timezone="UTC")
    tracker = replace(tracker, id=tracker_id, enabled=enabled)
    run = None
    if outcome is not None:
        run = RunRecord("r", tracker.job_id, 10.0, 10.0, 11.0, outcome, error, 1)
    failure = FailureStreak(tracker_id, 5.0, streak, True, 10.0) if streak else None
    return TrackerOverview(tracker, 20.0, run, 0, failure)


def has_icon(index: QModelIndex) -> bool:
    icon = index.data(DECORATION)
    return isinstance(icon, QIcon) and not icon.isNull()


def test_a_failing_row_says_failing_with_an_icon_and_its_error_without_hovering(qapp: Any):
    model = TrackersModel()
    model.set_failing_colour(QColor("#b42318"))
    failing = row(2, RunOutcome.FAILED, REFUSED, streak=REFUSED)
    model.set_rows([row(1, RunOutcome.SUCCEEDED), failing])

    assert model.index(1, STATUS).data() == "Failing"
    assert has_icon(model.index(1, STATUS))
    last = model.index(1, LAST).data()
    assert f"Failed: {REFUSED}" in last  # in the cell, in words
    assert REFUSED in model.index(1, LAST).data(TOOLTIP)  # and all of it in the tool tip
    assert REFUSED in model.index(1, STATUS).data(TOOLTIP)
    assert model.index(1, STATUS).data(FOREGROUND) == QColor("#b42318")  # colour as well

    assert model.index(0, STATUS).data() == "OK"
    assert not has_icon(model.index(0, STATUS))
    assert "Failed" not in model.index(0, LAST).data()
    assert model.index(0, STATUS).data(FOREGROUND) is None


def test_a_success_makes_the_row_plain_again(qapp: Any):
    model = TrackersModel()
    model.set_rows([row(1, RunOutcome.FAILED, REFUSED, streak=REFUSED)])
    assert has_icon(model.index(0, STATUS))
    model.set_rows([row(1, RunOutcome.SUCCEEDED)])
    assert model.index(0, STATUS).data() == "OK"
    assert not has_icon(model.index(0, STATUS))
    assert "Failed" not in model.index(0, LAST).data()
    assert model.index(0, LAST).data(TOOLTIP) is None


def test_a_streak_stays_visible_while_a_check_runs_or_the_tracker_is_paused(qapp: Any):
    model = TrackersModel()
    model.set_rows(
        [
            row(1, RunOutcome.RUNNING, streak=REFUSED),  # its newest run is the one running
            row(2, RunOutcome.FAILED, REFUSED, streak=REFUSED, enabled=False),
        ]
    )
    model.set_running({1})
    assert model.index(0, STATUS).data() == "Checking… (failing)"
    assert has_icon(model.index(0, STATUS))
    assert f"last failed: {REFUSED}" in model.index(0, LAST).data()
    assert model.index(1, STATUS).data() == "Paused (failing)"
    assert has_icon(model.index(1, STATUS))


def test_a_long_error_is_shortened_in_the_cell_and_web_text_stays_text(qapp: Any):
    error = "the server answered 404 <img src=x onerror=alert(1)> " + "x" * 500 + "\nsecond line"
    model = TrackersModel()
    model.set_rows([row(1, RunOutcome.FAILED, error, streak=error)])
    last = model.index(0, LAST).data()
    assert "Failed: the server answered 404 <img src=x onerror=alert(1)>" in last  # as written
    assert len(last) < 250 and last.endswith("…") and "second line" not in last
    tip = model.index(0, LAST).data(TOOLTIP)
    assert "second line" in tip and "&lt;img" in tip and "<img" not in tip  # escaped: text


def test_a_failing_row_rewrites_only_the_cells_that_changed(qapp: Any):
    model = TrackersModel()
    failing = row(1, RunOutcome.FAILED, REFUSED, streak=REFUSED)
    model.set_rows([failing])
    changed: list[int] = []
    model.dataChanged.connect(lambda first, *_: changed.append(first.column()))
    model.set_rows([replace(failing, unread=3)])
    assert changed and set(changed) == {UNREAD}  # the status cell and its icon are left alone
    assert has_icon(model.index(0, STATUS))


async def test_the_table_of_the_running_app_shows_a_failing_tracker_and_its_recovery(
    qapp, data_dir, server
):
    server.route("/shop", "gone", status=404)
    running = await Running(data_dir).start()
    try:
        trackers = running.app.services.trackers
        shop = await trackers.add(Tracker("Shop", server.url("/shop"), timezone="UTC"))
        await until(lambda: "Shop" in running.rows())
        for _ in range(2):  # a second failing check tells nothing new
            await (await trackers.check_now(shop.id))
            await until(lambda: running.cell("Shop", STATUS) == "Failing")
        last = running.cell("Shop", LAST)
        assert "Failed: the server answered 404" in last
        # The column was fitted to "never"; it widens so that the words show, not "✗ …", as
        # far as it can without pushing another column out of view.
        table = running.window.table
        never = table.fontMetrics().horizontalAdvance("never")
        await until(lambda: table.columnWidth(LAST) > never * 3)
        header = table.horizontalHeader()
        right_edges = [
            header.sectionViewportPosition(c) + header.sectionSize(c)
            for c in range(header.count())
            if not header.isSectionHidden(c)
        ]
        assert max(right_edges) <= table.viewport().width()
        index = status_index(running, "Shop")
        assert has_icon(index)
        inbox = running.app.inbox
        await until(lambda: inbox.list.topLevelItemCount() == 1)
        assert inbox.row_texts(0)[2].startswith("Check failed: Shop — the server answered 404")

        server.route("/shop", PAGE)
        await (await trackers.check_now(shop.id))
        await until(lambda: running.cell("Shop", STATUS) == "OK")
        assert "Failed" not in running.cell("Shop", LAST)
        assert not has_icon(status_index(running, "Shop"))
        await until(lambda: inbox.list.topLevelItemCount() == 2)
        assert [n.kind for n in inbox.notifications()] == [
            NotificationKind.RECOVERED,
            NotificationKind.FAILURE,
        ]
        assert inbox.row_texts(0)[2].startswith("Shop works again — It had failed since ")
    finally:
        await running.quit()


def status_index(running: Running, name: str) -> QModelIndex:
    proxy = running.window.proxy
    for number in range(proxy.rowCount()):
        if proxy.index(number, NAME).data() == name:
            return proxy.index(number, STATUS)
    raise AssertionError(f"no row {name}")
