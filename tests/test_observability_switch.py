"""OBSERVABILITY_ENABLED: off only for the benchmarks' comparison, it drops the request,
statement, connection and cache-read metrics, our JSON request log line and the slow-query
wrapper; on (the default), all are there."""

import json
import os
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from pytest_django.fixtures import Settings

from deploy.local.processes import run
from monitoring.db import StatementWrapper
from tests.logs import captured_logs


def test_it_is_on_by_default(settings: Settings) -> None:
    assert settings.OBSERVABILITY_ENABLED is True


def test_on_each_request_is_logged_once() -> None:
    with captured_logs() as logs:
        response = Client().get("/health/live")
    assert [line["path"] for line in logs.requests()] == ["/health/live"]
    assert response["X-Request-ID"]


def test_off_no_request_line_is_logged_but_the_request_id_stays(settings: Settings) -> None:
    settings.OBSERVABILITY_ENABLED = False
    with captured_logs() as logs:
        response = Client().get("/health/live", headers={"X-Request-ID": "bench-1"})
    assert response.status_code == 200
    assert logs.requests() == []
    assert response["X-Request-ID"] == "bench-1"


def test_on_each_connection_times_its_statements() -> None:
    """Off, the backends are Django's own, without the wrapper: the process test below."""
    assert any(isinstance(wrapper, StatementWrapper) for wrapper in connection.execute_wrappers)


# In a process of its own: the backends are chosen when the settings load. A request, a
# statement and a cache read, then which instrumented series counted something.
_SERIES_WRITTEN = """
import json, sys
from pathlib import Path
import django
django.setup()
from django.core.cache import cache
from django.test import Client
from django.db import connection
from prometheus_client import REGISTRY
Client().get("/api/v1/todos")
with connection.cursor() as cursor:
    cursor.execute("SELECT 1")
cache.get("anything")
prefixes = ("django_http_", "http_", "django_db_", "django_cache_")
Path(sys.argv[1]).write_text(json.dumps(sorted({
    family.name
    for family in REGISTRY.collect()
    if family.name.startswith(prefixes) and any(sample.value for sample in family.samples)
})))
"""


def _series_written(observability: str, tmp_path: Path) -> list[str]:
    output = tmp_path / f"series-{observability}.json"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "OBSERVABILITY_ENABLED": observability,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    run([sys.executable, "-c", _SERIES_WRITTEN, str(output)], env=env, timeout=120)
    return json.loads(output.read_text())


@pytest.mark.processes
def test_off_no_request_statement_or_cache_metric_is_written(tmp_path: Path) -> None:
    assert _series_written("false", tmp_path) == []


@pytest.mark.processes
def test_on_requests_statements_and_cache_reads_are_counted(tmp_path: Path) -> None:
    assert {
        "django_http_requests_before_middlewares",
        "django_http_responses_total_by_status_view_method",
        "http_responses",
        "http_request_duration_seconds",
        "django_db_new_connections",
        "django_db_query_duration_seconds",
        "django_cache_get",
    } <= set(_series_written("true", tmp_path))
