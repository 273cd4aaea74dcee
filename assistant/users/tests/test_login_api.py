import pytest
from rest_framework.test import APIClient

from assistant.users.models import AuditEvent, SecurityEvent
from assistant.users.tests.helpers import enable_totp, fresh_code

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"

pytestmark = pytest.mark.django_db


def login(client, email, password, **extra):
    return client.post(LOGIN, {"email": email, "password": password, **extra}, format="json")


def test_login_returns_a_bearer_token_that_opens_me(api_client, user, password):
    response = login(api_client, user.email.upper(), password)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["user"]["email"] == user.email
    assert body["expiry"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert api_client.get(ME).json()["email"] == user.email
    assert AuditEvent.objects.filter(actor=user, action="login", details__channel="api").exists()


def test_token_is_stored_only_as_a_hash(api_client, user, password):
    token = login(api_client, user.email, password).json()["token"]

    stored = user.auth_token_set.get()
    assert token not in (stored.digest, stored.token_key)
    assert token.startswith(stored.token_key)


def test_wrong_password_is_401_and_a_security_event(api_client, user):
    response = login(api_client, user.email, "wrong password")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    event = SecurityEvent.objects.get()
    assert (event.kind, event.severity, event.user) == ("login_failed", "warning", user)


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(api_client, db):
    response = login(api_client, "nobody@example.com", "whatever it is")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_inactive_user_cannot_log_in(api_client, user, password):
    user.is_active = False
    user.save()

    assert login(api_client, user.email, password).status_code == 401


def test_five_failures_lock_the_account_with_the_time_left(api_client, user, password, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_LOCKOUT_SECONDS = 900
    for _ in range(4):
        assert login(api_client, user.email, "wrong password").status_code == 401

    fifth = login(api_client, user.email, "wrong password")
    while_locked = login(api_client, user.email, password)

    for response in (fifth, while_locked):
        assert response.status_code == 429
        error = response.json()["error"]
        assert error["code"] == "account_locked"
        assert 0 < error["retry_after_seconds"] <= 900
        assert int(response["Retry-After"]) == error["retry_after_seconds"]
        assert "15 minute" in error["message"]
    assert SecurityEvent.objects.filter(kind="lockout", user=user).count() == 1


def test_lockout_is_per_account_not_global(api_client, user, password, settings, db):
    from assistant.users.tests.factories import UserFactory

    settings.LOGIN_FAILURE_LIMIT = 2
    other = UserFactory(password=password)
    for _ in range(2):
        login(api_client, user.email, "wrong password")

    assert login(api_client, other.email, password).status_code == 200


def test_many_failures_from_one_address_lock_that_address(api_client, password, settings, db):
    from assistant.users.tests.factories import UserFactory

    settings.LOGIN_IP_FAILURE_LIMIT = 3
    victims = UserFactory.create_batch(3, password=password)
    statuses = [login(api_client, victim.email, "wrong password").status_code for victim in victims]

    assert statuses == [401, 401, 429]
    assert login(api_client, victims[0].email, password).status_code == 429
    assert login(APIClient(REMOTE_ADDR="10.9.9.9"), victims[0].email, password).status_code == 200


def test_logout_revokes_the_token(auth_client):
    assert auth_client.post("/api/v1/auth/logout").status_code == 204

    response = auth_client.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_invalid_token_is_401_and_recorded(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer " + "0" * 64)

    response = api_client.get(ME)

    assert response.status_code == 401
    assert SecurityEvent.objects.filter(kind="invalid_token").count() == 1


def test_anonymous_request_is_a_401_in_the_standard_shape(api_client, db):
    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }


class TestWithTotp:
    def test_login_asks_for_the_code(self, api_client, user, password):
        enable_totp(user)

        response = login(api_client, user.email, password)

        assert response.status_code == 401
        assert response.json()["error"]["code"] == "mfa_required"

    def test_login_with_the_code_succeeds_once(self, api_client, user, password):
        totp = enable_totp(user)
        code = fresh_code(totp)

        first = login(api_client, user.email, password, otp_code=code)
        replay = login(api_client, user.email, password, otp_code=code)

        assert first.status_code == 200
        assert AuditEvent.objects.filter(actor=user, action="login", details__mfa=True).exists()
        assert replay.status_code == 401
        assert replay.json()["error"]["code"] == "invalid_otp"

    def test_wrong_code_counts_towards_lockout(self, api_client, user, password, settings):
        settings.LOGIN_FAILURE_LIMIT = 2
        enable_totp(user)

        statuses = [login(api_client, user.email, password, otp_code="000000").status_code for _ in range(2)]

        assert statuses == [401, 429]
        assert SecurityEvent.objects.filter(kind="mfa_failed").count() == 2
