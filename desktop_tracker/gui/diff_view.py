"""The diff of two revisions as a table, one row per resource, with the findings above it.

Every row says what happened with a symbol AND a word ("+ added", "− removed", "~ changed"), and
only then with a colour: colour alone fails colour-blind users and monochrome screens. Colours are
derived from the widget's palette, so they stay readable in light and dark themes and follow a
theme change while the window is open.

Resource URLs, digests and errors come from the web: they reach Qt only as DisplayRole strings
(the default delegate paints them as plain text) and as escaped tool tips (`plain_tooltip`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.domain.diff import Finding, ResourceChange, ResourceDiff
from desktop_tracker.domain.resources import Resource
from desktop_tracker.gui.item_models import model_reset
from desktop_tracker.gui.plain_text import plain_label, plain_tooltip

RowState = Literal["added", "removed", "changed", "unchanged", "baseline"]
Accent = Literal["green", "red", "amber"]

# The words always shown next to the colour.
STATE_TEXT: dict[RowState, str] = {
    "added": "+ added",
    "removed": "− removed",
    "changed": "~ changed",
    "unchanged": "= unchanged",
    "baseline": "• baseline",
}
STATE_ACCENT: dict[RowState, Accent] = {"added": "green", "removed": "red", "changed": "amber"}
WARNING = "⚠"

# Custom roles: what a row is, for the "show unchanged" filter and for tests.
STATE_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


# -- colours ----------------------------------------------------------------------------------


def relative_luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance of an opaque colour."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.redF())
        + 0.7152 * linear(colour.greenF())
        + 0.0722 * linear(colour.blueF())
    )


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG contrast ratio, 1 (same) to 21 (black on white)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def blend(base: QColor, over: QColor, amount: float) -> QColor:
    """`over` laid on `base` at opacity `amount` (0..1), as an opaque colour."""
    return QColor.fromRgbF(
        base.redF() + (over.redF() - base.redF()) * amount,
        base.greenF() + (over.greenF() - base.greenF()) * amount,
        base.blueF() + (over.blueF() - base.blueF()) * amount,
    )


def ensure_contrast(colour: QColor, background: QColor, minimum: float) -> QColor:
    """`colour`, moved towards black or white until it reaches `minimum` contrast on
    `background`: a theme with an unusual base colour still gets readable text."""
    if contrast_ratio(colour, background) >= minimum:
        return colour
    target = QColor("black") if relative_luminance(background) > 0.18 else QColor("white")
    for step in range(1, 21):
        moved = blend(colour, target, step / 20)
        if contrast_ratio(moved, background) >= minimum:
            return moved
    return target


# Hues chosen per theme (GitHub's diff colours are a well-tested starting point); the final
# colours are still checked against the actual palette by `ensure_contrast`. On a light base the
# text hues are too dark to tell the tints apart, so tints use brighter hues of their own.
_LIGHT_TEXT: dict[Accent, str] = {"green": "#116329", "red": "#b42318", "amber": "#8a5a00"}
_LIGHT_TINT: dict[Accent, str] = {"green": "#2da44e", "red": "#e5534b", "amber": "#d4a72c"}
_DARK_TEXT: dict[Accent, str] = {"green": "#56d364", "red": "#ff7b72", "amber": "#e3b341"}
# How strongly a tint covers the base: a dark base needs more to be seen at all.
_LIGHT_TINT_STRENGTH, _DARK_TINT_STRENGTH = 0.16, 0.22
TEXT_CONTRAST = 4.5  # WCAG AA for normal text
MUTED_CONTRAST = 3.0  # greyed, but still readable


@dataclass(frozen=True, slots=True)
class ChangeColours:
    """The colours of changes for one palette."""

    base: QColor
    text: QColor
    muted: QColor  # unchanged rows: greyed, still readable
    accent: dict[Accent, QColor]  # foreground: symbols, words, markers
    tint: dict[Accent, QColor]  # row backgrounds: the accent laid faintly over the base

    @property
    def dark(self) -> bool:
        return relative_luminance(self.base) < 0.18

    @classmethod
    def from_palette(cls, palette: QPalette) -> ChangeColours:
        base = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Text)
        dark = relative_luminance(base) < 0.18
        text_hues = _DARK_TEXT if dark else _LIGHT_TEXT
        tint_hues = _DARK_TEXT if dark else _LIGHT_TINT
        strength = _DARK_TINT_STRENGTH if dark else _LIGHT_TINT_STRENGTH
        tint = {name: blend(base, QColor(hue), strength) for name, hue in tint_hues.items()}
        accent = {
            # Checked against the tinted row, the harder of the two backgrounds it sits on.
            name: ensure_contrast(QColor(hue), tint[name], TEXT_CONTRAST)
            for name, hue in text_hues.items()
        }
        muted = ensure_contrast(blend(text, base, 0.45), base, MUTED_CONTRAST)
        return cls(base, text, muted, accent, tint)


# -- a table model of Python rows -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell as shown. `tooltip` is plain text; it is escaped before Qt sees it."""

    text: str
    tooltip: str | None = None
    foreground: QColor | None = None
    bold: bool = False
    align_right: bool = False


