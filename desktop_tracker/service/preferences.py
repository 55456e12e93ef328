"""The user's preferences, read once and kept current: every part of the app asks `current`."""

from __future__ import annotations

from desktop_tracker.core.events import EventBus
from desktop_tracker.domain.preferences import DEFAULTS, Preferences
from desktop_tracker.domain.tracker_store import TrackerStore


class PreferencesService:
    """Reads the preferences from the data file and saves changes to them, told to subscribers."""

    def __init__(self, store: TrackerStore) -> None:
        self._store = store
        self._current = DEFAULTS
        self.events: EventBus[Preferences] = EventBus()

    @property
    def current(self) -> Preferences:
        """The preferences last read or saved (the defaults before `load()`)."""
        return self._current

    async def load(self) -> Preferences:
        settings = await self._store.read(lambda tx: tx.read_settings())
        self._current = Preferences.from_settings(settings)
        return self._current

    async def update(self, **changes: object) -> Preferences:
        """Save these changes; the others keep their value.

        :raises InvalidPreference: a name is unknown or a value breaks its rule; nothing is saved.
        """
        wanted = self._current.changed(**changes)
        stored = wanted.to_settings()
        # Only the keys that changed: two windows saving different preferences both keep theirs.
        differing = {k: v for k, v in stored.items() if self._current.to_settings()[k] != v}
        if differing:
            await self._store.write(lambda tx: tx.write_settings(differing))
        self._current = wanted
        if differing:
            self.events.publish(wanted)
        return wanted
