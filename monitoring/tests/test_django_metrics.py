"""django-prometheus's series the dashboards and alerts read, recorded by our middleware and
statement wrapper: the same names and labels, and none of the series nobody reads."""

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from prometheus_client import REGISTRY, CollectorRegistry, Histogram
from pytest_django.fixtures import Settings

from assistant.users.models import User
from monitoring.db import StatementWrapper, observe_all
from monitoring.django_metrics import SCOPES, STATUS_CLASSES, ConnectionCounter
from monitoring.middleware import PrometheusMiddleware

pytestmark = pytest.mark.django_db

RESPONSES = "django_http_responses_total_by_status_view_method_total"
REQUESTS = "django_http_requests_total_by_view_transport_method_total"
LATENCY_COUNT = "django_http_requests_latency_seconds_by_view_method_count"
BY_SCOPE = "http_responses_total"
SCOPE_LATENCY_COUNT = "http_request_duration_seconds_count"


class Boom(Exception):
    pass


def raising_view(request: HttpRequest) -> HttpResponse:
    raise Boom("the view failed")


def plain_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def querying_view(request: HttpRequest) -> HttpResponse:
    """Three statements, then the failure its `?fail` asks for."""
    User.objects.exists()
    User.objects.count()
    User.objects.exists()
    if "fail" in request.GET:
        raise Boom("after its statements")
    return HttpResponse("ok")


# The URLconf of the tests marked `urls(__name__)`.
urlpatterns = [
    path("boom", raising_view, name="boom"),
    path("plain", plain_view, name="plain"),
    path("query", querying_view, name="query"),
]


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def client() -> Client:
    """A client that receives a 500 as a response, as a real one would, rather than the exception."""
    return Client(raise_request_exception=False)


# --- Requests ---------------------------------------------------------------------------------


def test_a_response_is_counted_by_status_view_and_method_with_its_latency(client: Client) -> None:
    before = {
        "responses": value(RESPONSES, status="401", view="todo-list", method="GET"),
        "requests": value(REQUESTS, view="todo-list", transport="http", method="GET"),
        "latency": value(LATENCY_COUNT, view="todo-list", method="GET"),
        "received": value("django_http_requests_before_middlewares_total"),
        "by scope": value(BY_SCOPE, scope="api", status_class="4xx"),
        "scope latency": value(SCOPE_LATENCY_COUNT, scope="api"),
    }

    assert client.get("/api/v1/todos").status_code == 401

    assert value(RESPONSES, status="401", view="todo-list", method="GET") == before["responses"] + 1
    assert value(REQUESTS, view="todo-list", transport="http", method="GET") == before["requests"] + 1
    assert value(LATENCY_COUNT, view="todo-list", method="GET") == before["latency"] + 1
    assert value("django_http_requests_before_middlewares_total") == before["received"] + 1
    assert value(BY_SCOPE, scope="api", status_class="4xx") == before["by scope"] + 1
    assert value(SCOPE_LATENCY_COUNT, scope="api") == before["scope latency"] + 1


def test_a_secure_request_is_counted_as_https(client: Client) -> None:
    before = value(REQUESTS, view="todo-list", transport="https", method="GET")

    client.get("/api/v1/todos", secure=True)

    assert value(REQUESTS, view="todo-list", transport="https", method="GET") == before + 1


def test_a_path_matching_no_pattern_is_an_unnamed_view_and_no_view_request(client: Client) -> None:
    before = value(RESPONSES, status="404", view="<unnamed view>", method="GET")

    assert client.get("/no-such-page").status_code == 404

    assert value(RESPONSES, status="404", view="<unnamed view>", method="GET") == before + 1
    assert value(REQUESTS, view="<unnamed view>", transport="http", method="GET") == 0


def test_a_method_nobody_defined_is_one_label_value(client: Client) -> None:
    # Refused before or after authentication: either way one label value, not "BREW".
    statuses = ("401", "405")
    before = sum(
        value(RESPONSES, status=status, view="todo-list", method="<invalid method>") for status in statuses
    )

    assert str(client.generic("BREW", "/api/v1/todos").status_code) in statuses

    total = sum(
        value(RESPONSES, status=status, view="todo-list", method="<invalid method>") for status in statuses
    )
    assert total == before + 1
    assert not value(LATENCY_COUNT, view="todo-list", method="BREW")


