from typing import Any

from django.db.backends.postgresql import base

from monitoring.django_metrics import new_connection_counted


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connect = super().get_new_connection
        return new_connection_counted(self, lambda: connect(conn_params))
