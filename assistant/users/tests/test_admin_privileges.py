"""Privilege escalation through the admin: the staff role may edit accounts, but only an
administrator changes roles, permissions and the staff and superuser flags, never their own,
and each such change is audited like any other role change."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from assistant.core.errors import ServiceError
from assistant.users import services
from assistant.users.models import AuditEvent, SecurityEvent, User
from assistant.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def role(name: str) -> Group:
    return Group.objects.get(name=name)


@pytest.fixture
def staff_member():
    member = UserFactory()
    member.groups.add(role("staff"))
    member.refresh_from_db()
    assert member.is_staff
    assert not member.is_superuser
    return member


@pytest.fixture
def superuser():
    admin = UserFactory()
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    return admin


def change_url(user: User) -> str:
    return reverse("admin:users_user_change", args=[user.pk])


def change_form(user: User, **privileges) -> dict:
    """What the change form posts for user's profile, plus the privilege fields given."""
    return {
        "email": user.email,
        "display_name": user.display_name,
        "phone_number": "",
        "timezone": user.timezone,
        "preferred_channel": user.preferred_channel,
        "language": user.language,
        "is_active": "on",
        **privileges,
    }


def roles_of(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def refusals_recorded(actor: User) -> int:
    return SecurityEvent.objects.filter(
        kind="access_denied", user=actor, details__reason="privilege_change"
    ).count()


def test_staff_member_ticking_superuser_on_their_own_record_stays_staff(client, staff_member):
    client.force_login(staff_member)

    form = client.get(change_url(staff_member))
    response = client.post(change_url(staff_member), change_form(staff_member, is_superuser="on"))

    assert b'name="is_superuser"' not in form.content  # shown read-only
    assert response.status_code == 403
    staff_member.refresh_from_db()
    assert not staff_member.is_superuser
    assert roles_of(staff_member) == {"user", "staff"}
    assert refusals_recorded(staff_member) == 1
    assert not AuditEvent.objects.filter(action__in=["privilege_flag_changed", "admin_change"]).exists()


def test_staff_member_cannot_give_another_user_a_role(client, staff_member, user):
    client.force_login(staff_member)

    response = client.post(change_url(user), change_form(user, groups=[role("admin").pk]))

    assert response.status_code == 403
    assert roles_of(user) == {"user"}
    assert refusals_recorded(staff_member) == 1


def test_staff_member_still_edits_an_ordinary_users_profile(client, staff_member, user):
    client.force_login(staff_member)

    form = client.get(change_url(user))
    response = client.post(change_url(user), {**change_form(user), "display_name": "Renamed"})

    assert b'name="groups"' not in form.content
    assert response.status_code == 302, response.content
    user.refresh_from_db()
    assert user.display_name == "Renamed"
    assert roles_of(user) == {"user"}


def test_staff_member_cannot_set_a_superusers_password(client, staff_member, superuser):
    client.force_login(staff_member)
    url = reverse("admin:auth_user_password_change", args=[superuser.pk])

    response = client.post(url, {"password1": "taken over at last", "password2": "taken over at last"})

    assert response.status_code == 403
    superuser.refresh_from_db()
    assert not superuser.check_password("taken over at last")


def test_superuser_changes_another_users_roles_and_it_is_audited_with_who_and_where(client, superuser, user):
    client.force_login(superuser)

    response = client.post(change_url(user), change_form(user, groups=[role("user").pk, role("ops").pk]))

    assert response.status_code == 302, response.content
    user.refresh_from_db()
    assert roles_of(user) == {"user", "ops"}
    assert user.is_staff  # follows the roles, as for any role change
    added = AuditEvent.objects.filter(action="role_added", target_id=str(user.pk)).order_by("created_at")
    assert [(event.actor, event.ip, event.details) for event in added] == [
        (None, None, {"roles": ["user"]}),  # at registration
        (superuser, "127.0.0.1", {"roles": ["ops"]}),
    ]


def test_superuser_granting_superuser_and_a_permission_is_audited(client, superuser, user):
    client.force_login(superuser)
    permission = Permission.objects.get(content_type__app_label="users", codename="view_user")

    response = client.post(
        change_url(user),
        change_form(user, groups=[role("user").pk], is_superuser="on", user_permissions=[permission.pk]),
    )

    assert response.status_code == 302, response.content
    user.refresh_from_db()
    assert user.is_superuser
    assert list(user.user_permissions.all()) == [permission]
    flag = AuditEvent.objects.get(action="privilege_flag_changed", target_id=str(user.pk))
    assert (flag.actor, flag.details) == (superuser, {"is_superuser": True})
    granted = AuditEvent.objects.get(action="permission_added", target_id=str(user.pk))
    assert (granted.actor, granted.details) == (superuser, {"permissions": ["users.view_user"]})


def test_superuser_cannot_change_their_own_roles_or_flags(client, superuser):
    client.force_login(superuser)
    superuser.groups.add(role("admin"))

    form = client.get(change_url(superuser))
    response = client.post(change_url(superuser), change_form(superuser, groups=[role("user").pk]))

    assert b'name="groups"' not in form.content
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_superuser
    assert roles_of(superuser) == {"user", "admin"}
    assert refusals_recorded(superuser) == 1


def test_the_service_refuses_a_staff_member_too(staff_member, user):
    with pytest.raises(ServiceError) as refused:
        services.user_privileges_change(actor=staff_member, user=user, ip=None, is_superuser=True)

    assert refused.value.status == 403
    user.refresh_from_db()
    assert not user.is_superuser


def test_a_role_groups_permission_changes_are_audited(client, superuser):
    client.force_login(superuser)
    ops = role("ops")
    dropped = ops.permissions.order_by("pk").first()
    kept = list(ops.permissions.exclude(pk=dropped.pk).values_list("pk", flat=True))

    response = client.post(
        reverse("admin:auth_group_change", args=[ops.pk]), {"name": "ops", "permissions": kept}
    )

    assert response.status_code == 302, response.content
    assert not ops.permissions.filter(pk=dropped.pk).exists()
    event = AuditEvent.objects.get(action="permission_removed", target_id=str(ops.pk))
    label = f"{dropped.content_type.app_label}.{dropped.codename}"
    assert (event.actor, event.target_type) == (superuser, "auth.group")
    assert event.details == {"permissions": [label]}


def test_an_administrator_cannot_widen_their_own_roles_permissions(client):
    administrator = UserFactory()
    administrator.groups.add(role("admin"))
    staff = role("staff")
    administrator.groups.add(staff)
    client.force_login(administrator)
    before = set(staff.permissions.values_list("pk", flat=True))
    every_permission = list(Permission.objects.values_list("pk", flat=True))

    url = reverse("admin:auth_group_change", args=[staff.pk])

    response = client.post(url, {"name": "staff", "permissions": every_permission})

    assert response.status_code == 403
    assert set(staff.permissions.values_list("pk", flat=True)) == before
    assert refusals_recorded(administrator) == 1
