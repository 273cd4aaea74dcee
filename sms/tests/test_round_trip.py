"""The whole SMS round trip, through a local server that speaks Twilio's Messages API."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY

from assistant.planner import services as planner
from assistant.planner.models import Reminder
from sms.models import OutboundSMS
from sms.tests.conftest import PHONE
from tests.fakes.twilio_server import TEST_FROM_NUMBER, inbound_sms_request, status_callback_request

pytestmark = pytest.mark.django_db

INBOUND_URL = "http://testserver/sms/twilio/inbound"
STATUS_URL = "http://testserver/sms/twilio/status"


def metric(name, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0


def text(client, fake, body, sid):
    params, signature = inbound_sms_request(
        INBOUND_URL, fake.auth_token, message_sid=sid, from_=PHONE, to=TEST_FROM_NUMBER, body=body
    )
    response = client.post("/sms/twilio/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200
    return ElementTree.fromstring(response.content).findtext("Message") or ""


def test_inbound_reminder_outbox_delivery_callback_and_stop(
    client, texter, twilio_fake, settings, django_capture_on_commit_callbacks
):
    settings.SMS_STATUS_CALLBACK_URL = STATUS_URL
    before = {
        "routed": metric("sms_received_total", result="routed"),
        "sent": metric("sms_sent_total", status="sent"),
        "delivered": metric("sms_delivery_status_total", status="delivered"),
        "cost": metric("sms_cost_usd_total"),
        "segments_out": metric("sms_segments_total", direction="outbound"),
    }

    # 1. A signed inbound SMS from a verified number creates a reminder.
    with django_capture_on_commit_callbacks(execute=True):
        reply = text(client, twilio_fake, "remind me to drink water in 1 minute", "SM" + "a" * 32)
    assert "drink water" in reply
    reminder = Reminder.objects.get(user=texter)
    assert reminder.channel == "sms"

    # 2. When due, it goes out through the outbox and the Twilio API.
    with django_capture_on_commit_callbacks(execute=True):
        planner.reminders_dispatch(now=reminder.due_at + timedelta(seconds=1))
    (sent,) = twilio_fake.messages
    assert (sent["to"], sent["body"]) == (PHONE, "Reminder: drink water")
    outbound = OutboundSMS.objects.get(purpose="reminder")
    assert (outbound.status, outbound.provider_sid) == ("sent", sent["sid"])
    assert twilio_fake.requests[-1].field("StatusCallback") == STATUS_URL

    # 3. Twilio's status callback marks it delivered, with its price.
    params, signature = status_callback_request(
        STATUS_URL,
        twilio_fake.auth_token,
        message_sid=sent["sid"],
        status="delivered",
        to=PHONE,
        from_=TEST_FROM_NUMBER,
        price="-0.07900",
        num_segments=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/sms/twilio/status", params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 204
    outbound.refresh_from_db()
    assert (outbound.status, str(outbound.cost_usd), outbound.cost_estimated) == (
        "delivered",
        "0.07900",
        False,
    )

    assert metric("sms_received_total", result="routed") == before["routed"] + 1
    assert metric("sms_sent_total", status="sent") == before["sent"] + 1
    assert metric("sms_delivery_status_total", status="delivered") == before["delivered"] + 1
    assert metric("sms_cost_usd_total") == pytest.approx(before["cost"] + 0.079)
    assert (
        metric("sms_segments_total", direction="outbound") >= before["segments_out"] + 2
    )  # reply + reminder

    # 4. STOP stops everything to that number: replies, reminders, verification codes.
    with django_capture_on_commit_callbacks(execute=True):
        text(client, twilio_fake, "STOP", "SM" + "b" * 32)
        assert text(client, twilio_fake, "remind me to call mom in 1 minute", "SM" + "c" * 32) == ""
        later = planner.reminder_create(
            user=texter, text="stretch", due_at=timezone.now() + timedelta(minutes=1)
        )
        planner.reminders_dispatch(now=later.due_at)
    assert len(twilio_fake.messages) == 1
    assert Reminder.objects.filter(text="call mom").count() == 0
    assert OutboundSMS.objects.filter(purpose="reminder").count() == 1
