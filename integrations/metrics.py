"""OAuth integration metrics. Labels take the values declared below the metrics, every
combination at 0 from process start on; `provider` is one of google, microsoft, notion."""

import logging
from collections.abc import Iterator

from django.core.cache import cache
from django.db import DatabaseError
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from assistant.core.metric_labels import label_values

oauth_integration_total = Counter(
    "oauth_integration_total",
    "Connection attempts and disconnections, by provider and result "
    "(connected, denied, invalid_state, already_linked, error, disconnected).",
    ["provider", "result"],
)
oauth_token_refresh_total = Counter(
    "oauth_token_refresh_total",
    "Token refreshes, by provider and result (success, invalid_grant, transient_error, error).",
    ["provider", "result"],
)
oauth_token_refresh_failures_total = Counter(
    "oauth_token_refresh_failures_total", "Token refreshes that did not succeed, by provider.", ["provider"]
)
integration_sync_duration_seconds = Histogram(
    "integration_sync_duration_seconds",
    "Duration of one integration's sync (every resource, all pages), by provider.",
    ["provider"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
integration_sync_total = Counter(
    "integration_sync_total",
    "Syncs, by provider and result (success, rate_limited, transient_error, needs_reauth, error).",
    ["provider", "result"],
)
integration_api_request_duration_seconds = Histogram(
    "integration_api_request_duration_seconds",
    "Provider API calls made while syncing, by provider and outcome "
    "(ok, unauthorized, rate_limited, client_error, server_error, network_error).",
    ["provider", "outcome"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
integration_items_synced_total = Counter(
    "integration_items_synced_total",
    "Events and tasks written or removed by syncs, by provider and kind (event, task).",
    ["provider", "kind"],
)


def _providers() -> list[str]:
    from integrations.models import Provider

    return list(Provider.values)


label_values(
    oauth_integration_total,
    provider=_providers,
    result=("connected", "denied", "invalid_state", "already_linked", "error", "disconnected"),
)
label_values(
    oauth_token_refresh_total,
    provider=_providers,
    result=("success", "invalid_grant", "transient_error", "error"),
)
label_values(oauth_token_refresh_failures_total, provider=_providers)
label_values(integration_sync_duration_seconds, provider=_providers)
label_values(
    integration_sync_total,
    provider=_providers,
    result=("success", "rate_limited", "transient_error", "needs_reauth", "error"),
)
label_values(
    integration_api_request_duration_seconds,
    provider=_providers,
    outcome=("ok", "unauthorized", "rate_limited", "client_error", "server_error", "network_error"),
)
label_values(integration_items_synced_total, provider=_providers, kind=("event", "task"))

logger = logging.getLogger(__name__)
_STATUS_CACHE_KEY = "metrics:oauth_integrations_active"
_STATUS_CACHE_SECONDS = 30


class IntegrationStatusCollector(Collector):
    """oauth_integrations_active{provider,status}: one GROUP BY, cached for 30 s, so a burst
    of scrapes (or several Prometheus servers) costs one query."""

    def describe(self) -> list[GaugeMetricFamily]:
        # Without describe(), registering the collector would run collect() at import time.
        return [self._family()]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = cache.get(_STATUS_CACHE_KEY)
        if counts is None:
            try:
                counts = _count_by_provider_and_status()
            except DatabaseError:
                # The scrape must still show everything else (the database's own health included),
                # and the next ones must not each wait out a dead database's connect timeout.
                logger.warning(
                    "integration status not counted",
                    extra={"event": "metrics_collect_failed", "collector": "oauth_integrations_active"},
                )
                counts = {}
                cache.set(_STATUS_CACHE_KEY, counts, _STATUS_CACHE_SECONDS)
            else:
                cache.set(_STATUS_CACHE_KEY, counts, _STATUS_CACHE_SECONDS)
        family = self._family()
        for (provider, status), count in sorted(counts.items()):
            family.add_metric([provider, status], count)
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "oauth_integrations_active",
            "Integrations by provider and status (connected, needs_reauth, error); refreshed every 30 s.",
            labels=["provider", "status"],
        )


def _count_by_provider_and_status() -> dict[tuple[str, str], int]:
    from django.db.models import Count

    from integrations.models import Integration, Provider

    counts = {(provider, status): 0 for provider in Provider.values for status in Integration.Status.values}
    rows = Integration.objects.values_list("provider", "status").annotate(count=Count("id")).order_by()
    for provider, status, count in rows:
        counts[(provider, status)] = count
    return counts


# Collectors the /metrics view registers beside the multiprocess ones (it looks for this name
# in each app's metrics module).
COLLECTORS = [IntegrationStatusCollector()]
