"""/health/*: the guide's JSON shapes, 200 while healthy or degraded, 503 when unhealthy, and a
dead dependency answered within its time limit."""

import re
import time
from datetime import timedelta
from functools import partial

import pytest
from django.utils.timezone import now
from social_django.models import UserSocialAuth

from assistant.users.tests.factories import UserFactory
from integrations.models import Integration
from monitoring import checks, health
from monitoring.health import HealthMonitor
from monitoring.models import Heartbeat
from monitoring.tests.health_support import OVERALL_COMPONENTS
from monitoring.tests.test_health_checks import (  # database_access is a fixture
    database_access,  # noqa: F401
    dead_database,
    dead_redis,
    registry_with,
)

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
# The guide's services keys, also answered for its clients: the cache, and the providers.
GUIDE_KEYS = ["redis", "external_apis"]
COMPONENT_FIELDS = {
    "status",
    "critical",
    "latency_ms",
    "checked_at",
    "detail",
    "error",
    "last_error",
    "last_error_at",
}


@pytest.fixture(autouse=True)
def fresh_monitor(monkeypatch):
    """Each test starts with nothing cached (the monitor is per process)."""
    monkeypatch.setattr(health, "monitor", HealthMonitor())


def use_registry(monkeypatch, **functions: health.CheckFunction) -> None:
    monkeypatch.setattr(health, "monitor", HealthMonitor(registry_with(**functions)))


def test_live_answers_without_touching_any_dependency(client):
    # No django_db mark: any database access here would fail the test.
    response = client.get("/health/live")

    assert response.status_code == 200
    assert response.json()["status"] == "healthy"
    assert ISO_UTC.match(response.json()["timestamp"])


@pytest.mark.django_db
def test_overall_has_the_guides_shape_with_every_component(operator):
    response = operator.get("/health/overall")

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"status", "timestamp", "checked_at", "services", "checks"}
    assert ISO_UTC.match(body["timestamp"])
    assert list(body["services"]) == [*OVERALL_COMPONENTS, *GUIDE_KEYS]
    assert list(body["checks"]) == OVERALL_COMPONENTS
    for component in body["checks"].values():
        assert set(component) >= COMPONENT_FIELDS
        assert ISO_UTC.match(component["checked_at"])
        assert component["latency_ms"] >= 0
    assert body["services"]["database"] == "healthy"
    # No heartbeat in a test database: beat is down, which only degrades the whole.
    assert (body["services"]["celery_beat"], body["status"]) == ("unhealthy", "degraded")
    assert body["checks"]["celery_beat"]["error"] == "no heartbeat from Celery beat yet"


@pytest.mark.django_db(transaction=True)  # the checks run in threads, on their own connections
def test_the_guides_external_apis_key_is_the_worst_provider(operator, settings):
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = "client-id"
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = "client-secret"
    user = UserFactory()
    social = UserSocialAuth.objects.create(user=user, provider="google-oauth2", uid="uid-1")
    Integration.objects.create(user=user, provider="google", social=social, status="error")

    services = operator.get("/health/overall").json()["services"]

    assert (services["google"], services["microsoft"], services["twilio"]) == (
        "unhealthy",
        "healthy",
        "healthy",
    )
    assert services["external_apis"] == "unhealthy"
    assert services["redis"] == services["cache"] == "healthy"


@pytest.mark.django_db
def test_probes_are_never_cached_and_accept_head_but_not_post(operator):
    response = operator.get("/health/overall")

    assert "no-store" in response["Cache-Control"]
    assert operator.head("/health/overall").status_code == 200
    assert operator.post("/health/overall").status_code == 405


@pytest.mark.django_db
def test_database_reports_the_pool_and_the_response_time(operator):
    body = operator.get("/health/database").json()

    assert {"status", "timestamp", "connection_pool", "response_time_ms", "vendor"} <= set(body)
    assert body["status"] == "healthy"
    assert body["critical"] is True


@pytest.mark.django_db
def test_database_performance_reports_p95_slow_queries_and_efficiency(operator, monkeypatch):
    durations = health.QueryDurations()
    monkeypatch.setattr(checks, "query_durations", durations)
    durations.record(0.004)

    response = operator.get("/health/database/performance")

    body = response.json()
    assert response.status_code == 200
    assert {"response_time_p95_ms", "slow_query_count", "connection_efficiency"} <= set(body["metrics"])
    assert body["metrics"]["response_time_p95_ms"] == 4.0
    assert "tables" in body


