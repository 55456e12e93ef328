"""Telling the user about stored notifications: a tray message or a desktop notification, the
unread count, and what a click on either opens.

The service stores every notification before it publishes `NotificationStored`, so the inbox has
it whatever happens here; delivery is best effort on top. Which way a notification goes:

1. the desktop notifier (org.freedesktop.Notifications over D-Bus), when it is available — on
   Linux this is better than the tray: Qt's D-Bus tray forwards a tray message to that same
   service but unescaped (page text would be read as markup) and reports no click unless the
   message is "critical" (Qt 6's QDBusTrayIcon::showMessage);
2. otherwise a tray message (`QSystemTrayIcon.showMessage`: Windows, macOS, X11 trays);
3. otherwise nowhere: the inbox and the tray's badge still say it.
`prefer_desktop=False` puts the tray first.

The user's preferences (`PreferencesService.current`, read at each delivery, so a change applies
to the next one): with pop-ups off nothing is shown outside the window, by either way, while the
inbox and the unread count go on as ever; with sound on a pop-up comes with a sound (the desktop
notifier asks the notification service for its "new message" sound, a tray message comes with
the system's beep; see `Message.sound`). Whether a tracker notifies at all is the tracker's own
`notify`, honoured by the service: a tracker with it off stores no notification, so nothing
reaches this module.

A burst (200 checks finding the same CDN change) must not become 200 pop-ups: the first
notification after a quiet moment is delivered at once, and what comes within `burst_window`
seconds after a delivery waits and is delivered as one summary ("12 changes detected").

A notification's title names it ("Change detected: Shop", "Check failed: Shop", "Shop works
again") and its body says the rest (the summary and findings, the reason): a pop-up shows both,
so neither repeats the other. A summary lists one line for each (`Notification.headline`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from desktop_tracker.domain.revisions import Notification, NotificationKind
from desktop_tracker.gui.async_ops import spawn
from desktop_tracker.gui.desktop_notify import DesktopNotifier, shorten_body
from desktop_tracker.service.preferences import PreferencesService
from desktop_tracker.service.trackers import (
    NotificationStored,
    TrackerEvent,
    TrackersChanged,
    TrackerService,
)

log = logging.getLogger(__name__)

BURST_WINDOW = 2.0  # seconds: at most one pop-up this often
# New notifications change the unread count (the tray, the window's title bar and the inbox
# follow it) at most this often: a burst of 200 checks says a new count a few times, not 200.
COUNT_DELAY_MS = 200
SUMMARY_LINES = 4  # notifications listed in a summary's body, one line each
TRAY_MESSAGE_MS = 10_000


@dataclass(frozen=True, slots=True)
class Message:
    """What one delivery shows: one notification, or a summary of several."""

    title: str
    body: str
    notifications: tuple[Notification, ...]
    sound: bool = False  # the user wants a sound with the pop-up (the sound preference)

    @property
    def failure(self) -> bool:
        """Every notification in it is a failed check (a warning icon where there is one)."""
        return all(n.kind is NotificationKind.FAILURE for n in self.notifications)

    @property
    def key(self) -> int:
        """The notification's id; 0 for a summary."""
        if len(self.notifications) == 1:
            return self.notifications[0].id or 0
        return 0


class Delivery(Protocol):
    """A way to show a message outside the window (tests inject recording fakes)."""

    name: str

    def available(self) -> bool: ...

    def deliver(self, message: Message, on_click: Callable[[], None]) -> None:
        """Show it; call `on_click` if the user clicks it. Must not raise for a missing desktop."""
        ...


class TrayDelivery:
    """Tray messages. The tray's `messageClicked` does not say which message was clicked: only
    the last one shown can still be on screen (each replaces the one before), so it is that."""

    name = "tray"

    def __init__(
        self,
        tray: QSystemTrayIcon,
        *,
        is_available: Callable[[], bool] | None = None,
        icon: QIcon | None = None,
        beep: Callable[[], None] = QApplication.beep,
    ) -> None:
        """`is_available`: replaces "a tray exists and the icon is shown" (tests); `beep`: the
        sound of a message that wants one (tests record it)."""
        self.tray = tray
        self._is_available = is_available
        self._icon = icon
        self._beep = beep
        self._on_click: Callable[[], None] | None = None
        tray.messageClicked.connect(self._clicked)

    def available(self) -> bool:
        if self._is_available is not None:
            return self._is_available()
        return QSystemTrayIcon.isSystemTrayAvailable() and self.tray.isVisible()

    def deliver(self, message: Message, on_click: Callable[[], None]) -> None:
        self._on_click = on_click
        # showMessage takes plain text (Windows, macOS and Qt's own balloon show it as such);
        # Windows cuts a message off at 256 characters, so it gets the short form.
        body = shorten_body(message.body)
        if message.failure:
            warning = QSystemTrayIcon.MessageIcon.Warning
            self.tray.showMessage(message.title, body, warning, TRAY_MESSAGE_MS)
        else:
            icon = self._icon if self._icon is not None else self.tray.icon()
            self.tray.showMessage(message.title, body, icon, TRAY_MESSAGE_MS)
        if message.sound:
            # A tray message has no sound of its own that Qt can ask for; the system's beep is
            # the one sound every platform has. (Windows plays its notification sound with a
            # balloon by itself, whatever is asked; that cannot be turned off from Qt.)
            self._beep()

    def _clicked(self) -> None:
        on_click, self._on_click = self._on_click, None  # one click, one action
        if on_click is not None:
            on_click()


