"""Recurring schedules as RFC 5545 RRULEs, evaluated in the user's own time zone.

A rule like FREQ=DAILY;BYHOUR=8;BYMINUTE=0 means 08:00 on the wall clock where the user
lives, so occurrences are computed on naive local times and localised one by one: across a
DST change the reminder stays at 08:00 local, not at the same UTC instant.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr


def rrule_validate(rule: str) -> None:
    """Raise ValueError unless rule is a parseable RRULE (without DTSTART)."""
    rrulestr(rule, dtstart=datetime(2000, 1, 1))  # noqa: DTZ001 - rules run on naive local time


def next_occurrence(*, rule: str, first: datetime, timezone: str, after: datetime) -> datetime | None:
    """The first occurrence of rule strictly after `after`, as an aware UTC datetime.

    `first` (aware) is the series' first occurrence; it anchors DTSTART in local time.
    Returns None when the rule has run out (COUNT or UNTIL).
    """
    zone = ZoneInfo(timezone)
    dtstart = first.astimezone(zone).replace(tzinfo=None)
    local_after = after.astimezone(zone).replace(tzinfo=None)
    upcoming = rrulestr(rule, dtstart=dtstart).after(local_after)
    while upcoming is not None:
        # fold=0 picks the first of a repeated hour; a wall time skipped by DST (02:30 on
        # the spring-forward night) normalises forward, so it is still delivered.
        candidate = upcoming.replace(tzinfo=zone).astimezone(UTC)
        if candidate > after:
            return candidate
        upcoming = rrulestr(rule, dtstart=dtstart).after(upcoming)
    return None
