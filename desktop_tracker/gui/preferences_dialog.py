"""The Preferences dialog: notifications, the window and the tray, new trackers' defaults,
storage and the theme.

One tab each, so the dialog fits a small screen (700 px high). What it saves and where:
- the preferences themselves through `PreferencesService.update` (validated there again);
- whether each tracker notifies: the tracker's own `notify`, saved through `TrackerService`
  (read again just before saving, so an edit made meanwhile elsewhere is kept);
- start at login: the login entry itself (desktop_tracker/autostart.py), as the File menu does;
  the entry is the truth, not a preference, since the command line can change it too.

The theme is shown as soon as it is picked; Cancel (or Escape, or closing the window) puts back
the theme that was shown when the dialog opened. Errors are said in place, in words, and keep
the dialog open with nothing lost.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.autostart import AutostartError, LoginEntry, set_enabled
from desktop_tracker.core.schedules import (
    InvalidSchedule,
    Schedule,
    parse_schedule,
    system_timezone,
)
from desktop_tracker.domain.preferences import (
    STORAGE_CAP_MAX_MB,
    STORAGE_CAP_MIN_MB,
    InvalidPreference,
    Preferences,
)
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.async_ops import spawn
from desktop_tracker.gui.plain_text import plain_label
from desktop_tracker.gui.schedule_editor import ErrorLine, field_with_error, format_run_time
from desktop_tracker.gui.theme import apply_theme, current_theme
from desktop_tracker.service.preferences import PreferencesService
from desktop_tracker.service.trackers import TrackerService

MAX_HEIGHT = 700  # px: the dialog fits a 768-pixel laptop screen with its panels
MIN_WIDTH = 580
TRACKER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
THEME_LABELS = (
    ("system", "&System (as the desktop looks)"),
    ("light", "&Light"),
    ("dark", "&Dark"),
)
NO_LOGIN_ENTRY = (
    "Start at login cannot be set here: this copy of desktop_tracker has no login entry"
    " to write. Use `desktop-tracker autostart on` where it is installed."
)

# Which tab shows a preference (and its error), by the preference's name.
NOTIFICATIONS, WINDOW, NEW_TRACKERS, STORAGE, APPEARANCE = range(5)
TAB_OF = {
    "popups": NOTIFICATIONS,
    "sound": NOTIFICATIONS,
    "close_to_tray": WINDOW,
    "start_in_tray": WINDOW,
    "default_schedule": NEW_TRACKERS,
    "default_timezone": NEW_TRACKERS,
    "storage_cap_mb": STORAGE,
    "theme": APPEARANCE,
}


def _now_utc() -> datetime:
    return datetime.now(UTC)


class PreferencesDialog(QDialog):
    """The user's preferences; `open()` it (never `exec()`: see gui/async_ops.py).

    `login`: the start-at-login entry (the main window's; None where there is none: the box is
    then disabled and says why). `clock`: the "now" of the next-run preview (tests).
    `accepted` is emitted once everything is written (`saved_preferences` then holds what
    was saved); on an error the dialog stays open and says it.
    """

    def __init__(
        self,
        preferences: PreferencesService,
        trackers: TrackerService,
        parent: QWidget | None = None,
        *,
        login: LoginEntry | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._preferences = preferences
        self._trackers = trackers
        self._login = login
        self._clock = clock or _now_utc
        self._initial = preferences.current
        self._theme_at_open = current_theme()  # what Cancel puts back
        self._login_at_open: bool | None = None  # None: unknown (no entry, or unreadable)
        self._notify_at_open: dict[int, bool] = {}
        self._saving = False
        self.saved_preferences: Preferences | None = None
        self.setWindowTitle("Preferences")

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Preferences sections")
        self.tabs.addTab(self._notifications_tab(), "&Notifications")
        self.tabs.addTab(self._window_tab(), "&Window")
        self.tabs.addTab(self._new_trackers_tab(), "New &trackers")
        self.tabs.addTab(self._storage_tab(), "St&orage")
        self.tabs.addTab(self._appearance_tab(), "&Appearance")

        self.form_error = ErrorLine()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button: QPushButton = self.buttons.button(
            QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button.setAccessibleName("Save preferences")
        self.cancel_button.setAccessibleName("Cancel, changing nothing")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        root = QVBoxLayout(self)
        root.addWidget(self.tabs, 1)
        root.addWidget(self.form_error)
        root.addWidget(self.buttons)

        self._show(self._initial)
        self._read_login_entry()
        self._connect()
        self._check_schedule()
        # Wide enough for every tab's name (no scroll arrows) and a zone name in full.
        self.setMinimumWidth(MIN_WIDTH)
        self.resize(self.sizeHint().boundedTo(self.maximumSize()).expandedTo(self.minimumSize()))
        if self.height() > MAX_HEIGHT:
            self.resize(self.width(), MAX_HEIGHT)
        spawn(self._trackers.all(), on_done=self._show_trackers, on_error=self._trackers_failed)

    # -- the tabs ------------------------------------------------------------------------------

    def _notifications_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.popups = QCheckBox("Show a &pop-up for each notification")
        self.popups.setAccessibleName("Pop-ups")
        self.popups.setAccessibleDescription(
            "A desktop notification or a tray message; the Notifications list keeps every"
            " notification either way"
        )
        self.sound = QCheckBox("Play a &sound with each pop-up")
        self.sound.setAccessibleName("Sound with pop-ups")
        hint = plain_label(
            "Off, notifications still go to the Notifications list and the unread count."
        )
        hint.setWordWrap(True)
        layout.addWidget(self.popups)
        layout.addWidget(self.sound)
        layout.addWidget(hint)

        self.tracker_list_label = QLabel("Trackers that notif&y (one not ticked tells nothing):")
        self.tracker_list = QListWidget()
        self.tracker_list.setAccessibleName("Trackers that notify")
        self.tracker_list.setAccessibleDescription(
            "Tick a tracker to be told when it changes or fails; press Space to tick"
        )
        self.tracker_list_label.setBuddy(self.tracker_list)
        self.tracker_list.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        self.tracker_status = plain_label("Loading trackers…")
        self.tracker_status.setAccessibleName("Trackers list status")
        self.tracker_error = ErrorLine()
        layout.addWidget(self.tracker_list_label)
        layout.addWidget(self.tracker_list, 1)
        layout.addWidget(self.tracker_status)
        layout.addWidget(self.tracker_error)
        return page

    def _window_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.close_to_tray = QCheckBox("&Closing the window keeps desktop_tracker in the tray")
        self.close_to_tray.setAccessibleName("Close to tray")
        self.start_in_tray = QCheckBox("Start &in the tray, without the window")
        self.start_in_tray.setAccessibleName("Start in tray")
        tray_hint = plain_label(
            "Both need a tray on the desktop; where there is none, closing the window quits"
            " and the window always shows."
        )
        tray_hint.setWordWrap(True)
        self.start_at_login = QCheckBox("Start at &login, in the tray")
        self.start_at_login.setAccessibleName("Start at login")
        self.login_note = plain_label("")
        self.login_note.setWordWrap(True)
        self.login_note.setAccessibleName("Start at login note")
        self.login_note.hide()
        self.login_error = ErrorLine()
        for widget in (
            self.close_to_tray,
            self.start_in_tray,
            tray_hint,
            self.start_at_login,
            self.login_note,
            self.login_error,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        return page

    def _new_trackers_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        intro = plain_label("What the editor starts with for a new tracker.")
        intro.setWordWrap(True)
        form.addRow(intro)

        self.schedule = QLineEdit()
        self.schedule.setAccessibleName("Default schedule")
        self.schedule.setPlaceholderText("e.g. 0 * * * *, @daily, @every 30m or manual")
        self.schedule_error = ErrorLine()
        schedule_label = QLabel("&Schedule:")
        schedule_label.setBuddy(self.schedule)
        form.addRow(schedule_label, field_with_error(self.schedule, self.schedule_error))

        self._zones = sorted(zoneinfo.available_timezones())
        self._zone_by_lower = {name.lower(): name for name in self._zones}
        self._system_zone_text = f"System ({system_timezone()})"
        self.zone = QComboBox()
        self.zone.setEditable(True)
        self.zone.addItem(self._system_zone_text, "")
        for name in self._zones:
            self.zone.addItem(name, name)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = QCompleter([self._system_zone_text, *self._zones], self.zone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)  # "paris" finds Europe/Paris
        self.zone.setCompleter(completer)
        self.zone.setAccessibleName("Default time zone")
        self.zone_error = ErrorLine()
        zone_label = QLabel("Time &zone:")
        zone_label.setBuddy(self.zone)
        form.addRow(zone_label, field_with_error(self.zone, self.zone_error))

        self.schedule_words = plain_label("")
        self.schedule_words.setWordWrap(True)
        self.schedule_words.setAccessibleName("Default schedule in words")
        self.schedule_words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(QLabel("In words:"), self.schedule_words)
        self.next_run = plain_label("")
        self.next_run.setAccessibleName("Next run of the default schedule")
        form.addRow(QLabel("Next run:"), self.next_run)
        return page

    def _storage_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.storage_cap = QSpinBox()
        self.storage_cap.setRange(STORAGE_CAP_MIN_MB, STORAGE_CAP_MAX_MB)
        self.storage_cap.setSuffix(" MB")
        self.storage_cap.setSingleStep(50)
        self.storage_cap.setAccessibleName("Storage cap in megabytes")
        self.storage_error = ErrorLine()
        cap_label = QLabel("Keep at &most:")
        cap_label.setBuddy(self.storage_cap)
        form.addRow(cap_label, field_with_error(self.storage_cap, self.storage_error))
        hint = plain_label(
            "The bodies of scripts and stylesheets kept for the history, for all trackers"
            f" together: {STORAGE_CAP_MIN_MB} to {STORAGE_CAP_MAX_MB:,} MB."
        )
        hint.setWordWrap(True)
        form.addRow(hint)
        return page

    def _appearance_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = plain_label("Theme:")
        layout.addWidget(title)
        self.theme_group = QButtonGroup(self)
        self.theme_buttons: dict[str, QRadioButton] = {}
        for name, label in THEME_LABELS:
            button = QRadioButton(label)
            button.setAccessibleName(f"Theme: {name}")
            self.theme_group.addButton(button)
            self.theme_buttons[name] = button
            layout.addWidget(button)
        hint = plain_label("The theme is shown at once; Cancel puts back the one before.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.theme_error = ErrorLine()
        layout.addWidget(self.theme_error)
        layout.addStretch(1)
        return page

    # -- showing -------------------------------------------------------------------------------

    def _show(self, preferences: Preferences) -> None:
        self.popups.setChecked(preferences.popups)
        self.sound.setChecked(preferences.sound)
        self.sound.setEnabled(preferences.popups)
        self.close_to_tray.setChecked(preferences.close_to_tray)
        self.start_in_tray.setChecked(preferences.start_in_tray)
        self.schedule.setText(preferences.default_schedule)
        self._show_zone(preferences.default_timezone)
        self.storage_cap.setValue(preferences.storage_cap_mb)
        button = self.theme_buttons.get(preferences.theme, self.theme_buttons["system"])
        button.setChecked(True)

    def _show_zone(self, zone: str) -> None:
        if not zone:
            self.zone.setCurrentIndex(0)
            return
        index = self.zone.findData(zone)
        if index >= 0:
            self.zone.setCurrentIndex(index)
        self.zone.setEditText(zone)  # also a name that is not in the list, to be fixed

    def _read_login_entry(self) -> None:
        if self._login is None:
            self.start_at_login.setEnabled(False)
            self.start_at_login.setAccessibleDescription(NO_LOGIN_ENTRY)
            self._show_login_note(NO_LOGIN_ENTRY)
            return
        try:
            status = self._login.status()
        except AutostartError as error:
            # Left enabled: writing the entry anew may be what mends it.
            self.login_error.show_message(f"The login entry cannot be read: {error}")
            return
        self._login_at_open = status.enabled
        self.start_at_login.setChecked(status.enabled)
        if status.enabled and not status.is_ours:
            self._show_login_note(f"Starts at login, {status.describe().removeprefix('on, ')}")

    def _show_login_note(self, text: str) -> None:
        self.login_note.setText(text)
        self.login_note.setVisible(bool(text))

    def _show_trackers(self, trackers: list[Tracker]) -> None:
        self.tracker_list.clear()
        self._notify_at_open = {}
        for tracker in sorted(trackers, key=lambda t: t.name.casefold()):
            if tracker.id is None:
                continue
            item = QListWidgetItem(tracker.name)  # plain text: a list item never renders HTML
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(Qt.CheckState.Checked if tracker.notify else Qt.CheckState.Unchecked)
            item.setData(TRACKER_ID_ROLE, tracker.id)
            self.tracker_list.addItem(item)
            self._notify_at_open[tracker.id] = tracker.notify
        if trackers:
            self.tracker_status.hide()
            self.tracker_list.setCurrentRow(0)
        else:
            self.tracker_status.setText("No trackers yet.")

    def _trackers_failed(self, message: str) -> None:
        self.tracker_status.hide()
        self.tracker_error.show_message(f"The trackers cannot be read: {message}")

    # -- reacting ------------------------------------------------------------------------------

    def _connect(self) -> None:
        self.popups.toggled.connect(self.sound.setEnabled)
        self.schedule.textChanged.connect(self._check_schedule)
        self.zone.currentTextChanged.connect(self._check_schedule)
        self.theme_group.buttonToggled.connect(self._theme_toggled)

    def _theme_toggled(self, _button: object, checked: bool) -> None:
        if checked:
            self._apply(self.theme())

    def _apply(self, theme: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication) and current_theme() != theme:
            apply_theme(app, theme)

    def _check_schedule(self) -> bool:
        """Check the default schedule and zone as typed, and say what they mean or what is
        wrong. True when both are right."""
        zone = self.timezone() or system_timezone()
        schedule: Schedule | None = None
        zone_error = schedule_error = None
        try:
            parse_schedule("manual", zone)  # the zone on its own, said under the zone
        except InvalidSchedule as error:
            zone_error = str(error)
        else:
            try:
                schedule = parse_schedule(self.schedule.text().strip(), zone)
            except InvalidSchedule as error:
                schedule_error = str(error)
        self.zone_error.show_message(zone_error)
        self.schedule_error.show_message(schedule_error)
        self.schedule.setAccessibleDescription(schedule_error or "")
        self.zone.setAccessibleDescription(zone_error or "")
        if schedule is None:
            self.schedule_words.setText("—")
            self.next_run.setText("—")
            return False
        self.schedule_words.setText(schedule.describe())
        runs = schedule.next_due_times(self._clock(), 1)
        if runs:
            self.next_run.setText(format_run_time(runs[0]))
        elif schedule.kind == "manual":
            self.next_run.setText("None: a new tracker would run only when you press Check now")
        else:
            self.next_run.setText("None: that time has passed")
        return True

    # -- what the dialog holds -----------------------------------------------------------------

    def theme(self) -> str:
        for name, button in self.theme_buttons.items():
            if button.isChecked():
                return name
        return "system"

    def timezone(self) -> str:
        """The chosen zone's IANA name, "" for the system's."""
        text = self.zone.currentText().strip()
        if not text or text == self._system_zone_text or text.casefold() == "system":
            return ""
        return self._zone_by_lower.get(text.lower(), text)

    def changes(self) -> dict[str, object]:
        """Every preference the dialog shows, as the form holds it."""
        return {
            "popups": self.popups.isChecked(),
            "sound": self.sound.isChecked(),
            "close_to_tray": self.close_to_tray.isChecked(),
            "start_in_tray": self.start_in_tray.isChecked(),
            "default_schedule": self.schedule.text().strip(),
            "default_timezone": self.timezone(),
            "storage_cap_mb": self.storage_cap.value(),
            "theme": self.theme(),
        }

    def notify_choices(self) -> dict[int, bool]:
        """Each listed tracker's id and whether it is ticked."""
        choices = {}
        for row in range(self.tracker_list.count()):
            item = self.tracker_list.item(row)
            choices[int(item.data(TRACKER_ID_ROLE))] = item.checkState() == Qt.CheckState.Checked
        return choices

    # -- OK and Cancel -------------------------------------------------------------------------

    def accept(self) -> None:
        if self._saving:
            return
        self._clear_errors()
        if not self._check_schedule():
            field = self.zone if self.zone_error.message() else self.schedule
            self._point_at(NEW_TRACKERS, field)
            self.form_error.show_message(
                "Nothing was saved: the default schedule needs fixing (see New trackers)."
            )
            return
        self._set_saving(True)
        spawn(self._save(), on_done=self._save_done, on_error=self._save_failed)

    async def _save(self) -> bool:
        """Write everything; False (said in place) when a preference is refused."""
        try:
            saved = await self._preferences.update(**self.changes())
        except InvalidPreference as error:
            self._show_refused(error)
            return False
        self.saved_preferences = saved
        for tracker_id, notify in self.notify_choices().items():
            if self._notify_at_open.get(tracker_id) == notify:
                continue
            current = await self._trackers.get(tracker_id)  # as it is now, others' edits kept
            if current.notify != notify:
                await self._trackers.update(replace(current, notify=notify))
            self._notify_at_open[tracker_id] = notify
        return self._write_login_entry()

    def _write_login_entry(self) -> bool:
        if self._login is None or not self.start_at_login.isEnabled():
            return True
        wanted = self.start_at_login.isChecked()
        if wanted == self._login_at_open:
            return True
        try:
            status = set_enabled(self._login, wanted)
        except AutostartError as error:
            self.login_error.show_message(f"Start at login: {error}")
            self._point_at(WINDOW, self.start_at_login)
            self.form_error.show_message(
                "The other preferences were saved; start at login was not (see Window)."
            )
            return False
        self._login_at_open = status.enabled
        return True

    def _save_done(self, ok: bool) -> None:
        self._set_saving(False)
        if not ok:
            return
        self._apply(self.theme())
        super().accept()

    def _save_failed(self, message: str) -> None:
        self._set_saving(False)
        self.form_error.show_message(f"The preferences were not all saved: {message}")

    def reject(self) -> None:
        if self._saving:
            return  # what is being written is written; the dialog closes when it is done
        self._apply(self._theme_at_open)
        super().reject()

    def _show_refused(self, error: InvalidPreference) -> None:
        line, field = {
            "default_schedule": (self.schedule_error, self.schedule),
            "default_timezone": (self.zone_error, self.zone),
            "storage_cap_mb": (self.storage_error, self.storage_cap),
            "theme": (self.theme_error, self.theme_buttons["system"]),
        }.get(error.name, (self.form_error, self.tabs))
        line.show_message(str(error))
        self._point_at(TAB_OF.get(error.name, self.tabs.currentIndex()), field)
        if line is not self.form_error:
            self.form_error.show_message("Nothing was saved: one preference needs fixing.")

    def _point_at(self, tab: int, field: QWidget) -> None:
        self.tabs.setCurrentIndex(tab)
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_errors(self) -> None:
        for line in (self.form_error, self.storage_error, self.theme_error, self.login_error):
            line.show_message(None)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.ok_button.setEnabled(not saving)
        self.cancel_button.setEnabled(not saving)
