"""A changed script's or stylesheet's body: its old and new text, diffed line by line.

`BodyDiffWindow` is a window of its own, opened from the history for one resource. It is given
the two texts as they are to be read (minified code beautified beforehand, off the GUI thread:
`kinds.beautify`), diffs them (`kinds.line_diff`, tens of milliseconds for a 1 MB bundle) and
shows the diff unified or side by side, the changed lines with 3 unchanged lines around them
(each hunk after a row saying where it is and how many lines it skips) or the whole file.
Indentation is ignored by default: beautified code is indented by its nesting, so one brace
added re-indents every line after it; lines that differ only in their leading or trailing spaces
count as unchanged (the summary says how many), and a unified row shows such a line as it is now.

Fast with 50,000-line bodies: the rows are in a QStandardItemModel (Qt's own items, so that
views paint from C++ with no Python `data()` behind them; see docs/architecture.md), and its
items are made only for the rows scrolled into view, `CHUNK` rows at a time: the model has all
its rows at once, so the scroll bar is right, and a row gets its items just before it is first
painted. Opening costs the diff and one screenful, whatever the size.

Every line is plain text in an item (web text is never read as rich text), its control
characters shown as symbols and, past `MAX_CELL` characters, cut in the table; the pane below
the table shows the selected line whole, with the words that changed from the line it replaced
marked, in bold as well as in colour. Added and removed lines say so by "+" and "−" as well as by
their tint, and tints come from the palette (light or dark, and again when it changes).

Keys: Ctrl+F finds, F3 and Shift+F3 (and Enter, Shift+Enter in the box) go to the next and
previous line with a match ("3 of 17"), Ctrl+C copies the selected lines, Escape closes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QShortcut,
    QShowEvent,
    QStandardItem,
    QStandardItemModel,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.gui.diff_view import ChangeColours, blend
from desktop_tracker.gui.item_models import model_reset
from desktop_tracker.gui.plain_text import plain_label, window_title_text
from desktop_tracker.kinds.line_diff import (
    CONTEXT,
    LineDiff,
    SideRow,
    UnifiedRow,
    changed_words,
    diff_lines,
)
from desktop_tracker.kinds.text_diff import MAX_DETAILED_LINE

Mode = Literal["unified", "side by side"]
UNIFIED: Mode = "unified"
SIDE_BY_SIDE: Mode = "side by side"

CHUNK = 256  # rows given their items at a time, as they scroll into view
MAX_CELL = 2_000  # characters of a line shown in the table; the pane below shows more
MAX_DETAIL = 200_000  # characters of a line shown in the pane below
ROW_STATE = Qt.ItemDataRole.UserRole + 1  # a row's kind ("same", "added", ...), for tests

# What a window opened next starts with: the last mode and fold chosen, for this session.
_remembered: dict[str, Any] = {"mode": UNIFIED, "whole": False, "indent": True}

_MARK = {"same": " ", "added": "+", "removed": "−", "changed": "~"}
# Characters a cell would not show, or would break the line at, shown as symbols.
_SYMBOLS = {code: 0x2400 + code for code in range(0x20) if code != 0x09}
_SYMBOLS.update({0x7F: 0x2421, 0x2028: 0x2424, 0x2029: 0xB6})
_TAB = re.compile("\t")


def shown_line(text: str, limit: int = MAX_CELL) -> str:
    """A line as a cell shows it: tabs as spaces, control characters as symbols, and at most
    `limit` characters, with how many more there are."""
    if len(text) > limit:
        more = len(text) - limit
        text = f"{text[:limit]} … ({more:,} more characters)"
    if "\t" in text:
        text = text.expandtabs(4)
    return text.translate(_SYMBOLS)


def is_web_url(url: str | None) -> bool:
    """Whether `url` is an http or https URL with a host: the only ones given to a browser."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


class _Styles:
    """The colours and fonts of the rows, for one palette."""

    def __init__(self, palette: QPalette, font: QFont) -> None:
        colours = ChangeColours.from_palette(palette)
        self.colours = colours
        self.tint = {
            "added": colours.tint["green"],
            "removed": colours.tint["red"],
        }
        self.mark = {"added": colours.accent["green"], "removed": colours.accent["red"]}
        self.filler = blend(colours.base, colours.text, 0.06)
        self.muted = colours.muted
        self.fold_font = QFont(font)
        self.fold_font.setItalic(True)
        self.right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


