"""Each environment's settings, checked in a fresh interpreter as an operator would run them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.cache import caches
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k3y-" + "x9Q!v" * 12,
    "ALLOWED_HOSTS": "assistant.example.com",
    "METRICS_TOKEN": "scrape-me",
    "ALERTMANAGER_WEBHOOK_TOKEN": "alerts-come-home",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.processes
@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "ALLOWED_HOSTS", "METRICS_TOKEN", "ALERTMANAGER_WEBHOOK_TOKEN", "FIELD_ENCRYPTION_KEYS"],
)
def test_production_refuses_to_start_without_a_required_variable(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


@pytest.mark.processes
def test_production_deploy_check_prints_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.processes
def test_embedded_default_needs_no_environment():
    result = manage("check", env={"DJANGO_SETTINGS_MODULE": "config.settings.local"})

    assert result.returncode == 0, result.stderr


def test_configured_services_are_the_ones_in_use():
    """In CI, DATABASE_URL and REDIS_URL point at PostgreSQL and Redis: make sure they are used."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert connection.vendor == "postgresql"
        assert settings.DATABASES["default"]["OPTIONS"]["pool"]
    else:
        assert connection.vendor == "sqlite"
    backend = type(caches["default"]).__module__
    assert ("redis" in backend) == bool(os.environ.get("REDIS_URL")), backend


def test_celery_uses_json_time_limits_and_the_database_scheduler():
    from config.celery_app import app

    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.task_acks_late
    # django-celery-beat's database scheduler, which also records beat's heartbeat.
    assert app.conf.beat_scheduler == "monitoring.beat:MonitoredDatabaseScheduler"
    app.loader.import_default_modules()  # what a worker does at start
    assert "assistant.users.tasks.password_reset_email_send" in app.tasks
