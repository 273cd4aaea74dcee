import pyotp
import pytest
from django.db import connection

from assistant.users.models import AuditEvent, TOTPDevice
from assistant.users.tests.helpers import enable_totp, fresh_code

pytestmark = pytest.mark.django_db


def test_enrol_then_confirm_turns_two_factor_on(auth_client, user):
    enrol = auth_client.post("/api/v1/auth/mfa/totp")
    assert enrol.status_code == 201
    secret = enrol.json()["secret"]
    assert enrol.json()["otpauth_uri"].startswith("otpauth://totp/")

    confirm = auth_client.post(
        "/api/v1/auth/mfa/totp/confirm", {"code": pyotp.TOTP(secret).now()}, format="json"
    )

    assert confirm.status_code == 200, confirm.content
    assert confirm.json()["mfa_enabled"] is True
    assert AuditEvent.objects.filter(actor=user, action="mfa_enabled").exists()


def test_the_seed_is_never_stored_in_plain_text(auth_client, user):
    secret = auth_client.post("/api/v1/auth/mfa/totp").json()["secret"]

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM users_totpdevice")
        (raw,) = cursor.fetchone()
    assert secret not in raw
    assert secret.encode() not in raw.encode()


def test_wrong_confirmation_code_is_a_400_on_the_code_field(auth_client):
    auth_client.post("/api/v1/auth/mfa/totp")

    response = auth_client.post("/api/v1/auth/mfa/totp/confirm", {"code": "12345x"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"code": ["Enter the 6-digit code."]}


def test_confirm_without_enrolment_is_a_409(auth_client):
    response = auth_client.post("/api/v1/auth/mfa/totp/confirm", {"code": "123456"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "mfa_not_started"


def test_enrolling_twice_once_on_is_a_409(auth_client, user):
    enable_totp(user)

    assert auth_client.post("/api/v1/auth/mfa/totp").status_code == 409


def test_disable_needs_a_current_code(auth_client, user):
    totp = enable_totp(user)

    wrong = auth_client.post("/api/v1/auth/mfa/totp/disable", {"code": "000000"}, format="json")
    right = auth_client.post("/api/v1/auth/mfa/totp/disable", {"code": fresh_code(totp)}, format="json")

    assert wrong.status_code == 400
    assert right.status_code == 200
    assert right.json()["mfa_enabled"] is False
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(actor=user, action="mfa_disabled").exists()


def test_rotated_encryption_key_still_decrypts_old_seeds(user, settings):
    from cryptography.fernet import Fernet

    from assistant.users import services

    old_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    totp = enable_totp(user)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]

    assert services.totp_code_accept(device=user.totp_device, code=fresh_code(totp))
