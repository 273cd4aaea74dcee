"""/health/...: JSON probes for load balancers, orchestrators and operators.

/health/live and /health/ready are anonymous and say only a status: load balancers and
orchestrators probe them, and nginx lets nothing else of /health/ out. The other pages show
check names, timings, pool sizes and error summaries, which map the system for an attacker:
they need the metrics token (as /metrics) or a staff session (as the admin).
200 while healthy or degraded, 503 when unhealthy. Results come from the per-process cache of
monitoring.health (a few seconds old at most).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from rest_framework import exceptions

from assistant.core.api import error_body
from assistant.core.signals import access_denied
from monitoring import health
from monitoring.auth import metrics_token_presented
from monitoring.health import Status


def _respond(body: dict[str, Any], status: Status) -> JsonResponse:
    return JsonResponse(body, status=503 if status is Status.UNHEALTHY else 200)


def probe(view: Callable[[HttpRequest], JsonResponse]) -> Callable[[HttpRequest], JsonResponse]:
    """GET or HEAD only, and never cached by a proxy: a probe must see this moment's answer."""
    return require_safe(never_cache(view))


def _refusal(request: HttpRequest) -> JsonResponse:
    """The API's answers and access_denied reasons: a wrong token, no credentials at all, or
    a signed-in account that is not staff."""
    refused: exceptions.APIException
    if request.headers.get("Authorization"):
        refused, reason = exceptions.AuthenticationFailed(), "invalid_token"
    elif request.user.is_authenticated:
        refused, reason = exceptions.PermissionDenied(), "permission_denied"
    else:
        refused, reason = exceptions.NotAuthenticated(), "unauthenticated"
    access_denied.send(sender=details_required, request=request, reason=reason)
    response = JsonResponse(error_body(refused.default_code, str(refused.detail)), status=refused.status_code)
    if refused.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="health"'
    return response


def details_required(view: Callable[[HttpRequest], JsonResponse]) -> Callable[[HttpRequest], JsonResponse]:
    """The metrics token, or whoever may use the admin (staff, with the authenticator code
    when ADMIN_REQUIRE_MFA is on: the status board's rule)."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> JsonResponse:
        if metrics_token_presented(request) or admin.site.has_permission(request):
            return view(request)
        return _refusal(request)

    return wrapper


def detailed_probe(view: Callable[[HttpRequest], JsonResponse]) -> Callable[[HttpRequest], JsonResponse]:
    return probe(details_required(view))


def _now() -> str:
    return health.iso_utc(health.utc_now())


def component_view(component: str) -> Callable[[HttpRequest], JsonResponse]:
    """An endpoint for one component: its result, and the time of the answer."""

    @detailed_probe
    def view(request: HttpRequest) -> JsonResponse:
        result = health.monitor.report([component]).results[component]
        return _respond({"timestamp": _now(), **result.as_dict()}, result.status)

    return view


def group_view(components: tuple[str, ...]) -> Callable[[HttpRequest], JsonResponse]:
    """An endpoint for components asked for together: the worst of them decides."""

    @detailed_probe
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


@detailed_probe
def overall(request: HttpRequest) -> JsonResponse:
    report = health.monitor.report()
    return _respond(report.as_dict(), report.status)


@probe
def ready(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: the database answers and every migration is applied. Only the
    verdict: which check failed, and why, is for /health/overall's callers."""
    report = health.monitor.report(("database", "migrations"))
    status = health.worst_status(report.results.values())
    return _respond({"status": status.value, "timestamp": _now()}, status)


database = component_view("database")
database_performance = component_view("database_performance")
# The guide's name for the cache check (Redis in production, local memory when embedded).
redis = component_view("cache")
celery = group_view(("broker", "celery_workers", "celery_beat"))
