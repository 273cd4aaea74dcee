"""A WSGI application that answers as the Django app of DJANGO_SETTINGS_MODULE does, and tells
in the X-Bench-SQL-Statements header how many SQL statements the request sent, and in
X-Bench-SQL-Round-Trips in how many round trips (reads sent together, assistant/core/compiled.py,
are several statements joined by "; " in one).

Served only by bench/cpu_bench.py's counting pass, on servers of their own, never by a server
whose CPU is measured. It counts what goes through Django's cursors (savepoints included); the
BEGIN and COMMIT of a transaction, and the pool's connection checks, go around them uncounted.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application
from django.db import connection

HEADER = "X-Bench-SQL-Statements"  # read by bench/cpu_bench.py
ROUND_TRIPS_HEADER = "X-Bench-SQL-Round-Trips"

_django = get_wsgi_application()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    statements = round_trips = 0

    def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements, round_trips
        statements += 1 + sql.count("; ")
        round_trips += 1
        return execute(sql, params, many, context)

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        # Django starts the response once the view and middleware are done.
        counts = [(HEADER, str(statements)), (ROUND_TRIPS_HEADER, str(round_trips))]
        return start_response(status, [*headers, *counts], exc_info)

    with connection.execute_wrapper(count):
        return _django(environ, start)
