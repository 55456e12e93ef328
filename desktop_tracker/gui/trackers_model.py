"""The trackers table: one row per tracker, sortable by real values, filterable by text.

The rows live in a QStandardItemModel, and a plain QSortFilterProxyModel sorts and filters them:
painting, sorting and filtering then run in C++ alone. A Python model answers every cell and role
of every repaint and re-sort through a call into Python, and each call must win the GIL back
from the threads that are checking pages: during a burst of 200 checks that was 190,000 calls,
and the window froze for 280 to 400 ms at a time (tests/bench/bench_gui.py). Python now writes
only the cells whose text changed.

Item views draw DisplayRole strings as plain text, so names and URLs from the user or the web
never render as HTML here.

A failing tracker says so in words, without hovering: its status reads "Failing" beside a warning
icon (and in the failure colour, when the window gives one), its last check "Failed: " and the
error's first line; the whole error is in both cells' tool tips. A success makes it plain again.
"""

from __future__ import annotations

import functools
import time
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QIcon, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QStyle

from desktop_tracker.core.jobs import RunOutcome
from desktop_tracker.core.schedules import InvalidSchedule, parse_schedule
from desktop_tracker.gui.item_models import model_reset
from desktop_tracker.gui.plain_text import plain_tooltip
from desktop_tracker.kinds.registry import UnknownKind, kind_for
from desktop_tracker.service.trackers import TrackerOverview

COLUMNS = ["Name", "Kind", "URL", "Schedule", "Last check", "Next check", "Status", "Unread"]
NAME, KIND, URL, SCHEDULE, LAST, NEXT, STATUS, UNREAD = range(len(COLUMNS))
SORT_ROLE = Qt.ItemDataRole.UserRole
TRACKER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
FILTER_ROLE = Qt.ItemDataRole.UserRole + 2  # on the name cell: what the filter box searches
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
DECORATION = Qt.ItemDataRole.DecorationRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
_CENTRED = int(Qt.AlignmentFlag.AlignCenter)
ERROR_CHARS = 160  # of an error's first line in a cell; the tool tip has all of it

TLS_OFF_TIP = (
    "TLS verification is off for this tracker: the site's certificate is not checked, so anyone "
    "on the network path could answer in its name."
)

_OUTCOME_WORDS = {
    RunOutcome.SUCCEEDED: "✓ ok",
    RunOutcome.FAILED: "✗ failed",
    RunOutcome.INTERRUPTED: "↻ interrupted",
    RunOutcome.SKIPPED: "– skipped",
    RunOutcome.RUNNING: "… running",
}


_warning_icon: list[QIcon] = []


