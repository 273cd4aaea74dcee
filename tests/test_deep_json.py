"""A body of nested brackets is a client's mistake (a 400 in the error shape), never a 500 that
the 5xx alert would page on-call for, on the unauthenticated endpoints too."""

import json

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from assistant.core.parsers import JSON_MAX_DEPTH

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
ALERTS_WEBHOOK = "/monitoring/alerts/webhook"
WEBHOOK_TOKEN = "alertmanager-test-token-of-enough-length-0123456789"


def server_errors_counted() -> float:
    """5xx responses counted so far in this process (django-prometheus's series)."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "django_http_responses_total_by_status_view_method"
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels.get("status", "").startswith("5")
    )


@pytest.fixture
def client():
    """A client that receives a 500 as a response, as a real one would, rather than the exception."""
    return Client(raise_request_exception=False)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [100_000, 900, JSON_MAX_DEPTH + 1])
def test_deeply_nested_json_to_the_login_endpoint_is_a_400(client, depth):
    before = server_errors_counted()

    response = client.post(LOGIN, nested(depth), content_type="application/json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert f"deeper than {JSON_MAX_DEPTH}" in error["message"]
    assert error["fields"] == {}
    assert server_errors_counted() == before


def test_deeply_nested_json_to_the_alertmanager_webhook_is_a_400(client, settings):
    settings.ALERTMANAGER_WEBHOOK_TOKEN = WEBHOOK_TOKEN
    before = server_errors_counted()

    response = client.post(
        ALERTS_WEBHOOK,
        '{"version": "4", "alerts": ' + nested(100_000) + "}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {WEBHOOK_TOKEN}",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert server_errors_counted() == before


def test_json_nested_up_to_the_limit_still_reaches_the_view(client, user, password):
    # An object holding lists JSON_MAX_DEPTH - 1 deep: JSON_MAX_DEPTH levels in all.
    body = {"email": user.email, "password": password, "padding": json.loads(nested(JSON_MAX_DEPTH - 1))}

    response = client.post(LOGIN, body, content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json()["token"]
