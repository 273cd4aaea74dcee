"""The request and database series of django-prometheus that the dashboards, alerts and docs
read, under its names, types, labels and buckets, fed by our own middleware
(monitoring/middleware.py) and statement wrapper (monitoring/db.py) instead of its
middlewares and database engines.

Those wrote about 17 values per request and 3 per SQL statement, a mmap write each under
gunicorn (multiprocess mode), for series nobody queries (body sizes, charsets, requests by
transport...); these wrote 6 per request and 2 per statement (a request's statements together
at its end: one sum and one count per bucket hit, monitoring/db.py).

Beside them, two series of our own with bounded labels, every combination created at 0 when the
process starts (`label_values`): responses by scope and status class, and latency by scope.
The per-view series above appear with each view's first request, already at 1, so `rate()`
misses it; the error ratio, the latency heatmap and the HTTP alerts read these instead, and see
the first request. They write 3 values per request (the counter, the histogram's bucket and
sum); the responses counter, summed, is also the responses sent, so django-prometheus's
`django_http_responses_before_middlewares_total` (read by no panel or rule) is gone: 8 writes
per request in all.

The metrics stay defined here, beside nothing heavy, because the database backends
(monitoring/backends) load this module whenever Django opens its first connection.

django-prometheus's names already end in `total` (`django_http_requests_total_by_...`);
prometheus_client appends `_total` to every counter, so PromQL spells them
`..._total_by_view_transport_method_total`.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db.backends.base.base import BaseDatabaseWrapper
from django_prometheus.conf import PROMETHEUS_LATENCY_BUCKETS
from prometheus_client import Counter, Histogram

from assistant.core.metric_labels import label_values

T = TypeVar("T")
U = TypeVar("U")

# --- HTTP (monitoring.middleware.PrometheusMiddleware) ----------------------------------------

# Minus the responses sent (`sum(http_responses_total)`, below), the requests in flight.
http_requests_received = Counter(
    "django_http_requests_before_middlewares_total",
    "Requests received (before any middleware ran); minus http_responses_total, requests in flight.",
)
http_requests_by_view = Counter(
    "django_http_requests_total_by_view_transport_method",
    "Requests that reached a URL pattern, by view (URL name), transport and method.",
    ["view", "transport", "method"],
)
http_responses_by_status_view = Counter(
    "django_http_responses_total_by_status_view_method",
    "Responses by status code, view (URL name) and method.",
    ["status", "view", "method"],
)
http_latency_by_view = Histogram(
    "django_http_requests_latency_seconds_by_view_method",
    "Request latency through the whole middleware stack, by view (URL name) and method.",
    ["view", "method"],
    buckets=PROMETHEUS_LATENCY_BUCKETS,
)
http_exceptions_by_type = Counter(
    "django_http_exceptions_total_by_type",
    "Exceptions a view raised (answered 500), by exception class.",
    ["type"],
)

# Where a request went (monitoring.middleware.request_scope): the API, the admin, Prometheus'
# scrapes and health probes (not user traffic: a probe answers 503 by design when a dependency is
# down), or anything else (the other pages, a path that matched no pattern).
SCOPES = ("api", "admin", "probe", "other")
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")

http_responses = label_values(
    Counter(
        "http_responses",
        "Responses by scope (api, admin, probe, other) and status class (2xx, 5xx...).",
        ["scope", "status_class"],
    ),
    scope=SCOPES,
    status_class=STATUS_CLASSES,
)
http_request_duration = label_values(
    Histogram(
        "http_request_duration_seconds",
        "Request latency through the whole middleware stack, by scope (api, admin, probe, other).",
        ["scope"],
        buckets=PROMETHEUS_LATENCY_BUCKETS,
    ),
    scope=SCOPES,
)

# --- Database (monitoring.db.StatementWrapper, monitoring/backends) ---------------------------

db_new_connections = Counter(
    "django_db_new_connections_total",
    "Connections taken by database alias and vendor: opened, or with a pool borrowed from it.",
    ["alias", "vendor"],
)
db_new_connection_errors = Counter(
    "django_db_new_connection_errors_total",
    "Connections that could not be opened (or borrowed), by database alias and vendor.",
    ["alias", "vendor"],
)
db_errors = Counter(
    "django_db_errors_total",
    "Statements that failed, by database alias, vendor and the driver's exception class.",
    ["alias", "vendor", "type"],
)
db_query_duration = Histogram(
    "django_db_query_duration_seconds",
    "Statement latency by database alias and vendor.",
    ["alias", "vendor"],
    buckets=PROMETHEUS_LATENCY_BUCKETS,
)


class ConnectionCounter:
    """Counts the connections one database object takes (opened, or with a pool borrowed from
    it: one a request), in its two series resolved once, both created at 0 with its first
    connection. A failure counts in both, as django-prometheus's engines counted it."""

    def __init__(self, database: BaseDatabaseWrapper) -> None:
        self._taken = db_new_connections.labels(database.alias, database.vendor)
        self._failed = db_new_connection_errors.labels(database.alias, database.vendor)

    def __call__(self, connect: Callable[[T], U], conn_params: T) -> U:
        """`connect(conn_params)` (a backend's get_new_connection), counted."""
        self._taken.inc()
        try:
            return connect(conn_params)
        except Exception:
            self._failed.inc()
            raise
