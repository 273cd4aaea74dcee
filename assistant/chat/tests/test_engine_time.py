"""When reminders fall: bare hours, past times, weekdays, recurrences and DST changes."""

from datetime import UTC, datetime, timedelta

import pytest

from assistant.chat.engine import EngineContext, IntentName, parse
from assistant.core.recurrence import next_occurrence, rrule_validate


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def paris(now: datetime) -> EngineContext:
    return EngineContext(now=now, timezone="Europe/Paris")


def new_york(now: datetime) -> EngineContext:
    return EngineContext(now=now, timezone="America/New_York")


@pytest.mark.parametrize(
    ("now", "text", "due_at"),
    [
        # A bare hour with one reading still ahead today is that one; with none, tomorrow morning's.
        (utc(2026, 11, 27, 10), "remind me at 8 to x", utc(2026, 11, 27, 19)),  # 11:00 in Paris
        (utc(2026, 11, 27, 20, 30), "remind me at 8 to x", utc(2026, 11, 28, 7)),  # 21:30
        (utc(2026, 11, 27, 10), "recuérdame a las 8 x", utc(2026, 11, 27, 19)),
        (utc(2026, 11, 27, 10), "lembre-me às 8 de x", utc(2026, 11, 27, 19)),
        (utc(2026, 11, 27, 10), "rappelle-moi à 8 de x", utc(2026, 11, 27, 19)),
        (utc(2026, 11, 27, 10), "remind me at 12 to x", utc(2026, 11, 27, 11)),
        # A marked hour is that hour, today if still ahead, else tomorrow.
        (utc(2026, 11, 27, 10), "remind me at 8am to x", utc(2026, 11, 28, 7)),
        (utc(2026, 11, 27, 10), "rappelle-moi à 8h de x", utc(2026, 11, 28, 7)),
        (utc(2026, 11, 27, 10), "remind me at 8:30 to x", utc(2026, 11, 27, 19, 30)),
        (utc(2026, 11, 27, 10), "remind me at 8.30am to x", utc(2026, 11, 28, 7, 30)),
        (utc(2026, 11, 27, 10), "remind me at 7.30am to x", utc(2026, 11, 28, 6, 30)),
        (utc(2026, 11, 27, 10), "remind me at 730pm to x", utc(2026, 11, 27, 18, 30)),
        (utc(2026, 11, 27, 10), "rappelle-moi à 7h30 de x", utc(2026, 11, 28, 6, 30)),
        (utc(2026, 11, 27, 10), "rappelle-moi à 19h de x", utc(2026, 11, 27, 18)),
        (utc(2026, 11, 27, 10), "remind me at half past 7 to x", utc(2026, 11, 27, 18, 30)),
        (utc(2026, 11, 27, 10), "remind me at quarter to 9 to x", utc(2026, 11, 27, 19, 45)),
        (utc(2026, 11, 27, 10), "rappelle-moi à midi et demi de x", utc(2026, 11, 27, 11, 30)),
        (utc(2026, 11, 27, 10), "remind me at 20:00 to x", utc(2026, 11, 27, 19)),
        (utc(2026, 11, 27, 10), "remind me at 8pm to x", utc(2026, 11, 27, 19)),
        # A part of the day settles it.
        (utc(2026, 11, 27, 6), "remind me at 8 in the evening to x", utc(2026, 11, 27, 19)),
        (utc(2026, 11, 27, 6), "recuérdame a las 8 de la noche x", utc(2026, 11, 27, 19)),
        (utc(2026, 11, 27, 6), "remind me tomorrow morning at 8 to x", utc(2026, 11, 28, 7)),
        # With a named day the bare hour is read as written.
        (utc(2026, 11, 27, 10), "remind me tomorrow at 8 to x", utc(2026, 11, 28, 7)),
        (utc(2026, 11, 27, 10), "remind me on 3 december at 8 to x", utc(2026, 12, 3, 7)),
    ],
)
def test_hour_of_a_one_off_reminder(now, text, due_at):
    intent = parse(text, paris(now))

    assert intent.name == IntentName.REMIND
    assert intent.due_at == due_at


