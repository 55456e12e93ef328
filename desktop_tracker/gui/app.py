"""Start and stop the desktop app: Qt, the qasync loop, one instance, services, windows, tray.

Quitting: calling `app.quit()` while the main coroutine still awaits stops qasync's loop under it
("Event loop stopped before Future completed"). So Quit sets an asyncio.Event; the main coroutine
then closes the windows, cancels the widgets' tasks, stops the scheduler (runs in flight get a few
seconds, the rest are recorded as interrupted and run again at the next start), closes the
database and only then returns.

At start the user's preferences (loaded by the services) choose the theme and whether the app
starts in the tray; the window's state comes from `window.ini` in the data directory.

DESKTOP_TRACKER_REPORT_SHOWN=1 makes the app write one line to stderr, "desktop-tracker: window
shown …", once its window is on screen with the trackers table filled: what
tests/bench/bench_window.py times a launch to. Nothing else reads it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")  # qasync takes the first Qt binding it can import

import qasync
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_tracker import __version__
from desktop_tracker.autostart import IN_TRAY_FLAG, login_entry
from desktop_tracker.data_dir import DataDirError
from desktop_tracker.domain.preferences import Preferences
from desktop_tracker.domain.store_errors import StoreError
from desktop_tracker.gui.async_ops import cancel_all, spawn
from desktop_tracker.gui.desktop_notify import DesktopNotifier
from desktop_tracker.gui.error_reporter import ErrorReporter
from desktop_tracker.gui.inbox_view import InboxView
from desktop_tracker.gui.main_window import MainWindow
from desktop_tracker.gui.notifications import (
    DesktopDelivery,
    NotificationCenter,
    TrayDelivery,
)
from desktop_tracker.gui.single_instance import InstanceServer, hand_over, server_name
from desktop_tracker.gui.theme import apply_theme
from desktop_tracker.gui.tray import TrayIcon, app_icon, icon_path
from desktop_tracker.gui.window_state import WindowState
from desktop_tracker.service import AppServices

log = logging.getLogger(__name__)
QUIT_GRACE_SECONDS = 5.0
# Started in the tray (at login) before the desktop's panel: how long to wait for its tray before
# showing the window after all (the tray icon itself keeps looking for two minutes).
TRAY_WAIT_MS = 12_000
REPORT_SHOWN = "DESKTOP_TRACKER_REPORT_SHOWN"  # see the module's docstring
LOG_FILE_NAME = "desktop-tracker.log"


def run_gui(data_dir: Path, argv: list[str] | None = None, *, in_tray: bool = False) -> int:
    """Run the desktop app until the user quits; returns the exit code. `in_tray`: start in
    the tray, without the window (at login), unless there is no tray."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("desktop_tracker")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("desktop-tracker")
    app.setQuitOnLastWindowClosed(False)  # closing the window leaves the app in the tray
    name = server_name(data_dir)
    if hand_over(name, [*(argv or []), *([IN_TRAY_FLAG] if in_tray else [])]):
        if in_tray:  # started at login while already running: nothing to bring forward
            print("desktop_tracker is already running.")
        else:
            print("desktop_tracker is already running: its window was brought forward.")
        return 0
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(DesktopApp(data_dir, name, in_tray=in_tray).run())
    finally:
        loop.close()
        asyncio.set_event_loop(None)


