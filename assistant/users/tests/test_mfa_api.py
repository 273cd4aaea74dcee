import pyotp
import pytest
from django.db import connection
from rest_framework.test import APIClient

from assistant.users.models import AuditEvent, SecurityEvent, TOTPDevice
from assistant.users.tests.helpers import enable_totp, fresh_code, sign_in

pytestmark = pytest.mark.django_db

ENROL = "/api/v1/auth/mfa/totp"
CONFIRM = "/api/v1/auth/mfa/totp/confirm"
DISABLE = "/api/v1/auth/mfa/totp/disable"


def test_enrol_then_confirm_turns_two_factor_on_and_shows_ten_backup_codes(auth_client, user, password):
    enrol = auth_client.post(ENROL, {"password": password}, format="json")
    assert enrol.status_code == 201
    secret = enrol.json()["secret"]
    assert enrol.json()["otpauth_uri"].startswith("otpauth://totp/")

    confirm = auth_client.post(CONFIRM, {"code": pyotp.TOTP(secret).now()}, format="json")

    assert confirm.status_code == 200, confirm.content
    assert confirm.json()["mfa_enabled"] is True
    codes = confirm.json()["backup_codes"]
    assert len(codes) == len(set(codes)) == 10
    assert AuditEvent.objects.filter(actor=user, action="mfa_enabled").exists()
    assert "backup_codes" not in auth_client.get("/api/v1/auth/me").json()


def test_the_seed_is_never_stored_in_plain_text(auth_client, user, password):
    secret = auth_client.post(ENROL, {"password": password}, format="json").json()["secret"]

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM users_totpdevice")
        (raw,) = cursor.fetchone()
    assert secret not in raw
    assert secret.encode() not in raw.encode()


