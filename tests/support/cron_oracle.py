"""cronsim as an independent oracle of Debian's cron rules, for tests.

cronsim (BSD licence, used by healthchecks.io) implements cron as Debian runs it. Where its
spelling of a rule differs from Debian's, `for_cronsim` rewrites the expression so that cronsim
reads what Debian reads; `matches` asks cronsim's own matcher about one wall time.
"""

from __future__ import annotations

import re
from datetime import datetime

from cronsim import CronSim

# cronsim reads a stepped range with equal ends (`0-0/1`) as `0/1`, "0 to the end of the
# field"; Debian reads it as the one value, as it reads `0-0`.
_EQUAL_ENDS_STEPPED = re.compile(r"\b(\w+)-\1/\d+")


def for_cronsim(expression: str) -> str:
    """The same schedule in a spelling cronsim reads as Debian does."""
    return _EQUAL_ENDS_STEPPED.sub(r"\1", expression)


def oracle(expression: str, start: datetime) -> CronSim:
    return CronSim(for_cronsim(expression), start)


def matches(cron: CronSim, wall: datetime) -> bool:
    """Whether a wall time matches the expression's fields, by cronsim's own matcher."""
    return (
        wall.second in cron.seconds
        and wall.minute in cron.minutes
        and wall.hour in cron.hours
        and wall.month in cron.months
        and cron.match_day(wall.date())
    )
