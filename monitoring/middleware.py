"""One middleware for the request series the dashboards and alerts read (monitoring/django_metrics.py),
in place of django-prometheus's two, which also counted body sizes, charsets, transports,
templates and a second latency histogram that nothing queries."""

import time
from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch
from prometheus_client import Counter, Histogram

from monitoring.db import hold_statement_durations, observe_held_statement_durations
from monitoring.django_metrics import (
    http_exceptions_by_type,
    http_latency_by_view,
    http_request_duration,
    http_requests_by_view,
    http_requests_received,
    http_responses,
    http_responses_by_status_view,
)

# Any other method is a client's invention: one label value for all of them keeps the series bounded.
_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "OPTIONS", "CONNECT", "PATCH"))
INVALID_METHOD = "<invalid method>"
# A path that matched no URL pattern (a 404) or a pattern without a name.
UNNAMED_VIEW = "<unnamed view>"
# The scope (django_metrics.SCOPES) of a request, by the first segment of the URL pattern it
# matched: the same views the per-view panels leave out as `view!~"metrics|health.*"` are probes.
_SCOPE_BY_PREFIX = {"api": "api", "admin": "admin", "metrics": "probe", "health": "probe"}


def request_scope(match: ResolverMatch | None) -> str:
    """`other` for the remaining pages and for a path that matched no pattern (a 404)."""
    if match is None:
        return "other"
    return _SCOPE_BY_PREFIX.get(match.route.partition("/")[0], "other")


class _Series(NamedTuple):
    """The children one kind of request writes to, resolved once per process."""

    requests_by_view: Counter | None  # None: the request matched no URL pattern
    responses_by_status_view: Counter
    latency_by_view: Histogram
    responses: Counter
    duration: Histogram


def _resolve(scope: str, transport: str | None, view: str, method: str, status: int) -> _Series:
    by_view = None if transport is None else http_requests_by_view.labels(view, transport, method)
    return _Series(
        requests_by_view=by_view,
        responses_by_status_view=http_responses_by_status_view.labels(str(status), view, method),
        latency_by_view=http_latency_by_view.labels(view, method),
        responses=http_responses.labels(scope, f"{status // 100}xx"),
        duration=http_request_duration.labels(scope),
    )


class PrometheusMiddleware:
    """First in MIDDLEWARE, so every response is counted and the latency is what the client
    waits for in Django, every middleware included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.OBSERVABILITY_ENABLED:
            raise MiddlewareNotUsed  # bench measures the app without its instrumentation
        self.get_response = get_response
        # `.labels()` takes a lock and builds its key on every call: the children of each
        # (scope, transport, view, method, status) seen are kept here instead. As bounded as the
        # series themselves (views and statuses are the code's, methods are _METHODS).
        self._series: dict[tuple[str, str | None, str, str, int], _Series] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        http_requests_received.inc()
        # The statements' durations are written once, when the request ends (monitoring/db.py).
        held = hold_statement_durations()
        try:
            response = self.get_response(request)
        finally:
            observe_held_statement_durations(held)
        elapsed = time.perf_counter() - started
        method = request.method if request.method in _METHODS else INVALID_METHOD
        match = request.resolver_match
        view = (match.view_name if match is not None else None) or UNNAMED_VIEW
        transport = None if match is None else "https" if request.is_secure() else "http"
        status = response.status_code
        # The scope is in the key: the same view name may be routed under two prefixes.
        key = (request_scope(match), transport, view, method, status)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = _resolve(*key)
        if series.requests_by_view is not None:
            series.requests_by_view.inc()
        series.responses_by_status_view.inc()
        series.latency_by_view.observe(elapsed)
        series.responses.inc()
        series.duration.observe(elapsed)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """Django calls it when a view raises; the 500 it then answers is counted above."""
        http_exceptions_by_type.labels(type(exception).__name__).inc()