# -- a table that makes its items as they are seen --------------------------------------------


class RowsTable(QTableView):
    """A read-only table over a long list of rows whose items are made `CHUNK` rows at a time,
    when they first come into view; the rows' order and count are known from the start."""

    def __init__(self, name: str, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self._model = QStandardItemModel(0, len(headers), self)
        self._model.setHorizontalHeaderLabels(list(headers))
        self.setModel(self._model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setCornerButtonEnabled(False)
        self.setTabKeyNavigation(False)
        rows = self.verticalHeader()
        rows.setVisible(False)
        # Uniform rows: the view never asks a row its size, however many there are.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 4)
        self.horizontalHeader().setHighlightSections(False)
        self._rows: Sequence[Any] = ()
        self._items_of: Callable[[Any], list[QStandardItem]] = lambda row: []
        self._filled = bytearray()
        self._spanned: list[int] = []
        self._scroll_to: int | None = None
        self._copy_text: Callable[[Any], str] = str
        self.verticalScrollBar().valueChanged.connect(self._fill_visible)
        self.verticalScrollBar().rangeChanged.connect(self._fill_visible)

    @property
    def rows(self) -> Sequence[Any]:
        return self._rows

    def set_rows(
        self,
        rows: Sequence[Any],
        items_of: Callable[[Any], list[QStandardItem]],
        spanned: Sequence[int],
        copy_text: Callable[[Any], str],
    ) -> None:
        """Show `rows`, each made into items by `items_of` when it comes into view; the rows
        in `spanned` take the whole width (one item); `copy_text` is a row for the clipboard."""
        with model_reset(self._model):
            self._model.setRowCount(0)
            self._model.setRowCount(len(rows))
        self.clearSpans()
        columns = self._model.columnCount()
        for row in spanned:
            self.setSpan(row, 0, 1, columns)
        self._spanned = list(spanned)
        self._rows, self._items_of, self._copy_text = rows, items_of, copy_text
        self._scroll_to = None
        self._filled = bytearray((len(rows) + CHUNK - 1) // CHUNK)
        self._fill_visible()

    def spanned_rows(self) -> list[int]:
        """The rows that take the whole width (folds)."""
        return list(self._spanned)

    def refill(self) -> None:
        """Make the items again (their colours changed), those in view now, the rest later."""
        self._filled = bytearray(len(self._filled))
        self._fill_visible()

    def filled_rows(self) -> int:
        """How many rows have their items (for tests)."""
        return sum(min(CHUNK, len(self._rows) - k * CHUNK) for k, f in enumerate(self._filled) if f)

    def ensure_filled(self, first: int, last: int) -> None:
        if not self._rows:
            return
        first, last = max(0, first), min(len(self._rows) - 1, last)
        for chunk in range(first // CHUNK, last // CHUNK + 1):
            if not self._filled[chunk]:
                self._fill_chunk(chunk)

    def go_to(self, row: int) -> None:
        """Make `row` current and selected, in the middle of the view."""
        self.ensure_filled(row - CHUNK, row + CHUNK)
        index = self._model.index(row, self._model.columnCount() - 1)
        self.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        if self.isVisible():
            self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        else:
            self._scroll_to = row  # a hidden view has no size to centre in yet

    def current_row(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def selected_rows(self) -> list[int]:
        return sorted(index.row() for index in self.selectionModel().selectedRows())

    def copy_selection(self) -> str:
        rows = self.selected_rows() or ([self.current_row()] if self.current_row() >= 0 else [])
        text = "\n".join(self._copy_text(self._rows[row]) for row in rows)
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def _fill_visible(self, *_: object) -> None:
        if not self._rows or not self.isVisible():
            return  # filled when shown
        if self._scroll_to is not None:
            # The row made current while the view was hidden, centred now that it has a size.
            row, self._scroll_to = self._scroll_to, None
            if row < len(self._rows):
                index = self._model.index(row, 0)
                self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        height = self.viewport().height()
        first = self.rowAt(0)
        if first < 0:
            return
        last = self.rowAt(max(0, height - 1))
        if last < 0:  # the rows end above the bottom of the view
            last = len(self._rows) - 1
        per_view = height // max(1, self.verticalHeader().defaultSectionSize()) + 1
        self.ensure_filled(first, min(last, first + per_view))

    def _fill_chunk(self, chunk: int) -> None:
        model, items_of = self._model, self._items_of
        lo, hi = chunk * CHUNK, min(len(self._rows), (chunk + 1) * CHUNK)
        # One dataChanged for the chunk, not one per item.
        blocked = model.blockSignals(True)
        try:
            for number in range(lo, hi):
                for column, item in enumerate(items_of(self._rows[number])):
                    model.setItem(number, column, item)
        finally:
            model.blockSignals(blocked)
        self._filled[chunk] = 1
        model.dataChanged.emit(model.index(lo, 0), model.index(hi - 1, model.columnCount() - 1))

    # Events only: nothing here is called per cell.
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fill_visible()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fill_visible()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)


# -- the window -------------------------------------------------------------------------------


class BodyDiffWindow(QWidget):
    """The old and new body of one resource, diffed; see the module's docstring.

    `old_text` or `new_text` None: no body was kept for that side (the resource was added or
    removed, or its body was too large to keep); it is said in words, and the other body is
    shown on its own. `language` is "script" or "style" ("stylesheet" too), named in words;
    `beautified` says the texts were beautified, in the summary. `on_ignore`, called once the
    user has confirmed, leaves the resource out of later checks; None hides the action.

    Closing hides the window; whoever opened it drops it (or sets WA_DeleteOnClose).
    """

    def __init__(
        self,
        title: str,
        url: str | None,
        old_text: str | None,
        new_text: str | None,
        *,
        language: str,
        on_ignore: Callable[[], None] | None,
        beautified: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle(window_title_text(f"{title} — body diff"))
        self.setAccessibleName(f"Body diff of {title}")
        self._url = url
        self._on_ignore = on_ignore
        self._what = "script" if language == "script" else "stylesheet"
        self._font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._styles = _Styles(self.palette(), self._font)
        self._beautified = beautified

        # What is shown.
        self._title = plain_label(title, self)
        bold = self._title.font()
        bold.setBold(True)
        self._title.setFont(bold)
        self._title.setAccessibleName("Resource")
        self._url_field = QLineEdit(url or "", self)  # plain text, however long
        self._url_field.setReadOnly(True)
        self._url_field.setFrame(False)
        self._url_field.setAccessibleName("Resource URL")
        self._url_field.setPlaceholderText("an inline resource: no URL")
        self._summary = plain_label("", self)
        self._summary.setAccessibleName("Summary of the change")
        self._notice = plain_label("", self)
        self._notice.setWordWrap(True)
        self._notice.setAccessibleName("Missing body")
        self._notice.hide()

        # Controls.
        self._unified_button = QPushButton("Unified", self)
        self._side_button = QPushButton("Side by side", self)
        self._modes = QButtonGroup(self)
        for button, tip in (
            (self._unified_button, "Old and new lines in one column, removed lines first"),
            (self._side_button, "The old body on the left, the new one on the right"),
        ):
            button.setCheckable(True)
            button.setAccessibleName(f"{button.text()} view")
            button.setToolTip(tip)
            self._modes.addButton(button)
        self._whole = QCheckBox("Whole file", self)
        self._whole.setAccessibleName("Show the whole file")
        self._whole.setToolTip(
            f"Every line, not only the changed ones and {CONTEXT} lines around them"
        )
        self._indent = QCheckBox("Ignore indentation", self)
        self._indent.setAccessibleName("Ignore changes of indentation")
        self._indent.setToolTip(
            "Lines that differ only in the spaces they start or end with count as the same "
            "(beautified code is indented by its nesting, so one added brace re-indents the rest)"
        )
        self._indent.setChecked(bool(_remembered["indent"]))
        self._search = QLineEdit(self)
        self._search.setPlaceholderText("Find (Ctrl+F)")
        self._search.setAccessibleName("Find in the bodies")
        self._search.setClearButtonEnabled(True)
        self._previous = QPushButton("Previous", self)
        self._previous.setAccessibleName("Previous match")
        self._previous.setToolTip("The previous line with a match (Shift+F3)")
        self._next = QPushButton("Next", self)
        self._next.setAccessibleName("Next match")
        self._next.setToolTip("The next line with a match (F3)")
        self._matches_label = plain_label("", self)
        self._matches_label.setAccessibleName("Matches")
        self._copy_button = QPushButton("Copy URL", self)
        self._copy_button.setAccessibleName("Copy URL")
        self._open_button = QPushButton("Open in browser", self)
        self._open_button.setAccessibleName("Open in browser")
        self._ignore_button = QPushButton("Ignore this resource…", self)
        self._ignore_button.setAccessibleName("Ignore this resource")
        self._ignore_button.setToolTip(f"Leave this {self._what} out of this tracker's checks")
        self._close_button = QPushButton("Close", self)
        self._close_button.setAccessibleName("Close")
        web = is_web_url(url)
        self._copy_button.setEnabled(bool(url))
        self._open_button.setEnabled(web)
        if url and not web:
            self._open_button.setToolTip("Only http and https addresses open in the browser")
        self._ignore_button.setVisible(on_ignore is not None)

        # The diff.
        self._unified = RowsTable("Unified diff", ["Old", "New", "Line"], self)
        self._side = RowsTable("Side by side diff", ["Old", "Before", "New", "After"], self)
        for table, stretched in ((self._unified, (2,)), (self._side, (1, 3))):
            table.setFont(self._font)
            header = table.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            for column in stretched:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self._message = plain_label("", self)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setAccessibleName("Message")
        self._stack = QStackedWidget(self)
        for widget in (self._unified, self._side, self._message):
            self._stack.addWidget(widget)
        self._detail = QPlainTextEdit(self)
        self._detail.setReadOnly(True)
        self._detail.setUndoRedoEnabled(False)
        self._detail.setFont(self._font)
        self._detail.setAccessibleName("Selected line in full")
        self._detail.setPlaceholderText("Select a line to read it whole here.")
        self._split = QSplitter(Qt.Orientation.Vertical, self)
        self._split.addWidget(self._stack)
        self._split.addWidget(self._detail)
        self._split.setStretchFactor(0, 5)
        self._split.setStretchFactor(1, 1)
        self._split.setChildrenCollapsible(False)

        heading = QHBoxLayout()
        heading.addWidget(self._title)
        heading.addWidget(self._url_field, 1)
        view_bar = QHBoxLayout()
        view_bar.addWidget(self._summary, 1)
        view_bar.addWidget(self._unified_button)
        view_bar.addWidget(self._side_button)
        view_bar.addWidget(self._whole)
        view_bar.addWidget(self._indent)
        find_bar = QHBoxLayout()
        find_bar.addWidget(self._search, 1)
        find_bar.addWidget(self._previous)
        find_bar.addWidget(self._next)
        find_bar.addWidget(self._matches_label)
        actions = QHBoxLayout()
        actions.addWidget(self._copy_button)
        actions.addWidget(self._open_button)
        actions.addWidget(self._ignore_button)
        actions.addStretch(1)
        actions.addWidget(self._close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self._notice)
        layout.addLayout(view_bar)
        layout.addLayout(find_bar)
        layout.addWidget(self._split, 1)
        layout.addLayout(actions)

        # The diff itself, rows made per mode and fold as they are first shown.
        self._diff: LineDiff | None = None
        self._one_side = False
        self._message_shown = False
        self._texts: tuple[str | None, str | None] = (None, None)
        self._rows: dict[tuple[Mode, bool], list[Any]] = {}
        self._match_rows: list[int] = []
        self._match_at = -1
        self._load(old_text, new_text)

        (
            self._side_button if _remembered["mode"] == SIDE_BY_SIDE else self._unified_button
        ).setChecked(True)
        self._whole.setChecked(bool(_remembered["whole"]))
        self._modes.buttonToggled.connect(self._on_mode)
        self._whole.toggled.connect(self._on_whole)
        self._indent.toggled.connect(self._on_indent)
        self._search.textChanged.connect(self._on_search)
        self._search.returnPressed.connect(self._on_return)
        self._next.clicked.connect(self.find_next)
        self._previous.clicked.connect(self.find_previous)
        self._copy_button.clicked.connect(self.copy_url)
        self._open_button.clicked.connect(self.open_in_browser)
        self._ignore_button.clicked.connect(self.ignore_resource)
        self._close_button.clicked.connect(self.close)
        for table in (self._unified, self._side):
            table.selectionModel().currentRowChanged.connect(self._on_current)
        for keys, slot in (
            (QKeySequence(QKeySequence.StandardKey.Find), self.focus_search),
            (QKeySequence(Qt.Key.Key_F3), self.find_next),
            (QKeySequence(Qt.Modifier.SHIFT | Qt.Key.Key_F3), self.find_previous),
            (QKeySequence(Qt.Key.Key_Escape), self.close),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
        self._show()
        self.resize(1100, 760)

    # -- what tests and callers use -------------------------------------------------------------

    @property
    def mode(self) -> Mode:
        return SIDE_BY_SIDE if self._side_button.isChecked() else UNIFIED

    def set_mode(self, mode: Mode) -> None:
        (self._side_button if mode == SIDE_BY_SIDE else self._unified_button).setChecked(True)

    @property
    def whole_file(self) -> bool:
        return self._whole.isChecked()

    def set_whole_file(self, whole: bool) -> None:
        self._whole.setChecked(whole)

    @property
    def diff(self) -> LineDiff | None:
        return self._diff

    @property
    def table(self) -> RowsTable:
        """The table shown now (unified or side by side)."""
        return self._side if self.mode == SIDE_BY_SIDE else self._unified

    @property
    def summary(self) -> str:
        return self._summary.text()

    @property
    def notice(self) -> str:
        return self._notice.text() if not self._notice.isHidden() else ""

    @property
    def message(self) -> str:
        return self._message.text() if self._stack.currentWidget() is self._message else ""

    @property
    def matches(self) -> str:
        return self._matches_label.text()

    @property
    def search_box(self) -> QLineEdit:
        return self._search

    @property
    def detail_text(self) -> str:
        return self._detail.toPlainText()

    def buttons(self) -> dict[str, QPushButton]:
        return {
            "copy": self._copy_button,
            "open": self._open_button,
            "ignore": self._ignore_button,
            "close": self._close_button,
            "unified": self._unified_button,
            "side by side": self._side_button,
            "previous": self._previous,
            "next": self._next,
        }

    def controls(self) -> list[QWidget]:
        """Every control a user can reach (for the accessibility tests)."""
        return [
            *self.buttons().values(),
            self._whole,
            self._indent,
            self._search,
            self._url_field,
            self._unified,
            self._side,
            self._detail,
        ]

    def labels(self) -> list[QLabel]:
        """Every label that may show web text (for the plain-text tests)."""
        return [
            self._title,
            self._summary,
            self._notice,
            self._message,
            self._matches_label,
        ]

    # -- actions ---------------------------------------------------------------------------------

    def copy_url(self) -> None:
        if self._url:
            QGuiApplication.clipboard().setText(self._url)

    def open_in_browser(self) -> bool:
        if not is_web_url(self._url):
            return False
        assert self._url is not None
        return QDesktopServices.openUrl(QUrl(self._url))

    def ignore_resource(self) -> bool:
        """Ask first; then leave the resource out of later checks (`on_ignore`)."""
        if self._on_ignore is None:
            return False
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Ignore this resource?")
        box.setTextFormat(Qt.TextFormat.PlainText)
        name = self._url or self._title.text()
        box.setText(f"Ignore this {self._what} in this tracker's later checks?")
        box.setInformativeText(
            f"{name}\n\nIts changes will no longer be reported. You can undo this in the "
            "tracker's settings."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Ignore")
        answer = box.exec()
        box.deleteLater()
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self._on_ignore()
        self._ignore_button.setEnabled(False)
        self._ignore_button.setText("Ignored")
        return True

    def focus_search(self) -> None:
        self._search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search.selectAll()

    def find_next(self) -> bool:
        return self._step(+1)

    def find_previous(self) -> bool:
        return self._step(-1)

    # -- loading --------------------------------------------------------------------------------

    def _load(self, old_text: str | None, new_text: str | None) -> None:
        noun = self._what
        self._texts = (old_text, new_text)
        if old_text is None and new_text is None:
            self._summary.setText("No bodies kept")
            self._indent.setEnabled(False)
            self._show_message(
                f"No body was kept for either version of this {noun} (it was too large to keep, "
                "or was seen before bodies were kept), so there is nothing to compare."
            )
            return
        if old_text is None:
            self._notice.setText(
                f"There is no old body: the {noun} is new, or its old body was not kept (too "
                "large, or seen before bodies were kept). The new body is shown on its own."
            )
            self._notice.show()
        elif new_text is None:
            self._notice.setText(
                f"There is no new body: the {noun} is gone, or its new body was not kept (too "
                "large to keep). The old body is shown on its own."
            )
            self._notice.show()
        self._one_side = old_text is None or new_text is None
        if self._one_side:
            self._whole.setEnabled(False)
            self._indent.setEnabled(False)
        self._rediff()

    def _rediff(self) -> None:
        """Diff the two texts (again: the indentation choice changed) and say what changed."""
        old_text, new_text = self._texts
        ignore = self._indent.isChecked() and not self._one_side
        self._diff = diff_lines(old_text or "", new_text or "", ignore_indentation=ignore)
        self._rows.clear()
        diff = self._diff
        words = "No change in the lines" if diff.is_empty else diff.summary()
        if old_text is None:
            words = f"New body only: {len(diff.new):,} lines"
        elif new_text is None:
            words = f"Old body only: {len(diff.old):,} lines"
        if self._beautified:
            words += ", beautified"
        lines = "line" if diff.reindented == 1 else "lines"
        if diff.reindented:
            words += f"; {diff.reindented:,} re-indented {lines} not counted"
        self._summary.setText(words)
        if not diff.is_empty:
            self._message_shown = False
            for widget in (self._unified_button, self._side_button, self._search):
                widget.setEnabled(True)
            self._previous.setEnabled(True)
            self._next.setEnabled(True)
            self._whole.setEnabled(not self._one_side)
            self._detail.show()
            return
        if diff.reindented:
            same = (
                f"The bodies differ only in the indentation of {diff.reindented:,} {lines}: "
                "untick “Ignore indentation” to see them."
            )
        elif old_text != new_text:
            same = (
                "The old and new bodies have the same lines: they differ only in line endings "
                "or a final newline."
            )
        else:
            same = "The old and new bodies are the same."
        self._show_message(same)

    def _show_message(self, text: str) -> None:
        self._message_shown = True
        self._message.setText(text)
        self._stack.setCurrentWidget(self._message)
        for widget in (
            self._unified_button,
            self._side_button,
            self._whole,
            self._search,
            self._previous,
            self._next,
        ):
            widget.setEnabled(False)
        self._matches_label.setText("")
        self._detail.hide()

    def _has_diff(self) -> bool:
        return self._diff is not None and not self._message_shown

    # -- showing --------------------------------------------------------------------------------

    def _current_rows(self) -> list[Any]:
        assert self._diff is not None
        # One body alone is shown whole: there are no changes to fold lines around.
        whole = self.whole_file or self._one_side
        key = (self.mode, whole)
        if key not in self._rows:
            context = None if whole else CONTEXT
            if self.mode == SIDE_BY_SIDE:
                self._rows[key] = list(self._diff.side_by_side_rows(context))
            else:
                self._rows[key] = list(self._diff.unified_rows(context))
        return self._rows[key]

    def _show(self) -> None:
        """Fill the table of the current mode and fold, and show it."""
        if not self._has_diff():
            return
        rows = self._current_rows()
        table = self.table
        spanned = [number for number, row in enumerate(rows) if row.kind == "fold"]
        if self.mode == SIDE_BY_SIDE:
            table.set_rows(rows, self._side_items, spanned, _side_copy)
        else:
            table.set_rows(rows, self._unified_items, spanned, _unified_copy)
        self._size_number_columns()
        self._stack.setCurrentWidget(table)
        self._detail.clear()
        self._match_rows, self._match_at = [], -1
        if self._search.text():
            self._on_search(self._search.text())
        else:
            first_change = next(
                (n for n, row in enumerate(rows) if row.kind not in ("fold", "same")), 0
            )
            if rows:
                table.go_to(first_change)

    def _size_number_columns(self) -> None:
        assert self._diff is not None
        last = f"{max(len(self._diff.old), len(self._diff.new), 1):,}"
        header = self._unified.horizontalHeader().fontMetrics().horizontalAdvance("Old New") // 2
        width = max(self._unified.fontMetrics().horizontalAdvance(last + "9"), header) + 12
        for table, columns in ((self._unified, (0, 1)), (self._side, (0, 2))):
            for column in columns:
                table.setColumnWidth(column, width)

    def _number(self, number: int | None, kind: str) -> QStandardItem:
        item = QStandardItem("" if number is None else f"{number:,}")
        item.setData(
            self._styles.muted if kind == "same" else self._styles.mark.get(kind),
            Qt.ItemDataRole.ForegroundRole,
        )
        item.setData(self._styles.right, Qt.ItemDataRole.TextAlignmentRole)
        return item

    def _fold(self, text: str) -> list[QStandardItem]:
        item = QStandardItem(text)
        styles = self._styles
        item.setData(styles.muted, Qt.ItemDataRole.ForegroundRole)
        item.setData(styles.fold_font, Qt.ItemDataRole.FontRole)
        item.setData(styles.filler, Qt.ItemDataRole.BackgroundRole)
        item.setData("fold", ROW_STATE)
        return [item]

    def _unified_items(self, row: UnifiedRow) -> list[QStandardItem]:
        if row.kind == "fold":
            return self._fold(row.text)
        kind = row.kind
        items = [
            self._number(row.old_number, kind),
            self._number(row.new_number, kind),
            QStandardItem(f"{_MARK[kind]} {shown_line(row.text)}"),
        ]
        tint = self._styles.tint.get(kind)
        for item in items:
            if tint is not None:
                item.setData(tint, Qt.ItemDataRole.BackgroundRole)
            item.setData(kind, ROW_STATE)
        return items

    def _side_items(self, row: SideRow) -> list[QStandardItem]:
        if row.kind == "fold":
            return self._fold(row.old_text or "")
        styles = self._styles
        old_kind = "same" if row.kind == "same" else "removed"
        new_kind = "same" if row.kind == "same" else "added"
        items = []
        for kind, number, text in (
            (old_kind, row.old_number, row.old_text),
            (new_kind, row.new_number, row.new_text),
        ):
            if text is None:
                cells = [QStandardItem(""), QStandardItem("")]
                background: QColor | None = styles.filler
            else:
                cells = [
                    self._number(number, kind),
                    QStandardItem(f"{_MARK[kind]} {shown_line(text)}"),
                ]
                background = styles.tint.get(kind)
            for item in cells:
                if background is not None:
                    item.setData(background, Qt.ItemDataRole.BackgroundRole)
                item.setData(row.kind, ROW_STATE)
            items += cells
        return items

    def _on_mode(self, button: QPushButton, checked: bool) -> None:
        if not checked:
            return
        _remembered["mode"] = self.mode
        self._show()

    def _on_whole(self, whole: bool) -> None:
        _remembered["whole"] = whole
        self._show()

    def _on_indent(self, ignore: bool) -> None:
        _remembered["indent"] = ignore
        self._rediff()
        self._show()

    # -- the selected line, in full ---------------------------------------------------------------

    def _on_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        if not current.isValid() or not self._has_diff():
            return
        rows = self.table.rows
        row = rows[current.row()]
        self._detail.clear()
        cursor = self._detail.textCursor()
        if row.kind == "fold":
            self._detail.setPlainText(row.text if isinstance(row, UnifiedRow) else row.old_text)
            return
        if isinstance(row, SideRow):
            old = (row.old_number, row.old_text)
            new = (row.new_number, row.new_text)
        else:
            old, new = _unified_pair(rows, current.row())
        self._write_detail(cursor, old, new, row.kind == "same")

    def _write_detail(
        self,
        cursor: QTextCursor,
        old: tuple[int | None, str | None],
        new: tuple[int | None, str | None],
        same: bool,
    ) -> None:
        styles = self._styles
        plain = QTextCharFormat()
        muted = QTextCharFormat()
        muted.setForeground(styles.muted)
        if same:
            cursor.insertText(f"Line {old[0]:,} (old), {new[0]:,} (new):\n", muted)
            cursor.insertText(_detail_line(old[1] or ""), plain)
            return
        old_segments = new_segments = None
        if old[1] is not None and new[1] is not None:
            short = max(len(old[1]), len(new[1])) <= MAX_DETAILED_LINE
            if short:
                old_segments, new_segments = changed_words(old[1], new[1])
        first = True
        for (number, text), segments, kind, side in (
            (old, old_segments, "removed", "Old"),
            (new, new_segments, "added", "New"),
        ):
            if text is None:
                continue
            if not first:
                cursor.insertText("\n", plain)
            first = False
            heading = QTextCharFormat()
            heading.setForeground(styles.mark[kind])
            heading.setFontWeight(QFont.Weight.Bold)
            cursor.insertText(f"{_MARK[kind]} {side} line {number:,}:\n", heading)
            if segments is None or len(segments) == 1:
                cursor.insertText(_detail_line(text), plain)
                continue
            changed = QTextCharFormat()
            changed.setBackground(styles.tint[kind])
            changed.setFontWeight(QFont.Weight.Bold)
            changed.setFontUnderline(True)
            for segment in segments:
                cursor.insertText(_detail_line(segment.text), changed if segment.changed else plain)

    # -- search ---------------------------------------------------------------------------------

    def _on_search(self, needle: str) -> None:
        self._match_rows, self._match_at = [], -1
        if not needle or not self._has_diff():
            self._matches_label.setText("")
            return
        folded = needle.casefold()
        rows = self.table.rows
        self._match_rows = [n for n, row in enumerate(rows) if folded in _searched(row)]
        if not self._match_rows:
            self._matches_label.setText(self._none_shown(folded))
            return
        start = max(0, self.table.current_row())
        self._match_at = next((k for k, n in enumerate(self._match_rows) if n >= start), 0)
        self._go_to_match()

    def _none_shown(self, folded: str) -> str:
        """The words when no line shown matches: how many the folded unchanged lines hold."""
        if self.whole_file or self._one_side:
            return "No match"
        assert self._diff is not None
        lines = {*self._diff.old, *self._diff.new}
        hidden = sum(1 for line in lines if folded in line.casefold())
        if not hidden:
            return "No match"
        return f"No match in the lines shown; {hidden:,} in unchanged lines (tick Whole file)"

    def _on_return(self) -> None:
        modifiers = QGuiApplication.keyboardModifiers()
        self._step(-1 if modifiers & Qt.KeyboardModifier.ShiftModifier else +1)

    def _step(self, direction: int) -> bool:
        if not self._match_rows:
            if self._search.text() and self._has_diff():
                self._on_search(self._search.text())
            return bool(self._match_rows)
        self._match_at = (self._match_at + direction) % len(self._match_rows)
        self._go_to_match()
        return True

    def _go_to_match(self) -> None:
        self.table.go_to(self._match_rows[self._match_at])
        self._matches_label.setText(f"{self._match_at + 1:,} of {len(self._match_rows):,}")

    # -- the theme ------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._styles = _Styles(self.palette(), self._font)
            if self._has_diff():
                self.table.refill()
        super().changeEvent(event)


def _detail_line(text: str) -> str:
    return shown_line(text, MAX_DETAIL)


def _searched(row: UnifiedRow | SideRow) -> str:
    if row.kind == "fold":
        return ""
    if isinstance(row, SideRow):
        return f"{row.old_text or ''}\n{row.new_text or ''}".casefold()
    return row.text.casefold()


def _unified_copy(row: UnifiedRow) -> str:
    if row.kind == "fold":
        return f"@@ {row.text} @@"
    return {"same": " ", "added": "+", "removed": "-"}[row.kind] + row.text


def _side_copy(row: SideRow) -> str:
    if row.kind == "fold":
        return f"@@ {row.old_text} @@"
    return f"{row.old_text or ''}\t{row.new_text or ''}"


def _unified_pair(
    rows: Sequence[UnifiedRow], index: int
) -> tuple[tuple[int | None, str | None], tuple[int | None, str | None]]:
    """A unified row's line and the line it faces side by side: in a run of removed lines
    followed by added ones, the k-th removed line faces the k-th added line."""
    row = rows[index]
    if row.kind == "same":
        return (row.old_number, row.text), (row.new_number, row.text)
    start = index
    while (
        start > 0
        and rows[start - 1].kind in ("removed", "added")
        and not (rows[start - 1].kind == "added" and rows[start].kind == "removed")
    ):
        start -= 1
    end = start
    while end < len(rows) and rows[end].kind == "removed":
        end += 1
    removed = list(range(start, end))
    added_end = end
    while added_end < len(rows) and rows[added_end].kind == "added":
        added_end += 1
    added = list(range(end, added_end))
    if row.kind == "removed":
        k = removed.index(index)
        partner = rows[added[k]] if k < len(added) else None
        return (row.old_number, row.text), (
            (partner.new_number, partner.text) if partner else (None, None)
        )
    k = added.index(index)
    partner = rows[removed[k]] if k < len(removed) else None
    return ((partner.old_number, partner.text) if partner else (None, None)), (
        row.new_number,
        row.text,
    )
