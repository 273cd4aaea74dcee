"""manage.py health_check: fresh checks in-process, a table or JSON, and the exit code a
container HEALTHCHECK reads (0 healthy, 1 degraded, 2 unhealthy)."""

import json
import os
import subprocess
import sys
from functools import partial
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from monitoring import checks, health
from monitoring.health import Check, HealthMonitor
from monitoring.tests.test_health_checks import (  # database_access is a fixture
    database_access,  # noqa: F401
    dead_database,
    dead_redis,
    registry_with,
)

ROOT = Path(__file__).resolve().parents[2]


def returning(status: str, **fields) -> health.CheckFunction:
    return lambda: {"status": status, **fields}


def use_checks(monkeypatch, *checks: Check) -> None:
    monkeypatch.setattr(health, "monitor", HealthMonitor(lambda: list(checks)))


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("health_check", *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


DATABASE_OK = Check("database", returning("healthy", detail="SELECT 1 in 1 ms"), timeout=1, critical=True)


@pytest.mark.parametrize(("cache_status", "exit_code"), [("healthy", 0), ("degraded", 1), ("unhealthy", 1)])
def test_the_exit_code_follows_the_overall_status(monkeypatch, cache_status, exit_code):
    use_checks(monkeypatch, DATABASE_OK, Check("cache", returning(cache_status), timeout=1))

    code, output = run()

    assert code == exit_code
    assert output.splitlines()[-1] == f"overall: {'healthy' if exit_code == 0 else 'degraded'}"


def test_an_unhealthy_critical_check_exits_2(monkeypatch):
    use_checks(
        monkeypatch, Check("database", returning("unhealthy", error="refused"), timeout=1, critical=True)
    )

    assert run()[0] == 2


def test_the_table_shows_each_component_its_status_latency_and_error(monkeypatch):
    use_checks(
        monkeypatch,
        DATABASE_OK,
        Check("cache", returning("unhealthy", error="Connection refused"), timeout=1),
    )

    _, output = run()

    header, database, cache = output.splitlines()[:3]
    assert header.split() == ["COMPONENT", "STATUS", "LATENCY", "DETAIL"]
    assert database.split()[:2] == ["database", "healthy"]
    assert database.endswith("SELECT 1 in 1 ms")
    assert cache.split()[:2] == ["cache", "unhealthy"]
    assert cache.endswith("Connection refused")
    assert " ms " in cache


def test_json_prints_the_overall_shape(monkeypatch):
    use_checks(monkeypatch, DATABASE_OK, Check("cache", returning("degraded"), timeout=1))

    code, output = run("--json")

    body = json.loads(output)
    assert code == 1
    assert body["status"] == "degraded"
    assert body["services"] == {"database": "healthy", "cache": "degraded"}
    assert body["checks"]["database"]["detail"] == "SELECT 1 in 1 ms"


def test_named_components_only_and_the_worst_of_them_decides(monkeypatch):
    calls = []
    use_checks(
        monkeypatch,
        DATABASE_OK,
        Check("cache", lambda: calls.append("cache") or {"status": "unhealthy"}, timeout=1),
        Check("disk", lambda: calls.append("disk") or {"status": "healthy"}, timeout=1),
    )

    code, output = run("--component", "cache", "--component", "disk", "--json")

    assert list(json.loads(output)["services"]) == ["cache", "disk"]
    assert sorted(calls) == ["cache", "disk"]
    assert code == 2  # cache is not critical, but it is what was asked about


def test_an_unknown_component_is_a_usage_error(monkeypatch):
    use_checks(monkeypatch, DATABASE_OK)

    with pytest.raises(CommandError, match="unknown component nope") as error:
        run("--component", "nope")
    assert error.value.returncode == 3


def test_the_checks_run_fresh_every_time(monkeypatch):
    calls = []
    use_checks(monkeypatch, Check("database", lambda: calls.append(1) or {"status": "healthy"}, timeout=1))

    run()
    run()

    assert len(calls) == 2


@pytest.mark.usefixtures("database_access")
def test_a_dead_database_exits_2(monkeypatch):
    with dead_database() as alias:
        monkeypatch.setattr(
            health, "monitor", HealthMonitor(registry_with(database=partial(checks.database, alias)))
        )
        code, output = run("--component", "database")

    assert code == 2
    assert "OperationalError" in output


@pytest.mark.django_db
def test_a_dead_redis_exits_2_when_asked_about_and_1_overall(monkeypatch):
    with dead_redis() as alias:
        monkeypatch.setattr(
            health, "monitor", HealthMonitor(registry_with(cache=partial(checks.cache, alias)))
        )
        asked, _ = run("--component", "cache")
        overall, output = run("--json")

    assert asked == 2
    assert overall == 1
    assert json.loads(output)["services"]["cache"] == "unhealthy"


@pytest.mark.processes
def test_manage_py_exits_with_the_status_and_prints_only_json():
    """As a container HEALTHCHECK runs it: a new process, its exit code, stdout parsed."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "health_check",
            "--component",
            "disk",
            "--component",
            "memory",
            "--json",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode in (0, 1), result.stderr  # this machine's disk may be fuller than 80%
    assert set(json.loads(result.stdout)["services"]) == {"disk", "memory"}
