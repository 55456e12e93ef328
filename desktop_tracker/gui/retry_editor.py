"""The retry part of the tracker editor: what to do when a check fails, and the waits in words."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from desktop_tracker.core.durations import (
    DURATION_EXAMPLES,
    InvalidDuration,
    duration_in_words,
    duration_text,
    parse_duration,
)
from desktop_tracker.core.retry import (
    MAX_ATTEMPTS,
    MAX_MULTIPLIER,
    NO_RETRY,
    InvalidRetryStrategy,
    RetryStrategy,
)
from desktop_tracker.gui.plain_text import plain_label
from desktop_tracker.gui.schedule_editor import ErrorLine, field_with_error

__all__ = ["RetryEditor", "delays_in_words"]

_STRATEGIES: Final = (
    ("none", "None: wait for the next scheduled run"),
    ("constant", "Constant: the same wait each time"),
    ("linear", "Linear: each wait a fixed amount longer"),
    ("exponential", "Exponential: each wait a multiple of the last"),
)
DEFAULT_ATTEMPTS: Final = 3
_DURATION_HINT: Final = f"e.g. {DURATION_EXAMPLES}"


def delays_in_words(strategy: RetryStrategy) -> str:
    """'Retries after 30 s, 1 min, 2 min, then gives up.'"""
    if strategy.strategy == "none":
        return "No retries: a failed check waits for the next scheduled run."
    delays = strategy.delays()
    if not delays:
        return "No retries: gives up after the first failed try (raise Attempts to retry)."
    waits = ", ".join(duration_in_words(delay) for delay in delays)
    return f"Retries after {waits}, then gives up."


class RetryEditor(QWidget):
    """Edits a RetryStrategy; shows only the settings the chosen strategy uses.

    `changed` is emitted after every edit, once the summary and errors are up to date.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._strategy: RetryStrategy | None = NO_RETRY
        self._error: str | None = None

        self.kind = QComboBox()
        for key, label in _STRATEGIES:
            self.kind.addItem(label, key)
        self.kind.setAccessibleName("Retry strategy")
        self.attempts = QSpinBox()
        # The spin box cannot hold a value outside 1–10, so attempts can never be out of range.
        self.attempts.setRange(1, MAX_ATTEMPTS)
        self.attempts.setValue(DEFAULT_ATTEMPTS)
        self.attempts.setSuffix(" tries in all")
        self.attempts.setAccessibleName("Attempts")
        self.initial = _duration_edit("First wait")
        self.increment = _duration_edit("Increase by")
        self.multiplier = QDoubleSpinBox()
        self.multiplier.setRange(1.0, MAX_MULTIPLIER)  # core's limit: the editor holds no other
        self.multiplier.setSingleStep(0.5)
        self.multiplier.setDecimals(2)
        self.multiplier.setPrefix("× ")
        self.multiplier.setAccessibleName("Multiplier")
        self.maximum = _duration_edit("Wait at most")
        self.initial_error = ErrorLine()
        self.increment_error = ErrorLine()
        self.maximum_error = ErrorLine()
        self.error_line = ErrorLine()
        self.summary = plain_label()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Retries in words")

        kind_label = QLabel("Retry strate&gy:")
        kind_label.setBuddy(self.kind)
        attempts_label = QLabel("&Attempts:")
        attempts_label.setBuddy(self.attempts)
        self._initial_label = QLabel("&First wait:")
        self._initial_label.setBuddy(self.initial)
        increment_label = QLabel("Increase &by:")
        increment_label.setBuddy(self.increment)
        multiplier_label = QLabel("Mu&ltiplier:")
        multiplier_label.setBuddy(self.multiplier)
        maximum_label = QLabel("Wait at &most:")
        maximum_label.setBuddy(self.maximum)

        self._form = form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(kind_label, self.kind)
        form.addRow(attempts_label, self.attempts)
        self._initial_row = field_with_error(self.initial, self.initial_error)
        self._increment_row = field_with_error(self.increment, self.increment_error)
        self._maximum_row = field_with_error(self.maximum, self.maximum_error)
        form.addRow(self._initial_label, self._initial_row)
        form.addRow(increment_label, self._increment_row)
        form.addRow(multiplier_label, self.multiplier)
        form.addRow(maximum_label, self._maximum_row)
        form.addRow(self.error_line)
        form.addRow(self.summary)

        self.kind.currentIndexChanged.connect(self._edited)
        self.attempts.valueChanged.connect(self._edited)
        self.multiplier.valueChanged.connect(self._edited)
        for edit in (self.initial, self.increment, self.maximum):
            edit.textChanged.connect(self._edited)
        self.set_strategy(NO_RETRY)

    # --- public API ---------------------------------------------------------------------------

    def strategy(self) -> RetryStrategy:
        """The strategy the inputs stand for.

        :raises InvalidRetryStrategy: while is_valid() is False, with error()'s message.
        """
        if self._strategy is None:
            raise InvalidRetryStrategy(self._error or "the retry settings are invalid")
        return self._strategy

    def set_strategy(self, strategy: RetryStrategy) -> None:
        self._loading = True
        try:
            self.kind.setCurrentIndex(self.kind.findData(strategy.strategy))
            if strategy.strategy != "none":
                # "none" always has 1 attempt; keep the spin box's own value for when the user
                # picks a strategy that retries, so it does not start at "no retries".
                self.attempts.setValue(strategy.attempts)
            self.initial.setText(duration_text(strategy.initial))
            self.increment.setText(duration_text(strategy.increment))
            self.multiplier.setValue(strategy.multiplier)
            self.maximum.setText(duration_text(strategy.maximum))
        finally:
            self._loading = False
        self._refresh()

    def is_valid(self) -> bool:
        return self._strategy is not None

    def error(self) -> str | None:
        """The first problem with the settings, or None."""
        return self._error

    def entered(self) -> tuple[object, ...]:
        """What the inputs hold, as entered (valid or not): equal values, the same inputs."""
        return (
            self.kind.currentData(),
            self.attempts.value(),
            self.initial.text(),
            self.increment.text(),
            self.multiplier.value(),
            self.maximum.text(),
        )

    def focus_order(self) -> list[QWidget]:
        """The inputs, in the order Tab visits them (those the strategy does not use are hidden)."""
        return [
            self.kind,
            self.attempts,
            self.initial,
            self.increment,
            self.multiplier,
            self.maximum,
        ]

    # --- reacting -----------------------------------------------------------------------------

    def _edited(self) -> None:
        if not self._loading:
            self._refresh()

    def _refresh(self) -> None:
        name = str(self.kind.currentData())
        self._show_rows(name)
        field_errors: dict[QLineEdit, str | None] = {
            self.initial: None,
            self.increment: None,
            self.maximum: None,
        }
        values: dict[str, float] = {}
        for key, edit in self._applicable_durations(name):
            try:
                values[key] = parse_duration(edit.text())
            except InvalidDuration as error:
                field_errors[edit] = str(error)
        strategy: RetryStrategy | None = None
        general: str | None = None
        if not any(field_errors.values()):
            try:
                strategy = self._build(name, values)
            except InvalidRetryStrategy as error:
                general = str(error)
        for edit, error_line in (
            (self.initial, self.initial_error),
            (self.increment, self.increment_error),
            (self.maximum, self.maximum_error),
        ):
            error_line.show_message(field_errors[edit])
            edit.setAccessibleDescription(field_errors[edit] or "")
        self.error_line.show_message(general)
        self._strategy = strategy
        self._error = next((e for e in field_errors.values() if e), None) or general
        self.summary.setVisible(strategy is not None)
        if strategy is not None:
            self.summary.setText(delays_in_words(strategy))
        self.changed.emit()

    def _applicable_durations(self, name: str) -> list[tuple[str, QLineEdit]]:
        if name == "none":
            return []
        durations = [("initial", self.initial)]
        if name == "linear":
            durations.append(("increment", self.increment))
        if name in ("linear", "exponential"):
            durations.append(("maximum", self.maximum))
        return durations

    def _build(self, name: str, values: dict[str, float]) -> RetryStrategy:
        # Settings the strategy does not use keep their defaults, so the result compares equal to
        # the same strategy read back from storage (to_dict leaves them out).
        if name == "none":
            return NO_RETRY
        settings: dict[str, float | int] = {"attempts": self.attempts.value(), **values}
        if name == "exponential":
            settings["multiplier"] = self.multiplier.value()
        return RetryStrategy(name, **settings)  # type: ignore[arg-type]  # name is from _STRATEGIES

    def _show_rows(self, name: str) -> None:
        retries = name != "none"
        self._form.setRowVisible(self.attempts, retries)
        self._form.setRowVisible(self._initial_row, retries)
        self._form.setRowVisible(self._increment_row, name == "linear")
        self._form.setRowVisible(self.multiplier, name == "exponential")
        self._form.setRowVisible(self._maximum_row, name in ("linear", "exponential"))
        # A constant strategy has one wait, not a first one.
        constant = name == "constant"
        self._initial_label.setText("&Fixed wait:" if constant else "&First wait:")
        self.initial.setAccessibleName("Fixed wait" if constant else "First wait")


def _duration_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(_DURATION_HINT)
    edit.setAccessibleName(name)
    edit.setToolTip(f"A duration: {_DURATION_HINT}")
    return edit
