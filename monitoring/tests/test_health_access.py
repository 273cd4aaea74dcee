"""Who may read what /health/ says: live and ready tell anyone a verdict and nothing more;
the detailed pages (check names, timings, pool sizes, error summaries) need the metrics
token or a staff session, and refuse everyone else in the API's error shape."""

import pytest
from django.test import Client

from assistant.users.models import SecurityEvent
from assistant.users.tests.factories import UserFactory
from monitoring import health
from monitoring.health import Check, HealthMonitor

pytestmark = pytest.mark.django_db

TOKEN = "scrape-and-probe-token"
DETAILED = [
    "/health/overall",
    "/health/database",
    "/health/database/performance",
    "/health/redis",
    "/health/celery",
]
# What a check result would give away: a component's name and its error.
SECRET_LOOKING_ERROR = "OperationalError: connection to db-primary.internal:5432 refused"


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


@pytest.fixture(autouse=True)
def failing_database(monkeypatch):
    """Every check the pages ask for answers, the database with an error worth hiding."""

    def check(name: str, status: str, **fields: object) -> Check:
        return Check(name, lambda: {"status": status, **fields}, timeout=1, critical=name == "database")

    monitor = HealthMonitor(
        lambda: [
            check("database", "unhealthy", error=SECRET_LOOKING_ERROR),
            check("migrations", "healthy", detail="all migrations applied"),
            check("database_performance", "healthy"),
            check("cache", "healthy"),
            check("broker", "healthy"),
            check("celery_workers", "healthy"),
            check("celery_beat", "healthy"),
        ]
    )
    monkeypatch.setattr(health, "monitor", monitor)


def signed_in(*, is_staff: bool) -> Client:
    user = UserFactory()
    user.is_staff = is_staff
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def assert_refused(response, status: int, code: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert "database" not in response.content.decode()


@pytest.mark.parametrize("path", DETAILED)
def test_anonymous_callers_get_no_health_details(path):
    response = Client().get(path)

    assert_refused(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="health"'


@pytest.mark.parametrize("path", DETAILED)
def test_a_wrong_token_gets_no_health_details_and_is_recorded(path):
    response = Client(headers={"Authorization": "Bearer guessed-" + TOKEN}).get(path)

    assert_refused(response, 401, "authentication_failed")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.INVALID_TOKEN).count() == 1


@pytest.mark.parametrize("path", DETAILED)
def test_signed_in_people_who_are_not_staff_get_no_health_details(path):
    response = signed_in(is_staff=False).get(path)

    assert_refused(response, 403, "permission_denied")


@pytest.mark.parametrize("path", DETAILED)
def test_the_metrics_token_reads_the_details(path):
    response = Client(headers={"Authorization": f"Bearer {TOKEN}"}).get(path)

    body = response.json()
    assert response.status_code in (200, 503)
    assert body["status"] in ("healthy", "degraded", "unhealthy")
    assert not isinstance(body.get("error"), dict)  # a check's error summary, not a refusal


def test_the_metrics_token_and_a_staff_session_see_why_the_database_fails():
    by_token = Client(headers={"Authorization": f"Bearer {TOKEN}"}).get("/health/overall")
    by_staff = signed_in(is_staff=True).get("/health/overall")

    for response in (by_token, by_staff):
        assert response.status_code == 503
        assert response.json()["checks"]["database"]["error"] == SECRET_LOOKING_ERROR


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
def test_live_and_ready_tell_anyone_only_a_verdict(path):
    response = Client().get(path)

    assert response.status_code in (200, 503)
    assert set(response.json()) == {"status", "timestamp"}
    assert "database" not in response.content.decode()


def test_ready_says_not_ready_while_the_database_fails():
    response = Client().get("/health/ready")

    assert (response.status_code, response.json()["status"]) == (503, "unhealthy")
