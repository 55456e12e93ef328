"""The main window: the trackers table, its toolbar and menus, and the scheduler's status.

A window kept open for years: it remembers how it was left (gui/window_state.py), its table keeps
Name, Status and Next check in view at any width (the URL is elided in the middle and gives way
first), and every action has a shortcut, an icon and an accessible name.
"""

from __future__ import annotations

import asyncio
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QFont,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QMoveEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.autostart import AutostartError, AutostartStatus, LoginEntry, set_enabled
from desktop_tracker.core.events import (
    JobFailed,
    JobFinished,
    JobStarted,
    RunInterrupted,
    SchedulerEvent,
)
from desktop_tracker.core.scheduler import Scheduler
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.async_ops import set_error_reporter, spawn
from desktop_tracker.gui.diff_view import ChangeColours
from desktop_tracker.gui.icons import action_icon
from desktop_tracker.gui.inbox_view import InboxView
from desktop_tracker.gui.plain_text import plain_label
from desktop_tracker.gui.trackers_model import (
    COLUMNS,
    KIND,
    LAST,
    NAME,
    NEXT,
    SCHEDULE,
    STATUS,
    TRACKER_ID_ROLE,
    UNREAD,
    URL,
    TrackersFilter,
    TrackersModel,
)
from desktop_tracker.gui.tray import APP_TITLE
from desktop_tracker.gui.window_state import STATE_VERSION, WindowState, keep_on_a_screen
from desktop_tracker.service.export_format import read_export_file
from desktop_tracker.service.trackers import TrackerEvent, TrackerService

if TYPE_CHECKING:  # the history window and the editor are imported when first opened
    from desktop_tracker.gui.history_view import HistoryWindow
    from desktop_tracker.gui.tracker_editor import TrackerEditor
    from desktop_tracker.service.preferences import PreferencesService

# Events come in bursts (200 checks finishing): the table is re-read, and the status bar redrawn,
# at most this often, so that the window stays responsive during the burst.
REFRESH_DELAY_MS = 150
STATUS_DELAY_MS = 250
STATE_DELAY_MS = 1000  # the window's state is written this long after it last changed
ERROR_COLUMN_MAX = 420  # px: the last-check column widens this far for a failing tracker's error
NARROW_WIDTH = 760  # px: below this the notifications panel collapses, to leave the table room
INBOX_MIN_WIDTH = 300
BURST_PARALLEL = 8  # checks of "Check all now" handed to the scheduler at a time (its own limit)

EXAMPLE_NAME = "Example"
EXAMPLE_URL = "https://example.com/"

# Left to right when the user has not arranged them: what a tracker is doing first, the URL
# (the longest, elided in the middle) last, where it takes the room that is left.
DEFAULT_ORDER = (NAME, STATUS, NEXT, LAST, UNREAD, SCHEDULE, KIND, URL)
ALWAYS_SHOWN = (NAME, STATUS)
# Fitting the columns to the table: each gets what its contents want up to its cap; when that is
# more than there is room for, these give way, in this order, down to their minimum. The others
# keep their words: Status and Next check. A failing tracker's error in Last check gives way
# last but one, elided (the whole of it is the cell's tool tip), so that no column is pushed out.
COLUMN_CAPS = {
    NAME: 240,
    STATUS: 240,
    NEXT: 200,
    LAST: ERROR_COLUMN_MAX,
    UNREAD: 80,
    SCHEDULE: 240,
    KIND: 160,
    URL: 360,
}
COLUMN_MINIMUMS = {URL: 90, SCHEDULE: 90, KIND: 60, LAST: 150, NAME: 100}


def _tracker_id(job_id: str) -> int | None:
    prefix, _, number = job_id.partition(":")
    return int(number) if prefix == "tracker" and number.isdigit() else None


def progress_text(done: int, total: int) -> str:
    """The status bar's words for a burst: the check it is at, of how many."""
    return f"Checking {min(done + 1, total)} of {total}"


