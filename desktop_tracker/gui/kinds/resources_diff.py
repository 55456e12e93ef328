"""The resources kind's diff: one row per script or stylesheet, with the findings above it.

Resource URLs, digests and errors come from the web: they reach Qt only as DisplayRole strings
(the default delegate paints them as plain text) and as escaped tool tips (`plain_tooltip`).

"Ignore this resource" on a row proposes an ignore rule matching exactly its URL; the tracker's
later checks leave it out (inline resources have no URL to match).

"Show changes in the text" (or a double-click, or Enter, on a row) opens the body diff of that
script or stylesheet: its kept old and new bodies, beautified, read by the service off the
event loop. The history view says which revisions are shown (`set_revisions`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.domain.bodies import NOT_IN_REVISION, BodyPair, ResourceKey
from desktop_tracker.gui.async_ops import spawn
from desktop_tracker.gui.body_diff_view import BodyDiffWindow
from desktop_tracker.gui.diff_view import (
    STATE_ACCENT,
    STATE_ROLE,
    STATE_TEXT,
    WARNING,
    Cell,
    ChangeColours,
    FindingsStrip,
    KindDiffView,
    RowsModel,
    RowState,
    configure_table,
)
from desktop_tracker.gui.plain_text import plain_label
from desktop_tracker.kinds.base import Diff, Finding, Snapshot
from desktop_tracker.kinds.resources.capture import exact_url_rule
from desktop_tracker.kinds.resources.diff import ResourceChange, ResourceDiff
from desktop_tracker.kinds.resources.snapshot import PageResources, Resource
from desktop_tracker.service.trackers import TrackerService

_Index = QModelIndex | QPersistentModelIndex


def ignore_rule_for_url(url: str) -> str:
    """An ignore rule that matches this URL and nothing else."""
    return exact_url_rule(url)  # as the service's "ignore this resource" writes it


# The rows whose bodies can be compared: one side at least is in a shown revision.
_BODY_STATES = frozenset({"added", "removed", "changed", "baseline"})


# -- the diff's rows --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiffRow:
    state: RowState
    old: Resource | None
    new: Resource | None

    @property
    def resource(self) -> Resource:
        found = self.new if self.new is not None else self.old
        assert found is not None
        return found


def diff_rows(
    diff: ResourceDiff, old: Sequence[Resource], new: Sequence[Resource]
) -> list[DiffRow]:
    """All resources of `new` in page order (changed or not), then the removed ones.

    The diff lists only changes; unchanged rows are the other resources of `new`, so the table
    reads like the page with the "show unchanged" toggle on.
    """
    pending: dict[tuple[str, str], list[ResourceChange]] = {}
    for change in diff.changes:
        if change.change != "removed":
            pending.setdefault(change.resource.key, []).append(change)
    old_by_key = {r.key: r for r in old}
    rows: list[DiffRow] = []
    for resource in new:
        queued = pending.get(resource.key)
        if queued:
            change = queued.pop(0)
            rows.append(DiffRow(change.change, change.old, change.new))
        else:
            rows.append(DiffRow("unchanged", old_by_key.get(resource.key), resource))
    # Changes whose resource is not in `new` (the caller passed other lists): still shown.
    rows.extend(DiffRow(c.change, c.old, c.new) for queued in pending.values() for c in queued)
    rows.extend(DiffRow("removed", c.old, None) for c in diff.changes if c.change == "removed")
    return rows


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _size_of(resource: Resource | None) -> str:
    if resource is None:
        return ""
    return "—" if resource.error is not None else format_size(resource.size)


def _digest_of(resource: Resource | None) -> str:
    if resource is None:
        return ""
    return resource.digest[:8] if resource.digest else "—"


def _pair(old: str, new: str, *, row: DiffRow) -> str:
    """Both values as "old → new" when the row has two sides that differ, else the one value."""
    if row.old is None or row.new is None:
        return new or old
    return new if old == new else f"{old} → {new}"


def _status_aspects(resource: Resource) -> list[str]:
    """Party, integrity (SRI) and load state, each in a few words ("": nothing to say).

    First-party is the normal case and goes unsaid when there is anything else to say, so the
    column keeps to what matters.
    """
    if resource.integrity_ok is True:
        integrity = "SRI ok"
    elif resource.integrity_ok is False:
        integrity = f"{WARNING} SRI mismatch"
    elif resource.integrity:
        integrity = "SRI not checked"
    else:
        integrity = ""
    error = ""
    if resource.error is not None:
        error = "failed: " + (_first_line(resource.error) or "unknown error")
    return ["third-party" if resource.third_party else "", integrity, error]


def resource_status(resource: Resource) -> str:
    """Third party, integrity and load state in a few words."""
    return ", ".join(part for part in _status_aspects(resource) if part) or "first-party"


def status_change(old: Resource | None, new: Resource | None) -> str:
    """One side's status; for two sides, each aspect once, "before → after" where it moved."""
    if old is None or new is None:
        side = new if new is not None else old
        return resource_status(side) if side is not None else ""
    parts = []
    for index, (before, after) in enumerate(
        zip(_status_aspects(old), _status_aspects(new), strict=True)
    ):
        if before == after:
            parts.append(after)
        else:
            nothing = "first-party" if index == 0 else "none"
            parts.append(f"{before or nothing} → {after or nothing}")
    return ", ".join(part for part in parts if part) or "first-party"


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0] if stripped else ""