def test_a_recurring_bare_hour_is_read_as_written():
    intent = parse("remind me every day at 8 to x", paris(utc(2026, 11, 27, 20, 30)))

    assert intent.rrule == "FREQ=DAILY;BYHOUR=8;BYMINUTE=0"
    assert intent.due_at == utc(2026, 11, 28, 7)


@pytest.mark.parametrize(
    ("text", "due_at"),
    [
        ("remind me today at 8am to x", utc(2026, 11, 27, 7)),
        ("remind me yesterday at 5pm to x", utc(2026, 11, 26, 16)),
        ("remind me on 3 december 2025 at 10 to x", utc(2025, 12, 3, 9)),
        ("rappelle-moi hier à 9h de x", utc(2026, 11, 26, 8)),
        ("recuérdame hoy a las 9 de la mañana x", utc(2026, 11, 27, 8)),
        ("lembre-me hoje às 7h de x", utc(2026, 11, 27, 6)),
    ],
)
def test_a_time_explicitly_in_the_past_asks_for_clarification(text, due_at):
    intent = parse(text, paris(utc(2026, 11, 27, 10)))

    assert intent.name == IntentName.CLARIFY
    assert intent.problem == "past_time"
    assert intent.due_at == due_at
    assert intent.text == "x"


@pytest.mark.parametrize(
    ("text", "due_at"),
    [
        ("remind me on friday at 3pm to x", utc(2026, 11, 27, 14)),  # later today, a Friday
        ("remind me on friday at 8am to x", utc(2026, 12, 4, 7)),  # passed today: next week's
        ("remind me next friday at 3pm to x", utc(2026, 12, 4, 14)),
        ("remind me on monday to x", utc(2026, 11, 30, 8)),  # no time: 09:00
        ("remind me 3 january at 10 to x", utc(2027, 1, 3, 9)),  # no year: the next one
        ("remind me tomorrow to x", utc(2026, 11, 28, 8)),
        ("remind me in 2 weeks to x", utc(2026, 12, 11, 10)),
        ("remind me in 1h30 to x", utc(2026, 11, 27, 11, 30)),
        ("remind me in 2 hours and 30 minutes to x", utc(2026, 11, 27, 12, 30)),
        ("recuérdame en 2 horas y 30 minutos x", utc(2026, 11, 27, 12, 30)),
        ("remind me in half an hour to x", utc(2026, 11, 27, 10, 30)),
        # A bare 1 to 6 on a named day is the afternoon or evening; 7 to 12 is read as written.
        ("remind me on friday at 3 to x", utc(2026, 11, 27, 14)),
        ("remind me tomorrow at 2 to x", utc(2026, 11, 28, 13)),
        ("rappelle-moi demain à 5 de x", utc(2026, 11, 28, 16)),
        ("remind me tomorrow at 6 to x", utc(2026, 11, 28, 17)),
        ("remind me tomorrow at 7 to x", utc(2026, 11, 28, 6)),
        ("remind me tomorrow at 3am to x", utc(2026, 11, 28, 2)),
        ("remind me tomorrow at 3h to x", utc(2026, 11, 28, 2)),
    ],
)
def test_days_and_offsets(text, due_at):
    assert parse(text, paris(utc(2026, 11, 27, 10))).due_at == due_at


