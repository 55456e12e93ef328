"""The main window: the trackers table, its toolbar and menus, and the scheduler's status."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.autostart import AutostartError, AutostartStatus, LoginEntry, set_enabled
from desktop_tracker.core.events import JobFailed, JobFinished, JobStarted, SchedulerEvent
from desktop_tracker.core.scheduler import Scheduler
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.async_ops import set_error_reporter, spawn
from desktop_tracker.gui.diff_view import ChangeColours
from desktop_tracker.gui.history_view import HistoryWindow
from desktop_tracker.gui.inbox_view import InboxView
from desktop_tracker.gui.plain_text import plain_label
from desktop_tracker.gui.tracker_editor import TrackerEditor
from desktop_tracker.gui.trackers_model import (
    LAST,
    NAME,
    TRACKER_ID_ROLE,
    UNREAD,
    URL,
    TrackersFilter,
    TrackersModel,
)
from desktop_tracker.service.export_format import read_export_file
from desktop_tracker.service.trackers import TrackerEvent, TrackerService

# Events come in bursts (200 checks finishing): the table is re-read, and the status bar redrawn,
# at most this often, so that the window stays responsive during the burst.
REFRESH_DELAY_MS = 150
STATUS_DELAY_MS = 250
ERROR_COLUMN_MAX = 420  # px: the last-check column widens this far for a failing tracker's error


def _tracker_id(job_id: str) -> int | None:
    prefix, _, number = job_id.partition(":")
    return int(number) if prefix == "tracker" and number.isdigit() else None


class MainWindow(QMainWindow):
    quit_requested = Signal()
    tray_hint_needed = Signal()  # the window went to the tray for the first time

    def __init__(
        self,
        trackers: TrackerService,
        scheduler: Scheduler,
        inbox: InboxView,
        *,
        tray_available: bool,
        icon: QIcon | None = None,
        login: LoginEntry | None = None,
    ) -> None:
        super().__init__()
        self._login = login  # the start-at-login entry (None: no such setting here)
        self._trackers = trackers
        self._scheduler = scheduler
        self._tray_available = tray_available
        self._told_about_tray = False
        self._history_windows: dict[int, HistoryWindow] = {}
        self._editor: TrackerEditor | None = None
        self._burst_total = 0
        self._burst_done = 0
        self._select_next: int | None = None
        self._columns_fitted = False
        self._failing_seen: set[int | None] = set()
        self.setWindowTitle("desktop_tracker")
        if icon is not None:
            self.setWindowIcon(icon)
        self.resize(1100, 600)

        self.model = TrackersModel()
        self.proxy = TrackersFilter(self.model)
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._running: set[int] = set()
        self._status_timer = QTimer(self, singleShot=True, interval=STATUS_DELAY_MS)
        self._status_timer.timeout.connect(self._update_status)

        self._build_table()
        self._apply_colours()
        self._build_actions()
        self._build_status_bar()
        self._build_inbox(inbox)
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
        self.filter_box.textChanged.connect(self.proxy.set_text)
        layout.addWidget(self.filter_box)

        self.table = QTableView(central)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(URL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(UNREAD, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _index: self.open_history())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        layout.addWidget(self.table)

        self.empty_hint = plain_label(
            "No trackers yet. Add one with Tracker → Add (Ctrl+N): a page's scripts and "
            "stylesheets are checked on your schedule, and you hear when they change.",
            central,
        )
        self.empty_hint.setWordWrap(True)
        layout.addWidget(self.empty_hint)
        self.message = plain_label("", central)  # errors in place, in words
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b;")
        self.message.hide()
        layout.addWidget(self.message)
        self.setCentralWidget(central)

    def _action(
        self, text: str, slot: object, shortcut: QKeySequence | str | None = None, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.setStatusTip(tip or text.replace("&", "").replace("…", ""))
        action.triggered.connect(slot)  # type: ignore[arg-type]
        return action

    def _build_actions(self) -> None:
        self.add_action = self._action("&Add…", self.add_tracker, QKeySequence.StandardKey.New)
        self.edit_action = self._action("&Edit…", self.edit_tracker, "Ctrl+E")
        self.delete_action = self._action(
            "&Delete…", self.delete_tracker, QKeySequence.StandardKey.Delete
        )
        self.check_action = self._action("&Check now", self.check_selected, "Ctrl+R")
        self.pause_action = self._action("&Pause", self.toggle_selected, "Ctrl+P")
        self.history_action = self._action("&History", self.open_history, "Ctrl+H")
        self.pause_all_action = self._action("Pause &all", self.toggle_all)
        self.check_all_action = self._action("Check a&ll now", self.check_all, "Ctrl+Shift+R")
        self.import_action = self._action("&Import…", self.import_trackers, "Ctrl+I")
        self.export_action = self._action("E&xport…", self.export_trackers, "Ctrl+Shift+E")
        self.quit_action = self._action("&Quit", self.quit_requested.emit, "Ctrl+Q")
        self.autostart_action = self._action(
            "Start at &login",
            self._set_start_at_login,
            tip="Start desktop_tracker in the tray when you log in",
        )
        self.autostart_action.setCheckable(True)
        self.autostart_action.setVisible(self._login is not None)

        toolbar = QToolBar("Trackers", self)
        toolbar.setObjectName("trackers-toolbar")
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
        ):
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)
        self.addToolBar(toolbar)

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
        tracker_menu.addActions([self.check_all_action, self.pause_all_action])
        self.view_menu = menus.addMenu("&View")

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.scheduler_label = QLabel(self)
        self.scheduler_label.setTextFormat(Qt.TextFormat.PlainText)
        # Progress in words: QProgressBar.setValue repaints at once (synchronously), which in a
        # burst of 200 checks froze the window for hundreds of milliseconds; a label repaints
        # with the next frame.
        self.progress = QLabel(self)
        self.progress.setTextFormat(Qt.TextFormat.PlainText)
        self.progress.hide()
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.scheduler_label)
        self._update_status()

    def _build_inbox(self, inbox: InboxView) -> None:
        self.inbox = inbox
        dock = QDockWidget("Notifications", self)
        dock.setObjectName("notifications-dock")
        dock.setWidget(inbox)
        inbox.setMinimumWidth(340)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.inbox_dock = dock
        toggle = dock.toggleViewAction()
        toggle.setShortcut("Ctrl+Shift+N")
        self.view_menu.addAction(toggle)
        inbox.open_tracker.connect(self.open_history)
        inbox.unread_changed.connect(self._on_unread_changed)

    # -- reading --------------------------------------------------------------------------------

    def _make_room_for_errors(self) -> None:
        """Widen the last-check column (never narrow it) so that a tracker that started failing
        shows its error in words, not cut to "✗ …": the columns were fitted to what they held
        first, often "never". Capped, so that one long error does not push the rest away."""
        wanted = min(self.table.sizeHintForColumn(LAST), ERROR_COLUMN_MAX)
        if self.table.columnWidth(LAST) < wanted:
            self.table.setColumnWidth(LAST, wanted)

    def refresh(self) -> None:
        """Re-read the trackers table from the services."""

        def show(rows: list) -> None:  # type: ignore[type-arg]
            selected = self._select_next or self.selected_id()
            self._select_next = None
            self.model.set_rows(rows)
            if rows and not self._columns_fitted:
                # Fit the columns to their first contents once; after that they are the user's.
                self._columns_fitted = True
                self.table.resizeColumnsToContents()
                self.table.horizontalHeader().setSectionResizeMode(
                    URL, QHeaderView.ResizeMode.Stretch
                )
            failing = {row.tracker.id for row in rows if row.failure is not None}
            if failing - self._failing_seen:
                self._make_room_for_errors()
            self._failing_seen = failing
            self.empty_hint.setVisible(not rows)
            if selected is not None:
                self.select(selected)
            self._update_actions()

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
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.selectRow(index.row())

    # -- actions --------------------------------------------------------------------------------

    def add_tracker(self) -> None:
        self._open_editor(None)

    def edit_tracker(self) -> None:
        tracker = self.selected_tracker()
        if tracker is not None:
            self._open_editor(tracker)

    def _open_editor(self, tracker: Tracker | None) -> None:
        taken = [self.model.overview(r).tracker.name for r in range(self.model.rowCount())]
        editor = TrackerEditor(self, tracker, taken, service=self._trackers)
        self._editor = editor

        def accepted() -> None:
            result = editor.result_tracker()
            if result is None:
                return
            work = self._trackers.update(result) if tracker else self._trackers.add(result)
            spawn(work, on_done=lambda saved: self._saved(saved), on_error=self.show_error)

        editor.accepted.connect(accepted)
        editor.open()  # never exec(): a nested event loop would run other tasks re-entrantly

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
            spawn(self._trackers.check_now(tracker_id), on_error=self.show_error)

    def check_all(self) -> None:
        async def check_every_one() -> None:
            for row in range(self.model.rowCount()):
                tracker_id = self.model.overview(row).tracker.id
                if tracker_id is not None:
                    await self._trackers.check_now(tracker_id)

        spawn(check_every_one(), on_error=self.show_error)

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
        if paused:
            self._scheduler.pause_all()
        else:
            self._scheduler.resume_all()
        self._update_status()
        self._update_actions()

    def open_history(self, tracker_id: int | None = None) -> None:
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
        self.pause_action.setText("&Resume" if tracker and not tracker.enabled else "&Pause")
        self.pause_all_action.setText("Resume &all" if self._scheduler.paused else "Pause &all")

    def _update_status(self) -> None:
        self.model.set_running(self._running)
        running = len(self._running)
        state = "Scheduler paused" if self._scheduler.paused else "Scheduler running"
        if running:
            state += f" — checking {running}"
        self.scheduler_label.setText(state)
        if running > 1 or (self._burst_total > 1 and running):
            self.progress.setText(f"{self._burst_done} of {self._burst_total} checks done")
            self.progress.show()
        elif not running:
            self._burst_total = self._burst_done = 0
            self.progress.hide()

    def _on_unread_changed(self, count: int) -> None:
        self.inbox_dock.setWindowTitle(f"Notifications ({count})" if count else "Notifications")
        self.schedule_refresh()

    def _on_tracker_event(self, event: TrackerEvent) -> None:
        self.schedule_refresh()

    def _on_scheduler_event(self, event: SchedulerEvent) -> None:
        if not isinstance(event, JobStarted | JobFinished | JobFailed):
            return
        tracker_id = _tracker_id(event.job_id)
        if tracker_id is None:
            return
        if isinstance(event, JobStarted):
            self._burst_total += 1
            self._running.add(tracker_id)
        else:
            self._burst_done += 1
            self._running.discard(tracker_id)
            self.schedule_refresh()
        if not self._status_timer.isActive():
            self._status_timer.start()

    def _apply_colours(self) -> None:
        # Failing rows in the theme's red (beside their icon and words), light or dark.
        colours = ChangeColours.from_palette(self.table.palette())
        self.model.set_failing_colour(colours.accent["red"])

    def changeEvent(self, event: QEvent) -> None:
        palette_changed = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if event.type() in palette_changed and hasattr(self, "table"):
            self._apply_colours()
        super().changeEvent(event)

    def set_tray_available(self, available: bool) -> None:
        """Whether closing the window leaves the app running in the tray."""
        self._tray_available = available

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._tray_available:
            # Checks go on in the background; say so the first time only.
            event.ignore()
            self.hide()
            if not self._told_about_tray:
                self._told_about_tray = True
                self.tray_hint_needed.emit()
            return
        event.ignore()
        self.quit_requested.emit()

    def dispose(self) -> None:
        """Stop listening to the services (before they close)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        set_error_reporter(None)
        for window in list(self._history_windows.values()):
            window.close()
