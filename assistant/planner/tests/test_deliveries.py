"""A delivery record per reminder occurrence and channel, and what the channels report back."""

from datetime import timedelta

import pytest

from assistant.planner import metrics, services
from assistant.planner.models import Reminder, ReminderDelivery
from assistant.planner.tests.helpers import metric, metric_exists
from assistant.planner.tests.test_dispatch import NOW, chat_messages, make

pytestmark = pytest.mark.django_db

DUE = NOW + timedelta(minutes=1)


def deliveries(reminder) -> list[tuple]:
    return list(
        ReminderDelivery.objects.filter(reminder=reminder)
        .order_by("occurrence", "id")
        .values_list("occurrence", "channel", "outcome")
    )


def test_a_chat_reminder_is_recorded_delivered_for_the_occurrence_that_fired(user):
    reminder = make(user)

    services.reminders_dispatch(now=DUE + timedelta(seconds=5))

    assert deliveries(reminder) == [(DUE, "chat", "delivered")]


def test_each_occurrence_of_a_series_and_each_snooze_gets_its_own_record(user):
    reminder = make(user, rrule="FREQ=HOURLY")
    services.reminders_dispatch(now=DUE)
    reminder.refresh_from_db()
    services.reminder_snooze(reminder=reminder, minutes=10, now=DUE + timedelta(minutes=1))
    services.reminders_dispatch(now=DUE + timedelta(minutes=11))
    services.reminders_dispatch(now=DUE + timedelta(hours=1))

    assert deliveries(reminder) == [
        (DUE, "chat", "delivered"),
        (DUE + timedelta(minutes=11), "chat", "delivered"),
        (DUE + timedelta(hours=1), "chat", "delivered"),
    ]


def test_send_now_is_an_occurrence_of_its_own_each_time(user):
    reminder = make(user, due_at=NOW + timedelta(days=3))

    services.reminders_send_now(reminder_ids=[reminder.pk])
    services.reminders_send_now(reminder_ids=[reminder.pk])

    assert [outcome for _, _, outcome in deliveries(reminder)] == ["delivered", "delivered"]
    assert chat_messages(user) == ["Reminder: drink water"] * 2


def test_an_occurrence_already_recorded_is_never_delivered_again(user):
    reminder = make(user)
    ReminderDelivery.objects.create(reminder=reminder, occurrence=DUE, channel="sms", outcome="failed_over")

    result = services.reminders_dispatch(now=DUE)

    reminder.refresh_from_db()
    assert (result.sent, chat_messages(user)) == (0, [])
    assert reminder.status == "sent"  # moved on, not claimed again and again
    assert len(deliveries(reminder)) == 1


def test_a_retried_failure_keeps_no_record_until_it_goes_out(user, flaky_channel):
    flaky_channel.failures = 1
    reminder = make(user, channel="flaky")

    services.reminders_dispatch(now=DUE)
    assert deliveries(reminder) == []
    reminder.refresh_from_db()
    services.reminders_dispatch(now=reminder.fire_at)

    assert deliveries(reminder) == [(DUE, "flaky", "delivered")]


def test_a_permanent_failure_is_recorded_failed_with_its_reason(user, flaky_channel):
    flaky_channel.failures, flaky_channel.permanent = 1, True
    reminder = make(user, channel="flaky")

    services.reminders_dispatch(now=DUE)

    delivery = ReminderDelivery.objects.get(reminder=reminder)
    assert (delivery.outcome, delivery.reason) == ("failed", "PermanentDeliveryError: far end refused")


