"""Preferences: validated in words, stored as text by name, read back whatever the file holds."""

from __future__ import annotations

import pytest

from desktop_tracker.domain.preferences import DEFAULTS, InvalidPreference, Preferences


def test_every_preference_round_trips_through_its_stored_text():
    chosen = Preferences(
        popups=False,
        sound=True,
        close_to_tray=False,
        start_in_tray=True,
        default_schedule="*/30 * * * *",
        default_timezone="Europe/Paris",
        storage_cap_mb=64,
        theme="dark",
        scheduler_paused=True,
    )
    assert Preferences.from_settings(chosen.to_settings()) == chosen


def test_a_file_with_no_settings_reads_as_the_defaults_a_first_tracker_needs():
    prefs = Preferences.from_settings({})
    assert prefs == DEFAULTS
    assert prefs.default_schedule != "manual"  # a first tracker is checked without asking
    assert prefs.popups and not prefs.scheduler_paused


@pytest.mark.parametrize(
    ("changes", "name", "words"),
    [
        ({"theme": "purple"}, "theme", "system, light, dark"),
        ({"default_schedule": "61 * * * *"}, "default_schedule", "out of range"),
        ({"default_timezone": "Mars/Olympus"}, "default_timezone", "unknown time zone"),
        ({"storage_cap_mb": 0}, "storage_cap_mb", "10 to"),
        ({"sound": 1}, "sound", "true or false"),
        ({"storage_cap_mb": "64"}, "storage_cap_mb", "whole number"),
        ({"colour": "red"}, "colour", "no preference 'colour'"),
    ],
)
def test_a_wrong_value_is_refused_naming_the_preference_and_what_to_do(changes, name, words):
    with pytest.raises(InvalidPreference) as raised:
        DEFAULTS.changed(**changes)
    assert raised.value.name == name
    assert words in str(raised.value)


def test_a_value_the_app_cannot_use_falls_back_to_its_default_and_keeps_the_others():
    stored = DEFAULTS.changed(theme="dark", sound=True).to_settings()
    stored["default_timezone"] = '"Atlantis/Capital"'  # a zone this machine does not know
    stored["storage_cap_mb"] = "not json"
    stored["a_later_version's_setting"] = "42"
    prefs = Preferences.from_settings(stored)
    assert (prefs.theme, prefs.sound) == ("dark", True)
    assert prefs.default_timezone == DEFAULTS.default_timezone
    assert prefs.storage_cap_mb == DEFAULTS.storage_cap_mb


def test_the_default_schedule_is_kept_without_surrounding_spaces():
    assert DEFAULTS.changed(default_schedule="  @daily ").default_schedule == "@daily"
