"""/metrics: bearer-token protection and the application and framework series it exposes."""

import prometheus_client
import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from assistant.users.models import User
from tests.metrics import sample_sum

# A scrape reads the database: the integration status gauge is counted there.
pytestmark = pytest.mark.django_db

METRICS_TOKEN = "metrics-endpoint-test-token"
LOGIN = "/api/v1/auth/login"


def _samples(exposition: str) -> list:
    return [sample for family in text_string_to_metric_families(exposition) for sample in family.samples]


def _scrape(client: Client, token: str = "") -> str:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def metrics_token(settings: Settings) -> str:
    settings.METRICS_TOKEN = METRICS_TOKEN
    return METRICS_TOKEN


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer wrong-token",
        f"Basic {METRICS_TOKEN}",
        f"Bearer {METRICS_TOKEN}x",
        "Bearer ",
    ],
    ids=["missing", "wrong-token", "wrong-scheme", "token-with-suffix", "empty-token"],
)
def test_metrics_refuse_a_missing_or_wrong_bearer_token(
    client: Client, metrics_token: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}

    response = client.get("/metrics", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"django_http" not in response.content


def test_metrics_answer_the_right_bearer_token_in_prometheus_text_format(
    client: Client, metrics_token: str
) -> None:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}"})

    assert response.status_code == 200
    assert response["Content-Type"] == prometheus_client.CONTENT_TYPE_LATEST
    assert response["Content-Type"].startswith("text/plain")
    assert _samples(response.content.decode())


def test_metrics_are_open_when_no_token_is_configured(client: Client, settings: Settings) -> None:
    settings.METRICS_TOKEN = ""

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_metrics_accept_a_lowercase_bearer_scheme(client: Client, metrics_token: str) -> None:
    response = client.get("/metrics", headers={"Authorization": f"bearer {metrics_token}"})

    assert response.status_code == 200


def test_successful_api_login_increments_user_login_total(
    api_client: APIClient, user: User, password: str, client: Client
) -> None:
    before = sample_sum(_scrape(client), "user_login_total", channel="api", mfa="false")

    response = api_client.post(LOGIN, {"email": user.email, "password": password}, format="json")

    assert response.status_code == 200
    assert sample_sum(_scrape(client), "user_login_total", channel="api", mfa="false") == before + 1


def test_failed_login_increments_authentication_failures_total(
    api_client: APIClient, user: User, client: Client
) -> None:
    name, reason = "authentication_failures_total", "invalid_credentials"
    before = sample_sum(_scrape(client), name, reason=reason)
    logins_before = sample_sum(_scrape(client), "user_login_total", channel="api", mfa="false")

    response = api_client.post(LOGIN, {"email": user.email, "password": "not the password"}, format="json")

    assert response.status_code == 401
    exposition = _scrape(client)
    assert sample_sum(exposition, name, reason=reason) == before + 1
    assert sample_sum(exposition, "user_login_total", channel="api", mfa="false") == logins_before


def test_metrics_expose_request_database_and_model_series(
    api_client: APIClient, user: User, password: str, client: Client
) -> None:
    api_client.post(LOGIN, {"email": user.email, "password": password}, format="json")

    exposition = _scrape(client)

    assert (
        sample_sum(
            exposition,
            "django_http_requests_total_by_view_transport_method_total",
            view="auth-login",
            transport="http",
            method="POST",
        )
        >= 1
    )
    assert sample_sum(exposition, "django_db_query_duration_seconds_count", alias="default") >= 1
    assert sample_sum(exposition, "django_db_new_connections_total", alias="default") >= 1
    # The user fixture registered one account and the login wrote a token row.
    assert sample_sum(exposition, "django_model_inserts_total", model="user") >= 1
    assert sample_sum(exposition, "django_model_inserts_total", model="auth_token") >= 1
