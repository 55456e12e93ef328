"""The light and dark themes: complete palettes with readable contrast everywhere, views that
follow a switch, and "system" giving the platform's own look back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui import theme
from desktop_tracker.gui.diff_view import contrast_ratio
from desktop_tracker.gui.kinds.resources_diff import ResourcesDiffView
from desktop_tracker.gui.schedule_editor import ERROR_ON_DARK, ERROR_ON_LIGHT, ErrorLine
from desktop_tracker.gui.trackers_model import STATUS
from tests.support.desktop_app import Running, until

Role, Group = QPalette.ColorRole, QPalette.ColorGroup
GROUPS = (Group.Active, Group.Inactive, Group.Disabled)
ROLES = [role for role in Role if role not in (Role.NoRole, Role.NColorRoles)]


def colours_of(palette: QPalette) -> dict[tuple[Group, Role], str]:
    return {
        (group, role): palette.color(group, role).name(QColor.NameFormat.HexArgb)
        for group in GROUPS
        for role in ROLES
    }


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The application, given back in the platform's look whatever the test did."""
    yield qapp
    theme.apply_theme(qapp, "system")
    QCoreApplication.processEvents()


def ratio(palette: QPalette, group: Group, fore: Role, back: Role) -> float:
    return contrast_ratio(palette.color(group, fore), palette.color(group, back))


@pytest.mark.parametrize("name", ["light", "dark"])
def test_each_theme_sets_every_colour_with_readable_contrast(app, name):
    theme.apply_theme(app, name)
    palette = app.palette()
    assert app.style().name().lower() == "fusion"
    for group in GROUPS:
        for role in ROLES:
            assert palette.isBrushSet(group, role), f"{group.name} {role.name} left to chance"
    for group in (Group.Active, Group.Inactive):
        assert ratio(palette, group, Role.WindowText, Role.Window) >= 7
        assert ratio(palette, group, Role.Text, Role.Base) >= 7
        assert ratio(palette, group, Role.Text, Role.AlternateBase) >= 7
        assert ratio(palette, group, Role.ButtonText, Role.Button) >= 7
        assert ratio(palette, group, Role.ToolTipText, Role.ToolTipBase) >= 7
        assert ratio(palette, group, Role.HighlightedText, Role.Highlight) >= 4.5
        assert ratio(palette, group, Role.Link, Role.Base) >= 4.5
        assert ratio(palette, group, Role.LinkVisited, Role.Base) >= 4.5
        assert ratio(palette, group, Role.PlaceholderText, Role.Base) >= 4.5
    # Disabled: visibly greyed, still legible.
    for fore, back in ((Role.WindowText, Role.Window), (Role.Text, Role.Base)):
        disabled = ratio(palette, Group.Disabled, fore, back)
        assert 2.8 <= disabled < ratio(palette, Group.Active, fore, back)
    dark = palette.color(Role.Window).lightnessF() < 0.5
    assert dark == (name == "dark")


def test_switching_back_to_system_restores_the_platform_look(app):
    theme.apply_theme(app, "system")
    style, original = app.style().name(), colours_of(app.palette())
    theme.apply_theme(app, "dark")
    assert colours_of(app.palette()) != original
    theme.apply_theme(app, "light")
    theme.apply_theme(app, "system")
    assert app.style().name() == style
    assert colours_of(app.palette()) == original
    assert app.palette().resolveMask() == 0  # no role of ours: the platform's palette, live
    assert theme.current_theme() == "system"


def test_unknown_theme_is_refused_in_words(app):
    with pytest.raises(ValueError, match="use system, light or dark"):
        theme.apply_theme(app, "solarized")


def test_system_follows_a_dark_desktop_whose_style_paints_light(app, monkeypatch):
    # Offscreen the platform says nothing (Unknown) and its palette is light: a desktop in dark
    # mode whose style paints light anyway is what Qt's Windows style did before 6.7.
    monkeypatch.setattr(theme, "system_colour_scheme", lambda: Qt.ColorScheme.Dark)
    theme.apply_theme(app, "light")
    theme.apply_theme(app, "system")
    assert app.palette().color(Role.Window).lightnessF() < 0.5
    monkeypatch.setattr(theme, "system_colour_scheme", lambda: Qt.ColorScheme.Light)
    theme._themes._scheme_changed()  # what Qt's colorSchemeChanged calls
    assert app.palette().color(Role.Window).lightnessF() > 0.5
    assert app.palette().resolveMask() == 0


def test_open_views_follow_a_theme_switch(app, qtbot):
    # Colours picked from the palette (the diffs' ChangeColours, error lines) are picked again
    # when the palette changes; Qt tells each widget on the next pass of the loop.
    view = ResourcesDiffView()
    error = ErrorLine()
    error.show_message("the schedule is wrong")
    qtbot.addWidget(view)
    qtbot.addWidget(error)
    view.show()
    theme.apply_theme(app, "light")
    qtbot.waitUntil(lambda: not view.colours.dark)
    theme.apply_theme(app, "dark")
    qtbot.waitUntil(lambda: view.colours.dark)
    qtbot.waitUntil(
        lambda: error.palette().color(Role.WindowText) == QColor(ERROR_ON_DARK), timeout=2000
    )
    assert contrast_ratio(view.colours.accent["red"], view.colours.tint["red"]) >= 4.5
    theme.apply_theme(app, "light")
    qtbot.waitUntil(lambda: error.palette().color(Role.WindowText) == QColor(ERROR_ON_LIGHT))
    qtbot.waitUntil(lambda: not view.colours.dark)


async def test_the_trackers_table_reds_follow_a_theme_switch(app, data_dir, server):
    # The main window picks its failing rows' red from the palette; it must read the palette
    # that is new, not the one its table still had when the window heard of the change.
    server.route("/shop", "gone", status=404)
    running = await Running(data_dir).start()
    try:
        trackers = running.app.services.trackers
        shop = await trackers.add(Tracker("Shop", server.url("/shop"), timezone="UTC"))
        await until(lambda: "Shop" in running.rows())
        await (await trackers.check_now(shop.id))
        await until(lambda: running.cell("Shop", STATUS) == "Failing")

        def red() -> QColor:
            proxy = running.window.proxy
            return proxy.index(0, STATUS).data(Qt.ItemDataRole.ForegroundRole)

        light_red = red()
        theme.apply_theme(app, "dark")
        await until(lambda: red() != light_red)
        base = running.window.table.palette().color(Role.Base)
        assert contrast_ratio(red(), base) >= 4.5
        assert red().name() in running.window.message.styleSheet()  # its error line as well
        theme.apply_theme(app, "system")
        await until(lambda: red() == light_red)
    finally:
        await running.quit()