def test_enrol_without_the_password_is_refused(auth_client, user):
    response = auth_client.post(ENROL)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["password"]
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_enrol_with_a_wrong_password_is_refused_and_counts_towards_the_lockout(auth_client, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2

    first = auth_client.post(ENROL, {"password": "stolen token, no password"}, format="json")
    second = auth_client.post(ENROL, {"password": "stolen token, no password"}, format="json")

    assert first.status_code == 400
    assert first.json()["error"]["fields"] == {"password": ["The current password is incorrect."]}
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "account_locked"
    failed = SecurityEvent.objects.filter(kind="login_failed", user=user)
    assert failed.count() == 2
    assert failed.first().details["action"] == "mfa_enrol"
    assert SecurityEvent.objects.filter(kind="lockout", user=user).count() == 1
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_wrong_confirmation_code_format_is_a_400_on_the_code_field(auth_client, password):
    auth_client.post(ENROL, {"password": password}, format="json")

    response = auth_client.post(CONFIRM, {"code": "12345x"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"code": ["Enter the 6-digit code."]}


def test_wrong_confirmation_codes_count_towards_the_lockout(auth_client, user, password, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    secret = auth_client.post(ENROL, {"password": password}, format="json").json()["secret"]
    right = pyotp.TOTP(secret).now()
    wrong = "000000" if right != "000000" else "111111"

    statuses = [auth_client.post(CONFIRM, {"code": wrong}, format="json").status_code for _ in range(3)]
    after = auth_client.post(CONFIRM, {"code": right}, format="json")

    assert statuses == [400, 400, 429]
    assert after.status_code == 429
    failed = SecurityEvent.objects.filter(kind="mfa_failed", user=user, details__action="mfa_confirm")
    assert failed.count() == 3
    assert not TOTPDevice.objects.get(user=user).confirmed


def test_confirm_without_enrolment_is_a_409(auth_client):
    response = auth_client.post(CONFIRM, {"code": "123456"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "mfa_not_started"


def test_enrolling_twice_once_on_is_a_409(auth_client, user, password):
    enable_totp(user)

    assert auth_client.post(ENROL, {"password": password}, format="json").status_code == 409


def test_enabling_two_factor_signs_out_every_other_session_but_this_one(auth_client, user, password):
    stolen = sign_in(user.email, password)
    secret = auth_client.post(ENROL, {"password": password}, format="json").json()["secret"]

    confirm = auth_client.post(CONFIRM, {"code": pyotp.TOTP(secret).now()}, format="json")

    assert confirm.status_code == 200
    assert stolen.get("/api/v1/auth/me").status_code == 401
    assert auth_client.get("/api/v1/auth/me").status_code == 200
    event = AuditEvent.objects.get(actor=user, action="mfa_enabled")
    assert event.details == {"sessions_signed_out": 1}


def test_disable_needs_the_password_and_a_current_code(auth_client, user, password):
    totp = enable_totp(user)

    no_password = auth_client.post(DISABLE, {"code": fresh_code(totp)}, format="json")
    wrong_password = auth_client.post(DISABLE, {"password": "guess", "code": fresh_code(totp)}, format="json")
    wrong_code = auth_client.post(DISABLE, {"password": password, "code": "000000"}, format="json")
    right = auth_client.post(DISABLE, {"password": password, "code": fresh_code(totp)}, format="json")

    assert no_password.status_code == 400
    assert list(no_password.json()["error"]["fields"]) == ["password"]
    assert wrong_password.status_code == 400
    assert wrong_password.json()["error"]["fields"] == {"password": ["The current password is incorrect."]}
    assert wrong_code.status_code == 400
    assert wrong_code.json()["error"]["fields"] == {"code": ["This code is wrong or expired."]}
    assert right.status_code == 200
    assert right.json()["mfa_enabled"] is False
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(actor=user, action="mfa_disabled").exists()


def test_six_hundred_wrong_disable_codes_lock_and_then_the_right_code_is_refused(
    auth_client, user, password, settings
):
    """The review's attack: 600 codes in 13 s, then the right one worked."""
    settings.LOGIN_FAILURE_LIMIT = 5
    totp = enable_totp(user)
    right = fresh_code(totp)
    wrong = [f"{n:06d}" for n in range(601) if f"{n:06d}" != right][:600]

    statuses = [
        auth_client.post(DISABLE, {"password": password, "code": code}, format="json").status_code
        for code in wrong
    ]
    after = auth_client.post(DISABLE, {"password": password, "code": right}, format="json")

    assert statuses[:4] == [400] * 4
    assert set(statuses[4:]) == {429}
    assert after.status_code == 429
    assert after.json()["error"]["code"] == "account_locked"
    assert after.json()["error"]["retry_after_seconds"] > 0
    assert TOTPDevice.objects.filter(user=user).exists()
    failed = SecurityEvent.objects.filter(kind="mfa_failed", user=user, details__action="mfa_disable")
    assert failed.count() == 5
    assert SecurityEvent.objects.filter(kind="lockout", user=user).count() == 1
    # The owner, elsewhere, is not locked out by the thief's guesses.
    owner = APIClient(REMOTE_ADDR="10.20.30.40")
    token = owner.post(
        "/api/v1/auth/login",
        {"email": user.email, "password": password, "otp_code": right},
        format="json",
    )
    assert token.status_code == 200, token.content


def test_rotated_encryption_key_still_decrypts_old_seeds(user, settings):
    from cryptography.fernet import Fernet

    from assistant.users import services

    old_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    totp = enable_totp(user)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]

    assert services.totp_code_accept(device=user.totp_device, code=fresh_code(totp))


def test_enabling_two_factor_signs_browser_sessions_out_too(auth_client, user, password):
    browser = APIClient()
    browser.force_login(user)
    assert browser.get("/api/v1/auth/me").status_code == 200
    secret = auth_client.post(ENROL, {"password": password}, format="json").json()["secret"]

    auth_client.post(CONFIRM, {"code": pyotp.TOTP(secret).now()}, format="json")

    assert browser.get("/api/v1/auth/me").status_code in (401, 403)


def test_confirming_from_a_browser_session_keeps_that_session(user, password):
    browser = APIClient(enforce_csrf_checks=False)
    browser.force_login(user)
    other = APIClient()
    other.force_login(user)
    secret = browser.post(ENROL, {"password": password}, format="json").json()["secret"]

    confirm = browser.post(CONFIRM, {"code": pyotp.TOTP(secret).now()}, format="json")

    assert confirm.status_code == 200
    assert browser.get("/api/v1/auth/me").status_code == 200
    assert other.get("/api/v1/auth/me").status_code in (401, 403)