class RowsModel(QStandardItemModel):
    """A read-only table of Python items, each turned into cells by `cells(item, colours)`.

    The cells are worked out once, when the items or the colours are set, and kept in Qt's
    items: views then paint and sort them from C++ alone. A Python data() is called for every
    cell and role at every repaint, and each call must win the GIL back from the threads that
    check pages (see trackers_model.py), so a diff scrolled during a burst of checks stuttered.

    Only strings go out as DisplayRole (plain text by the default delegate) and tool tips are
    escaped here, so no subclass can let web text be read as HTML by mistake.
    """

    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(0, len(headers), parent)
        self._headers = list(headers)
        self.setHorizontalHeaderLabels(self._headers)
        self._items: list[Any] = []
        self._colours: ChangeColours | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    # What subclasses provide.
    def cells(self, item: Any, colours: ChangeColours) -> list[Cell]:
        raise NotImplementedError

    def background(self, item: Any, colours: ChangeColours) -> QColor | None:
        return None

    def state(self, item: Any) -> str | None:
        return None

    # The rest is shared.
    @property
    def items(self) -> list[Any]:
        return list(self._items)

    def set_items(self, items: Sequence[Any]) -> None:
        self._fill(list(items), in_place=False)

    def set_colours(self, colours: ChangeColours) -> None:
        self._colours = colours
        if self._items:
            self._fill(self._items, in_place=True)

    def entry(self, row: int) -> Any:
        """The Python item shown in `row`."""
        return self._items[row]

    def _fill(self, items: list[Any], *, in_place: bool) -> None:
        colours = self._colours or ChangeColours.from_palette(QPalette())
        rows = [self._roles_of(entry, colours) for entry in items]
        if in_place and self.rowCount() == len(rows):
            # The same rows in new colours (the theme changed): rewritten in place, so that the
            # selection, and what it shows, stay.
            for number, row in enumerate(rows):
                for column, roles in enumerate(row):
                    item = self.item(number, column)
                    for role in _ROLES:
                        item.setData(roles.get(role), role)
            return
        with model_reset(self):
            self._items = items
            self.setRowCount(0)
            for row in rows:
                items_of_row = []
                for roles in row:
                    item = QStandardItem()
                    item.setEditable(False)
                    for role, value in roles.items():
                        item.setData(value, role)
                    items_of_row.append(item)
                self.appendRow(items_of_row)

    def _roles_of(self, entry: Any, colours: ChangeColours) -> list[dict[int, Any]]:
        """What each cell of the entry's row holds, by role."""
        background = self.background(entry, colours)
        state = self.state(entry)
        row = []
        for cell in self.cells(entry, colours):
            roles: dict[int, Any] = {Qt.ItemDataRole.DisplayRole: cell.text}
            if cell.tooltip:
                roles[Qt.ItemDataRole.ToolTipRole] = plain_tooltip(cell.tooltip)
            if cell.foreground is not None:
                roles[Qt.ItemDataRole.ForegroundRole] = cell.foreground
            if cell.bold:
                roles[Qt.ItemDataRole.FontRole] = self._bold
            if cell.align_right:
                alignment = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                roles[Qt.ItemDataRole.TextAlignmentRole] = int(alignment)
            if background is not None:
                roles[Qt.ItemDataRole.BackgroundRole] = background
            if state is not None:
                roles[STATE_ROLE] = state
            row.append(roles)
        return row


_ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.BackgroundRole,
    STATE_ROLE,
)


def configure_table(table: QTableView, *, stretch: int) -> None:
    """The look shared by the history's tables: whole rows, one at a time, compact."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setShowGrid(False)
    table.setWordWrap(False)
    # Long URLs keep their start (the host) and their end (the file name).
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


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


# -- findings ---------------------------------------------------------------------------------


class FindingsStrip(QFrame):
    """The security findings of a diff, above it, hard to miss: ⚠ and each message.

    Messages contain URLs from the web: every label is a plain-text label.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findingsStrip")
        self.setAccessibleName("Security findings")
        self._title = plain_label("", self)
        font = self._title.font()
        font.setBold(True)
        self._title.setFont(font)
        self._list = QVBoxLayout()
        self._list.setSpacing(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(4)
        layout.addWidget(self._title)
        layout.addLayout(self._list)
        self._labels: list[QLabel] = []
        self._findings: list[Finding] = []
        self.hide()

    @property
    def labels(self) -> list[QLabel]:
        return [self._title, *self._labels]

    def messages(self) -> list[str]:
        return [label.text() for label in self._labels]

    def set_findings(self, findings: Sequence[Finding]) -> None:
        for label in self._labels:
            self._list.removeWidget(label)
            label.deleteLater()
        self._labels = []
        self._findings = list(findings)
        count = len(self._findings)
        self._title.setText(
            f"{WARNING} {count} security finding{'s' if count != 1 else ''} in this change"
        )
        for finding in self._findings:
            label = plain_label(f"{WARNING} {finding.message}", self)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if finding.url:
                label.setToolTip(plain_tooltip(finding.url))
            self._list.addWidget(label)
            self._labels.append(label)
        self.setVisible(bool(self._findings))

    def apply_colours(self, colours: ChangeColours) -> None:
        # A style sheet on this frame only (selected by object name): it carries no web text,
        # only colours computed from the palette.
        border = colours.accent["amber"].name()
        background = colours.tint["amber"].name()
        self.setStyleSheet(
            f"QFrame#findingsStrip {{ background: {background}; border: 1px solid {border};"
            " border-radius: 4px; }"
        )
        palette = self._title.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colours.accent["amber"])
        self._title.setPalette(palette)


# -- the widget -------------------------------------------------------------------------------


class DiffView(QWidget):
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
        self._message = plain_label("", self)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._table)
        self._stack.addWidget(self._message)

        bar = QHBoxLayout()
        bar.addWidget(self._summary, 1)
        bar.addWidget(self._toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._findings)
        layout.addLayout(bar)
        layout.addWidget(self._stack, 1)

        self._changes: str | None = None  # the shown diff's summary; None: no diff shown
        self._toggle.toggled.connect(self._on_toggle)
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

    # -- showing --------------------------------------------------------------------------------

    def show_diff(
        self, diff: ResourceDiff, old: Sequence[Resource], new: Sequence[Resource]
    ) -> None:
        rows = diff_rows(diff, old, new)
        self._model.set_items(rows)
        self._findings.set_findings(diff.findings)
        self._toggle.setEnabled(True)
        self._changes = diff.summary()
        self._update_summary()
        self._stack.setCurrentWidget(self._table)

    def show_baseline(self, resources: Sequence[Resource]) -> None:
        """A revision with nothing before it: its resources, listed."""
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

    # -- internals -------------------------------------------------------------------------------

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
