"""Django's PostgreSQL backend, whose pooled connections are looked at before a request gets one.

A connection idle in a worker's pool when PostgreSQL restarts is dead, and nothing notices
until a request runs a query on it and answers 500, however long after the restart. Django's
`CONN_HEALTH_CHECKS` would ask the server on every borrow (an empty query: a round trip and
about 50 µs of CPU per request). An idle connection has nothing to read, though, and the
server's farewell ("terminating connection due to administrator command", then the close)
makes its socket readable: a zero-timeout poll(2) of about 1 µs finds it, and only then does
the empty query decide, so a live connection that merely got a notice is kept.
"""

import select
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


def _closed_by_server(connection: psycopg.Connection[Any]) -> bool:
    """Whether a pooled connection the server has written to since its last query is dead."""
    try:
        poll = select.poll()
        poll.register(connection.fileno(), select.POLLIN)  # raises once libpq knows it is lost
        if poll.poll(0):
            ConnectionPool.check_connection(connection)
    except psycopg.Error:
        return True
    return False


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        # Each dead one leaves the pool for good (closed, the pool discards it and opens a
        # replacement), so this ends once the pool's idle connections from before are gone.
        while self.pool is not None and _closed_by_server(connection):
            connection.close()
            self.pool.putconn(connection)
            connection = super().get_new_connection(conn_params)
        return connection
