"""The health collector: health_check_status, health_check_duration_seconds and
database_health_status from the cached results, without a scrape ever waiting for a check."""

import threading
import time

import prometheus_client
import pytest
from prometheus_client.parser import text_string_to_metric_families

from monitoring import health
from monitoring.health import Check, HealthMonitor
from monitoring.metrics import COLLECTORS, HealthCollector
from monitoring.tests.health_support import wait_for_background_refresh


def returning(status: str) -> health.CheckFunction:
    return lambda: {"status": status}


def scrape() -> dict[str, dict[tuple, float]]:
    registry = prometheus_client.CollectorRegistry(auto_describe=True)
    registry.register(HealthCollector())
    exposition = prometheus_client.generate_latest(registry).decode()
    return {
        family.name: {tuple(sorted(sample.labels.items())): sample.value for sample in family.samples}
        for family in text_string_to_metric_families(exposition)
    }


@pytest.fixture
def monitor(monkeypatch) -> HealthMonitor:
    monitor = HealthMonitor(
        lambda: [
            Check("database", returning("degraded"), timeout=1, critical=True),
            Check("cache", returning("unhealthy"), timeout=1),
            Check("disk", returning("healthy"), timeout=1),
            Check("migrations", returning("healthy"), timeout=1, in_overall=False),
        ]
    )
    monkeypatch.setattr(health, "monitor", monitor)
    return monitor


def test_each_component_is_exported_with_its_status_and_duration(monitor):
    monitor.report()

    families = scrape()

    assert families["health_check_status"] == {
        (("component", "database"),): 0.5,
        (("component", "cache"),): 0.0,
        (("component", "disk"),): 1.0,
    }
    assert set(families["health_check_duration_seconds"]) == set(families["health_check_status"])
    assert all(0 <= value < 1 for value in families["health_check_duration_seconds"].values())
    # Slow is still up: database_health_status only drops when the database does not answer.
    assert families["database_health_status"] == {(): 1.0}


def test_an_unhealthy_database_reads_0(monkeypatch):
    monitor = HealthMonitor(lambda: [Check("database", returning("unhealthy"), timeout=1, critical=True)])
    monkeypatch.setattr(health, "monitor", monitor)
    monitor.report()

    assert scrape()["database_health_status"] == {(): 0.0}


def test_an_internal_error_reads_degraded_and_leaves_the_database_up_or_down_unsaid(monkeypatch):
    def half_imported() -> dict:
        raise ImportError("cannot import name 'pool' from partially initialized module 'psycopg_pool'")

    monitor = HealthMonitor(lambda: [Check("database", half_imported, timeout=1, critical=True)])
    monkeypatch.setattr(health, "monitor", monitor)
    monitor.report()

    families = scrape()

    # Not 0: HealthCheckUnhealthy and DatabaseDown page for a dependency down, not for our bug.
    assert families["health_check_status"] == {(("component", "database"),): 0.5}
    assert families.get("database_health_status", {}) == {}


def test_a_scrape_never_waits_for_a_check_and_starts_a_refresh(monkeypatch):
    release = threading.Event()

    def hanging() -> dict:
        release.wait(5)
        return {"status": "healthy"}

    monkeypatch.setattr(health, "monitor", HealthMonitor(lambda: [Check("database", hanging, timeout=5)]))
    started = time.perf_counter()
    try:
        first = scrape()
    finally:
        release.set()
    elapsed = time.perf_counter() - started
    wait_for_background_refresh()

    assert elapsed < 0.5
    assert first.get("health_check_status", {}) == {}
    assert scrape()["health_check_status"] == {(("component", "database"),): 1.0}


@pytest.mark.django_db
def test_the_metrics_endpoint_exports_them(client, monitor, settings):
    settings.METRICS_TOKEN = ""
    monitor.report()

    exposition = client.get("/metrics").content.decode()

    assert any(isinstance(collector, HealthCollector) for collector in COLLECTORS)
    assert 'health_check_status{component="cache"} 0.0' in exposition
    assert "database_health_status 1.0" in exposition
