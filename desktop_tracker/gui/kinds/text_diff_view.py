"""The content kind's diff: the text, unified or side by side, changed words highlighted.

Each line is one block of a read-only QPlainTextEdit: its line numbers and its mark ("+", "−" or
nothing) first, muted (a changed line's in its colour), then the text. Added and removed lines are
tinted, and within a line that changed a little the words that differ are tinted more strongly
and set in bold (so the change still shows in monochrome). The document is built once per diff
and mode, with formats, and then painted by Qt alone: no Python is called per line when the view
scrolls or repaints (see docs/architecture.md). A 5,000-line diff (6,700 lines shown, a third of
them changed) renders in about 70 ms, unified or side by side (tests/gui/test_history_content.py
measures it; 300 ms is its bound).

The page's text reaches Qt as plain text inserted by a cursor, never as markup. Characters that a
text document reads as a line break (carriage returns, Unicode line and paragraph separators) are
shown as symbols, so every line stays one block.

By default only the changed lines and 3 lines around them are shown, as `diff -u` shows them, the
lines in between said in one muted line ("⋯ 120 unchanged lines ⋯"); "Whole text" shows every
line. "Ignore lines like this" proposes an ignore rule matching the line under the cursor whole;
"Mask this part" a mask rule for the selected text (`kinds.noise.rule_for_text`).

Keys, wherever the focus is in the view: Alt+U unified, Alt+S side by side, Alt+W whole text,
Ctrl+F find, F3 and Shift+F3 the next and previous match, Ctrl+I ignore lines like this one,
Ctrl+M mask the selected part; tool tips and the panes' context menu say them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QKeySequence,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextDocumentLayout,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.gui.diff_view import (
    TEXT_CONTRAST,
    ChangeColours,
    FindingsStrip,
    KindDiffView,
    action_button,
    blend,
    contrast_ratio,
    literal,
    view_action,
    with_keys,
)
from desktop_tracker.gui.plain_text import plain_label
from desktop_tracker.kinds.base import Diff, Finding, Snapshot
from desktop_tracker.kinds.content import ContentDiff, ContentSnapshot
from desktop_tracker.kinds.noise import rule_for_text
from desktop_tracker.kinds.rules import MASK
from desktop_tracker.kinds.text_diff import DiffLine, Segment, TextDiff, split_lines

Mode = Literal["unified", "side by side"]
UNIFIED: Mode = "unified"
SIDE_BY_SIDE: Mode = "side by side"

CONTEXT = 3  # unchanged lines shown around a change, as `diff -u` shows them
MAX_BLOCKS = 100_000  # lines rendered at most; a longer text is cut, and says so
_MARKS = {"same": " ", "added": "+", "removed": "−"}
# What a text document would take for a line break, shown as a symbol instead.
_BREAKS = str.maketrans({"\r": "␍", "\u2028": "␤", "\u2029": "¶", "\x0b": "␋", "\x0c": "␌"})
_BREAK_FOUND = re.compile("[\r\u2028\u2029\x0b\x0c]")


def ignore_rule_for_line(line: str) -> str | None:
    """An ignore rule matching this whole line, and lines like it: the line escaped and
    anchored, a part that an earlier mask replaced ("…") matching anything. None for a line
    with nothing else to match (a rule for it would drop every line)."""
    pieces = line.split(MASK)
    if not "".join(pieces).strip():
        return None
    return "^" + ".*".join(literal(piece) for piece in pieces) + "$"


def mask_rule_for_selection(selected: str) -> str | None:
    """A mask rule for a selected part of a line; None when nothing but spaces is selected.
    A part masked already ("…") matches anything: the rules see the text before masks."""
    try:
        rule = rule_for_text(selected)
    except ValueError:
        return None
    if not rule.replace(MASK, "").strip():
        return None
    return rule.replace(MASK, ".*?")


# -- colours ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextColours:
    """The formats' colours for one palette: line tints from `ChangeColours`, and stronger
    tints for the words that changed, still readable under the text colour."""

    change: ChangeColours
    added_words: QColor
    removed_words: QColor
    filler: QColor  # the empty side opposite a line with nothing in its place

    @classmethod
    def from_palette(cls, palette: QPalette) -> TextColours:
        change = ChangeColours.from_palette(palette)
        return cls(
            change,
            _strong(change, "green"),
            _strong(change, "red"),
            blend(change.base, change.text, 0.07),
        )


def _strong(colours: ChangeColours, accent: Literal["green", "red"]) -> QColor:
    # The accent laid over the base, as strongly as the text colour stays readable on it.
    amount = 0.45 if colours.dark else 0.32
    while amount > 0.1:
        colour = blend(colours.base, colours.accent[accent], amount)
        if contrast_ratio(colours.text, colour) >= TEXT_CONTRAST:
            return colour
        amount -= 0.03
    return colours.tint[accent]


# -- what is shown ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Block:
    """One block of a rendered document: a line of the diff, or a gap (`line` None) of
    `skipped` unchanged lines, or filler opposite a line in side-by-side (both None, 0)."""

    line: DiffLine | None
    skipped: int = 0
    number: int | None = None  # the one number shown in a side of side-by-side


def _windows(changed: Sequence[bool], context: int | None) -> list[tuple[int, int]]:
    """The ranges of rows shown: every row (`context` None), or the changed rows with up to
    `context` rows around them, ranges closer than 2 × context + 1 rows merged."""
    count = len(changed)
    if context is None:
        return [(0, count)] if count else []
    windows: list[tuple[int, int]] = []
    for index, is_change in enumerate(changed):
        if not is_change:
            continue
        lo, hi = max(0, index - context), min(count, index + context + 1)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
    return windows


def unified_blocks(diff: TextDiff, context: int | None) -> list[_Block]:
    lines = diff.lines
    blocks: list[_Block] = []
    previous = 0
    for lo, hi in _windows([line.change != "same" for line in lines], context):
        if lo > previous:
            blocks.append(_Block(None, lo - previous))
        blocks += [_Block(line) for line in lines[lo:hi]]
        previous = hi
    if lines and previous < len(lines) and blocks:
        blocks.append(_Block(None, len(lines) - previous))
    return blocks


def side_by_side_blocks(diff: TextDiff, context: int | None) -> tuple[list[_Block], list[_Block]]:
    rows = diff.side_by_side()
    changed = [not (old is not None and new is not None and old is new) for old, new in rows]
    left: list[_Block] = []
    right: list[_Block] = []
    previous = 0

    def gap(count: int) -> None:
        left.append(_Block(None, count))
        right.append(_Block(None, count))

    for lo, hi in _windows(changed, context):
        if lo > previous:
            gap(lo - previous)
        for old, new in rows[lo:hi]:
            left.append(_Block(old, number=old.old_number if old is not None else None))
            right.append(_Block(new, number=new.new_number if new is not None else None))
        previous = hi
    if rows and previous < len(rows) and left:
        gap(len(rows) - previous)
    return left, right


def _has_breaks(blocks: Sequence[_Block]) -> bool:
    """Whether any line holds a character a text document would break the line at."""
    return any(
        _BREAK_FOUND.search(segment.text)
        for block in blocks
        if block.line is not None
        for segment in block.line.segments
    )


def _gap_text(skipped: int) -> str:
    return f"⋯ {skipped:,} unchanged line{'s' if skipped != 1 else ''} ⋯"


# -- a pane of text ---------------------------------------------------------------------------


class _Pane(QPlainTextEdit):
    """A read-only, unwrapped text pane whose blocks are the lines of a diff."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.blocks: list[_Block] = []
        self.prefix = 0  # characters of line numbers and mark before each line's text

    def line_at(self, block_number: int) -> DiffLine | None:
        if 0 <= block_number < len(self.blocks):
            return self.blocks[block_number].line
        return None


