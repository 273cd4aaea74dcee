"""Every LogQL query of the dashboards finds the lines it is meant for in what the app really
logs, and only those: the events are produced through the real code paths, captured by the
production JSON formatter, and each query is run on them with the labels the shipper adds."""

from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import include, path

from monitoring.dashboards.logql import (
    AUTHENTICATION,
    DATABASE_CONNECTION_ERRORS,
    ERRORS,
    LOG_QUERIES,
    OAUTH,
    SLOW_QUERIES,
    SLOW_REQUESTS,
    SMS_ROUTING,
)
from monitoring.db import StatementWrapper
from monitoring.tests.logql import parse
from tests.fakes.twilio_server import inbound_sms_request

pytestmark = pytest.mark.django_db


def _database_refused(request):
    raise OperationalError('connection to server at "postgres" failed: Connection refused')


urlpatterns = [path("boom", _database_refused), path("", include("config.urls"))]


def labels(line: dict[str, Any]) -> dict[str, str]:
    """The stream labels the shipper (deploy/alloy/config.alloy) adds: `service` from the
    container (every line here comes from the web process: assistant-api) and `level` from
    the JSON line."""
    return {"service": "assistant-api", "level": line["level"]}


@pytest.fixture
def emitted(logs, client, auth_client, user, password, settings) -> list[dict[str, Any]]:
    """One of each kind of line the queries look for, through the real code paths."""
    auth_client.get("/api/v1/todos")  # http_request
    client.post(
        "/api/v1/auth/login", {"email": user.email, "password": password}, content_type="application/json"
    )
    client.post(
        "/api/v1/auth/login", {"email": user.email, "password": "wrong"}, content_type="application/json"
    )
    client.get("/integrations/google/callback?state=forged&code=x")  # oauth, refused
    settings.SMS_PUBLIC_BASE_URL = "http://testserver"
    form, signature = inbound_sms_request(
        "http://testserver/sms/twilio/inbound",
        settings.TWILIO_AUTH_TOKEN,
        message_sid="SM" + "0" * 32,
        from_="+33698765432",
        to=settings.TWILIO_FROM_NUMBER,
        body="hi",
    )
    client.post("/sms/twilio/inbound", form, headers={"X-Twilio-Signature": signature})
    with connection.execute_wrapper(
        StatementWrapper(alias="default", vendor=connection.vendor, threshold_seconds=0)
    ):
        connection.cursor().execute("SELECT 1")  # slow_query (every statement is, at 0 ms)
    with override_settings(ROOT_URLCONF=__name__):
        client.raise_request_exception = False
        client.get("/boom")  # an ERROR line naming OperationalError
    return logs.lines()


def matching(query_expr: str, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    query = parse(query_expr)
    return [line for line in lines if query.matches(line, labels(line))]


def with_numbers_raised(line: dict[str, Any], by: float = 10_000) -> dict[str, Any]:
    """The same line as if it had been slower: real lines in a test are fast."""
    return {
        key: value + by if isinstance(value, int | float) and key.endswith("_ms") else value
        for key, value in line.items()
    }


@pytest.mark.parametrize(
    ("query", "event"),
    [
        (SMS_ROUTING, "sms_routing"),
        (OAUTH, "oauth"),
        (AUTHENTICATION, "audit"),
        (AUTHENTICATION, "security_event"),
    ],
)
def test_event_queries_find_their_events_and_nothing_else(query, event, emitted):
    found = matching(query.expr, emitted)

    assert any(line["event"] == event for line in found), [line["event"] for line in emitted]
    assert {line["event"] for line in found} <= {"audit", "security_event"} | {event}


def test_threshold_queries_find_slow_lines_and_not_fast_ones(emitted):
    for query, event in ((SLOW_QUERIES, "slow_query"), (SLOW_REQUESTS, "http_request")):
        real = [line for line in emitted if line["event"] == event]
        assert real, f"no {event} line was logged"
        assert not matching(query.expr, real), f"{query.title}: a fast line matched"
        assert matching(query.expr, [with_numbers_raised(line) for line in real]), query.title


def test_error_queries_find_the_failed_request(emitted):
    errors = matching(ERRORS.expr, emitted)
    connection_errors = matching(DATABASE_CONNECTION_ERRORS.expr, emitted)

    assert errors
    assert all(line["level"] in ("ERROR", "CRITICAL") for line in errors)
    assert connection_errors
    assert all("OperationalError" in str(line) for line in connection_errors)


def test_every_field_a_query_reads_is_in_the_lines(emitted):
    fields = {key for line in emitted for key in line}
    for query in LOG_QUERIES:
        missing = parse(query.expr).fields - fields
        assert not missing, f"{query.title} filters on {missing}, which no line carries"