@pytest.mark.urls(__name__)
def test_an_exception_in_a_view_is_counted_by_class_and_as_a_500(client: Client) -> None:
    exceptions_before = value("django_http_exceptions_total_by_type_total", type="Boom")
    responses_before = value(RESPONSES, status="500", view="boom", method="GET")
    by_scope_before = value(BY_SCOPE, scope="other", status_class="5xx")

    assert client.get("/boom").status_code == 500

    assert value("django_http_exceptions_total_by_type_total", type="Boom") == exceptions_before + 1
    assert value(RESPONSES, status="500", view="boom", method="GET") == responses_before + 1
    assert value(BY_SCOPE, scope="other", status_class="5xx") == by_scope_before + 1


# --- By scope: what the error ratio, the latency heatmap and the HTTP alerts read ---------------


def test_every_scope_and_status_class_exists_at_zero_before_any_request() -> None:
    exported = {
        (sample.name, tuple(sorted(sample.labels.items())))
        for family in REGISTRY.collect()
        if family.name in ("http_responses", "http_request_duration_seconds")
        for sample in family.samples
    }

    for scope in SCOPES:
        assert ("http_request_duration_seconds_count", (("scope", scope),)) in exported
        for status_class in STATUS_CLASSES:
            assert (BY_SCOPE, (("scope", scope), ("status_class", status_class))) in exported


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("/api/v1/todos", "api"),
        ("/api/schema/", "api"),
        ("/admin/", "admin"),
        ("/admin/no-such-page/", "admin"),
        ("/metrics", "probe"),
        ("/health/live", "probe"),
        ("/health/database/performance", "probe"),
        ("/monitoring/status/", "other"),
        ("/no-such-page", "other"),
    ],
)
def test_a_response_is_counted_in_the_scope_of_the_pattern_it_matched(
    client: Client, path: str, scope: str
) -> None:
    def counted() -> float:
        return sum(value(BY_SCOPE, scope=scope, status_class=status_class) for status_class in STATUS_CLASSES)

    before = counted(), value(SCOPE_LATENCY_COUNT, scope=scope)

    client.get(path)

    assert (counted(), value(SCOPE_LATENCY_COUNT, scope=scope)) == (before[0] + 1, before[1] + 1)


def test_off_the_middleware_is_left_out(settings: Settings) -> None:
    settings.OBSERVABILITY_ENABLED = False

    with pytest.raises(MiddlewareNotUsed):
        PrometheusMiddleware(plain_view)


@pytest.mark.urls(__name__)
def test_the_series_nobody_reads_are_not_exported(client: Client) -> None:
    client.get("/plain")
    User.objects.exists()

    exported = {family.name for family in REGISTRY.collect()}

    assert {
        "django_http_requests_before_middlewares",
        "django_http_requests_latency_seconds_by_view_method",
        "django_db_query_duration_seconds",
    } <= exported
    assert not exported & {
        "django_http_requests_latency_including_middlewares_seconds",
        "django_http_requests_total_by_method",
        "django_http_requests_total_by_transport",
        "django_http_requests_body_total_bytes",
        "django_http_responses_total_by_status",
        "django_http_responses_body_total_bytes",
        "django_http_responses_total_by_charset",
        "django_http_responses_total_by_templatename",
        "django_http_responses_streaming",
        "django_http_exceptions_total_by_view",
        "django_http_ajax_requests",
        "django_db_execute",
        "django_db_execute_many",
    }


# --- Database ---------------------------------------------------------------------------------


def test_each_statement_is_observed_in_the_duration_histogram() -> None:
    labels = {"alias": DEFAULT_DB_ALIAS, "vendor": connection.vendor}
    User.objects.exists()  # connected: the wrapper is installed
    before = value("django_db_query_duration_seconds_count", **labels)

    User.objects.exists()
    User.objects.count()

    assert value("django_db_query_duration_seconds_count", **labels) == before + 2


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("query", ["", "?fail"])
def test_a_requests_statements_are_observed_when_it_ends_even_if_it_fails(client: Client, query: str) -> None:
    labels = {"alias": DEFAULT_DB_ALIAS, "vendor": connection.vendor}
    User.objects.exists()  # connected: the wrapper is installed
    before = value("django_db_query_duration_seconds_count", **labels)

    client.get("/query" + query)

    assert value("django_db_query_duration_seconds_count", **labels) == before + 3


