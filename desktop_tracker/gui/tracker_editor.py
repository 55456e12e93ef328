"""The tracker editor: a dialog to add a tracker or change one, validated while the user types.

The dialog saves nothing. The main window opens it with `open()` (never `exec()`, which would
re-enter the qasync loop), and on `accepted` reads `result_tracker()`, an already validated
Tracker. Given the trackers service, it also fetches the page on request, writing nothing:
"Test selector" (a content tracker's) and "Learn noise" (mask rules for what changes by itself).

The kind chosen (resources, content, headers) brings its own fields, from gui/kinds/editors.py;
the common fields stay as they are when the kind changes.

Made for a first tracker: a new one checks hourly (or on the schedule the main window passes as
the user's preference); a URL typed without a scheme is completed (`domain.urls.complete_url`); a
name left empty is the URL's host; what a first tracker does not need (revisions, TLS, retries,
request headers, ignore and mask rules, a kind's advanced options) is folded under "Advanced ▸",
open by itself when any of it is set or wrong. A schedule that runs more often than once a minute
is confirmed on OK, and Cancel, Escape or the window's close button ask before edits are lost.
The form scrolls inside the dialog, so OK and Cancel stay on a small screen.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Coroutine, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar, Final

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.core.durations import duration_in_words
from desktop_tracker.core.retry import NO_RETRY
from desktop_tracker.core.schedule_rate import Pace, more_often_than_once_a_minute
from desktop_tracker.domain.trackers import (
    NAME_MAX,
    REVISIONS_DEFAULT,
    REVISIONS_MAX,
    REVISIONS_MIN,
    InvalidTracker,
    Tracker,
)
from desktop_tracker.domain.urls import complete_url, name_from_url
from desktop_tracker.gui.kinds.editors import EditorService, KindFields, fields_for
from desktop_tracker.gui.noise_dialog import FETCHES, NoiseDialog
from desktop_tracker.gui.plain_text import plain_label, window_title_text
from desktop_tracker.gui.retry_editor import RetryEditor
from desktop_tracker.gui.schedule_editor import ErrorLine, ScheduleEditor, field_with_error
from desktop_tracker.kinds.noise import ProposedRule
from desktop_tracker.kinds.registry import DEFAULT_KIND, KINDS, UnknownKind, kind_for
from desktop_tracker.kinds.rules import MASK as MASKED

__all__ = [
    "DEFAULT_SCHEDULE",
    "HeaderValueDelegate",
    "TrackerEditor",
    "fast_schedule_words",
    "validation_errors",
]

# A new tracker's schedule unless the main window passes the user's own: hourly, at minute 0 (the
# "Hourly" preset, in the five fields a preference is written in). Often enough to hear of a
# change the same day, and light on the site; "manual" would never check at all.
DEFAULT_SCHEDULE: Final = "0 * * * *"

# Field values that are always valid, swapped in for a field at fault so that `validated()` goes
# on to report the next one: the editor shows every field's error at once, not only the first.
_STAND_INS: Final[dict[str, dict[str, Any]]] = {
    "name": {"name": "tracker"},
    "url": {"url": "https://example.com/"},
    "revisions": {"revisions": REVISIONS_DEFAULT},
    "headers": {"headers": {}},
    "schedule": {"schedule": "manual", "timezone": "UTC"},
    "retry": {"retry": NO_RETRY},
    "ignore": {"ignore": ()},
    "mask": {"mask": ()},
    "kind": {"kind": DEFAULT_KIND, "options": {}},
    "options": {"options": {}},
}
# The fields a page is fetched with ("Test selector", "Learn noise"), in words.
_FETCH_FIELDS: Final[dict[str, str]] = {
    "url": "the URL",
    "headers": "the request headers",
    "ignore": "the ignore rules",
    "mask": "the mask rules",
    "kind": "the kind",
    "options": "the settings of the kind",
}
# Every field an existing tracker shows its problems in at once.
_ALL_FIELDS: Final = frozenset({"name", "url", "headers", "ignore", "mask", "options", "revisions"})

MASK: Final = "••••••••"  # the same length for every value: the mask does not tell the length
MASK_HINT: Final = (
    "One regular expression per line: parts that change by themselves (dates, counters, "
    f"nonces) — shown as {MASKED}."
)
TLS_WARNING: Final = (
    "⚠ Certificate errors will be ignored: anyone on the network path could change what this "
    "tracker sees. Use only for a test server you trust."
)
NAME_HINT: Final = "e.g. Shop checkout page"
ADVANCED: Final = "Advanced"
ADVANCED_INSIDE: Final = "Revisions, TLS, retries, request headers, ignore and mask rules"
DISCARD_QUESTION: Final = "Discard your changes?"
FAST_WHY: Final = (
    "Checking a page that often puts load on its site and can get you blocked; once a minute or "
    "less often suits nearly every page."
)
_RULE_LINES: Final = 5  # the lines an ignore or mask field asks room for
_HEADER_ROWS: Final = 3  # the rows the request headers table asks room for
# Room the window manager's frame and the desktop's panels may take around the dialog.
_FRAME_ALLOWANCE: Final = QSize(24, 64)
# The dialog can be made this small and still shows OK and Cancel; its form scrolls (a 1024×600
# screen has about 1024×550 for a window, with its title bar and the desktop's panels).
MINIMUM_SIZE: Final = QSize(520, 360)


def fast_schedule_words(pace: Pace, *, all_day: bool) -> str:
    """'This runs every 10 seconds.', with ': 8,640 checks a day' when it runs so `all_day` (an
    interval does; a cron expression may run that often in some hours only), or 'This runs as
    often as every 4 seconds.' when its runs are not evenly spaced."""
    seconds = pace.shortest.total_seconds()
    every = duration_in_words(seconds, "long")
    if not pace.steady:
        return f"This runs as often as every {every}."
    if not all_day:
        return f"This runs every {every}."
    return f"This runs every {every}: {round(86400 / seconds):,} checks a day."