@pytest.mark.django_db
def test_redis_reports_the_cache_round_trip(operator):
    body = operator.get("/health/redis").json()

    assert body["status"] == "healthy"
    assert body["round_trip_ms"] >= 0


@pytest.mark.django_db(transaction=True)
def test_celery_is_unhealthy_while_beat_is_silent_and_healthy_once_it_ticks(operator):
    silent = operator.get("/health/celery")
    assert silent.status_code == 503
    assert silent.json()["checks"]["celery_beat"]["status"] == "unhealthy"

    Heartbeat.objects.create(name="beat", beat_at=now() - timedelta(seconds=5))
    health.monitor = HealthMonitor()  # a new process, as far as caching goes
    ticking = operator.get("/health/celery")

    body = ticking.json()
    assert ticking.status_code == 200
    assert body["status"] == "healthy"
    assert list(body["checks"]) == ["broker", "celery_workers", "celery_beat"]


@pytest.mark.django_db
def test_ready_when_the_database_answers_and_migrations_are_applied(client):
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["status"] == "healthy"


@pytest.mark.usefixtures("database_access")
def test_a_dead_database_makes_overall_ready_and_database_answer_503(operator, monkeypatch):
    with dead_database() as alias:
        use_registry(
            monkeypatch,
            database=partial(checks.database, alias),
            migrations=partial(checks.migrations, alias),
        )
        overall = operator.get("/health/overall")
        ready = operator.get("/health/ready")
        database = operator.get("/health/database")

    assert (overall.status_code, overall.json()["status"]) == (503, "unhealthy")
    assert overall.json()["checks"]["database"]["error"].startswith("OperationalError")
    assert (ready.status_code, ready.json()["status"]) == (503, "unhealthy")
    assert database.status_code == 503


@pytest.mark.usefixtures("database_access")
def test_a_database_that_never_answers_gives_503_within_its_limit(operator, monkeypatch, settings):
    settings.HEALTH_CHECK_TIMEOUTS = {**settings.HEALTH_CHECK_TIMEOUTS, "database": 0.5}
    with dead_database(silent=True) as alias:
        use_registry(monkeypatch, database=partial(checks.database, alias))
        started = time.perf_counter()
        response = operator.get("/health/overall")
        elapsed = time.perf_counter() - started

    assert response.status_code == 503
    assert response.json()["checks"]["database"]["error"] == "timed out after 0.5 s"
    assert elapsed < 1.5


@pytest.mark.django_db
@pytest.mark.parametrize("silent", [False, True], ids=["refused", "silent"])
def test_a_dead_redis_degrades_overall_within_the_caches_limit(operator, monkeypatch, settings, silent):
    settings.HEALTH_CHECK_TIMEOUTS = {**settings.HEALTH_CHECK_TIMEOUTS, "cache": 0.5}
    with dead_redis(silent=silent) as alias:
        use_registry(monkeypatch, cache=partial(checks.cache, alias))
        started = time.perf_counter()
        overall = operator.get("/health/overall")
        elapsed = time.perf_counter() - started
        redis = operator.get("/health/redis")

    assert elapsed < 1.5
    assert (overall.status_code, overall.json()["status"]) == (200, "degraded")
    assert overall.json()["services"]["cache"] == overall.json()["services"]["redis"] == "unhealthy"
    assert redis.status_code == 503
    expected_error = "timed out after 0.5 s" if silent else "ConnectionError"
    assert expected_error in redis.json()["error"]


@pytest.mark.django_db
def test_an_unhealthy_probe_is_one_warning_line(client, monkeypatch, logs):
    """A 503 here is the probe doing its job: one line, worth a look, not an error."""

    def refused() -> dict[str, object]:
        raise ConnectionRefusedError("database refused the connection")

    use_registry(monkeypatch, database=refused)

    response = client.get("/health/ready")

    assert response.status_code == 503
    about_the_request = [
        line for line in logs.lines() if line["logger"] in {"assistant.request", "django.request"}
    ]
    assert [(line["event"], line["level"], line.get("status")) for line in about_the_request] == [
        ("http_request", "WARNING", 503)
    ]
