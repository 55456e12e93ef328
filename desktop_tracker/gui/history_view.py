"""A tracker's history: its kept revisions, the diff of any one against any other, its run log.

Revisions are shown by their kind's diff view (gui/kinds/diff_views.py), chosen by the revision's
kind: the view here never asks which kind it is. A diff view may propose an ignore or mask rule
("Ignore this"); the history asks the user, showing the rule, and adds it to the tracker, to apply
from its next check.

`HistoryView` loads when first shown, through `spawn` (never blocking the loop), and loads again
when the service says a revision of its tracker was saved or a run of it failed for good
(`CheckFailed`, told or not), and, given the scheduler's events, when any run of it ends. It
subscribes in its constructor and unsubscribes when it is closed or destroyed, so a closed window
is never called back. `HistoryWindow` wraps it in a window of its own, opened non-modally.

However many revisions are kept, a load reads the list of them without their snapshots
(`TrackerService.revision_list`) and the newest `PAGE` with their snapshots and diffs; the list
fetches the next page when it is scrolled to its end (Qt's fetchMore), so opening the window
costs the same with 10 revisions or 1,000. Comparing with any other revision reads just the two.

Every action has a key (shown in its tool tip and in the window's menu): F5 refreshes,
Ctrl+Shift+Del clears the history, Escape (or Ctrl+W) closes the window; Alt+R and Alt+L switch
between the revisions and the run log, Alt+C goes to "Compare with". Every control has an
accessible name.

Names, URLs and errors come from the web or the user: they are shown by plain-text labels,
DisplayRole strings and escaped tool tips only (see plain_text.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QColor, QKeySequence, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.core.events import (
    EventBus,
    JobFailed,
    JobFinished,
    RunSkipped,
    SchedulerEvent,
)
from desktop_tracker.core.jobs import RunOutcome, RunRecord
from desktop_tracker.core.quoting import quote
from desktop_tracker.domain.revisions import Notification, Revision, RevisionInfo
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.async_ops import spawn
from desktop_tracker.gui.diff_view import (
    WARNING,
    Accent,
    Cell,
    ChangeColours,
    KindDiffView,
    RowsModel,
    RuleKind,
    action_button,
    configure_table,
    view_action,
)
from desktop_tracker.gui.kinds.diff_views import diff_view_for
from desktop_tracker.gui.plain_text import plain_label, window_title_text
from desktop_tracker.kinds.base import Diff, Finding
from desktop_tracker.kinds.registry import DEFAULT_KIND, UnknownKind, kind_for
from desktop_tracker.service.trackers import (
    CheckFailed,
    Comparison,
    HistoryEntry,
    NotificationStored,
    RevisionSaved,
    TrackerEvent,
    TrackersChanged,
    TrackerService,
)

T = TypeVar("T")

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
PREVIOUS = "Previous revision"
PAGE = 30  # revisions read with their snapshots and diffs at a time: a few screens of the list


def local_time(timestamp: float) -> str:
    """Epoch seconds as the user's local wall time; sortable and unambiguous."""
    return datetime.fromtimestamp(timestamp).strftime(TIME_FORMAT)


def format_seconds(seconds: float) -> str:
    """A duration in the unit a person would use: 35 ms, 1.2 s, 3 min 5 s, 2 h 10 min."""
    size = abs(seconds)
    if size < 1:
        return f"{size * 1000:.0f} ms"
    if size < 60:
        return f"{size:.1f} s"
    if size < 3600:
        return f"{int(size // 60)} min {int(size % 60)} s"
    return f"{int(size // 3600)} h {int(size % 3600 // 60)} min"


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0] if stripped else ""


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


# -- models -----------------------------------------------------------------------------------


def _kind_label(kind: str) -> str:
    try:
        return kind_for(kind).label
    except UnknownKind:
        return kind


def _describe_ignore(kind: str) -> str:
    try:
        return kind_for(kind).describe_ignore()
    except UnknownKind:
        return "parts"


