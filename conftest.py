"""Fixtures for the whole suite, and a hard stop when a configured service is unreachable."""

import os

import pytest
from rest_framework.test import APIClient


def pytest_configure(config: pytest.Config) -> None:
    """Compile the message catalogues that are missing or older than their .po, so a bare
    `pytest` sees the texts people get (scripts/test and the install step compile them too)."""
    from assistant.core.translations import catalogues_compile

    catalogues_compile()


def pytest_sessionstart(session: pytest.Session) -> None:
    """With DATABASE_URL or REDIS_URL set (as in CI), those services must answer: fail, never skip."""
    from django.conf import settings

    problems = []
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        import psycopg

        db = settings.DATABASES["default"]
        try:
            psycopg.connect(
                host=db["HOST"],
                port=db["PORT"] or 5432,
                user=db["USER"],
                password=db["PASSWORD"],
                dbname=db["NAME"],
                connect_timeout=5,
            ).close()
        except psycopg.OperationalError as error:
            problems.append(f"PostgreSQL from DATABASE_URL is unreachable: {error}")
    if os.environ.get("REDIS_URL"):
        from django_redis import get_redis_connection

        try:
            get_redis_connection("default").ping()
        except Exception as error:  # any failure at all means no usable Redis
            problems.append(f"Redis from REDIS_URL is unreachable: {error}")
    if problems:
        pytest.exit("\n".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Lockout counters and throttles live in the cache; each test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def password() -> str:
    return "correct horse battery staple"


@pytest.fixture
def user(db, password):
    from assistant.users.tests.factories import UserFactory

    return UserFactory(password=password)


@pytest.fixture
def auth_client(user, password) -> APIClient:
    from assistant.users.tests.helpers import sign_in

    return sign_in(user.email, password)


@pytest.fixture
def logs():
    """Everything logged during the test, as JSON lines through the production formatter."""
    from tests.logs import captured_logs

    with captured_logs() as captured:
        yield captured
