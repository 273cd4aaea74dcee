import os
from functools import cache
from importlib import import_module
from types import ModuleType

import prometheus_client
from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import module_has_submodule
from django.views.decorators.http import require_GET
from prometheus_client import multiprocess
from prometheus_client.registry import Collector

from monitoring.auth import metrics_token_presented


def _registry() -> prometheus_client.CollectorRegistry:
    """Under gunicorn every worker writes its own files; one scrape must sum them all."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


def app_metric_modules() -> list[ModuleType]:
    """Each installed app's `metrics` module, imported (which defines its metrics)."""
    return [
        import_module(f"{app.name}.metrics")
        for app in apps.get_app_configs()
        if module_has_submodule(app.module, "metrics")
    ]


def app_collectors() -> list[Collector]:
    """Collectors the apps declare in their metrics module (`COLLECTORS`): values computed at
    scrape time from shared state (the database), the same in every process, so they are
    added once per scrape rather than summed across processes."""
    return [collector for module in app_metric_modules() for collector in getattr(module, "COLLECTORS", [])]


@cache
def _scrape_time_registry() -> prometheus_client.CollectorRegistry:
    registry = prometheus_client.CollectorRegistry(auto_describe=True)
    for collector in app_collectors():
        registry.register(collector)
    return registry


@require_GET
def metrics_export(request: HttpRequest) -> HttpResponse:
    if not metrics_token_presented(request):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    exposition = prometheus_client.generate_latest(_registry()) + prometheus_client.generate_latest(
        _scrape_time_registry()
    )
    return HttpResponse(exposition, content_type=prometheus_client.CONTENT_TYPE_LATEST)
