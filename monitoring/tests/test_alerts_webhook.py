"""POST /monitoring/alerts/webhook: Alertmanager's notifications become AlertEvent rows once,
critical ones text the on-call staff member, and a wrong token is a 403 and a security event."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from prometheus_client import REGISTRY

from assistant.chat.models import Message
from assistant.planner.notifications import notify
from assistant.users.models import SecurityEvent
from assistant.users.tests.factories import UserFactory
from monitoring.models import AlertEvent
from sms.backends import locmem
from sms.models import OutboundSMS, PhoneOptOut

pytestmark = pytest.mark.django_db

URL = "/monitoring/alerts/webhook"
TOKEN = "alertmanager-test-token"
ONCALL_PHONE = "+33611223344"


@pytest.fixture(autouse=True)
def _configured(settings):
    settings.ALERTMANAGER_WEBHOOK_TOKEN = TOKEN
    locmem.reset()


def alert(
    name: str, *, status: str = "firing", severity: str = "critical", fingerprint: str = "a1b2c3"
) -> dict:
    return {
        "status": status,
        "labels": {"alertname": name, "severity": severity, "job": "assistant-api", "instance": "api:8000"},
        "annotations": {
            "summary": f"{name} summary",
            "description": "what happened",
            "runbook_url": "docs/runbooks.md#x",
        },
        "startsAt": "2026-11-27T09:00:00Z",
        "endsAt": "2026-11-27T09:05:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
        "fingerprint": fingerprint,
    }


def notification(*alerts: dict, status: str = "firing") -> dict:
    """Alertmanager's webhook body (version 4)."""
    return {
        "version": "4",
        "groupKey": '{}:{alertname="ServiceDown"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "app",
        "groupLabels": {"alertname": alerts[0]["labels"]["alertname"]},
        "commonLabels": alerts[0]["labels"],
        "commonAnnotations": alerts[0]["annotations"],
        "externalURL": "http://alertmanager:9093",
        "alerts": list(alerts),
    }


def staff_member(**fields: object):
    person = UserFactory(**fields)
    person.is_staff = True
    person.save(update_fields=["is_staff"])
    return person


def post(client, body: dict, token: str = TOKEN):
    return client.post(
        URL, body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )


def test_a_firing_then_resolved_alert_is_kept_once_per_state(client):
    firing = notification(alert("ServiceDown"))

    first, repeat = post(client, firing), post(client, firing)
    resolved = post(client, notification(alert("ServiceDown", status="resolved"), status="resolved"))

    assert first.json() == {"recorded": 1, "repeated": 0, "paged": False}
    assert repeat.json() == {"recorded": 0, "repeated": 1, "paged": False}
    assert resolved.json()["recorded"] == 1
    rows = list(AlertEvent.objects.order_by("received_at").values_list("alertname", "status", "severity"))
    assert rows == [("ServiceDown", "firing", "critical"), ("ServiceDown", "resolved", "critical")]
    firing_row = AlertEvent.objects.get(status="firing")
    assert firing_row.ends_at is None  # Alertmanager's year-1 "no end yet"
    assert firing_row.summary == "ServiceDown summary"


def kept_states(status: str, severity: str) -> float:
    value = REGISTRY.get_sample_value(
        "alert_webhook_notifications_total", {"status": status, "severity": severity}
    )
    return value or 0.0


def test_kept_states_are_counted_under_a_name_alertmanager_does_not_use(client):
    # Alertmanager exports its own alertmanager_notifications_total; ours must not shadow it.
    before = kept_states("firing", "warning")
    firing = notification(alert("DiskFilling", severity="warning", fingerprint="d1"))

    post(client, firing), post(client, firing)

    assert kept_states("firing", "warning") == before + 1
    assert (
        REGISTRY.get_sample_value(
            "alertmanager_notifications_total", {"status": "firing", "severity": "warning"}
        )
        is None
    )


def test_critical_alerts_text_the_on_call_staff_member_once(client, settings):
    oncall = staff_member(phone_number=ONCALL_PHONE, phone_verified=True)
    settings.ALERT_ONCALL_EMAIL = oncall.email
    body = notification(alert("ServiceDown"), alert("HighErrorRate", fingerprint="d4e5f6"))

    with_page = post(client, body)
    post(client, body)  # repeated: no second text

    assert with_page.json()["paged"] is True
    (page,) = OutboundSMS.objects.filter(to_number=ONCALL_PHONE)
    assert page.body.startswith("CRITICAL HighErrorRate, ServiceDown:")
    assert (page.purpose, page.user) == ("notice", oncall)
    assert AlertEvent.objects.filter(paged_at__isnull=False).count() == 2


