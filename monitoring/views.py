import hmac
import os

import prometheus_client
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import multiprocess


def _authorized(request: HttpRequest) -> bool:
    expected = settings.METRICS_TOKEN
    if not expected:
        return True
    scheme, _, supplied = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(supplied.encode(), expected.encode())


def _registry() -> prometheus_client.CollectorRegistry:
    """Under gunicorn every worker writes its own files; one scrape must sum them all."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


@require_GET
def metrics_export(request: HttpRequest) -> HttpResponse:
    if not _authorized(request):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(
        prometheus_client.generate_latest(_registry()),
        content_type=prometheus_client.CONTENT_TYPE_LATEST,
    )
