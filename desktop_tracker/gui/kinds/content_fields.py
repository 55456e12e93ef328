"""The content kind's fields in the tracker editor: the CSS selector, tried on the live page
with "Test selector", and, in the advanced part, "notify on additions only". (The shape is
`gui.kinds.editors.KindFields`.)"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

import shiboken6
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.gui.async_ops import spawn
from desktop_tracker.gui.plain_text import plain_label
from desktop_tracker.gui.schedule_editor import ErrorLine
from desktop_tracker.kinds.base import InvalidOption

if TYPE_CHECKING:
    from desktop_tracker.domain.trackers import Tracker
    from desktop_tracker.gui.kinds.editors import FieldsHost
    from desktop_tracker.kinds.base import Checked, Kind

__all__ = ["PREVIEW_LINES", "ContentFields", "matched_text"]

PREVIEW_LINES: Final = 200  # of the matched text, in the preview; the count says how many in all
TEST: Final = "Test selector"
STOP: Final = "Stop test"


def matched_text(checked: Checked) -> str:
    """The text a content check kept (after the tracker's ignore and mask rules)."""
    text = getattr(checked.snapshot, "text", None)
    return text if isinstance(text, str) else ""


class ContentFields(QWidget):
    summary: ClassVar[str] = (
        "The text of the page as a reader sees it, or of the parts a CSS selector picks."
    )
    ignore_example: ClassVar[str] = r"e.g. ^Last updated "
    changed = Signal()

    def __init__(self, kind: Kind, host: FieldsHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = kind
        self._host = host
        self._test: asyncio.Task[Checked] | None = None
        self._tested_selector: str | None = None

        self.selector_label = plain_label("CSS selector (empty: the whole page):")
        self.selector = QLineEdit()
        self.selector.setPlaceholderText("e.g. main article, #prices table")
        self.selector.setAccessibleName("CSS selector")
        self.selector_label.setBuddy(self.selector)
        self.selector_error = ErrorLine()
        self.test_button = QPushButton(TEST)
        self.test_button.setAccessibleName(TEST)
        self.test_button.setToolTip(
            "Fetch the page now with the URL, request headers and rules above, and show the text "
            "the selector picks. Nothing is saved."
        )
        self.test_status = plain_label()  # one line, unwrapped: see the editor's kind_summary
        self.test_status.hide()
        self.test_error = ErrorLine()
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Matched text")
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.preview.setTabChangesFocus(True)
        line = self.preview.fontMetrics().lineSpacing()
        self.preview.setMinimumHeight(line * 6 + 12)  # enough to read; it scrolls for the rest
        self.preview.setMaximumHeight(line * 12 + 12)
        self.preview.hide()
        self.additions_only = QCheckBox("Notify on additions only")
        self.additions_only.setAccessibleName("Notify on additions only")
        self.additions_only.setToolTip(
            "Lines that go away are kept in the history, but only new lines are notified."
        )
        self.options_error = ErrorLine()  # an option without a field of its own (a stored typo)
        self._advanced = QWidget()
        advanced = QVBoxLayout(self._advanced)
        advanced.setContentsMargins(0, 0, 0, 0)
        advanced.addWidget(self.additions_only)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.selector, 1)
        row.addWidget(self.test_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.selector_label)
        layout.addLayout(row)
        layout.addWidget(self.selector_error)
        layout.addWidget(self.test_status)
        layout.addWidget(self.test_error)
        layout.addWidget(self.preview)
        layout.addWidget(self.options_error)

        self.selector.textEdited.connect(self._selector_edited)
        self.additions_only.toggled.connect(lambda _on: self.changed.emit())
        self.test_button.clicked.connect(self._test_clicked)

    # --- the KindFields shape -----------------------------------------------------------------

    def load(self, options: Mapping[str, Any]) -> None:
        self.stop()
        selector = options.get("selector")
        self.selector.setText(selector if isinstance(selector, str) else "")
        self.additions_only.blockSignals(True)
        self.additions_only.setChecked(options.get("additions_only") is True)
        self.additions_only.blockSignals(False)
        self._clear_test()

    def options(self) -> dict[str, Any]:
        selector = self.selector.text().strip()
        return {"selector": selector or None, "additions_only": self.additions_only.isChecked()}

    def validate(self) -> str | None:
        error = self._problem()
        return None if error is None else f"{error.field}: {error}"

    def show_errors(self, shown: bool) -> None:
        error = self._problem() if shown else None
        on_selector = error is not None and error.field == "selector"
        self.selector_error.show_message(str(error) if on_selector else None)
        self.selector.setAccessibleDescription(str(error) if on_selector else "")
        other = error is not None and not on_selector
        self.options_error.show_message(f"{error.field}: {error}" if other and error else None)

    def focus_order(self) -> list[QWidget]:
        return [self.selector, self.test_button, self.preview]

    def advanced_part(self) -> QWidget | None:
        return self._advanced

    def advanced_focus_order(self) -> list[QWidget]:
        return [self.additions_only]

    def advanced_in_use(self) -> list[str]:
        return ["notify on additions only"] if self.additions_only.isChecked() else []

    def stop(self) -> None:
        if self._test is not None:
            self._test.cancel()
            self._test = None
        if shiboken6.isValid(self):
            self._set_running(False)

    # --- testing the selector -----------------------------------------------------------------

    def is_testing(self) -> bool:
        return self._test is not None

    def preview_text(self) -> str:
        return self.preview.toPlainText() if not self.preview.isHidden() else ""

    def test_message(self) -> str:
        """What the last test said: the count of lines, or why it failed (tests, screen readers)."""
        error = self.test_error.message()
        return error if error is not None else self.test_status.text()

    def _problem(self) -> InvalidOption | None:
        try:
            self._kind.parse_options(self.options())
        except InvalidOption as error:
            return error
        return None

    def _selector_edited(self, _text: str) -> None:
        if self._test is not None or not self.preview.isHidden():
            self.stop()
            self._clear_test()  # the preview was of another selector
        self.changed.emit()

    def _test_clicked(self) -> None:
        if self._test is not None:
            self.stop()
            self._show_test(None, "Test stopped.")
            return
        self._clear_test()
        problem = self._problem()
        if problem is not None:
            self._show_test(str(problem))
            return
        draft = self._host.draft(self.options())
        if isinstance(draft, str):
            self._show_test(draft)
            return
        service = self._host.service()
        if service is None:
            self._show_test("pages cannot be fetched from this editor")
            return
        self._start(service.check_unsaved(draft), draft)

    def _start(self, work: Any, draft: Tracker) -> None:
        self._tested_selector = draft.options.get("selector")
        self._show_test(None, "Fetching the page…")
        self._set_running(True)
        self._test = spawn(work, on_done=self._tested, on_error=self._failed)

    def _tested(self, checked: Checked) -> None:
        if not shiboken6.isValid(self):
            return
        self._test = None
        self._set_running(False)
        text = matched_text(checked)
        lines = text.split("\n") if text else []
        whole = self._tested_selector is None
        if not lines:
            self._show_test(None, "The page has no text." if whole else "Matched, but no text.")
            return
        count = f"{len(lines):,} line" + ("" if len(lines) == 1 else "s")
        said = f"The whole page: {count}" if whole else f"{count} matched"
        shown = "" if len(lines) <= PREVIEW_LINES else f"; the first {PREVIEW_LINES} shown"
        self._show_test(None, f"{said}{shown}.")
        self.preview.setPlainText("\n".join(lines[:PREVIEW_LINES]))
        self.preview.show()
        QTimer.singleShot(0, self, self._make_room)

    def _make_room(self) -> None:
        """Make the window taller when the preview left the fields less than they need. (A
        window grows to its layout's minimum by itself, but word-wrapped labels above make that
        minimum too small by a line or two.)"""
        lack = self.minimumSizeHint().height() - self.height()
        window = self.window()
        if lack > 0 and window is not self:
            window.resize(window.width(), window.height() + lack)

    def _failed(self, message: str) -> None:
        if not shiboken6.isValid(self):
            return
        self._test = None
        self._set_running(False)
        self._show_test(message)

    def _set_running(self, running: bool) -> None:
        self.test_button.setText(STOP if running else TEST)
        self.test_button.setAccessibleName(STOP if running else TEST)

    def _show_test(self, error: str | None, status: str | None = None) -> None:
        self.test_error.show_message(error)
        self.test_status.setText(status or "")
        self.test_status.setVisible(bool(status))

    def _clear_test(self) -> None:
        self._show_test(None)
        self.preview.clear()
        self.preview.hide()
