"""The pooled PostgreSQL backend after a database restart: a connection that was idle in the
pool when the server went away is never lent to a request (assistant/core/backends/postgresql),
and the pool, as config/settings builds it, connects again as soon as the server is back.

Performs the fault for real: PostgreSQL of the test's own, `pg_ctl stop -m fast` then start on
the same port, and Django's own backend beside ours on the same server to show the fault bites.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper

from tests.services import PostgresServer, postgres_server

pytestmark = pytest.mark.processes


@pytest.fixture
def database_access(django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        yield


@contextmanager
def pooled_alias(server: PostgresServer, engine: str) -> Iterator[str]:
    """An alias for `server` through `engine`, pooled as production is (config/settings)."""
    alias = engine.replace(".", "_")
    connections.settings[alias] = {
        **connections.settings[DEFAULT_DB_ALIAS],
        "ENGINE": engine,
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": server.port,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "OPTIONS": {"connect_timeout": 5, "pool": settings.DATABASE_POOL},
    }
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]
        # Pools are kept per alias by the backend's class.
        if pool := PostgresWrapper._connection_pools.pop(alias, None):
            pool.close(timeout=1)


def select_one(alias: str) -> int:
    """One query as a request makes it: a connection borrowed from the pool, then returned."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def test_a_connection_idle_through_a_restart_is_replaced_not_lent(tmp_path: Path, database_access) -> None:
    with (
        postgres_server(tmp_path) as server,
        pooled_alias(server, "django.db.backends.postgresql") as djangos,
        pooled_alias(server, "assistant.core.backends.postgresql") as ours,
    ):
        assert select_one(djangos) == select_one(ours) == 1  # each pool now holds an idle connection
        server.stop("fast")
        server.start()

        with pytest.raises(OperationalError, match="terminating connection"):
            select_one(djangos)
        assert select_one(ours) == 1
        assert select_one(ours) == 1


def test_the_pool_connects_again_as_soon_as_the_database_is_back(tmp_path: Path, database_access) -> None:
    """psycopg_pool doubles the wait between its attempts to replace a lost connection (1, 2,
    4, 8 s...): after an outage of N seconds its next attempt could come N seconds after the
    server is back, and each request meanwhile waited out the pool's timeout and failed."""
    with (
        postgres_server(tmp_path) as server,
        pooled_alias(server, "assistant.core.backends.postgresql") as ours,
    ):
        assert select_one(ours) == 1
        server.stop("fast")
        with pytest.raises(OperationalError):
            select_one(ours)  # a request in the outage: the pool starts trying to reconnect
        time.sleep(5)  # the attempts back off (with psycopg_pool's defaults, next one at ~7 s)
        server.start()
        began = time.monotonic()
        assert select_one(ours) == 1
        assert time.monotonic() - began < 2.0
