"""Production fails closed: system checks that refuse to start it on the embedded defaults.

Every external service has a default that lets the project run on one machine (SQLite, a
per-process cache, the filesystem broker, the console SMS backend, no proxy). In production
each of those is a hole: lockout counters per process, codes printed to stdout, everyone
sharing nginx's address. Under production settings (REQUIRE_PRODUCTION_CONFIGURATION) these
errors stop gunicorn (deploy/gunicorn.conf.py), `migrate`, `runserver` and `check --deploy`,
one id per missing piece.
"""

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.apps import AppConfig
from django.conf import settings
from django.core import checks

# Long enough that guessing is hopeless: secrets.token_urlsafe(24) is 32 characters.
MIN_TOKEN_LENGTH = 32
# kombu transports that live in one process or on one machine's disk.
LOCAL_BROKER_TRANSPORTS = frozenset({"", "filesystem", "memory"})
GENERATE_TOKEN = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


@checks.register(checks.Tags.security)
def production_configuration_check(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if not settings.REQUIRE_PRODUCTION_CONFIGURATION:
        return []
    errors: list[checks.CheckMessage] = []
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        errors.append(
            checks.Error(
                "DATABASE_URL does not name a PostgreSQL database.",
                hint="Set DATABASE_URL=postgres://user:password@host:5432/name.",
                id="production.E001",
            )
        )
    if not settings.REDIS_URL:
        errors.append(
            checks.Error(
                "REDIS_URL is not set: the cache (lockouts, throttles) would be per process.",
                hint="Set REDIS_URL=redis://host:6379/0.",
                id="production.E002",
            )
        )
    if urlsplit(settings.CELERY_BROKER_URL).scheme in LOCAL_BROKER_TRANSPORTS:
        errors.append(
            checks.Error(
                f"CELERY_BROKER_URL is {settings.CELERY_BROKER_URL!r}, local to one machine or process.",
                hint="Set CELERY_BROKER_URL to a Redis or RabbitMQ URL.",
                id="production.E003",
            )
        )
    for variable, error_id, why in (
        ("SMS_BACKEND", "production.E004", "the default prints verification codes to stdout"),
        (
            "TRUSTED_PROXY_COUNT",
            "production.E005",
            "behind a proxy the default makes every client one address",
        ),
    ):
        if variable in settings.PRODUCTION_UNSET_VARIABLES:
            errors.append(
                checks.Error(
                    f"{variable} is not set explicitly: {why}.", hint=f"Set {variable}.", id=error_id
                )
            )
    for variable, error_id in (
        ("METRICS_TOKEN", "production.E006"),
        ("ALERTMANAGER_WEBHOOK_TOKEN", "production.E007"),
    ):
        if len(getattr(settings, variable)) < MIN_TOKEN_LENGTH:
            errors.append(
                checks.Error(
                    f"{variable} is shorter than {MIN_TOKEN_LENGTH} characters.",
                    hint=f"Set {variable} to the output of: {GENERATE_TOKEN}",
                    id=error_id,
                )
            )
    if not _valid_fernet_keys(settings.FIELD_ENCRYPTION_KEYS):
        errors.append(
            checks.Error(
                "FIELD_ENCRYPTION_KEYS is not a comma-separated list of Fernet keys.",
                hint='Generate one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"',
                id="production.E008",
            )
        )
    return errors


def _valid_fernet_keys(keys: Sequence[str]) -> bool:
    if not keys:
        return False
    try:
        for key in keys:
            Fernet(key)
    except ValueError:
        return False
    return True
