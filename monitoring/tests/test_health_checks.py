"""The built-in checks (monitoring/checks.py), against the configured stores and dead ones.

`dead_database`, `dead_redis` and `registry_with` are used by the endpoint and command tests
too: a dead store is a fresh alias pointed at a port that refuses connections (or accepts
them and never answers), so the connections the rest of the suite uses are never touched.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from functools import partial
from types import SimpleNamespace

import pytest
from celery import current_app
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper
from django.test import override_settings
from django.utils.timezone import now
from prometheus_client import REGISTRY

from assistant.core.thresholds import Threshold
from monitoring import business, checks, health
from monitoring.health import Check, Status
from monitoring.models import Heartbeat
from tests.fakes.twilio_server import refusing_server, silent_server


@pytest.fixture
def database_access(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The test database, but outside the test case's transaction: pytest-django's test case
    refuses connections to any alias it was not told about, and a dead one cannot be set up.
    For tests that only read."""
    with django_db_blocker.unblock():
        yield


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def finish_abandoned_checks() -> None:
    """Wait for checks a test left running (their server is gone, so they end quickly): the
    next test must not find its component still in flight."""
    for thread in threading.enumerate():
        if thread.name.startswith("health-check-"):
            thread.join(timeout=10)


@contextmanager
def postgres_alias(host: str, port: int) -> Iterator[str]:
    """A database alias for a PostgreSQL at host:port, configured as production's (psycopg's
    pool as config/settings builds it, with its 3 s timeout; connect_timeout 5)."""
    alias = "dead_database"
    connections.settings[alias] = {
        **connections.settings[DEFAULT_DB_ALIAS],
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "assistant",
        "USER": "assistant",
        "PASSWORD": "",
        "HOST": host,
        "PORT": port,
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"connect_timeout": 5, "pool": settings.DATABASE_POOL},
    }
    try:
        yield alias
    finally:
        del connections.settings[alias]
        # Pools are kept per alias by the backend's class: the next test's alias is another server.
        if pool := PostgresWrapper._connection_pools.pop(alias, None):
            pool.close(timeout=1)
    finish_abandoned_checks()


@contextmanager
def dead_database(*, silent: bool = False) -> Iterator[str]:
    """A database alias whose PostgreSQL refuses connections (or never answers)."""
    with (
        silent_server() if silent else refusing_server() as url,
        postgres_alias("127.0.0.1", _port(url)) as alias,
    ):
        yield alias


@contextmanager
def dead_redis(*, silent: bool = False) -> Iterator[str]:
    """A django-redis cache alias whose Redis refuses connections (or never answers)."""
    with silent_server() if silent else refusing_server() as url:
        location = f"redis://127.0.0.1:{_port(url)}/0"
        dead = {
            "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
        with override_settings(CACHES={**settings.CACHES, "dead_redis": dead}):
            yield "dead_redis"
    finish_abandoned_checks()


def registry_with(**functions: health.CheckFunction) -> Callable[[], list[Check]]:
    """The real registry, with some components' check functions replaced."""
    return lambda: [
        replace(check, function=functions.get(check.component, check.function))
        for check in health.registered_checks()
    ]


def run_one(component: str, function: health.CheckFunction, timeout: float) -> health.CheckResult:
    return health.run_checks([Check(component, function, timeout=timeout)])[component]


# --- Database -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_check_runs_select_1_and_reports_the_pool():
    result = checks.database()

    assert result["status"] is Status.HEALTHY
    assert result["vendor"] == connection.vendor
    assert result["response_time_ms"] > 0
    if connection.vendor == "postgresql":
        pool = result["connection_pool"]
        assert pool["size"] >= 1
        assert pool["active"] + pool["idle"] == pool["size"]
        assert pool["max_size"] == settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]
    else:
        assert result["connection_pool"] is None  # SQLite: one connection per thread


@pytest.mark.django_db
def test_a_slow_database_is_degraded_not_unhealthy(monkeypatch):
    monkeypatch.setattr(checks, "_milliseconds_since", lambda started: 750.0)

    result = checks.database()

    assert result["status"] is Status.DEGRADED
    assert "SELECT 1 in 750 ms" in result["detail"]


