"""The schedule part of the tracker editor: choose how a tracker runs and see, while typing, the
schedule in words and its next five runs.

It also holds `ErrorLine`, the in-place error message every editor field uses, so that the
schedule, retry and tracker editors show errors the same way.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from PySide6.QtCore import QDate, QDateTime, QEvent, Qt, QTime, QTimer, QTimeZone, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.core.schedules import (
    InvalidSchedule,
    Schedule,
    parse_schedule,
    system_timezone,
)
from desktop_tracker.gui.plain_text import plain_label

__all__ = ["ErrorLine", "ScheduleEditor", "field_with_error", "format_run_time"]

# No single red reaches a 4.5:1 contrast on both a light and a dark window (the ranges do not
# overlap), so the error colour is one of two fixed reds, picked by the window's lightness:
# #B3261E is 6.5:1 on white and 5.7:1 on Fusion's #efefef; #FF8A80 is 5.4:1 on #353535 and 7.3:1
# on #1e1e1e. The "⚠" prefix carries the meaning for anyone who cannot tell the colour.
ERROR_ON_LIGHT: Final = "#b3261e"
ERROR_ON_DARK: Final = "#ff8a80"
ERROR_PREFIX: Final = "⚠ "


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


class ErrorLine(QLabel):
    """Why a field is wrong, shown right under it.

    Plain text, because messages quote what the user typed (a URL may hold `<img …>`); "⚠" first,
    so colour is not the only sign. It takes no focus: Tab goes from field to field, and the field
    it is about carries the message as its accessible description, which screen readers say with
    the field (each editor sets it beside `show_message`). The mouse can still select it to copy.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._message: str | None = None
        self._apply_colour()
        self.hide()

    def message(self) -> str | None:
        return self._message

    def show_message(self, message: str | None) -> None:
        """Show `message`, or hide the line when it is None."""
        if message == self._message:
            return
        self._message = message
        if message is None:
            self.clear()
            self.setAccessibleName("")
            self.hide()
            return
        self.setText(ERROR_PREFIX + message)
        self.setAccessibleName(f"Error: {message}")
        self.show()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Follow the user switching between light and dark while the dialog is open.
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_colour()

    def _apply_colour(self) -> None:
        palette = self.palette()
        colour = QColor(ERROR_ON_DARK if is_dark(palette) else ERROR_ON_LIGHT)
        # Setting the palette sends another PaletteChange: only set it when it differs.
        if palette.color(QPalette.ColorRole.WindowText) != colour:
            palette.setColor(QPalette.ColorRole.WindowText, colour)
            palette.setColor(QPalette.ColorRole.Text, colour)
            self.setPalette(palette)


# --------------------------------------------------------------------------------------------
# Schedule editor

MANUAL, PRESET, CRON, EVERY, ONCE = "manual", "preset", "cron", "every", "once"
_MODES: Final = (
    (MANUAL, "Manually (only Check now)"),
    (PRESET, "Preset"),
    (CRON, "Custom cron expression"),
    (EVERY, "Every (interval)"),
    (ONCE, "Once, at a date and time"),
)
# (expression, label, the same schedule as five cron fields). The third column seeds the cron
# field when the user switches from a preset to "Custom"; a test checks each pair runs alike.
PRESETS: Final = (
    ("@hourly", "Hourly, at minute 0", "0 * * * *"),
    ("@daily", "Daily, at 00:00", "0 0 * * *"),
    ("@weekly", "Weekly, on Sunday at 00:00", "0 0 * * 0"),
    ("@monthly", "Monthly, on the 1st at 00:00", "0 0 1 * *"),
    ("@yearly", "Yearly, on 1 January at 00:00", "0 0 1 1 *"),
)
_UNITS: Final = (("s", "seconds"), ("m", "minutes"), ("h", "hours"), ("d", "days"))
EVERY_MAX: Final = 9999
PREVIEW_COUNT: Final = 5

# Only the exact texts the widgets themselves write are read back into them; any other spelling
# ("@every 1h30m", "once 2026-12-01T09:00+02:00", "@midnight") opens as a custom expression, so
# opening and saving a tracker never rewrites its schedule. A preset's five cron fields, exactly
# as in PRESETS ("0 * * * *"), open as the preset and are written back as they were read.
_EVERY_TEXT: Final = re.compile(r"@every (\d{1,4})([smhd])", re.ASCII)
_ONCE_TEXT: Final = re.compile(r"once (\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})", re.ASCII)
_ONCE_FORMAT: Final = "yyyy-MM-dd HH:mm"
_WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def format_run_time(moment: datetime, *, seconds: bool = False) -> str:
    """'Tue 2026-12-01 09:00 CET (UTC+01:00)': the wall time, the zone's abbreviation when it has
    a real one, and the offset, so a time near a daylight-saving change is never ambiguous."""
    # English weekday names: strftime's %a follows the C locale, which Qt sets from the user's
    # environment, and the rest of the interface is English.
    shown = f"{_WEEKDAYS[moment.weekday()]} {moment:%Y-%m-%d %H:%M}"
    if seconds:
        shown += f":{moment:%S}"
    raw = moment.strftime("%z")  # "+0100"
    offset = f"UTC{raw[:3]}:{raw[3:5]}"
    abbreviation = moment.tzname() or ""
    # Zones without an abbreviation report "+03"; that would only repeat the offset.
    if abbreviation[:1].isalpha() and abbreviation != "UTC":
        return f"{shown} {abbreviation} ({offset})"
    return f"{shown} ({offset})"


