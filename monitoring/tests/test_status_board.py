"""/monitoring/status/: staff only, one card per component with its colour, latency and error."""

import re

import pytest
from django.test import Client

from assistant.users.tests.factories import UserFactory
from monitoring import health
from monitoring.health import Check, HealthMonitor

pytestmark = pytest.mark.django_db

URL = "/monitoring/status/"


def returning(status: str, **fields) -> health.CheckFunction:
    return lambda: {"status": status, **fields}


@pytest.fixture(autouse=True)
def monitor(monkeypatch) -> HealthMonitor:
    monitor = HealthMonitor(
        lambda: [
            Check(
                "database", returning("healthy", detail="sqlite: SELECT 1 in 1 ms"), timeout=1, critical=True
            ),
            Check("cache", returning("unhealthy", error="ConnectionError: refused"), timeout=1),
            Check("celery_beat", returning("degraded", error="no tick for 130 s"), timeout=1),
        ]
    )
    monkeypatch.setattr(health, "monitor", monitor)
    return monitor


def signed_in(*, is_staff: bool) -> Client:
    user = UserFactory()
    user.is_staff = is_staff
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_the_admin_login():
    response = Client().get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={URL}"


def test_people_who_are_not_staff_are_sent_to_the_admin_login():
    response = signed_in(is_staff=False).get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_admin_requires_the_authenticator_code_and_so_does_the_board(settings):
    settings.ADMIN_REQUIRE_MFA = True

    response = signed_in(is_staff=True).get(URL)

    assert response.status_code == 302


def test_staff_see_the_overall_status_and_a_card_per_component():
    response = signed_in(is_staff=True).get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert re.search(r'id="health-overall" data-status="degraded"', html)
    assert "! Degraded" in html
    cards = re.findall(r'<li class="health-card status-(\w+)" data-component="(\w+)"', html)
    assert cards == [("healthy", "database"), ("unhealthy", "cache"), ("degraded", "celery_beat")]
    assert "<h2>Cache</h2>" in html
    assert "ConnectionError: refused" in html
    assert "sqlite: SELECT 1 in 1 ms" in html
    assert re.search(r'data-field="latency">\d+\.\d ms<', html)


def test_the_page_refreshes_from_the_overall_report_that_the_edge_serves(settings):
    settings.METRICS_TOKEN = "prometheus-only"
    staff = signed_in(is_staff=True)
    html = staff.get(URL).content.decode()

    assert 'data-health-url="/monitoring/status/checks"' in html
    assert staff.get("/monitoring/status/checks").json()["services"]["cache"] == "unhealthy"
    assert Client().get("/monitoring/status/checks").status_code == 401
    assert 'data-refresh-seconds="10"' in html
    assert '<meta http-equiv="refresh" content="10">' in html  # inside <noscript>
    # The admin's own scripts, served by us: nothing from a CDN.
    assert all(src.startswith("/static/") for src in re.findall(r'<script src="([^"]+)"', html))


def test_the_admin_index_links_to_the_board():
    page = signed_in(is_staff=True).get("/admin/")

    assert page.status_code == 200
    assert 'href="/monitoring/status/"' in page.content.decode()
