"""Oversized bodies are refused quickly, in the API's error shape, never a 500 or a hang.

Two limits: a chat message longer than CHAT_MESSAGE_MAX_LENGTH characters is a 400
validation error naming `text`; any body larger than DATA_UPLOAD_MAX_MEMORY_SIZE bytes is
refused before it is parsed (a 413 in the error shape on the API, a 400 on Twilio's
webhooks, which Twilio never sends anything near that size).
"""

import json
import time

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db

TOO_BIG = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1


def _error(response) -> dict:
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message", "fields"} <= set(body["error"])
    return body["error"]


def test_the_upload_limit_is_set_explicitly_and_small():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 256 * 1024
    # The longest chat message, all four-byte characters JSON-escaped, still fits.
    longest = json.dumps({"text": "🙂" * settings.CHAT_MESSAGE_MAX_LENGTH})
    assert len(longest.encode()) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_chat_message_over_the_length_limit_is_a_validation_error(auth_client):
    text = "a" * (settings.CHAT_MESSAGE_MAX_LENGTH + 1)

    response = auth_client.post("/api/v1/chat/messages", {"text": text}, format="json")

    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "validation_error"
    assert "text" in error["fields"]


def test_the_longest_chat_message_is_accepted(auth_client):
    text = "🙂" * settings.CHAT_MESSAGE_MAX_LENGTH

    response = auth_client.post("/api/v1/chat/messages", {"text": text}, format="json")

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/chat/messages"),
        ("post", "/api/v1/todos"),
        ("post", "/api/v1/reminders"),
        ("patch", "/api/v1/auth/me"),
        ("post", "/api/v1/phone/verify"),
    ],
)
def test_a_json_body_over_the_size_limit_is_413_in_the_error_shape(auth_client, method, path):
    body = json.dumps({"text": "a" * TOO_BIG, "title": "x"})
    started = time.monotonic()

    response = getattr(auth_client, method)(path, body, content_type="application/json")

    assert time.monotonic() - started < 5
    assert response.status_code == 413
    error = _error(response)
    assert error["code"] == "request_too_large"
    assert str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in error["message"]


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/auth/register"])
def test_an_anonymous_oversized_body_is_refused_the_same_way(api_client, path):
    body = b'{"email": "' + b"a" * TOO_BIG + b'"}'

    response = api_client.post(path, body, content_type="application/json")

    assert response.status_code == 413
    assert _error(response)["code"] == "request_too_large"


def test_a_huge_body_is_refused_without_reading_it(auth_client):
    """Content-Length decides: 50 MB is turned away as fast as 300 KB."""
    body = b"{" + b" " * (50 * 1024 * 1024) + b"}"
    started = time.monotonic()

    response = auth_client.post("/api/v1/todos", body, content_type="application/json")

    assert response.status_code == 413
    assert time.monotonic() - started < 5


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_the_limit_follows_the_setting(auth_client):
    response = auth_client.post("/api/v1/todos", {"title": "x" * 2000}, format="json")

    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/sms/twilio/inbound", "/sms/twilio/status"])
def test_an_oversized_webhook_body_is_refused_not_a_500(client, path):
    body = "Body=" + "a" * TOO_BIG

    response = client.post(path, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/sms/twilio/inbound", "/sms/twilio/status"])
def test_a_webhook_with_too_many_fields_is_refused_not_a_500(client, path):
    body = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    response = client.post(path, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
