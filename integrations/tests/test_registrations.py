import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from assistant.users.models import AuditEvent, SecurityEvent
from assistant.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_audit_and_security_fields_offer_this_apps_kinds_with_their_labels():
    actions = dict(AuditEvent._meta.get_field("action").choices)
    kinds = dict(SecurityEvent._meta.get_field("kind").choices)

    assert actions["integration_connected"] == "Integration Connected"
    assert actions["integration_disconnected"] == "Integration Disconnected"
    assert kinds["oauth_grant_revoked"] == "Oauth Grant Revoked"


def test_staff_filter_security_events_by_this_apps_kind(client, password):
    staff = UserFactory(password=password)
    staff.groups.add(Group.objects.get(name="staff"))
    client.force_login(staff)
    SecurityEvent.objects.create(kind="oauth_grant_revoked", severity="warning", ip="10.0.0.7")
    SecurityEvent.objects.create(kind="login_failed", severity="warning", ip="10.0.0.8")

    page = client.get(reverse("admin:users_securityevent_changelist"), {"kind__exact": "oauth_grant_revoked"})

    assert page.status_code == 200
    assert "Oauth Grant Revoked" in page.content.decode()
    assert "10.0.0.7" in page.content.decode()
    assert "10.0.0.8" not in page.content.decode()


def test_staff_and_ops_may_view_and_change_integrations_and_users_may_not():
    granted = {
        group.name: set(
            group.permissions.filter(content_type__app_label="integrations").values_list(
                "codename", flat=True
            )
        )
        for group in Group.objects.all()
    }

    assert granted["staff"] == granted["ops"] == {"view_integration", "change_integration"}
    assert granted["user"] == set()
