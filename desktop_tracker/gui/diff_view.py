"""What every diff view of the history shares: change colours from the palette, tables whose
cells live in Qt's items, the findings strip, and `KindDiffView`, the shape of a kind's view.

Each tracker kind shows its revisions with a view of its own (gui/kinds/, registered by kind name
in gui/kinds/diff_views.py); the history view picks one by a revision's kind and speaks to it
through `KindDiffView` alone.

Every change says what happened with a symbol AND a word ("+ added", "− removed", "~ changed"),
and only then with a colour: colour alone fails colour-blind users and monochrome screens.
Colours are derived from the widget's palette, so they stay readable in light and dark themes and
follow a theme change while the window is open.

Text from the web (URLs, page text, header values, errors) reaches Qt only as DisplayRole
strings (the default delegate paints them as plain text), as plain text in a text document, and
as escaped tool tips (`plain_tooltip`).

Every action of a view has a key: a `QAction` of the view (`view_action`), whose key works
wherever the focus is inside the view, shown by its button's tool tip (`action_button`) and in
its context menu, which lists the same action.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QKeySequence,
    QPalette,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.gui.item_models import model_reset
from desktop_tracker.gui.plain_text import plain_label, plain_tooltip
from desktop_tracker.kinds.base import Diff, Finding, Snapshot

if TYPE_CHECKING:
    from desktop_tracker.service.trackers import TrackerService

RowState = Literal["added", "removed", "changed", "unchanged", "baseline"]
Accent = Literal["green", "red", "amber"]
RuleKind = Literal["ignore", "mask"]  # which of a tracker's rule lists a rule goes to

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


# -- what a kind's diff view is ----------------------------------------------------------------

_SPECIAL = re.compile(r"([.^$*+?{}\[\]\\|()])")


def literal(text: str) -> str:
    """`text` as a regular expression matching it literally, readable: only the characters
    special in one are escaped (re.escape also escapes spaces, "-" and more)."""
    return _SPECIAL.sub(r"\\\1", text)


class KindDiffView(QWidget):
    """A kind's view of its revisions in the history: a diff, a baseline, or a message.

    One subclass per kind, registered by kind name in `gui/kinds/diff_views.py`. The history
    view calls only what is here, whatever the kind:

    - `show_diff(diff, old, new, findings)`: what changed from snapshot `old` to snapshot `new`
      (`diff` is the kind's Diff of the two; `findings` every weakness of `new`, as
      `TrackerService.findings` judges it);
    - `show_baseline(snapshot, findings)`: a revision with nothing older to compare with;
    - `show_message(text)`: nothing to show, or an error, said in place (plain text);
      `clear()` shows nothing;
    - `ignore_requested(rule_kind, pattern)`: the user asked to leave something out of later
      checks ("ignore": a rule for the tracker's `ignore` list; "mask": for its `mask` list).
      The view only proposes the rule; the history view asks the user and saves it.
    """

    ignore_requested = Signal(str, str)  # ("ignore" | "mask", a regular expression)

    def show_diff(
        self, diff: Diff, old: Snapshot, new: Snapshot, findings: Sequence[Finding]
    ) -> None:
        raise NotImplementedError

    def show_baseline(self, snapshot: Snapshot, findings: Sequence[Finding]) -> None:
        raise NotImplementedError

    def show_message(self, text: str) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        self.show_message("")

    def set_revisions(
        self,
        service: TrackerService,
        tracker_id: int,
        old_revision_id: int | None,
        new_revision_id: int,
    ) -> None:
        """The revisions shown next (`old_revision_id` None for a baseline), for a view whose
        rows read more of them from the service (the resources view: their bodies' text)."""

    @property
    def message(self) -> str:
        """The message shown in place of a diff, "" while a diff or a baseline is shown."""
        raise NotImplementedError

    def labels(self) -> list[QLabel]:
        """Every label that may show web or user text (for the plain-text tests)."""
        return []

    def request_rule(self, rule_kind: RuleKind, pattern: str) -> None:
        """Propose a rule (subclasses call this from their "Ignore this" actions)."""
        self.ignore_requested.emit(rule_kind, pattern)


# -- actions and their keys ---------------------------------------------------------------------


def view_action(
    view: QWidget,
    text: str,
    keys: QKeySequence | QKeySequence.StandardKey | str,
    slot: Callable[[], object],
) -> QAction:
    """An action of `view` whose key works wherever the focus is inside the view (so two views
    in one window, or a view in another window, never fight over a key)."""
    action = QAction(text, view)
    if isinstance(keys, QKeySequence.StandardKey):
        action.setShortcuts(keys)
    else:
        action.setShortcut(QKeySequence(keys))
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.triggered.connect(lambda *_: slot())
    view.addAction(action)
    return action


def keys_of(action: QAction) -> str:
    """The action's key as the platform writes it ("Ctrl+I"), "" for none."""
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def with_keys(tip: str, action: QAction) -> str:
    """A tool tip that says the action's key: "Load again (F5)"."""
    keys = keys_of(action)
    return f"{tip} ({keys})" if keys else tip


def action_button(action: QAction, text: str, tip: str, parent: QWidget) -> QPushButton:
    """A push button for `action`: a click triggers it, it is enabled while the action is, and
    its tool tip says the action's key. `text` is the button's, the accessible name too."""
    button = QPushButton(text, parent)
    button.setAccessibleName(text.replace("&", "").rstrip("…"))
    button.setToolTip(with_keys(tip, action))
    button.setEnabled(action.isEnabled())
    button.clicked.connect(action.trigger)
    action.enabledChanged.connect(button.setEnabled)
    return button


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

    def append_items(self, items: Sequence[Any]) -> None:
        """Add rows at the end (the next page of a long list); the rows shown, and the
        selection, stay as they are."""
        colours = self._colours or ChangeColours.from_palette(QPalette())
        for entry in items:
            self._items.append(entry)
            self.appendRow(self._row_items(self._roles_of(entry, colours)))

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
                self.appendRow(self._row_items(row))

    @staticmethod
    def _row_items(row: list[dict[int, Any]]) -> list[QStandardItem]:
        items = []
        for roles in row:
            item = QStandardItem()
            item.setEditable(False)
            for role, value in roles.items():
                item.setData(value, role)
            items.append(item)
        return items

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
