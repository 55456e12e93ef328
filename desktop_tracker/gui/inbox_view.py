"""The in-app list of notifications: always complete, whatever the desktop could show.

Newest first. An unread row is bold *and* starts with "●", so it is told apart without seeing
weight (screen readers, some fonts). Titles and bodies come from the web: item views draw plain
text, and the body's tool tip goes through `plain_tooltip`.

With a `NotificationCenter` the view marks read through it, so the tray badge and this list agree,
and `unread_changed` repeats the center's count; alone it talks to the service itself.

A burst of checks stores a notification every few milliseconds. Each one that arrives waits, and
those that arrive together are put in the list as one insertion, at most every `BATCH_MS` (and
whenever the center tells a new count, so that the list always holds what the count says): the
list then lays out, sizes its columns and repaints once a batch, not once a notification, which
during 200 checks froze the window for tens of milliseconds at a time (tests/bench/bench_gui.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from PySide6.QtCore import QDateTime, QLocale, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.domain.revisions import Notification, NotificationKind
from desktop_tracker.gui.async_ops import spawn
from desktop_tracker.gui.notifications import NotificationCenter
from desktop_tracker.gui.plain_text import plain_label, plain_tooltip
from desktop_tracker.service.trackers import (
    NotificationStored,
    TrackerEvent,
    TrackersChanged,
    TrackerService,
)

UNREAD_MARK = "●"
KIND_TEXT = {
    NotificationKind.CHANGE: "Δ Change",
    NotificationKind.FAILURE: "⚠ Failed",
    NotificationKind.RECOVERED: "✓ Works again",
}
MARK, KIND, TITLE, TIME = range(4)
HEADERS = ("", "Kind", "Title", "Time")
ID_ROLE = Qt.ItemDataRole.UserRole
MAX_ROWS = 500  # the service returns the newest 200; live ones are added on top up to this
BATCH_MS = 200  # live notifications are added to the list at most this often


class InboxView(QWidget):
    """Signals: `open_tracker(int tracker_id)` (a row activated: double-click or Enter; it is
    marked read), `unread_changed(int)`.

    It loads itself once the event loop runs (`autoload`); `await reload()` reads again.
    Call `dispose()` before the services close.
    """

    open_tracker = Signal(int)
    unread_changed = Signal(int)

    def __init__(
        self,
        service: TrackerService,
        center: NotificationCenter | None = None,
        parent: QWidget | None = None,
        *,
        autoload: bool = True,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._center = center
        self._rows: dict[int, Notification] = {}
        self._items: dict[int, QTreeWidgetItem] = {}
        self._read: set[int] = set()  # marked read here: a read already under way says otherwise
        self._added_while_loading: dict[int, Notification] = {}
        self._waiting: dict[int, Notification] = {}  # stored, not in the list yet
        self._batch_timer = QTimer(self, singleShot=True, interval=BATCH_MS)
        self._batch_timer.timeout.connect(self._add_waiting)
        self._generation = 0
        self._emitted = -1

        self.list = QTreeWidget(self)
        self.list.setColumnCount(len(HEADERS))
        self.list.setHeaderLabels(list(HEADERS))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAllColumnsShowFocus(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(MARK, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TIME, QHeaderView.ResizeMode.ResizeToContents)
        # The short columns fit the rows in sight: measuring every row's text again at each
        # insertion is work that grows with the list.
        header.setResizeContentsPrecision(0)
        # Enter and double-click (or a single click, where the platform activates on one).
        self.list.activated.connect(self._activated)
        self.list.setAccessibleName("Notifications")

        self.empty_label = plain_label(
            "No notifications yet. Changes and failed checks appear here."
        )
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.mark_all_button = QPushButton("Mark all read", self)
        self.mark_all_button.clicked.connect(lambda: self.mark_all_read())

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.mark_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_label, 1)
        layout.addLayout(buttons)

        unsubscribe = service.events.subscribe(self._on_event)
        self._unsubscribe: Callable[[], None] | None = unsubscribe
        # Forgetting dispose() must not leave the service calling a deleted widget.
        self.destroyed.connect(lambda *_: unsubscribe())
        if center is not None:
            center.marked_read.connect(self._on_marked_read)
            center.unread_changed.connect(self._count_changed)
        self._update_state()
        if autoload:
            QTimer.singleShot(0, self, self.refresh)

    # -- the public side -----------------------------------------------------------------------

    @property
    def unread_count(self) -> int:
        if self._center is not None:
            return self._center.unread_count
        return sum(1 for n in self._rows.values() if self._is_unread(n))

    def notifications(self) -> list[Notification]:
        """What the list shows, top to bottom."""
        return [self._rows[self._id_of(self.list.topLevelItem(row))] for row in self._row_range()]

    def row_texts(self, row: int) -> list[str]:
        item = self.list.topLevelItem(row)
        return [item.text(column) for column in range(len(HEADERS))] if item is not None else []

    def refresh(self) -> None:
        spawn(self.reload())

    async def reload(self) -> None:
        """Read the newest notifications again."""
        self._generation += 1
        generation = self._generation
        self._added_while_loading = {}
        stored = await self._service.notifications()
        if generation != self._generation:
            return
        rows = {n.id: n for n in stored if n.id is not None}
        rows.update(self._added_while_loading)  # stored while the read ran
        self._show(rows)
        # Said again after every load: whoever connected after the last change learns it too.
        self._count_changed(self.unread_count, force=True)

    def mark_all_read(self) -> asyncio.Task[None]:
        self._add_waiting()  # "all" is what the user may see
        self._read.update(self._rows)
        self._generation += 1  # a read under way would bring them back as unread
        for notification_id in self._rows:
            self._restyle(notification_id)
        return self._mark_read(None)

    def mark_read(self, ids: Iterable[int]) -> asyncio.Task[None]:
        chosen = [i for i in ids if i in self._rows]
        self._read.update(chosen)
        for notification_id in chosen:
            self._restyle(notification_id)
        return self._mark_read(chosen)

    def dispose(self) -> None:
        """Stop listening to the service."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # -- events --------------------------------------------------------------------------------

    def _on_event(self, event: TrackerEvent) -> None:
        if isinstance(event, NotificationStored):
            notification = event.notification
            if notification.id is None:
                return
            self._added_while_loading[notification.id] = notification
            if notification.id not in self._rows:
                self._waiting[notification.id] = notification
                if not self._batch_timer.isActive():
                    self._batch_timer.start()
        elif isinstance(event, TrackersChanged):
            self.refresh()  # a removed tracker's notifications are gone

    def _on_marked_read(self, ids: list[int] | None) -> None:
        if ids is None:
            self.refresh()  # the database knows what "all" covered
            return
        self._read.update(ids)
        for notification_id in ids:
            self._restyle(notification_id)
        self._update_state()

    def _activated(self, index: QModelIndex) -> None:
        item = self.list.topLevelItem(index.row())
        if item is None:
            return
        notification = self._rows.get(self._id_of(item))
        if notification is None:
            return
        if self._is_unread(notification):
            self.mark_read([notification.id or 0])
        self.open_tracker.emit(notification.tracker_id)

    # -- plumbing ------------------------------------------------------------------------------

    def _mark_read(self, ids: list[int] | None) -> asyncio.Task[None]:
        self._update_state()
        if self._center is not None:
            return self._center.mark_read(ids)
        return spawn(self._write_read(ids))

    async def _write_read(self, ids: list[int] | None) -> None:
        await self._service.mark_read(ids)
        if ids is None:
            await self.reload()

    def _show(self, rows: dict[int, Notification]) -> None:
        current = self._id_of(self.list.currentItem()) if self.list.currentItem() else None
        scrolled = self.list.verticalScrollBar().value()
        newest = sorted(rows.values(), key=lambda n: n.id or 0, reverse=True)[:MAX_ROWS]
        self._rows = {n.id or 0: n for n in newest}
        self._waiting = {}  # the read, or what was stored while it ran, has them
        self._batch_timer.stop()
        self.list.clear()
        self._items = {}
        self.list.addTopLevelItems([self._make_item(n) for n in newest])
        if current in self._items:
            self.list.setCurrentItem(self._items[current])
        self.list.verticalScrollBar().setValue(scrolled)
        self._update_state()

    def _add_waiting(self) -> None:
        """Put the notifications that came since the last batch on top, newest first, as one
        insertion."""
        self._batch_timer.stop()
        waiting, self._waiting = self._waiting, {}
        fresh = sorted(
            (n for n in waiting.values() if n.id not in self._rows),
            key=lambda n: n.id or 0,
            reverse=True,
        )
        if not fresh:
            return
        for notification in fresh:
            self._rows[notification.id or 0] = notification
        self.list.insertTopLevelItems(0, [self._make_item(n) for n in fresh])
        while self.list.topLevelItemCount() > MAX_ROWS:
            oldest = self.list.takeTopLevelItem(self.list.topLevelItemCount() - 1)
            old_id = self._id_of(oldest)
            self._rows.pop(old_id, None)
            self._items.pop(old_id, None)
        self._update_state()

    def _make_item(self, notification: Notification) -> QTreeWidgetItem:
        notification_id = notification.id or 0
        item = QTreeWidgetItem()
        item.setData(MARK, ID_ROLE, notification_id)
        item.setText(KIND, KIND_TEXT.get(notification.kind, str(notification.kind)))
        # One line, the title and the body's first line ("Change detected: Shop — 1 added"): a
        # line break would otherwise show only the first line. The tool tip has the whole body.
        item.setText(TITLE, notification.headline)
        item.setText(TIME, format_time(notification.created_at))
        tip = plain_tooltip(f"{notification.title}\n\n{notification.body}".strip())
        for column in range(len(HEADERS)):
            item.setToolTip(column, tip)
        item.setTextAlignment(MARK, Qt.AlignmentFlag.AlignCenter)
        self._items[notification_id] = item
        self._style(item, self._is_unread(notification))
        return item

    def _restyle(self, notification_id: int) -> None:
        item = self._items.get(notification_id)
        notification = self._rows.get(notification_id)
        if item is not None and notification is not None:
            self._style(item, self._is_unread(notification))

    def _style(self, item: QTreeWidgetItem, unread: bool) -> None:
        item.setText(MARK, UNREAD_MARK if unread else "")
        item.setData(MARK, Qt.ItemDataRole.AccessibleTextRole, "unread" if unread else "read")
        font = QFont(self.list.font())
        font.setBold(unread)
        for column in range(len(HEADERS)):
            item.setFont(column, font)

    def _is_unread(self, notification: Notification) -> bool:
        return notification.read_at is None and notification.id not in self._read

    def _id_of(self, item: QTreeWidgetItem | None) -> int:
        return int(item.data(MARK, ID_ROLE)) if item is not None else 0

    def _row_range(self) -> range:
        return range(self.list.topLevelItemCount())

    def _update_state(self) -> None:
        empty = not self._rows
        self.list.setVisible(not empty)
        self.empty_label.setVisible(empty)
        if self._center is None:
            self._count_changed(self.unread_count)
        else:
            self.mark_all_button.setEnabled(self._center.unread_count > 0)

    def _count_changed(self, count: int, force: bool = False) -> None:
        if self._center is not None and self._waiting:
            self._add_waiting()  # the list holds what the count says
        self.mark_all_button.setEnabled(count > 0)
        if count != self._emitted or force:
            self._emitted = count
            self.unread_changed.emit(count)


def format_time(timestamp: float) -> str:
    """Local time: "14:03" today, with the date on other days (the user's locale decides)."""
    moment = QDateTime.fromSecsSinceEpoch(int(timestamp))
    locale = QLocale()
    if moment.date() == QDateTime.currentDateTime().date():
        return locale.toString(moment.time(), QLocale.FormatType.ShortFormat)
    return locale.toString(moment, QLocale.FormatType.ShortFormat)
