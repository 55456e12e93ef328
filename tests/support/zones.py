"""Where zones change their clocks: the days that time-zone tests start near."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


@functools.cache
def transition_days(zone_name: str) -> tuple[datetime, ...]:
    """UTC midnights d from 2009 to 2030 such that the zone's offset changes within
    (d, d + 1 day]; a mid-year day for a zone that never changes."""
    zone = ZoneInfo(zone_name)
    days = []
    day = datetime(2009, 1, 1, tzinfo=UTC)
    offset = day.astimezone(zone).utcoffset()
    while day.year < 2031:
        following = day + timedelta(days=1)
        following_offset = following.astimezone(zone).utcoffset()
        if following_offset != offset:
            days.append(day)
        day, offset = following, following_offset
    return tuple(days) or (datetime(2025, 6, 1, tzinfo=UTC),)
