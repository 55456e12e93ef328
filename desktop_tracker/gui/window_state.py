"""How the user left the main window: its place and size, docks and toolbars, the trackers
table's columns (widths, order, sort, hidden ones) and the selected tracker.

Kept in `window.ini` in the data directory (QSettings, INI format), beside the data it is
about: two data directories (a test one, the real one) each keep their own window, and
deleting the folder forgets both. The file is Qt's; nothing here is worth an error if it is
missing or damaged: the window then starts as a new one would.

The table's columns are stored with the list of column names they were saved for: a version
with other columns starts its table afresh instead of reading widths of other columns.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QRect, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

FILE_NAME = "window.ini"
STATE_VERSION = 1  # of QMainWindow.saveState: docks and toolbars


class WindowState:
    """Read and write the window's state; each setter stores at once (QSettings writes the file
    on `sync()`, which the window calls when it has set everything)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    # -- the window ---------------------------------------------------------------------------

    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._settings.setValue("window/geometry", value)

    @property
    def docks(self) -> QByteArray | None:
        """QMainWindow.saveState(STATE_VERSION)."""
        return self._bytes("window/docks")

    @docks.setter
    def docks(self, value: QByteArray) -> None:
        self._settings.setValue("window/docks", value)

    @property
    def notifications_collapsed(self) -> bool:
        """The notifications panel was hidden by the window (too narrow), not by the user."""
        return self._bool("window/notifications_collapsed")

    @notifications_collapsed.setter
    def notifications_collapsed(self, value: bool) -> None:
        self._settings.setValue("window/notifications_collapsed", value)

    # -- the trackers table -------------------------------------------------------------------

    def header(self, columns: list[str]) -> QByteArray | None:
        """QHeaderView.saveState of the table, if saved for these columns."""
        if self._settings.value("table/columns") != "|".join(columns):
            return None
        return self._bytes("table/header")

    def set_header(self, columns: list[str], value: QByteArray) -> None:
        self._settings.setValue("table/columns", "|".join(columns))
        self._settings.setValue("table/header", value)

    @property
    def columns_sized_by_user(self) -> bool:
        """The user has resized a column: from then on the widths are theirs."""
        return self._bool("table/sized_by_user")

    @columns_sized_by_user.setter
    def columns_sized_by_user(self, value: bool) -> None:
        self._settings.setValue("table/sized_by_user", value)

    @property
    def selected_tracker(self) -> int | None:
        value = self._settings.value("table/selected_tracker")
        try:
            return int(str(value)) if value not in (None, "") else None
        except ValueError:
            return None

    @selected_tracker.setter
    def selected_tracker(self, tracker_id: int | None) -> None:
        self._settings.setValue("table/selected_tracker", "" if tracker_id is None else tracker_id)

    # -- plumbing -----------------------------------------------------------------------------

    def sync(self) -> None:
        self._settings.sync()

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def _bool(self, key: str) -> bool:
        return str(self._settings.value(key, "false")).lower() == "true"


def keep_on_a_screen(window: QWidget) -> None:
    """Bring a window back onto a screen when its restored place is on none of them (it was
    saved on a monitor that is gone, or at another resolution): centred on the primary screen,
    no larger than it. A window whose title bar shows on some screen stays where it is."""
    frame = window.frameGeometry()
    title_bar = QRect(frame.topLeft(), QPoint(frame.right(), frame.top() + 30))
    screens = QGuiApplication.screens()
    if any(screen.availableGeometry().intersects(title_bar) for screen in screens):
        return
    primary = QGuiApplication.primaryScreen()
    if primary is None:
        return
    available = primary.availableGeometry()
    width = min(window.width(), available.width())
    height = min(window.height(), available.height())
    window.resize(width, height)
    window.move(
        available.left() + (available.width() - width) // 2,
        available.top() + (available.height() - height) // 2,
    )