class DesktopApp:
    """Everything the running app holds, and the order in which it starts and stops."""

    def __init__(
        self,
        data_dir: Path,
        instance_name: str,
        services: AppServices | None = None,
        *,
        in_tray: bool = False,
    ) -> None:
        self.data_dir = data_dir
        self.in_tray = in_tray  # start without the window, if there is a tray to start in
        self.login = login_entry(data_dir)
        self._tray_wait: QTimer | None = None  # started in the tray, while there is none yet
        self.instance_name = instance_name
        self.quit = asyncio.Event()
        self.services = services or AppServices(data_dir)
        self.window: MainWindow | None = None
        self.tray: TrayIcon | None = None
        self.center: NotificationCenter | None = None
        self.inbox: InboxView | None = None
        self.instance: InstanceServer | None = None
        self._theme = ""  # the theme applied, from the preferences
        self._unsubscribe_preferences: Callable[[], None] | None = None

    async def run(self) -> int:
        self.reporter = ErrorReporter(log_file=str(self.data_dir / LOG_FILE_NAME))
        self.reporter.install(asyncio.get_running_loop())
        try:
            await self.services.open()
        except (DataDirError, StoreError) as error:  # in use, not a folder, unwritable, damaged
            log.error("cannot start: %s", error)
            await _tell(f"desktop_tracker cannot start.\n\n{error}")
            self.reporter.uninstall()
            return 1
        try:
            self.instance = InstanceServer(self.instance_name)
        except OSError as error:
            log.warning("a second launch will not find this one: %s", error)
        self._build()
        self._watch_signals()
        await self.quit.wait()
        await self._shut_down()
        return 0

    def _build(self) -> None:
        trackers, scheduler = self.services.trackers, self.services.scheduler
        preferences = self.services.preferences
        assert trackers is not None and scheduler is not None and preferences is not None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, preferences.current.theme)
        self._unsubscribe_preferences = preferences.events.subscribe(self._preferences_changed)
        self._theme = preferences.current.theme
        in_tray = self.in_tray or preferences.current.start_in_tray
        tray = TrayIcon()
        tray_shown = tray.show_if_available()
        icon_file = icon_path(256)
        notifier = DesktopNotifier(icon=str(icon_file) if icon_file else "")
        center = NotificationCenter(
            trackers,
            tray=TrayDelivery(tray, icon=app_icon()),
            desktop=DesktopDelivery(notifier),
            prefer_desktop=not tray_shown,
            preferences=preferences,
        )
        inbox = InboxView(trackers, center)
        window = MainWindow(
            trackers,
            scheduler,
            inbox,
            tray_available=tray_shown,
            icon=app_icon(),
            login=self.login,
            preferences=preferences,
            state=WindowState(self.data_dir),
            data_dir=self.data_dir,
            log_file=self.data_dir / LOG_FILE_NAME,
        )
        self.reporter.attach(window)
        if os.environ.get(REPORT_SHOWN):
            window.rows_shown.connect(lambda count: self._report_shown(window, count))

        center.unread_changed.connect(tray.set_unread)
        center.open_tracker.connect(lambda tracker_id: self._open_tracker(tracker_id))
        center.open_inbox.connect(self._show_window)
        tray.show_requested.connect(self._show_window)
        tray.check_all_requested.connect(window.check_all)
        tray.set_paused(scheduler.paused)  # "Pause all" is remembered across restarts
        tray.pause_toggled.connect(window.set_all_paused)
        tray.pause_toggled.connect(tray.set_paused)
        window.paused_changed.connect(tray.set_paused)
        tray.quit_requested.connect(self.quit.set)
        window.quit_requested.connect(self.quit.set)
        window.tray_hint_needed.connect(
            lambda: tray.showMessage(
                "desktop_tracker is still running",
                "Checks go on in the background. Quit from the tray menu to stop them.",
            )
        )
        if self.instance is not None:
            self.instance.activated.connect(self._on_second_launch)
        tray.appeared.connect(lambda: self._tray_appeared(window, center))

        self.tray, self.center, self.inbox, self.window = tray, center, inbox, window
        spawn(center.start())
        if not in_tray:
            window.show()
        elif not tray_shown:
            # No tray (yet): at login the panel may come up after us. Without a tray the user
            # would have no way in, so the window shows unless the tray comes soon.
            self._tray_wait = QTimer(window, singleShot=True, interval=TRAY_WAIT_MS)
            self._tray_wait.timeout.connect(self._show_window)
            tray.appeared.connect(self._tray_wait.stop)
            self._tray_wait.start()

    def _preferences_changed(self, preferences: Preferences) -> None:
        if preferences.theme != self._theme:
            self._theme = preferences.theme
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, preferences.theme)

    @staticmethod
    def _report_shown(window: MainWindow, count: int) -> None:
        """The launch marker (REPORT_SHOWN): once the window is painted with its rows."""
        window.repaint()  # painted now, not at the next frame
        handle = window.windowHandle()
        exposed = window.isVisible() and handle is not None and handle.isExposed()
        print(
            f"desktop-tracker: window shown, {count} trackers, exposed={exposed}",
            file=sys.stderr,
            flush=True,
        )

    @staticmethod
    def _tray_appeared(window: MainWindow, center: NotificationCenter) -> None:
        # The desktop's tray came up after the app (a panel that starts late): from now on,
        # closing the window leaves the app in the tray, and messages go there.
        window.set_tray_available(True)
        center.set_prefer_desktop(False)

    def _on_second_launch(self, arguments: list[object]) -> None:
        if IN_TRAY_FLAG not in arguments:  # started at login again: stay where we are
            self._show_window()

    def _show_window(self) -> None:
        if self.window is None:
            return
        self.window.show()
        self.window.setWindowState(
            (self.window.windowState() & ~Qt.WindowState.WindowMinimized)
            | Qt.WindowState.WindowActive
        )
        self.window.raise_()
        self.window.activateWindow()

    def _open_tracker(self, tracker_id: int) -> None:
        self._show_window()
        if self.window is not None:
            self.window.open_history(tracker_id)

    def _watch_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                signal.signal(signum, lambda *_: loop.call_soon_threadsafe(self.quit.set))
            except ValueError:  # not the main thread (tests)
                return

    async def _shut_down(self) -> None:
        log.info("quitting: runs in flight get %.0f s", QUIT_GRACE_SECONDS)
        if self._unsubscribe_preferences is not None:
            self._unsubscribe_preferences()
            self._unsubscribe_preferences = None
        if self.window is not None:
            self.window.dispose()
            self.window.hide()
        if self.inbox is not None:
            self.inbox.dispose()
        if self.center is not None:
            await self.center.aclose()
        if self.tray is not None:
            self.tray.hide()
        await cancel_all()
        await self.services.close(QUIT_GRACE_SECONDS)
        if self.instance is not None:
            self.instance.close()
        if self.window is not None:
            self.window.deleteLater()
        log.info("quit")
        self.reporter.uninstall()


async def _tell(message: str) -> None:
    """Show a message and wait until it is closed, without re-entering the loop."""
    box = QMessageBox(QMessageBox.Icon.Critical, "desktop_tracker", message)
    box.setTextFormat(Qt.TextFormat.PlainText)
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    box.finished.connect(lambda _: done.done() or done.set_result(None))
    box.open()
    await done
