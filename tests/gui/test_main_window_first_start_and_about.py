"""A first start shows "Add your first tracker" with an example, whose buttons open the editor;
the About box says the version, the data directory and the log file, and the licences of what
the app ships with; the window's title is the product's name."""

from __future__ import annotations

import pytest

from desktop_tracker import __version__
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.about_dialog import AboutDialog
from desktop_tracker.gui.icons import THEME_NAMES, action_icon, bundled_icon_path
from desktop_tracker.gui.main_window import EXAMPLE_URL
from tests.support.desktop_app import Running, until

pytestmark = pytest.mark.usefixtures("keep_quit_setting")


async def test_an_empty_window_invites_to_add_the_first_tracker(qapp, data_dir):
    running = await Running(data_dir).start()
    try:
        window = running.window
        await until(lambda: window.pages.currentWidget() is window.empty_state)
        assert window.empty_add_button.isVisible()
        assert EXAMPLE_URL in window.empty_hint.text()
        assert not window.filter_box.isVisible()
        window.empty_add_button.click()
        editor = await until(lambda: window._editor)
        assert editor.isVisible() and editor.url.text() == ""
        editor.reject()

        window._editor = None
        window.empty_example_button.click()
        editor = await until(lambda: window._editor)
        assert editor.url.text() == EXAMPLE_URL
        assert editor.name.text() == "Example"
        editor.reject()

        await running.app.services.trackers.add(Tracker("Shop", "https://shop.test/"))
        await until(lambda: window.pages.currentWidget() is window.table)
        assert window.filter_box.isVisible()
    finally:
        await running.quit()


async def test_the_new_tracker_editor_starts_from_the_preferred_schedule(qapp, data_dir):
    running = await Running(data_dir).start()
    try:
        preferences = running.app.services.preferences
        await preferences.update(default_schedule="*/30 * * * *", default_timezone="Europe/Paris")
        running.window.add_action.trigger()
        editor = await until(lambda: running.window._editor)
        assert editor.schedule.expression() == "*/30 * * * *"
        editor.reject()
    finally:
        await running.quit()


async def test_about_says_version_data_directory_log_file_and_licences(qapp, data_dir):
    running = await Running(data_dir).start()
    try:
        window = running.window
        assert window.windowTitle() == "desktop_tracker"
        window.about_action.trigger()
        about = await until(lambda: window._dialogs.get("about"))
        assert isinstance(about, AboutDialog) and about.isVisible()
        text = about.text()
        assert __version__ in text
        assert str(data_dir) in text
        assert str(data_dir / "desktop-tracker.log") in text
        licences = about.licences.toPlainText()
        assert "LGPL-3.0" in licences and "Qt" in licences and "MPL-2.0" in licences
    finally:
        await running.quit()


def test_every_action_icon_has_a_bundled_fallback(qapp):
    for name in THEME_NAMES:
        path = bundled_icon_path(name)
        assert path.is_file(), path
        assert path.read_text(encoding="utf-8").startswith("<svg")
        icon = action_icon(name)
        assert not icon.isNull()
        assert not icon.pixmap(24, 24).isNull()