class RevisionsModel(RowsModel):
    """Kept revisions, newest first: time, the change in words (the diff's summary), findings.

    A long history comes a page at a time: while `more` says that older revisions are kept than
    are shown, a view scrolled to the last row asks for them (Qt's canFetchMore and fetchMore,
    called when the view scrolls or lays out, never per cell), and `more_wanted` is called; the
    rows come later, through `append_items`.
    """

    COLUMNS = ("Time", "Change", "Findings")
    CHANGE_COLUMN = 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(self.COLUMNS, parent)
        self.more = False
        self.more_wanted: Callable[[], None] | None = None

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return self.more and not parent.isValid()

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if self.canFetchMore(parent) and self.more_wanted is not None:
            self.more_wanted()

    def entries(self) -> list[HistoryEntry]:
        return list(self.items)

    def cells(self, item: HistoryEntry, colours: ChangeColours) -> list[Cell]:
        revision = item.revision
        details = [
            _kind_label(revision.kind),
            f"HTTP {revision.status} from {revision.final_url}",
        ]
        findings = item.diff.findings if item.diff is not None else []
        return [
            Cell(local_time(revision.created_at), tooltip="\n".join(details)),
            Cell(
                item.diff.summary() if item.diff is not None else "baseline",
                tooltip=None if item.diff is not None else "The oldest kept revision",
            ),
            Cell(
                f"{WARNING} {len(findings)}" if findings else "",
                tooltip="\n".join(f"{WARNING} {f.message}" for f in findings) or None,
                foreground=colours.accent["amber"] if findings else None,
                bold=bool(findings),
            ),
        ]


_OUTCOMES: dict[RunOutcome, tuple[str, Accent | None]] = {
    RunOutcome.SUCCEEDED: ("✓ succeeded", "green"),
    RunOutcome.FAILED: ("✗ failed", "red"),
    RunOutcome.INTERRUPTED: ("↯ interrupted", "amber"),
    RunOutcome.SKIPPED: ("» skipped", None),
    RunOutcome.RUNNING: ("… running", None),
}


class RunsModel(RowsModel):
    """The tracker's runs, newest first; errors on one line, in full in the tool tip."""

    COLUMNS = ("Planned", "Started", "Late by", "Duration", "Outcome", "Attempt", "Error")
    ERROR_COLUMN = 6

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(self.COLUMNS, parent)

    def runs(self) -> list[RunRecord]:
        return list(self.items)

    def cells(self, item: RunRecord, colours: ChangeColours) -> list[Cell]:
        text, accent = _OUTCOMES.get(item.outcome, (str(item.outcome), None))
        late = item.started_at - item.planned_at
        if item.ended_at is not None:
            duration = format_seconds(item.ended_at - item.started_at)
        else:
            duration = "running…" if item.outcome is RunOutcome.RUNNING else "—"
        started = local_time(item.started_at)
        if started[:10] == local_time(item.planned_at)[:10]:
            started = started[11:]  # the same day as planned: the time says enough
        return [
            Cell(local_time(item.planned_at)),
            Cell(started),
            Cell(
                ("−" if late < 0 else "+") + format_seconds(late),
                tooltip="How long after its planned time the run started",
                align_right=True,
            ),
            Cell(duration, align_right=True),
            Cell(
                text,
                foreground=colours.accent[accent] if accent else None,
                bold=item.outcome is RunOutcome.FAILED,
            ),
            Cell(str(item.attempt), align_right=True),
            Cell(_first_line(item.error or ""), tooltip=item.error or None),
        ]


# -- the view ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Snapshot:
    tracker: Tracker
    kept: list[RevisionInfo]  # every kept revision, newest first
    entries: list[HistoryEntry]  # the newest of them, with their diffs: the rows shown
    runs: list[RunRecord]


class _Lifetime:
    """What must end with the view: the event subscription and the work in flight.

    A plain Python object, so `destroyed` can end it after the C++ widget is gone, without
    touching the widget.
    """

    def __init__(self) -> None:
        self.alive = True
        self.unsubscribe: list[Callable[[], None]] = []
        self.tasks: set[asyncio.Task[Any]] = set()

    def end(self, *_: object) -> None:
        self.alive = False
        for unsubscribe in self.unsubscribe:
            unsubscribe()
        self.unsubscribe = []
        for task in list(self.tasks):
            task.cancel()
        self.tasks.clear()