class TestADeferredChannel:
    """What sms does, through a stand-in: queued at dispatch, then its reports."""

    @pytest.fixture
    def queued(self, user, pager_channel, django_capture_on_commit_callbacks):
        make(user, channel="pager")
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_dispatch(now=DUE)
        (notification,) = pager_channel.queued
        return ReminderDelivery.objects.get(pk=notification.delivery_id)

    def test_its_delivery_stays_queued_and_nothing_reaches_chat(self, user, queued):
        assert (queued.channel, queued.outcome, queued.occurrence) == ("pager", "queued", DUE)
        assert chat_messages(user) == []

    def test_reports_move_it_forward_only(self, queued, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            moved = [
                services.reminder_delivery_progress(delivery_id=queued.pk, outcome=outcome)
                for outcome in ("sent", "delivered", "sent")
            ]

        queued.refresh_from_db()
        assert moved == [True, True, False]
        assert queued.outcome == "delivered"

    def test_a_failure_tells_the_person_by_chat_once_however_often_it_is_reported(self, user, queued):
        failed = [
            services.reminder_deliveries_fail(delivery_ids=[queued.pk], reason="far end refused")
            for _ in range(3)
        ]

        queued.refresh_from_db()
        assert failed == [1, 0, 0]
        assert (queued.outcome, queued.reason) == ("failed_over", "far end refused")
        assert chat_messages(user) == ["Reminder: drink water"]
        fallback = queued.fallback
        assert (fallback.channel, fallback.outcome, fallback.occurrence) == ("chat", "delivered", DUE)

    def test_a_late_failure_after_delivery_changes_nothing(self, user, queued):
        services.reminder_delivery_progress(delivery_id=queued.pk, outcome="delivered")

        assert services.reminder_deliveries_fail(delivery_ids=[queued.pk], reason="late") == 0
        queued.refresh_from_db()
        assert queued.outcome == "delivered"
        assert chat_messages(user) == []

    def test_an_unknown_outcome_is_failed_without_telling_the_person_twice(self, user, queued):
        services.reminder_deliveries_fail(delivery_ids=[queued.pk], reason="worker died", fall_back=False)

        queued.refresh_from_db()
        assert (queued.outcome, queued.reason) == ("failed", "worker died")
        assert chat_messages(user) == []
        assert not ReminderDelivery.objects.filter(fallback_for=queued).exists()

    def test_sent_is_counted_when_the_provider_takes_it_not_when_it_is_queued(
        self, user, pager_channel, django_capture_on_commit_callbacks
    ):
        before = metric("reminder_sent_total", channel="pager", result="sent")
        reminder = make(user, channel="pager", text="stretch")
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_dispatch(now=DUE)
        queued = metric("reminder_sent_total", channel="pager", result="sent")
        with django_capture_on_commit_callbacks(execute=True):
            delivery = ReminderDelivery.objects.get(reminder=reminder)
            services.reminder_delivery_progress(delivery_id=delivery.pk, outcome="sent")
            services.reminder_delivery_progress(delivery_id=delivery.pk, outcome="delivered")

        assert (queued, metric("reminder_sent_total", channel="pager", result="sent")) == (before, before + 1)


def test_deliveries_are_counted_by_channel_and_outcome_on_commit(
    user, pager_channel, django_capture_on_commit_callbacks
):
    def counts() -> tuple[float, ...]:
        return (
            metric("reminder_delivery_total", channel="chat", outcome="delivered"),
            metric("reminder_delivery_total", channel="pager", outcome="queued"),
            metric("reminder_delivery_total", channel="pager", outcome="failed_over"),
            metric("reminder_sent_total", channel="pager", result="failed"),
            metric("reminder_sent_total", channel="chat", result="sent"),
        )

    before = counts()
    make(user, text="by chat")
    paged = make(user, text="by pager", channel="pager")
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_dispatch(now=DUE)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = ReminderDelivery.objects.get(reminder=paged)
        services.reminder_deliveries_fail(delivery_ids=[delivery.pk], reason="refused")

    # chat: the reminder and the fallback; pager: queued then failed over.
    assert [after - then for after, then in zip(counts(), before, strict=True)] == [2, 1, 1, 1, 2]


def test_every_delivery_metric_combination_exists_from_the_start():
    assert set(metrics.DELIVERY_CHANNELS) == set(Reminder.Channel.values)
    assert set(metrics.DELIVERY_OUTCOMES) == set(ReminderDelivery.Outcome.values)
    for channel in metrics.DELIVERY_CHANNELS:
        for outcome in metrics.DELIVERY_OUTCOMES:
            assert metric_exists("reminder_delivery_total", channel=channel, outcome=outcome)
