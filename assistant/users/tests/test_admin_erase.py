"""Staff erase an account from the admin on the person's written request, with the reason kept."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from assistant.users.data_rights import subject_hash
from assistant.users.models import AuditEvent, User
from assistant.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REASON = "Written request, ticket SUP-1042 of 2026-12-01"


@pytest.fixture
def support(password):
    """A staff member with the staff role only: not a superuser."""
    member = UserFactory(password=password)
    member.groups.add(Group.objects.get(name="staff"))
    member.refresh_from_db()
    return member


def erase_url(account: User) -> str:
    return reverse("admin:users_user_erase", args=[account.pk])


def test_support_erases_an_account_with_the_reason_recorded(client, support, user):
    client.force_login(support)
    user_id = user.pk

    change_page = client.get(reverse("admin:users_user_change", args=[user_id]))
    form = client.get(erase_url(user))
    response = client.post(erase_url(user), {"reason": REASON, "email": user.email.upper()})

    assert erase_url(user) in change_page.content.decode()
    assert form.status_code == 200
    assert response.status_code == 302
    assert not User.objects.filter(pk=user_id).exists()
    erased = AuditEvent.objects.get(action="account_erased")
    assert erased.actor == support
    assert erased.subject_hash == subject_hash(user_id)
    assert erased.details["by"] == "staff"
    assert erased.details["reason"] == REASON


@pytest.mark.parametrize(
    ("reason", "email", "field"),
    [
        ("Asked by {email} in writing", "{email}", "reason"),
        (REASON, "someone.else@example.com", "email"),
        ("", "{email}", "reason"),
    ],
)
def test_a_reason_naming_the_person_or_a_wrong_confirmation_is_refused(
    client, support, user, reason, email, field
):
    client.force_login(support)

    response = client.post(
        erase_url(user), {"reason": reason.format(email=user.email), "email": email.format(email=user.email)}
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert User.objects.filter(pk=user.pk).exists()


def test_staff_without_the_permission_or_acting_on_a_superuser_are_refused(client, support, user, password):
    operator = UserFactory(password=password)
    operator.groups.add(Group.objects.get(name="ops"))
    operator.refresh_from_db()
    superuser = UserFactory(password=password)
    superuser.is_staff = superuser.is_superuser = True
    superuser.save(update_fields=["is_staff", "is_superuser"])

    client.force_login(operator)
    no_permission = client.post(erase_url(user), {"reason": REASON, "email": user.email})
    client.force_login(support)
    on_superuser = client.post(erase_url(superuser), {"reason": REASON, "email": superuser.email})
    on_themselves = client.post(erase_url(support), {"reason": REASON, "email": support.email})
    change_page = client.get(reverse("admin:users_user_change", args=[superuser.pk]))

    assert [no_permission.status_code, on_superuser.status_code, on_themselves.status_code] == [403, 403, 403]
    assert User.objects.filter(pk__in=[user.pk, superuser.pk, support.pk]).count() == 3
    assert erase_url(superuser) not in change_page.content.decode()
    assert not AuditEvent.objects.filter(action="account_erased").exists()


def test_the_admins_plain_delete_is_not_offered_for_accounts(client, user, password):
    superuser = UserFactory(password=password)
    superuser.is_staff = superuser.is_superuser = True
    superuser.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(superuser)

    response = client.post(reverse("admin:users_user_delete", args=[user.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert User.objects.filter(pk=user.pk).exists()
