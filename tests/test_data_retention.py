"""Data retention (assistant/core/retention.py): the hourly task purges, through each app's own
service, the chat messages, SMS texts and numbers, and reminder deliveries older than
DATA_RETENTION_DAYS, a batch at a time, and counts what it purged by kind."""

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from prometheus_client import REGISTRY

from assistant.chat.models import Conversation, Message
from assistant.core import retention
from assistant.core.tasks import data_retention_purge
from assistant.planner.models import Reminder, ReminderDelivery
from assistant.users.tests.factories import UserFactory
from sms.models import InboundSMS, OutboundSMS
from sms.services import sms_resend

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
KINDS = ("chat_message", "inbound_sms", "outbound_sms", "reminder_delivery")
PHONE = "+33612345678"
_sids = itertools.count(1)


@pytest.fixture
def person():
    return UserFactory(phone_number=PHONE, phone_verified=True)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def message(person, *, at: datetime, text: str = "call the dentist") -> Message:
    conversation, _ = Conversation.objects.get_or_create(user=person, channel="sms")
    return Message.objects.create(conversation=conversation, direction="in", text=text, created_at=at)


def inbound(person, *, at: datetime) -> InboundSMS:
    return InboundSMS.objects.create(
        message_sid=f"SM{next(_sids):032d}",
        from_number=PHONE,
        to_number=settings.TWILIO_FROM_NUMBER,
        body="remind me to call the dentist",
        segments=2,
        user=person,
        result="routed",
        reply="I'll remind you tomorrow at 09:00.",
        received_at=at,
    )


def outbound(person, *, at: datetime, status: str = "delivered") -> OutboundSMS:
    return OutboundSMS.objects.create(
        user=person,
        to_number=PHONE,
        body="Reminder: call the dentist",
        purpose="reminder",
        status=status,
        provider_sid=f"SM{next(_sids):032d}",
        segments=1,
        cost_usd=Decimal("0.0798"),
        cost_estimated=False,
        error_code="30003",
        error_message=f"Unreachable destination handset {PHONE}",
        created_at=at,
    )


def delivery(person, *, at: datetime) -> ReminderDelivery:
    reminder = Reminder.objects.create(
        user=person, text="call the dentist", due_at=at, timezone="Europe/Paris", starts_at=at, fire_at=at
    )
    return ReminderDelivery.objects.create(
        reminder=reminder,
        occurrence=at,
        channel="sms",
        outcome="failed_over",
        reason="opted out",
        created_at=at,
    )


def one_of_each(person, *, at: datetime) -> dict[str, object]:
    return {
        "chat_message": message(person, at=at),
        "inbound_sms": inbound(person, at=at),
        "outbound_sms": outbound(person, at=at),
        "reminder_delivery": delivery(person, at=at),
    }


def purged_count(kind: str) -> float:
    value = REGISTRY.get_sample_value("data_retention_purged_rows_total", {"kind": kind})
    assert value is not None, f"no series for kind={kind}"
    return value


def test_rows_older_than_the_retention_are_purged_and_newer_ones_kept(person):
    old = one_of_each(person, at=days_ago(366))
    new = one_of_each(person, at=days_ago(364))

    purged = retention.data_retention_purge(now=NOW)

    assert purged == dict.fromkeys(KINDS, 1)
    assert not Message.objects.filter(pk=old["chat_message"].pk).exists()
    assert not ReminderDelivery.objects.filter(pk=old["reminder_delivery"].pk).exists()
    assert Reminder.objects.filter(pk=old["reminder_delivery"].reminder_id).exists()
    for row in new.values():
        row.refresh_from_db()  # still there, as written
    assert new["chat_message"].text == "call the dentist"
    assert new["inbound_sms"].body
    assert new["inbound_sms"].from_number == PHONE
    assert new["outbound_sms"].body
    assert new["outbound_sms"].to_number == PHONE
    assert new["reminder_delivery"].reason == "opted out"


def test_a_purged_inbound_sms_keeps_its_sid_segments_and_date_but_nothing_personal(person):
    row = inbound(person, at=days_ago(400))

    retention.data_retention_purge(now=NOW)

    row.refresh_from_db()
    assert (row.body, row.reply, row.from_number) == ("", "", "")
    assert row.message_sid.startswith("SM")  # a late Twilio retry still finds it a duplicate
    assert (row.segments, row.received_at, row.result) == (2, days_ago(400), "routed")
    assert row.to_number == settings.TWILIO_FROM_NUMBER  # ours, not the person's


def test_a_purged_outbound_sms_keeps_what_it_cost_but_not_what_it_said_or_to_whom(person):
    row = outbound(person, at=days_ago(400), status="undelivered")

    retention.data_retention_purge(now=NOW)

    row.refresh_from_db()
    assert (row.body, row.to_number, row.error_message) == ("", "", "")
    assert (row.cost_usd, row.segments, row.status, row.error_code) == (
        Decimal("0.0798"),
        1,
        "undelivered",
        "30003",
    )
    assert row.created_at == days_ago(400)
    assert row.provider_sid
    # Nothing is left to send: the admin's "resend" passes it over.
    assert sms_resend(sms_ids=[row.pk]) == 0


def test_an_sms_still_in_the_outbox_is_left_until_it_leaves_it(person):
    queued = outbound(person, at=days_ago(400), status="queued")
    sending = outbound(person, at=days_ago(400), status="sending")

    assert retention.data_retention_purge(now=NOW)["outbound_sms"] == 0

    assert OutboundSMS.objects.get(pk=queued.pk).to_number == PHONE
    assert OutboundSMS.objects.get(pk=sending.pk).body == "Reminder: call the dentist"


