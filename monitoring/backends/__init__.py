"""Django's PostgreSQL and SQLite backends, counting the connections they take
(django_db_new_connections_total, django_db_new_connection_errors_total). Statements are
measured by monitoring.db.StatementWrapper, not by a cursor class of the backend's."""
