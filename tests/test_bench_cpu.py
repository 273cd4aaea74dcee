"""bench/cpu_bench.py measures the project against a bare anchor (bench/anchor): the anchor must
hold nothing of the project's (apps, middleware, instrumentation), or every ratio it gives is
the project against itself; and the script must run end to end, so its figures can be taken
again after any change."""

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import postgres_server, redis_server

ROOT = Path(__file__).resolve().parents[1]
ANCHOR = ROOT / "bench" / "anchor"
# What a bare Django + DRF app imports; "bench" only as bench.anchor itself.
BARE_IMPORTS = {"os", "urllib", "django", "rest_framework", "bench"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_anchor_imports_only_django_drf_and_itself() -> None:
    modules = sorted(ANCHOR.rglob("*.py"))
    assert modules
    for module in modules:
        for name in _imports(module):
            assert name.split(".")[0] in BARE_IMPORTS, f"{module.relative_to(ROOT)} imports {name}"
            assert not name.startswith("bench") or name.startswith("bench.anchor"), name


def test_the_anchor_settings_install_no_project_app_middleware_or_instrumentation() -> None:
    settings = importlib.import_module("bench.anchor.settings")
    assert settings.INSTALLED_APPS == [
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "rest_framework",
        "rest_framework.authtoken",
        "bench.anchor",
    ]
    assert settings.MIDDLEWARE == []
    # Django's own backend, not django-prometheus' wrapper of it.
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] == [
        "rest_framework.authentication.TokenAuthentication"
    ]
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == []
    assert "DEFAULT_PAGINATION_CLASS" not in settings.REST_FRAMEWORK


@pytest.mark.processes
def test_one_tiny_round_runs_end_to_end(tmp_path: Path) -> None:
    """--quick: one round of 10 requests per endpoint on every server (the project, the same
    build with OBSERVABILITY_ENABLED=false, the anchor, the two counting servers), on a
    PostgreSQL and a Redis of the test's own."""
    with postgres_server() as postgres, redis_server(tmp_path) as redis_url:
        server = postgres.url.rsplit("/", 1)[0]
        env = {
            **os.environ,
            "BENCH_DATABASE_URL": f"{server}/bench_project",
            "BENCH_ANCHOR_DATABASE_URL": f"{server}/bench_anchor",
            "BENCH_REDIS_URL": redis_url,
        }
        result = subprocess.run(
            [sys.executable, "bench/cpu_bench.py", "--quick"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,  # about a minute on a quiet machine; four on a busy shared one
            check=False,
        )
    assert result.returncode == 0, result.stderr[-4000:]
    rows = {
        line.split(" | ")[0].lstrip("| "): line
        for line in result.stdout.splitlines()
        if line.startswith("| ")
    }
    for path in (
        "/anchor/items",
        "/api/v1/todos",
        "/api/v1/chat/messages",
        "/sms/twilio/inbound",
        "/sms/twilio/status",
        "/api/v1/agenda",
        "/bench/reference",
    ):
        assert any(path in label for label in rows), (path, result.stdout)
    assert "OBSERVABILITY_ENABLED=false" in result.stdout
    assert "only the ratios taken within interleaved rounds count" in result.stdout
