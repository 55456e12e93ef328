"""The trackers table: one row per tracker, sortable by real values, filterable by text.

Item views draw DisplayRole strings as plain text, so names and URLs from the user or the web
never render as HTML here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from desktop_tracker.core.jobs import RunOutcome
from desktop_tracker.core.schedules import InvalidSchedule, parse_schedule
from desktop_tracker.service.trackers import TrackerOverview

COLUMNS = ["Name", "Kind", "URL", "Schedule", "Last check", "Next check", "Status", "Unread"]
NAME, KIND, URL, SCHEDULE, LAST, NEXT, STATUS, UNREAD = range(len(COLUMNS))
SORT_ROLE = Qt.ItemDataRole.UserRole
TRACKER_ID_ROLE = Qt.ItemDataRole.UserRole + 1

_OUTCOME_WORDS = {
    RunOutcome.SUCCEEDED: "✓ ok",
    RunOutcome.FAILED: "✗ failed",
    RunOutcome.INTERRUPTED: "↻ interrupted",
    RunOutcome.SKIPPED: "– skipped",
    RunOutcome.RUNNING: "… running",
}

Index = QModelIndex | QPersistentModelIndex


def local_time(timestamp: float | None) -> str:
    if timestamp is None:
        return "—"
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def describe_schedule(expression: str, zone: str) -> str:
    try:
        return parse_schedule(expression, zone).describe()
    except InvalidSchedule as error:
        return f"invalid: {error}"


class TrackersModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[TrackerOverview] = []
        self._running: set[int] = set()

    # -- updates --------------------------------------------------------------------------------

    def set_rows(self, rows: list[TrackerOverview]) -> None:
        """Show these rows. When the trackers are the same ones, only the changed rows are
        repainted: a reset re-sorts and redraws the whole table, which is felt with hundreds of
        rows refreshing during a burst of checks."""
        if [r.tracker.id for r in rows] != [r.tracker.id for r in self._rows]:
            self.beginResetModel()
            self._rows = list(rows)
            self.endResetModel()
            return
        changed = [
            n for n, (old, new) in enumerate(zip(self._rows, rows, strict=True)) if old != new
        ]
        self._rows = list(rows)
        self._rows_changed(changed)

    def set_running(self, tracker_ids: set[int]) -> None:
        """Which trackers are being checked now; the rows whose state moved are repainted."""
        moved = self._running ^ tracker_ids
        self._running = set(tracker_ids)
        rows = [self.row_of(tracker_id) for tracker_id in moved]
        self._rows_changed([row for row in rows if row is not None])

    def _rows_changed(self, rows: list[int]) -> None:
        # One signal for the whole span: the sorting proxy re-sorts once per signal, and a
        # signal per row made a burst of 200 checks freeze the window.
        if rows:
            last_column = len(COLUMNS) - 1
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last_column))

    def row_of(self, tracker_id: int) -> int | None:
        for number, overview in enumerate(self._rows):
            if overview.tracker.id == tracker_id:
                return number
        return None

    def overview(self, row: int) -> TrackerOverview:
        return self._rows[row]

    # -- Qt model -------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        overview = self._rows[index.row()]
        if role == TRACKER_ID_ROLE:
            return overview.tracker.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(overview, index.column())
        if role == SORT_ROLE:
            return self._sort_key(overview, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == LAST:
            run = overview.last_run
            return run.error if run is not None and run.error else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == UNREAD:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _status(self, overview: TrackerOverview) -> str:
        tracker = overview.tracker
        if tracker.id in self._running:
            return "Checking…"
        if not tracker.enabled:
            return "Paused"
        run = overview.last_run
        if run is None:
            return "Not checked yet"
        if run.outcome is RunOutcome.FAILED:
            return "Failing"
        return "OK"

    def _display(self, overview: TrackerOverview, column: int) -> str:
        tracker = overview.tracker
        run = overview.last_run
        if column == NAME:
            return tracker.name
        if column == KIND:
            return tracker.kind.value
        if column == URL:
            return tracker.url
        if column == SCHEDULE:
            return describe_schedule(tracker.schedule, tracker.timezone)
        if column == LAST:
            if run is None:
                return "never"
            return f"{local_time(run.started_at)}  {_OUTCOME_WORDS.get(run.outcome, '')}"
        if column == NEXT:
            return local_time(overview.next_check) if tracker.enabled else "paused"
        if column == STATUS:
            return self._status(overview)
        if column == UNREAD:
            return str(overview.unread) if overview.unread else ""
        return ""

    def _sort_key(self, overview: TrackerOverview, column: int) -> Any:
        if column == LAST:
            return overview.last_run.started_at if overview.last_run else 0.0
        if column == NEXT:
            return overview.next_check if overview.next_check is not None else float("inf")
        if column == UNREAD:
            return overview.unread
        return self._display(overview, column).lower()


class TrackersFilter(QSortFilterProxyModel):
    """Sorts by real values and keeps the rows whose name or URL contains the filter text."""

    def __init__(self, source: TrackersModel) -> None:
        super().__init__()
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._text = ""

    def set_text(self, text: str) -> None:
        self._text = text.strip().lower()
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._text:
            return True
        model = self.sourceModel()
        assert isinstance(model, TrackersModel)
        tracker = model.overview(source_row).tracker
        return self._text in tracker.name.lower() or self._text in tracker.url.lower()
