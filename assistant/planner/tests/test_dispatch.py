import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from prometheus_client import REGISTRY

from assistant.chat.models import Message
from assistant.planner import services
from assistant.planner.models import Reminder, ReminderDelivery
from assistant.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def make(user, *, text="drink water", due_at=NOW + timedelta(minutes=1), rrule="", channel="chat"):
    return services.reminder_create(
        user=user, text=text, due_at=due_at, rrule=rrule, channel=channel, now=NOW
    )


def chat_messages(user):
    return list(
        Message.objects.filter(conversation__user=user, direction="out").values_list("text", flat=True)
    )


def test_a_due_reminder_becomes_a_chat_message_once(user):
    reminder = make(user)

    early = services.reminders_dispatch(now=NOW + timedelta(seconds=30))
    due = services.reminders_dispatch(now=NOW + timedelta(seconds=61))
    again = services.reminders_dispatch(now=NOW + timedelta(seconds=90))

    assert (early.sent, due.sent, again.sent) == (0, 1, 0)
    assert chat_messages(user) == ["Reminder: drink water"]
    reminder.refresh_from_db()
    assert reminder.status == "sent"
    assert reminder.sent_at == NOW + timedelta(seconds=61)


@pytest.mark.parametrize(
    ("language", "arrives_as"),
    [
        ("fr", "Rappel : appeler maman"),
        ("es", "Recordatorio: appeler maman"),
        ("pt", "Lembrete: appeler maman"),
        ("", "Reminder: appeler maman"),  # no language known yet: English
    ],
)
def test_a_reminder_arrives_in_the_persons_language_with_their_own_words(language, arrives_as):
    user = UserFactory(language=language)
    make(user, text="appeler maman")

    services.reminders_dispatch(now=NOW + timedelta(seconds=61))

    assert chat_messages(user) == [arrives_as]


def test_an_event_nudge_arrives_as_written_it_already_says_what_it_is(user):
    reminder = make(user, text="In 15 min: Dentist at 10:00")
    Reminder.objects.filter(pk=reminder.pk).update(origin=Reminder.Origin.EVENT)

    services.reminders_dispatch(now=NOW + timedelta(seconds=61))

    assert chat_messages(user) == ["In 15 min: Dentist at 10:00"]


def test_a_recurring_reminder_moves_to_its_next_occurrence_across_dst(user):
    # Europe/Paris leaves summer time on 2026-10-25: 08:00 local is 06:00 UTC before, 07:00 after.
    user.timezone = "Europe/Paris"
    first = datetime(2026, 10, 24, 6, 0, tzinfo=UTC)
    reminder = services.reminder_create(
        user=user,
        text="meds",
        due_at=first,
        rrule="FREQ=DAILY;BYHOUR=8;BYMINUTE=0",
        now=first - timedelta(hours=1),
    )

    services.reminders_dispatch(now=first)
    reminder.refresh_from_db()
    assert reminder.due_at == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)
    services.reminders_dispatch(now=reminder.due_at)
    reminder.refresh_from_db()

    assert reminder.status == "scheduled"
    assert reminder.due_at == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)
    assert chat_messages(user) == ["Reminder: meds"] * 2


def test_missed_occurrences_are_skipped_not_sent_in_a_burst(user):
    reminder = make(user, due_at=NOW + timedelta(hours=1), rrule="FREQ=HOURLY")

    services.reminders_dispatch(now=NOW + timedelta(hours=5, minutes=30))
    reminder.refresh_from_db()

    assert chat_messages(user) == ["Reminder: drink water"]
    assert reminder.due_at == NOW + timedelta(hours=6)


def test_a_transient_failure_is_retried_with_backoff_and_never_lost(user, flaky_channel, settings):
    settings.REMINDER_RETRY_BASE_SECONDS = 30
    flaky_channel.failures = 2
    reminder = make(user, channel="flaky")
    due = NOW + timedelta(minutes=1)

    first = services.reminders_dispatch(now=due)
    reminder.refresh_from_db()
    assert (first.retried, reminder.attempts, reminder.status) == (1, 1, "scheduled")
    assert "far end refused" in reminder.last_error
    assert due + timedelta(seconds=15) <= reminder.fire_at <= due + timedelta(seconds=45)

    second_try = reminder.fire_at
    services.reminders_dispatch(now=second_try)
    reminder.refresh_from_db()
    assert reminder.attempts == 2
    assert second_try + timedelta(seconds=30) <= reminder.fire_at <= second_try + timedelta(seconds=90)

    services.reminders_dispatch(now=reminder.fire_at)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error) == ("sent", 0, "")
    assert flaky_channel.delivered == [(user.pk, "Reminder: drink water")]