@pytest.mark.parametrize(
    ("now", "text", "options"),
    [
        # 07:00 in Paris: 08:00 and 20:00 are both ahead, so it asks which.
        (utc(2026, 11, 27, 6), "remind me at 8 to x", (utc(2026, 11, 27, 7), utc(2026, 11, 27, 19))),
        (utc(2026, 11, 27, 9), "remind me at 11 to x", (utc(2026, 11, 27, 10), utc(2026, 11, 27, 22))),
        (utc(2026, 11, 27, 6), "recuérdame hoy a las 8 x", (utc(2026, 11, 27, 7), utc(2026, 11, 27, 19))),
    ],
)
def test_a_bare_hour_with_both_readings_ahead_today_is_a_question(now, text, options):
    intent = parse(text, paris(now))

    assert (intent.name, intent.problem, intent.text, intent.options) == (
        IntentName.CLARIFY,
        "ambiguous_time",
        "x",
        options,
    )


@pytest.mark.parametrize(
    ("text", "due_at"),
    [
        ("remind me today at 8 to x", utc(2026, 11, 27, 19)),  # 11:00: only 20:00 is ahead
        ("recuérdame hoy a las 9 x", utc(2026, 11, 27, 20)),
    ],
)
def test_today_with_a_bare_hour_is_the_reading_still_ahead(text, due_at):
    intent = parse(text, paris(utc(2026, 11, 27, 10)))

    assert (intent.name, intent.due_at) == (IntentName.REMIND, due_at)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("remind me to call the bank at 6ish", "unclear_time"),
        ("rappelle-moi vers 5-6h d'appeler Marc", "unclear_time"),
        ("remind me at 25:00 to x", "unclear_time"),
        ("rappelle-moi à 14h70 de x", "unclear_time"),
    ],
)
def test_a_time_that_cannot_be_read_exactly_is_a_question(text, problem):
    assert parse(text, paris(utc(2026, 11, 27, 10))).problem == problem


def test_today_without_a_time_asks_for_one():
    intent = parse("remind me today to call mom", paris(utc(2026, 11, 27, 10)))

    assert (intent.name, intent.problem, intent.text, intent.due_at) == (
        IntentName.CLARIFY,
        "missing_time",
        "call mom",
        None,
    )