def test_pool_stats_count_active_and_idle_connections_and_efficiency():
    stats = {"pool_min": 1, "pool_max": 10, "pool_size": 4, "pool_available": 1, "requests_num": 200}
    fake = SimpleNamespace(pool=SimpleNamespace(get_stats=lambda: {**stats, "requests_queued": 10}))

    pool = checks.pool_stats(fake)

    assert (pool["size"], pool["active"], pool["idle"], pool["max_size"]) == (4, 3, 1, 10)
    assert checks.connection_efficiency(pool) == 95.0
    assert checks.connection_efficiency(None) is None


@pytest.mark.usefixtures("database_access")
def test_a_database_that_refuses_connections_is_unhealthy_at_once():
    with dead_database() as alias:
        started = time.perf_counter()
        result = run_one("database", partial(checks.database, alias), timeout=3.0)

    # Not the pool's "couldn't get a connection after 3.00 sec": the check's own connection.
    assert time.perf_counter() - started < 1.0
    assert result.status is Status.UNHEALTHY
    assert result.error.startswith("OperationalError")
    assert result.data["cause"] == "connection refused"


@pytest.mark.usefixtures("database_access")
def test_a_database_that_never_answers_times_out_within_its_limit():
    with dead_database(silent=True) as alias:
        started = time.perf_counter()
        result = run_one("database", partial(checks.database, alias), timeout=0.3)
        elapsed = time.perf_counter() - started

    assert elapsed < 0.6
    assert (result.status, result.error) == (Status.UNHEALTHY, "timed out after 0.3 s")


@pytest.mark.django_db
def test_readiness_needs_every_migration_applied(monkeypatch):
    monkeypatch.setattr(checks, "_migrated_aliases", set())
    assert checks.migrations()["status"] is Status.HEALTHY

    monkeypatch.setattr(checks, "_migrated_aliases", set())
    monkeypatch.setattr(checks.MigrationExecutor, "migration_plan", lambda self, targets: [("a", False)] * 2)
    result = checks.migrations()

    assert (result["status"], result["error"]) == (Status.UNHEALTHY, "2 migration(s) not applied")


@pytest.mark.django_db
def test_database_performance_reports_the_recent_p95_and_slow_queries(monkeypatch, settings):
    settings.DATABASE_SLOW_QUERY_MS = 100
    durations = health.QueryDurations()
    monkeypatch.setattr(checks, "query_durations", durations)
    for milliseconds in [5] * 38 + [150, 400]:
        durations.record(milliseconds / 1000)

    result = checks.database_performance()

    metrics = result["metrics"]
    assert result["status"] is Status.HEALTHY
    assert (metrics["response_time_p95_ms"], metrics["slow_query_count"], metrics["sample_size"]) == (
        5,
        2,
        40,
    )
    if connection.vendor == "postgresql":
        assert metrics["connection_efficiency"] is not None
        assert result["tables"]["indexes"] > 0
        assert isinstance(result["tables"]["index_usage_percentage"], float)  # JSON numbers, not Decimal
        assert 0 <= result["tables"]["index_usage_percentage"] <= 100
    else:
        assert result["tables"] is None
        assert metrics["connection_efficiency"] is None


@pytest.mark.django_db
def test_database_performance_is_degraded_when_the_p95_is_a_slow_query(monkeypatch, settings):
    settings.DATABASE_SLOW_QUERY_MS = 100
    durations = health.QueryDurations()
    monkeypatch.setattr(checks, "query_durations", durations)
    for _ in range(20):
        durations.record(0.2)

    assert checks.database_performance()["status"] is Status.DEGRADED


def test_record_query_durations_feeds_the_performance_endpoints_buffer(monkeypatch):
    durations = health.QueryDurations()
    monkeypatch.setattr(health, "query_durations", durations)

    health.record_query_durations([0.012])

    assert durations.summary(slow_seconds=1).sample_size == 1


# --- Cache --------------------------------------------------------------------------------