def test_a_permanent_failure_stops_and_is_recorded(user, flaky_channel):
    flaky_channel.failures, flaky_channel.permanent = 1, True
    reminder = make(user, channel="flaky")

    result = services.reminders_dispatch(now=NOW + timedelta(minutes=1))
    reminder.refresh_from_db()

    assert result.failed == 1
    assert reminder.status == "failed"
    assert services.reminders_dispatch(now=NOW + timedelta(days=1)).sent == 0


def test_too_many_transient_failures_end_as_failed(user, flaky_channel, settings):
    settings.REMINDER_MAX_ATTEMPTS = 3
    flaky_channel.failures = 10
    reminder = make(user, channel="flaky")

    for _ in range(3):
        reminder.refresh_from_db()
        services.reminders_dispatch(now=reminder.fire_at)
    reminder.refresh_from_db()

    assert (reminder.status, reminder.attempts) == ("failed", 3)


def test_an_unknown_channel_falls_back_to_chat(user):
    make(user, channel="sms")  # no SMS app in this build

    services.reminders_dispatch(now=NOW + timedelta(minutes=1))

    assert chat_messages(user) == ["Reminder: drink water"]


def test_snoozing_a_sent_one_off_brings_it_back(user):
    reminder = make(user)
    services.reminders_dispatch(now=NOW + timedelta(minutes=1))

    services.reminder_snooze(reminder=reminder, minutes=10, now=NOW + timedelta(minutes=2))
    services.reminders_dispatch(now=NOW + timedelta(minutes=11))
    assert len(chat_messages(user)) == 1
    services.reminders_dispatch(now=NOW + timedelta(minutes=12))

    assert chat_messages(user) == ["Reminder: drink water"] * 2
    reminder.refresh_from_db()
    assert (reminder.status, reminder.snoozed_until) == ("sent", None)


def test_snoozing_a_recurring_reminder_keeps_its_schedule(user):
    reminder = make(user, due_at=NOW + timedelta(minutes=1), rrule="FREQ=DAILY")
    services.reminders_dispatch(now=NOW + timedelta(minutes=1))
    reminder.refresh_from_db()
    tomorrow = reminder.due_at

    services.reminder_snooze(reminder=reminder, minutes=10, now=NOW + timedelta(minutes=2))
    services.reminders_dispatch(now=NOW + timedelta(minutes=12))
    reminder.refresh_from_db()

    assert len(chat_messages(user)) == 2
    assert reminder.due_at == tomorrow
    assert reminder.fire_at == tomorrow
    assert reminder.status == "scheduled"


def test_cancelled_reminders_are_not_sent(user):
    reminder = make(user)
    services.reminder_cancel(reminder=reminder)

    assert services.reminders_dispatch(now=NOW + timedelta(minutes=5)).sent == 0


