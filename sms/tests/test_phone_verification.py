import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assistant.users.models import AuditEvent
from assistant.users.tests.factories import UserFactory
from assistant.users.tests.helpers import sign_in
from sms.backends import locmem
from sms.models import InboundSMS, OutboundSMS, PhoneVerification
from sms.services import sms_inbound_handle
from sms.tests.conftest import PHONE

pytestmark = pytest.mark.django_db
VERIFY, CONFIRM = "/api/v1/phone/verify", "/api/v1/phone/confirm"


def request_code(client, number="+33 6 12 34 56 78", capture=None):
    with capture(execute=True):
        response = client.post(VERIFY, {"phone_number": number}, format="json")
    return response


def sent_code() -> str:
    return re.search(r"\b(\d{6})\b", locmem.outbox[-1].body).group(1)


def test_a_texted_code_verifies_the_phone(auth_client, user, django_capture_on_commit_callbacks):
    response = request_code(auth_client, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    assert response.json()["phone_number"] == PHONE
    assert locmem.outbox[-1].to == PHONE

    confirmed = auth_client.post(CONFIRM, {"code": sent_code()}, format="json")

    assert confirmed.status_code == 200
    assert (confirmed.json()["phone_number"], confirmed.json()["phone_verified"]) == (PHONE, True)


def test_the_code_is_stored_only_as_a_hash(auth_client, django_capture_on_commit_callbacks):
    request_code(auth_client, capture=django_capture_on_commit_callbacks)

    assert sent_code() not in PhoneVerification.objects.get().code_hash


def test_the_texted_code_is_never_stored_in_clear(auth_client, django_capture_on_commit_callbacks):
    """Whoever reads the outbox table (a dump, a replica, a read-only SQL role) gets no code."""
    request_code(auth_client, capture=django_capture_on_commit_callbacks)
    code = sent_code()  # the message the backend sent does hold it

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM sms_outboundsms")
        (stored,) = [body for (body,) in cursor.fetchall()]

    assert code not in stored
    assert code in OutboundSMS.objects.get(purpose="verification").body  # the send task can read it


def test_staff_never_see_a_texted_code_in_the_admin(auth_client, django_capture_on_commit_callbacks, client):
    request_code(auth_client, capture=django_capture_on_commit_callbacks)
    code = sent_code()
    outbound = OutboundSMS.objects.get(purpose="verification")
    staff = UserFactory()
    staff.groups.add(Group.objects.get(name="admin"))
    client.force_login(staff)

    listed = client.get(reverse("admin:sms_outboundsms_changelist"))
    shown = client.get(reverse("admin:sms_outboundsms_change", args=[outbound.pk]))

    assert (listed.status_code, shown.status_code) == (200, 200)
    assert "verification" in listed.content.decode()
    for page in (listed.content.decode(), shown.content.decode()):
        assert not re.search(rf"\b{code}\b", page)
    assert "••••••" in shown.content.decode()  # the message is shown, its digits masked


def test_a_wrong_code_is_a_400_and_five_tries_is_the_limit(
    auth_client, user, django_capture_on_commit_callbacks
):
    request_code(auth_client, capture=django_capture_on_commit_callbacks)
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"

    statuses = [auth_client.post(CONFIRM, {"code": wrong}, format="json").status_code for _ in range(5)]
    after = auth_client.post(CONFIRM, {"code": code}, format="json")

    assert statuses == [400] * 5
    assert after.status_code == 429
    assert after.json()["error"]["code"] == "too_many_attempts"
    user.refresh_from_db()
    assert not user.phone_verified


def test_an_expired_code_is_refused(auth_client, django_capture_on_commit_callbacks):
    request_code(auth_client, capture=django_capture_on_commit_callbacks)
    PhoneVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = auth_client.post(CONFIRM, {"code": sent_code()}, format="json")

    assert response.status_code == 400
    assert "expired" in response.json()["error"]["fields"]["code"][0]


def test_resending_is_throttled_with_the_time_left(auth_client, django_capture_on_commit_callbacks):
    request_code(auth_client, capture=django_capture_on_commit_callbacks)

    again = request_code(auth_client, capture=django_capture_on_commit_callbacks)

    assert again.status_code == 429
    assert 0 < again.json()["error"]["retry_after_seconds"] <= 60
    assert len(locmem.outbox) == 1


class TestANumberBelongsToWhoeverProvesIt:
    def test_a_stranger_claiming_your_number_unverified_cannot_keep_it_from_you(
        self, api_client, password, django_capture_on_commit_callbacks
    ):
        """The attack: register the victim's number first, unverified, to block its owner."""
        attacker = UserFactory(phone_number=PHONE, preferred_channel="sms")
        signed_up = api_client.post(
            "/api/v1/auth/register",
            {"email": "victim@example.com", "password": password, "phone_number": PHONE},
            format="json",
        )
        assert signed_up.status_code == 202, signed_up.content
        victim_client = sign_in("victim@example.com", password)

        assert (
            request_code(victim_client, PHONE, capture=django_capture_on_commit_callbacks).status_code == 202
        )
        confirmed = victim_client.post(CONFIRM, {"code": sent_code()}, format="json")

        assert confirmed.status_code == 200, confirmed.content
        assert (confirmed.json()["phone_number"], confirmed.json()["phone_verified"]) == (PHONE, True)
        attacker.refresh_from_db()
        assert (attacker.phone_number, attacker.preferred_channel) == (None, "chat")
        cleared = AuditEvent.objects.get(target_id=str(attacker.pk), action="profile_updated")
        assert cleared.actor is None
        assert cleared.details == {
            "fields": ["phone_number", "preferred_channel"],
            "reason": "phone_verified_by_another_account",
            "by_user_id": confirmed.json()["id"],
        }

    def test_texts_from_the_number_reach_only_its_verified_owner(
        self, auth_client, user, django_capture_on_commit_callbacks
    ):
        request_code(auth_client, capture=django_capture_on_commit_callbacks)
        auth_client.post(CONFIRM, {"code": sent_code()}, format="json")
        UserFactory(phone_number=PHONE)  # a later claim, unverified

        reply = sms_inbound_handle(message_sid="SM1", from_number=PHONE, to_number="+15550000000", body="hi")

        inbound = InboundSMS.objects.get()
        assert (inbound.result, inbound.user) == (InboundSMS.Result.ROUTED, user)
        assert reply

    def test_asking_for_a_code_does_not_say_the_number_is_verified_elsewhere(
        self, auth_client, django_capture_on_commit_callbacks
    ):
        UserFactory(phone_number=PHONE, phone_verified=True)

        response = request_code(auth_client, capture=django_capture_on_commit_callbacks)

        assert response.status_code == 202, response.content
        assert response.json()["phone_number"] == PHONE

    def test_only_whoever_proves_the_number_learns_it_is_verified_elsewhere(
        self, auth_client, user, django_capture_on_commit_callbacks
    ):
        owner = UserFactory(phone_number=PHONE, phone_verified=True)
        request_code(auth_client, capture=django_capture_on_commit_callbacks)

        confirmed = auth_client.post(CONFIRM, {"code": sent_code()}, format="json")

        assert confirmed.status_code == 400
        assert confirmed.json()["error"]["fields"]["phone_number"] == [
            "This phone number is verified on another account: remove it there first."
        ]
        owner.refresh_from_db()
        assert (owner.phone_number, owner.phone_verified) == (PHONE, True)
        user.refresh_from_db()
        assert not user.phone_verified


@pytest.mark.parametrize("number", ["", "12", "hello", "+1 555"])
def test_bad_numbers_are_a_400_naming_the_field(auth_client, number, django_capture_on_commit_callbacks):
    response = request_code(auth_client, number, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert "phone_number" in response.json()["error"]["fields"]
