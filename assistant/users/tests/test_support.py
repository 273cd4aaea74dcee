"""The support services' own rules, beyond what the admin shows: whom a staff member may act
on, what "unlock" clears, and actions that do not apply."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from assistant.core.errors import ServiceError
from assistant.users import services, support
from assistant.users.lockout import password_reset_refusal
from assistant.users.models import AuditEvent, User
from assistant.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def with_role(role: str) -> User:
    member = UserFactory()
    member.groups.add(Group.objects.get(name=role))
    member.refresh_from_db()
    return member


def test_a_staff_member_cannot_take_support_actions_on_their_own_account():
    member = with_role("staff")

    with pytest.raises(ServiceError) as refused:
        support.support_sign_out_everywhere(actor=member, user=member, ip=None)

    assert refused.value.status == 403
    assert not AuditEvent.objects.filter(action="support_sign_out").exists()


def test_another_staff_account_is_an_administrators_to_act_on():
    colleague = with_role("staff")

    with pytest.raises(ServiceError):
        support.support_deactivate(actor=with_role("staff"), user=colleague, ip=None)
    support.support_deactivate(actor=with_role("admin"), user=colleague, ip=None)

    colleague.refresh_from_db()
    assert not colleague.is_active


def test_unlocking_also_lets_the_person_ask_for_a_password_reset_link_again(settings):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 1
    person = UserFactory()
    services.password_reset_request(email=person.email, ip="10.0.0.1")
    services.password_reset_request(email=person.email, ip="10.0.0.1")
    assert password_reset_refusal(email=person.email, ip=None) == "account"

    support.support_account_unlock(actor=with_role("staff"), user=person, ip=None)

    assert password_reset_refusal(email=person.email, ip=None) == ""


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (support.support_reactivate, "already_active"),
        (support.support_mfa_reset, "mfa_not_enabled"),
        (support.support_phone_code_resend, "no_unverified_phone"),
    ],
)
def test_an_action_that_does_not_apply_changes_nothing_and_says_why(action, code):
    kwargs = {"actor_mfa_verified": True} if action is support.support_mfa_reset else {}

    with pytest.raises(ServiceError) as refused:
        action(actor=with_role("staff"), user=UserFactory(), ip=None, **kwargs)

    assert refused.value.code == code
    assert not AuditEvent.objects.filter(action__startswith="support_").exists()


def test_without_a_channel_installed_reactivation_is_told_by_email(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(support, "_channel_notify", [])
    person = UserFactory(language="es")
    person.is_active = False
    person.save(update_fields=["is_active"])
    member = with_role("staff")

    with django_capture_on_commit_callbacks(execute=True):
        support.support_reactivate(actor=member, user=person, ip=None)

    (email,) = mail.outbox
    assert email.subject == "Tu cuenta de TDAH Assistant vuelve a estar activa"
    assert email.body.startswith(
        "Tu cuenta de TDAH Assistant vuelve a estar activa: tus recordatorios vuelven."
    )
