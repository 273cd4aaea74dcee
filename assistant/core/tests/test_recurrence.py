"""Recurrence rules: the grammar, the static gap, and an evaluation bounded in steps and time."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import dateutil.rrule
import pytest

from assistant.core import recurrence
from assistant.core.recurrence import (
    EvaluationStats,
    RecurrenceBudgetExceeded,
    RecurrenceError,
    RecurrenceNeverOccurs,
    next_occurrence,
    rrule_parse,
    rrule_validate,
)

MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
JANUARY_30 = datetime(2027, 1, 30, 8, 0, tzinfo=UTC)
EIGHT_YEARS = recurrence.NEXT_OCCURRENCE_SPAN


def refusal(rule: str, **kwargs) -> str:
    with pytest.raises(RecurrenceError) as caught:
        rrule_validate(rule, first=kwargs.pop("first", MONDAY), timezone="Europe/Paris", **kwargs)
    return str(caught.value)


# --- The grammar --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=DAILY;DTSTART=20200101T000000", "Rules may not contain DTSTART."),
        ("DTSTART:20200101T000000\nRRULE:FREQ=DAILY", "Rules may not contain DTSTART."),
        ("dtstart:20200101T000000Z;FREQ=DAILY", "Rules may not contain DTSTART."),
        ("FREQ=DAILY\nEXDATE:20270101T080000", "Rules may not contain EXDATE."),
        ("RRULE:FREQ=DAILY\nRDATE:20270101T080000", "Rules may not contain RDATE."),
        ("FREQ=DAILY;TZID=Europe/Paris", "Rules may not contain TZID."),
        ("FREQ=DAILY\nFREQ=HOURLY", "A rule is a single line, such as FREQ=DAILY;BYHOUR=8;BYMINUTE=0."),
        ("FREQ=SECONDLY", "Reminders cannot repeat every second (FREQ=SECONDLY)."),
        ("FREQ=DAILY;BYSECOND=0,1,2", "BYSECOND is not supported."),
        ("FREQ=YEARLY;BYYEARDAY=1", "BYYEARDAY is not supported."),
        ("FREQ=YEARLY;BYWEEKNO=20", "BYWEEKNO is not supported."),
        ("FREQ=YEARLY;BYEASTER=0", "BYEASTER is not supported."),
        ("FREQ=DAILY;X-NAME=1", "Not a recurrence rule: write it like FREQ=DAILY;BYHOUR=8;BYMINUTE=0."),
        ("FREQ=DAILY;FOO=1", "Unknown rule part FOO."),
        ("FREQ=DAILY;BYHOUR=8;BYHOUR=9", "BYHOUR appears twice."),
        ("BYHOUR=8", "A rule needs a FREQ, such as FREQ=DAILY."),
        ("FREQ=FORTNIGHTLY", "FREQ is one of MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY."),
        ("FREQ=DAILY;INTERVAL=100000000", "INTERVAL is a number from 1 to 730 with FREQ=DAILY."),
        ("FREQ=YEARLY;INTERVAL=3", "INTERVAL is a number from 1 to 2 with FREQ=YEARLY."),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL is a number from 1 to 730 with FREQ=DAILY."),
        ("FREQ=DAILY;INTERVAL=" + "9" * 180, "INTERVAL is a number from 1 to 730 with FREQ=DAILY."),
        ("FREQ=DAILY;COUNT=99999999", "COUNT is a number from 1 to 1000."),
        ("FREQ=DAILY;COUNT=3;UNTIL=20271231", "A rule has COUNT or UNTIL, not both."),
        ("FREQ=DAILY;UNTIL=20270231", "UNTIL is a date like 20271231 or 20271231T080000Z."),
        ("FREQ=DAILY;UNTIL=TOMORROW", "UNTIL is a date like 20271231 or 20271231T080000Z."),
        ("FREQ=DAILY;BYHOUR=24", "BYHOUR lists numbers from 0 to 23."),
        ("FREQ=DAILY;BYHOUR=-1", "BYHOUR lists numbers from 0 to 23."),
        ("FREQ=DAILY;BYHOUR=\u0663", "Not a recurrence rule: write it like FREQ=DAILY;BYHOUR=8;BYMINUTE=0."),
        ("FREQ=DAILY;BYMINUTE=0,0", "BYMINUTE lists a value twice."),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY lists numbers from 1 to 31 or -31 to -1."),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH lists numbers from 1 to 12."),
        ("FREQ=WEEKLY;BYDAY=1MO", "BYDAY with a number (like 1MO) needs FREQ=MONTHLY or FREQ=YEARLY."),
        ("FREQ=MONTHLY;BYDAY=6MO", "BYDAY numbers go from 1 to 5 or -5 to -1 with FREQ=MONTHLY."),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY lists days like MO,TU or, monthly and yearly, 1MO or -1FR."),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY does not go with FREQ=WEEKLY."),
        ("FREQ=WEEKLY;WKST=XX", "WKST is a day like MO."),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS needs another BY rule part to choose from."),
        ("FREQ=MONTHLY;BYMONTHDAY=1,2;BYSETPOS=400", "BYSETPOS lists numbers from 1 to 366 or -366 to -1."),
        (
            "FREQ=MONTHLY;BYMONTHDAY=1;BYSETPOS=40",
            "BYSETPOS is out of range: at most 31 times per month here.",
        ),
        ("FREQ=HOURLY;BYMINUTE=0,30;BYSETPOS=3", "BYSETPOS is out of range: at most 2 times per hour here."),
        ("FREQ=MINUTELY;BYHOUR=8;BYSETPOS=2", "BYSETPOS is out of range: at most 1 times per minute here."),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "This rule never occurs: no such day in those months."),
        (
            "FREQ=MONTHLY;BYMONTH=4,6;BYMONTHDAY=31,-31",
            "This rule never occurs: no such day in those months.",
        ),
        ("EVERY SO OFTEN", "Not a recurrence rule: write it like FREQ=DAILY;BYHOUR=8;BYMINUTE=0."),
        ("FREQ=DAILY;", "Not a recurrence rule: write it like FREQ=DAILY;BYHOUR=8;BYMINUTE=0."),
        ("FREQ=DAILY;;BYHOUR=8", "Not a recurrence rule: write it like FREQ=DAILY;BYHOUR=8;BYMINUTE=0."),
        ("", "Not a recurrence rule: write it like FREQ=DAILY;BYHOUR=8;BYMINUTE=0."),
        ("FREQ=DAILY;BYMINUTE=" + ",".join(["1"] * 100), "A rule is at most 200 characters."),
    ],
)
def test_a_rule_outside_the_grammar_is_refused_with_its_reason(rule, reason):
    with pytest.raises(RecurrenceError) as caught:
        rrule_parse(rule)

    assert str(caught.value) == reason


def test_the_grammar_reads_what_rfc_5545_allows_in_any_case():
    rule = rrule_parse("rrule:freq=monthly;interval=2;byday=-1fr,1MO;byhour=9,18;byminute=30;wkst=su")

    assert rule == recurrence.RecurrenceRule(
        freq="MONTHLY",
        interval=2,
        by_day=((4, -1), (0, 1)),
        by_hour=(9, 18),
        by_minute=(30,),
        wkst=6,
    )


@pytest.mark.parametrize(
    ("value", "until"),
    [
        ("20271231", datetime(2027, 12, 31, 23, 59, 59)),  # noqa: DTZ001 - wall time
        ("20271231T080000", datetime(2027, 12, 31, 8, 0)),  # noqa: DTZ001
        ("20271231T080000Z", datetime(2027, 12, 31, 8, 0, tzinfo=UTC)),
    ],
)
def test_until_is_a_whole_day_a_wall_time_or_a_utc_instant(value, until):
    assert rrule_parse(f"FREQ=DAILY;UNTIL={value}").until == until


# --- How often a rule may repeat, decided from the rule alone ------------------------------------


@pytest.mark.parametrize(
    ("rule", "minutes"),
    [
        ("FREQ=MINUTELY", 1),
        ("FREQ=MINUTELY;INTERVAL=30", 30),
        ("FREQ=MINUTELY;INTERVAL=10;BYMINUTE=0,5", 10),
        ("FREQ=MINUTELY;INTERVAL=1;BYMINUTE=0", 60),
        ("FREQ=HOURLY", 60),
        ("FREQ=HOURLY;INTERVAL=2", 120),
        ("FREQ=HOURLY;INTERVAL=2;BYMINUTE=0,5", 5),
        ("FREQ=HOURLY;BYMINUTE=0,50", 10),  # 00:50 then 01:00
        ("FREQ=DAILY;BYHOUR=8;BYMINUTE=0", 24 * 60),
        ("FREQ=DAILY;BYHOUR=8;BYMINUTE=0,5,10", 5),
        ("FREQ=DAILY;BYHOUR=0,23;BYMINUTE=0,55", 5),  # 23:55 then 00:00: round midnight
        ("FREQ=DAILY;INTERVAL=2;BYHOUR=8,20", 12 * 60),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0", 24 * 60),
        ("FREQ=MONTHLY;BYMONTHDAY=1,2;BYHOUR=9,10;BYMINUTE=0", 60),
        ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3", 24 * 60),
    ],
)
def test_the_smallest_gap_is_decided_statically(rule, minutes):
    assert rrule_parse(rule).smallest_gap == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("rule", "min_interval", "channel", "reason"),
    [
        (
            "FREQ=MINUTELY",
            timedelta(minutes=15),
            "chat",
            "Reminders can repeat at most every 15 minutes on chat.",
        ),
        (
            "FREQ=MINUTELY;INTERVAL=30",
            timedelta(hours=1),
            "SMS",
            "Reminders can repeat at most every hour on SMS.",
        ),
        ("FREQ=HOURLY", timedelta(hours=2), "", "Reminders can repeat at most every 2 hours."),
    ],
)
def test_a_rule_repeating_faster_than_allowed_is_refused(rule, min_interval, channel, reason):
    assert refusal(rule, min_interval=min_interval, channel=channel) == reason


# --- Rules people write, and rules the engine writes, still pass --------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYHOUR=8;BYMINUTE=0",
        "FREQ=DAILY;INTERVAL=2;BYHOUR=8;BYMINUTE=0",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU;BYHOUR=10;BYMINUTE=0",
        "FREQ=WEEKLY;BYHOUR=9;BYMINUTE=0",
        "FREQ=HOURLY",
        "FREQ=HOURLY;INTERVAL=2",
        "FREQ=MINUTELY;INTERVAL=30",
        "FREQ=MINUTELY;INTERVAL=15",
        "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=9;BYMINUTE=0",
        "FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=9;BYMINUTE=0",
        "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=17;BYMINUTE=0",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1",
        "FREQ=MONTHLY;INTERVAL=3;BYHOUR=9;BYMINUTE=0",
        "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3;BYHOUR=9;BYMINUTE=0",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=9;BYMINUTE=0",  # 2028-02-29 is within 2 years
        "FREQ=DAILY;COUNT=10;BYHOUR=8;BYMINUTE=0",
        "FREQ=DAILY;UNTIL=20271231T230000Z;BYHOUR=8;BYMINUTE=0",
        "RRULE:FREQ=DAILY;BYHOUR=8;BYMINUTE=0",
    ],
)
def test_ordinary_rules_are_accepted(rule):
    assert rrule_validate(rule, first=MONDAY, timezone="Europe/Paris") >= MONDAY


def test_validation_returns_the_first_occurrence_after_a_later_moment():
    found = rrule_validate(
        "FREQ=DAILY;BYHOUR=8;BYMINUTE=0",
        first=datetime(2026, 1, 5, 7, 0, tzinfo=UTC),
        timezone="Europe/Paris",
        after=MONDAY,
    )

    assert found == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def test_february_29_is_refused_when_none_falls_within_the_horizon():
    assert refusal("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", first=datetime(2028, 3, 1, 8, 0, tzinfo=UTC)) == (
        "This rule never occurs in the next 2 years."
    )


# --- Rules that never occur: refused by a bounded walk ------------------------------------------


@pytest.mark.parametrize(
    ("rule", "first"),
    [
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", MONDAY),
        ("FREQ=MONTHLY;INTERVAL=12;BYMONTH=3", datetime(2027, 1, 10, 8, 0, tzinfo=UTC)),
        ("FREQ=HOURLY;INTERVAL=168;BYDAY=TU", MONDAY),
        ("FREQ=YEARLY;BYMONTH=2", JANUARY_30),  # February 30: the day comes from the start
        ("FREQ=MONTHLY;BYMONTH=4", datetime(2027, 1, 31, 8, 0, tzinfo=UTC)),  # April 31
        ("FREQ=MONTHLY;BYMONTHDAY=1;BYSETPOS=2", MONDAY),
        ("FREQ=YEARLY;BYDAY=+53MO;BYMONTH=1", MONDAY),
        ("FREQ=DAILY;UNTIL=20200101", MONDAY),
    ],
)
def test_a_rule_with_no_occurrence_within_the_horizon_is_refused(rule, first):
    assert refusal(rule, first=first) == "This rule never occurs in the next 2 years."


def test_a_rule_dateutil_finds_empty_is_refused():
    # Every 24 hours from 08:00 never reaches 05:00: dateutil raises instead of yielding.
    assert refusal("FREQ=MINUTELY;INTERVAL=1440;BYHOUR=5") == "This rule never occurs."


@pytest.mark.parametrize(
    ("rule", "first", "steps"),
    [
        # One step per period of the walk, plus one per candidate read; 8 years ahead.
        ("FREQ=YEARLY;BYMONTH=2", JANUARY_30, 10),
        ("FREQ=MONTHLY;BYMONTH=2", JANUARY_30, 98),
        ("FREQ=MONTHLY;INTERVAL=12;BYMONTH=3", datetime(2027, 1, 10, 8, 0, tzinfo=UTC), 10),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", MONDAY, 419),
        ("FREQ=HOURLY;INTERVAL=168;BYDAY=TU", MONDAY, 419),
    ],
)
def test_a_walk_that_never_matches_stops_at_the_horizon_after_a_fixed_number_of_steps(rule, first, steps):
    # dateutil alone would walk these to the year 9999 inside one call, yielding nothing.
    stats = EvaluationStats()

    with pytest.raises(RecurrenceNeverOccurs, match="never occurs in the next 8 years"):
        next_occurrence(rule=rule, first=first, timezone="Europe/Paris", after=first, stats=stats)

    assert stats.steps == steps
    assert stats.rebuilds <= EIGHT_YEARS.days // 28 + 2  # at most one per month walked


def test_the_walk_stops_at_its_step_budget():
    stats = EvaluationStats()

    with pytest.raises(RecurrenceBudgetExceeded, match="takes too long"):
        next_occurrence(
            rule="FREQ=DAILY;INTERVAL=7;BYDAY=TU",
            first=MONDAY,
            timezone="UTC",
            after=MONDAY,
            max_steps=50,
            stats=stats,
        )

    assert stats.steps == 51


def test_the_walk_stops_at_its_deadline():
    stats = EvaluationStats()

    with pytest.raises(RecurrenceBudgetExceeded):
        next_occurrence(
            rule="FREQ=DAILY", first=MONDAY, timezone="UTC", after=MONDAY, budget_seconds=0, stats=stats
        )

    assert stats.steps == 1


def test_the_cost_of_the_next_occurrence_does_not_grow_with_the_series_age():
    def cost(age: timedelta) -> int:
        stats = EvaluationStats()
        upcoming = next_occurrence(
            rule="FREQ=MINUTELY;INTERVAL=15",
            first=MONDAY,
            timezone="Europe/Paris",
            after=MONDAY + age + timedelta(minutes=7),
            stats=stats,
        )
        assert upcoming == MONDAY + age + timedelta(minutes=15)
        return stats.steps

    assert cost(timedelta(days=5 * 365)) == cost(timedelta(days=1)) <= 4


def test_the_bounded_walk_runs_dateutils_own_code_and_leaves_dateutil_untouched():
    original = dateutil.rrule._iterinfo

    next_occurrence(rule="FREQ=DAILY", first=MONDAY, timezone="UTC", after=MONDAY)

    assert recurrence._BoundedRule._iter.__code__ is dateutil.rrule.rrule._iter.__code__
    assert dateutil.rrule._iterinfo is original
    assert dateutil.rrule.rrule._iter.__globals__["_iterinfo"] is original


# --- What the walk finds ------------------------------------------------------------------------


def test_a_series_keeps_its_wall_time_across_a_dst_change():
    first = datetime(2026, 10, 24, 6, 0, tzinfo=UTC)  # 08:00 in Paris, summer time

    following = next_occurrence(
        rule="FREQ=DAILY;BYHOUR=8;BYMINUTE=0", first=first, timezone="Europe/Paris", after=first
    )

    assert following == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)  # 08:00 in Paris, winter time


def test_a_series_that_ran_out_has_no_next_occurrence():
    third = MONDAY + timedelta(days=2)

    assert next_occurrence(rule="FREQ=DAILY;COUNT=3", first=MONDAY, timezone="UTC", after=third) is None
    assert (
        next_occurrence(rule="FREQ=DAILY;UNTIL=20261202", first=MONDAY, timezone="UTC", after=third) is None
    )


def test_an_until_in_utc_ends_the_series_at_that_instant():
    rule = "FREQ=DAILY;UNTIL=20261201T080000Z"  # 09:00 in Paris on December 1st, the 2nd occurrence

    assert next_occurrence(
        rule=rule, first=MONDAY, timezone="Europe/Paris", after=MONDAY
    ) == MONDAY + timedelta(days=1)
    assert (
        next_occurrence(rule=rule, first=MONDAY, timezone="Europe/Paris", after=MONDAY + timedelta(days=1))
        is None
    )


def test_an_unknown_time_zone_is_a_recurrence_error():
    with pytest.raises(RecurrenceError, match="Unknown time zone"):
        next_occurrence(rule="FREQ=DAILY", first=MONDAY, timezone="Mars/Olympus", after=MONDAY)


def _random_rule(rng: random.Random) -> str:
    days = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
    freq = rng.choice(recurrence.FREQUENCIES)
    parts = [f"FREQ={freq}"]
    if rng.random() < 0.6:
        parts.append(f"INTERVAL={rng.randint(1, min(recurrence.MAX_INTERVAL[freq], 40))}")
    if freq in ("MONTHLY", "YEARLY") and rng.random() < 0.3:
        parts.append(
            "BYDAY=" + ",".join(sorted({f"{rng.choice((1, 2, -1))}{rng.choice(days)}" for _ in "ab"}))
        )
    elif rng.random() < 0.4:
        parts.append("BYDAY=" + ",".join(sorted(set(rng.sample(days, rng.randint(1, 3))), key=days.index)))
    if freq != "WEEKLY" and rng.random() < 0.3:
        parts.append(
            "BYMONTHDAY=" + ",".join(map(str, sorted({rng.choice((1, 15, 28, 31, -1)) for _ in "ab"})))
        )
    if rng.random() < 0.3:
        parts.append("BYMONTH=" + ",".join(map(str, sorted({rng.randint(1, 12) for _ in "abc"}))))
    if rng.random() < 0.5:
        parts.append("BYHOUR=" + ",".join(map(str, sorted({rng.randint(0, 23) for _ in "ab"}))))
    if rng.random() < 0.4:
        parts.append("BYMINUTE=" + ",".join(map(str, sorted({rng.choice((0, 7, 15, 30, 45)) for _ in "ab"}))))
    if rng.random() < 0.2:
        parts.append(f"BYSETPOS={rng.choice((1, -1, 2))}")
    if rng.random() < 0.15:
        parts.append(f"WKST={rng.choice(days)}")
    if rng.random() < 0.15:
        parts.append(f"COUNT={rng.randint(1, 60)}")
    return ";".join(parts)


def _dateutil_next(rule: str, first: datetime, zone: str, after: datetime) -> datetime | None:
    """The old evaluation, unbounded: dateutil's own after() from the series' first occurrence."""
    tz = ZoneInfo(zone)
    series = dateutil.rrule.rrulestr(rule, dtstart=first.astimezone(tz).replace(tzinfo=None))
    upcoming = series.after(after.astimezone(tz).replace(tzinfo=None))
    while upcoming is not None and upcoming.replace(tzinfo=tz).astimezone(UTC) <= after:
        upcoming = series.after(upcoming)
    return None if upcoming is None else upcoming.replace(tzinfo=tz).astimezone(UTC)


def test_starting_the_walk_near_after_finds_what_dateutil_finds_from_the_start():
    rng = random.Random(20261203)
    compared = 0
    while compared < 200:
        rule = _random_rule(rng)
        try:
            rrule_parse(rule)
        except RecurrenceError:
            continue
        first = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 800 * 24 * 60))
        after = first + timedelta(minutes=rng.randint(-1000, 400 * 24 * 60))
        zone = rng.choice(("UTC", "Europe/Paris", "America/New_York"))
        try:
            ours = next_occurrence(
                rule=rule, first=first, timezone=zone, after=after, budget_seconds=5, max_steps=10**6
            )
        except RecurrenceNeverOccurs:
            continue  # dateutil would walk to the year 9999 for these
        assert ours == _dateutil_next(rule, first, zone, after), (rule, first, after, zone)
        compared += 1