def _now_utc() -> datetime:
    return datetime.now(UTC)


class ScheduleEditor(QWidget):
    """Edits a schedule expression and its time zone, and previews them as the user types.

    `changed` is emitted after every edit, once the description, the next runs and the error have
    been brought up to date, so a listener can read `is_valid()` straight away.
    """

    changed = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        # The preview's "now", an aware datetime; injectable so tests are deterministic.
        self._clock = clock or _now_utc
        self._schedule: Schedule | None = None
        self._error: str | None = None
        self._loading = False
        self._zones = sorted(zoneinfo.available_timezones())
        self._zone_by_lower = {name.lower(): name for name in self._zones}

        # The text a preset was read from, when that was its cron fields: (index, text).
        self._preset_spelling: tuple[int, str] | None = None

        self.mode = QComboBox()
        for key, label in _MODES:
            self.mode.addItem(label, key)
        self.mode.setAccessibleName("Runs")

        self.preset = QComboBox()
        for expression, label, _fields in PRESETS:
            self.preset.addItem(label, expression)
        self.preset.setAccessibleName("Preset")

        self.cron = QLineEdit()
        self.cron.setPlaceholderText("e.g. 0 9 * * 1-5")
        self.cron.setAccessibleName("Cron expression")
        self._cron_hint = plain_label(
            "minute hour day-of-month month day-of-week; with 6 fields, seconds come first"
        )
        self._cron_hint.setWordWrap(True)
        self._cron_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.every_count = QSpinBox()
        self.every_count.setRange(1, EVERY_MAX)
        self.every_count.setValue(15)
        self.every_count.setAccessibleName("Interval")
        self.every_unit = QComboBox()
        for key, label in _UNITS:
            self.every_unit.addItem(label, key)
        self.every_unit.setCurrentIndex(1)
        self.every_unit.setAccessibleName("Interval unit")

        self.once = QDateTimeEdit()
        # The edit holds a wall time in the schedule's zone, not in the machine's: a UTC edit
        # never shifts a time that falls in a daylight-saving gap of the machine's own zone.
        self.once.setTimeZone(QTimeZone.utc())
        self.once.setDisplayFormat(_ONCE_FORMAT)
        self.once.setCalendarPopup(True)
        self.once.setAccessibleName("Date and time of the check")

        self.zone = QComboBox()
        self.zone.setEditable(True)
        self.zone.addItems(self._zones)
        # Typing must not add the text to the list; it is checked, not stored, here.
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = QCompleter(self._zones, self.zone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)  # "paris" finds Europe/Paris
        self.zone.setCompleter(completer)
        self.zone.setAccessibleName("Time zone")

        self.expression_error = ErrorLine()
        self.zone_error = ErrorLine()
        self.description = plain_label()
        self.description.setWordWrap(True)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.next_runs = plain_label()
        self.next_runs.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.next_runs.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # Always room for five lines: the form does not jump while the user types.
        self.next_runs.setMinimumHeight(self.next_runs.fontMetrics().lineSpacing() * PREVIEW_COUNT)

        self._build_layout()
        # Defaults: manual in the system zone; "once" starts tomorrow at 09:00 there.
        self._set_zone_text(system_timezone())
        self._seed_once_default()
        self._show_mode_page()
        self._connect()
        self._refresh()

        # The next runs are relative to now, and a dialog can stay open for a while.
        self._tick = QTimer(self)
        self._tick.setInterval(60_000)
        self._tick.timeout.connect(self._refresh_preview)
        self._tick.start()

    # --- public API ---------------------------------------------------------------------------

    def expression(self) -> str:
        """The schedule expression the inputs stand for (it may be invalid: see is_valid())."""
        mode = self.mode.currentData()
        if mode == MANUAL:
            return "manual"
        if mode == PRESET:
            spelling = self._preset_spelling
            if spelling is not None and spelling[0] == self.preset.currentIndex():
                return spelling[1]
            return str(self.preset.currentData())
        if mode == EVERY:
            return f"@every {self.every_count.value()}{self.every_unit.currentData()}"
        if mode == ONCE:
            moment = self.once.dateTime()
            wall = datetime.combine(moment.date().toPython(), moment.time().toPython())
            return f"once {wall:%Y-%m-%dT%H:%M}"
        return self.cron.text().strip()

    def timezone(self) -> str:
        """The IANA zone name; a name typed in the wrong case is given its proper spelling."""
        text = self.zone.currentText().strip()
        return self._zone_by_lower.get(text.lower(), text)

    def set_schedule(self, expression: str, timezone: str = "") -> None:
        """Show `expression` in `timezone` ("" means the system's zone)."""
        self._loading = True
        try:
            self._set_zone_text(timezone.strip() or system_timezone())
            self._load_expression(expression.strip())
        finally:
            self._loading = False
        self._refresh()

    def is_valid(self) -> bool:
        return self._error is None

    def error(self) -> str | None:
        """Why the schedule is invalid, in the schedule module's words, or None."""
        return self._error

    def schedule(self) -> Schedule | None:
        """The parsed schedule, or None while it is invalid."""
        return self._schedule

    def entered(self) -> tuple[str, str]:
        """The expression and the zone as entered (valid or not)."""
        return self.expression(), self.zone.currentText()

    def focus_order(self) -> list[QWidget]:
        """The inputs, in the order Tab visits them (those of other modes are hidden)."""
        return [
            self.mode,
            self.preset,
            self.cron,
            self.every_count,
            self.every_unit,
            self.once,
            self.zone,
        ]

    def focus_input(self) -> None:
        """Put the keyboard in the input of the mode shown (the mode itself for manual)."""
        buddy = self._page_label.buddy()
        (buddy or self.mode).setFocus(Qt.FocusReason.OtherFocusReason)

    # --- building -----------------------------------------------------------------------------

    def _build_layout(self) -> None:
        cron_page = QWidget()
        cron_layout = QVBoxLayout(cron_page)
        cron_layout.setContentsMargins(0, 0, 0, 0)
        cron_layout.addWidget(self.cron)
        cron_layout.addWidget(self._cron_hint)

        every_page = QWidget()
        every_layout = QHBoxLayout(every_page)
        every_layout.setContentsMargins(0, 0, 0, 0)
        every_layout.addWidget(self.every_count)
        every_layout.addWidget(self.every_unit)
        every_layout.addStretch(1)

        manual_page = plain_label("Checks run only when you press Check now.")
        manual_page.setWordWrap(True)

        # One page per mode in a stack, so the form keeps its height when the mode changes; the
        # row's label follows the page (see _show_mode_page).
        self._pages = QStackedWidget()
        self._page_of: dict[str, int] = {}
        for mode, page in (
            (MANUAL, manual_page),
            (PRESET, _top_aligned(self.preset)),
            (CRON, cron_page),
            (EVERY, every_page),
            (ONCE, _top_aligned(self.once)),
        ):
            self._page_of[mode] = self._pages.addWidget(page)
        self._page_label = QLabel()

        mode_label = QLabel("&Runs:")
        mode_label.setBuddy(self.mode)
        zone_label = QLabel("Time &zone:")
        zone_label.setBuddy(self.zone)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(mode_label, self.mode)
        form.addRow(self._page_label, field_with_error(self._pages, self.expression_error))
        form.addRow(zone_label, field_with_error(self.zone, self.zone_error))
        form.addRow(QLabel("In words:"), self.description)
        form.addRow(QLabel("Next runs:"), self.next_runs)
        self.description.setAccessibleName("Schedule in words")
        self.next_runs.setAccessibleName("Next runs")

    def _connect(self) -> None:
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.preset.currentIndexChanged.connect(self._edited)
        self.cron.textChanged.connect(self._edited)
        self.every_count.valueChanged.connect(self._edited)
        self.every_unit.currentIndexChanged.connect(self._edited)
        self.once.dateTimeChanged.connect(self._edited)
        # For an editable combo this fires on every keystroke as well as on a pick from the list.
        self.zone.currentTextChanged.connect(self._edited)

    def _seed_once_default(self) -> None:
        zone = self.timezone()
        try:
            today = self._clock().astimezone(zoneinfo.ZoneInfo(zone)).date()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            today = self._clock().astimezone(UTC).date()
        self._set_once(today + timedelta(days=1), time(9, 0))

    def _set_once(self, day: date, at: time) -> None:
        self.once.setDateTime(
            QDateTime(
                QDate(day.year, day.month, day.day), QTime(at.hour, at.minute), QTimeZone.utc()
            )
        )

    def _set_zone_text(self, name: str) -> None:
        index = self.zone.findText(name, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            self.zone.setCurrentIndex(index)
        self.zone.setEditText(name)  # also shows a name that is not in the list, to be fixed

    def _set_mode(self, mode: str) -> None:
        self.mode.setCurrentIndex(self.mode.findData(mode))
        self._show_mode_page()

    def _load_expression(self, text: str) -> None:
        presets = [expression for expression, _label, _fields in PRESETS]
        preset_fields = [fields for _expression, _label, fields in PRESETS]
        every = _EVERY_TEXT.fullmatch(text)
        once = _ONCE_TEXT.fullmatch(text)
        self.cron.clear()
        self._preset_spelling = None
        if text == "manual":
            self._set_mode(MANUAL)
        elif text in presets:
            self.preset.setCurrentIndex(presets.index(text))
            self._set_mode(PRESET)
        elif text in preset_fields:
            index = preset_fields.index(text)
            self.preset.setCurrentIndex(index)
            self._preset_spelling = (index, text)
            self._set_mode(PRESET)
        elif every and int(every.group(1)) >= 1:
            self.every_count.setValue(int(every.group(1)))
            self.every_unit.setCurrentIndex(self.every_unit.findData(every.group(2)))
            self._set_mode(EVERY)
        elif once and (wall := _wall_time(once)) is not None:
            self._set_once(wall.date(), wall.time())
            self._set_mode(ONCE)
        else:
            self.cron.setText(text)
            self._set_mode(CRON)

    # --- reacting -----------------------------------------------------------------------------

    def _mode_changed(self) -> None:
        if self._loading:
            return
        leaving_preset = self._pages.currentIndex() == self._page_of[PRESET]
        if self.mode.currentData() == CRON and not self.cron.text().strip() and leaving_preset:
            # Start from the preset the user had picked, as cron fields they can adjust.
            fields = {expression: cron for expression, _label, cron in PRESETS}
            self._loading = True
            try:
                self.cron.setText(fields[str(self.preset.currentData())])
            finally:
                self._loading = False
        self._show_mode_page()
        self._refresh()

    def _show_mode_page(self) -> None:
        mode = str(self.mode.currentData())
        self._pages.setCurrentIndex(self._page_of[mode])
        label, buddy = {
            MANUAL: ("", None),
            PRESET: ("&Preset:", self.preset),
            CRON: ("Cron e&xpression:", self.cron),
            EVERY: ("Ever&y:", self.every_count),
            ONCE: ("W&hen:", self.once),
        }[mode]
        self._page_label.setText(label)
        self._page_label.setBuddy(buddy)  # None clears it: manual has no input

    def _edited(self) -> None:
        if not self._loading:
            self._refresh()

    def _refresh(self) -> None:
        zone = self.timezone()
        schedule: Schedule | None = None
        zone_error = expression_error = None
        try:
            # Checked on its own first, so a bad zone is reported under the zone picker.
            parse_schedule("manual", zone)
        except InvalidSchedule as error:
            zone_error = str(error)
        else:
            try:
                schedule = parse_schedule(self.expression(), zone)
            except InvalidSchedule as error:
                expression_error = str(error)
        self._schedule = schedule
        self._error = zone_error or expression_error
        self.zone_error.show_message(zone_error)
        self.expression_error.show_message(expression_error)
        # Screen readers announce a field's description with the field.
        self.zone.setAccessibleDescription(zone_error or "")
        active = self._page_label.buddy()
        for widget in (self.preset, self.cron, self.every_count, self.once):
            widget.setAccessibleDescription((expression_error or "") if widget is active else "")
        self._refresh_preview()
        self.changed.emit()

    def _refresh_preview(self) -> None:
        schedule = self._schedule
        if schedule is None:
            self.description.setText("—")
            self.next_runs.setText("—")
            return
        self.description.setText(schedule.describe())
        times = schedule.next_due_times(self._clock(), PREVIEW_COUNT)
        if times:
            with_seconds = any(moment.second for moment in times)
            self.next_runs.setText(
                "\n".join(format_run_time(moment, seconds=with_seconds) for moment in times)
            )
        elif schedule.kind == "manual":
            self.next_runs.setText("None: checks run only when you press Check now")
        else:
            self.next_runs.setText("None: that time has passed")


def _wall_time(match: re.Match[str]) -> datetime | None:
    try:
        return datetime.combine(
            date.fromisoformat(match.group(1)), time(int(match.group(2)), int(match.group(3)))
        )
    except ValueError:
        return None


def field_with_error(field: QWidget, error: ErrorLine) -> QWidget:
    """`field` with its error line right under it, as one form field."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(field)
    layout.addWidget(error)
    return box


def _top_aligned(field: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field, 1, Qt.AlignmentFlag.AlignTop)
    return box
