"""Preferences live in the data file: saved by one run of the app, read by the next."""

from __future__ import annotations

import pytest

from desktop_tracker.domain.preferences import InvalidPreference
from desktop_tracker.service.app import AppServices, open_services


async def test_preferences_saved_by_the_app_are_read_by_a_command_and_the_next_start(tmp_path):
    data_dir = tmp_path / "data"
    async with open_services(data_dir, scheduler=True) as services:
        assert services.preferences is not None
        seen = []
        services.preferences.events.subscribe(seen.append)
        await services.preferences.update(theme="dark", storage_cap_mb=64)
        assert [p.theme for p in seen] == ["dark"]
    async with open_services(data_dir) as command:
        assert command.preferences is not None
        assert (command.preferences.current.theme, command.preferences.current.storage_cap_mb) == (
            "dark",
            64,
        )


async def test_a_refused_change_saves_nothing(tmp_path):
    data_dir = tmp_path / "data"
    async with open_services(data_dir) as services:
        assert services.preferences is not None
        with pytest.raises(InvalidPreference):
            await services.preferences.update(theme="dark", default_schedule="every now and then")
    async with open_services(data_dir) as services:
        assert services.preferences is not None
        assert services.preferences.current.theme == "system"


async def test_pause_all_holds_across_a_restart_until_resumed(tmp_path):
    data_dir = tmp_path / "data"
    services = AppServices(data_dir)
    scheduler = await services.open()
    assert services.preferences is not None and not scheduler.paused
    await services.preferences.update(scheduler_paused=True)
    await services.close()

    services = AppServices(data_dir)
    scheduler = await services.open()
    try:
        assert scheduler.paused
        assert services.preferences is not None
        await services.preferences.update(scheduler_paused=False)
    finally:
        await services.close()
    services = AppServices(data_dir)
    scheduler = await services.open()
    try:
        assert not scheduler.paused
    finally:
        await services.close()
