"""Recurrence rules the write paths must refuse, and ordinary ones they must keep accepting.

Each case is (rule, start, reason): `start(now)` gives the series' first occurrence (some
attacks depend on it: every 7 days from a Monday never lands on a Tuesday), and `reason` is the
sentence the API and the admin answer with.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest

Start = Callable[[datetime], datetime]


def weekday(number: int) -> Start:
    """The first such weekday (0 = Monday) from tomorrow on, at 10:00 UTC."""

    def start(now: datetime) -> datetime:
        tomorrow = now.astimezone(UTC).date() + timedelta(days=1)
        return datetime.combine(tomorrow + timedelta(days=(number - tomorrow.weekday()) % 7), time(10), UTC)

    return start


def on(month: int, day: int) -> Start:
    """The first such date from tomorrow on (February 29 included), at 10:00 UTC."""

    def start(now: datetime) -> datetime:
        tomorrow = now.astimezone(UTC).date() + timedelta(days=1)
        for year in range(tomorrow.year, tomorrow.year + 9):
            try:
                candidate = date(year, month, day)
            except ValueError:
                continue
            if candidate >= tomorrow:
                return datetime.combine(candidate, time(10), UTC)
        raise AssertionError("no such date")

    return start


def tomorrow(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time(10), UTC)


NO_SUCH_DAY = "This rule never occurs: no such day in those months."
NEVER = "This rule never occurs in the next 2 years."
GARBAGE = "Not a recurrence rule: write it like FREQ=DAILY;BYHOUR=8;BYMINUTE=0."
TOO_OFTEN = "Reminders can repeat at most every 15 minutes on chat."

ATTACKS = [
    pytest.param(
        "FREQ=DAILY;DTSTART=20200101T000000", tomorrow, "Rules may not contain DTSTART.", id="dtstart"
    ),
    pytest.param(
        "DTSTART:20200101T000000\nRRULE:FREQ=SECONDLY",
        tomorrow,
        "Rules may not contain DTSTART.",
        id="dtstart-line",
    ),
    pytest.param(
        "FREQ=DAILY\nEXDATE:20270101T100000", tomorrow, "Rules may not contain EXDATE.", id="exdate"
    ),
    pytest.param(
        "FREQ=SECONDLY", tomorrow, "Reminders cannot repeat every second (FREQ=SECONDLY).", id="secondly"
    ),
    pytest.param("FREQ=MINUTELY;INTERVAL=1", tomorrow, TOO_OFTEN, id="every-minute"),
    pytest.param("FREQ=DAILY;BYHOUR=8,9;BYMINUTE=0,5", tomorrow, TOO_OFTEN, id="five-minute-gaps"),
    pytest.param("FREQ=DAILY;BYHOUR=0,23;BYMINUTE=0,55", tomorrow, TOO_OFTEN, id="gap-round-midnight"),
    pytest.param("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", tomorrow, NO_SUCH_DAY, id="february-30"),
    pytest.param("FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31", tomorrow, NO_SUCH_DAY, id="april-31"),
    pytest.param("FREQ=YEARLY;BYMONTH=2", on(1, 30), NEVER, id="february-30-from-the-start"),
    pytest.param(
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU", weekday(0), NEVER, id="every-7-days-on-tuesdays-from-monday"
    ),
    pytest.param(
        "FREQ=MONTHLY;INTERVAL=12;BYMONTH=3", on(1, 10), NEVER, id="every-12-months-in-march-from-january"
    ),
    pytest.param("FREQ=HOURLY;INTERVAL=168;BYDAY=TU", weekday(0), NEVER, id="every-168-hours-on-tuesdays"),
    pytest.param(
        "FREQ=MONTHLY;BYMONTHDAY=1;BYSETPOS=40",
        tomorrow,
        "BYSETPOS is out of range: at most 31 times per month here.",
        id="bysetpos-out-of-range",
    ),
    pytest.param("FREQ=MONTHLY;BYMONTHDAY=1;BYSETPOS=2", tomorrow, NEVER, id="bysetpos-never-matching"),
    pytest.param(
        "FREQ=DAILY;INTERVAL=100000000",
        tomorrow,
        "INTERVAL is a number from 1 to 730 with FREQ=DAILY.",
        id="huge-interval",
    ),
    pytest.param("FREQ=DAILY;COUNT=99999999", tomorrow, "COUNT is a number from 1 to 1000.", id="huge-count"),
    pytest.param("FREQ=DAILY;BYSECOND=0,30", tomorrow, "BYSECOND is not supported.", id="bysecond"),
    pytest.param("EVERY SO OFTEN", tomorrow, GARBAGE, id="garbage"),
    pytest.param("FREQ=DAILY;;BYHOUR=\u0663", tomorrow, GARBAGE, id="garbage-digits"),
]

ORDINARY = [
    pytest.param("FREQ=DAILY;BYHOUR=8;BYMINUTE=0", tomorrow, id="daily-at-8"),
    pytest.param("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0", tomorrow, id="weekdays"),
    pytest.param("FREQ=HOURLY;INTERVAL=2", tomorrow, id="every-2-hours"),
    pytest.param("FREQ=MINUTELY;INTERVAL=30", tomorrow, id="every-30-minutes"),
    pytest.param("FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=9;BYMINUTE=0", tomorrow, id="monthly-on-the-15th"),
    pytest.param("FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=9;BYMINUTE=0", tomorrow, id="last-day-of-the-month"),
    pytest.param("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3;BYHOUR=9;BYMINUTE=0", tomorrow, id="yearly-march-3"),
    pytest.param("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", on(2, 29), id="february-29-yearly"),
    pytest.param("FREQ=DAILY;INTERVAL=7;BYDAY=TU", weekday(1), id="every-7-days-on-tuesdays-from-tuesday"),
]
