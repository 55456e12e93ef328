"""The user's preferences: how the app tells them things, looks, starts, and what it keeps.

Kept in the data file (a key–value table), so the window, `run --headless` and the commands
read the same ones. Each is stored as text under its own key: a preference added later reads
its default from an older file, and one that an older version does not know is left alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from desktop_tracker.core.quoting import quote
from desktop_tracker.core.schedules import InvalidSchedule, parse_schedule, system_timezone

THEMES = ("system", "light", "dark")
STORAGE_CAP_MIN_MB, STORAGE_CAP_MAX_MB = 10, 100_000


class InvalidPreference(ValueError):
    """A preference's value breaks its rule; `name` says which, the message what to do."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True, slots=True)
class Preferences:
    popups: bool = True  # desktop pop-ups; the in-app list keeps every notification anyway
    sound: bool = False  # a sound with each pop-up
    close_to_tray: bool = True  # closing the window keeps the app in the tray, where one exists
    start_in_tray: bool = False
    default_schedule: str = "0 * * * *"  # a new tracker's schedule: hourly, on the hour
    default_timezone: str = ""  # "" → the system's zone, whatever it is at the time
    storage_cap_mb: int = 500  # the kept bodies of scripts and stylesheets, for the whole file
    theme: str = "system"
    scheduler_paused: bool = False  # "Pause all", kept across restarts

    def validated(self) -> Preferences:
        """These preferences, or InvalidPreference naming the first one that is wrong."""
        for spec in fields(self):
            value = getattr(self, spec.name)
            expected = type(getattr(DEFAULTS, spec.name))
            if type(value) is not expected:
                raise InvalidPreference(
                    spec.name,
                    f"{spec.name} must be {_type_words(expected)}, not {json.dumps(value)}",
                )
        if self.theme not in THEMES:
            raise InvalidPreference(
                "theme", f"the theme must be one of {', '.join(THEMES)}, not {quote(self.theme)}"
            )
        if not STORAGE_CAP_MIN_MB <= self.storage_cap_mb <= STORAGE_CAP_MAX_MB:
            raise InvalidPreference(
                "storage_cap_mb",
                f"the storage cap must be {STORAGE_CAP_MIN_MB} to {STORAGE_CAP_MAX_MB:,} MB,"
                f" not {self.storage_cap_mb:,}",
            )
        zone = self.default_timezone or system_timezone()
        try:  # the zone on its own first, so that its error is said as the zone's
            parse_schedule("0 * * * *", zone)
        except InvalidSchedule as error:
            raise InvalidPreference("default_timezone", f"the default time zone: {error}") from None
        schedule = self.default_schedule.strip()
        try:
            parse_schedule(schedule, zone)
        except InvalidSchedule as error:
            raise InvalidPreference("default_schedule", f"the default schedule: {error}") from None
        return replace(self, default_schedule=schedule)

    def to_settings(self) -> dict[str, str]:
        """Each preference as the text it is stored as (JSON)."""
        return {spec.name: json.dumps(getattr(self, spec.name)) for spec in fields(self)}

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> Preferences:
        """The preferences stored; a missing or unreadable one takes its default.

        A value that is no longer valid (a zone that was removed, a file edited by hand) must
        not keep the app from starting: it falls back to its default, one preference at a time.
        """
        chosen: dict[str, Any] = {}
        for spec in fields(cls):
            text = settings.get(spec.name)
            if text is None:
                continue
            try:
                value = json.loads(text)
                replace(DEFAULTS, **{spec.name: value}).validated()
            except (ValueError, InvalidPreference):
                continue
            chosen[spec.name] = value
        try:
            return replace(DEFAULTS, **chosen).validated()
        except InvalidPreference:  # a pair that is wrong only together (schedule and zone)
            return DEFAULTS

    def changed(self, **changes: object) -> Preferences:
        """These preferences with `changes`, validated; unknown names are refused in words."""
        known = [spec.name for spec in fields(self)]
        for name in changes:
            if name not in known:
                raise InvalidPreference(
                    name, f"there is no preference {quote(name)}: use one of {', '.join(known)}"
                )
        return replace(self, **changes).validated()  # type: ignore[arg-type]


def _type_words(expected: type) -> str:
    return {bool: "true or false", int: "a whole number", str: "text"}.get(
        expected, expected.__name__
    )


DEFAULTS = Preferences()