class _Renderer:
    """Builds a pane's document: one block per `_Block`, formats set as it goes."""

    def __init__(self, colours: TextColours, font: QFont) -> None:
        self.colours = colours
        self.font = font
        change = colours.change
        self.number = QTextCharFormat()
        self.number.setForeground(change.muted)
        self.text = QTextCharFormat()
        self.text.setForeground(change.text)
        # A changed line's numbers and mark in its accent: "+" and "−" in colour.
        self.prefixes = {
            "same": self.number,
            "added": self._coloured(change.accent["green"]),
            "removed": self._coloured(change.accent["red"]),
        }
        self.words = {
            "added": self._words(colours.added_words),
            "removed": self._words(colours.removed_words),
        }
        self.gap = QTextCharFormat()
        self.gap.setForeground(change.muted)
        self.gap.setFontItalic(True)
        self.plain_block = QTextBlockFormat()
        self.gap_block = QTextBlockFormat()
        self.filler_block = QTextBlockFormat()
        self.filler_block.setBackground(QBrush(colours.filler))
        self.line_blocks = {
            "same": self.plain_block,
            "added": self._tinted(change.tint["green"]),
            "removed": self._tinted(change.tint["red"]),
        }

    def _tinted(self, colour: QColor) -> QTextBlockFormat:
        block = QTextBlockFormat()
        block.setBackground(QBrush(colour))
        return block

    def _coloured(self, colour: QColor) -> QTextCharFormat:
        prefix = QTextCharFormat()
        prefix.setForeground(colour)
        return prefix

    def _words(self, colour: QColor) -> QTextCharFormat:
        words = QTextCharFormat()
        words.setForeground(self.colours.change.text)
        words.setBackground(QBrush(colour))
        words.setFontWeight(QFont.Weight.Bold)
        return words

    def render(
        self, pane: _Pane, blocks: list[_Block], numbers: Callable[[_Block], str], width: int
    ) -> None:
        """Build `pane`'s document of `blocks`; `numbers` gives a line's numbers, `width`
        characters wide (the mark and a space follow)."""
        shown = blocks[:MAX_BLOCKS]
        document = QTextDocument(pane)
        document.setDocumentLayout(QPlainTextDocumentLayout(document))
        document.setDefaultFont(self.font)
        document.setUndoRedoEnabled(False)
        cursor = QTextCursor(document)
        cursor.beginEditBlock()
        # Three calls into Qt a line, most lines: the block, its numbers and mark, its text.
        insert_text, insert_block = cursor.insertText, cursor.insertBlock
        line_blocks, prefixes, words_of = self.line_blocks, self.prefixes, self.words
        text_format, marks = self.text, _MARKS
        breaks = _has_breaks(shown)
        for index, block in enumerate(shown):
            line = block.line
            if line is None:
                block_format = self.gap_block if block.skipped else self.filler_block
            else:
                block_format = line_blocks[line.change]
            if index:
                insert_block(block_format)
            else:
                cursor.setBlockFormat(block_format)
            if line is None:
                if block.skipped:
                    insert_text(" " * width + _gap_text(block.skipped), self.gap)
                continue
            change = line.change
            insert_text(numbers(block) + marks[change] + " ", prefixes[change])
            segments: Sequence[Segment] = line.segments
            if len(segments) == 1:
                # Unchanged, or changed as a whole: the block's tint says it, not its words.
                text = segments[0].text
                insert_text(text.translate(_BREAKS) if breaks else text, text_format)
                continue
            words = words_of.get(change, text_format)
            for segment in segments:
                text = segment.text.translate(_BREAKS) if breaks else segment.text
                insert_text(text, words if segment.changed else text_format)
        if len(blocks) > len(shown):
            insert_block(self.gap_block)
            more = len(blocks) - len(shown)
            insert_text(f"⋯ {more:,} more lines are not shown ⋯", self.gap)
        cursor.endEditBlock()
        # The pane's first document is its text control's, deleted by it when replaced; the
        # documents made here are the pane's children, deleted here.
        old = pane.document()
        ours = old is not None and old.parent() is pane
        pane.setDocument(document)
        if ours:
            old.deleteLater()
        pane.blocks = shown
        pane.prefix = width + 2


