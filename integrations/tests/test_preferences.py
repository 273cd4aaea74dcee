"""event_nudge_minutes: kept by integrations, shown and changed on /auth/me as before."""

import pytest

from assistant.users.models import AuditEvent
from integrations.models import Preferences

pytestmark = pytest.mark.django_db


def test_a_person_who_never_chose_gets_the_default_nudge_delay(auth_client, user):
    body = auth_client.get("/api/v1/auth/me").json()

    assert body["event_nudge_minutes"] == 15
    assert not Preferences.objects.filter(user=user).exists()


def test_a_changed_delay_is_kept_here_and_audited_with_the_profile_fields(auth_client, user):
    response = auth_client.patch(
        "/api/v1/auth/me", {"display_name": "Ada", "event_nudge_minutes": 0}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["event_nudge_minutes"] == 0
    assert Preferences.objects.get(user=user).event_nudge_minutes == 0
    event = AuditEvent.objects.get(actor=user, action="profile_updated")
    assert event.details == {"fields": ["display_name", "event_nudge_minutes"]}


def test_setting_the_same_delay_again_records_nothing(auth_client, user):
    auth_client.patch("/api/v1/auth/me", {"event_nudge_minutes": 30}, format="json")

    response = auth_client.patch("/api/v1/auth/me", {"event_nudge_minutes": 30}, format="json")

    assert response.status_code == 200
    assert AuditEvent.objects.filter(actor=user, action="profile_updated").count() == 1


@pytest.mark.parametrize("minutes", [-1, 241, "soon"])
def test_a_delay_out_of_range_is_a_400_naming_the_field_and_changes_nothing(auth_client, user, minutes):
    response = auth_client.patch(
        "/api/v1/auth/me", {"display_name": "New", "event_nudge_minutes": minutes}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["event_nudge_minutes"]
    user.refresh_from_db()
    assert user.display_name != "New"
    assert not Preferences.objects.exists()


def test_the_schema_documents_the_delay_in_the_profile_and_its_update(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]

    shown = components["UserOutput"]["properties"]["event_nudge_minutes"]
    accepted = components["PatchedMeUpdateInputRequest"]["properties"]["event_nudge_minutes"]
    assert shown["type"] == accepted["type"] == "integer"
    assert shown["readOnly"] is True
    assert (accepted["minimum"], accepted["maximum"]) == (0, 240)
    assert "nudge" in accepted["description"]
