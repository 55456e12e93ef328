"""The window's action icons: the desktop's icon theme where it has them, ours otherwise.

Ours are small SVGs shipped as package data (desktop_tracker/resources/icons/actions), found
through importlib.resources like the app icon, so a checkout, a wheel and a frozen app all have
them. Windows and macOS have no icon theme: there the toolbar shows ours.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtGui import QIcon

from desktop_tracker.gui.tray import icons_dir

# Our name → the freedesktop icon naming spec's name for the same action.
THEME_NAMES = {
    "add": "list-add",
    "edit": "document-edit",
    "delete": "edit-delete",
    "check": "view-refresh",
    "check-all": "view-refresh-all",  # rarely in a theme: ours then, unlike "check"
    "pause": "media-playback-pause",
    "pause-all": "media-playback-stop",
    "resume": "media-playback-start",
    "history": "document-open-recent",
    "preferences": "preferences-system",
    "help": "help-contents",
}


def bundled_icon_path(name: str) -> Path:
    """Our own SVG for an action of THEME_NAMES."""
    return icons_dir() / "actions" / f"{name}.svg"


@functools.cache  # one QIcon per action for the whole run: the theme does not change under us
def action_icon(name: str) -> QIcon:
    """The theme's icon for this action, or ours when the theme has none."""
    fallback = QIcon(str(bundled_icon_path(name)))
    theme_name = THEME_NAMES.get(name)
    if theme_name is None:
        return fallback
    return QIcon.fromTheme(theme_name, fallback)