def _tooltip(row: DiffRow) -> str:
    lines = [row.resource.label]
    for name, side in (("before", row.old), ("after", row.new)):
        if side is None:
            continue
        if row.old is not None and row.new is not None:
            lines.append(f"{name}:")
        lines.append(f"  {resource_status(side)}")
        lines.append(f"  SHA-256 {side.digest or '(not loaded)'}, {side.size} bytes")
        if side.integrity:
            lines.append(f"  integrity {side.integrity}")
        if side.error:
            lines.append(f"  error: {side.error}")
    return "\n".join(lines)


class DiffModel(RowsModel):
    """The diff rows; DisplayRole strings only (web text stays plain)."""

    COLUMNS = ("Change", "Kind", "Resource", "Size", "Digest", "Status")
    RESOURCE_COLUMN = 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(self.COLUMNS, parent)

    def rows(self) -> list[DiffRow]:
        return list(self.items)

    def state(self, item: DiffRow) -> str:
        return item.state

    def background(self, item: DiffRow, colours: ChangeColours) -> QColor | None:
        accent = STATE_ACCENT.get(item.state)
        return colours.tint[accent] if accent else None

    def cells(self, item: DiffRow, colours: ChangeColours) -> list[Cell]:
        accent = STATE_ACCENT.get(item.state)
        muted = colours.muted if item.state == "unchanged" else None
        resource = item.resource
        tooltip = _tooltip(item)
        return [
            Cell(
                STATE_TEXT[item.state],
                foreground=colours.accent[accent] if accent else muted,
                bold=accent is not None,
            ),
            Cell(resource.kind, foreground=muted),
            Cell(resource.label, tooltip=tooltip, foreground=muted),
            Cell(
                _pair(_size_of(item.old), _size_of(item.new), row=item),
                foreground=muted,
                align_right=True,
            ),
            Cell(
                _pair(_digest_of(item.old), _digest_of(item.new), row=item),
                tooltip=tooltip,
                foreground=muted,
            ),
            Cell(
                status_change(item.old, item.new),
                tooltip=tooltip,
                foreground=muted,
            ),
        ]