class HistoryView(QWidget):
    """The history of one tracker. Loads when first shown; `reload()` loads again.

    `runs`: the scheduler's events, when it runs in this process; then the run log follows every
    run of the tracker as it ends (a success that changed nothing saves no revision).
    """

    loaded = Signal()  # a load finished and is shown (diff included, unless one is being compared)
    more_loaded = Signal()  # a page of older revisions was added to the end of the list
    load_failed = Signal(str)  # a load failed; the message is shown in place
    diff_shown = Signal()  # the diff pane shows the current selection and compare choice
    # ("ignore" | "mask", pattern): a rule asked for is on the tracker (added, or there already)
    rule_added = Signal(str, str)
    rule_failed = Signal(str)  # a rule could not be added; the message is shown in place

    def __init__(
        self,
        service: TrackerService,
        tracker_id: int,
        parent: QWidget | None = None,
        *,
        runs: EventBus[SchedulerEvent] | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runs_events = runs
        self._tracker_id = tracker_id
        self._job_id = f"tracker:{tracker_id}"
        self._tracker: Tracker | None = None
        self._loading = False
        self._reload_again = False
        self._stale = True  # not loaded yet, or changed while hidden
        self._diff_request = 0  # the latest compare asked for; older answers are dropped
        self._filling = False  # the revision list is being refilled: selection is not the user's
        self._kept: list[RevisionInfo] = []  # every kept revision as last loaded, newest first
        self._kept_times: list[str] = []  # their local times, worked out once a load
        self._generation = 0  # one more at each load: a page asked for before it is dropped
        self._fetching_more = False
        self._life = _Lifetime()
        self._subscribe()
        # The lifetime object, not the widget, is called: the widget is gone by then.
        self.destroyed.connect(self._life.end)

        self._title = plain_label("", self)
        font = self._title.font()
        font.setBold(True)
        self._title.setFont(font)
        self._address = plain_label("", self)
        self._address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._status = plain_label("Loading…", self)
        self._error = plain_label("", self)
        self._error.setWordWrap(True)
        self._error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._error.hide()
        self._notice = plain_label("", self)  # what became of an "Ignore this"
        self._notice.setWordWrap(True)
        self._notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._notice.hide()
        # Also in the window's menu, with their keys.
        self.refresh_action = view_action(
            self, "&Refresh", QKeySequence.StandardKey.Refresh, self.reload
        )
        self.clear_action = view_action(
            self, "&Clear history…", "Ctrl+Shift+Del", self.ask_clear_history
        )
        self.clear_action.setEnabled(False)
        self._refresh = action_button(
            self.refresh_action, "Refresh", "Load the history and the run log again", self
        )
        self._clear = action_button(
            self.clear_action, "Clear history…", "Delete every kept revision of this tracker", self
        )

        self._revisions = RevisionsModel(self)
        self._revisions.more_wanted = self._fetch_more
        self._revision_table = QTableView(self)
        self._revision_table.setModel(self._revisions)
        self._revision_table.setAccessibleName("Revisions")
        configure_table(self._revision_table, stretch=RevisionsModel.CHANGE_COLUMN)
        self._revision_table.setColumnWidth(0, 160)
        self._revision_table.setColumnWidth(2, 90)

        self._compare = QComboBox(self)
        self._compare.setAccessibleName("Compare with")
        # A fixed width: the list changes with the selection and must not shift the layout.
        self._compare.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._compare.setMinimumContentsLength(34)
        self._compare.setToolTip("Diff the selected revision against another one (Alt+C)")
        compare_label = plain_label("&Compare with:", self)
        compare_label.setBuddy(self._compare)  # Alt+C
        self._caption = plain_label("", self)
        # One diff view per kind, made when a revision of that kind is first shown.
        self._diffs = QStackedWidget(self)
        self._views: dict[str, KindDiffView] = {}
        self._diff = self._view_for(DEFAULT_KIND)

        self._runs = RunsModel(self)
        self._run_table = QTableView(self)
        self._run_table.setModel(self._runs)
        self._run_table.setAccessibleName("Run log")
        configure_table(self._run_table, stretch=RunsModel.ERROR_COLUMN)
        for column, width in enumerate((150, 80, 80, 80, 110, 60)):
            self._run_table.setColumnWidth(column, width)

        self._layout_widgets(compare_label)
        self._refill_compare(None)
        self._colours = ChangeColours.from_palette(self.palette())
        self._apply_colours()

        self._compare.currentIndexChanged.connect(self._show_selected_diff)
        self._revision_table.selectionModel().selectionChanged.connect(self._on_selection)

    def _layout_widgets(self, compare_label: QLabel) -> None:
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self._title)
        names.addWidget(self._address)
        header = QHBoxLayout()
        header.addLayout(names, 1)
        header.addWidget(self._status)
        header.addWidget(self._refresh)
        header.addWidget(self._clear)

        compare_bar = QHBoxLayout()
        compare_bar.addWidget(compare_label)
        compare_bar.addWidget(self._compare)
        compare_bar.addWidget(self._caption, 1)
        diff_pane = QWidget(self)
        diff_layout = QVBoxLayout(diff_pane)
        diff_layout.setContentsMargins(0, 0, 0, 0)
        diff_layout.addLayout(compare_bar)
        diff_layout.addWidget(self._diffs, 1)

        # Revisions above the diff: the diff's URLs need the whole width.
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self._revision_table)
        splitter.addWidget(diff_pane)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)

        self._tabs = QTabWidget(self)
        self._tabs.setAccessibleName("History")
        self._tabs.tabBar().setAccessibleName("Revisions or run log")
        self._tabs.addTab(splitter, "&Revisions")  # Alt+R
        self._tabs.addTab(self._run_table, "Run &log")  # Alt+L
        self._diffs.setAccessibleName("Diff")

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self._error)
        layout.addWidget(self._notice)
        layout.addWidget(self._tabs, 1)
        layout.addStretch(0)  # keeps the error at the top while the tabs are hidden

    # -- public --------------------------------------------------------------------------------

    @property
    def tracker_id(self) -> int:
        return self._tracker_id

    @property
    def tracker(self) -> Tracker | None:
        """The tracker as last loaded."""
        return self._tracker

    @property
    def revisions_model(self) -> RevisionsModel:
        return self._revisions

    @property
    def revision_table(self) -> QTableView:
        return self._revision_table

    @property
    def runs_model(self) -> RunsModel:
        return self._runs

    @property
    def run_table(self) -> QTableView:
        return self._run_table

    @property
    def diff_view(self) -> KindDiffView:
        """The diff view shown: the selected revision's kind's."""
        return self._diff

    @property
    def compare_combo(self) -> QComboBox:
        return self._compare

    @property
    def clear_button(self) -> QPushButton:
        return self._clear

    @property
    def tabs(self) -> QTabWidget:
        return self._tabs

    @property
    def error_text(self) -> str:
        """The load error shown in place, "" when there is none."""
        return self._error.text() if not self._error.isHidden() else ""

    @property
    def notice_text(self) -> str:
        """What became of the last rule asked for from a diff, "" before any."""
        return self._notice.text() if not self._notice.isHidden() else ""

    def plain_labels(self) -> list[QLabel]:
        """Every label that may show web or user text (for the plain-text tests)."""
        return [
            self._title,
            self._address,
            self._status,
            self._error,
            self._notice,
            self._caption,
            *(label for view in self._views.values() for label in view.labels()),
        ]

    def selected_entry(self) -> HistoryEntry | None:
        rows = self._revision_table.selectionModel().selectedRows()
        return self._revisions.entry(rows[0].row()) if rows else None

    def select_revision(self, revision_id: int) -> None:
        for row, entry in enumerate(self._revisions.entries()):
            if entry.revision.id == revision_id:
                self._revision_table.selectRow(row)
                return
        raise LookupError(f"revision {revision_id} is not shown")

    def compare_with(self, revision_id: int | None) -> None:
        """Diff the selected revision against another one (None: the previous one)."""
        index = self._compare.findData(revision_id)
        if index < 0:
            raise LookupError(f"revision {revision_id} cannot be compared with")
        self._compare.setCurrentIndex(index)

    def reload(self) -> None:
        """Load the tracker, its history and its runs again (one load at a time)."""
        if not self._life.alive:
            return
        if self._loading:
            self._reload_again = True  # what is being read may be older than the change
            return
        self._loading = True
        self._stale = False
        self._generation += 1
        self._status.setText("Loading…")
        self._start(self._fetch(), self._loaded, self._failed)

    def fetch_more(self) -> bool:
        """Ask for the next page of older revisions (as scrolling to the end does); False when
        every kept one is shown or a page is on its way already. `more_loaded` follows."""
        if not self._revisions.more or self._loading or self._fetching_more:
            return False
        self._fetch_more()
        return self._fetching_more

    def ask_clear_history(self) -> QMessageBox:
        """Ask before deleting the kept revisions; the box is opened (not exec'd) and returned."""
        name = self._tracker.name if self._tracker is not None else "this tracker"
        count = self._revisions.rowCount()
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Clear history")
        box.setTextFormat(Qt.TextFormat.PlainText)  # the name is the user's: never markup
        box.setText(
            f"Delete the {_plural(count, 'kept revision')} of “{name}”?\n\n"
            "The next check keeps a new baseline. The run log is kept. This cannot be undone."
        )
        confirm = box.addButton("Clear history", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            if box.clickedButton() is confirm:
                self._clear_history()

        box.finished.connect(answered)
        box.open()
        return box

    def ask_add_rule(self, rule_kind: RuleKind, pattern: str) -> QMessageBox:
        """Ask before adding an ignore or mask rule to the tracker, showing the rule; the box
        is opened (not exec'd) and returned. A diff view's "Ignore this" comes here."""
        tracker = self._tracker
        name = tracker.name if tracker is not None else "this tracker"
        if rule_kind == "ignore":
            matched = _describe_ignore(tracker.kind) if tracker is not None else "what"
            effect = (
                f"Its checks will leave out the {matched} that this regular expression matches."
            )
        else:
            effect = "In its checks, the parts that match it will read as “…”."
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Ignore rule" if rule_kind == "ignore" else "Mask rule")
        box.setTextFormat(Qt.TextFormat.PlainText)  # the rule is made of web text: never markup
        box.setText(
            f"Add this {rule_kind} rule to “{name}”?\n\n{pattern}\n\n{effect} It applies from "
            "the next check; the kept revisions stay as they are."
        )
        confirm = box.addButton(
            "Add ignore rule" if rule_kind == "ignore" else "Add mask rule",
            QMessageBox.ButtonRole.AcceptRole,
        )
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(confirm)
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            if box.clickedButton() is confirm:
                self._add_rule(rule_kind, pattern)

        box.finished.connect(answered)
        box.open()
        return box

    def shutdown(self) -> None:
        """Stop listening and cancel work in flight; `show()` starts both again."""
        self._life.end()
        self._loading = self._reload_again = self._fetching_more = False

    # -- loading -------------------------------------------------------------------------------

    def _subscribe(self) -> None:
        self._life.alive = True
        self._life.unsubscribe.append(self._service.events.subscribe(self._on_event))
        if self._runs_events is not None:
            self._life.unsubscribe.append(self._runs_events.subscribe(self._on_run_event))

    def _start(
        self,
        coro: Coroutine[Any, Any, T],
        on_done: Callable[[T], None],
        on_error: Callable[[str], None],
    ) -> None:
        life = self._life

        # Answers that arrive after the view is gone are dropped: the widget may be deleted.
        def done(result: T) -> None:
            if life.alive:
                on_done(result)

        def error(message: str) -> None:
            if life.alive:
                on_error(message)

        task = spawn(coro, on_done=done, on_error=error)
        life.tasks.add(task)
        task.add_done_callback(life.tasks.discard)

    async def _fetch(self) -> _Snapshot:
        # Queued together, read in this order. As many entries as the list shows now: a
        # reload keeps the rows the user scrolled to, and the revision chosen among them.
        shown = max(PAGE, self._revisions.rowCount())
        tracker, kept, entries = await asyncio.gather(
            self._service.get(self._tracker_id),
            self._service.revision_list(self._tracker_id),
            self._service.history(self._tracker_id, shown),
        )
        runs = await self._service.runs(tracker)
        return _Snapshot(tracker, kept, entries, runs)

    def _fetch_more(self) -> None:
        # Called by Qt (fetchMore) while it lays the list out: only start the read here.
        if self._loading or self._fetching_more or not self._revisions.more:
            return
        shown = self._revisions.entries()
        if not shown:
            return
        self._fetching_more = True
        generation = self._generation

        def add(page: list[HistoryEntry]) -> None:
            self._fetching_more = False
            if generation != self._generation:
                return  # a load since has refilled the list; it says what is more
            self._revisions.append_items(page)
            self._update_more()
            self._refill_compare(self.selected_entry())  # the new rows' changes in words
            self.more_loaded.emit()

        def failed(message: str) -> None:
            self._fetching_more = False
            self._revisions.more = False  # not asked again at every scroll; Refresh retries
            self._status.setText(f"Older revisions could not be loaded: {message}")

        oldest = shown[-1].revision.id
        self._start(self._service.history(self._tracker_id, PAGE, before=oldest), add, failed)

    def _update_more(self) -> None:
        # Older revisions are kept than the oldest shown.
        shown = self._revisions.entries()
        self._revisions.more = bool(shown and self._kept) and (
            self._kept[-1].id < shown[-1].revision.id
        )

    def _loaded(self, snapshot: _Snapshot) -> None:
        self._loading = False
        if self._reload_again:
            self._reload_again = False
            self.reload()
            return
        self._error.hide()
        self._tabs.show()
        self._tracker = snapshot.tracker
        self._kept = snapshot.kept
        self._kept_times = [local_time(info.created_at) for info in snapshot.kept]
        self._title.setText(snapshot.tracker.name)
        self._address.setText(snapshot.tracker.url)
        self._show_entries(snapshot.entries)
        self._runs.set_items(snapshot.runs)
        self.loaded.emit()

    def _failed(self, message: str) -> None:
        self._loading = False
        self._reload_again = False
        self._status.setText("")
        self._error.setText(f"The history could not be loaded: {message}")
        self._error.show()
        # Never loaded: the error takes the place of the (empty) tabs. Loaded before: what was
        # shown stays, under the error.
        self._tabs.setVisible(self._tracker is not None)
        self.load_failed.emit(message)

    def _show_entries(self, entries: list[HistoryEntry]) -> None:
        previous = self.selected_entry()
        was_newest = previous is None or (
            self._revisions.rowCount() > 0
            and previous.revision.id == self._revisions.entry(0).revision.id
        )
        self._revisions.set_items(entries)
        self._update_more()
        self.clear_action.setEnabled(bool(entries))
        self._status.setText(_plural(max(len(self._kept), len(entries)), "revision") + " kept")
        if not entries:
            self._refill_compare(None)
            self._caption.setText("")
            kind = self._tracker.kind if self._tracker is not None else DEFAULT_KIND
            self._view_for(kind).show_message(
                f"No revisions are kept yet: the next check keeps what it finds "
                f"({_kind_label(kind).lower()}) as a baseline."
            )
            self.diff_shown.emit()
            return
        # Stay on the revision the user chose; follow the newest when they were on it.
        row = 0
        if not was_newest and previous is not None:
            ids = [e.revision.id for e in entries]
            if previous.revision.id in ids:
                row = ids.index(previous.revision.id)
        # Whether selectRow emits selectionChanged after a reset depends on what was selected
        # before; show the diff once, explicitly.
        self._filling = True
        try:
            self._revision_table.selectRow(row)
        finally:
            self._filling = False
        self._on_selection()

    # -- selection and comparing -------------------------------------------------------------

    def _on_selection(self, *_: QItemSelection) -> None:
        if self._filling:
            return
        entry = self.selected_entry()
        self._refill_compare(entry)
        self._show_selected_diff()

    def _refill_compare(self, entry: HistoryEntry | None) -> None:
        """ "Previous revision", then every other kept revision (those in the list with their
        change in words); the choice is kept if it still can be."""
        chosen = self._compare.currentData()
        self._compare.blockSignals(True)
        try:
            self._compare.clear()
            baseline = entry is not None and entry.diff is None
            self._compare.addItem(PREVIOUS + (" (none: baseline)" if baseline else ""), None)
            if entry is None:
                return
            shown = {e.revision.id: e for e in self._revisions.entries()}
            for other, when in zip(self._kept, self._kept_times, strict=True):
                # Only revisions of one kind compare (a tracker made another kind starts afresh).
                if other.id == entry.revision.id or other.kind != entry.revision.kind:
                    continue
                listed = shown.get(other.id)
                if listed is None:
                    self._compare.addItem(when, other.id)
                else:
                    change = listed.diff.summary() if listed.diff is not None else "baseline"
                    self._compare.addItem(f"{when} — {change}", other.id)
            index = self._compare.findData(chosen) if chosen is not None else 0
            self._compare.setCurrentIndex(max(index, 0))
        finally:
            self._compare.blockSignals(False)

    def _show_selected_diff(self) -> None:
        self._diff_request += 1
        entry = self.selected_entry()
        if entry is None:
            self._caption.setText("")
            self._diff.show_message("Select a revision to see what changed in it.")
            self.diff_shown.emit()
            return
        other_id = self._compare.currentData()
        view = self._view_for(entry.revision.kind)
        if other_id is None:
            if entry.diff is None or entry.previous is None:
                self._caption.setText(f"Kept {local_time(entry.revision.created_at)}")
                view.set_revisions(self._service, self._tracker_id, None, entry.revision.id)
                view.show_baseline(entry.revision.snapshot, self._findings_of(entry.revision))
            else:
                self._show_pair(entry.previous, entry.revision, entry.diff)
            self.diff_shown.emit()
            return
        # Always older → newer (ids grow with time), whichever of the two is selected: "added"
        # keeps meaning "appeared over time". The other one may not be in the list yet: both
        # are read, with their diff, in the store's thread.
        older_id, newer_id = sorted((other_id, entry.revision.id))
        request = self._diff_request
        self._caption.setText("Comparing…")

        def show(comparison: Comparison) -> None:
            if request == self._diff_request:
                self._show_pair(comparison.old, comparison.new, comparison.diff)
                self.diff_shown.emit()

        def failed(message: str) -> None:
            if request == self._diff_request:
                self._caption.setText("")
                view.show_message(f"The revisions could not be compared: {message}")
                self.diff_shown.emit()

        self._start(self._service.comparison(older_id, newer_id), show, failed)

    def _show_pair(self, older: Revision, newer: Revision, diff: Diff) -> None:
        self._caption.setText(
            f"From {local_time(older.created_at)} to {local_time(newer.created_at)}"
        )
        view = self._view_for(newer.kind)
        view.set_revisions(self._service, self._tracker_id, older.id, newer.id)
        view.show_diff(diff, older.snapshot, newer.snapshot, self._findings_of(newer))

    def _view_for(self, kind: str) -> KindDiffView:
        """The diff view of `kind`, made the first time, now the one shown."""
        view = self._views.get(kind)
        if view is None:
            view = diff_view_for(kind)(self._diffs)
            view.ignore_requested.connect(self._on_rule_requested)
            self._diffs.addWidget(view)
            self._views[kind] = view
        self._diffs.setCurrentWidget(view)
        self._diff = view
        return view

    def _findings_of(self, revision: Revision) -> list[Finding]:
        """Every weakness of the revision, as its kind judges one (a headers tracker's)."""
        try:
            return self._service.findings(revision)
        except UnknownKind:
            return []

    # -- rules from the diff ("Ignore this") ---------------------------------------------------

    def _on_rule_requested(self, rule_kind: str, pattern: str) -> None:
        if rule_kind in ("ignore", "mask") and self._tracker is not None:
            self.ask_add_rule("ignore" if rule_kind == "ignore" else "mask", pattern)

    def _add_rule(self, rule_kind: RuleKind, pattern: str) -> None:
        async def add() -> bool:
            # The tracker as stored now: an edit made since the load is kept.
            tracker = await self._service.get(self._tracker_id)
            if rule_kind == "ignore":
                if pattern in tracker.ignore:
                    return False
                tracker = replace(tracker, ignore=(*tracker.ignore, pattern))
            else:
                if pattern in tracker.mask:
                    return False
                tracker = replace(tracker, mask=(*tracker.mask, pattern))
            await self._service.update(tracker)
            return True

        def added(new: bool) -> None:
            self._set_notice(
                f"{rule_kind.capitalize()} rule {quote(pattern)} added: it applies from the "
                "next check."
                if new
                else f"The tracker has the {rule_kind} rule {quote(pattern)} already."
            )
            self.rule_added.emit(rule_kind, pattern)

        def failed(message: str) -> None:
            self._set_notice(f"The {rule_kind} rule could not be added: {message}", error=True)
            self.rule_failed.emit(message)

        self._start(add(), added, failed)

    def _set_notice(self, text: str, *, error: bool = False) -> None:
        palette = self._notice.palette()
        colour = (
            self._colours.accent["red"]
            if error
            else self.palette().color(QPalette.ColorRole.WindowText)
        )
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
        self._notice.setPalette(palette)
        self._notice.setText(text)
        self._notice.show()

    # -- clearing ------------------------------------------------------------------------------

    def _clear_history(self) -> None:
        self.clear_action.setEnabled(False)
        self._status.setText("Clearing…")

        def cleared(_: None) -> None:
            self.reload()

        def failed(message: str) -> None:
            self._failed(f"clearing the history failed: {message}")
            self.clear_action.setEnabled(self._revisions.rowCount() > 0)

        self._start(self._service.clear_history(self._tracker_id), cleared, failed)

    # -- events ---------------------------------------------------------------------------------

    def _on_event(self, event: TrackerEvent) -> None:
        # Called synchronously inside the service (a check handler): only note it here.
        if not self._life.alive:
            return
        mine = (
            (isinstance(event, RevisionSaved) and event.tracker_id == self._tracker_id)
            # A failed check saves no revision, and only the first failure of a streak is
            # notified: CheckFailed is published for every run that fails for good.
            or (isinstance(event, CheckFailed) and event.tracker_id == self._tracker_id)
            or (isinstance(event, NotificationStored) and self._of_mine(event.notification))
            # An edit may rename the tracker (the title follows) or remove it (said in place).
            or isinstance(event, TrackersChanged)
        )
        if mine:
            self._changed()

    def _on_run_event(self, event: SchedulerEvent) -> None:
        # Every run that ends, retried attempts and successes that change nothing included. The
        # scheduler has queued the run's record by the time the view's reads are queued, and the
        # database runs them in order, so the reload sees it.
        if not self._life.alive:
            return
        if isinstance(event, JobFinished | JobFailed | RunSkipped) and event.job_id == self._job_id:
            self._changed()

    def _changed(self) -> None:
        # Several events of one run (saved, notified, ended) make at most two loads: a reload
        # asked for during a load runs once when it ends.
        if self.isVisible():
            self.reload()
        else:
            self._stale = True  # loaded when shown again

    def _of_mine(self, notification: Notification) -> bool:
        # "Works again" after a told failure, on a check that may have saved no revision.
        return notification.tracker_id == self._tracker_id

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._life.alive:  # shown again after close(): listen and load again
            self._life = _Lifetime()
            self._subscribe()
            self.destroyed.connect(self._life.end)
            self._stale = True
        if self._stale:
            self.reload()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._colours = ChangeColours.from_palette(self.palette())
            self._apply_colours()
        super().changeEvent(event)

    def _apply_colours(self) -> None:
        self._revisions.set_colours(self._colours)
        self._runs.set_colours(self._colours)
        palette = self._error.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(self._colours.accent["red"]))
        self._error.setPalette(palette)


