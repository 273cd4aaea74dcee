"""Django's PostgreSQL and SQLite backends, counting the connections they take
(django_db_new_connections_total, django_db_new_connection_errors_total) and timing their
statements (monitoring.db.StatementWrapper). Settings use them when OBSERVABILITY_ENABLED."""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from monitoring.django_metrics import ConnectionCounter


class Instrumented(BaseDatabaseWrapper):
    """Mixed in before the backend's DatabaseWrapper."""

    _connections: ConnectionCounter | None = None

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        # The statement wrapper goes in with the first connection of this object (one per alias
        # and thread, however often it reconnects), and a statement needs one. Not through
        # `connection_created`: the pool sends it for every request's borrowed connection.
        connections = self._connections
        if connections is None:
            # Not at import: the backend loads while the models do, before monitoring.db can.
            from monitoring.db import install_statement_wrapper

            install_statement_wrapper(connection=self)
            connections = self._connections = ConnectionCounter(self)
        return connections(super().get_new_connection, conn_params)