class _UnchangedFilter(QSortFilterProxyModel):
    """Hides unchanged rows unless asked to show them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._show_unchanged = False

    @property
    def show_unchanged(self) -> bool:
        return self._show_unchanged

    def set_show_unchanged(self, show: bool) -> None:
        if show == self._show_unchanged:
            return
        self.beginFilterChange()
        self._show_unchanged = show
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if self._show_unchanged:
            return True
        state = self.sourceModel().index(source_row, 0, source_parent).data(STATE_ROLE)
        return bool(state != "unchanged")


# -- the widget -------------------------------------------------------------------------------


class ResourcesDiffView(KindDiffView):
    """Findings, a one-line summary, a "Show unchanged" toggle and the table of changes.

    `show_diff` for two revisions, `show_baseline` for a revision with nothing before it,
    `show_message` for "nothing to show" and errors (in place, plain text).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._findings = FindingsStrip(self)
        self._summary = plain_label("", self)
        self._toggle = QCheckBox("Show unchanged", self)
        self._toggle.setToolTip("Also list the resources that are the same in both revisions")
        self._ignore = QPushButton("Ignore this resource…", self)
        self._ignore.setToolTip(
            "Leave the selected resource out of this tracker's next checks (an ignore rule "
            "matching its URL)"
        )
        self._ignore.setEnabled(False)
        self._bodies = QPushButton("Show changes in the text", self)
        self._bodies.setToolTip(
            "Open the old and new text of the selected script or stylesheet, diffed line by line "
            "(also: double-click or Enter on a row)"
        )
        self._bodies.setEnabled(False)
        # Where the bodies come from: the service and the revisions shown (set_revisions).
        self._service: TrackerService | None = None
        self._tracker_id: int | None = None
        self._revision_ids: tuple[int | None, int] | None = None
        self._body_windows: list[BodyDiffWindow] = []
        self._model = DiffModel(self)
        self._proxy = _UnchangedFilter(self)
        self._proxy.setSourceModel(self._model)
        self._table = QTableView(self)
        self._table.setModel(self._proxy)
        self._table.setAccessibleName("Changed resources")
        configure_table(self._table, stretch=DiffModel.RESOURCE_COLUMN)
        self._table.setColumnWidth(0, 120)
        self._table.setColumnWidth(1, 80)
        self._table.setColumnWidth(3, 130)
        self._table.setColumnWidth(4, 150)
        self._table.setColumnWidth(5, 260)
        self._table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._message = plain_label("", self)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._table)
        self._stack.addWidget(self._message)

        bar = QHBoxLayout()
        bar.addWidget(self._summary, 1)
        bar.addWidget(self._toggle)
        bar.addWidget(self._bodies)
        bar.addWidget(self._ignore)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._findings)
        layout.addLayout(bar)
        layout.addWidget(self._stack, 1)

        self._changes: str | None = None  # the shown diff's summary; None: no diff shown
        self._toggle.toggled.connect(self._on_toggle)
        self._ignore.clicked.connect(self.ignore_selected)
        self._bodies.clicked.connect(self.show_selected_bodies)
        self._table.doubleClicked.connect(lambda _: self.show_selected_bodies())
        self._table.installEventFilter(self)
        self._table.selectionModel().selectionChanged.connect(self._update_ignore)
        self._proxy.modelReset.connect(self._update_ignore)
        self._table.customContextMenuRequested.connect(self._context_menu)
        self._update_colours()
        self.show_message("")

    # -- what tests and the history view use ---------------------------------------------------

    @property
    def model(self) -> DiffModel:
        """All rows, unchanged ones included."""
        return self._model

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def findings_strip(self) -> FindingsStrip:
        return self._findings

    @property
    def show_unchanged_toggle(self) -> QCheckBox:
        return self._toggle

    @property
    def ignore_button(self) -> QPushButton:
        return self._ignore

    @property
    def bodies_button(self) -> QPushButton:
        return self._bodies

    @property
    def body_windows(self) -> list[BodyDiffWindow]:
        """The body diffs opened from this view and still open."""
        return list(self._body_windows)

    @property
    def colours(self) -> ChangeColours:
        return self._colours

    @property
    def message(self) -> str:
        """The text shown instead of the table, "" while the table is shown."""
        return self._message.text() if self._stack.currentWidget() is self._message else ""

    def visible_rows(self) -> list[list[str]]:
        """The cells' text of the rows shown, as the user reads them."""
        proxy = self._proxy
        return [
            [proxy.index(row, column).data() for column in range(proxy.columnCount())]
            for row in range(proxy.rowCount())
        ]

    def labels(self) -> list[QLabel]:
        return [self._summary, self._message, *self._findings.labels]

    def select_resource(self, label: str) -> None:
        """Select the shown row of the resource named `label` (its URL)."""
        for row in range(self._proxy.rowCount()):
            if self._proxy.index(row, DiffModel.RESOURCE_COLUMN).data() == label:
                self._table.selectRow(row)
                return
        raise LookupError(f"no shown row is {label!r}")

    def selected_row(self) -> DiffRow | None:
        rows = self._table.selectionModel().selectedRows()
        if not rows:
            return None
        row: DiffRow = self._model.entry(self._proxy.mapToSource(rows[0]).row())
        return row

    # -- showing --------------------------------------------------------------------------------

    def show_diff(
        self, diff: Diff, old: Snapshot, new: Snapshot, findings: Sequence[Finding] = ()
    ) -> None:
        """The change from `old` to `new`; the findings shown are the change's (`findings`, a
        revision's own, are none for this kind)."""
        assert isinstance(diff, ResourceDiff)
        self.show_resources_diff(diff, _resources(old), _resources(new))

    def show_resources_diff(
        self, diff: ResourceDiff, old: Sequence[Resource], new: Sequence[Resource]
    ) -> None:
        rows = diff_rows(diff, old, new)
        self._model.set_items(rows)
        self._findings.set_findings(diff.findings)
        self._toggle.setEnabled(True)
        self._changes = diff.summary()
        self._update_summary()
        self._stack.setCurrentWidget(self._table)

    def show_baseline(self, snapshot: Snapshot, findings: Sequence[Finding] = ()) -> None:
        """A revision with nothing before it: its resources, listed."""
        self.show_resources(_resources(snapshot))

    def show_resources(self, resources: Sequence[Resource]) -> None:
        self._model.set_items([DiffRow("baseline", None, r) for r in resources])
        self._changes = None
        self._findings.set_findings([])
        self._toggle.setEnabled(False)  # nothing is "unchanged" in a listing
        count = len(resources)
        self._summary.setText(
            f"Baseline: nothing older is kept to compare with; its {count} "
            f"resource{'s are' if count != 1 else ' is'} listed."
        )
        if resources:
            self._stack.setCurrentWidget(self._table)
        else:
            self._show_text("This revision has no scripts or stylesheets.")

    def show_message(self, text: str) -> None:
        """Nothing to show, or an error: said in place of the table (plain text)."""
        self._model.set_items([])
        self._changes = None
        self._findings.set_findings([])
        self._summary.setText("")
        self._toggle.setEnabled(False)
        self._show_text(text)

    def set_show_unchanged(self, show: bool) -> None:
        self._toggle.setChecked(show)

    def set_revisions(
        self,
        service: TrackerService,
        tracker_id: int,
        old_revision_id: int | None,
        new_revision_id: int,
    ) -> None:
        """The revisions shown next (`old_revision_id` None for a baseline), whose bodies the
        "Show changes in the text" action reads."""
        self._service = service
        self._tracker_id = tracker_id
        self._revision_ids = (old_revision_id, new_revision_id)

    def show_selected_bodies(self) -> None:
        """Open the body diff of the selected row, once the service has read its bodies."""
        row = self.selected_row()
        service, revisions = self._service, self._revision_ids
        if row is None or row.state not in _BODY_STATES or service is None or revisions is None:
            return
        old_id, new_id = revisions
        if row.state == "baseline":
            old_id = None
        key = ResourceKey.of(row.old, row.new)
        self._bodies.setEnabled(False)
        self._bodies.setText("Reading the text…")

        def done(pair: BodyPair) -> None:
            self._reset_bodies_button()
            self._open_body_window(pair)
            # The window says a side is missing; why it was not kept is said here.
            reasons = [
                f"the {side} text was not kept: {reason}"
                for side, reason in (("old", pair.old_reason), ("new", pair.new_reason))
                if reason is not None and reason != NOT_IN_REVISION
            ]
            if reasons:
                said = "; ".join(reasons)
                self._summary.setText(said[0].upper() + said[1:] + ".")

        def failed(message: str) -> None:
            self._reset_bodies_button()
            self._summary.setText(f"The text could not be read: {message}")

        spawn(service.resource_bodies(old_id, new_id, key), on_done=done, on_error=failed)

    def _open_body_window(self, pair: BodyPair) -> None:
        window = BodyDiffWindow(
            pair.label,
            pair.url,
            pair.old_beautified,
            pair.new_beautified,
            language=pair.language,
            on_ignore=self._ignorer(pair.url),
            beautified=pair.beautified,
            parent=self,
        )
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._body_windows.append(window)
        # Closing deletes it (WA_DeleteOnClose): forgotten then, never touched again.
        window.destroyed.connect(lambda *_: self._body_windows.remove(window))
        window.show()
        window.raise_()

    def _ignorer(self, url: str | None) -> Callable[[], None] | None:
        """What the body diff's "Ignore" does: the window has asked the user already."""
        service, tracker_id = self._service, self._tracker_id
        if url is None or service is None or tracker_id is None:
            return None  # an inline item has no URL for a rule to match

        def ignore() -> None:
            spawn(service.ignore_resource(tracker_id, url))

        return ignore

    def _reset_bodies_button(self) -> None:
        self._bodies.setText("Show changes in the text")
        self._update_ignore()

    def ignore_selected(self) -> None:
        """Propose an ignore rule for the selected resource's URL."""
        row = self.selected_row()
        if row is not None and row.resource.url is not None:
            self.request_rule("ignore", ignore_rule_for_url(row.resource.url))

    # -- internals -------------------------------------------------------------------------------

    def _update_ignore(self, *_: object) -> None:
        row = self.selected_row()
        self._ignore.setEnabled(row is not None and row.resource.url is not None)
        self._bodies.setEnabled(
            row is not None and row.state in _BODY_STATES and self._revision_ids is not None
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter on a row opens its body diff, as a double-click does.
        if (
            watched is self._table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.selected_row() is not None
        ):
            self.show_selected_bodies()
            return True
        return super().eventFilter(watched, event)

    def _context_menu(self, position: QPoint) -> None:
        index = self._table.indexAt(position)
        if not index.isValid():
            return
        self._table.selectRow(index.row())
        row = self.selected_row()
        if row is None or row.resource.url is None:
            return
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if row.state in _BODY_STATES and self._revision_ids is not None:
            menu.addAction("Show changes in the text", self.show_selected_bodies)
        menu.addAction("Ignore this resource…", self.ignore_selected)
        menu.popup(self._table.viewport().mapToGlobal(position))

    def _show_text(self, text: str) -> None:
        self._message.setText(text)
        self._stack.setCurrentWidget(self._message)

    def _on_toggle(self, checked: bool) -> None:
        self._proxy.set_show_unchanged(checked)
        if self._changes is not None:
            self._update_summary()

    def _update_summary(self) -> None:
        """The diff's summary, and what the toggle hides or shows."""
        changes = self._changes or ""
        unchanged = sum(1 for row in self._model.rows() if row.state == "unchanged")
        if not unchanged:
            self._summary.setText(changes)
        elif self._proxy.show_unchanged:
            self._summary.setText(f"{changes}; {unchanged} unchanged shown greyed")
        else:
            self._summary.setText(f"{changes}; {unchanged} unchanged hidden")

    def _update_colours(self) -> None:
        self._colours = ChangeColours.from_palette(self.palette())
        self._model.set_colours(self._colours)
        self._findings.apply_colours(self._colours)

    def changeEvent(self, event: QEvent) -> None:
        # A theme switch (or a test's dark palette) arrives as a palette change.
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._update_colours()
        super().changeEvent(event)


def _resources(snapshot: Snapshot) -> list[Resource]:
    assert isinstance(snapshot, PageResources)
    return list(snapshot.resources)