def test_a_chat_fallback_goes_with_the_delivery_it_stood_in_for_and_the_sms_row_stays(person):
    failed = delivery(person, at=days_ago(400))
    fallback = ReminderDelivery.objects.create(
        reminder=failed.reminder,
        occurrence=failed.occurrence,
        channel="chat",
        outcome="delivered",
        fallback_for=failed,
        created_at=days_ago(400),
    )
    sms = outbound(person, at=days_ago(10))
    OutboundSMS.objects.filter(pk=sms.pk).update(reminder_delivery=failed)

    assert retention.data_retention_purge(now=NOW)["reminder_delivery"] == 2

    assert not ReminderDelivery.objects.filter(pk__in=[failed.pk, fallback.pk]).exists()
    sms.refresh_from_db()
    assert sms.reminder_delivery_id is None
    assert sms.body == "Reminder: call the dentist"


def test_a_reply_newer_than_the_retention_outlives_the_message_it_answered(person):
    question = message(person, at=days_ago(365) - timedelta(minutes=1))
    answer = message(person, at=days_ago(365) + timedelta(minutes=1), text="Done.")
    Message.objects.filter(pk=answer.pk).update(in_reply_to=question)

    retention.data_retention_purge(now=NOW)

    answer.refresh_from_db()
    assert not Message.objects.filter(pk=question.pk).exists()
    assert answer.text == "Done."
    assert answer.in_reply_to_id is None


def test_batches_go_past_the_batch_size_and_no_statement_touches_more(person, settings):
    settings.DATA_RETENTION_BATCH_SIZE = 2
    for _ in range(5):
        one_of_each(person, at=days_ago(400))

    with CaptureQueriesContext(connection) as queries:
        purged = retention.data_retention_purge(now=NOW)

    assert purged == dict.fromkeys(KINDS, 5)
    assert not Message.objects.exists()
    assert not ReminderDelivery.objects.exists()
    assert not InboundSMS.objects.exclude(from_number="").exists()
    assert not OutboundSMS.objects.exclude(to_number="").exists()
    deletes = [query["sql"] for query in queries if query["sql"].startswith('DELETE FROM "chat_message"')]
    assert len(deletes) == 3  # 2 + 2 + 1
    # Each ids-first SELECT asks for a batch at most.
    limits = [query["sql"] for query in queries if query["sql"].endswith("LIMIT 2")]
    assert len(limits) >= 4 * 3


def test_the_counter_moves_by_the_rows_purged_per_kind(person, settings):
    settings.DATA_RETENTION_BATCH_SIZE = 2
    for _ in range(3):
        one_of_each(person, at=days_ago(400))
    message(person, at=days_ago(401))
    before = {kind: purged_count(kind) for kind in KINDS}

    retention.data_retention_purge(now=NOW)

    moved = {kind: purged_count(kind) - before[kind] for kind in KINDS}
    assert moved == {"chat_message": 4, "inbound_sms": 3, "outbound_sms": 3, "reminder_delivery": 3}


def test_a_second_run_purges_and_counts_nothing(person):
    one_of_each(person, at=days_ago(400))
    retention.data_retention_purge(now=NOW)
    before = {kind: purged_count(kind) for kind in KINDS}

    assert retention.data_retention_purge(now=NOW) == dict.fromkeys(KINDS, 0)

    assert {kind: purged_count(kind) for kind in KINDS} == before
    assert InboundSMS.objects.count() == 1
    assert OutboundSMS.objects.count() == 1


def test_a_run_stops_at_its_time_budget_and_the_next_run_goes_on(person, settings):
    settings.DATA_RETENTION_BATCH_SIZE = 2
    settings.DATA_RETENTION_TIME_BUDGET_SECONDS = 1.5
    for _ in range(5):
        one_of_each(person, at=days_ago(400))
    # A clock that moves a second each time it is read: the budget allows one round of batches.
    first = retention.data_retention_purge(now=NOW, clock=itertools.count().__next__)

    assert first == dict.fromkeys(KINDS, 2)
    second = retention.data_retention_purge(now=NOW)
    assert second == dict.fromkeys(KINDS, 3)


def test_the_retention_follows_the_setting(person, settings):
    settings.DATA_RETENTION_DAYS = 30
    kept = message(person, at=days_ago(29))
    purged = message(person, at=days_ago(31))

    retention.data_retention_purge(now=NOW)

    assert Message.objects.filter(pk=kept.pk).exists()
    assert not Message.objects.filter(pk=purged.pk).exists()


def test_the_beat_task_purges_against_the_current_time(person):
    from django.utils import timezone

    old = message(person, at=timezone.now() - timedelta(days=settings.DATA_RETENTION_DAYS, minutes=1))
    new = message(person, at=timezone.now() - timedelta(days=settings.DATA_RETENTION_DAYS - 1))

    assert data_retention_purge.delay().get()["chat_message"] == 1

    assert not Message.objects.filter(pk=old.pk).exists()
    assert Message.objects.filter(pk=new.pk).exists()


def test_beat_runs_the_purge_every_hour_and_workers_know_the_task():
    from config.celery_app import app

    entry = settings.CELERY_BEAT_SCHEDULE["data-retention-purge"]

    assert entry["task"] == "assistant.core.tasks.data_retention_purge"
    assert entry["schedule"] == timedelta(hours=1)
    app.loader.import_default_modules()  # what a worker does at start, before its tasks x states are set to 0
    assert entry["task"] in app.tasks


def test_every_kind_is_registered_by_its_app_and_counted_from_zero():
    assert retention.retention_kinds() == sorted(KINDS)
    for kind in KINDS:
        purged_count(kind)  # the series exists before any purge