def validation_errors(candidate: Tracker) -> tuple[Tracker | None, dict[str, str]]:
    """The validated tracker (None if any field is wrong) and each wrong field's message, keyed
    by InvalidTracker.field, all from the domain's own rules."""
    errors: dict[str, str] = {}
    for _ in range(len(_STAND_INS) + 1):
        try:
            valid = candidate.validated()
        except InvalidTracker as error:
            if error.field in errors or error.field not in _STAND_INS:
                errors.setdefault(error.field, str(error))
                return None, errors
            errors[error.field] = str(error)
            candidate = replace(candidate, **_STAND_INS[error.field])
        else:
            return (None if errors else valid), errors
    return None, errors


class _HeaderNameDelegate(QStyledItemDelegate):
    """Edits a header name in a field screen readers call "Header name"."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = super().createEditor(parent, option, index)
        editor.setAccessibleName("Header name")
        return editor


class HeaderValueDelegate(QStyledItemDelegate):
    """Shows header values masked (they hold cookies and tokens) until the user asks to see them;
    while masked, a value is also edited in a password field."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._masked = True
        self._editor: QLineEdit | None = None

    def is_masked(self) -> bool:
        return self._masked

    def set_masked(self, masked: bool) -> None:
        self._masked = masked
        # An editor open at the time follows the switch too.
        if self._editor is not None and shiboken6.isValid(self._editor):
            self._editor.setEchoMode(self._echo_mode())

    def displayText(self, value: Any, locale: QLocale) -> str:
        if self._masked and value:
            return MASK
        return super().displayText(value, locale)

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = super().createEditor(parent, option, index)
        editor.setAccessibleName("Header value")
        if isinstance(editor, QLineEdit):
            editor.setEchoMode(self._echo_mode())
            self._editor = editor
        return editor

    def _echo_mode(self) -> QLineEdit.EchoMode:
        return QLineEdit.EchoMode.Password if self._masked else QLineEdit.EchoMode.Normal


