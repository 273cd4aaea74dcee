"""The staff status board: every health check as a card, refreshed in place every 10 s."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from monitoring import health
from monitoring.health import CheckResult, Status

# How often the page asks /health/overall again (the checks themselves are cached for
# HEALTH_CHECK_CACHE_SECONDS, so a faster page would show nothing new).
REFRESH_SECONDS = 10

LABELS = {
    "database": "Database",
    "cache": "Cache",
    "broker": "Celery broker",
    "celery_workers": "Celery workers",
    "celery_beat": "Celery beat",
    "disk": "Disk",
    "memory": "Memory",
    "twilio": "Twilio (SMS)",
    "google": "Google",
    "microsoft": "Microsoft",
    "notion": "Notion",
}


# Words and a symbol as well as the colour, so status never depends on seeing colours.
STATUS_LABELS = {
    Status.HEALTHY.value: "✓ Healthy",
    Status.DEGRADED.value: "! Degraded",
    Status.UNHEALTHY.value: "✕ Unhealthy",
}


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Whoever may use the admin (staff, with the authenticator code when ADMIN_REQUIRE_MFA
    is on); anyone else goes to the admin's login page and comes back after it."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not admin.site.has_permission(request):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return view(request, *args, **kwargs)

    return wrapper


def component_label(component: str) -> str:
    return LABELS.get(component, component.replace("_", " ").capitalize())


def _card(result: CheckResult) -> dict[str, Any]:
    return {
        **result.as_dict(),
        "component": result.component,
        "label": component_label(result.component),
        "status_label": STATUS_LABELS[result.status.value],
    }


@never_cache
@staff_required
def status_board(request: HttpRequest) -> HttpResponse:
    report = health.monitor.report()
    context = {
        **admin.site.each_context(request),
        "title": "Service status",
        # The admin's app list beside the board only narrows it.
        "is_nav_sidebar_enabled": False,
        "overall": report.status.value,
        "overall_label": STATUS_LABELS[report.status.value],
        "checked_at": report.checked_at,
        "cards": [_card(result) for result in report.results.values()],
        "status_labels": STATUS_LABELS,
        "refresh_seconds": REFRESH_SECONDS,
    }
    return render(request, "monitoring/status_board.html", context)
