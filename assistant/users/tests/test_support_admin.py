"""Support actions in the admin, taken by a staff member with the staff role (not a superuser):
each does what it says, is audited in the staff member's name, tells the person in their
language, needs its own permission, and is refused on a superuser."""

import pyotp
import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from assistant.chat.models import Message
from assistant.users.models import AuditEvent, MFABackupCode, SecurityEvent, TOTPDevice, User
from assistant.users.support import SupportAction
from assistant.users.tests.factories import UserFactory
from assistant.users.tests.helpers import (
    DEFAULT_PASSWORD,
    enable_totp,
    enable_totp_with_backup_codes,
    fresh_code,
    sign_in,
)
from sms.backends import locmem

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"
LOGIN = "/api/v1/auth/login"


@pytest.fixture
def staff_member():
    """Support desk: the staff role, nothing else."""
    member = UserFactory()
    member.groups.add(Group.objects.get(name="staff"))
    member.refresh_from_db()
    assert member.is_staff
    assert not member.is_superuser
    return member


@pytest.fixture
def desk(client, staff_member) -> Client:
    client.force_login(staff_member)
    return client


@pytest.fixture
def french_user():
    return UserFactory(language="fr")


def support_url(user: User, action: SupportAction) -> str:
    return reverse("admin:users_user_support", args=[user.pk, action.value])


def changelist_action(client: Client, action: SupportAction, users: list[User], *, confirmed: bool = True):
    data = {"action": action.codename, "_selected_action": [user.pk for user in users]}
    if confirmed:
        data["post"] = "yes"
    return client.post(reverse("admin:users_user_changelist"), data)


def audited(action: str, *, actor: User, target: User) -> bool:
    return AuditEvent.objects.filter(action=action, actor=actor, target_id=str(target.pk)).exists()


def login(email: str, *, password: str = DEFAULT_PASSWORD, ip: str = "10.0.0.1", **extra: str) -> int:
    response = APIClient().post(
        LOGIN, {"email": email, "password": password, **extra}, format="json", REMOTE_ADDR=ip
    )
    return response.status_code


def test_the_staff_role_holds_every_support_permission():
    codenames = set(Group.objects.get(name="staff").permissions.values_list("codename", flat=True))

    assert {action.codename for action in SupportAction} <= codenames


def test_unlocking_clears_the_pair_and_account_locks_and_tells_the_person_in_french(
    desk, staff_member, french_user, settings, django_capture_on_commit_callbacks
):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 3
    login(french_user.email, password="wrong", ip="10.0.0.1")
    login(french_user.email, password="wrong", ip="10.0.0.1")  # the pair at 10.0.0.1 locks
    login(french_user.email, password="wrong", ip="10.0.0.2")  # the account as a whole locks
    assert login(french_user.email, ip="10.0.0.1") == 429
    assert login(french_user.email, ip="10.0.0.3") == 429

    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(support_url(french_user, SupportAction.UNLOCK))

    assert response.status_code == 302
    assert login(french_user.email, ip="10.0.0.1") == 200
    assert login(french_user.email, ip="10.0.0.3") == 200
    assert audited("support_unlock", actor=staff_member, target=french_user)
    (email,) = mail.outbox
    assert email.to == [french_user.email]
    assert email.subject == "Ton compte TDAH Assistant est débloqué"
    assert "tu peux te reconnecter" in email.body


def test_signing_out_everywhere_revokes_every_token_and_browser_session(
    desk, staff_member, password, django_capture_on_commit_callbacks
):
    person = UserFactory(language="es")
    phone, laptop = sign_in(person.email, password), sign_in(person.email, password)
    browser = Client()
    browser.force_login(person)
    assert browser.get(ME).status_code == 200

    # The list's bulk action asks first: nothing happens until confirmed.
    asked = changelist_action(desk, SupportAction.SIGN_OUT, [person], confirmed=False)
    assert asked.status_code == 200
    assert b"are you sure" in asked.content
    assert phone.get(ME).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        changelist_action(desk, SupportAction.SIGN_OUT, [person])

    assert phone.get(ME).status_code == 401
    assert laptop.get(ME).status_code == 401
    assert browser.get(ME).status_code in (401, 403)
    event = AuditEvent.objects.get(action="support_sign_out", target_id=str(person.pk))
    assert (event.actor, event.details) == (staff_member, {"tokens": 2})
    assert mail.outbox[0].subject == "Se cerró tu sesión de TDAH Assistant en todas partes"


