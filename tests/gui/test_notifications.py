"""Notification delivery, the tray icon and the inbox, over the real services (SQLite, scheduler,
HTTP checks against a local server) in the Qt loop, offscreen.

Offscreen there is no tray, so what a tray or a notification daemon would do is either injected
(recording backends, a tray said to be available) or real: a private D-Bus daemon with a small
org.freedesktop.Notifications service written with jeepney, when `dbus-daemon` is installed. That
bus has a configuration of its own (tests/support/dbus.py): it never starts a daemon the machine
has installed, so what answers on it is what the test put there.
"""

from __future__ import annotations

import asyncio
import configparser
import contextlib
import logging
import queue
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QSystemTrayIcon

from desktop_tracker.domain.revisions import Notification, NotificationKind
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui import desktop_notify
from desktop_tracker.gui import tray as tray_module
from desktop_tracker.gui.desktop_notify import DesktopNotifier, markup_escape, shorten_body
from desktop_tracker.gui.inbox_view import UNREAD_MARK, InboxView
from desktop_tracker.gui.notifications import (
    DesktopDelivery,
    Message,
    NotificationCenter,
    TrayDelivery,
    summary_message,
)
from desktop_tracker.gui.tray import ICON_SIZES, TrayIcon, app_icon, icon_path, icons_dir
from desktop_tracker.service import AppServices
from desktop_tracker.service.preferences import PreferencesService
from desktop_tracker.service.trackers import TrackerService
from desktop_tracker.store import tracker_repository as repo
from tests.support.desktop_app import Running, until
from tests.support.http_server import LocalServer

ROOT = Path(__file__).resolve().parents[2]
WAIT = 10.0  # seconds a test waits for a signal before it fails


# -- helpers ---------------------------------------------------------------------------------------


@dataclass
class RecordingDelivery:
    """A delivery backend that records what it was given, and can click it."""

    name: str
    is_available: bool = True
    messages: list[Message] = field(default_factory=list)
    clicks: list[Callable[[], None]] = field(default_factory=list)
    on_deliver: Callable[[Message], None] | None = None
    delivered: asyncio.Queue[Message] = field(default_factory=asyncio.Queue)

    def available(self) -> bool:
        return self.is_available

    def deliver(self, message: Message, on_click: Callable[[], None]) -> None:
        if self.on_deliver is not None:
            self.on_deliver(message)
        self.messages.append(message)
        self.clicks.append(on_click)
        self.delivered.put_nowait(message)


@contextlib.asynccontextmanager
async def running(data_dir: Path) -> AsyncIterator[AppServices]:
    services = AppServices(data_dir)
    await services.open()
    try:
        yield services
    finally:
        await services.close()


def trackers_of(services: AppServices) -> TrackerService:
    assert services.trackers is not None
    return services.trackers


def page(*scripts: str) -> str:
    tags = "".join(f"<script>{code}</script>" for code in scripts)
    return f"<!doctype html><html><head>{tags}</head><body><p>shop</p></body></html>"


async def check(services: AppServices, tracker: Tracker) -> None:
    assert tracker.id is not None
    task = await trackers_of(services).check_now(tracker.id)
    assert task is not None
    await task


async def add_tracker(services: AppServices, server: LocalServer, name: str) -> Tracker:
    """A tracker of its own page, checked once: the baseline, which notifies nobody."""
    path = f"/{len(server.requests)}-{abs(hash(name))}"
    server.route(path, page("a = 1"))
    tracker = await trackers_of(services).add(Tracker(name, server.url(path)))
    await check(services, tracker)
    return tracker


async def change(services: AppServices, server: LocalServer, tracker: Tracker) -> None:
    """Add a script to the tracker's page and check it: one change notification is stored."""
    path = "/" + tracker.url.rsplit("/", 1)[1]
    server.route(path, page("a = 1", f"b = {len(server.requests)}"))
    await check(services, tracker)


