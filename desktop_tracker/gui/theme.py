"""The app's look: the platform's own (system), or a light or a dark Fusion palette.

`apply_theme(app, theme)` is the one switch. "light" and "dark" set the Fusion style (it paints
from the palette alone, so the same palette looks the same on every platform) and a palette with
every role set, in every colour group: disabled text, links, highlighted text, tool tips and
placeholder text included, so no role falls back to a platform colour meant for the other
lightness. "system" gives the platform back: its style (by the name it had before the first
switch) and its palette, by setting an application palette that sets no role at all; Qt then
fills every role from the platform again and keeps following it (a desktop switching to dark
mode while the app runs).

Where the platform says it is in dark mode (`QStyleHints.colorScheme`, Qt 6.5+) but its palette
is light (a style that ignores dark mode), "system" takes the dark palette, and it follows the
desktop switching back and forth. The colour scheme is only read, never set.

Widgets that pick colours from the palette (the diff views' `ChangeColours`, the trackers table,
error lines) follow a switch: every widget gets a `PaletteChange` once the application palette
changed (Qt posts it; it arrives on the next pass of the event loop).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

SYSTEM, LIGHT, DARK = "system", "light", "dark"
FUSION = "Fusion"

Role = QPalette.ColorRole
Group = QPalette.ColorGroup


@dataclass(frozen=True, slots=True)
class Colours:
    """The colours of one theme. Contrast on its background (WCAG): text ≥ 7:1 (AAA); links,
    placeholder and highlighted text ≥ 4.5:1 (AA); disabled text about 3:1 (greyed, legible)."""

    window: str
    window_text: str
    base: str
    alternate_base: str
    text: str
    button: str
    button_text: str
    bright_text: str
    light: str
    midlight: str
    mid: str
    dark: str
    shadow: str
    highlight: str
    highlighted_text: str
    link: str
    link_visited: str
    tooltip_base: str
    tooltip_text: str
    placeholder: str
    disabled_text: str
    disabled_button: str
    disabled_highlight: str
    inactive_highlight: str


LIGHT_COLOURS = Colours(
    window="#efefef",
    window_text="#1b1b1b",
    base="#ffffff",
    alternate_base="#f5f5f5",
    text="#1b1b1b",
    button="#e6e6e6",
    button_text="#1b1b1b",
    bright_text="#ffffff",
    light="#ffffff",
    midlight="#f5f5f5",
    mid="#b8b8b8",
    dark="#9f9f9f",
    shadow="#767676",
    highlight="#1f5fbf",
    highlighted_text="#ffffff",
    link="#0b57d0",
    link_visited="#6a1b9a",
    tooltip_base="#ffffdc",
    tooltip_text="#1b1b1b",
    placeholder="#6b6b6b",
    disabled_text="#8a8a8a",
    disabled_button="#e9e9e9",
    disabled_highlight="#9aa5b5",
    inactive_highlight="#3f6db3",
)

DARK_COLOURS = Colours(
    window="#2d2d2d",
    window_text="#e8e8e8",
    base="#1e1e1e",
    alternate_base="#262626",
    text="#e8e8e8",
    button="#3a3a3a",
    button_text="#e8e8e8",
    bright_text="#ffffff",
    light="#505050",
    midlight="#434343",
    mid="#2a2a2a",
    dark="#1a1a1a",
    shadow="#0d0d0d",
    highlight="#2f6fd0",
    highlighted_text="#ffffff",
    link="#8ab4f8",
    link_visited="#c58af9",
    tooltip_base="#3c3c3c",
    tooltip_text="#f0f0f0",
    placeholder="#9a9a9a",
    disabled_text="#808080",
    disabled_button="#333333",
    disabled_highlight="#4a4f57",
    inactive_highlight="#2a5aa3",
)


def palette_of(colours: Colours) -> QPalette:
    """A palette with every role set in every colour group."""
    palette = QPalette()
    normal = {
        Role.Window: colours.window,
        Role.WindowText: colours.window_text,
        Role.Base: colours.base,
        Role.AlternateBase: colours.alternate_base,
        Role.Text: colours.text,
        Role.Button: colours.button,
        Role.ButtonText: colours.button_text,
        Role.BrightText: colours.bright_text,
        Role.Light: colours.light,
        Role.Midlight: colours.midlight,
        Role.Mid: colours.mid,
        Role.Dark: colours.dark,
        Role.Shadow: colours.shadow,
        Role.Highlight: colours.highlight,
        Role.HighlightedText: colours.highlighted_text,
        Role.Link: colours.link,
        Role.LinkVisited: colours.link_visited,
        Role.ToolTipBase: colours.tooltip_base,
        Role.ToolTipText: colours.tooltip_text,
        Role.PlaceholderText: colours.placeholder,
        Role.Accent: colours.highlight,
    }
    for group in (Group.Active, Group.Inactive, Group.Disabled):
        for role, colour in normal.items():
            palette.setColor(group, role, QColor(colour))
    # A window in the background keeps a visible, quieter selection.
    palette.setColor(Group.Inactive, Role.Highlight, QColor(colours.inactive_highlight))
    palette.setColor(Group.Inactive, Role.Accent, QColor(colours.inactive_highlight))
    for role in (Role.WindowText, Role.Text, Role.ButtonText, Role.PlaceholderText):
        palette.setColor(Group.Disabled, role, QColor(colours.disabled_text))
    palette.setColor(Group.Disabled, Role.Button, QColor(colours.disabled_button))
    palette.setColor(Group.Disabled, Role.Base, QColor(colours.window))
    palette.setColor(Group.Disabled, Role.Highlight, QColor(colours.disabled_highlight))
    palette.setColor(Group.Disabled, Role.Accent, QColor(colours.disabled_highlight))
    palette.setColor(Group.Disabled, Role.HighlightedText, QColor(colours.disabled_text))
    palette.setColor(Group.Disabled, Role.Link, QColor(colours.disabled_text))
    palette.setColor(Group.Disabled, Role.LinkVisited, QColor(colours.disabled_text))
    return palette


def light_palette() -> QPalette:
    return palette_of(LIGHT_COLOURS)


def dark_palette() -> QPalette:
    return palette_of(DARK_COLOURS)


def system_colour_scheme() -> Qt.ColorScheme:
    """What the platform says: light, dark or unknown (Qt before 6.5 cannot say)."""
    hints = QGuiApplication.styleHints()
    reader: Callable[[], Qt.ColorScheme] | None = getattr(hints, "colorScheme", None)
    return reader() if reader is not None else Qt.ColorScheme.Unknown


class _Themes:
    """What `apply_theme` remembers: the platform's style name, seen before the first switch,
    and the theme in force."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.platform_style = app.style().name()
        self.theme: str | None = None
        self.dark_for_system = False  # "system" shows our dark palette (see the module's note)
        hints = QGuiApplication.styleHints()
        changed = getattr(hints, "colorSchemeChanged", None)
        if changed is not None:
            changed.connect(self._scheme_changed)

    def apply(self, theme: str) -> None:
        if theme == self.theme:
            return  # no palette change for every widget to work through again
        if theme == LIGHT:
            self._set(FUSION, light_palette())
        elif theme == DARK:
            self._set(FUSION, dark_palette())
        elif theme == SYSTEM:
            self._platform()
        else:
            raise ValueError(f"unknown theme {theme!r}: use system, light or dark")
        self.theme = theme

    def _platform(self) -> None:
        self._set(self.platform_style, QPalette())  # no role set: all the platform's
        self.dark_for_system = False
        if system_colour_scheme() == Qt.ColorScheme.Dark and not _looks_dark(self.app.palette()):
            # The desktop is dark and the platform's style paints light: follow the desktop.
            self._set(FUSION, dark_palette())
            self.dark_for_system = True

    def _set(self, style: str, palette: QPalette) -> None:
        if self.app.style().name().lower() != style.lower():
            self.app.setStyle(style)
        self.app.setPalette(palette)

    def _scheme_changed(self, *_: object) -> None:
        if self.theme == SYSTEM:
            self._platform()


_themes: _Themes | None = None


def apply_theme(app: QApplication, theme: str) -> None:
    """Show the app in `theme`: "system", "light" or "dark" (domain.preferences.THEMES). The
    theme already in force is left as it is.

    :raises ValueError: for another name.
    """
    global _themes
    if _themes is None or _themes.app is not app:
        _themes = _Themes(app)
    _themes.apply(theme)


def current_theme() -> str:
    """The theme last applied ("system" before any)."""
    return SYSTEM if _themes is None or _themes.theme is None else _themes.theme


def _looks_dark(palette: QPalette) -> bool:
    return palette.color(Role.Window).lightnessF() < 0.5
