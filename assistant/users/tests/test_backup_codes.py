"""One-time backup codes: issued at enrolment, stored hashed, each usable once at sign-in."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from assistant.users.models import AuditEvent, MFABackupCode, TOTPDevice
from assistant.users.tests.factories import UserFactory
from assistant.users.tests.helpers import enable_totp_with_backup_codes

LOGIN = "/api/v1/auth/login"
BACKUP_CODES = "/api/v1/auth/mfa/backup-codes"

pytestmark = pytest.mark.django_db


def login(client, user, password, otp_code):
    return client.post(
        LOGIN, {"email": user.email, "password": password, "otp_code": otp_code}, format="json"
    )


def test_a_backup_code_signs_in_once_and_a_second_use_is_refused(api_client, user, password):
    _, codes = enable_totp_with_backup_codes(user)

    first = login(api_client, user, password, codes[0])
    again = login(api_client, user, password, codes[0])

    assert first.status_code == 200, first.content
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "invalid_otp"
    assert AuditEvent.objects.get(actor=user, action="mfa_backup_code_used").details == {"left": 9}
    # Typed in upper case with spaces instead of the dash, another one still works.
    assert login(api_client, user, password, codes[1].upper().replace("-", " ")).status_code == 200


def test_backup_codes_are_stored_only_as_salted_hashes(user):
    _, codes = enable_totp_with_backup_codes(user)

    with connection.cursor() as cursor:
        cursor.execute("SELECT salt, digest FROM users_mfabackupcode")
        rows = cursor.fetchall()
    stored = " ".join(f"{salt} {digest}" for salt, digest in rows)
    assert len(rows) == 10
    assert len({salt for salt, _ in rows}) == 10
    for code in codes:
        assert code not in stored
        assert code.replace("-", "") not in stored


def test_a_backup_code_opens_the_admin_when_a_second_factor_is_required(client, password, settings):
    settings.ADMIN_REQUIRE_MFA = True
    staff = UserFactory(password=password)
    staff.groups.add(Group.objects.get(name="admin"))
    _, codes = enable_totp_with_backup_codes(staff)

    def admin_login(code):
        form = {"username": staff.email, "password": password, "otp_code": code, "next": "/admin/"}
        return client.post(reverse("admin:login"), form)

    assert admin_login(codes[0]).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.logout()
    assert admin_login(codes[0]).status_code == 200  # the form again: the code is spent
    assert client.get("/admin/").status_code == 302


def test_regenerating_needs_the_password_and_retires_the_old_codes(auth_client, api_client, user, password):
    _, old = enable_totp_with_backup_codes(user)

    without = auth_client.post(BACKUP_CODES)
    wrong = auth_client.post(BACKUP_CODES, {"password": "guess"}, format="json")
    response = auth_client.post(BACKUP_CODES, {"password": password}, format="json")

    assert without.status_code == 400
    assert list(without.json()["error"]["fields"]) == ["password"]
    assert wrong.status_code == 400
    assert wrong.json()["error"]["fields"] == {"password": ["The current password is incorrect."]}
    assert response.status_code == 201
    new = response.json()["backup_codes"]
    assert len(new) == 10
    assert not set(new) & set(old)
    assert login(api_client, user, password, old[0]).status_code == 401
    assert login(api_client, user, password, new[0]).status_code == 200
    assert AuditEvent.objects.filter(actor=user, action="mfa_backup_codes_regenerated").exists()


def test_regenerating_without_two_factor_is_a_409(auth_client, password):
    response = auth_client.post(BACKUP_CODES, {"password": password}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "mfa_not_enabled"


def test_a_backup_code_can_turn_two_factor_off_and_the_codes_go_with_it(auth_client, user, password):
    _, codes = enable_totp_with_backup_codes(user)

    response = auth_client.post(
        "/api/v1/auth/mfa/totp/disable", {"password": password, "code": codes[3]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not MFABackupCode.objects.exists()
