"""The tracker editor: a dialog to add a tracker or change one, validated while the user types.

The dialog saves nothing. The main window opens it with `open()` (never `exec()`, which would
re-enter the qasync loop), and on `accepted` reads `result_tracker()`, an already validated
Tracker. Given the trackers service, it also fetches the page on request, writing nothing:
"Test selector" (a content tracker's) and "Learn noise" (mask rules for what changes by itself).

The kind chosen (resources, content, headers) brings its own fields, from gui/kinds/editors.py;
the common fields stay as they are when the kind changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Coroutine, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar, Final

import shiboken6
from PySide6.QtCore import (
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.core.retry import NO_RETRY
from desktop_tracker.domain.trackers import (
    REVISIONS_DEFAULT,
    REVISIONS_MAX,
    REVISIONS_MIN,
    InvalidTracker,
    Tracker,
)
from desktop_tracker.gui.kinds.editors import EditorService, KindFields, fields_for
from desktop_tracker.gui.noise_dialog import FETCHES, NoiseDialog
from desktop_tracker.gui.plain_text import plain_label, window_title_text
from desktop_tracker.gui.retry_editor import RetryEditor
from desktop_tracker.gui.schedule_editor import ErrorLine, ScheduleEditor, field_with_error
from desktop_tracker.kinds.noise import ProposedRule
from desktop_tracker.kinds.registry import DEFAULT_KIND, KINDS, UnknownKind, kind_for
from desktop_tracker.kinds.rules import MASK as MASKED

__all__ = ["HeaderValueDelegate", "TrackerEditor", "validation_errors"]

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
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        tracker: Tracker | None = None,
        taken_names: Collection[str] = (),
        *,
        clock: Callable[[], datetime] | None = None,
        service: EditorService | None = None,
    ) -> None:
        super().__init__(parent)
        self._original = tracker
        self._service = service
        self._taken = frozenset(taken_names) - ({tracker.name} if tracker else set())
        self._result: Tracker | None = None
        self._current: Tracker | None = None
        self._errors: dict[str, str] = {}
        self.noise_dialog: NoiseDialog | None = None
        # A new, empty form shows no errors until the user has been in a field; an existing
        # tracker's problems show at once.
        self._touched: set[str] = set() if tracker is None else set(_ALL_FIELDS)
        self._filling = False
        self.setWindowTitle(
            "New tracker" if tracker is None else window_title_text(f"Edit tracker: {tracker.name}")
        )

        self._build_widgets(clock)
        self._build_layout()
        self._connect()
        self._fill(tracker or Tracker(name="", url=""))
        self._revalidate()

    # --- public API ---------------------------------------------------------------------------

    def result_tracker(self) -> Tracker | None:
        """The validated tracker once the dialog was accepted, else None."""
        return self._result

    def errors(self) -> dict[str, str]:
        """Every current problem by field ("name", "url", "headers", "ignore", "mask",
        "schedule", "retry", "options"…), shown or not yet shown."""
        return dict(self._errors)

    def accept(self) -> None:
        self._revalidate()
        if self._current is None:
            # OK is disabled then, but Enter in a field can still get here: show every reason.
            self._touched |= _ALL_FIELDS
            self._revalidate()
            return
        self._result = self._current
        super().accept()

    def done(self, result: int) -> None:
        # Closing stops what is fetching for the dialog: nothing it finds has a place to go.
        for fields in self.kind_fields.values():
            fields.stop()
        if self.noise_dialog is not None and shiboken6.isValid(self.noise_dialog):
            self.noise_dialog.reject()
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

    # --- building -----------------------------------------------------------------------------

    def _build_widgets(self, clock: Callable[[], datetime] | None) -> None:
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Shop checkout page")
        self.name_error = ErrorLine()
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://example.com/")
        self.url.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)
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
        self.kind_stack = QWidget()
        stack_layout = QVBoxLayout(self.kind_stack)
        stack_layout.setContentsMargins(0, 0, 0, 0)
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
        self.revisions = QSpinBox()
        self.revisions.setRange(REVISIONS_MIN, REVISIONS_MAX)
        self.enabled = QCheckBox("&Enabled: run checks on the schedule")
        self.notify = QCheckBox("Notify on change&s and on final failure")
        self.verify_tls = QCheckBox("Verify &TLS certificates")
        self.tls_warning = plain_label(TLS_WARNING)
        self.tls_warning.setWordWrap(True)

        self.schedule = ScheduleEditor(clock=clock)
        self.retry = RetryEditor()

        self.headers = QTableWidget(0, 2)
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
        self.header_delegate = HeaderValueDelegate(self.headers)
        self.headers.setItemDelegateForColumn(1, self.header_delegate)
        self.add_header = QPushButton("Add hea&der")
        self.remove_header = QPushButton("Remo&ve header")
        self.show_values = QCheckBox("Sho&w values")
        self.headers_error = ErrorLine()

        self.ignore = QPlainTextEdit()
        self.ignore.setPlaceholderText(r"e.g. ^https://www\.googletagmanager\.com/")
        self.ignore.setAccessibleName("Ignore rules")
        self.ignore.setTabChangesFocus(True)  # Tab moves on; a rule never holds a tab
        self.ignore.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.ignore_error = ErrorLine()
        self.ignore_hint = plain_label()
        self.ignore_hint.setWordWrap(True)

        self.masks = QPlainTextEdit()
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

    def _build_layout(self) -> None:
        page = QGroupBox("Page")
        page_form = QFormLayout(page)
        page_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        page_form.addRow(_buddy("&Name:", self.name), field_with_error(self.name, self.name_error))
        page_form.addRow(_buddy("&URL:", self.url), field_with_error(self.url, self.url_error))
        page_form.addRow(_buddy("Wat&ch:", self.kind), self.kind)
        page_form.addRow("", self.kind_summary)
        page_form.addRow(self.kind_stack)
        page_form.addRow(_buddy("Revisions to &keep:", self.revisions), self.revisions)
        options = QVBoxLayout()
        options.setSpacing(4)
        for widget in (self.enabled, self.notify, self.verify_tls, self.tls_warning):
            options.addWidget(widget)
        page_form.addRow("", options)

        schedule_box = QGroupBox("Schedule")
        QVBoxLayout(schedule_box).addWidget(self.schedule)

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

        left = QVBoxLayout()
        left.addWidget(page)
        left.addWidget(schedule_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(retry_box)
        right.addWidget(headers_box, 1)
        right.addWidget(ignore_box, 1)
        right.addWidget(mask_box, 1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)

        root = QVBoxLayout(self)
        root.addLayout(columns, 1)
        root.addWidget(self.form_error)
        root.addWidget(self.buttons)
        self.setMinimumWidth(860)
        # The table and the rules box ask for more height than they need; 680 fits a 768-pixel
        # laptop screen with its panels, and both grow when the user makes the dialog taller.
        self.resize(self.sizeHint().boundedTo(QSize(1000, 680)).expandedTo(self.minimumSizeHint()))
        self._set_tab_order()

    def _set_tab_order(self) -> None:
        """Reading order: the kind's fields come right after the kind, whichever is shown."""
        chain: list[QWidget] = [self.name, self.name_error, self.url, self.url_error, self.kind]
        for fields in self.kind_fields.values():
            chain += fields.focus_order()
        chain.append(self.revisions)
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)
        rules = [self.ignore, self.ignore_error, self.masks, self.mask_error, self.learn_noise]
        for before, after in itertools.pairwise(rules):
            QWidget.setTabOrder(before, after)

    def _connect(self) -> None:
        for edit, key in ((self.name, "name"), (self.url, "url")):
            edit.textEdited.connect(lambda _text, key=key: self._touch(key))
            # Text put in by other means (a paste by drag and drop, the accessibility layer, a
            # script) is checked too; emptied, the field is checked without being flagged.
            edit.textChanged.connect(
                lambda text, key=key: self._touch(key) if text else self._revalidate()
            )
            # Leaving a field counts as having been in it: an empty name then says so.
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
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

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
            name=self.name.text(),
            url=self.url.text(),
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
            QTimer.singleShot(0, self, lambda: self._touch(key))

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

    # --- the kind -----------------------------------------------------------------------------

    def _kind_changed(self, _index: int) -> None:
        if self._filling:
            return
        self._show_kind()
        self._revalidate()

    def _show_kind(self) -> None:
        """Show the chosen kind's fields, its words and its ignore rules' meaning."""
        fields = self.fields()
        for each in self.kind_fields.values():
            each.setVisible(each is fields)  # type: ignore[attr-defined]
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

    def stop(self) -> None:
        pass


def _cell_text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""
