"""DELETE /api/v1/auth/me: the owner erases their account, proving it is them first."""

import pytest

from assistant.users.data_rights import account_erase, subject_hash
from assistant.users.models import AuditEvent, SecurityEvent, User
from assistant.users.tests.helpers import enable_totp_with_backup_codes, fresh_code

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"


def test_the_owner_erases_their_account_with_their_password_and_its_token_stops_working(
    auth_client, user, password
):
    user_id = user.pk

    response = auth_client.delete(ME, {"password": password}, format="json")

    assert response.status_code == 204
    assert not User.objects.filter(pk=user_id).exists()
    assert auth_client.get(ME).status_code == 401
    # Erasing twice is harmless: nothing is left to erase, and the token is gone with the account.
    assert auth_client.delete(ME, {"password": password}, format="json").status_code == 401
    erased = AuditEvent.objects.get(action="account_erased")
    assert erased.subject_hash == subject_hash(user_id)
    assert erased.details["by"] == "self"
    assert not AuditEvent.objects.filter(actor_id=user_id).exists()
    assert AuditEvent.objects.filter(subject_hash=subject_hash(user_id), action="register").exists()


def test_a_wrong_password_is_a_400_on_the_field_and_counts_towards_the_lockout(
    auth_client, user, password, settings
):
    settings.LOGIN_FAILURE_LIMIT = 2

    first = auth_client.delete(ME, {"password": "a stolen token, no password"}, format="json")
    second = auth_client.delete(ME, {"password": "a stolen token, no password"}, format="json")
    right = auth_client.delete(ME, {"password": password}, format="json")

    assert first.status_code == 400
    assert first.json()["error"]["fields"] == {"password": ["The current password is incorrect."]}
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "account_locked"
    assert right.status_code == 429  # locked: even the right password waits
    assert User.objects.filter(pk=user.pk).exists()
    failed = SecurityEvent.objects.filter(kind="login_failed", user=user, details__action="account_erase")
    assert failed.count() == 2


def test_with_two_factor_on_a_code_is_required_and_a_wrong_one_counts(auth_client, user, password):
    totp, _ = enable_totp_with_backup_codes(user, password)

    missing = auth_client.delete(ME, {"password": password}, format="json")
    wrong = auth_client.delete(ME, {"password": password, "code": "00000000"}, format="json")

    assert missing.status_code == 400
    assert list(missing.json()["error"]["fields"]) == ["code"]
    assert wrong.status_code == 400
    assert wrong.json()["error"]["fields"] == {"code": ["This code is wrong or expired."]}
    failed = SecurityEvent.objects.filter(kind="mfa_failed", user=user, details__action="account_erase")
    assert failed.count() == 1
    assert User.objects.filter(pk=user.pk).exists()

    right = auth_client.delete(ME, {"password": password, "code": fresh_code(totp)}, format="json")

    assert right.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()


def test_a_backup_code_also_proves_the_second_factor(auth_client, user, password):
    _, backup_codes = enable_totp_with_backup_codes(user, password)

    response = auth_client.delete(ME, {"password": password, "code": backup_codes[0]}, format="json")

    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()


def test_a_second_erasure_of_the_same_account_finds_nothing_to_do(user, password):
    first = account_erase(user=user, actor=None, reason="", ip=None)
    second = account_erase(user=user, actor=None, reason="", ip=None)  # a double click's twin

    assert first["users"]["audit_events_anonymised"] >= 1
    assert second == {}
    assert AuditEvent.objects.filter(action="account_erased").count() == 1