def test_send_now_delivers_before_time(user):
    reminder = make(user, due_at=NOW + timedelta(days=3))

    result = services.reminders_send_now(reminder_ids=[reminder.pk])

    assert result.sent == 1
    assert chat_messages(user) == ["Reminder: drink water"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_dispatchers_send_each_of_1000_reminders_once():
    """On PostgreSQL the two runs take disjoint batches (skip_locked); on SQLite they take
    turns at the database's write lock. Either way no reminder may go out twice."""
    users = UserFactory.create_batch(10)
    now = timezone.now()
    Reminder.objects.bulk_create(
        Reminder(
            user=users[i % 10], text=f"reminder {i}", due_at=now, starts_at=now, fire_at=now, timezone="UTC"
        )
        for i in range(1000)
    )
    barrier = threading.Barrier(2)
    results = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(services.reminders_dispatch(now=now + timedelta(seconds=1), batch_size=50))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(results) == 2
    assert sum(result.sent for result in results) == 1000
    texts = list(Message.objects.filter(direction="out").values_list("text", flat=True))
    assert len(texts) == 1000
    assert len(set(texts)) == 1000
    assert Reminder.objects.exclude(status="sent").count() == 0
    if connection.vendor == "postgresql":
        assert all(result.sent > 0 for result in results), "both dispatchers should have worked"


def stored(user, rule, *, starts_at=NOW + timedelta(minutes=1), channel="chat"):
    """A recurring reminder written straight to the table, the way rows older than the checks were."""
    return Reminder.objects.create(
        user=user,
        text=f"series {rule[:20]}",
        due_at=starts_at,
        starts_at=starts_at,
        fire_at=starts_at,
        timezone=user.timezone,
        rrule=rule,
        channel=channel,
    )


def stopped_count(reason):
    return REGISTRY.get_sample_value("reminder_recurrence_failed_total", {"reason": reason}) or 0


def test_a_poisoned_series_is_delivered_once_and_marked_failed_while_the_batch_goes_on(
    user, logs, django_capture_on_commit_callbacks
):
    once = make(user, text="once")
    daily = make(user, text="daily", rrule="FREQ=DAILY;BYHOUR=11;BYMINUTE=1")
    # February 30: the rule parses, the day comes from its start; dateutil would walk to 9999.
    february_30 = stored(user, "FREQ=MONTHLY;BYMONTH=2", starts_at=datetime(2027, 1, 30, 9, 1, tzinfo=UTC))
    february_30.due_at = february_30.fire_at = NOW + timedelta(minutes=1)
    february_30.save()
    secondly = stored(user, "DTSTART:20200101T000000\nRRULE:FREQ=SECONDLY")
    before = {reason: stopped_count(reason) for reason in ("invalid", "never_occurs")}

    with django_capture_on_commit_callbacks(execute=True):
        result = services.reminders_dispatch(now=NOW + timedelta(minutes=1))

    assert result.sent == 4
    assert sorted(chat_messages(user)) == sorted(
        f"Reminder: {text}" for text in ["once", "daily", february_30.text, secondly.text]
    )
    rows = {row.pk: row for row in Reminder.objects.all()}
    assert (rows[once.pk].status, rows[daily.pk].status) == ("sent", "scheduled")
    assert rows[daily.pk].due_at == datetime(2026, 11, 28, 10, 1, tzinfo=UTC)  # 11:01 in Paris
    assert (rows[february_30.pk].status, rows[february_30.pk].last_error) == (
        "failed",
        "Recurrence stopped: This rule never occurs in the next 8 years.",
    )
    assert (rows[secondly.pk].status, rows[secondly.pk].last_error) == (
        "failed",
        "Recurrence stopped: Rules may not contain DTSTART.",
    )
    assert stopped_count("invalid") == before["invalid"] + 1
    assert stopped_count("never_occurs") == before["never_occurs"] + 1
    events = [line for line in logs.lines() if line["event"] == "reminder_recurrence_failed"]
    assert sorted((line["reminder_id"], line["reason"]) for line in events) == sorted(
        [(february_30.pk, "never_occurs"), (secondly.pk, "invalid")]
    )


def test_an_evaluation_past_its_budget_stops_the_series_not_the_dispatcher(
    user, settings, django_capture_on_commit_callbacks
):
    series = make(user, text="series", rrule="FREQ=DAILY")
    once = make(user, text="once")
    settings.REMINDER_RRULE_BUDGET_SECONDS = 0  # every evaluation is over budget at its first step
    before = stopped_count("budget")

    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_dispatch(now=NOW + timedelta(minutes=1))

    series.refresh_from_db()
    once.refresh_from_db()
    assert (series.status, series.last_error) == (
        "failed",
        "Recurrence stopped: This rule takes too long to compute.",
    )
    assert once.status == "sent"
    assert stopped_count("budget") == before + 1


def test_a_series_faster_than_its_channel_now_allows_is_stopped(user, settings):
    series = make(user, rrule="FREQ=HOURLY")
    settings.REMINDER_RRULE_MIN_INTERVAL_SECONDS = {"chat": 2 * 3600, "sms": 3600}

    services.reminders_dispatch(now=NOW + timedelta(minutes=1))

    series.refresh_from_db()
    assert (series.status, series.last_error) == (
        "failed",
        "Recurrence stopped: Reminders can repeat at most every 2 hours on chat.",
    )


def test_a_deactivated_persons_due_reminder_is_not_sent_and_its_delivery_says_why(user):
    one_off = make(user, text="call the bank")
    series = make(user, text="drink water", rrule="FREQ=DAILY")
    user.is_active = False
    user.save(update_fields=["is_active"])

    result = services.reminders_dispatch(now=NOW + timedelta(seconds=61))

    assert (result.sent, result.failed) == (0, 2)
    assert chat_messages(user) == []
    deliveries = ReminderDelivery.objects.filter(reminder__user=user)
    assert {(d.outcome, d.reason) for d in deliveries} == {("failed", services.ACCOUNT_INACTIVE_REASON)}
    assert deliveries.count() == 2
    one_off.refresh_from_db()
    series.refresh_from_db()
    assert (one_off.status, one_off.sent_at) == ("failed", None)
    # The series keeps its schedule for when the account is back, without a burst of missed ones.
    assert (series.status, series.due_at) == ("scheduled", NOW + timedelta(days=1, minutes=1))