def warning_icon() -> QIcon:
    """One icon for every failing row. A row's cells are compared before they are written, and
    two QIcons are equal only when they are the same object: a new one each time would
    rewrite every failing row's status cell at every refresh."""
    if not _warning_icon:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return QIcon()  # no widgets, no style to take it from (not kept: try again later)
        _warning_icon.append(app.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
    return _warning_icon[0]


def failure_text(overview: TrackerOverview) -> str | None:
    """The error a failing tracker shows: its last run's, or its failure streak's (while a new
    check runs, or when the last run was cut short). None when it is not failing."""
    run = overview.last_run
    if run is not None and run.outcome is RunOutcome.FAILED:
        return run.error or "unknown error"
    if overview.failure is not None:
        return overview.failure.error or "unknown error"
    return None


def brief_error(error: str) -> str:
    """The first line of an error, shortened for a cell."""
    line = next((part for part in error.splitlines() if part.strip()), "unknown error")
    line = " ".join(line.split())
    return line if len(line) <= ERROR_CHARS else line[: ERROR_CHARS - 1] + "…"


def local_time(timestamp: float | None) -> str:
    if timestamp is None:
        return "—"
    return _local_time(timestamp)


# Trackers on one schedule share their next check: 10,000 rows hold a few hundred instants.
@functools.lru_cache(maxsize=4096)
def _local_time(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


@functools.lru_cache(maxsize=1024)  # parsing a cron expression is slow; rows refresh often
def describe_schedule(expression: str, zone: str) -> str:
    try:
        return parse_schedule(expression, zone).describe()
    except InvalidSchedule as error:
        return f"invalid: {error}"


def kind_label(name: str) -> str:
    """A kind as the window says it ("Page text"); a kind this version does not know (a newer
    app's, in a shared data folder) by its stored name."""
    try:
        return kind_for(name).label
    except UnknownKind:
        return name


Cells = list[dict[int, Any]]  # for each column, its value for each role


class TrackersModel(QStandardItemModel):
    """The trackers' rows, one QStandardItem per cell.

    No Qt method is overridden here: Qt would then call into Python for every cell (PySide
    remembers that a method has no Python override, and asks no more)."""

    def __init__(self) -> None:
        super().__init__(0, len(COLUMNS))
        self.setHorizontalHeaderLabels(COLUMNS)
        self._rows: list[TrackerOverview] = []
        self._cells: list[Cells] = []  # what each row's items hold
        self._row_by_id: dict[int | None, int] = {}
        self._running: set[int] = set()
        self._failing_colour: QColor | None = None

    # -- updates --------------------------------------------------------------------------------

    def set_rows(self, rows: list[TrackerOverview]) -> None:
        """Show these rows. When the trackers are the same ones, only the cells that changed
        are written, and only their rows repainted."""
        if [r.tracker.id for r in rows] != [r.tracker.id for r in self._rows]:
            cells = [self._cells_of(overview) for overview in rows]
            with model_reset(self):
                self._rows, self._cells = list(rows), cells
                self._row_by_id = {r.tracker.id: n for n, r in enumerate(rows)}
                self.setRowCount(0)
                append = self.appendRow
                for row_cells in cells:
                    append(_items(row_cells))
            return
        changed = [
            n for n, (old, new) in enumerate(zip(self._rows, rows, strict=True)) if old != new
        ]
        self._rows = list(rows)
        for row in changed:
            self._write(row)

    def set_running(self, tracker_ids: set[int]) -> None:
        """Which trackers are being checked now; the rows whose state moved are rewritten."""
        moved = self._running ^ tracker_ids
        self._running = set(tracker_ids)
        for tracker_id in moved:
            row = self.row_of(tracker_id)
            if row is not None:
                self._write(row)

    def set_failing_colour(self, colour: QColor | None) -> None:
        """The text colour of a failing row's status and last check (the palette's red, which
        the window chooses for its theme); None: the view's own. Said by icon and word too."""
        if colour == self._failing_colour:
            return
        self._failing_colour = QColor(colour) if colour is not None else None
        for row in range(len(self._rows)):
            self._write(row)

    def row_of(self, tracker_id: int) -> int | None:
        return self._row_by_id.get(tracker_id)

    def overview(self, row: int) -> TrackerOverview:
        return self._rows[row]

    def tracker_ids(self) -> list[int]:
        return [r.tracker.id for r in self._rows if r.tracker.id is not None]

    def names(self) -> list[str]:
        return [r.tracker.name for r in self._rows]

    def _write(self, row: int) -> None:
        """Bring a row's items up to date, touching only the values that changed."""
        new = self._cells_of(self._rows[row])
        for column, (old_cell, new_cell) in enumerate(zip(self._cells[row], new, strict=True)):
            if old_cell == new_cell:
                continue
            item = self.item(row, column)
            for role, value in new_cell.items():
                if old_cell.get(role) != value:
                    item.setData(value, role)
        self._cells[row] = new

    # -- what a row shows -----------------------------------------------------------------------

    def _cells_of(self, overview: TrackerOverview) -> Cells:
        """Each column's roles for this row. Straight-line code: it runs for every row when
        10,000 trackers fill the table."""
        tracker = overview.tracker
        run = overview.last_run
        failure = failure_text(overview)  # None unless failing
        failing = failure is not None
        red = self._failing_colour if failing else None
        texts = self._texts(overview, failure)
        name, kind, url, schedule, last, next_check, status, unread = texts
        lowered = [text.lower() for text in texts]
        # Errors quote the web (URLs, servers' words); tool tips would read them as HTML.
        error = failure or (run.error if run is not None else None)
        status_tips = [TLS_OFF_TIP] if not tracker.verify_tls else []
        if failing:
            status_tips.insert(0, f"The check failed: {failure}")
        # Floats always: Qt compares two sort values as the type of the first, and an int
        # beside inf ("paused") would sort wrong.
        last_key = float(run.started_at) if run is not None else 0.0
        next_key = float(overview.next_check) if overview.next_check is not None else float("inf")
        return [
            {
                DISPLAY: name,
                SORT_ROLE: lowered[NAME],
                TRACKER_ID_ROLE: tracker.id,
                FILTER_ROLE: f"{tracker.name}\n{tracker.url}",
            },
            {DISPLAY: kind, SORT_ROLE: lowered[KIND]},
            {DISPLAY: url, SORT_ROLE: lowered[URL]},
            {DISPLAY: schedule, SORT_ROLE: lowered[SCHEDULE]},
            {
                DISPLAY: last,
                SORT_ROLE: last_key,
                TOOLTIP: plain_tooltip(error) if error else None,
                FOREGROUND: red,
            },
            {DISPLAY: next_check, SORT_ROLE: next_key},
            {
                DISPLAY: status,
                SORT_ROLE: lowered[STATUS],
                TOOLTIP: plain_tooltip("\n\n".join(status_tips)) if status_tips else None,
                DECORATION: warning_icon() if failing else None,
                FOREGROUND: red,
            },
            {
                DISPLAY: unread,
                SORT_ROLE: overview.unread,
                ALIGNMENT: _CENTRED,
            },
        ]

    def _texts(self, overview: TrackerOverview, failure: str | None) -> list[str]:
        """What each column shows, in column order."""
        tracker = overview.tracker
        run = overview.last_run
        if run is None:
            last = "never"
        else:
            when = local_time(run.started_at)
            if run.outcome is RunOutcome.FAILED and failure is not None:
                last = f"{when}  ✗ Failed: {brief_error(failure)}"
            else:
                last = f"{when}  {_OUTCOME_WORDS.get(run.outcome, '')}"
                if failure:
                    last += f" · last failed: {brief_error(failure)}"
        status = self._status(overview, failure is not None)
        if not tracker.verify_tls:
            status += " · ⚠ TLS not verified"
        return [
            tracker.name,
            kind_label(tracker.kind),
            tracker.url,
            describe_schedule(tracker.schedule, tracker.timezone),
            last,
            local_time(overview.next_check) if tracker.enabled else "paused",
            status,
            str(overview.unread) if overview.unread else "",
        ]

    def _status(self, overview: TrackerOverview, failing: bool) -> str:
        tracker = overview.tracker
        if tracker.id in self._running:
            return "Checking… (failing)" if failing else "Checking…"
        if not tracker.enabled:
            return "Paused (failing)" if failing else "Paused"
        if failing:
            return "Failing"
        if overview.last_run is None:
            return "Not checked yet"
        return "OK"


class TrackersFilter(QSortFilterProxyModel):
    """Sorts by real values and keeps the rows whose name or URL contains the filter text.

    Nothing here is overridden: Qt sorts and filters without calling into Python."""

    def __init__(self, source: TrackersModel) -> None:
        super().__init__()
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setFilterRole(FILTER_ROLE)
        self.setFilterKeyColumn(NAME)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_text(self, text: str) -> None:
        self.setFilterFixedString(text.strip())


def _items(cells: Cells) -> list[QStandardItem]:
    """A new row's items: each one's text through the constructor, then its sort key and the
    other roles that hold a value. Items stay editable as far as their flags go (the view never
    starts an editor): setting the flag cost a third of filling 10,000 rows."""
    items = []
    for cell in cells:
        item = QStandardItem(cell[DISPLAY])
        item.setData(cell[SORT_ROLE], SORT_ROLE)
        if len(cell) > 2:
            for role, value in cell.items():
                if value is not None and role != DISPLAY and role != SORT_ROLE:
                    item.setData(value, role)
        items.append(item)
    return items