class DesktopDelivery:
    """Desktop notifications through a `DesktopNotifier` (which must be started to be used)."""

    name = "desktop"
    REMEMBERED = 200

    def __init__(self, notifier: DesktopNotifier) -> None:
        self.notifier = notifier
        notifier.on_activated = self._activated
        self._clicks: OrderedDict[int, Callable[[], None]] = OrderedDict()
        self._next = 1

    def available(self) -> bool:
        return self.notifier.available

    async def start(self) -> None:
        await self.notifier.start()

    async def aclose(self) -> None:
        await self.notifier.close()

    def deliver(self, message: Message, on_click: Callable[[], None]) -> None:
        # Our own number for each delivery, since a summary has no notification id.
        number, self._next = self._next, self._next + 1
        self._clicks[number] = on_click
        while len(self._clicks) > self.REMEMBERED:
            self._clicks.popitem(last=False)
        # notify() never raises; a failure turns the notifier off and the next message goes to
        # the tray (this one stays in the inbox).
        spawn(self.notifier.notify(number, message.title, message.body, sound=message.sound))

    def _activated(self, number: int) -> None:
        on_click = self._clicks.pop(number, None)
        if on_click is not None:
            on_click()


class NotificationCenter(QObject):
    """Delivers new notifications, keeps the unread count, and turns clicks into requests.

    Signals: `unread_changed(int)`; `open_tracker(int tracker_id)` (a clicked notification: the
    window opens that tracker's history); `open_inbox()` (a clicked summary of several trackers);
    `marked_read(object)` (a list of ids, or None for all, once it is written).

    Call `await start()` once (starts the backends that need it, loads the unread count), and
    `await aclose()` at the end, before the services close. `preferences`: pop-ups and their
    sound as the user wants them (None: pop-ups without sound).
    """

    unread_changed = Signal(int)
    open_tracker = Signal(int)
    open_inbox = Signal()
    marked_read = Signal(object)

    def __init__(
        self,
        service: TrackerService,
        *,
        tray: Delivery | None = None,
        desktop: Delivery | None = None,
        prefer_desktop: bool = True,
        burst_window: float = BURST_WINDOW,
        preferences: PreferencesService | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._preferences = preferences
        self._tray = tray
        self._desktop = desktop
        self._prefer_desktop = prefer_desktop
        self._window = burst_window
        self._unread: set[int] = set()
        self._read: set[int] = set()  # marked read here: never unread again, whatever a read says
        self._added_while_loading: set[int] = set()
        self._load_generation = 0
        self._emitted = -1
        self._pending: list[Notification] = []
        self._last_delivery = float("-inf")
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self._flush)
        self._count_timer = QTimer(self, singleShot=True, interval=COUNT_DELAY_MS)
        self._count_timer.timeout.connect(self._emit_count)
        # Subscribed at once, so nothing stored while `start()` reads is missed.
        unsubscribe = service.events.subscribe(self._on_event)
        self._unsubscribe: Callable[[], None] | None = unsubscribe
        self.destroyed.connect(lambda *_: unsubscribe())  # in case close() is forgotten

    # -- the public side -----------------------------------------------------------------------

    async def start(self) -> None:
        """Start the backends that need starting (the desktop notifier connects), then load the
        unread count and emit it."""
        for backend in self.backends:
            start = getattr(backend, "start", None)
            if start is not None:
                await start()
        await self._load_unread()

    async def aclose(self) -> None:
        """Stop listening and close the backends that hold connections."""
        self.close()
        for backend in self.backends:
            close = getattr(backend, "aclose", None)
            if close is not None:
                await close()

    def close(self) -> None:
        """Stop listening (before the services close). Pending messages are dropped."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._flush_timer.stop()
        self._count_timer.stop()
        self._pending.clear()

    @property
    def unread_count(self) -> int:
        return len(self._unread)

    def set_prefer_desktop(self, prefer: bool) -> None:
        """Deliver through the desktop notification service first (True) or the tray."""
        self._prefer_desktop = prefer

    @property
    def backends(self) -> list[Delivery]:
        """The delivery backends in order of preference."""
        order = (self._desktop, self._tray) if self._prefer_desktop else (self._tray, self._desktop)
        return [backend for backend in order if backend is not None]

    def mark_read(self, ids: Iterable[int] | None = None) -> asyncio.Task[None]:
        """Mark these notifications (None: all) read: the count drops now, the write follows."""
        chosen = None if ids is None else sorted(set(ids))
        if chosen is None:
            self._read.update(self._unread)
            self._unread.clear()
            self._added_while_loading.clear()
            self._load_generation += 1  # a load still running would bring them back
        else:
            self._read.update(chosen)
            self._unread.difference_update(chosen)
            self._added_while_loading.difference_update(chosen)
        self._emit_count()
        return spawn(self._write_read(chosen))

    # -- events --------------------------------------------------------------------------------

    def _on_event(self, event: TrackerEvent) -> None:
        if isinstance(event, NotificationStored):
            self._stored(event.notification)
        elif isinstance(event, TrackersChanged):
            # A removed tracker takes its notifications with it.
            spawn(self._load_unread())

    def _stored(self, notification: Notification) -> None:
        unread = notification.read_at is None and notification.id not in self._read
        if notification.id is not None and unread:
            self._unread.add(notification.id)
            self._added_while_loading.add(notification.id)
            if not self._count_timer.isActive():
                self._count_timer.start()  # `unread_count` has it now; the signal follows
        self._pending.append(notification)
        self._pump()

    # -- delivery ------------------------------------------------------------------------------

    def _pump(self) -> None:
        if self._flush_timer.isActive():
            return  # a summary is already planned
        wait = self._last_delivery + self._window - time.monotonic()
        if wait > 0:
            self._flush_timer.start(max(1, round(wait * 1000)))
        else:
            self._flush()

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        wanted = self._preferences.current if self._preferences is not None else None
        if wanted is not None and not wanted.popups:
            # The inbox and the unread count have them already; nothing pops up.
            log.debug("pop-ups are off: %d notifications stay in the inbox", len(pending))
            return
        self._last_delivery = time.monotonic()
        message = single_message(pending[0]) if len(pending) == 1 else summary_message(pending)
        if wanted is not None and wanted.sound:
            message = replace(message, sound=True)

        def clicked() -> None:
            self._clicked(message)

        for backend in self.backends:
            try:
                if not backend.available():
                    continue
                backend.deliver(message, clicked)
            except Exception:
                log.exception("delivering a notification through %s failed", backend.name)
                continue
            return
        log.debug("no way to show %r outside the window; it is in the inbox", message.title)

    def _clicked(self, message: Message) -> None:
        ids = [n.id for n in message.notifications if n.id is not None]
        trackers = {n.tracker_id for n in message.notifications}
        if ids:
            self.mark_read(ids)  # the user has seen it
        if len(trackers) == 1:
            self.open_tracker.emit(trackers.pop())
        else:
            self.open_inbox.emit()

    # -- the unread count ----------------------------------------------------------------------

    async def _load_unread(self) -> None:
        self._load_generation += 1
        generation = self._load_generation
        self._added_while_loading = set()
        stored = await self._service.notifications(unread_only=True)
        if generation != self._load_generation:
            return  # a newer load is on its way
        # What arrived while the read ran may be missing from it; what was marked read since
        # may still be in it.
        ids = {n.id for n in stored if n.id is not None} | self._added_while_loading
        self._unread = ids - self._read
        self._emit_count()

    async def _write_read(self, ids: Sequence[int] | None) -> None:
        await self._service.mark_read(None if ids is None else list(ids))
        if ids is None:
            await self._load_unread()  # the database decides what "all" covered
        self.marked_read.emit(None if ids is None else list(ids))

    def _emit_count(self) -> None:
        self._count_timer.stop()  # said now, with whatever came meanwhile
        count = len(self._unread)
        if count != self._emitted:
            self._emitted = count
            self.unread_changed.emit(count)


def single_message(notification: Notification) -> Message:
    return Message(notification.title, notification.body, (notification,))


def summary_message(notifications: Sequence[Notification]) -> Message:
    """One message for several notifications, newest last in `notifications`."""
    count = len(notifications)
    kinds = {n.kind for n in notifications}
    if kinds == {NotificationKind.CHANGE}:
        title = f"{count} changes detected"
    elif kinds == {NotificationKind.FAILURE}:
        title = f"{count} checks failed"
    elif kinds == {NotificationKind.RECOVERED}:
        title = f"{count} trackers work again"
    else:
        title = f"{count} new notifications"
    lines = [n.headline for n in notifications[:SUMMARY_LINES]]
    if count > SUMMARY_LINES:
        lines.append(f"and {count - SUMMARY_LINES} more")
    return Message(title, "\n".join(lines), tuple(notifications))
