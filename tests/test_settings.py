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
    # Only parsed by `check`: no connection is made to any of these.
    "DATABASE_URL": "postgres://assistant:secret@db.example.com:5432/assistant",
    "REDIS_URL": "redis://cache.example.com:6379/0",
    "CELERY_BROKER_URL": "amqp://guest:guest@broker.example.com:5672//",
    "SMS_BACKEND": "sms.backends.twilio.TwilioSmsBackend",
    "TRUSTED_PROXY_COUNT": "1",
    "METRICS_TOKEN": "scrape-me-" + "m" * 32,
    "ALERTMANAGER_WEBHOOK_TOKEN": "alerts-come-home-" + "a" * 32,
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}
# What each piece production cannot do without is reported as, by `check --deploy`.
PRODUCTION_CHECK_IDS = {
    "DATABASE_URL": "production.E001",
    "REDIS_URL": "production.E002",
    "CELERY_BROKER_URL": "production.E003",
    "SMS_BACKEND": "production.E004",
    "TRUSTED_PROXY_COUNT": "production.E005",
    "METRICS_TOKEN": "production.E006",
    "ALERTMANAGER_WEBHOOK_TOKEN": "production.E007",
    "FIELD_ENCRYPTION_KEYS": "production.E008",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """manage.py with exactly `env` on top of the machine's environment minus every setting
    named here (the suite's own DATABASE_URL or REDIS_URL would otherwise complete it)."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION_ENV and key not in {"DEBUG", "SECURE_SSL_REDIRECT"}
    }
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
@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_required_variable(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


@pytest.mark.processes
def test_production_with_nothing_but_its_secret_key_names_every_missing_piece():
    env = {key: PRODUCTION_ENV[key] for key in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS")}

    result = manage("check", "--deploy", env=env)

    assert result.returncode != 0
    for variable, check_id in PRODUCTION_CHECK_IDS.items():
        assert f"({check_id}) {variable} " in result.stderr, result.stderr


@pytest.mark.processes
@pytest.mark.parametrize(
    ("variable", "embedded_default"),
    [
        ("DATABASE_URL", "sqlite:////tmp/production.sqlite3"),
        ("CELERY_BROKER_URL", "filesystem://"),
        ("CELERY_BROKER_URL", "memory://"),
        ("METRICS_TOKEN", "short-token"),
        ("ALERTMANAGER_WEBHOOK_TOKEN", "x" * 31),
        ("FIELD_ENCRYPTION_KEYS", "not-a-fernet-key"),
    ],
)
def test_production_refuses_each_embedded_default(variable, embedded_default):
    result = manage("check", env={**PRODUCTION_ENV, variable: embedded_default})

    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if "(production.E" in line]
    assert errors == [line for line in errors if f"({PRODUCTION_CHECK_IDS[variable]})" in line], errors
    assert errors, result.stderr


@pytest.mark.processes
@pytest.mark.parametrize("variable", ["SMS_BACKEND", "TRUSTED_PROXY_COUNT"])
def test_production_refuses_a_default_it_was_not_given_explicitly(variable):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != variable}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"({PRODUCTION_CHECK_IDS[variable]}) {variable} is not set explicitly" in result.stderr


@pytest.mark.processes
@pytest.mark.parametrize(
    ("settings_module", "word"), [("config.settings.local", "on"), ("config.settings.production", "ture")]
)
def test_a_boolean_variable_refuses_anything_but_true_false_1_0_yes_no(settings_module, word):
    result = manage("check", env={**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": settings_module, "DEBUG": word})

    assert result.returncode != 0
    assert f"DEBUG={word!r} is not a boolean" in result.stderr


@pytest.mark.processes
def test_a_boolean_variable_accepts_its_words_in_any_case():
    words = {"DEBUG": "NO", "SECURE_SSL_REDIRECT": "Yes", "ADMIN_REQUIRE_MFA": "1", "EMAIL_USE_TLS": "TRUE"}

    result = manage("check", env={**PRODUCTION_ENV, **words, "OBSERVABILITY_ENABLED": "false"})

    assert result.returncode == 0, result.stderr


@pytest.mark.processes
@pytest.mark.parametrize("days", ["0", "-30"])
def test_a_retention_of_no_days_is_refused_rather_than_purging_everything(days):
    result = manage("check", env={**PRODUCTION_ENV, "DATA_RETENTION_DAYS": days})

    assert result.returncode != 0
    assert f"DATA_RETENTION_DAYS={int(days)!r} is not a positive whole number" in result.stderr


@pytest.mark.parametrize(("value", "read"), [(None, 365), ("30", 30)])
def test_a_positive_whole_number_variable_reads_its_value_or_default(monkeypatch, value, read):
    from config.settings.base import env

    if value is None:
        monkeypatch.delenv("DATA_RETENTION_DAYS", raising=False)
    else:
        monkeypatch.setenv("DATA_RETENTION_DAYS", value)

    assert env.positive_int("DATA_RETENTION_DAYS", default=365) == read


@pytest.mark.processes
def test_gunicorn_refuses_to_start_an_incomplete_production(tmp_path):
    env = {key: PRODUCTION_ENV[key] for key in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS")}
    base = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    gunicorn = Path(sys.executable).with_name("gunicorn")

    result = subprocess.run(
        [str(gunicorn), "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env={**base, **env, "GUNICORN_BIND": "127.0.0.1:0", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "(production.E001) DATABASE_URL" in result.stderr
    assert "not starting" in result.stderr
    assert "Booting worker" not in result.stderr


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


@pytest.mark.processes
@pytest.mark.parametrize(("proxies", "believed"), [("0", "False"), ("1", "True")])
def test_production_believes_x_forwarded_proto_only_behind_a_trusted_proxy(proxies, believed):
    """A client talking to gunicorn with no proxy in front could claim HTTPS itself: the
    header counts exactly when X-Forwarded-For does (TRUSTED_PROXY_COUNT)."""
    claim = (
        "from django.test import RequestFactory; "
        "print(RequestFactory().get('/', headers={'X-Forwarded-Proto': 'https'}).is_secure())"
    )

    result = manage("shell", "-c", claim, env={**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": proxies})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == believed
