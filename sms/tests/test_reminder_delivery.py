"""SMS reminders and their delivery records, through the Twilio backend and the local fake
Twilio: the person is told once, by SMS or else by chat, or the record says why not."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assistant.chat.models import Message
from assistant.planner import services as planner
from assistant.planner.models import Reminder, ReminderDelivery
from assistant.planner.notifications import notify
from assistant.users.tests.factories import UserFactory
from sms import services
from sms.models import OutboundSMS, PhoneOptOut
from sms.tests.conftest import PHONE
from sms.tests.test_round_trip import metric
from tests.fakes.twilio_server import MAGIC_UNSUBSCRIBED_NUMBER, TEST_FROM_NUMBER, status_callback_request

pytestmark = pytest.mark.django_db

STATUS_URL = "http://testserver/sms/twilio/status"


def due_reminder(user, text: str = "take meds") -> Reminder:
    return planner.reminder_create(user=user, text=text, due_at=timezone.now() + timedelta(minutes=1))


def dispatch(reminder: Reminder, capture, *, send: bool = True) -> None:
    """Run the dispatcher when the reminder is due; with send, its SMS task runs after commit."""
    with capture(execute=send):
        planner.reminders_dispatch(now=reminder.due_at)


def sms_delivery(reminder: Reminder) -> ReminderDelivery:
    return ReminderDelivery.objects.get(reminder=reminder, channel="sms")


def chat_copies(user, text: str = "take meds") -> int:
    """How many times the reminder `text` reached the person by chat."""
    return Message.objects.filter(conversation__user=user, direction="out", text=f"Reminder: {text}").count()


def assert_failed_over_once(reminder: Reminder, *, reason: str) -> ReminderDelivery:
    delivery = sms_delivery(reminder)
    assert delivery.outcome == "failed_over"
    assert reason in delivery.reason
    assert (delivery.fallback.channel, delivery.fallback.outcome) == ("chat", "delivered")
    assert chat_copies(reminder.user, reminder.text) == 1
    return delivery


@pytest.fixture
def staff_client(client):
    staff = UserFactory()
    staff.groups.add(Group.objects.get(name="admin"))
    client.force_login(staff)
    return client


def test_a_number_twilio_rejects_for_good_gets_the_reminder_by_chat_and_shows_failed_over(
    texter, twilio_fake, staff_client, django_capture_on_commit_callbacks
):
    twilio_fake.invalid.add(PHONE)
    reminder = due_reminder(texter)

    dispatch(reminder, django_capture_on_commit_callbacks)

    (request,) = [r for r in twilio_fake.requests if r.method == "POST"]
    assert (request.status, request.field("To")) == (400, PHONE)
    outbound = OutboundSMS.objects.get(purpose="reminder")
    assert (outbound.status, outbound.error_code) == ("failed", "21211")
    delivery = assert_failed_over_once(reminder, reason="21211")
    assert outbound.reminder_delivery == delivery
    assert PHONE not in delivery.reason  # Twilio's message names the number: masked

    api = APIClient()
    api.force_authenticate(texter)
    last = api.get(f"/api/v1/reminders/{reminder.pk}").json()["last_delivery"]
    assert (last["channel"], last["outcome"], last["fallback"]["outcome"]) == (
        "sms",
        "failed_over",
        "delivered",
    )

    page = staff_client.get(reverse("admin:planner_reminder_change", args=[reminder.pk])).content.decode()
    assert "Failed over" in page
    assert reverse("admin:sms_outboundsms_change", args=[outbound.pk]) in page
    listed = staff_client.get(reverse("admin:planner_reminder_changelist") + "?last_delivery=failed_over")
    assert "take meds" in listed.content.decode()
    sms_page = staff_client.get(reverse("admin:sms_outboundsms_change", args=[outbound.pk])).content.decode()
    assert reverse("admin:planner_reminderdelivery_change", args=[delivery.pk]) in sms_page


def test_an_sms_reminder_is_queued_then_sent_then_delivered(
    client, texter, twilio_fake, settings, django_capture_on_commit_callbacks
):
    settings.SMS_STATUS_CALLBACK_URL = STATUS_URL
    reminder = due_reminder(texter)

    dispatch(reminder, django_capture_on_commit_callbacks, send=False)
    assert sms_delivery(reminder).outcome == "queued"
    outbound = OutboundSMS.objects.get(purpose="reminder")
    assert outbound.reminder_delivery == sms_delivery(reminder)
    services.sms_outbound_deliver(sms_id=outbound.pk)
    assert sms_delivery(reminder).outcome == "sent"
    assert status_callback(client, twilio_fake, "delivered").status_code == 204

    assert sms_delivery(reminder).outcome == "delivered"
    assert chat_copies(texter) == 0


def status_callback(client, fake, status: str, **extra):
    (sent,) = fake.messages
    params, signature = status_callback_request(
        STATUS_URL,
        fake.auth_token,
        message_sid=sent["sid"],
        status=status,
        to=PHONE,
        from_=TEST_FROM_NUMBER,
        **extra,
    )
    return client.post("/sms/twilio/status", params, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.mark.parametrize("status", ["undelivered", "failed"])
def test_a_failure_callback_after_sent_fails_over_once_even_when_twilio_retries_it(
    client, texter, twilio_fake, django_capture_on_commit_callbacks, status
):
    reminder = due_reminder(texter)
    dispatch(reminder, django_capture_on_commit_callbacks)
    assert sms_delivery(reminder).outcome == "sent"

    for _ in range(3):  # Twilio retries a callback it got no 2xx for; a duplicate must be harmless
        assert status_callback(client, twilio_fake, status, error_code=30005).status_code == 204

    assert_failed_over_once(reminder, reason=f"{status} (error 30005)")


def test_a_late_delivered_callback_does_not_undo_a_fail_over(
    client, texter, twilio_fake, django_capture_on_commit_callbacks
):
    reminder = due_reminder(texter)
    dispatch(reminder, django_capture_on_commit_callbacks)
    status_callback(client, twilio_fake, "undelivered", error_code=30003)

    status_callback(client, twilio_fake, "delivered")

    assert_failed_over_once(reminder, reason="undelivered")


def test_running_out_of_retries_fails_over_to_chat(
    texter, twilio_fake, settings, django_capture_on_commit_callbacks
):
    settings.SMS_MAX_ATTEMPTS = 2
    twilio_fake.fail_next(500, times=2)
    reminder = due_reminder(texter)
    dispatch(reminder, django_capture_on_commit_callbacks, send=False)
    outbound = OutboundSMS.objects.get(purpose="reminder")

    assert services.sms_outbound_deliver(sms_id=outbound.pk) is not None  # retried later
    assert sms_delivery(reminder).outcome == "queued"
    assert chat_copies(texter) == 0
    assert services.sms_outbound_deliver(sms_id=outbound.pk) is None  # given up
    services.sms_outbound_deliver(sms_id=outbound.pk)  # a duplicate task changes nothing

    assert_failed_over_once(reminder, reason="Gave up after 2 attempts")
    assert [r.status for r in twilio_fake.requests] == [500, 500]


def test_a_number_the_carrier_says_unsubscribed_fails_over_and_is_opted_out(
    twilio_fake, django_capture_on_commit_callbacks
):
    user = UserFactory(phone_number=MAGIC_UNSUBSCRIBED_NUMBER, phone_verified=True, preferred_channel="sms")
    reminder = due_reminder(user)

    dispatch(reminder, django_capture_on_commit_callbacks)

    assert_failed_over_once(reminder, reason="21610")
    assert PhoneOptOut.objects.filter(phone_number=MAGIC_UNSUBSCRIBED_NUMBER).exists()


def test_an_opted_out_number_fails_over_at_dispatch_without_an_sms(
    texter, twilio_fake, django_capture_on_commit_callbacks
):
    PhoneOptOut.objects.create(phone_number=PHONE, keyword="STOP")
    reminder = due_reminder(texter)

    dispatch(reminder, django_capture_on_commit_callbacks)

    assert_failed_over_once(reminder, reason="texted STOP")
    assert not OutboundSMS.objects.exists()
    assert twilio_fake.requests == []


def test_a_number_that_opts_out_while_its_reminder_waits_fails_over(
    texter, twilio_fake, django_capture_on_commit_callbacks
):
    reminder = due_reminder(texter)
    dispatch(reminder, django_capture_on_commit_callbacks, send=False)
    PhoneOptOut.objects.create(phone_number=PHONE, keyword="STOP")

    services.sms_outbound_deliver(sms_id=OutboundSMS.objects.get().pk)

    assert_failed_over_once(reminder, reason="texted STOP")
    assert twilio_fake.requests == []


def test_a_user_without_a_verified_phone_gets_it_by_chat_and_the_record_says_why(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(phone_number=PHONE, phone_verified=False, preferred_channel="sms")
    reminder = due_reminder(user)

    dispatch(reminder, django_capture_on_commit_callbacks)

    assert_failed_over_once(reminder, reason="No verified phone")


def test_a_send_interrupted_mid_flight_is_failed_not_sent_again_by_chat(
    texter, django_capture_on_commit_callbacks
):
    reminder = due_reminder(texter)
    dispatch(reminder, django_capture_on_commit_callbacks, send=False)
    long_ago = timezone.now() - timedelta(hours=1)
    OutboundSMS.objects.update(status="sending", updated_at=long_ago, next_attempt_at=long_ago)

    services.sms_outbox_sweep()

    delivery = sms_delivery(reminder)
    assert (delivery.outcome, delivery.reason) == (
        "failed",
        "A worker stopped while sending; check before resending.",
    )
    assert chat_copies(texter) == 0


def test_delivery_metrics_count_each_outcome_and_a_failed_sms_is_never_counted_sent(
    client, texter, twilio_fake, settings, django_capture_on_commit_callbacks
):
    settings.SMS_STATUS_CALLBACK_URL = STATUS_URL
    labels = [
        ("reminder_delivery_total", {"channel": "sms", "outcome": "queued"}),
        ("reminder_delivery_total", {"channel": "sms", "outcome": "sent"}),
        ("reminder_delivery_total", {"channel": "sms", "outcome": "delivered"}),
        ("reminder_delivery_total", {"channel": "sms", "outcome": "failed_over"}),
        ("reminder_delivery_total", {"channel": "chat", "outcome": "delivered"}),
        ("reminder_sent_total", {"channel": "sms", "result": "sent"}),
        ("reminder_sent_total", {"channel": "sms", "result": "failed"}),
        ("reminder_sent_total", {"channel": "chat", "result": "sent"}),
    ]
    before = [metric(name, **label) for name, label in labels]

    delivered = due_reminder(texter, "stretch")
    dispatch(delivered, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        status_callback(client, twilio_fake, "delivered")
    twilio_fake.invalid.add(PHONE)
    dispatch(due_reminder(texter), django_capture_on_commit_callbacks)

    increase = [metric(name, **label) - then for (name, label), then in zip(labels, before, strict=True)]
    # queued 2, sent 1, delivered 1, failed over 1; by chat: the fallback. Sent: the accepted one only.
    assert increase == [2, 1, 1, 1, 1, 1, 1, 1]


def test_a_deactivated_persons_sms_reminder_sends_no_sms_and_says_why(
    texter, django_capture_on_commit_callbacks
):
    reminder = due_reminder(texter)
    texter.is_active = False
    texter.save(update_fields=["is_active"])

    dispatch(reminder, django_capture_on_commit_callbacks)

    assert not OutboundSMS.objects.exists()
    assert not Message.objects.filter(conversation__user=texter).exists()
    assert (sms_delivery(reminder).outcome, sms_delivery(reminder).reason) == (
        "failed",
        "Not sent: the account is deactivated.",
    )


def test_a_notice_to_a_deactivated_person_is_not_texted(texter, django_capture_on_commit_callbacks):
    texter.is_active = False
    texter.save(update_fields=["is_active"])

    with django_capture_on_commit_callbacks(execute=True):
        notify(user=texter, text="You are on call", channel="sms")

    assert not OutboundSMS.objects.exists()


def test_an_sms_queued_before_the_account_was_deactivated_is_not_sent(
    texter, django_capture_on_commit_callbacks
):
    reminder = due_reminder(texter)
    dispatch(reminder, django_capture_on_commit_callbacks, send=False)
    texter.is_active = False
    texter.save(update_fields=["is_active"])

    services.sms_outbound_deliver(sms_id=OutboundSMS.objects.get().pk)

    outbound = OutboundSMS.objects.get()
    assert (outbound.status, outbound.error_code) == ("failed", "account_inactive")
    assert (sms_delivery(reminder).outcome, sms_delivery(reminder).reason) == (
        "failed",
        "The account is deactivated: it gets no text messages.",
    )
    assert not Message.objects.filter(conversation__user=texter).exists()
