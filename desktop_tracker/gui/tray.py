"""The tray icon: the app's mark (with a red dot when something is unread), and a small menu.

The tray is often missing (offscreen, plain Xvfb, GNOME without an extension, a panel that starts
after the app at login): `available()` says so, `show_if_available()` shows the icon only then and
keeps looking for two minutes, so an app autostarted before the panel still gets its icon. The app
stays usable without it: notifications still reach the desktop notifier and the inbox.

Also the home of the app icon (`app_icon()`, `icon_path()`), which the window and the desktop
notifier use too.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QObject, QSize, QTimer, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

APP_TITLE = "desktop_tracker"
ICON_NAME = "desktop-tracker"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# A tray that is not there yet at login usually is within a minute.
TRAY_RETRY_MS = 5_000
TRAY_RETRIES = 24


def icons_dir() -> Path:
    """The icons shipped as package data (desktop_tracker/resources/icons), found with
    importlib.resources: the same in a checkout, an installed wheel and a PyInstaller bundle."""
    return Path(str(resources.files("desktop_tracker.resources").joinpath("icons")))


def icon_path(size: int = 256, *, unread: bool = False) -> Path | None:
    """The PNG of the app icon at one of ICON_SIZES, or None if it is not installed."""
    name = f"{ICON_NAME}-unread" if unread else ICON_NAME
    path = icons_dir() / f"{name}-{size}.png"
    return path if path.exists() else None


def app_icon(unread: bool = False) -> QIcon:
    """The app icon at every size we ship, so Qt never scales a 256 px image down to 16 px."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = icon_path(size, unread=unread)
        if path is not None:
            icon.addFile(str(path), QSize(size, size))
    if icon.isNull():  # resources missing from a broken install: a themed icon, or nothing
        icon = QIcon.fromTheme(ICON_NAME)
    return icon


def tooltip_text(unread: int, paused: bool) -> str:
    text = f"{APP_TITLE} — {unread} unread"
    if paused:
        text += " · checks paused"
    return text


class TrayIcon(QSystemTrayIcon):
    """The tray icon and its menu. It only asks; the owner does (shows, checks, pauses, quits).

    Signals: `show_requested()` (a click on the icon or "Show window"), `check_all_requested()`,
    `pause_toggled(bool)` (True: pause all), `quit_requested()`, `appeared()` (a tray that was
    missing at start came, and the icon is shown now).
    """

    show_requested = Signal()
    check_all_requested = Signal()
    pause_toggled = Signal(bool)
    quit_requested = Signal()
    appeared = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        icons = {False: app_icon(False), True: app_icon(True)}  # unread → icon
        super().__init__(icons[False], parent)
        self._icons = icons
        self._unread = 0
        self._paused = False
        self._retries_left = 0
        # A menu has no parent (a QObject tray cannot own a widget); kept alive by this reference.
        self._menu = QMenu()
        # Rebuilt each time it opens, so its texts always match the state.
        self._menu.aboutToShow.connect(self._rebuild_menu)
        self._rebuild_menu()
        self.setContextMenu(self._menu)
        self.activated.connect(self._on_activated)
        self._retry = QTimer(self)
        self._retry.setInterval(TRAY_RETRY_MS)
        self._retry.timeout.connect(self._try_show)
        self._update_look()

    # -- state ------------------------------------------------------------------------------

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show_if_available(self, *, keep_trying: bool = True) -> bool:
        """Show the icon if there is a tray; otherwise, if asked, look again for two minutes."""
        if self._try_show():
            return True
        if keep_trying:
            self._retries_left = TRAY_RETRIES
            self._retry.start()
        return False

    @property
    def unread(self) -> int:
        return self._unread

    def set_unread(self, count: int) -> None:
        """Badge and tool tip; connect NotificationCenter.unread_changed here."""
        count = max(0, count)
        if count != self._unread:
            self._unread = count
            self._update_look()

    @property
    def paused(self) -> bool:
        return self._paused

    def set_paused(self, paused: bool) -> None:
        """What the scheduler really does (the owner corrects a toggle that failed)."""
        if paused != self._paused:
            self._paused = paused
            self._update_look()

    @property
    def menu(self) -> QMenu:
        return self._menu

    def action_texts(self) -> list[str]:
        """The menu's entries as the user would read them now (separators left out)."""
        self._rebuild_menu()
        return [a.text() for a in self._menu.actions() if not a.isSeparator()]

    def trigger(self, text: str) -> None:
        """Choose a menu entry by its text, as a click would (tests, keyboard shortcuts)."""
        self._rebuild_menu()
        for action in self._menu.actions():
            if action.text() == text:
                action.trigger()
                return
        raise KeyError(f"no menu entry {text!r}")

    # -- plumbing ---------------------------------------------------------------------------

    def _try_show(self) -> bool:
        if self.available():
            late = self._retry.isActive()
            self._retry.stop()
            self.show()
            if late:
                self.appeared.emit()
            return True
        self._retries_left -= 1
        if self._retries_left <= 0:
            self._retry.stop()
        return False

    def _rebuild_menu(self) -> None:
        menu = self._menu
        menu.clear()
        self._add(menu, "Show window", lambda: self.show_requested.emit())
        self._add(menu, "Check all now", lambda: self.check_all_requested.emit())
        menu.addSeparator()
        self._add(menu, "Resume all" if self._paused else "Pause all", self._toggle_pause)
        menu.addSeparator()
        self._add(menu, "Quit", lambda: self.quit_requested.emit())

    def _add(self, menu: QMenu, text: str, slot: Callable[[], None]) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(slot)
        return action

    def _toggle_pause(self) -> None:
        # Optimistic: the next menu says "Resume all"; the owner calls set_paused if it failed.
        self.set_paused(not self._paused)
        self.pause_toggled.emit(self._paused)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_requested.emit()

    def _update_look(self) -> None:
        self.setIcon(self._icons[self._unread > 0])
        # Tool tips may be read as rich text; this one holds no text from the web.
        self.setToolTip(tooltip_text(self._unread, self._paused))
