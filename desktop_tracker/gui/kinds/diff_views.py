"""The history's view of each tracker kind, by kind name.

A new kind's view is a module in gui/kinds/ with a `KindDiffView` subclass (gui/diff_view.py
says what it must do) and a line in `DIFF_VIEWS`. A kind without a line here is shown by
`DetailsDiffView`: its diff's summary and details in words, and its findings.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QTableView, QVBoxLayout, QWidget

from desktop_tracker.gui.diff_view import (
    Cell,
    ChangeColours,
    FindingsStrip,
    KindDiffView,
    RowsModel,
    configure_table,
)
from desktop_tracker.gui.kinds.headers_diff_view import HeadersDiffView
from desktop_tracker.gui.kinds.resources_diff import ResourcesDiffView
from desktop_tracker.gui.kinds.text_diff_view import TextDiffView
from desktop_tracker.gui.plain_text import plain_label
from desktop_tracker.kinds import content, headers, resources
from desktop_tracker.kinds.base import Diff, Finding, Snapshot

DIFF_VIEWS: dict[str, type[KindDiffView]] = {
    resources.KIND.name: ResourcesDiffView,
    content.KIND.name: TextDiffView,
    headers.KIND.name: HeadersDiffView,
}


def diff_view_for(kind: str) -> type[KindDiffView]:
    """The view class for revisions of `kind` (the words-only view for a kind without one)."""
    return DIFF_VIEWS.get(kind, DetailsDiffView)


class _LinesModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(("Change",), parent)

    def cells(self, item: str, colours: ChangeColours) -> list[Cell]:
        return [Cell(item, tooltip=item)]


class DetailsDiffView(KindDiffView):
    """Any kind's diff in words: its summary, its details line by line, and its findings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._findings = FindingsStrip(self)
        self._summary = plain_label("", self)
        self._lines = _LinesModel(self)
        self._table = QTableView(self)
        self._table.setModel(self._lines)
        self._table.setAccessibleName("Changes")
        configure_table(self._table, stretch=0)
        self._message = plain_label("", self)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._table)
        self._stack.addWidget(self._message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._findings)
        layout.addWidget(self._summary)
        layout.addWidget(self._stack, 1)
        self._update_colours()
        self.show_message("")

    @property
    def lines_model(self) -> RowsModel:
        return self._lines

    @property
    def message(self) -> str:
        return self._message.text() if self._stack.currentWidget() is self._message else ""

    def labels(self) -> list[QLabel]:
        return [self._summary, self._message, *self._findings.labels]

    def show_diff(
        self, diff: Diff, old: Snapshot, new: Snapshot, findings: Sequence[Finding] = ()
    ) -> None:
        self._findings.set_findings(diff.findings)
        self._summary.setText(diff.summary())
        self._lines.set_items(diff.details())
        self._stack.setCurrentWidget(self._table)

    def show_baseline(self, snapshot: Snapshot, findings: Sequence[Finding] = ()) -> None:
        self._findings.set_findings(findings)
        self._summary.setText("Baseline: nothing older is kept to compare with.")
        self._lines.set_items([])
        self._stack.setCurrentWidget(self._table)

    def show_message(self, text: str) -> None:
        self._findings.set_findings([])
        self._summary.setText("")
        self._lines.set_items([])
        self._message.setText(text)
        self._stack.setCurrentWidget(self._message)

    def _update_colours(self) -> None:
        colours = ChangeColours.from_palette(self.palette())
        self._lines.set_colours(colours)
        self._findings.apply_colours(colours)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._update_colours()
        super().changeEvent(event)