def test_resetting_mfa_removes_the_device_and_codes_and_the_person_enrols_again(
    desk, staff_member, password, django_capture_on_commit_callbacks
):
    person = UserFactory(language="pt")
    enable_totp_with_backup_codes(person)
    assert login(person.email) == 401  # a code is asked for

    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(support_url(person, SupportAction.MFA_RESET))

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not MFABackupCode.objects.filter(device__user=person).exists()
    # No old code is asked for or accepted: the person signs in, and must set up their new
    # phone before anything else answers.
    client = sign_in(person.email, password)
    me = client.get(ME).json()
    assert (me["mfa_enabled"], me["mfa_enrolment_required"]) == (False, True)
    refused = client.get("/api/v1/todos")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "mfa_enrolment_required")
    assert client.delete(ME, {"password": password}, format="json").status_code == 403
    enrol = client.post("/api/v1/auth/mfa/totp", {"password": password}, format="json")
    assert enrol.status_code == 201
    totp = pyotp.TOTP(enrol.json()["secret"])
    assert (
        client.post("/api/v1/auth/mfa/totp/confirm", {"code": totp.now()}, format="json").status_code == 200
    )
    assert client.get("/api/v1/todos").status_code == 200
    assert client.get(ME).json()["mfa_enrolment_required"] is False
    assert audited("support_mfa_reset", actor=staff_member, target=person)
    assert (
        mail.outbox[0].subject == "A verificação em duas etapas da sua conta do TDAH Assistant foi redefinida"
    )


def test_resetting_mfa_in_production_needs_the_staff_members_own_second_factor(
    client, staff_member, password, settings
):
    settings.SUPPORT_MFA_RESET_REQUIRES_STAFF_MFA = True
    person = UserFactory()
    enable_totp(person)
    client.force_login(staff_member)  # a session opened without a code

    refused = client.post(support_url(person, SupportAction.MFA_RESET), follow=True)

    assert b"with your own authenticator code" in refused.content
    assert TOTPDevice.objects.filter(user=person).exists()

    staff_totp = enable_totp(staff_member)
    client.logout()
    signed_in = client.post(
        reverse("admin:login"),
        {"username": staff_member.email, "password": password, "otp_code": fresh_code(staff_totp)},
    )
    assert signed_in.status_code == 302
    client.post(support_url(person, SupportAction.MFA_RESET))

    assert not TOTPDevice.objects.filter(user=person).exists()
    assert audited("support_mfa_reset", actor=staff_member, target=person)


def test_a_deactivated_persons_token_is_refused_and_reactivation_tells_them_on_their_channel(
    desk, staff_member, french_user, password, django_capture_on_commit_callbacks
):
    phone = sign_in(french_user.email, password)

    with django_capture_on_commit_callbacks(execute=True):
        desk.post(support_url(french_user, SupportAction.DEACTIVATE))

    french_user.refresh_from_db()
    assert not french_user.is_active
    assert phone.get(ME).status_code == 401
    assert login(french_user.email) == 401
    assert audited("support_deactivate", actor=staff_member, target=french_user)
    assert mail.outbox[0].subject == "Ton compte TDAH Assistant est désactivé"

    with django_capture_on_commit_callbacks(execute=True):
        changelist_action(desk, SupportAction.REACTIVATE, [french_user])

    french_user.refresh_from_db()
    assert french_user.is_active
    assert login(french_user.email) == 200
    assert audited("support_reactivate", actor=staff_member, target=french_user)
    # Chat is this person's channel: the news is in their conversation, in French.
    (notice,) = Message.objects.filter(conversation__user=french_user, direction="out")
    assert notice.text.startswith("Ton compte TDAH Assistant est de nouveau actif")
    assert len(mail.outbox) == 1


