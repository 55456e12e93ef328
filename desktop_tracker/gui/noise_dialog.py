"""Learn noise: fetch a tracker's page a few times and propose mask rules for what changed by
itself (nonces, tokens, timestamps, counters), for the user to pick, edit, or leave.

The dialog only proposes: on `accepted`, the editor reads `accepted_patterns()` and adds them
to its mask field. It is opened with `open()` (never `exec()`: the app runs in the qasync loop),
then `start()` runs the learning; Cancel, Escape or closing stops it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Final

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.core.quoting import quote
from desktop_tracker.gui.async_ops import spawn
from desktop_tracker.gui.plain_text import plain_label
from desktop_tracker.gui.schedule_editor import ErrorLine
from desktop_tracker.kinds.noise import ProposedRule
from desktop_tracker.kinds.rules import InvalidRule, compile_rule

__all__ = ["FETCHES", "NoiseDialog", "RuleRow"]

FETCHES: Final = 3
EXAMPLE_CHARS: Final = 60  # of each example value shown; a token can be long

Learn = Callable[[], Coroutine[Any, Any, list[ProposedRule]]]


class RuleRow(QWidget):
    """One proposed rule: use it or not, its pattern (editable), why, and what it masked."""

    def __init__(self, number: int, rule: ProposedRule, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rule = rule
        self.use = QCheckBox(f"Rule {number}")
        self.use.setChecked(True)
        self.use.setAccessibleName(f"Use rule {number}")
        self.pattern = QLineEdit(rule.pattern)
        self.pattern.setAccessibleName(f"Pattern of rule {number}")
        self.pattern.setAccessibleDescription(rule.reason)
        self.error = ErrorLine()
        self.reason = plain_label(_capitalised(rule.reason))
        self.reason.setWordWrap(True)
        examples = ", ".join(quote(value, EXAMPLE_CHARS) for value in rule.examples)
        self.examples = plain_label(f"Seen: {examples}" if examples else "")
        self.examples.setWordWrap(True)
        self.examples.setVisible(bool(examples))
        # Selectable, so a long token can be read whole (and copied).
        for label in (self.reason, self.examples):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.use)
        top.addWidget(self.pattern, 1)
        details = QVBoxLayout()
        details.setContentsMargins(24, 0, 0, 0)
        details.setSpacing(0)
        details.addWidget(self.error)
        details.addWidget(self.reason)
        details.addWidget(self.examples)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(details)

        self.use.toggled.connect(self._check)
        self.pattern.textChanged.connect(self._check)

    def chosen(self) -> bool:
        return self.use.isChecked()

    def text(self) -> str:
        return self.pattern.text().strip()

    def problem(self) -> str | None:
        """Why the pattern cannot be used (only a chosen rule's pattern counts)."""
        if not self.chosen():
            return None
        if not self.text():
            return "the pattern is empty: write one, or untick the rule"
        try:
            compile_rule(self.text())
        except InvalidRule as error:
            return f"{quote(self.text())} is not a regular expression: {error}"
        return None

    def _check(self, *_args: object) -> None:
        problem = self.problem()
        self.error.show_message(problem)
        self.pattern.setAccessibleDescription(problem or self.rule.reason)
        self.pattern.setEnabled(self.chosen())


class NoiseDialog(QDialog):
    """Runs `learn` (three fetches through the service) and shows what it proposes."""

    def __init__(self, parent: QWidget | None, learn: Learn, *, fetches: int = FETCHES) -> None:
        super().__init__(parent)
        self.setWindowTitle("Learn noise")
        self._learn = learn
        self._fetches = fetches
        self._task: asyncio.Task[list[ProposedRule]] | None = None  # while it fetches
        self._started = False
        self.rows: list[RuleRow] = []

        self.status = plain_label()
        self.status.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # busy: no steps to count
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Learning noise")
        self.busy.hide()
        self.error = ErrorLine()
        self.list_box = QWidget()
        self.list_layout = QVBoxLayout(self.list_box)
        self.list_layout.addStretch(1)
        self.rules_view = QScrollArea()
        self.rules_view.setWidgetResizable(True)
        self.rules_view.setWidget(self.list_box)
        self.rules_view.setAccessibleName("Proposed mask rules")
        self.rules_view.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.accept_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.accept_button.setText("Accept")
        self.accept_button.setAccessibleName("Accept the chosen rules")
        self.accept_button.setEnabled(False)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addWidget(self.rules_view, 1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.resize(640, 420)

    # --- public API ---------------------------------------------------------------------------

    def start(self) -> None:
        """Run the learning (once the dialog is open); once only."""
        if self._task is not None or self._started:
            return
        self._started = True
        self.error.show_message(None)
        self.status.setText(
            f"Fetching the page {self._fetches} times to see what changes by itself…"
        )
        self.busy.show()
        self._task = spawn(self._learn(), on_done=self.show_rules, on_error=self.show_error)

    def is_busy(self) -> bool:
        """Whether it is fetching: until its result (or error) is shown, or it is cancelled."""
        return self._task is not None

    def show_rules(self, rules: Sequence[ProposedRule]) -> None:
        if not shiboken6.isValid(self):
            return
        self._finished()
        for row in self.rows:
            row.deleteLater()
        self.rows = []
        if not rules:
            self.status.setText(
                f"Nothing changed by itself between the {self._fetches} fetches: no mask rule "
                "is needed."
            )
            self.cancel_button.setText("Close")
            self._update()
            return
        count = f"{len(rules)} rule" + ("" if len(rules) == 1 else "s")
        self.status.setText(
            f"{count} for parts that changed by themselves between the fetches. Untick a rule "
            "to leave it out, or edit its pattern; accepted rules are added to the mask rules."
        )
        previous: QWidget = self.status
        for number, rule in enumerate(rules, start=1):
            row = RuleRow(number, rule)
            row.use.toggled.connect(self._update)
            row.pattern.textChanged.connect(self._update)
            self.list_layout.insertWidget(self.list_layout.count() - 1, row)
            self.rows.append(row)
            QWidget.setTabOrder(previous, row.use)
            QWidget.setTabOrder(row.use, row.pattern)
            QWidget.setTabOrder(row.pattern, row.error)
            previous = row.error
        QWidget.setTabOrder(previous, self.accept_button)
        self.rules_view.show()
        self._update()
        self.rows[0].use.setFocus()

    def show_error(self, message: str) -> None:
        if not shiboken6.isValid(self):
            return
        self._finished()
        self.status.setText("The page could not be learnt from.")
        self.error.show_message(message)
        self.cancel_button.setText("Close")
        self._update()

    def accepted_patterns(self) -> list[str]:
        """The chosen rules' patterns, in order, each once."""
        patterns: list[str] = []
        for row in self.rows:
            if row.chosen() and row.text() and row.text() not in patterns:
                patterns.append(row.text())
        return patterns

    def done(self, result: int) -> None:
        if self._task is not None:
            self._task.cancel()  # Cancel, Escape, or the window closed while it fetches
            self._finished()
        super().done(result)

    def accept(self) -> None:
        if not self.accept_button.isEnabled():
            return  # Enter in a pattern while a chosen one is wrong
        super().accept()

    # --- inside -------------------------------------------------------------------------------

    def _finished(self) -> None:
        self._task = None
        self.busy.hide()

    def _update(self, *_args: object) -> None:
        chosen = [row for row in self.rows if row.chosen()]
        self.accept_button.setEnabled(
            not self.is_busy() and bool(chosen) and all(row.problem() is None for row in chosen)
        )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
