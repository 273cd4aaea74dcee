"""sms/health.py: Twilio's health from the active backend's configuration and how the recent
OutboundSMS rows fared (never a call to Twilio), in the monitoring app's check protocol."""

import pytest

from sms import health
from sms.models import OutboundSMS

pytestmark = pytest.mark.django_db

TWILIO = "sms.backends.twilio.TwilioSmsBackend"


@pytest.fixture
def twilio_backend(settings):
    settings.SMS_BACKEND = TWILIO  # the test settings already hold (fake) Twilio credentials


def sent(count: int, status: str) -> None:
    OutboundSMS.objects.bulk_create(
        OutboundSMS(to_number="+15005550006", body="hi", purpose="reminder", status=status)
        for _ in range(count)
    )


def test_twilio_contributes_one_check():
    assert [check["component"] for check in health.HEALTH_CHECKS] == ["twilio"]


def test_another_backend_means_twilio_is_not_in_use(settings, django_assert_num_queries):
    settings.SMS_BACKEND = "sms.backends.console.ConsoleSmsBackend"

    with django_assert_num_queries(0):
        result = health.twilio_health()

    assert result == {"status": "healthy", "detail": "not in use (SMS backend: ConsoleSmsBackend)"}


@pytest.mark.usefixtures("twilio_backend")
def test_twilio_without_its_credentials_is_unhealthy(settings):
    settings.TWILIO_AUTH_TOKEN = ""
    settings.TWILIO_FROM_NUMBER = ""
    settings.TWILIO_MESSAGING_SERVICE_SID = ""

    result = health.twilio_health()

    assert result["status"] == "unhealthy"
    assert result["error"] == (
        "Twilio is the SMS backend but TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER or "
        "TWILIO_MESSAGING_SERVICE_SID is not set"
    )
    assert "test-twilio-auth-token" not in str(result)


@pytest.mark.usefixtures("twilio_backend")
def test_recent_sends_that_mostly_went_through_are_healthy():
    sent(39, "delivered")
    sent(1, "failed")
    sent(3, "queued")

    result = health.twilio_health()

    assert (result["status"], result["detail"]) == ("healthy", "40 sent in the last 15 min")
    assert (result["attempted"], result["failed"], result["failure_share"], result["outbox_pending"]) == (
        40,
        1,
        0.025,
        3,
    )


@pytest.mark.usefixtures("twilio_backend")
@pytest.mark.parametrize(("failed", "status"), [(1, "degraded"), (3, "unhealthy")])
def test_a_high_failure_share_degrades_then_breaks_twilio(failed, status):
    sent(10 - failed, "delivered")
    sent(failed, "undelivered")

    result = health.twilio_health()

    assert result["status"] == status
    assert result["error"] == f"{failed * 10}% of SMS sent in 15 min failed"


@pytest.mark.usefixtures("twilio_backend")
def test_a_few_failures_among_few_messages_say_nothing_yet():
    sent(2, "failed")

    assert health.twilio_health()["status"] == "healthy"