def test_an_on_call_number_that_texted_stop_gets_the_page_by_chat_like_any_notification(client, settings):
    oncall = staff_member(phone_number=ONCALL_PHONE, phone_verified=True)
    settings.ALERT_ONCALL_EMAIL = oncall.email
    PhoneOptOut.objects.create(phone_number=ONCALL_PHONE, keyword="STOP")

    assert post(client, notification(alert("ServiceDown"))).json()["paged"] is True

    assert not OutboundSMS.objects.exists()
    (page,) = Message.objects.filter(conversation__user=oncall, direction="out")
    assert page.text == "CRITICAL ServiceDown: ServiceDown summary"
    assert AlertEvent.objects.get().paged_at is not None


def test_the_spend_cap_page_reaches_on_call_by_sms_while_other_texts_are_paused(client, settings):
    """SmsDailySpendCapReached fires once the day's SMS spend is spent: its page must still be a
    text (an essential notification passes the caps) while anyone else's notice goes by chat."""
    oncall = staff_member(phone_number=ONCALL_PHONE, phone_verified=True)
    settings.ALERT_ONCALL_EMAIL = oncall.email
    settings.SMS_DAILY_SPEND_LIMIT_USD = 1
    OutboundSMS.objects.create(
        to_number="+15005550006", body="earlier", purpose="notice", status="delivered", cost_usd=1
    )
    texter = UserFactory(phone_number="+33611112222", phone_verified=True)

    paged = post(client, notification(alert("SmsDailySpendCapReached"))).json()["paged"]
    notify(user=texter, text="a notice", channel="sms")

    assert paged is True
    page = OutboundSMS.objects.get(to_number=ONCALL_PHONE)
    assert page.body.startswith("CRITICAL SmsDailySpendCapReached:")
    assert not OutboundSMS.objects.filter(user=texter).exists()
    assert Message.objects.filter(conversation__user=texter, direction="out", text="a notice").exists()


def test_the_page_is_framed_in_the_on_call_persons_language(client, settings):
    oncall = staff_member(phone_number=ONCALL_PHONE, phone_verified=True, language="fr")
    settings.ALERT_ONCALL_EMAIL = oncall.email

    post(client, notification(alert("ServiceDown")))

    # The alert's name and summary are the rules' own (English) words.
    page = OutboundSMS.objects.get(to_number=ONCALL_PHONE)
    assert page.body == "CRITIQUE ServiceDown : ServiceDown summary"


def test_warnings_page_nobody(client, settings):
    oncall = staff_member(phone_number=ONCALL_PHONE, phone_verified=True)
    settings.ALERT_ONCALL_EMAIL = oncall.email

    assert post(client, notification(alert("LowCacheHitRate", severity="warning"))).json()["paged"] is False
    assert not OutboundSMS.objects.exists()


def test_a_wrong_token_is_a_403_and_a_security_event(client):
    response = post(client, notification(alert("ServiceDown")), token="guess")

    assert response.status_code == 403
    assert not AlertEvent.objects.exists()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.FORGED_REQUEST)
    assert event.details == {"reason": "alertmanager_webhook_token"}


def test_without_a_configured_token_nothing_is_accepted(client, settings):
    settings.ALERTMANAGER_WEBHOOK_TOKEN = ""

    assert post(client, notification(alert("ServiceDown")), token="").status_code == 503


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda body: body.update(version="3"), "version"),
        (lambda body: body.update(alerts=[]), "alerts"),
        (lambda body: body["alerts"][0]["labels"].pop("alertname"), "alerts"),
        (lambda body: body["alerts"][0].update(startsAt="yesterday"), "alerts"),
    ],
)
def test_malformed_notifications_are_a_400_naming_the_field(client, change, field):
    body = notification(alert("ServiceDown"))
    change(body)

    response = post(client, body)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_staff_browse_alert_events_in_the_admin(client):
    post(client, notification(alert("ServiceDown")))
    staff = staff_member()
    staff.groups.add(Group.objects.get(name="ops"))
    client.force_login(staff)

    page = client.get(reverse("admin:monitoring_alertevent_changelist"))

    assert page.status_code == 200
    assert "ServiceDown" in page.content.decode()