def test_observing_durations_together_gives_what_observing_them_one_by_one_gives() -> None:
    def histogram() -> Histogram:
        return Histogram("d", "d", buckets=(0.001, 0.01, 0.1, 1), registry=CollectorRegistry())

    durations = [0.0005, 0.001, 0.003, 0.003, 0.02, 0.5, 7.0]  # a bound itself is in its bucket
    one_by_one, together = histogram(), histogram()
    for seconds in durations:
        one_by_one.observe(seconds)

    observe_all(together, durations)

    def samples(h: Histogram) -> dict[str, float]:
        return {f"{s.name}{s.labels}": s.value for metric in h.collect() for s in metric.samples}

    expected, got = samples(one_by_one), samples(together)
    assert got.pop("d_sum{}") == pytest.approx(expected.pop("d_sum{}"))
    assert got == expected


class UniqueViolation(Exception):
    """Stands for the driver's class (psycopg.errors.UniqueViolation)."""


@pytest.fixture
def wrapper() -> StatementWrapper:
    return StatementWrapper(alias="test-alias", vendor="test-vendor", threshold_seconds=60)


def test_a_failed_statement_is_counted_by_the_drivers_exception_class(wrapper: StatementWrapper) -> None:
    labels = {"alias": "test-alias", "vendor": "test-vendor"}
    before = value("django_db_errors_total", type="UniqueViolation", **labels)
    observed_before = value("django_db_query_duration_seconds_count", **labels)

    def failing(*_: object) -> None:
        # What Django's wrap_database_errors does with the driver's exception.
        try:
            raise UniqueViolation("duplicate key")
        except UniqueViolation as error:
            raise IntegrityError("duplicate key") from error

    with pytest.raises(IntegrityError):
        wrapper(failing, "INSERT ...", [], False, {})

    assert value("django_db_errors_total", type="UniqueViolation", **labels) == before + 1
    assert value("django_db_errors_total", type="IntegrityError", **labels) == 0
    assert value("django_db_query_duration_seconds_count", **labels) == observed_before + 1


def test_a_real_failed_statement_is_counted() -> None:
    labels = {"alias": DEFAULT_DB_ALIAS, "vendor": connection.vendor}

    def errors() -> float:
        return sum(
            sample.value
            for family in REGISTRY.collect()
            if family.name == "django_db_errors"
            for sample in family.samples
            if sample.name == "django_db_errors_total" and labels.items() <= sample.labels.items()
        )

    before = errors()

    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")

    assert errors() == before + 1


@pytest.fixture
def database() -> SimpleNamespace:
    return SimpleNamespace(alias="test-alias", vendor="test-vendor")


def test_a_connection_taken_is_counted(database: SimpleNamespace) -> None:
    before = value("django_db_new_connections_total", alias="test-alias", vendor="test-vendor")

    assert (
        ConnectionCounter(database)(lambda params: f"a connection to {params}", "db") == "a connection to db"
    )

    assert value("django_db_new_connections_total", alias="test-alias", vendor="test-vendor") == before + 1
    assert not value("django_db_new_connection_errors_total", alias="test-alias", vendor="test-vendor")


def test_a_connection_that_fails_is_counted_as_taken_and_failed(database: SimpleNamespace) -> None:
    labels = {"alias": "test-alias", "vendor": "test-vendor"}
    taken = value("django_db_new_connections_total", **labels)
    failed = value("django_db_new_connection_errors_total", **labels)

    def refused(params: str) -> None:
        raise ConnectionRefusedError("the database is down")

    with pytest.raises(ConnectionRefusedError):
        ConnectionCounter(database)(refused, "db")

    assert value("django_db_new_connections_total", **labels) == taken + 1
    assert value("django_db_new_connection_errors_total", **labels) == failed + 1


@pytest.fixture
def another_connection() -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own to the same database, as another thread would open."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    yield other
    other.close()


def test_the_configured_backend_counts_its_connections(another_connection: BaseDatabaseWrapper) -> None:
    labels = {"alias": DEFAULT_DB_ALIAS, "vendor": another_connection.vendor}
    before = value("django_db_new_connections_total", **labels)

    another_connection.ensure_connection()

    assert another_connection.settings_dict["ENGINE"].startswith("monitoring.backends.")
    assert value("django_db_new_connections_total", **labels) == before + 1
