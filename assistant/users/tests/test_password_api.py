import re

import pytest
from django.core import mail

from assistant.users.models import AuditEvent
from assistant.users.tests.helpers import sign_in

pytestmark = pytest.mark.django_db

NEW = "a brand new passphrase"


def test_change_needs_the_current_password(auth_client):
    response = auth_client.post(
        "/api/v1/auth/password/change", {"current_password": "nope", "new_password": NEW}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"current_password": ["The current password is incorrect."]}


def test_change_rejects_a_weak_password_naming_the_field(auth_client, password):
    response = auth_client.post(
        "/api/v1/auth/password/change", {"current_password": password, "new_password": "123"}, format="json"
    )

    assert response.status_code == 400
    assert "new_password" in response.json()["error"]["fields"]


def test_change_signs_out_other_sessions_but_not_this_one(auth_client, user, password):
    other = sign_in(user.email, password)

    response = auth_client.post(
        "/api/v1/auth/password/change", {"current_password": password, "new_password": NEW}, format="json"
    )

    assert response.status_code == 204
    assert auth_client.get("/api/v1/auth/me").status_code == 200
    assert other.get("/api/v1/auth/me").status_code == 401
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert AuditEvent.objects.filter(actor=user, action="password_changed").exists()


def _reset_link(user, api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/auth/password/reset", {"email": user.email}, format="json")
    assert response.status_code == 202
    (message,) = mail.outbox
    assert message.to == [user.email]
    return re.search(r"http://\S+/account/reset/(?P<uid>[^/]+)/(?P<token>[^/]+)/", message.body)


def test_reset_by_api_with_the_emailed_uid_and_token(api_client, user, django_capture_on_commit_callbacks):
    link = _reset_link(user, api_client, django_capture_on_commit_callbacks)

    response = api_client.post(
        "/api/v1/auth/password/reset/confirm",
        {"uid": link["uid"], "token": link["token"], "new_password": NEW},
        format="json",
    )
    reused = api_client.post(
        "/api/v1/auth/password/reset/confirm",
        {"uid": link["uid"], "token": link["token"], "new_password": NEW + "!"},
        format="json",
    )

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert reused.status_code == 400
    assert reused.json()["error"]["fields"] == {"token": ["This reset link is invalid or has expired."]}
    assert AuditEvent.objects.filter(actor=user, action="password_reset").exists()


def test_reset_through_the_emailed_page(client, api_client, user, django_capture_on_commit_callbacks):
    link = _reset_link(user, api_client, django_capture_on_commit_callbacks)

    page = client.get(link.group(0), follow=True)
    assert page.status_code == 200
    done = client.post(page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True)

    assert done.status_code == 200
    assert b"password has been set" in done.content
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    api_client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/password/reset", {"email": "nobody@example.com"}, format="json"
        )

    assert response.status_code == 202
    assert mail.outbox == []


def test_reset_with_a_forged_token_is_a_400(api_client, user):
    response = api_client.post(
        "/api/v1/auth/password/reset/confirm",
        {"uid": "MQ", "token": "forged-token", "new_password": NEW},
        format="json",
    )

    assert response.status_code == 400
    assert "token" in response.json()["error"]["fields"]
