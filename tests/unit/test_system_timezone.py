"""The system's time zone through tzlocal (the registry on Windows, the system's settings
elsewhere), after $TZ and before our own fallbacks, and never a name ZoneInfo cannot load."""

from __future__ import annotations

import pytest

from desktop_tracker.core import schedules
from desktop_tracker.core.schedules import system_timezone


@pytest.fixture
def no_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setattr(schedules.tzlocal, "reload_localzone", lambda: None)
    # Our own fallbacks, where tzlocal gives nothing usable: the /etc/localtime link.
    monkeypatch.setattr(schedules.os, "readlink", lambda path: "/usr/share/zoneinfo/Europe/Lisbon")


def tzlocal_says(monkeypatch: pytest.MonkeyPatch, answer: object) -> None:
    def get_localzone_name() -> object:
        if isinstance(answer, BaseException):
            raise answer
        return answer

    monkeypatch.setattr(schedules.tzlocal, "get_localzone_name", get_localzone_name)


@pytest.mark.usefixtures("no_tz")
def test_the_zone_tzlocal_finds_is_the_systems(monkeypatch):
    tzlocal_says(monkeypatch, "America/Sao_Paulo")  # e.g. read from the Windows registry
    assert system_timezone() == "America/Sao_Paulo"


@pytest.mark.usefixtures("no_tz")
@pytest.mark.parametrize("garbage", ["Mars/Olympus_Mons", "", "../../etc/passwd", "local", None])
def test_a_name_zoneinfo_cannot_load_falls_back(monkeypatch, garbage):
    tzlocal_says(monkeypatch, garbage)
    assert system_timezone() == "Europe/Lisbon"


@pytest.mark.usefixtures("no_tz")
@pytest.mark.parametrize(
    "error",
    [
        ValueError("Multiple conflicting time zone configurations found"),
        LookupError("no zone"),
        OSError("registry unreadable"),
    ],
)
def test_tzlocal_raising_falls_back(monkeypatch, error):
    tzlocal_says(monkeypatch, error)
    assert system_timezone() == "Europe/Lisbon"


@pytest.mark.usefixtures("no_tz")
def test_a_failing_reload_still_asks_tzlocal(monkeypatch):
    def reload_fails() -> None:
        raise LookupError("the zone cannot be loaded")

    monkeypatch.setattr(schedules.tzlocal, "reload_localzone", reload_fails)
    tzlocal_says(monkeypatch, "Asia/Kolkata")
    assert system_timezone() == "Asia/Kolkata"


@pytest.mark.usefixtures("no_tz")
def test_tz_comes_first(monkeypatch):
    tzlocal_says(monkeypatch, "America/Sao_Paulo")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert system_timezone() == "Asia/Tokyo"


@pytest.mark.usefixtures("no_tz")
def test_a_change_of_zone_is_seen_at_once(monkeypatch):
    reloads = []
    monkeypatch.setattr(schedules.tzlocal, "reload_localzone", lambda: reloads.append(1))
    tzlocal_says(monkeypatch, "Europe/Berlin")
    assert system_timezone() == "Europe/Berlin"
    tzlocal_says(monkeypatch, "Asia/Tokyo")
    assert system_timezone() == "Asia/Tokyo"
    assert len(reloads) == 2  # tzlocal's own cache is refreshed each time


def test_without_any_source_the_zone_is_utc(monkeypatch, tmp_path):
    def no_link(path: str) -> str:
        raise OSError("not a link")

    monkeypatch.delenv("TZ", raising=False)
    tzlocal_says(monkeypatch, ValueError("nothing configured"))
    monkeypatch.setattr(schedules.os, "readlink", no_link)
    monkeypatch.setattr(schedules, "Path", lambda path: tmp_path / "missing")
    assert system_timezone() == "UTC"
