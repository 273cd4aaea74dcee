"""/health/...: JSON probes for load balancers, orchestrators and operators.

No authentication: they show statuses, timings and error summaries (credentials scrubbed),
never a secret or anything about a user. 200 while healthy or degraded, 503 when unhealthy.
Results come from the per-process cache of monitoring.health (a few seconds old at most).
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from monitoring import health
from monitoring.health import Status


def _respond(body: dict[str, Any], status: Status) -> JsonResponse:
    return JsonResponse(body, status=503 if status is Status.UNHEALTHY else 200)


def probe(view: Callable[[HttpRequest], JsonResponse]) -> Callable[[HttpRequest], JsonResponse]:
    """GET or HEAD only, and never cached by a proxy: a probe must see this moment's answer."""
    return require_safe(never_cache(view))


def _now() -> str:
    return health.iso_utc(health.utc_now())


def component_view(component: str) -> Callable[[HttpRequest], JsonResponse]:
    """An endpoint for one component: its result, and the time of the answer."""

    @probe
    def view(request: HttpRequest) -> JsonResponse:
        result = health.monitor.report([component]).results[component]
        return _respond({"timestamp": _now(), **result.as_dict()}, result.status)

    return view


def group_view(components: tuple[str, ...]) -> Callable[[HttpRequest], JsonResponse]:
    """An endpoint for components asked for together: the worst of them decides."""

    @probe
    def view(request: HttpRequest) -> JsonResponse:
        report = health.monitor.report(components)
        status = health.worst_status(report.results.values())
        body = {
            "status": status.value,
            "timestamp": _now(),
            "checks": {component: result.as_dict() for component, result in report.results.items()},
        }
        return _respond(body, status)

    return view


@probe
def live(request: HttpRequest) -> JsonResponse:
    """The process answers HTTP. No dependency is looked at: a dead database must not get
    every web process restarted by the orchestrator."""
    return JsonResponse({"status": Status.HEALTHY.value, "timestamp": _now()})


@probe
def overall(request: HttpRequest) -> JsonResponse:
    report = health.monitor.report()
    return _respond(report.as_dict(), report.status)


# Ready for traffic: the database answers and every migration is applied.
ready = group_view(("database", "migrations"))
database = component_view("database")
database_performance = component_view("database_performance")
# The guide's name for the cache check (Redis in production, local memory when embedded).
redis = component_view("cache")
celery = group_view(("broker", "celery_workers", "celery_beat"))