def test_resending_the_phone_code_texts_it_in_the_persons_language_under_the_apis_caps(
    desk, staff_member, django_capture_on_commit_callbacks
):
    person = UserFactory(language="fr", phone_number="+33611223344")

    with django_capture_on_commit_callbacks(execute=True):
        desk.post(support_url(person, SupportAction.PHONE_CODE_RESEND))
    again = desk.post(support_url(person, SupportAction.PHONE_CODE_RESEND), follow=True)

    (sms,) = locmem.outbox
    assert sms.to == "+33611223344"
    assert sms.body.startswith("Ton code TDAH Assistant est")
    # The API's wait between two codes applies here too: the second one is refused.
    assert b"before asking for a new code" in again.content
    assert AuditEvent.objects.filter(action="support_phone_code_resend", actor=staff_member).count() == 1


@pytest.mark.parametrize("action", list(SupportAction))
def test_a_staff_member_without_the_permission_is_refused(client, action):
    clerk = UserFactory()
    clerk.groups.add(Group.objects.get(name="ops"))  # staff, may view users, no support permission
    clerk.refresh_from_db()
    person = UserFactory(phone_number="+33611223344")
    client.force_login(clerk)

    assert client.get(support_url(person, action)).status_code == 403
    assert client.post(support_url(person, action)).status_code == 403
    changelist = client.get(reverse("admin:users_user_changelist"))
    assert action.codename not in changelist.content.decode()
    assert not AuditEvent.objects.filter(action=f"support_{action.value}").exists()


def test_each_permission_opens_only_its_own_action(client, django_capture_on_commit_callbacks):
    clerk = UserFactory()
    clerk.groups.add(Group.objects.get(name="ops"))
    clerk.user_permissions.add(Permission.objects.get(codename="support_unlock"))
    clerk.refresh_from_db()
    person = UserFactory()
    client.force_login(clerk)

    assert client.post(support_url(person, SupportAction.SIGN_OUT)).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(support_url(person, SupportAction.UNLOCK)).status_code == 302
    assert audited("support_unlock", actor=clerk, target=person)


@pytest.mark.parametrize("action", list(SupportAction))
def test_a_support_action_on_a_superuser_by_a_non_superuser_is_refused(desk, staff_member, action):
    root = UserFactory(phone_number="+33611223344")
    root.is_staff = root.is_superuser = True
    root.save(update_fields=["is_staff", "is_superuser"])

    response = desk.post(support_url(root, action))
    bulk = changelist_action(desk, action, [root], confirmed=True)

    assert response.status_code == 403
    assert b"Only a superuser may" in desk.get(bulk["Location"]).content
    assert not AuditEvent.objects.filter(action=f"support_{action.value}").exists()
    refusals = SecurityEvent.objects.filter(
        kind="access_denied", user=staff_member, details__reason="support_action"
    )
    assert refusals.count() == 2
    root.refresh_from_db()
    assert root.is_active


@pytest.mark.parametrize("action", list(SupportAction))
def test_no_confirmation_page_is_offered_for_an_action_on_a_superuser(desk, action):
    root = UserFactory()
    root.is_staff = root.is_superuser = True
    root.save(update_fields=["is_staff", "is_superuser"])

    page = desk.get(support_url(root, action))

    assert page.status_code == 403
    assert not AuditEvent.objects.filter(action=f"support_{action.value}").exists()


def test_the_persons_page_offers_the_actions_that_apply(desk, french_user):
    page = desk.get(reverse("admin:users_user_change", args=[french_user.pk])).content.decode()

    assert support_url(french_user, SupportAction.UNLOCK) in page
    assert support_url(french_user, SupportAction.DEACTIVATE) in page
    assert support_url(french_user, SupportAction.REACTIVATE) not in page  # active already
    assert support_url(french_user, SupportAction.PHONE_CODE_RESEND) not in page  # no number


def test_a_superusers_page_offers_a_staff_member_no_support_action(desk):
    root = UserFactory()
    root.is_staff = root.is_superuser = True
    root.save(update_fields=["is_staff", "is_superuser"])

    page = desk.get(reverse("admin:users_user_change", args=[root.pk])).content.decode()

    assert "/support/" not in page


def test_a_button_on_the_persons_page_asks_before_it_acts(desk, french_user, password):
    phone = sign_in(french_user.email, password)

    asked = desk.get(support_url(french_user, SupportAction.SIGN_OUT))

    assert asked.status_code == 200
    assert "Yes, sign out everywhere" in asked.content.decode()
    assert phone.get(ME).status_code == 200
    assert not AuditEvent.objects.filter(action="support_sign_out").exists()