# -- the widget -------------------------------------------------------------------------------


class TextDiffView(KindDiffView):
    """A content tracker's revision: its text against another one's, or alone (baseline)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._findings = FindingsStrip(self)
        self._summary = plain_label("", self)
        # Mnemonics: Alt+U, Alt+S, Alt+W.
        self._unified_button = QPushButton("&Unified", self)
        self._unified_button.setToolTip("The two texts as one, lines marked + and − (Alt+U)")
        self._side_button = QPushButton("&Side by side", self)
        self._side_button.setToolTip("The older text on the left, the newer on the right (Alt+S)")
        self._modes = QButtonGroup(self)
        for button in (self._unified_button, self._side_button):
            button.setCheckable(True)
            button.setAccessibleName(button.text().replace("&", ""))
            self._modes.addButton(button)
        self._unified_button.setChecked(True)
        self._whole = QCheckBox("&Whole text", self)
        self._whole.setAccessibleName("Whole text")
        self._whole.setToolTip(
            f"Show every line, not only the changed ones and {CONTEXT} lines around them (Alt+W)"
        )
        find = view_action(self, "Find", QKeySequence.StandardKey.Find, self._focus_search)
        find_next = view_action(
            self, "Next match", QKeySequence.StandardKey.FindNext, self.find_next
        )
        find_previous = view_action(
            self, "Previous match", QKeySequence.StandardKey.FindPrevious, self.find_previous
        )
        self._search = QLineEdit(self)
        self._search.setPlaceholderText("Find in the text")
        self._search.setAccessibleName("Find in the text")
        self._search.setToolTip(with_keys("Find in the text", find))
        self._search.setClearButtonEnabled(True)
        self._previous = action_button(find_previous, "Previous", "Previous match", self)
        self._previous.setAccessibleName("Previous match")
        self._next = action_button(find_next, "Next", "Next match", self)
        self._next.setAccessibleName("Next match")
        self._search_state = plain_label("", self)
        self._ignore_action = view_action(
            self, "Ignore lines like this…", "Ctrl+I", self.ignore_current_line
        )
        self._ignore_line = action_button(
            self._ignore_action,
            "Ignore lines like this…",
            "Leave lines like the one under the cursor out of this tracker's next checks",
            self,
        )
        self._mask_action = view_action(self, "Mask this part…", "Ctrl+M", self.mask_selection)
        self._mask_part = action_button(
            self._mask_action,
            "Mask this part…",
            "Read the selected part (and parts like it) as “…” in this tracker's next checks",
            self,
        )

        self._unified = _Pane("Unified diff", self)
        self._left = _Pane("Older text", self)
        self._right = _Pane("Newer text", self)
        self._sides = QSplitter(Qt.Orientation.Horizontal, self)
        self._sides.addWidget(self._left)
        self._sides.addWidget(self._right)
        self._sides.setChildrenCollapsible(False)
        self._message = plain_label("", self)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._stack = QStackedWidget(self)
        for widget in (self._unified, self._sides, self._message):
            self._stack.addWidget(widget)

        bar = QHBoxLayout()
        bar.addWidget(self._summary, 1)
        bar.addWidget(self._unified_button)
        bar.addWidget(self._side_button)
        bar.addWidget(self._whole)
        tools = QHBoxLayout()
        tools.addWidget(self._search, 1)
        tools.addWidget(self._previous)
        tools.addWidget(self._next)
        tools.addWidget(self._search_state)
        tools.addStretch(1)
        tools.addWidget(self._ignore_line)
        tools.addWidget(self._mask_part)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._findings)
        layout.addLayout(bar)
        layout.addLayout(tools)
        layout.addWidget(self._stack, 1)

        self._diff: TextDiff | None = None
        self._baseline: list[str] | None = None  # the baseline's lines, when one is shown
        self._built: set[Mode] = set()  # the modes rendered for what is shown now
        self._active: _Pane = self._unified  # where the cursor the actions use is
        self._font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._colours = TextColours.from_palette(self.palette())
        self._findings.apply_colours(self._colours.change)

        self._modes.buttonToggled.connect(self._on_mode)
        self._whole.toggled.connect(self._on_whole)
        self._search.returnPressed.connect(lambda: self.find_next())
        self._search.textChanged.connect(lambda _: self._search_state.setText(""))
        for pane in (self._unified, self._left, self._right):
            pane.cursorPositionChanged.connect(lambda pane=pane: self._on_cursor(pane))
            pane.selectionChanged.connect(lambda pane=pane: self._on_cursor(pane))
            pane.customContextMenuRequested.connect(
                lambda position, pane=pane: self._context_menu(pane, position)
            )
        # Side by side, the two sides scroll together.
        for one, other in ((self._left, self._right), (self._right, self._left)):
            one.verticalScrollBar().valueChanged.connect(other.verticalScrollBar().setValue)
            one.horizontalScrollBar().valueChanged.connect(other.horizontalScrollBar().setValue)
        self.show_message("")

    # -- what tests and the history view use ---------------------------------------------------

    @property
    def mode(self) -> Mode:
        return SIDE_BY_SIDE if self._side_button.isChecked() else UNIFIED

    @property
    def active_pane(self) -> QPlainTextEdit:
        """The pane whose cursor "Ignore this" and search use: the one used last."""
        return self._active

    @property
    def unified_pane(self) -> QPlainTextEdit:
        return self._unified

    @property
    def side_panes(self) -> tuple[QPlainTextEdit, QPlainTextEdit]:
        return self._left, self._right

    @property
    def search_box(self) -> QLineEdit:
        return self._search

    @property
    def ignore_line_button(self) -> QPushButton:
        return self._ignore_line

    @property
    def mask_button(self) -> QPushButton:
        return self._mask_part

    @property
    def whole_text_toggle(self) -> QCheckBox:
        return self._whole

    @property
    def colours(self) -> TextColours:
        return self._colours

    @property
    def summary(self) -> str:
        return self._summary.text()

    @property
    def message(self) -> str:
        return self._message.text() if self._stack.currentWidget() is self._message else ""

    def labels(self) -> list[QLabel]:
        return [self._summary, self._message, self._search_state, *self._findings.labels]

    def set_mode(self, mode: Mode) -> None:
        (self._side_button if mode == SIDE_BY_SIDE else self._unified_button).setChecked(True)

    def set_whole_text(self, whole: bool) -> None:
        self._whole.setChecked(whole)

    def pane_lines(self, pane: QPlainTextEdit) -> list[str]:
        """The text of each block of a pane as shown, numbers and marks included."""
        document = pane.document()
        return [document.findBlockByNumber(n).text() for n in range(document.blockCount())]

    def line_texts(self, pane: QPlainTextEdit) -> list[str | None]:
        """The diff line of each block of a pane, without numbers (None: a gap or filler)."""
        assert isinstance(pane, _Pane)
        return [block.line.text if block.line is not None else None for block in pane.blocks]

    def select_in(self, pane: QPlainTextEdit, block_number: int, start: int, end: int) -> None:
        """Select characters `start` to `end` of a line's text (numbers not counted)."""
        assert isinstance(pane, _Pane)
        block = pane.document().findBlockByNumber(block_number)
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + pane.prefix + start)
        cursor.setPosition(block.position() + pane.prefix + end, QTextCursor.MoveMode.KeepAnchor)
        pane.setTextCursor(cursor)
        self._on_cursor(pane)

    def current_line(self) -> DiffLine | None:
        """The line the cursor (or the selection's start) is on, in the pane used last."""
        pane = self._active
        cursor = pane.textCursor()
        return pane.line_at(pane.document().findBlock(cursor.selectionStart()).blockNumber())

    def selected_part(self) -> str:
        """The selected text of one line, numbers and mark left out ("" for none)."""
        pane = self._active
        cursor = pane.textCursor()
        if not cursor.hasSelection():
            return ""
        block = pane.document().findBlock(cursor.selectionStart())
        if pane.line_at(block.blockNumber()) is None:
            return ""
        start = max(cursor.selectionStart(), block.position() + pane.prefix)
        end = min(cursor.selectionEnd(), block.position() + block.length() - 1)
        if end <= start:
            return ""
        return block.text()[start - block.position() : end - block.position()]

    # -- showing --------------------------------------------------------------------------------

    def show_diff(
        self, diff: Diff, old: Snapshot, new: Snapshot, findings: Sequence[Finding] = ()
    ) -> None:
        assert isinstance(diff, ContentDiff)
        self._findings.set_findings(diff.findings)
        self.show_text_diff(diff.text)

    def show_text_diff(self, diff: TextDiff) -> None:
        self._diff, self._baseline = diff, None
        self._built.clear()
        self._set_diff_controls(True)
        if diff.is_empty:
            self._summary.setText("No change")
            self._show_text("The text is the same in both revisions.")
            return
        self._summary.setText(diff.summary())
        self._render()

    def show_baseline(self, snapshot: Snapshot, findings: Sequence[Finding] = ()) -> None:
        assert isinstance(snapshot, ContentSnapshot)
        self._findings.set_findings([])
        self._diff, self._baseline = None, split_lines(snapshot.text)
        self._built.clear()
        self._set_diff_controls(False)
        count = len(self._baseline)
        self._summary.setText(
            f"Baseline: nothing older is kept to compare with; its {count:,} "
            f"line{'s are' if count != 1 else ' is'} shown."
        )
        if not self._baseline:
            self._show_text("The text of this revision is empty.")
            return
        self._render()

    def show_message(self, text: str) -> None:
        self._diff = self._baseline = None
        self._built.clear()
        self._findings.set_findings([])
        self._summary.setText("")
        self._set_diff_controls(False)
        self._show_text(text)

    # -- search ---------------------------------------------------------------------------------

    def find_next(self) -> bool:
        return self._find(backward=False)

    def find_previous(self) -> bool:
        return self._find(backward=True)

    def _find(self, *, backward: bool) -> bool:
        needle = self._search.text()
        if not needle or self._stack.currentWidget() is self._message:
            return False
        sides = [self._left, self._right]
        panes = [self._unified] if self._stack.currentWidget() is self._unified else sides
        start = panes.index(self._active) if self._active in panes else len(panes) - 1
        order = [
            panes[(start + k * (-1 if backward else 1)) % len(panes)] for k in range(len(panes))
        ]
        order.append(order[0])  # the first pane again, from its other end (wrapping around)
        for number, pane in enumerate(order):
            if number == 0:
                cursor = pane.textCursor()
            else:
                cursor = QTextCursor(pane.document())
                if backward:
                    cursor.movePosition(QTextCursor.MoveOperation.End)
            found = _find_in(pane, needle, cursor, backward)
            if found is not None:
                for other in panes:
                    if other is not pane and other.textCursor().hasSelection():
                        kept = other.textCursor()
                        kept.clearSelection()
                        other.setTextCursor(kept)  # one match is selected at a time
                pane.setTextCursor(found)
                pane.ensureCursorVisible()
                self._on_cursor(pane)
                self._search_state.setText("")
                return True
        self._search_state.setText("Not found")
        return False

    def _focus_search(self) -> None:
        self._search.setFocus()
        self._search.selectAll()

    # -- ignore this ----------------------------------------------------------------------------

    def ignore_current_line(self) -> None:
        line = self.current_line()
        rule = ignore_rule_for_line(line.text) if line is not None else None
        if rule is not None:
            self.request_rule("ignore", rule)

    def mask_selection(self) -> None:
        rule = mask_rule_for_selection(self.selected_part())
        if rule is not None:
            self.request_rule("mask", rule)

    def _on_cursor(self, pane: _Pane) -> None:
        self._active = pane
        line = self.current_line()
        shown = self._stack.currentWidget() is not self._message
        self._ignore_action.setEnabled(
            shown and line is not None and ignore_rule_for_line(line.text) is not None
        )
        self._mask_action.setEnabled(
            shown and mask_rule_for_selection(self.selected_part()) is not None
        )

    def _context_menu(self, pane: _Pane, position: QPoint) -> None:
        if not pane.textCursor().hasSelection():
            pane.setTextCursor(pane.cursorForPosition(position))
        self._on_cursor(pane)
        menu = pane.createStandardContextMenu(position)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addSeparator()
        menu.addActions([self._ignore_action, self._mask_action])  # with their keys
        menu.popup(pane.viewport().mapToGlobal(position))

    # -- rendering ------------------------------------------------------------------------------

    def _set_diff_controls(self, diff: bool) -> None:
        self._unified_button.setEnabled(diff)
        self._side_button.setEnabled(diff)
        self._whole.setEnabled(diff)
        self._ignore_action.setEnabled(False)
        self._mask_action.setEnabled(False)

    def _on_mode(self, *_: object) -> None:
        if self._diff is not None and not self._diff.is_empty:
            self._render()

    def _on_whole(self, *_: object) -> None:
        self._built.clear()
        if self._diff is not None and not self._diff.is_empty:
            self._render()

    def _render(self) -> None:
        """Show what is loaded in the current mode, building its documents the first time."""
        renderer = _Renderer(self._colours, self._font)
        context = None if self._whole.isChecked() else CONTEXT
        if self._baseline is not None:
            if UNIFIED not in self._built:
                blocks = [
                    _Block(DiffLine("same", n, n, (Segment(text, False),)), number=n)
                    for n, text in enumerate(self._baseline, 1)
                ]
                width = len(str(len(blocks)))
                renderer.render(self._unified, blocks, _one_number(width), width + 1)
                self._built.add(UNIFIED)
            self._show_pane(self._unified)
            return
        diff = self._diff
        assert diff is not None
        width = max(1, len(str(max(_last_number(diff), 1))))
        if self.mode == UNIFIED:
            if UNIFIED not in self._built:
                blocks = unified_blocks(diff, context)
                renderer.render(self._unified, blocks, _two_numbers(width), 2 * width + 2)
                self._built.add(UNIFIED)
            self._show_pane(self._unified)
        else:
            if SIDE_BY_SIDE not in self._built:
                left, right = side_by_side_blocks(diff, context)
                renderer.render(self._left, left, _one_number(width), width + 1)
                renderer.render(self._right, right, _one_number(width), width + 1)
                self._built.add(SIDE_BY_SIDE)
            self._show_pane(self._right, self._sides)

    def _show_pane(self, pane: _Pane, widget: QWidget | None = None) -> None:
        self._stack.setCurrentWidget(widget or pane)
        self._active = pane
        self._on_cursor(pane)

    def _show_text(self, text: str) -> None:
        self._message.setText(text)
        self._stack.setCurrentWidget(self._message)
        self._ignore_action.setEnabled(False)
        self._mask_action.setEnabled(False)

    def changeEvent(self, event: QEvent) -> None:
        # A theme switch: the formats carry colours, so what is shown is built again.
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._colours = TextColours.from_palette(self.palette())
            self._findings.apply_colours(self._colours.change)
            self._built.clear()
            if self._stack.currentWidget() is not self._message:
                self._render()
        super().changeEvent(event)


def _last_number(diff: TextDiff) -> int:
    """The highest line number of either text: what the number columns must fit."""
    return max((max(line.old_number or 0, line.new_number or 0) for line in diff.lines), default=0)


def _one_number(width: int) -> Callable[[_Block], str]:
    def numbers(block: _Block) -> str:
        return f"{block.number or '':>{width}} "

    return numbers


def _two_numbers(width: int) -> Callable[[_Block], str]:
    def numbers(block: _Block) -> str:
        line = block.line
        assert line is not None
        return f"{line.old_number or '':>{width}} {line.new_number or '':>{width}} "

    return numbers


def _find_in(pane: _Pane, needle: str, cursor: QTextCursor, backward: bool) -> QTextCursor | None:
    """The next match in the lines' text (never in numbers, marks or gaps), from `cursor`."""
    flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
    document = pane.document()
    while True:
        found = document.find(needle, cursor, flags)
        if found.isNull():
            return None
        block = document.findBlock(found.selectionStart())
        in_text = found.selectionStart() - block.position() >= pane.prefix
        if in_text and pane.line_at(block.blockNumber()) is not None:
            return found
        cursor = found
