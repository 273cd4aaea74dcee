"""Behaviour every API endpoint shares: error shape, 404s, throttling, request ids."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db


def test_api_root_lists_the_entry_points(api_client):
    body = api_client.get("/api/v1/").json()

    assert body["login"].endswith("/api/v1/auth/login")
    assert body["schema"].endswith("/api/schema/")


def test_unknown_api_path_is_a_json_404(client, settings):
    settings.DEBUG = False

    response = client.get("/api/v1/nope")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_auth_endpoints_are_throttled_with_the_time_left(monkeypatch):
    # DRF reads the rates once, into the throttle class, when it is imported.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1000/min", "auth": "3/min"})
    client = APIClient()

    statuses = [
        client.post("/api/v1/auth/password/reset", {"email": "a@b.co"}, format="json") for _ in range(4)
    ]

    assert [response.status_code for response in statuses] == [202, 202, 202, 429]
    error = statuses[-1].json()["error"]
    assert error["code"] == "throttled"
    assert 0 < error["retry_after_seconds"] <= 60
    assert statuses[-1]["Retry-After"]


def test_request_id_is_returned_and_generated_when_missing(api_client):
    supplied = api_client.get("/api/v1/", HTTP_X_REQUEST_ID="abc-123")
    generated = api_client.get("/api/v1/")

    assert supplied["X-Request-ID"] == "abc-123"
    assert len(generated["X-Request-ID"]) == 32


def test_a_body_over_the_upload_limit_is_a_413_in_the_error_shape(api_client, settings):
    """Regression (fuzz): Django answered RequestDataTooBig with its HTML 400 page."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"email": "' + "a" * 2000 + '"}'

    response = api_client.post("/api/v1/auth/login", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "request_too_large",
            "message": "Request body larger than 1024 bytes.",
            "fields": {},
        }
    }