@pytest.mark.parametrize(
    ("text", "rrule", "due_at"),
    [
        (
            "remind me every weekday at 9 to x",
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0",
            utc(2026, 11, 30, 8),
        ),
        ("remind me every monday to x", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0", utc(2026, 11, 30, 8)),
        ("remind me mondays at 9 to x", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0", utc(2026, 11, 30, 8)),
        (
            "remind me every weekend at 10 to x",
            "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=10;BYMINUTE=0",
            utc(2026, 11, 28, 9),
        ),
        ("remind me every evening to x", "FREQ=DAILY;BYHOUR=20;BYMINUTE=0", utc(2026, 11, 27, 19)),
        (
            "remind me every 2 days at 8 to x",
            "FREQ=DAILY;INTERVAL=2;BYHOUR=8;BYMINUTE=0",
            utc(2026, 11, 28, 7),
        ),
        ("remind me every hour to x", "FREQ=HOURLY", utc(2026, 11, 27, 11)),
        ("remind me every 30 minutes to x", "FREQ=MINUTELY;INTERVAL=30", utc(2026, 11, 27, 10, 30)),
        (
            "rappelle-moi tous les lundis et jeudis à 19h de x",
            "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=19;BYMINUTE=0",
            utc(2026, 11, 30, 18),
        ),
        (
            "recuérdame los sábados a las 10 x",
            "FREQ=WEEKLY;BYDAY=SA;BYHOUR=10;BYMINUTE=0",
            utc(2026, 11, 28, 9),
        ),
        (
            "me lembra às segundas e quartas às 9 de x",
            "FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9;BYMINUTE=0",
            utc(2026, 11, 30, 8),
        ),
        ("me lembra todo dia às 8 de x", "FREQ=DAILY;BYHOUR=8;BYMINUTE=0", utc(2026, 11, 28, 7)),
        ("rappelle-moi quotidiennement à 21h de x", "FREQ=DAILY;BYHOUR=21;BYMINUTE=0", utc(2026, 11, 27, 20)),
    ],
)
def test_recurrences(text, rrule, due_at):
    intent = parse(text, paris(utc(2026, 11, 27, 10)))

    assert (intent.name, intent.text, intent.rrule, intent.due_at) == (IntentName.REMIND, "x", rrule, due_at)
    rrule_validate(intent.rrule)


# DST in the user's zone: Paris springs forward on 2027-03-28 and falls back on 2026-10-25,
# New York springs forward on 2027-03-14. Wall times stay put; UTC instants move.
@pytest.mark.parametrize(
    ("context", "text", "due_at"),
    [
        (paris(utc(2027, 3, 27, 20)), "remind me tomorrow at 8 to x", utc(2027, 3, 28, 6)),  # 08:00 CEST
        (paris(utc(2026, 10, 24, 20)), "remind me tomorrow at 8 to x", utc(2026, 10, 25, 7)),  # 08:00 CET
        (new_york(utc(2027, 3, 13, 15)), "remind me tomorrow at 8 to x", utc(2027, 3, 14, 12)),  # 08:00 EDT
        (paris(utc(2027, 3, 27, 20)), "rappelle-moi demain à 8h de x", utc(2027, 3, 28, 6)),
        # 02:30 does not exist in Paris that night: the reminder lands just after the gap.
        (paris(utc(2027, 3, 27, 20)), "remind me tomorrow at 2:30am to x", utc(2027, 3, 28, 1, 30)),
        # 02:30 happens twice: the first one.
        (paris(utc(2026, 10, 24, 20)), "remind me tomorrow at 2:30am to x", utc(2026, 10, 25, 0, 30)),
        # Days move the calendar (same wall time), hours move the clock (same elapsed time).
        (paris(utc(2027, 3, 27, 20)), "remind me in 2 days to x", utc(2027, 3, 29, 19)),
        (paris(utc(2027, 3, 27, 20)), "remind me in 12 hours to x", utc(2027, 3, 28, 8)),
    ],
)
def test_one_off_reminders_across_dst(context, text, due_at):
    assert parse(text, context).due_at == due_at


@pytest.mark.parametrize(
    ("context", "due_at"),
    [
        (paris(utc(2027, 3, 27, 20)), utc(2027, 3, 28, 6)),  # the evening before the change
        (paris(utc(2027, 3, 28, 7)), utc(2027, 3, 29, 6)),  # 09:00 CEST, just after it
        (paris(utc(2026, 10, 24, 20)), utc(2026, 10, 25, 7)),
        (new_york(utc(2027, 3, 13, 15)), utc(2027, 3, 14, 12)),
        (new_york(utc(2027, 3, 14, 14)), utc(2027, 3, 15, 12)),
    ],
)
def test_first_occurrence_of_a_daily_reminder_across_dst(context, due_at):
    intent = parse("remind me every day at 8 to take my meds", context)

    assert (intent.rrule, intent.due_at) == ("FREQ=DAILY;BYHOUR=8;BYMINUTE=0", due_at)


def test_a_recurring_reminder_keeps_its_wall_time_after_the_change():
    intent = parse("remind me every day at 8 to take my meds", paris(utc(2027, 3, 26, 20)))
    assert intent.due_at == utc(2027, 3, 27, 7)  # 08:00 CET

    following = next_occurrence(
        rule=intent.rrule, first=intent.due_at, timezone="Europe/Paris", after=intent.due_at
    )

    assert following == utc(2027, 3, 28, 6)  # 08:00 CEST


def test_a_recurring_reminder_in_the_spring_forward_gap_does_not_crash():
    intent = parse("remind me every day at 2:30am to x", paris(utc(2027, 3, 27, 20)))

    assert intent.due_at == utc(2027, 3, 28, 1, 30)
    rrule_validate(intent.rrule)


def test_the_first_occurrence_is_strictly_after_now():
    now = utc(2026, 11, 27, 7)  # exactly 08:00 in Paris

    intent = parse("remind me every day at 8 to x", paris(now))

    assert intent.due_at == now + timedelta(days=1)