class HistoryWindow(QMainWindow):
    """A tracker's history in a window of its own, opened non-modally: `show()`.

    Deleted when closed, which ends the view's subscription. Its menu lists the view's actions
    with their keys; Escape or Ctrl+W closes it.
    """

    def __init__(
        self,
        service: TrackerService,
        tracker_id: int,
        parent: QWidget | None = None,
        *,
        runs: EventBus[SchedulerEvent] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("History")
        self._view = HistoryView(service, tracker_id, self, runs=runs)
        self.setCentralWidget(self._view)
        self.resize(960, 640)
        self._view.loaded.connect(self._update_title)
        self.close_action = QAction("&Close", self)
        self.close_action.setShortcuts(
            [
                QKeySequence(Qt.Key.Key_Escape),
                *QKeySequence.keyBindings(QKeySequence.StandardKey.Close),  # Ctrl+W, Ctrl+F4…
            ]
        )
        self.close_action.triggered.connect(self.close)
        self.addAction(self.close_action)  # its keys work wherever the focus is in the window
        menu = self.menuBar().addMenu("&History")
        menu.addActions([self._view.refresh_action, self._view.clear_action])
        menu.addSeparator()
        menu.addAction(self.close_action)
        self.history_menu = menu

    @property
    def view(self) -> HistoryView:
        return self._view

    def _update_title(self) -> None:
        tracker = self._view.tracker
        if tracker is not None:
            self.setWindowTitle(window_title_text(f"History — {tracker.name}"))

    def closeEvent(self, event: QCloseEvent) -> None:
        self._view.shutdown()
        super().closeEvent(event)