def expect(signal: Any) -> asyncio.Future[tuple[Any, ...]]:
    """A future of the signal's next emission, connected now: create it before causing it.
    (Never qtbot.waitSignal inside a coroutine: it re-enters the loop.)"""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def resolve(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(resolve)
    future.add_done_callback(lambda _: signal.disconnect(resolve))
    return future


async def within(future: asyncio.Future[tuple[Any, ...]], timeout: float = WAIT) -> tuple[Any, ...]:
    return await asyncio.wait_for(future, timeout)


async def eventually(condition: Callable[[], bool], timeout: float = WAIT) -> None:
    """Wait until something true of state outside our control (a daemon, a bus) holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)


def stored_now(services: AppServices) -> list[Notification]:
    """What the database holds at this very moment (a blocking read, for assertions)."""
    assert services.database is not None
    return services.database.call(repo.list_notifications)


def pixel_is_badge_red(image: QImage, x: int, y: int) -> bool:
    color = image.pixelColor(x, y)
    return color.red() > 200 and color.green() < 110 and color.blue() < 110


# -- delivery --------------------------------------------------------------------------------------


async def test_a_change_is_delivered_once_and_only_after_it_is_stored(qapp, data_dir, server):
    async with running(data_dir) as services:
        shop = await add_tracker(services, server, "Shop")
        seen_in_store: list[list[int | None]] = []
        desktop = RecordingDelivery("desktop")
        desktop.on_deliver = lambda m: seen_in_store.append([n.id for n in stored_now(services)])
        tray = RecordingDelivery("tray", is_available=False)
        center = NotificationCenter(trackers_of(services), tray=tray, desktop=desktop)
        await center.start()
        assert center.unread_count == 0  # the baseline notifies nobody

        await change(services, server, shop)
        message = await asyncio.wait_for(desktop.delivered.get(), WAIT)
        await asyncio.sleep(0.2)  # anything else would have come by now

        assert [m.title for m in desktop.messages] == ["Change detected: Shop"]
        assert tray.messages == []
        assert message.key != 0
        assert message.key in seen_in_store[0], "delivered before it was stored"
        assert message.body.startswith("1 added")
        assert center.unread_count == 1
        center.close()


async def test_without_a_tray_the_desktop_notifier_delivers(qapp, data_dir, server):
    tray_icon = TrayIcon()
    assert not TrayIcon.available()  # offscreen: no tray here, as on plain Xvfb
    assert not tray_icon.show_if_available(keep_trying=False)
    assert not tray_icon.isVisible()
    async with running(data_dir) as services:
        shop = await add_tracker(services, server, "Shop")
        desktop = RecordingDelivery("desktop")
        # Even with the tray preferred, a missing tray falls back to the desktop notifier.
        center = NotificationCenter(
            trackers_of(services),
            tray=TrayDelivery(tray_icon),
            desktop=desktop,
            prefer_desktop=False,
        )
        await center.start()
        await change(services, server, shop)
        message = await asyncio.wait_for(desktop.delivered.get(), WAIT)
        assert message.title == "Change detected: Shop"
        center.close()


async def test_with_neither_the_notification_is_in_the_inbox_all_the_same(
    qapp, data_dir, server, caplog
):
    caplog.set_level(logging.WARNING, logger=desktop_notify.__name__)
    notifier = DesktopNotifier(bus="unix:path=/nonexistent/bus")
    assert not await notifier.start()
    assert not await notifier.start()  # tried once, logged once
    async with running(data_dir) as services:
        shop = await add_tracker(services, server, "Shop")
        center = NotificationCenter(
            trackers_of(services), tray=TrayDelivery(TrayIcon()), desktop=DesktopDelivery(notifier)
        )
        await center.start()
        inbox = InboxView(trackers_of(services), center, autoload=False)
        await inbox.reload()
        counted = expect(center.unread_changed)
        await change(services, server, shop)
        assert await within(counted) == (1,)
        assert center.unread_count == 1
        assert inbox.unread_count == 1
        assert [n.headline for n in inbox.notifications()] == ["Change detected: Shop — 1 added"]
        assert await notifier.notify(1, "t", "b") is False
        inbox.dispose()
        center.close()
    warnings = [r for r in caplog.records if r.name == desktop_notify.__name__]
    assert len(warnings) == 1
    assert "desktop notifications are off" in warnings[0].getMessage()


async def test_clicking_the_tray_message_opens_the_tracker_last_shown(qapp, data_dir, server):
    tray_icon = TrayIcon()
    # Offscreen the tray is missing; say it is there, so showMessage is called and the click
    # (which Qt would report through messageClicked) can be simulated.
    tray = TrayDelivery(tray_icon, is_available=lambda: True)
    async with running(data_dir) as services:
        shop = await add_tracker(services, server, "Shop")
        news = await add_tracker(services, server, "News")
        center = NotificationCenter(trackers_of(services), tray=tray, desktop=None, burst_window=0)
        await center.start()
        await change(services, server, shop)
        await change(services, server, news)
        assert center.unread_count == 2

        opened = expect(center.open_tracker)
        written = expect(center.marked_read)
        tray_icon.messageClicked.emit()
        assert await within(opened) == (news.id,)
        # The clicked one was seen: it is read, in the database too.
        read = await within(written)
        assert len(read[0]) == 1
        assert center.unread_count == 1
        unread = await trackers_of(services).notifications(unread_only=True)
        assert [n.tracker_id for n in unread] == [shop.id]

        # A second click on nothing new opens nothing.
        emitted: list[int] = []
        center.open_tracker.connect(emitted.append)
        tray_icon.messageClicked.emit()
        await asyncio.sleep(0.05)
        assert emitted == []
        center.close()


async def test_clicking_a_desktop_notification_opens_its_tracker(qapp, data_dir, server):
    async with running(data_dir) as services:
        shop = await add_tracker(services, server, "Shop")
        news = await add_tracker(services, server, "News")
        desktop = RecordingDelivery("desktop")
        center = NotificationCenter(
            trackers_of(services), tray=None, desktop=desktop, burst_window=0
        )
        await center.start()
        await change(services, server, shop)
        await change(services, server, news)
        await asyncio.wait_for(desktop.delivered.get(), WAIT)
        await asyncio.wait_for(desktop.delivered.get(), WAIT)

        # Desktop notifications stay on screen side by side: the older one can be clicked too.
        opened = expect(center.open_tracker)
        desktop.clicks[0]()
        assert await within(opened) == (shop.id,)
        center.close()


async def test_a_burst_becomes_one_message_and_a_summary(qapp, data_dir, server):
    async with running(data_dir) as services:
        trackers = [await add_tracker(services, server, f"Site {i}") for i in range(4)]
        desktop = RecordingDelivery("desktop")
        center = NotificationCenter(
            trackers_of(services), tray=None, desktop=desktop, burst_window=1.0
        )
        await center.start()
        for tracker in trackers:
            path = "/" + tracker.url.rsplit("/", 1)[1]
            server.route(path, page("a = 1", "b = 2"))
        tasks = [await trackers_of(services).check_now(t.id or 0) for t in trackers]
        await asyncio.gather(*[t for t in tasks if t is not None])

        first = await asyncio.wait_for(desktop.delivered.get(), WAIT)
        summary = await asyncio.wait_for(desktop.delivered.get(), WAIT)
        assert first.title.startswith("Change detected: Site ")
        assert summary.title == "3 changes detected"
        assert len(summary.body.splitlines()) == 3
        assert center.unread_count == 4

        inbox_opened = expect(center.open_inbox)
        desktop.clicks[1]()  # a summary of several trackers opens the inbox
        await within(inbox_opened)
        center.close()


def test_a_summary_lists_a_few_titles_and_counts_the_rest():
    def note(i: int, kind: NotificationKind) -> Notification:
        return Notification(i, kind, f"title {i}", "body", 0.0, id=i)

    failures = summary_message([note(i, NotificationKind.FAILURE) for i in range(6)])
    assert failures.title == "6 checks failed"
    # One line each: the title and the body's first line.
    assert failures.body.splitlines() == [*(f"title {i} — body" for i in range(4)), "and 2 more"]
    assert failures.failure
    mixed = summary_message([note(1, NotificationKind.CHANGE), note(2, NotificationKind.FAILURE)])
    assert mixed.title == "2 new notifications"
    assert mixed.key == 0


# -- the preferences: pop-ups, sound, and each tracker's own switch -------------------------------


def preferences_of(services: AppServices) -> PreferencesService:
    assert services.preferences is not None
    return services.preferences


async def test_with_pop_ups_off_nothing_pops_up_but_the_inbox_has_it(qapp, data_dir, server):
    async with running(data_dir) as services:
        shop = await add_tracker(services, server, "Shop")
        await preferences_of(services).update(popups=False)
        desktop, tray = RecordingDelivery("desktop"), RecordingDelivery("tray")
        center = NotificationCenter(
            trackers_of(services),
            tray=tray,
            desktop=desktop,
            burst_window=0,
            preferences=preferences_of(services),
        )
        await center.start()
        inbox = InboxView(trackers_of(services), center, autoload=False)
        await inbox.reload()
        counted = expect(center.unread_changed)
        await change(services, server, shop)
        # Delivery is decided in the same call that counts it: by now it would have been given.
        assert await within(counted) == (1,)
        assert desktop.messages == [] and tray.messages == []
        await inbox.reload()
        assert [n.headline for n in inbox.notifications()] == ["Change detected: Shop — 1 added"]
        assert inbox.unread_count == 1

        # Turned on again, the next one pops up: the preference is read at each delivery.
        await preferences_of(services).update(popups=True)
        await change(services, server, shop)
        message = await asyncio.wait_for(desktop.delivered.get(), WAIT)
        assert message.title == "Change detected: Shop" and not message.sound
        assert center.unread_count == 2
        inbox.dispose()
        center.close()


async def test_with_sound_on_a_pop_up_comes_with_a_sound(qapp, data_dir, server):
    beeps: list[str] = []
    tray_icon = TrayIcon()
    tray = TrayDelivery(tray_icon, is_available=lambda: True, beep=lambda: beeps.append("beep"))
    async with running(data_dir) as services:
        shop = await add_tracker(services, server, "Shop")
        news = await add_tracker(services, server, "News")
        await preferences_of(services).update(sound=True)
        desktop = RecordingDelivery("desktop")
        center = NotificationCenter(
            trackers_of(services),
            tray=tray,
            desktop=desktop,
            burst_window=0,
            preferences=preferences_of(services),
        )
        await center.start()
        await change(services, server, shop)
        assert (await asyncio.wait_for(desktop.delivered.get(), WAIT)).sound
        assert beeps == []  # the desktop notifier asks for its own sound, see below

        desktop.is_available = False  # now the tray: a message and the system's beep
        counted = expect(center.unread_changed)
        await change(services, server, news)
        await within(counted)
        assert beeps == ["beep"]

        await preferences_of(services).update(sound=False)
        counted = expect(center.unread_changed)
        await change(services, server, shop)
        await within(counted)
        assert beeps == ["beep"]  # no sound this time
        center.close()


async def test_a_tracker_that_does_not_notify_stores_and_shows_nothing(qapp, data_dir, server):
    async with running(data_dir) as services:
        quiet = await add_tracker(services, server, "Quiet")
        quiet = await trackers_of(services).update(replace(quiet, notify=False))
        loud = await add_tracker(services, server, "Loud")
        desktop = RecordingDelivery("desktop")
        center = NotificationCenter(
            trackers_of(services),
            tray=None,
            desktop=desktop,
            burst_window=0,
            preferences=preferences_of(services),
        )
        await center.start()
        await change(services, server, quiet)
        await trackers_of(services).wait_idle()
        assert stored_now(services) == []  # the service keeps the change, and tells no one
        assert len(await trackers_of(services).history(quiet.id or 0)) == 2
        await change(services, server, loud)
        message = await asyncio.wait_for(desktop.delivered.get(), WAIT)
        assert message.title == "Change detected: Loud"
        assert [m.title for m in desktop.messages] == ["Change detected: Loud"]
        assert center.unread_count == 1
        center.close()


# -- the inbox -------------------------------------------------------------------------------------


async def test_the_inbox_shows_titles_literally_and_marks_all_read(qapp, data_dir, server):
    hostile = '<b>Bold</b> <img src="http://127.0.0.1:9/x.png"> & co'
    async with running(data_dir) as services:
        evil = await add_tracker(services, server, hostile)
        shop = await add_tracker(services, server, "Shop")
        center = NotificationCenter(trackers_of(services), tray=None, desktop=None)
        await center.start()
        inbox = InboxView(trackers_of(services), center, autoload=False)
        inbox.resize(720, 260)
        inbox.show()
        await change(services, server, shop)
        await change(services, server, evil)
        await inbox.reload()

        titles = [inbox.row_texts(row)[2] for row in range(2)]
        assert titles == [
            f"Change detected: {hostile} — 1 added",
            "Change detected: Shop — 1 added",
        ]
        first = inbox.list.topLevelItem(0)
        assert first.text(0) == UNREAD_MARK and first.font(2).bold()
        assert "&lt;img" in first.toolTip(2)  # the tool tip is escaped, never rendered
        assert inbox.row_texts(0)[1] == "Δ Change"
        assert inbox.mark_all_button.isEnabled()
        assert inbox.grab().save(str(data_dir.parent / "inbox.png"))  # renders, offscreen too

        counts: list[int] = []
        inbox.unread_changed.connect(counts.append)
        written = expect(center.marked_read)
        inbox.mark_all_button.click()
        assert await within(written) == (None,)
        await within(expect(inbox.unread_changed))  # the inbox reads again after "all"
        assert counts[0] == 0 and center.unread_count == 0 and inbox.unread_count == 0
        assert await trackers_of(services).notifications(unread_only=True) == []
        for row in range(2):
            item = inbox.list.topLevelItem(row)
            assert item.text(0) == "" and not item.font(2).bold()
        assert not inbox.mark_all_button.isEnabled()
        inbox.dispose()
        center.close()


async def test_enter_or_double_click_opens_the_tracker_and_marks_it_read(
    qapp, qtbot, data_dir, server
):
    async with running(data_dir) as services:
        shop = await add_tracker(services, server, "Shop")
        news = await add_tracker(services, server, "News")
        center = NotificationCenter(trackers_of(services), tray=None, desktop=None)
        await center.start()
        inbox = InboxView(trackers_of(services), center, autoload=False)
        inbox.resize(600, 200)
        inbox.show()
        await change(services, server, shop)
        await change(services, server, news)
        await inbox.reload()
        assert center.unread_count == 2

        # Enter on the second row (Shop, the older one).
        inbox.list.setCurrentItem(inbox.list.topLevelItem(1))
        opened = expect(inbox.open_tracker)
        written = expect(center.marked_read)
        qtbot.keyClick(inbox.list, Qt.Key.Key_Return)
        assert await within(opened) == (shop.id,)
        await within(written)
        assert center.unread_count == 1
        assert inbox.list.topLevelItem(1).text(0) == ""
        unread = await trackers_of(services).notifications(unread_only=True)
        assert [n.tracker_id for n in unread] == [news.id]

        # A double click on the first row (News).
        rect = inbox.list.visualItemRect(inbox.list.topLevelItem(0))
        opened = expect(inbox.open_tracker)
        # A press first, as a real double click has: the view acts on the row it was pressed on.
        qtbot.mouseClick(inbox.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(inbox.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert await within(opened) == (news.id,)
        assert center.unread_count == 0
        inbox.dispose()
        center.close()


async def test_the_inbox_updates_live_and_works_without_a_center(qapp, data_dir, server):
    async with running(data_dir) as services:
        shop = await add_tracker(services, server, "Shop")
        inbox = InboxView(trackers_of(services))  # loads itself once the loop runs
        await within(expect(inbox.unread_changed))  # said after every load
        assert inbox.notifications() == [] and inbox.empty_label.isVisibleTo(inbox)

        counted = expect(inbox.unread_changed)
        await change(services, server, shop)
        assert await within(counted) == (1,)
        assert [n.headline for n in inbox.notifications()] == ["Change detected: Shop — 1 added"]
        assert not inbox.empty_label.isVisibleTo(inbox)

        await inbox.mark_all_read()
        assert inbox.unread_count == 0
        assert await trackers_of(services).notifications(unread_only=True) == []

        # Removing the tracker removes its notifications, from the list too.
        emptied = expect(inbox.unread_changed)
        await trackers_of(services).remove(shop.id or 0)
        await within(emptied)
        assert inbox.notifications() == []
        inbox.dispose()


async def test_the_unread_count_survives_a_restart_and_reaches_the_tray(qapp, data_dir, server):
    async with running(data_dir) as services:
        shop = await add_tracker(services, server, "Shop")
        await change(services, server, shop)
    async with running(data_dir) as services:
        tray_icon = TrayIcon()
        center = NotificationCenter(trackers_of(services), tray=TrayDelivery(tray_icon))
        center.unread_changed.connect(tray_icon.set_unread)
        await center.start()
        assert center.unread_count == 1
        assert tray_icon.toolTip() == "desktop_tracker — 1 unread"
        image = tray_icon.icon().pixmap(32, 32).toImage()
        assert pixel_is_badge_red(image, 26, 6)
        await center.mark_read()
        assert tray_icon.toolTip() == "desktop_tracker — 0 unread"
        assert not pixel_is_badge_red(tray_icon.icon().pixmap(32, 32).toImage(), 26, 6)
        center.close()


# -- the tray icon ---------------------------------------------------------------------------------


def test_tray_menu_says_what_it_will_do_and_pause_toggles(qapp):
    tray = TrayIcon()
    assert tray.action_texts() == ["Show window", "Check all now", "Pause all", "Quit"]
    toggles: list[bool] = []
    asked: list[str] = []
    tray.pause_toggled.connect(toggles.append)
    tray.show_requested.connect(lambda: asked.append("show"))
    tray.check_all_requested.connect(lambda: asked.append("check"))
    tray.quit_requested.connect(lambda: asked.append("quit"))

    tray.trigger("Pause all")
    assert toggles == [True] and tray.paused
    tray.menu.aboutToShow.emit()  # what happens when the user opens the menu
    assert [a.text() for a in tray.menu.actions() if not a.isSeparator()][2] == "Resume all"
    assert tray.toolTip() == "desktop_tracker — 0 unread · checks paused"
    tray.trigger("Resume all")
    assert toggles == [True, False] and not tray.paused
    tray.set_paused(True)  # the owner says what really happened
    assert "Resume all" in tray.action_texts()

    tray.trigger("Show window")
    tray.trigger("Check all now")
    tray.trigger("Quit")
    tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)  # a click on the icon
    tray.activated.emit(QSystemTrayIcon.ActivationReason.Context)  # the menu: not "show"
    assert asked == ["show", "check", "quit", "show"]


async def test_a_tray_that_comes_late_still_gets_the_icon(qapp, monkeypatch):
    # At login the app may start before the panel: the icon is shown when the tray comes.
    monkeypatch.setattr(tray_module, "TRAY_RETRY_MS", 10)
    there: list[bool] = []
    monkeypatch.setattr(TrayIcon, "available", staticmethod(lambda: bool(there)))
    tray = TrayIcon()
    assert not tray.show_if_available()
    assert not tray.isVisible()
    appeared = expect(tray.appeared)
    there.append(True)
    await within(appeared)
    assert tray.isVisible()
    tray.hide()


def test_tray_badge_and_tooltip_follow_the_unread_count(qapp):
    tray = TrayIcon()
    plain = tray.icon().pixmap(32, 32).toImage()
    assert not pixel_is_badge_red(plain, 26, 6)
    tray.set_unread(3)
    assert tray.toolTip() == "desktop_tracker — 3 unread"
    assert pixel_is_badge_red(tray.icon().pixmap(32, 32).toImage(), 26, 6)
    tray.set_unread(0)
    assert not pixel_is_badge_red(tray.icon().pixmap(32, 32).toImage(), 26, 6)


# -- resources -------------------------------------------------------------------------------------


@pytest.mark.parametrize("unread", [False, True])
def test_icons_exist_at_every_size_from_a_valid_svg(qapp, unread):
    name = "desktop-tracker-unread" if unread else "desktop-tracker"
    assert QSvgRenderer(str(ROOT / "resources" / "icons" / f"{name}.svg")).isValid()  # source
    assert icons_dir().is_relative_to(ROOT / "desktop_tracker" / "resources")  # package data
    for size in ICON_SIZES:
        path = icon_path(size, unread=unread)
        assert path is not None, f"{name}-{size}.png is missing"
        image = QImage(str(path))
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel()
    assert not app_icon(unread).isNull()
    assert sorted(app_icon(unread).availableSizes(), key=lambda s: s.width())[0].width() == 16


# The keys of the Desktop Entry Specification 1.5; others must start with "X-". Checked here
# rather than by `desktop-file-validate`: what that tool accepts depends on the version the
# machine has (Debian 12's 0.26 refuses the 1.5 keys), and a test must not.
DESKTOP_ENTRY_KEYS = {
    "Type", "Version", "Name", "GenericName", "NoDisplay", "Comment", "Icon", "Hidden",
    "OnlyShowIn", "NotShowIn", "DBusActivatable", "TryExec", "Exec", "Path", "Terminal",
    "Actions", "MimeType", "Categories", "Implements", "Keywords", "StartupNotify",
    "StartupWMClass", "URL", "PrefersNonDefaultGPU", "SingleMainWindow",
}  # fmt: skip


def test_desktop_entry_is_valid():
    path = ROOT / "desktop_tracker" / "resources" / "desktop-tracker.desktop"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("[Desktop Entry]\n")
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(text)
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "desktop_tracker"
    assert entry["Exec"] == "desktop-tracker"
    assert entry["Icon"] == "desktop-tracker"
    assert entry["Categories"] == "Network;Monitor;"
    assert entry["StartupWMClass"]
    assert entry["Version"] == "1.5"
    for key in entry:
        assert key.replace("-", "").isalnum(), f"bad key {key!r}"
        assert key in DESKTOP_ENTRY_KEYS or key.startswith("X-"), f"unknown key {key!r}"
    assert entry["Terminal"] in ("true", "false") and entry["StartupNotify"] in ("true", "false")
    assert entry["Keywords"].endswith(";") and entry["Categories"].endswith(";")
    for value in entry.values():
        assert value == value.strip() and "\t" not in value


# -- the desktop notifier over a real (private) D-Bus ----------------------------------------------


def test_the_body_is_shortened_and_escaped_for_markup():
    body = "\n".join(f"line {i} <b>&</b>" for i in range(10))
    short = shorten_body(body)
    assert short.splitlines()[-1] == "…" and len(short.splitlines()) == 7
    assert markup_escape("<img src=x> & <b>") == "&lt;img src=x&gt; &amp; &lt;b&gt;"
    assert desktop_notify.dbus_text("a\0b\udcff") == "ab?"


class FakeNotificationDaemon:
    """org.freedesktop.Notifications on a bus, in a thread: answers Notify with an id and records
    its arguments; `click` sends ActionInvoked as a daemon does when a notification is clicked."""

    def __init__(self, address: str, *, answer: bool = True, markup: bool = True) -> None:
        self.address = address
        self.answer = answer
        self.capabilities = ["body", "actions"] + (["body-markup"] if markup else [])
        self.calls: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self._outbox: queue.Queue[Any] = queue.Queue()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._owner_reply = 0  # RequestName's answer: 1 when this daemon owns the name
        self._thread = threading.Thread(target=self._serve, name="fake-notifyd", daemon=True)

    def __enter__(self) -> FakeNotificationDaemon:
        self._thread.start()
        assert self._ready.wait(5), "the fake daemon did not connect"
        if self._owner_reply != 1:  # someone else has the name: the test would talk to them
            self.__exit__()
            raise AssertionError(f"the fake daemon could not own its name ({self._owner_reply})")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def click(self, daemon_id: int, action: str = "default") -> None:
        from jeepney import DBusAddress, new_signal

        emitter = DBusAddress(desktop_notify.OBJECT_PATH, interface=desktop_notify.INTERFACE)
        self._outbox.put(new_signal(emitter, "ActionInvoked", "us", (daemon_id, action)))

    def next_call(self, timeout: float = 5) -> tuple[Any, ...]:
        return self.calls.get(timeout=timeout)

    def _serve(self) -> None:
        from jeepney import HeaderFields, MessageType, new_error, new_method_return
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import Proxy, open_dbus_connection

        with open_dbus_connection(self.address) as conn:
            # The name is taken here, explicitly: the test bus starts nothing by activation.
            # 4: do not queue behind an owner; the reply is 1 for the primary owner.
            (self._owner_reply,) = Proxy(message_bus, conn).RequestName(desktop_notify.BUS_NAME, 4)
            self._ready.set()
            if self._owner_reply != 1:
                return
            next_id = 1
            while not self._stop.is_set():
                while not self._outbox.empty():
                    conn.send(self._outbox.get())
                try:
                    message = conn.receive(timeout=0.02)
                except TimeoutError:
                    continue
                if message.header.message_type is not MessageType.method_call or not self.answer:
                    continue
                member = message.header.fields.get(HeaderFields.member)
                if member == "GetCapabilities":
                    conn.send(new_method_return(message, "as", (self.capabilities,)))
                elif member == "GetServerInformation":
                    reply = ("fake-notifyd", "tests", "1.0", "1.2")
                    conn.send(new_method_return(message, "ssss", reply))
                elif member == "Notify":
                    self.calls.put(tuple(message.body))
                    conn.send(new_method_return(message, "u", (next_id,)))
                    next_id += 1
                else:
                    conn.send(new_error(message, "org.freedesktop.DBus.Error.UnknownMethod"))


async def test_desktop_notifier_sends_a_real_notification_and_hears_the_click(qapp, session_bus):
    clicked: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    icon = str(icon_path(128))
    with FakeNotificationDaemon(session_bus) as daemon:
        notifier = DesktopNotifier(clicked.set_result, icon=icon, bus=session_bus)
        assert await notifier.start()
        assert notifier.available and notifier.server[0] == "fake-notifyd"
        assert await notifier.notify(
            42, "Change detected: <b>Shop</b>", "1 added\n<img src=x> & co"
        )
        call = await asyncio.to_thread(daemon.next_call)
        app_name, replaces, app_icon_, summary, body, actions, hints, expire = call
        assert (app_name, replaces, app_icon_, expire) == ("desktop_tracker", 0, icon, -1)
        assert summary == "Change detected: <b>Shop</b>"  # a summary is plain text by the spec
        assert body == "1 added\n&lt;img src=x&gt; &amp; co"
        assert "default" in actions[::2]
        assert hints["desktop-entry"] == ("s", "desktop-tracker")
        assert hints["suppress-sound"] == ("b", True)  # sound off: none from the daemon either
        assert "sound-name" not in hints

        daemon.click(1)
        assert await asyncio.wait_for(clicked, WAIT) == 42

        assert await notifier.notify(43, "Change detected: Shop", "1 added", sound=True)
        hints = (await asyncio.to_thread(daemon.next_call))[6]
        assert hints["sound-name"] == ("s", "message-new-instant")
        assert "suppress-sound" not in hints
        await notifier.close()
        assert not notifier.available


async def test_a_daemon_without_markup_gets_the_body_as_it_is(qapp, session_bus):
    with FakeNotificationDaemon(session_bus, markup=False) as daemon:
        notifier = DesktopNotifier(bus=session_bus)
        assert await notifier.start()
        assert await notifier.notify(1, "title", "a <b> & c")
        assert (await asyncio.to_thread(daemon.next_call))[4] == "a <b> & c"
        await notifier.close()


def test_the_test_bus_starts_nothing_the_machine_has_installed(session_bus):
    from jeepney import DBusErrorResponse
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import Proxy, open_dbus_connection

    with open_dbus_connection(session_bus) as conn:
        bus = Proxy(message_bus, conn, timeout=5)
        assert bus.ListActivatableNames() == (["org.freedesktop.DBus"],)
        with pytest.raises(DBusErrorResponse) as refused:
            bus.StartServiceByName(desktop_notify.BUS_NAME)
        assert refused.value.name == "org.freedesktop.DBus.Error.ServiceUnknown"


async def test_no_daemon_or_a_silent_one_turns_the_notifier_off_quickly(qapp, session_bus, caplog):
    caplog.set_level(logging.WARNING, logger=desktop_notify.__name__)
    nobody = DesktopNotifier(bus=session_bus)  # the bus is there, no notification service
    assert not await nobody.start()
    assert "no notification daemon" in caplog.records[-1].getMessage()

    with FakeNotificationDaemon(session_bus, answer=False):
        silent = DesktopNotifier(bus=session_bus, timeout=0.5)
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert not await silent.start()
        assert loop.time() - started < 2.0
        assert "no answer" in caplog.records[-1].getMessage()
    assert len(caplog.records) == 2


async def test_the_daemon_going_away_is_logged_once_and_delivery_falls_back(
    qapp, data_dir, server, session_bus, caplog
):
    caplog.set_level(logging.WARNING, logger=desktop_notify.__name__)
    tray = RecordingDelivery("tray")
    with FakeNotificationDaemon(session_bus) as daemon:
        notifier = DesktopNotifier(bus=session_bus)
        assert await notifier.start()
        async with running(data_dir) as services:
            shop = await add_tracker(services, server, "Shop")
            center = NotificationCenter(
                trackers_of(services),
                tray=tray,
                desktop=DesktopDelivery(notifier),
                burst_window=0,
            )
            await center.start()
            opened = expect(center.open_tracker)
            await change(services, server, shop)
            call = await asyncio.to_thread(daemon.next_call)
            assert call[3] == "Change detected: Shop"
            assert call[4].startswith("1 added\nadded inline script ")  # what was added
            daemon.click(1)
            assert await within(opened) == (shop.id,)
            assert tray.messages == []

            daemon.__exit__()  # the daemon quits
            await change(services, server, shop)
            await eventually(lambda: not notifier.available)  # ServiceUnknown, quietly
            await change(services, server, shop)
            message = await asyncio.wait_for(tray.delivered.get(), WAIT)
            assert message.title == "Change detected: Shop"
            center.close()
        await notifier.close()
    assert len([r for r in caplog.records if r.name == desktop_notify.__name__]) == 1


def test_a_tray_click_acts_once_and_only_on_a_message_shown(qapp):
    tray_icon = TrayIcon()
    clicks: list[int] = []
    delivery = TrayDelivery(tray_icon, is_available=lambda: True)
    note = Notification(5, NotificationKind.FAILURE, "Check failed: x — <b>", "boom", 0.0, id=9)
    tray_icon.messageClicked.emit()
    delivery.deliver(Message(note.title, note.body, (note,)), lambda: clicks.append(9))
    tray_icon.messageClicked.emit()
    tray_icon.messageClicked.emit()
    assert clicks == [9]


async def test_the_app_wiring_starts_without_a_session_bus(qapp, data_dir, monkeypatch, caplog):
    # The wiring of the app itself (DesktopApp): offscreen there is no tray, so the desktop
    # notifier comes first; without a bus it is off, said once; the tray's badge follows.
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    caplog.set_level(logging.WARNING, logger=desktop_notify.__name__)
    running = await Running(data_dir).start()
    try:
        center, tray_icon = running.app.center, running.app.tray
        assert center is not None and tray_icon is not None
        assert [b.name for b in center.backends] == ["desktop", "tray"]
        await until(lambda: any("no session bus" in r.getMessage() for r in caplog.records))
        assert not any(b.available() for b in center.backends)  # offscreen, no bus
        center.unread_changed.emit(2)  # the badge follows the center
        assert tray_icon.unread == 2
    finally:
        await running.quit()