def test_the_cache_check_makes_a_round_trip():
    result = checks.cache()

    assert result["status"] is Status.HEALTHY
    assert result["round_trip_ms"] >= 0
    if settings.REDIS_URL:
        assert result["ping_ms"] > 0
        assert result["used_memory_bytes"] > 0
        assert result["detail"].startswith("Redis")
    else:
        assert result["detail"].startswith("local memory")


def _app_cache_reads() -> float:
    """django-prometheus' count of cache reads, what LowCacheHitRate divides by."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "django_cache_get"
        for sample in metric.samples
        if sample.name == "django_cache_get_total"
    )


@pytest.mark.django_db
def test_monitorings_own_cache_reads_are_not_counted_as_the_apps():
    before = _app_cache_reads()

    checks.cache()
    business.business_snapshot_cached()
    after_monitoring = _app_cache_reads()
    caches["default"].get("a-key-the-app-reads")

    assert after_monitoring == before
    assert _app_cache_reads() == before + 1
    # The same store: what monitoring caches, the app's alias sees.
    assert caches["default"].get(business.CACHE_KEY) is not None


def test_a_cache_that_loses_what_it_was_given_is_unhealthy(monkeypatch):
    monkeypatch.setattr(checks.caches[settings.MONITORING_CACHE_ALIAS], "get", lambda key: None)

    result = checks.cache()

    assert (result["status"], result["error"]) == (
        Status.UNHEALTHY,
        "a value written to the cache was not read back",
    )


def test_a_redis_that_refuses_connections_is_unhealthy_at_once():
    with dead_redis() as alias:
        started = time.perf_counter()
        result = run_one("cache", partial(checks.cache, alias), timeout=1.5)

    assert time.perf_counter() - started < 1.0
    assert result.status is Status.UNHEALTHY
    assert "ConnectionError" in result.error


def test_a_redis_that_never_answers_times_out_within_its_limit():
    with dead_redis(silent=True) as alias:
        started = time.perf_counter()
        result = run_one("cache", partial(checks.cache, alias), timeout=0.3)
        elapsed = time.perf_counter() - started

    assert elapsed < 0.6
    assert (result.status, result.error) == (Status.UNHEALTHY, "timed out after 0.3 s")


# --- Celery -------------------------------------------------------------------------------


def test_the_filesystem_broker_is_healthy_while_its_folders_exist(settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
    }
    assert checks.broker()["status"] is Status.HEALTHY

    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "gone"),
        "data_folder_out": "/",
    }
    result = checks.broker()

    assert (result["status"], result["error"]) == (Status.UNHEALTHY, "queue folder missing")


def test_a_broker_that_refuses_connections_raises_without_retrying(settings):
    with refusing_server() as url:
        settings.CELERY_BROKER_URL = f"redis://:secret@127.0.0.1:{_port(url)}/0"
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
        started = time.perf_counter()
        result = run_one("broker", checks.broker, timeout=2.0)

    assert time.perf_counter() - started < 1.0
    assert result.status is Status.UNHEALTHY
    assert "secret" not in result.error


def test_a_reachable_broker_is_healthy(settings):
    if not settings.REDIS_URL:
        # Embedded: the machine's broker is the filesystem, checked above.
        assert settings.CELERY_BROKER_URL == "filesystem://"
        return
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    result = checks.broker()

    assert (result["status"], result["transport"]) == (Status.HEALTHY, "redis")


def test_eager_tasks_need_no_worker(settings):
    assert current_app.conf.task_always_eager  # the test settings

    assert checks.celery_workers()["status"] is Status.HEALTHY


def test_workers_are_pinged_and_the_first_answer_is_enough(monkeypatch, settings):
    settings.HEALTH_CHECK_TIMEOUTS = {**settings.HEALTH_CHECK_TIMEOUTS, "celery_workers": 2.0}
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    pings = []

    def ping(**options):
        pings.append(options)
        return [{"celery@worker-1": {"ok": "pong"}}]

    monkeypatch.setattr(current_app.control, "ping", ping)

    result = checks.celery_workers()

    assert pings == [{"timeout": 1.6, "limit": 1}]
    assert (result["status"], result["workers_answering"]) == (Status.HEALTHY, 1)


def test_no_worker_answering_is_unhealthy_before_the_checks_limit(monkeypatch, settings):
    settings.HEALTH_CHECK_TIMEOUTS = {**settings.HEALTH_CHECK_TIMEOUTS, "celery_workers": 0.3}
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)

    result = run_one("celery_workers", checks.celery_workers, timeout=0.3)

    assert (result.status, result.error) == (Status.UNHEALTHY, "no worker answered a ping within 0.2 s")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("age_seconds", "status"),
    [(10, Status.HEALTHY), (130, Status.DEGRADED), (400, Status.UNHEALTHY)],
)
def test_beat_is_judged_by_the_age_of_its_heartbeat(age_seconds, status):
    Heartbeat.objects.update_or_create(
        name="beat", defaults={"beat_at": now() - timedelta(seconds=age_seconds)}
    )

    result = checks.celery_beat()

    assert result["status"] is status
    assert round(result["age_seconds"]) == age_seconds


@pytest.mark.django_db
def test_beat_without_a_heartbeat_is_unhealthy():
    Heartbeat.objects.filter(name="beat").delete()

    assert checks.celery_beat() == {"status": Status.UNHEALTHY, "error": "no heartbeat from Celery beat yet"}


# --- This host ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "threshold", "status"),
    [
        (0.5, Threshold(0.8, 0.9, "percentunit", ""), Status.HEALTHY),
        (0.8, Threshold(0.8, 0.9, "percentunit", ""), Status.DEGRADED),
        (0.95, Threshold(0.8, 0.9, "percentunit", ""), Status.UNHEALTHY),
        (0.6, Threshold(0.8, 0.5, "percentunit", "", lower_is_worse=True), Status.DEGRADED),
        (0.4, Threshold(0.8, 0.5, "percentunit", "", lower_is_worse=True), Status.UNHEALTHY),
        (5, Threshold(None, 1, "short", "", lower_is_worse=True), Status.HEALTHY),
    ],
)
def test_grade_reads_a_threshold_either_way(value, threshold, status):
    assert checks.grade(value, threshold) is status


@pytest.mark.parametrize(
    ("used", "status"), [(50, Status.HEALTHY), (85, Status.DEGRADED), (95, Status.UNHEALTHY)]
)
def test_disk_is_judged_by_the_share_in_use(monkeypatch, used, status):
    usage = SimpleNamespace(total=100 * 2**30, used=used * 2**30, free=(100 - used) * 2**30)
    monkeypatch.setattr(checks.shutil, "disk_usage", lambda path: usage)

    result = checks.disk()

    assert (result["status"], result["used_ratio"], result["free_bytes"]) == (status, used / 100, usage.free)


def test_memory_reads_the_cgroups_working_set_when_it_has_a_limit(monkeypatch, tmp_path):
    (tmp_path / "memory.max").write_text(f"{4 * 2**30}\n")
    (tmp_path / "memory.current").write_text(f"{4 * 2**30}\n")
    (tmp_path / "memory.stat").write_text(f"anon 1\ninactive_file {2**30}\nactive_file 5\n")
    monkeypatch.setattr(checks, "_CGROUP", tmp_path)

    result = checks.memory()

    assert (result["source"], result["used_bytes"], result["used_ratio"]) == ("cgroup", 3 * 2**30, 0.75)
    assert result["status"] is Status.HEALTHY


def test_memory_falls_back_to_the_host_without_a_cgroup_limit(monkeypatch, tmp_path):
    (tmp_path / "memory.max").write_text("max\n")
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       1000000 kB\nMemFree:   10 kB\nMemAvailable:     40000 kB\n")
    monkeypatch.setattr(checks, "_CGROUP", tmp_path)
    monkeypatch.setattr(checks, "_MEMINFO", meminfo)

    result = checks.memory()

    assert (result["source"], result["used_ratio"], result["status"]) == ("host", 0.96, Status.UNHEALTHY)
    assert "96%" in result["error"]