class MainWindow(QMainWindow):
    quit_requested = Signal()
    tray_hint_needed = Signal()  # the window went to the tray for the first time
    paused_changed = Signal(bool)  # "Pause all" / "Resume all" from the window: the tray follows
    rows_shown = Signal(int)  # the table was filled for the first time, with this many rows

    def __init__(
        self,
        trackers: TrackerService,
        scheduler: Scheduler,
        inbox: InboxView,
        *,
        tray_available: bool,
        icon: QIcon | None = None,
        login: LoginEntry | None = None,
        preferences: PreferencesService | None = None,
        state: WindowState | None = None,
        data_dir: Path | None = None,
        log_file: Path | None = None,
    ) -> None:
        super().__init__()
        self._login = login  # the start-at-login entry (None: no such setting here)
        self._trackers = trackers
        self._scheduler = scheduler
        self._preferences = preferences
        self._state = state  # None: nothing remembered (tests, the self-test)
        self._data_dir = data_dir
        self._log_file = log_file
        self._tray_available = tray_available
        self._told_about_tray = False
        self._history_windows: dict[int, HistoryWindow] = {}
        self._editor: TrackerEditor | None = None
        self._dialogs: dict[str, QWidget] = {}  # help, about, preferences: one of each
        self._select_next: int | None = state.selected_tracker if state else None
        self._rows_shown = False
        self._columns_fitted = False
        self._failing_seen: set[int | None] = set()
        self._fitting = False
        self._columns_by_user = state.columns_sized_by_user if state else False
        self._notifications_collapsed = False
        # A burst: the checks counted in it (started, or queued by "Check all now"), how many
        # of them ended, and the ones of the user's not yet handed to the scheduler.
        self._burst_pending: set[int] = set()
        self._burst_total = 0
        self._burst_done = 0
        self._queued: deque[int] = deque()
        self._feeders = 0
        self._running: set[int] = set()
        self.setWindowTitle(APP_TITLE)
        if icon is not None:
            self.setWindowIcon(icon)
        self.resize(1100, 600)

        self.model = TrackersModel()
        self.proxy = TrackersFilter(self.model)
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._status_timer = QTimer(self, singleShot=True, interval=STATUS_DELAY_MS)
        self._status_timer.timeout.connect(self._update_status)
        self._state_timer = QTimer(self, singleShot=True, interval=STATE_DELAY_MS)
        self._state_timer.timeout.connect(self.save_window_state)
        self._fit_timer = QTimer(self, singleShot=True, interval=0)
        self._fit_timer.timeout.connect(self._fit_columns)

        self._build_table()
        self._build_empty_state()
        self._apply_colours()
        self._build_actions()
        self._build_status_bar()
        self._build_inbox(inbox)
        self._restore_window_state()
        set_error_reporter(self.show_error)

        self._unsubscribe = [
            trackers.events.subscribe(self._on_tracker_event),
            scheduler.events.subscribe(self._on_scheduler_event),
        ]
        self._update_actions()
        self.refresh()

    # -- layout ---------------------------------------------------------------------------------

    def _build_table(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.filter_box = QLineEdit(central)
        self.filter_box.setPlaceholderText("Filter by name or URL")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.setAccessibleName("Filter trackers")
        self.filter_box.textChanged.connect(self.proxy.set_text)
        layout.addWidget(self.filter_box)

        self.pages = QStackedWidget(central)
        self.table = QTableView(self.pages)
        self.table.setAccessibleName("Trackers")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        # One line per row, whatever a cell holds: long URLs and errors are elided, in the
        # middle (a URL's host and its end both say which page it is), never wrapped.
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setMinimumSectionSize(40)
        for visual, logical in enumerate(DEFAULT_ORDER):
            header.moveSection(header.visualIndex(logical), visual)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_columns_menu)
        header.sectionResized.connect(self._on_section_resized)
        header.sectionMoved.connect(lambda *_: self._state_changed())
        header.sortIndicatorChanged.connect(lambda *_: self._state_changed())
        # Enter (and a double click) activates a row: its history opens.
        self.table.activated.connect(lambda index: self.open_history(self._id_at(index)))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.table.installEventFilter(self)
        self.pages.addWidget(self.table)
        layout.addWidget(self.pages)

        self.message = plain_label("", central)  # errors in place, in words
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b;")
        self.message.setAccessibleName("Error")
        self.message.hide()
        layout.addWidget(self.message)
        self.setCentralWidget(central)

    def _build_empty_state(self) -> None:
        page = QWidget(self.pages)
        page.setObjectName("empty-state")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        heading = plain_label("Add your first tracker", page)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(heading)
        self.empty_hint = plain_label(
            "A tracker watches one web page on your schedule: its scripts and styles, its text "
            "or its security headers, and tells you when they change.\n\n"
            f"To try one, add a tracker for {EXAMPLE_URL} and check it now.",
            page,
        )
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.empty_hint)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.empty_add_button = QPushButton("Add your first tracker…", page)
        self.empty_add_button.setAccessibleName("Add your first tracker")
        self.empty_add_button.setDefault(True)
        self.empty_add_button.clicked.connect(self.add_tracker)
        self.empty_example_button = QPushButton(f"Try {EXAMPLE_URL}", page)
        self.empty_example_button.setAccessibleName("Add a tracker for the example page")
        self.empty_example_button.clicked.connect(self.add_example_tracker)
        buttons.addWidget(self.empty_add_button)
        buttons.addWidget(self.empty_example_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(2)
        self.empty_state = page
        self.pages.addWidget(page)

    def _action(
        self,
        text: str,
        slot: object,
        shortcut: QKeySequence | QKeySequence.StandardKey | str,
        icon: str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcut(shortcut)
        if icon is not None:
            action.setIcon(action_icon(icon))
        words = text.replace("&", "").replace("…", "")
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{words} ({keys})" if keys else words)
        action.setStatusTip(tip or words)
        action.triggered.connect(slot)  # type: ignore[arg-type]
        self.addAction(action)  # its shortcut works wherever the focus is in the window
        return action

    def _build_actions(self) -> None:
        standard = QKeySequence.StandardKey
        self.add_action = self._action("&Add…", self.add_tracker, standard.New, "add")
        self.edit_action = self._action("&Edit…", self.edit_tracker, "Ctrl+E", "edit")
        self.delete_action = self._action(
            "&Delete…", self.delete_tracker, standard.Delete, "delete"
        )
        self.check_action = self._action("&Check now", self.check_selected, "Ctrl+R", "check")
        self.pause_action = self._action("&Pause", self.toggle_selected, "Ctrl+P", "pause")
        self.history_action = self._action("&History", self.open_history, "Ctrl+H", "history")
        self.pause_all_action = self._action(
            "Pause &all", self.toggle_all, "Ctrl+Shift+P", "pause-all"
        )
        self.check_all_action = self._action(
            "Check a&ll now", self.check_all, "Ctrl+Shift+R", "check-all"
        )
        self.cancel_checks_action = self._action(
            "Ca&ncel checks",
            self.cancel_checks,
            "Ctrl+.",
            tip="Do not start the checks of “Check all now” that have not started yet",
        )
        self.find_action = self._action("&Find…", self.focus_filter, standard.Find)
        self.import_action = self._action("&Import…", self.import_trackers, "Ctrl+I")
        self.export_action = self._action("E&xport…", self.export_trackers, "Ctrl+Shift+E")
        self.preferences_action = self._action(
            "Pre&ferences…", self.open_preferences, "Ctrl+,", "preferences"
        )
        self.quit_action = self._action("&Quit", self.quit_requested.emit, standard.Quit)
        if self.quit_action.shortcut().isEmpty():  # Windows has no standard one
            self.quit_action.setShortcut("Ctrl+Q")
        self.help_action = self._action("&Help", self.open_help, standard.HelpContents, "help")
        if self.help_action.shortcut().isEmpty():
            self.help_action.setShortcut("F1")
        self.about_action = self._action(f"&About {APP_TITLE}", self.open_about, "Ctrl+F1")
        self.autostart_action = self._action(
            "Start at &login",
            self._set_start_at_login,
            "Ctrl+Shift+L",
            tip="Start desktop_tracker in the tray when you log in",
        )
        self.autostart_action.setCheckable(True)
        self.autostart_action.setVisible(self._login is not None)

        toolbar = QToolBar("Trackers", self)
        toolbar.setObjectName("trackers-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonFollowStyle)
        for action in (
            self.add_action,
            self.edit_action,
            self.delete_action,
            None,
            self.check_action,
            self.pause_action,
            self.history_action,
            None,
            self.check_all_action,
            self.pause_all_action,
            None,
            self.preferences_action,
            self.help_action,
        ):
            if action is None:
                toolbar.addSeparator()
                continue
            toolbar.addAction(action)
            button = toolbar.widgetForAction(action)
            if button is not None:
                button.setAccessibleName(action.text().replace("&", "").replace("…", ""))
        self.addToolBar(toolbar)
        self.toolbar = toolbar

        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addActions([self.import_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addAction(self.autostart_action)
        # What the entry is now (the command line may have changed it while the app ran).
        file_menu.aboutToShow.connect(self.sync_start_at_login)
        file_menu.setToolTipsVisible(True)  # says when the entry starts another installation
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.file_menu = file_menu  # the login tick is read when the menu opens, not at start
        edit_menu = menus.addMenu("&Edit")
        edit_menu.addActions([self.find_action, self.preferences_action])
        tracker_menu = menus.addMenu("&Tracker")
        tracker_menu.addActions(
            [
                self.add_action,
                self.edit_action,
                self.delete_action,
                self.check_action,
                self.pause_action,
                self.history_action,
            ]
        )
        tracker_menu.addSeparator()
        tracker_menu.addActions(
            [self.check_all_action, self.pause_all_action, self.cancel_checks_action]
        )
        self.view_menu = menus.addMenu("&View")
        self.columns_menu = QMenu("&Columns", self)
        self.column_actions: dict[int, QAction] = {}
        for column in DEFAULT_ORDER:
            action = QAction(COLUMNS[column], self)
            action.setCheckable(True)
            action.setChecked(True)
            action.setEnabled(column not in ALWAYS_SHOWN)
            action.toggled.connect(lambda shown, c=column: self.set_column_shown(c, shown))
            self.column_actions[column] = action
            self.columns_menu.addAction(action)
        help_menu = menus.addMenu("&Help")
        help_menu.addActions([self.help_action, self.about_action])

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.scheduler_label = QLabel(self)
        self.scheduler_label.setTextFormat(Qt.TextFormat.PlainText)
        self.scheduler_label.setAccessibleName("Scheduler state")
        # A burst's progress: its words, a bar whose total is the burst's, and Cancel. The bar
        # repaints at once (synchronously) on setValue: in a burst of 200 checks that froze the
        # window for hundreds of milliseconds when done per event, so all three are written only
        # by _update_status, at most every STATUS_DELAY_MS.
        self.progress = QLabel(self)
        self.progress.setTextFormat(Qt.TextFormat.PlainText)
        self.progress.setAccessibleName("Checks progress")
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumWidth(140)
        self.progress_bar.setAccessibleName("Checks done")
        self.cancel_button = QToolButton(self)
        self.cancel_button.setDefaultAction(self.cancel_checks_action)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setAccessibleName("Cancel checks not yet started")
        for widget in (self.progress, self.progress_bar, self.cancel_button):
            widget.hide()
            bar.addPermanentWidget(widget)
        bar.addPermanentWidget(self.scheduler_label)
        self._update_status()

    def _build_inbox(self, inbox: InboxView) -> None:
        self.inbox = inbox
        dock = QDockWidget("Notifications", self)
        dock.setObjectName("notifications-dock")
        dock.setAccessibleName("Notifications")
        dock.setWidget(inbox)
        inbox.setMinimumWidth(INBOX_MIN_WIDTH)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.inbox_dock = dock
        toggle = dock.toggleViewAction()
        toggle.setShortcut("Ctrl+Shift+N")
        toggle.setText("&Notifications")
        # The user's choice: the window no longer brings it back when it widens.
        toggle.triggered.connect(self._notifications_chosen)
        self.view_menu.addAction(toggle)
        self.view_menu.addMenu(self.columns_menu)
        for signal in (dock.visibilityChanged, dock.topLevelChanged, dock.dockLocationChanged):
            signal.connect(lambda *_: self._state_changed())
        inbox.open_tracker.connect(self.open_history)
        inbox.unread_changed.connect(self._on_unread_changed)

    # -- remembering ----------------------------------------------------------------------------

    def _restore_window_state(self) -> None:
        state = self._state
        if state is None:
            return
        geometry = state.geometry
        if geometry is not None and self.restoreGeometry(geometry):
            keep_on_a_screen(self)
        docks = state.docks
        if docks is not None:
            self.restoreState(docks, STATE_VERSION)
        self._notifications_collapsed = state.notifications_collapsed
        header_state = state.header(COLUMNS)
        header = self.table.horizontalHeader()
        if header_state is not None and header.restoreState(header_state):
            self._fitting = True  # what restoreState did is no resize by the user
            for column in ALWAYS_SHOWN:
                header.setSectionHidden(column, False)
            header.setStretchLastSection(True)
            self._fitting = False
            self.table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
        for column, action in self.column_actions.items():
            action.blockSignals(True)
            action.setChecked(not header.isSectionHidden(column))
            action.blockSignals(False)

    def save_window_state(self) -> None:
        """Write how the window is now to window.ini (at once; changes call it debounced)."""
        state = self._state
        if state is None:
            return
        self._state_timer.stop()
        state.geometry = self.saveGeometry()
        state.docks = self.saveState(STATE_VERSION)
        state.notifications_collapsed = self._notifications_collapsed
        state.set_header(COLUMNS, self.table.horizontalHeader().saveState())
        state.columns_sized_by_user = self._columns_by_user
        # Until the first rows came, the selection to keep is the one read at start.
        state.selected_tracker = self.selected_id() if self._rows_shown else self._select_next
        state.sync()

    def _state_changed(self) -> None:
        if self._state is not None and not self._state_timer.isActive():
            self._state_timer.start()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._collapse_notifications_if_narrow()
        self._state_changed()

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        self._state_changed()

    def _collapse_notifications_if_narrow(self) -> None:
        """At a narrow width the notifications panel hides, so that the table keeps the room
        for names and statuses; it comes back when the window is wide again, unless the user
        opened or closed it in between (their choice stands)."""
        dock = self.inbox_dock
        narrow = self.width() < NARROW_WIDTH
        if narrow and not dock.isHidden() and not dock.isFloating():
            self._notifications_collapsed = True
            dock.hide()
        elif not narrow and self._notifications_collapsed:
            self._notifications_collapsed = False
            dock.show()

    def _notifications_chosen(self, _checked: bool) -> None:
        self._notifications_collapsed = False

    # -- columns --------------------------------------------------------------------------------

    def _fit_columns(self) -> None:
        """Size the shown columns to their contents, each up to its cap, within the table's
        width: when they want more, the URL gives way first, then the schedule, the kind and
        the name, down to their minimum (COLUMN_MINIMUMS); the others never shrink.
        Only while the user has not sized a column: from then on the widths are theirs."""
        if self._columns_by_user or self.model.rowCount() == 0:
            return
        header = self.table.horizontalHeader()
        room = self.table.viewport().width()
        bar = self.table.verticalScrollBar()
        if not bar.isVisible() and self.table.verticalHeader().length() > self.table.height():
            # The rows just filled are taller than the table: the scroll bar about to appear
            # takes its width from the viewport, which would push the last column out.
            room -= bar.sizeHint().width()
        if room <= 0:
            return
        shown = [c for c in range(len(COLUMNS)) if not header.isSectionHidden(c)]
        wanted = {
            c: min(
                max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c)),
                COLUMN_CAPS[c],
            )
            for c in shown
        }
        excess = sum(wanted.values()) - room
        for column in COLUMN_MINIMUMS:
            if excess <= 0:
                break
            if column in wanted:
                give = max(0, min(excess, wanted[column] - COLUMN_MINIMUMS[column]))
                wanted[column] -= give
                excess -= give
        self._fitting = True
        try:
            for column, width in wanted.items():
                if header.sectionSize(column) != width:
                    header.resizeSection(column, width)
        finally:
            self._fitting = False

    def _on_section_resized(self, _column: int, _old: int, _new: int) -> None:
        # Qt resizes sections itself too (the stretched last one, a restore); a resize while a
        # mouse button is down is the user's own.
        if not self._fitting and QGuiApplication.mouseButtons() != Qt.MouseButton.NoButton:
            self._columns_by_user = True
        self._state_changed()

    def set_column_shown(self, column: int, shown: bool) -> None:
        if column in ALWAYS_SHOWN:
            return
        self.table.horizontalHeader().setSectionHidden(column, not shown)
        action = self.column_actions[column]
        if action.isChecked() != shown:
            action.setChecked(shown)
        self._fit_timer.start()
        self._state_changed()

    def _show_columns_menu(self, position: QPoint) -> None:
        header = self.table.horizontalHeader()
        self.columns_menu.popup(header.mapToGlobal(position))

    def _make_room_for_errors(self) -> None:
        """Widen the last-check column (never narrow it) so that a tracker that started failing
        shows its error in words, not cut to "✗ …": the columns were fitted to what they held
        first, often "never". Capped, so that one long error does not push the rest far away;
        Name, Status and Next check come before it and stay in view."""
        if not self._columns_by_user:
            self._fit_columns()
            return
        wanted = min(self.table.sizeHintForColumn(LAST), ERROR_COLUMN_MAX)
        if self.table.columnWidth(LAST) < wanted:
            self.table.setColumnWidth(LAST, wanted)

    # -- reading --------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the trackers table from the services."""

        def show(rows: list) -> None:  # type: ignore[type-arg]
            selected = self._select_next if self._select_next is not None else self.selected_id()
            self._select_next = None
            self.model.set_rows(rows)
            self.pages.setCurrentWidget(self.table if rows else self.empty_state)
            self.filter_box.setVisible(bool(rows))
            first_fill = not self._rows_shown
            self._rows_shown = True
            fitted = bool(rows) and not self._columns_fitted
            if fitted:
                self._columns_fitted = True
                self._fit_columns()
            failing = {row.tracker.id for row in rows if row.failure is not None}
            if failing - self._failing_seen and not fitted:
                self._make_room_for_errors()
            self._failing_seen = failing
            if selected is not None:
                self.select(selected)
            self._update_actions()
            if first_fill:
                self.rows_shown.emit(len(rows))

        spawn(self._trackers.overview(), on_done=show)

    def schedule_refresh(self) -> None:
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        value = rows[0].data(TRACKER_ID_ROLE)
        return int(value) if value is not None else None

    def selected_tracker(self) -> Tracker | None:
        tracker_id = self.selected_id()
        row = self.model.row_of(tracker_id) if tracker_id is not None else None
        return self.model.overview(row).tracker if row is not None else None

    def select(self, tracker_id: int) -> None:
        row = self.model.row_of(tracker_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, NAME))
        if index.isValid():
            self.table.selectRow(index.row())
            self.table.scrollTo(index)

    def _id_at(self, index: object) -> int | None:
        value = self.proxy.index(index.row(), NAME).data(TRACKER_ID_ROLE)  # type: ignore[attr-defined]
        return int(value) if value is not None else None

    def _selection_changed(self) -> None:
        self._update_actions()
        if self._rows_shown:
            self._state_changed()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table:
            if event.type() == QEvent.Type.FocusIn:
                self._select_on_focus()
            elif event.type() == QEvent.Type.Resize:
                self._fit_timer.start()
        return super().eventFilter(watched, event)

    def _select_on_focus(self) -> None:
        """Coming to the table by keyboard selects a row (the current one, else the first), so
        that Enter, Delete and the arrows act on something that is shown as selected."""
        if self.selected_id() is not None or self.proxy.rowCount() == 0:
            return
        current = self.table.currentIndex()
        row = current.row() if current.isValid() else 0
        self.table.selectRow(row)

    # -- actions --------------------------------------------------------------------------------

    def add_tracker(self) -> None:
        self._open_editor(None)

    def add_example_tracker(self) -> None:
        """The editor for a new tracker, its name and URL filled in with the example's."""
        editor = self._open_editor(None)
        editor.name.setText(EXAMPLE_NAME)
        editor.url.setText(EXAMPLE_URL)

    def edit_tracker(self) -> None:
        tracker = self.selected_tracker()
        if tracker is not None:
            self._open_editor(tracker)

    def _open_editor(self, tracker: Tracker | None) -> TrackerEditor:
        from desktop_tracker.gui.tracker_editor import TrackerEditor

        taken = self.model.names()
        defaults: dict[str, str] = {}
        if self._preferences is not None:
            current = self._preferences.current
            defaults = {
                "default_schedule": current.default_schedule,
                "default_timezone": current.default_timezone,
            }
        editor = TrackerEditor(self, tracker, taken, service=self._trackers, **defaults)
        self._editor = editor

        def accepted() -> None:
            result = editor.result_tracker()
            if result is None:
                return
            work = self._trackers.update(result) if tracker else self._trackers.add(result)
            spawn(work, on_done=lambda saved: self._saved(saved), on_error=self.show_error)

        editor.accepted.connect(accepted)
        editor.open()  # never exec(): a nested event loop would run other tasks re-entrantly
        return editor

    def _saved(self, saved: Tracker) -> None:
        self.statusBar().showMessage(f"Saved {saved.name}", 4000)
        self.clear_error()
        self._select_next = saved.id  # once the table has it
        self.refresh()

    def delete_tracker(self) -> None:
        tracker = self.selected_tracker()
        if tracker is None or tracker.id is None:
            return
        tracker_id = tracker.id
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle("Delete tracker")
        box.setText(f"Delete the tracker “{tracker.name}” and all its history?")
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))

        def answered(_result: int) -> None:
            if box.clickedButton() is delete:
                window = self._history_windows.pop(tracker_id, None)
                if window is not None:
                    window.close()
                spawn(
                    self._trackers.remove(tracker_id),
                    on_done=lambda _: self.refresh(),
                    on_error=self.show_error,
                )

        box.finished.connect(answered)
        self._confirm = box
        box.open()

    def check_selected(self) -> None:
        tracker_id = self.selected_id()
        if tracker_id is not None:
            self._queue_checks([tracker_id])

    def check_all(self) -> None:
        self._queue_checks(self.model.tracker_ids())

    def _queue_checks(self, tracker_ids: list[int]) -> None:
        """Check these trackers now, BURST_PARALLEL at a time: the burst's total is known at
        once, and Cancel can drop the ones not yet handed to the scheduler."""
        new = [t for t in tracker_ids if t not in self._burst_pending]
        self._burst_pending.update(new)
        self._burst_total += len(new)
        self._queued.extend(new)
        while self._feeders < min(BURST_PARALLEL, len(self._queued)):
            self._feeders += 1
            spawn(self._feed_checks(), on_error=self.show_error)
        self._schedule_status()

    async def _feed_checks(self) -> None:
        try:
            while self._queued:
                tracker_id = self._queued.popleft()
                try:
                    run = await self._trackers.check_now(tracker_id)
                except Exception as error:  # removed meanwhile, say: the others go on
                    self._burst_ended(tracker_id)
                    self.show_error(f"Check failed to start: {error}")
                    continue
                if run is not None:  # None: it runs already, and its end is counted
                    # Waited for without being cancelled with this feeder (at quit the
                    # scheduler records it interrupted itself).
                    await asyncio.wait([run])
        finally:
            self._feeders -= 1

    def cancel_checks(self) -> None:
        """Drop the checks of this burst not yet started. Those in flight finish (each ends
        within its timeouts), and schedules are not touched: scheduled checks run as ever."""
        dropped = list(self._queued)
        self._queued.clear()
        self._burst_pending.difference_update(dropped)
        self._burst_total -= len(dropped)
        if dropped:
            self.statusBar().showMessage(f"Cancelled {len(dropped)} checks not yet started", 5000)
        self._update_status()

    def _burst_ended(self, tracker_id: int) -> None:
        if tracker_id in self._burst_pending:
            self._burst_pending.discard(tracker_id)
            self._burst_done += 1

    def toggle_selected(self) -> None:
        tracker = self.selected_tracker()
        if tracker is None or tracker.id is None:
            return
        spawn(
            self._trackers.set_enabled(tracker.id, not tracker.enabled),
            on_done=lambda _: self.refresh(),
            on_error=self.show_error,
        )

    def toggle_all(self) -> None:
        self.set_all_paused(not self._scheduler.paused)

    def set_all_paused(self, paused: bool) -> None:
        """Pause or resume every check, at once, and remember it across restarts."""
        if paused:
            self._scheduler.pause_all()
        else:
            self._scheduler.resume_all()
        if self._preferences is not None and self._preferences.current.scheduler_paused != paused:
            spawn(
                self._preferences.update(scheduler_paused=paused),
                on_error=lambda message: self.show_error(
                    f"“Pause all” will not be remembered at the next start: {message}"
                ),
            )
        self._update_status()
        self._update_actions()
        self.paused_changed.emit(paused)

    def open_history(self, tracker_id: int | None = None) -> None:
        from desktop_tracker.gui.history_view import HistoryWindow

        if not isinstance(tracker_id, int) or isinstance(tracker_id, bool):
            tracker_id = self.selected_id()
        if tracker_id is None:
            return
        window = self._history_windows.get(tracker_id)
        if window is None:
            window = HistoryWindow(self._trackers, tracker_id, self, runs=self._scheduler.events)
            self._history_windows[tracker_id] = window
            window.destroyed.connect(lambda *_: self._history_windows.pop(tracker_id, None))
        window.show()
        window.raise_()
        window.activateWindow()

    def focus_filter(self) -> None:
        self.filter_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_box.selectAll()

    def open_help(self) -> None:
        from desktop_tracker.gui.help_window import HelpWindow

        self._show_one("help", lambda: HelpWindow(self.shortcut_actions(), self))

    def open_about(self) -> None:
        from desktop_tracker.gui.about_dialog import AboutDialog

        data_dir = self._data_dir or Path()
        log_file = self._log_file or data_dir / "desktop-tracker.log"
        self._show_one("about", lambda: AboutDialog(data_dir, log_file, self))

    def open_preferences(self) -> None:
        if self._preferences is None:
            return
        from desktop_tracker.gui.preferences_dialog import PreferencesDialog

        dialog = PreferencesDialog(self._preferences, self._trackers, self, login=self._login)
        self._dialogs["preferences"] = dialog
        dialog.open()  # never exec(): see gui/async_ops.py

    def _show_one(self, name: str, make: object) -> QWidget:
        """Show the window of this name, made the first time (`make()`), raised after."""
        widget = self._dialogs.get(name)
        if widget is None:
            widget = make()  # type: ignore[operator]
            self._dialogs[name] = widget
        widget.show()
        widget.raise_()
        widget.activateWindow()
        return widget

    def shortcut_actions(self) -> list[QAction]:
        """Every action of the menus, for the help's list of shortcuts."""
        actions: list[QAction] = []
        for menu_action in self.menuBar().actions():
            menu = menu_action.menu()
            if menu is None:
                continue
            for action in menu.actions():
                if action.menu() is None and not action.isSeparator() and action.isVisible():
                    actions.append(action)
        return actions

    def import_trackers(self) -> None:
        dialog = QFileDialog(self, "Import trackers", str(Path.home()), "JSON files (*.json)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self._import_from)
        self._file_dialog = dialog
        dialog.open()

    def _import_from(self, path: str) -> None:
        # The command line's reader (service/export_format.py): a size cap, UTF-8 and JSON
        # errors, nesting and duplicate keys all refused in words (ImportRefused), and the
        # import is all or nothing. Read in a thread: a file may be tens of megabytes.
        async def read_and_import() -> list[Tracker]:
            data = await asyncio.to_thread(read_export_file, Path(path))
            return await self._trackers.import_(data)

        def imported(saved: list[Tracker]) -> None:
            self.clear_error()
            self.statusBar().showMessage(f"Imported {len(saved)} trackers", 5000)

        spawn(
            read_and_import(),
            on_done=imported,
            on_error=lambda message: self.show_error(f"Import failed: {message}"),
        )

    def export_trackers(self) -> None:
        dialog = QFileDialog(
            self, "Export trackers", str(Path.home() / "trackers.json"), "JSON files (*.json)"
        )
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("json")
        dialog.fileSelected.connect(self._export_to)
        self._file_dialog = dialog
        dialog.open()

    def _export_to(self, path: str) -> None:
        # The command line's writer: the file is readable by the user alone (0600), since it
        # holds request headers (cookies, tokens); what goes wrong is an ExportFailed in words.
        def exported(count: int) -> None:
            self.clear_error()
            self.statusBar().showMessage(f"Exported {count} trackers to {path}", 5000)

        spawn(
            self._trackers.export_to(Path(path)),
            on_done=exported,
            on_error=lambda message: self.show_error(f"Export failed: {message}"),
        )

    def sync_start_at_login(self) -> None:
        """Check "Start at login" as the login entry really is."""
        if self._login is None:
            return
        try:
            status = self._login.status()
        except AutostartError as error:
            self._show_start_at_login(False, str(error))
            return
        self._show_login_status(status)

    def _show_login_status(self, status: AutostartStatus) -> None:
        if status.is_ours or not status.enabled:
            note = ""
        else:
            note = f"Starts at login, {status.describe().removeprefix('on, ')}"
        self._show_start_at_login(status.enabled, note)

    def _show_start_at_login(self, checked: bool, note: str) -> None:
        self.autostart_action.blockSignals(True)  # showing the state is not a request
        self.autostart_action.setChecked(checked)
        self.autostart_action.blockSignals(False)
        tip = note or "Start desktop_tracker in the tray when you log in"
        self.autostart_action.setToolTip(tip)
        self.autostart_action.setStatusTip(tip)

    def _set_start_at_login(self, checked: bool) -> None:
        if self._login is None:
            return
        try:
            status = set_enabled(self._login, checked)
        except AutostartError as error:
            self.show_error(f"Start at login: {error}")
            self.sync_start_at_login()
            return
        self.clear_error()
        self._show_login_status(status)  # set_enabled has just read it back
        self.statusBar().showMessage(
            "desktop_tracker will start in the tray at login"
            if status.enabled
            else "desktop_tracker will not start at login",
            5000,
        )

    # -- state ----------------------------------------------------------------------------------

    def show_error(self, message: str) -> None:
        self.message.setText(f"⚠ {message}")
        self.message.show()

    def clear_error(self) -> None:
        self.message.hide()

    def _update_actions(self) -> None:
        tracker = self.selected_tracker()
        for action in (
            self.edit_action,
            self.delete_action,
            self.check_action,
            self.pause_action,
            self.history_action,
        ):
            action.setEnabled(tracker is not None)
        resume = tracker is not None and not tracker.enabled
        self.pause_action.setText("&Resume" if resume else "&Pause")
        self.pause_action.setIcon(action_icon("resume" if resume else "pause"))
        paused = self._scheduler.paused
        self.pause_all_action.setText("Resume &all" if paused else "Pause &all")
        self.pause_all_action.setIcon(action_icon("resume" if paused else "pause-all"))
        self.cancel_checks_action.setEnabled(bool(self._queued))

    def _schedule_status(self) -> None:
        if not self._status_timer.isActive():
            self._status_timer.start()

    def _update_status(self) -> None:
        """The scheduler's state and the burst's progress (at most every STATUS_DELAY_MS)."""
        self.model.set_running(self._running)
        running = len(self._running)
        state = "Scheduler paused" if self._scheduler.paused else "Scheduler running"
        if running:
            state += f" — checking {running}"
        self.scheduler_label.setText(state)
        if not self._burst_pending and not self._queued:
            self._burst_total = self._burst_done = 0
        in_burst = self._burst_total > 1
        if in_burst:
            self.progress.setText(progress_text(self._burst_done, self._burst_total))
            self.progress_bar.setMaximum(self._burst_total)
            self.progress_bar.setValue(self._burst_done)
        for widget in (self.progress, self.progress_bar):
            widget.setVisible(in_burst)
        self.cancel_button.setVisible(in_burst and bool(self._queued))
        self.cancel_checks_action.setEnabled(bool(self._queued))

    def _on_unread_changed(self, count: int) -> None:
        self.inbox_dock.setWindowTitle(f"Notifications ({count})" if count else "Notifications")
        self.schedule_refresh()

    def _on_tracker_event(self, event: TrackerEvent) -> None:
        self.schedule_refresh()

    def _on_scheduler_event(self, event: SchedulerEvent) -> None:
        if not isinstance(event, JobStarted | JobFinished | JobFailed | RunInterrupted):
            return
        tracker_id = _tracker_id(event.job_id)
        if tracker_id is None:
            return
        if isinstance(event, JobStarted):
            # A scheduled check joins the burst; one of "Check all now" is counted already.
            if tracker_id not in self._burst_pending:
                self._burst_pending.add(tracker_id)
                self._burst_total += 1
            self._running.add(tracker_id)
        else:
            self._burst_ended(tracker_id)
            self._running.discard(tracker_id)
            self.schedule_refresh()
        self._schedule_status()

    def _apply_colours(self) -> None:
        # Failing rows in the theme's red (beside their icon and words), light or dark. The
        # window's own palette: when the window hears of a change, its children (the table)
        # still have the old one; they are told after it.
        colours = ChangeColours.from_palette(self.palette())
        self.model.set_failing_colour(colours.accent["red"])
        # The error line too: a fixed red is unreadable on a dark window (2.5:1).
        self.message.setStyleSheet(f"color: {colours.accent['red'].name()};")

    def changeEvent(self, event: QEvent) -> None:
        palette_changed = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if event.type() in palette_changed and hasattr(self, "table"):
            self._apply_colours()
        super().changeEvent(event)

    def set_tray_available(self, available: bool) -> None:
        """Whether closing the window leaves the app running in the tray."""
        self._tray_available = available

    def _closes_to_tray(self) -> bool:
        if not self._tray_available:
            return False
        return self._preferences is None or self._preferences.current.close_to_tray

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_window_state()
        event.ignore()
        if self._closes_to_tray():
            # Checks go on in the background; say so the first time only.
            self.hide()
            if not self._told_about_tray:
                self._told_about_tray = True
                self.tray_hint_needed.emit()
            return
        self.quit_requested.emit()

    def dispose(self) -> None:
        """Remember the window, and stop listening to the services (before they close)."""
        self.save_window_state()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        self._queued.clear()
        set_error_reporter(None)
        for window in list(self._history_windows.values()):
            window.close()
        for widget in self._dialogs.values():
            widget.close()