class TrackerEditor(QDialog):
    """Add a tracker (`tracker` None) or edit one (its id is kept; its kind can change).

    `taken_names` are the names of the other trackers; a name in it is refused (case-sensitive),
    except the edited tracker's own current name. `clock` is the schedule preview's "now".
    `service` fetches pages for "Test selector" and "Learn noise" (without it, they say so).
    A new tracker starts on `default_schedule` in `default_timezone` ("" is the system's zone):
    the main window passes the user's preferences.

    `reject()` and `done()` close the dialog as they are told; the user's ways of cancelling
    (Cancel, Escape, the window's close button) ask first when there are edits to lose.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        tracker: Tracker | None = None,
        taken_names: Collection[str] = (),
        *,
        clock: Callable[[], datetime] | None = None,
        service: EditorService | None = None,
        default_schedule: str = DEFAULT_SCHEDULE,
        default_timezone: str = "",
    ) -> None:
        super().__init__(parent)
        self._original = tracker
        self._service = service
        self._clock = clock or _now_utc
        self._taken = frozenset(taken_names) - ({tracker.name} if tracker else set())
        self._result: Tracker | None = None
        self._current: Tracker | None = None
        self._errors: dict[str, str] = {}
        self.noise_dialog: NoiseDialog | None = None
        self.question: QMessageBox | None = None  # the question being asked, while it is open
        # A schedule the user said to save although it runs more often than once a minute.
        self._fast_confirmed: tuple[str, str] | None = None
        # The user folded the advanced section: only an error opens it again by itself.
        self._folded_by_user = False
        # A new, empty form shows no errors until the user has been in a field; an existing
        # tracker's problems show at once.
        self._touched: set[str] = set() if tracker is None else set(_ALL_FIELDS)
        self._filling = False
        self._fitted_shown = False
        self.setWindowTitle(
            "New tracker" if tracker is None else window_title_text(f"Edit tracker: {tracker.name}")
        )

        self._build_widgets()
        self._build_layout()
        self._connect()
        blank = Tracker(name="", url="", schedule=default_schedule, timezone=default_timezone)
        self._fill(tracker or blank)
        self._revalidate()
        self._initial_state = self._form_state()
        self._fit_to_screen()

    # --- public API ---------------------------------------------------------------------------

    def result_tracker(self) -> Tracker | None:
        """The validated tracker once the dialog was accepted, else None."""
        return self._result

    def errors(self) -> dict[str, str]:
        """Every current problem by field ("name", "url", "headers", "ignore", "mask",
        "schedule", "retry", "options"…), shown or not yet shown."""
        return dict(self._errors)

    def has_changes(self) -> bool:
        """Whether any field holds other than what the dialog opened with."""
        return self._form_state() != self._initial_state

    def advanced_shown(self) -> bool:
        return not self.advanced.isHidden()

    def set_advanced_shown(self, shown: bool) -> None:
        """Unfold (True) or fold the advanced section, and fit the dialog to what it shows."""
        if shown == self.advanced_shown():
            return
        self.advanced.setVisible(shown)
        self.advanced_toggle.setChecked(shown)
        self.advanced_toggle.setText(f"{ADVANCED} {'▾' if shown else '▸'}")
        self._update_advanced_summary()
        if self._layout_built:
            self._fit_to_screen()

    def accept(self) -> None:
        """Save if the form is valid (OK, or Enter in a field): the URL is completed and an empty
        name filled in first; a schedule faster than once a minute is confirmed first."""
        if self._asking():
            return
        self._complete_url()
        self._name_after_url()
        self._revalidate()
        current = self._current
        if current is None:
            # OK is disabled then, but Enter in a field can still get here: show every reason.
            self._touched |= _ALL_FIELDS
            self._revalidate()
            return
        pace = self._unconfirmed_fast_pace(current)
        if pace is not None:
            schedule = self.schedule.schedule()
            all_day = schedule is not None and schedule.kind == "interval"
            self._ask(
                title="Check this often?",
                text=f"{fast_schedule_words(pace, all_day=all_day)} Save anyway?",
                informative=FAST_WHY,
                yes=("Save anyway", QMessageBox.ButtonRole.AcceptRole),
                no="Change schedule",
                on_yes=lambda: self._save_fast(current),
                on_no=self.schedule.focus_input,
            )
            return
        self._result = current
        super().accept()

    def done(self, result: int) -> None:
        # Closing stops what is fetching for the dialog: nothing it finds has a place to go.
        for fields in self.kind_fields.values():
            fields.stop()
        if self.noise_dialog is not None and shiboken6.isValid(self.noise_dialog):
            self.noise_dialog.reject()
        question, self.question = self.question, None
        if question is not None and shiboken6.isValid(question):
            question.reject()
        super().done(result)

    def kind_name(self) -> str:
        """The name of the kind chosen ("content")."""
        return str(self.kind.currentData())

    def fields(self) -> KindFields:
        """The chosen kind's own fields."""
        return self.kind_fields[self.kind_name()]

    # --- what the kind's fields ask (gui.kinds.editors.FieldsHost) ----------------------------

    def service(self) -> EditorService | None:
        return self._service

    def draft(self, options: Mapping[str, Any]) -> Tracker | str:
        """The form as a tracker with these options, valid enough to fetch its page (its name,
        schedule and retries need not be right yet), or what to fix first, in words."""
        candidate, problems = self._candidate()
        if "headers" in problems:
            return f"fix the request headers first: {problems['headers']}"
        fetchable = replace(
            candidate,
            name="draft",
            options=dict(options),
            revisions=REVISIONS_DEFAULT,
            schedule="manual",
            timezone="UTC",
            retry=NO_RETRY,
        )
        try:
            return fetchable.validated()
        except InvalidTracker as error:
            what = _FETCH_FIELDS.get(error.field, error.field)
            return f"fix {what} first: {error}"

    # --- the user's ways of leaving -----------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        # Before the window is mapped, its children shown and sized: the layouts, done now, know
        # how tall wrapped labels are at their width and how wide the zone list is. Fitted now,
        # the window is placed by the size it keeps (a resize once mapped races the window
        # manager's placing, which then put the title bar off the screen).
        if not self._fitted_shown:
            self._fitted_shown = True
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            # Sized only: QDialog's showEvent centres it then, unless it was moved.
            self._fit_to_screen(keep_width=False, place=False)
        super().showEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Cancel):
            event.accept()
            self._cancel()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        # A spontaneous close is the user's (the title bar's button, Alt+F4); the program's own
        # close() closes, as reject() does.
        if event.spontaneous() and self.isVisible() and (self._asking() or self.has_changes()):
            event.ignore()
            self._cancel()
            return
        super().closeEvent(event)

    def _cancel(self) -> None:
        """Cancel, Escape, the close button: close, after asking when there are edits."""
        if self._asking():
            return
        if not self.has_changes():
            self.reject()
            return
        self._ask(
            title="Discard changes",
            text=DISCARD_QUESTION,
            informative=(
                "The new tracker is not saved."
                if self._original is None
                else "The tracker keeps the settings it had."
            ),
            yes=("Discard", QMessageBox.ButtonRole.DestructiveRole),
            no="Keep editing",
            on_yes=self.reject,
        )

    def _asking(self) -> bool:
        question = self.question
        return question is not None and shiboken6.isValid(question) and question.isVisible()

    def _ask(
        self,
        *,
        title: str,
        text: str,
        informative: str,
        yes: tuple[str, QMessageBox.ButtonRole],
        no: str,
        on_yes: Callable[[], object],
        on_no: Callable[[], object] | None = None,
    ) -> None:
        """Ask a question in a window-modal box (open(), never exec(): see the module's
        docstring); the safe answer, `no`, is the default and Escape's."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle(title)
        box.setText(text)
        box.setInformativeText(informative)
        yes_button = box.addButton(*yes)
        no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no_button)
        box.setEscapeButton(no_button)

        def answered(_result: int) -> None:
            if self.question is not box:
                return  # the dialog closed under it
            self.question = None
            if box.clickedButton() is yes_button:
                on_yes()
            elif on_no is not None:
                on_no()
            box.deleteLater()

        box.finished.connect(answered)
        self.question = box
        box.open()

    def _save_fast(self, tracker: Tracker) -> None:
        self._fast_confirmed = (tracker.schedule, tracker.timezone)
        self.accept()

    def _unconfirmed_fast_pace(self, tracker: Tracker) -> Pace | None:
        """How often the schedule runs, when that is more often than once a minute and the user
        has not said to save it: not for an edited tracker whose schedule is the one it had."""
        original = self._original
        if original is not None and original.schedule.strip() == tracker.schedule:
            return None
        if self._fast_confirmed == (tracker.schedule, tracker.timezone):
            return None
        schedule = self.schedule.schedule()  # parsed once, by the schedule editor
        if schedule is None:
            return None
        return more_often_than_once_a_minute(schedule, self._clock())

    # --- building -----------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self._layout_built = False
        self.name = QLineEdit()
        self.name.setPlaceholderText(NAME_HINT)
        self.name.setAccessibleName("Name")
        self.name_error = ErrorLine()
        self.url = QLineEdit()
        self.url.setPlaceholderText("example.com or https://example.com/page")
        self.url.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)
        self.url.setAccessibleName("URL")
        self.url_error = ErrorLine()
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of tracker: what it watches")
        kind_names = list(KINDS)
        if self._original is not None and self._original.kind not in KINDS:
            kind_names.append(self._original.kind)  # a kind this version does not know
        self.kind_summary = plain_label()
        self.kind_summary.setWordWrap(True)
        # Two lines, wrapped: a window's layout counts a wrapped label's lines only when the
        # label says how tall it must be, and squeezes the fields below it otherwise.
        self.kind_summary.setMinimumHeight(self.kind_summary.fontMetrics().lineSpacing() * 2)
        # Every kind's fields, only the chosen kind's shown: a hidden widget takes no room, so the
        # form is as tall as the chosen kind's fields (a QStackedWidget is as tall as the tallest).
        # The same for their advanced parts, in the advanced section.
        self.kind_stack = QWidget()
        stack_layout = QVBoxLayout(self.kind_stack)
        stack_layout.setContentsMargins(0, 0, 0, 0)
        self.kind_advanced = QWidget()
        advanced_layout = QVBoxLayout(self.kind_advanced)
        advanced_layout.setContentsMargins(0, 0, 0, 0)
        self.kind_fields: dict[str, KindFields] = {}
        for name in kind_names:
            try:
                kind = kind_for(name)
            except UnknownKind:
                self.kind.addItem(name, name)
                self.kind_fields[name] = _UnknownKindFields(name)
            else:
                self.kind.addItem(kind.label, name)
                self.kind_fields[name] = fields_for(name)(kind, self)
            stack_layout.addWidget(self.kind_fields[name])  # type: ignore[arg-type]
            part = self.kind_fields[name].advanced_part()
            if part is not None:
                advanced_layout.addWidget(part)
        self.enabled = QCheckBox("&Enabled: run checks on the schedule")
        self.enabled.setAccessibleName("Enabled: run checks on the schedule")
        self.notify = QCheckBox("Notify on change&s and on final failure")
        self.notify.setAccessibleName("Notify on changes and on final failure")

        self.schedule = ScheduleEditor(clock=self._clock)

        self.advanced_toggle = QToolButton()
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setText(f"{ADVANCED} ▸")
        self.advanced_toggle.setAccessibleName("Advanced settings")
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.advanced_toggle.setAutoRaise(True)
        # A tool button takes Tab focus only; a click leaves focus where it was otherwise.
        self.advanced_toggle.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.advanced_summary = plain_label()
        self.advanced_summary.setWordWrap(True)
        self.advanced = QWidget()
        self.advanced.hide()

        self.revisions = QSpinBox()
        self.revisions.setRange(REVISIONS_MIN, REVISIONS_MAX)
        self.revisions.setAccessibleName("Revisions to keep")
        self.verify_tls = QCheckBox("Verify &TLS certificates")
        self.verify_tls.setAccessibleName("Verify TLS certificates")
        self.tls_warning = plain_label(TLS_WARNING)
        self.tls_warning.setWordWrap(True)

        self.retry = RetryEditor()

        self.headers = _CompactTable(0, 2)
        self.headers.setHorizontalHeaderLabels(["Name", "Value"])
        self.headers.setAccessibleName("Request headers")
        self.headers.verticalHeader().hide()
        self.headers.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.headers.horizontalHeader().setStretchLastSection(True)
        self.headers.setColumnWidth(0, 150)
        self.headers.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Tab leaves the table (arrows move inside it) so keyboard users are not trapped in it.
        self.headers.setTabKeyNavigation(False)
        self.headers.setMinimumHeight(110)
        self.headers.setItemDelegateForColumn(0, _HeaderNameDelegate(self.headers))
        self.header_delegate = HeaderValueDelegate(self.headers)
        self.headers.setItemDelegateForColumn(1, self.header_delegate)
        self.add_header = QPushButton("Add hea&der")
        self.add_header.setAccessibleName("Add header")
        self.remove_header = QPushButton("Remo&ve header")
        self.remove_header.setAccessibleName("Remove header")
        self.show_values = QCheckBox("Sho&w values")
        self.show_values.setAccessibleName("Show header values")
        self.headers_error = ErrorLine()

        self.ignore = _RulesEdit()
        self.ignore.setPlaceholderText(r"e.g. ^https://www\.googletagmanager\.com/")
        self.ignore.setAccessibleName("Ignore rules")
        self.ignore.setTabChangesFocus(True)  # Tab moves on; a rule never holds a tab
        self.ignore.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.ignore_error = ErrorLine()
        self.ignore_hint = plain_label()
        self.ignore_hint.setWordWrap(True)

        self.masks = _RulesEdit()
        self.masks.setPlaceholderText(r"e.g. (?<=nonce=)[A-Za-z0-9]+")
        self.masks.setAccessibleName("Mask rules")
        self.masks.setTabChangesFocus(True)
        self.masks.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.mask_error = ErrorLine()
        self.mask_hint = plain_label(MASK_HINT)
        self.mask_hint.setWordWrap(True)
        self.learn_noise = QPushButton("Learn n&oise…")
        self.learn_noise.setAccessibleName("Learn noise")
        self.learn_noise.setToolTip(
            f"Fetch the page {FETCHES} times and propose mask rules for what changed by itself."
        )
        self.form_error = ErrorLine()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setAccessibleName("OK")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName("Cancel")

    def _build_layout(self) -> None:
        page = QGroupBox("Page")
        page_form = QFormLayout(page)
        page_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        page_form.addRow(_buddy("&Name:", self.name), field_with_error(self.name, self.name_error))
        page_form.addRow(_buddy("&URL:", self.url), field_with_error(self.url, self.url_error))
        page_form.addRow(_buddy("Wat&ch:", self.kind), self.kind)
        page_form.addRow("", self.kind_summary)
        page_form.addRow(self.kind_stack)
        options = QVBoxLayout()
        options.setSpacing(4)
        for widget in (self.enabled, self.notify):
            options.addWidget(widget)
        page_form.addRow("", options)

        schedule_box = QGroupBox("Schedule")
        QVBoxLayout(schedule_box).addWidget(self.schedule)

        checks_box = QGroupBox("Checks")
        checks_form = QFormLayout(checks_box)
        checks_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        checks_form.addRow(_buddy("Revisions to &keep:", self.revisions), self.revisions)
        checks_form.addRow(self.verify_tls)
        checks_form.addRow(self.tls_warning)
        checks_form.addRow(self.kind_advanced)

        retry_box = QGroupBox("Retries after a failed check")
        QVBoxLayout(retry_box).addWidget(self.retry)

        # A group box title's mnemonic moves focus to the first input in it.
        headers_box = QGroupBox("Re&quest headers")
        headers_layout = QVBoxLayout(headers_box)
        headers_layout.addWidget(self.headers)
        headers_layout.addWidget(self.headers_error)
        header_buttons = QHBoxLayout()
        header_buttons.addWidget(self.add_header)
        header_buttons.addWidget(self.remove_header)
        header_buttons.addStretch(1)
        header_buttons.addWidget(self.show_values)
        headers_layout.addLayout(header_buttons)

        ignore_box = QGroupBox("&Ignore rules")
        ignore_layout = QVBoxLayout(ignore_box)
        ignore_layout.addWidget(self.ignore_hint)
        ignore_layout.addWidget(self.ignore)
        ignore_layout.addWidget(self.ignore_error)

        mask_box = QGroupBox("Mask rules")
        mask_layout = QVBoxLayout(mask_box)
        mask_layout.addWidget(self.mask_hint)
        mask_layout.addWidget(self.masks)
        mask_layout.addWidget(self.mask_error)
        mask_buttons = QHBoxLayout()
        mask_buttons.addWidget(self.learn_noise)
        mask_buttons.addStretch(1)
        mask_layout.addLayout(mask_buttons)
        for edit in (self.ignore, self.masks):
            edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * 3 + 12)

        # What a first tracker needs, side by side: a laptop screen is wider than it is tall.
        basics = QHBoxLayout()
        basics.addWidget(page, 1)
        basics.addWidget(schedule_box, 1)
        disclosure = QHBoxLayout()
        disclosure.addWidget(
            self.advanced_toggle, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        )
        disclosure.addWidget(self.advanced_summary, 1)
        advanced_left = QVBoxLayout()
        advanced_left.addWidget(checks_box)
        advanced_left.addWidget(retry_box)
        advanced_left.addWidget(headers_box, 1)
        advanced_right = QVBoxLayout()
        advanced_right.addWidget(ignore_box, 1)
        advanced_right.addWidget(mask_box, 1)
        advanced_columns = QHBoxLayout(self.advanced)
        advanced_columns.setContentsMargins(0, 0, 0, 0)
        advanced_columns.addLayout(advanced_left, 1)
        advanced_columns.addLayout(advanced_right, 1)

        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.addLayout(basics)
        content.addLayout(disclosure)
        content.addWidget(self.advanced)
        content.addStretch(1)
        # The form scrolls, OK and Cancel stay: the dialog fits any screen it is opened on.
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields in it
        self.scroll.setWidget(self.content)

        root = QVBoxLayout(self)
        root.addWidget(self.scroll, 1)
        root.addWidget(self.form_error)
        root.addWidget(self.buttons)
        self.setMinimumSize(MINIMUM_SIZE)
        self._layout_built = True
        self._set_tab_order()

    def _fit_to_screen(self, *, keep_width: bool = True, place: bool = True) -> None:
        """Make the dialog as tall as its form asks, within the free part of its screen (the
        form scrolls for the rest), and keep it on that screen; as wide too, or (`keep_width`,
        once shown) no narrower than it is, which the user may have made it."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return
        # Sizes are the style's only once polished, which showing does, too late for the window
        # manager to place the window by its final size.
        self.ensurePolished()
        free = screen.availableGeometry()
        frame = self.frameGeometry().size() - self.size() if self.isVisible() else QSize()
        frame = frame.expandedTo(_FRAME_ALLOWANCE)
        room = free.size() - frame
        margins = self.layout().contentsMargins()
        spacing = max(self.layout().spacing(), 0)
        chrome = QSize(
            margins.left() + margins.right() + self.scroll.verticalScrollBar().sizeHint().width(),
            margins.top() + margins.bottom() + spacing + self.buttons.sizeHint().height(),
        )
        if not self.form_error.isHidden():
            chrome += QSize(0, self.form_error.sizeHint().height() + spacing)
        wanted = self.content.sizeHint() + chrome
        size = wanted.boundedTo(room).expandedTo(self.minimumSize())
        # Folding makes the dialog shorter again; it never narrows what the user widened.
        keep = keep_width and self.isVisible()
        self.resize(max(size.width(), self.width()) if keep else size.width(), size.height())
        if place:
            self._keep_on_screen()

    def _keep_on_screen(self) -> None:
        """Move the dialog, title bar included, into the free part of its screen."""
        screen = self.screen()
        if not self.isVisible() or screen is None:
            return
        free = screen.availableGeometry()
        outer = self.frameGeometry()
        left = max(free.left(), min(outer.left(), free.right() + 1 - outer.width()))
        top = max(free.top(), min(outer.top(), free.bottom() + 1 - outer.height()))
        if (left, top) != (outer.left(), outer.top()):
            self.move(left, top)

    def _set_tab_order(self) -> None:
        """Reading order: the page's fields (a kind's right after the kind, whichever is shown),
        the schedule, the advanced section's left column then its right, OK and Cancel. Error
        lines take no focus, so Tab goes from a field to the next one."""
        chain: list[QWidget] = [self.name, self.url, self.kind]
        for fields in self.kind_fields.values():
            chain += fields.focus_order()
        chain += [self.enabled, self.notify]
        chain += self.schedule.focus_order()
        chain += [self.advanced_toggle, self.revisions, self.verify_tls]
        for fields in self.kind_fields.values():
            chain += fields.advanced_focus_order()
        chain += self.retry.focus_order()
        chain += [self.headers, self.add_header, self.remove_header, self.show_values]
        chain += [self.ignore, self.masks, self.learn_noise]  # the right column
        chain += _buttons_in_layout_order(self.buttons)
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _connect(self) -> None:
        for edit, key in ((self.name, "name"), (self.url, "url")):
            edit.textEdited.connect(lambda _text, key=key: self._touch(key))
            # Text put in by other means (a paste by drag and drop, the accessibility layer, a
            # script) is checked too; emptied, the field is checked without being flagged.
            edit.textChanged.connect(
                lambda text, key=key: self._touch(key) if text else self._revalidate()
            )
            # Leaving a field counts as having been in it: an empty name then says so, and a URL
            # without a scheme is completed.
            edit.editingFinished.connect(lambda key=key: self._left_field(key))
        self.revisions.valueChanged.connect(self._revalidate)
        for box in (self.enabled, self.notify, self.verify_tls):
            box.toggled.connect(self._revalidate)
        self.verify_tls.toggled.connect(lambda on: self.tls_warning.setVisible(not on))
        self.schedule.changed.connect(self._revalidate)
        self.retry.changed.connect(self._revalidate)
        self.headers.itemChanged.connect(lambda _item: self._touch("headers"))
        self.headers.model().rowsRemoved.connect(lambda *_args: self._touch("headers"))
        self.add_header.clicked.connect(self._add_header_row)
        self.remove_header.clicked.connect(self._remove_header_rows)
        self.show_values.toggled.connect(self._show_header_values)
        self.ignore.textChanged.connect(lambda: self._touch("ignore"))
        self.masks.textChanged.connect(lambda: self._touch("mask"))
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for fields in self.kind_fields.values():
            fields.changed.connect(lambda: self._touch("options"))
        self.learn_noise.clicked.connect(self._learn_noise)
        self.advanced_toggle.clicked.connect(self._advanced_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self._cancel)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._keep_in_view)

    def _keep_in_view(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Scroll to the field that has the keyboard, however it got there (Tab scrolls by
        itself; a mnemonic, a click on a label or the program do not)."""
        if not shiboken6.isValid(self) or new is None or not shiboken6.isValid(new):
            return
        if not self.content.isAncestorOf(new):
            return
        viewport = self.scroll.viewport().size()
        if new.width() <= viewport.width() and new.height() <= viewport.height():
            # All of it (a rules box, the headers table), not only its cursor line.
            centre = new.mapTo(self.content, new.rect().center())
            self.scroll.ensureVisible(
                centre.x(), centre.y(), new.width() // 2 + 4, new.height() // 2 + 4
            )
        else:
            self.scroll.ensureWidgetVisible(new)  # too big for the view: where the cursor is

    def _advanced_clicked(self, shown: bool) -> None:
        self._folded_by_user = not shown
        self.set_advanced_shown(shown)

    # --- filling and reading ------------------------------------------------------------------

    def _fill(self, tracker: Tracker) -> None:
        self._filling = True
        try:
            self.name.setText(tracker.name)
            self.url.setText(tracker.url)
            self.revisions.setValue(tracker.revisions)
            self.enabled.setChecked(tracker.enabled)
            self.notify.setChecked(tracker.notify)
            self.verify_tls.setChecked(tracker.verify_tls)
            self.tls_warning.setVisible(not tracker.verify_tls)
            self.schedule.set_schedule(tracker.schedule, tracker.timezone)
            self.retry.set_strategy(tracker.retry)
            for header, value in tracker.headers.items():
                self._append_header(header, value)
            self.ignore.setPlainText("\n".join(tracker.ignore))
            self.masks.setPlainText("\n".join(tracker.mask))
            for name, fields in self.kind_fields.items():
                fields.load(tracker.options if name == tracker.kind else {})
            self.kind.setCurrentIndex(max(0, self.kind.findData(tracker.kind)))
            self._show_kind()
        finally:
            self._filling = False

    def _header_rows(self) -> tuple[dict[str, str], str | None]:
        """The table's headers, and a problem the domain cannot see in a dict: a value without a
        name, or a name given twice (HTTP header names ignore case)."""
        headers: dict[str, str] = {}
        seen: dict[str, str] = {}
        for row in range(self.headers.rowCount()):
            name = _cell_text(self.headers, row, 0).strip()
            value = _cell_text(self.headers, row, 1).strip()
            if not name and not value:
                continue  # a row just added and not filled in yet
            if not name:
                return headers, f"row {row + 1} has a value but no header name"
            if name.lower() in seen:
                return headers, f"the header {name} is given twice; keep one row for it"
            seen[name.lower()] = name
            headers[name] = value
        return headers, None

    def _header_cells(self) -> list[tuple[str, str]]:
        """The table's rows as typed, those not left blank."""
        rows = [
            (_cell_text(self.headers, row, 0), _cell_text(self.headers, row, 1))
            for row in range(self.headers.rowCount())
        ]
        return [row for row in rows if any(cell.strip() for cell in row)]

    def _form_state(self) -> tuple[object, ...]:
        """What every field holds, as entered (valid or not): equal states, no changes."""
        return (
            self.name.text(),
            self.url.text(),
            self.kind_name(),
            [(name, fields.options()) for name, fields in self.kind_fields.items()],
            self.revisions.value(),
            self.enabled.isChecked(),
            self.notify.isChecked(),
            self.verify_tls.isChecked(),
            self.schedule.entered(),
            self.retry.entered(),
            self._header_cells(),
            self.ignore.toPlainText(),
            self.masks.toPlainText(),
        )

    def _name_from_url(self) -> str:
        """The name a tracker left without one gets: its URL's host ("" without a valid URL)."""
        return name_from_url(complete_url(self.url.text()), self._taken, longest=NAME_MAX)

    def _entered_name(self) -> str:
        typed = self.name.text()
        return typed if typed.strip() else self._name_from_url()

    def _complete_url(self) -> None:
        """Show the URL written in full ("example.com" → "https://example.com/")."""
        typed = self.url.text()
        completed = complete_url(typed)
        if completed != typed.strip():
            self.url.setText(completed)

    def _name_after_url(self) -> None:
        """Fill an empty name with the one it stands for, the URL's host."""
        if not self.name.text().strip() and (name := self._name_from_url()):
            self.name.setText(name)

    def _ignore_rules(self) -> tuple[str, ...]:
        return _rules(self.ignore)

    def _mask_rules(self) -> tuple[str, ...]:
        return _rules(self.masks)

    def _candidate(self) -> tuple[Tracker, dict[str, str]]:
        """The tracker the form stands for, unvalidated, and the problems found before the
        domain's rules (the sub-editors' and the header table's)."""
        problems: dict[str, str] = {}
        headers, header_problem = self._header_rows()
        if header_problem:
            problems["headers"] = header_problem
        schedule_ok = self.schedule.is_valid()
        if not schedule_ok:
            problems["schedule"] = self.schedule.error() or "the schedule is invalid"
        retry = NO_RETRY
        if self.retry.is_valid():
            retry = self.retry.strategy()
        else:
            problems["retry"] = self.retry.error() or "the retry settings are invalid"
        original = self._original
        candidate = Tracker(
            name=self._entered_name(),
            url=complete_url(self.url.text()),
            revisions=self.revisions.value(),
            headers=headers,
            schedule=self.schedule.expression() if schedule_ok else "manual",
            timezone=self.schedule.timezone() if schedule_ok else "UTC",
            retry=retry,
            notify=self.notify.isChecked(),
            ignore=self._ignore_rules(),
            mask=self._mask_rules(),
            kind=self.kind_name(),
            options=self.fields().options(),
            verify_tls=self.verify_tls.isChecked(),
            enabled=self.enabled.isChecked(),
        )
        fields_problem = self.fields().validate()
        if fields_problem:
            problems["options"] = fields_problem
        if original is not None:
            candidate = replace(candidate, id=original.id)
        return candidate, problems

    # --- validating ---------------------------------------------------------------------------

    def _left_field(self, key: str) -> None:
        # Focus also leaves a field while the dialog is being torn down, when the dialog or its
        # other fields may be gone already: check, and defer with the dialog as context so Qt
        # drops the call if the dialog goes first.
        if shiboken6.isValid(self):
            QTimer.singleShot(0, self, lambda: self._field_left(key))

    def _field_left(self, key: str) -> None:
        if key == "url":
            self._complete_url()
        self._touch(key)

    def _touch(self, key: str) -> None:
        if self._filling:
            return
        self._touched.add(key)
        self._revalidate()

    def _revalidate(self, *_args: object) -> None:
        if self._filling:
            return
        candidate, errors = self._candidate()
        valid, domain_errors = validation_errors(candidate)
        for field, message in domain_errors.items():
            errors.setdefault(field, message)
        name = candidate.name.strip()
        if "name" not in errors and name in self._taken:
            errors["name"] = f"another tracker is already called {name!r}: choose another name"
        self._errors = errors
        self._current = valid if not errors else None
        self.ok_button.setEnabled(self._current is not None)

        shown = {
            "name": (self.name_error, self.name),
            "url": (self.url_error, self.url),
            "headers": (self.headers_error, self.headers),
            "ignore": (self.ignore_error, self.ignore),
            "mask": (self.mask_error, self.masks),
        }
        for field, (line, widget) in shown.items():
            message = errors.get(field) if field in self._touched else None
            line.show_message(message)
            # Screen readers announce a field's description along with the field.
            widget.setAccessibleDescription(message or "")
        self._show_name_from_url()
        # The kind's fields show their options' problems under each option (those they see).
        fields = self.fields()
        fields.show_errors("options" in self._touched)
        in_place = {"schedule", "retry"} | ({"options"} if fields.validate() else set())
        # The schedule and retry editors show their own errors in place. Anything else (a rule
        # the form cannot break, such as revisions) still gets a line rather than silence.
        others = [
            message
            for field, message in errors.items()
            if field not in shown and field not in in_place
        ]
        self.form_error.show_message(others[0] if others else None)
        self._update_learn_noise(errors)
        self._update_advanced()

    def _show_name_from_url(self) -> None:
        """An empty name field shows the name it stands for, and says so to screen readers."""
        derived = "" if self.name.text().strip() else self._name_from_url()
        self.name.setPlaceholderText(f"{derived} (from the URL)" if derived else NAME_HINT)
        if derived and self.name_error.message() is None:
            self.name.setAccessibleDescription(f"Left empty, the tracker is named {derived}")

    # --- the advanced section -----------------------------------------------------------------

    def _advanced_in_use(self) -> list[str]:
        """What the advanced section holds other than its defaults, in words."""
        used: list[str] = []
        if self.revisions.value() != REVISIONS_DEFAULT:
            used.append(f"{self.revisions.value()} revisions kept")
        if not self.verify_tls.isChecked():
            used.append("TLS not verified")
        used += self.fields().advanced_in_use()
        if self.retry.kind.currentData() != NO_RETRY.strategy:
            used.append("retries")
        for count, what in (
            (len(self._header_cells()), "request header"),
            (len(self._ignore_rules()), "ignore rule"),
            (len(self._mask_rules()), "mask rule"),
        ):
            if count:
                used.append(f"{count} {what}{'' if count == 1 else 's'}")
        return used

    def _advanced_error_shown(self) -> bool:
        return any(
            line.message() is not None and line.isVisibleTo(self.advanced)
            for line in self.advanced.findChildren(ErrorLine)
        )

    def _update_advanced(self) -> None:
        """Unfold the advanced section when a field in it is wrong, or set while the user has
        not folded it; say what it holds while it is folded."""
        if not self.advanced_shown() and (
            self._advanced_error_shown() or (self._advanced_in_use() and not self._folded_by_user)
        ):
            self.set_advanced_shown(True)
        self._update_advanced_summary()

    def _update_advanced_summary(self) -> None:
        used = self._advanced_in_use()
        words = ("Set: " + ", ".join(used)) if used else ADVANCED_INSIDE
        folded = not self.advanced_shown()
        self.advanced_summary.setText(words)
        self.advanced_summary.setVisible(folded)
        self.advanced_toggle.setAccessibleDescription(words if folded else "")
        self.advanced_toggle.setToolTip(
            f"Hide: {ADVANCED_INSIDE.lower()}" if not folded else f"Show: {ADVANCED_INSIDE.lower()}"
        )

    # --- the kind -----------------------------------------------------------------------------

    def _kind_changed(self, _index: int) -> None:
        if self._filling:
            return
        self._show_kind()
        self._revalidate()

    def _show_kind(self) -> None:
        """Show the chosen kind's fields and their advanced part, its words and its ignore
        rules' meaning."""
        fields = self.fields()
        for each in self.kind_fields.values():
            each.setVisible(each is fields)  # type: ignore[attr-defined]
            part = each.advanced_part()
            if part is not None:
                part.setVisible(each is fields)
        self.kind_advanced.setVisible(fields.advanced_part() is not None)
        self.kind_summary.setText(fields.summary)
        self.kind_summary.setVisible(bool(fields.summary))
        self.kind.setAccessibleDescription(fields.summary)
        try:
            ignored = kind_for(self.kind_name()).describe_ignore()
        except UnknownKind:
            ignored = "lines"
        self.ignore_hint.setText(
            f"One regular expression per line: {ignored} with a match are left out."
        )
        self.ignore.setPlaceholderText(fields.ignore_example)

    # --- learning noise -----------------------------------------------------------------------

    def _update_learn_noise(self, errors: Mapping[str, str]) -> None:
        if self._service is None:
            reason = "Pages cannot be fetched from this editor."
        elif "url" in errors:
            reason = "Give a valid URL first."
        else:
            reason = ""
        self.learn_noise.setEnabled(not reason)
        self.learn_noise.setAccessibleDescription(reason)
        self.learn_noise.setToolTip(
            reason
            or f"Fetch the page {FETCHES} times and propose mask rules for what changed by itself."
        )

    def _learn_noise(self) -> None:
        service = self._service
        if service is None:
            return
        draft = self.draft(self.fields().options())
        tracker = draft if isinstance(draft, Tracker) else None

        def learn() -> Coroutine[Any, Any, list[ProposedRule]]:
            assert tracker is not None
            return service.learn_noise(tracker, FETCHES)

        dialog = NoiseDialog(self, learn)
        self.noise_dialog = dialog
        dialog.accepted.connect(lambda: self.add_mask_rules(dialog.accepted_patterns()))
        dialog.open()  # never exec(): see the module's docstring
        if isinstance(draft, str):
            dialog.show_error(draft)  # e.g. a mask rule that is not a regular expression
        else:
            dialog.start()

    def add_mask_rules(self, patterns: Collection[str]) -> None:
        """Add rules at the end of the mask field, those it has already left out."""
        have = list(self._mask_rules())
        new = [p for p in dict.fromkeys(p.strip() for p in patterns) if p and p not in have]
        if not new:
            return
        text = self.masks.toPlainText().rstrip("\n")
        self.masks.setPlainText("\n".join([text, *new] if text else new))
        self._touch("mask")

    # --- request headers ----------------------------------------------------------------------

    def _append_header(self, name: str, value: str) -> int:
        row = self.headers.rowCount()
        self.headers.insertRow(row)
        self.headers.setItem(row, 0, QTableWidgetItem(name))
        self.headers.setItem(row, 1, QTableWidgetItem(value))
        return row

    def _add_header_row(self) -> None:
        row = self._append_header("", "")
        self.headers.setCurrentCell(row, 0)
        self.headers.setFocus(Qt.FocusReason.OtherFocusReason)
        self.headers.editItem(self.headers.item(row, 0))

    def _remove_header_rows(self) -> None:
        rows = {index.row() for index in self.headers.selectionModel().selectedRows()}
        if not rows and self.headers.currentRow() >= 0:
            rows = {self.headers.currentRow()}
        for row in sorted(rows, reverse=True):
            self.headers.removeRow(row)
        if self.headers.rowCount() == 0:
            self.add_header.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_header_values(self, shown: bool) -> None:
        self.header_delegate.set_masked(not shown)
        self.headers.viewport().update()


def _buddy(text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)
    return label


def _now_utc() -> datetime:
    return datetime.now(UTC)


def _buttons_in_layout_order(box: QDialogButtonBox) -> list[QWidget]:
    """The box's buttons as they are laid out (the platform decides whether OK or Cancel comes
    first), for a Tab order that follows what the user sees."""
    layout = box.layout()
    items = (layout.itemAt(index) for index in range(layout.count())) if layout else iter(())
    found = [item.widget() for item in items if item is not None]
    return [widget for widget in found if isinstance(widget, QAbstractButton)]


class _RulesEdit(QPlainTextEdit):
    """A rules field that asks for room for a few rules, not the screenful a QPlainTextEdit asks
    for; it grows with the dialog all the same."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        frame = 2 * self.frameWidth() + 8
        return QSize(hint.width(), self.fontMetrics().lineSpacing() * _RULE_LINES + frame)


class _CompactTable(QTableWidget):
    """The request headers table, asking for room for a few rows (most trackers send none)."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        rows = self.verticalHeader().defaultSectionSize() * _HEADER_ROWS
        height = self.horizontalHeader().sizeHint().height() + rows + 2 * self.frameWidth()
        return QSize(hint.width(), height)


def _rules(edit: QPlainTextEdit) -> tuple[str, ...]:
    # Blank lines and surrounding spaces are layout, not rules (URLs hold no raw spaces).
    lines = (line.strip() for line in edit.toPlainText().splitlines())
    return tuple(line for line in lines if line)


class _UnknownKindFields(QWidget):
    """A stored tracker of a kind this version does not know: its options are kept as they are,
    and saving it is refused (its kind's error says why)."""

    summary: ClassVar[str] = ""
    ignore_example: ClassVar[str] = ""
    changed = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self._options: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(plain_label(f"This version of the app does not know the kind {name!r}."))

    def load(self, options: Mapping[str, Any]) -> None:
        self._options = dict(options)

    def options(self) -> dict[str, Any]:
        return dict(self._options)

    def validate(self) -> str | None:
        return None

    def show_errors(self, shown: bool) -> None:
        pass

    def focus_order(self) -> list[QWidget]:
        return []

    def advanced_part(self) -> QWidget | None:
        return None

    def advanced_focus_order(self) -> list[QWidget]:
        return []

    def advanced_in_use(self) -> list[str]:
        return []

    def stop(self) -> None:
        pass


def _cell_text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""
