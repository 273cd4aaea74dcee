"""OAuth: connecting Google, Microsoft and Notion, keeping their tokens fresh, and syncing."""

from assistant.core import thresholds
from monitoring.dashboards.base import DashboardSpec, Section
from monitoring.dashboards.panels import (
    HEALTH_STATES,
    NO_TRAFFIC_NO_RATIO,
    THIRD,
    Prom,
    stat_panel,
    timeseries_panel,
)
from monitoring.dashboards.promql import aggregate, quantile, sum_increase, sum_rate
from monitoring.promql import ratio

PROVIDER = ("provider",)
CONNECT_FAILURES = 'result=~"denied|invalid_state|error"'
PROVIDER_CHECKS = 'component=~"google|microsoft|notion"'

CONNECT_SUCCESS = ratio(
    sum_rate("oauth_integration_total", 'result="connected"', by=PROVIDER, window="1h"),
    sum_rate("oauth_integration_total", 'result!="disconnected"', by=PROVIDER, window="1h"),
)
REFRESH_FAILURE = ratio(
    sum_rate("oauth_token_refresh_failures_total", by=PROVIDER, window="30m"),
    sum_rate("oauth_token_refresh_total", by=PROVIDER, window="30m"),
)


def sections() -> list[Section]:
    return [
        Section(
            "Health",
            [
                stat_panel(
                    "Provider health",
                    "Health check of each provider (health_check_status): configured, and its last "
                    "refresh or sync succeeded recently. 1 healthy, 0.5 degraded, 0 unhealthy.",
                    Prom(
                        aggregate("min", "health_check_status", PROVIDER_CHECKS, by=("component",)),
                        "{{component}}",
                    ),
                    threshold=thresholds.HEALTH_STATUS,
                    mappings=[HEALTH_STATES],
                    width=THIRD,
                ),
                timeseries_panel(
                    "Integrations by status",
                    "Integrations per provider and status: connected, needs_reauth (the user must "
                    "connect again), error (oauth_integrations_active).",
                    Prom(
                        aggregate("max", "oauth_integrations_active", by=("provider", "status")),
                        "{{provider}} {{status}}",
                    ),
                    unit="short",
                    width=THIRD * 2,
                ),
            ],
        ),
        Section(
            "Connect flow",
            [
                timeseries_panel(
                    "Connect flow success ratio",
                    "Share of connect attempts per provider that ended connected, last hour "
                    f"(disconnections left out). {NO_TRAFFIC_NO_RATIO}",
                    Prom(CONNECT_SUCCESS, "{{provider}}"),
                    unit="percentunit",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Connect flow outcomes",
                    "Connect-flow outcomes per hour by provider: connected, denied (the user said "
                    "no), invalid_state, already_linked, error, disconnected.",
                    Prom(
                        sum_increase("oauth_integration_total", by=("provider", "result")),
                        "{{provider}} {{result}}",
                    ),
                    unit="short",
                    stacked=True,
                    width=THIRD,
                ),
                timeseries_panel(
                    "OAuth authentication failures",
                    "Per second: connect flows refused or broken (denied, invalid_state, error), "
                    "refreshes refused by the provider (invalid_grant: access revoked), and grants "
                    "revoked on the provider's side.",
                    Prom(
                        sum_rate("oauth_integration_total", CONNECT_FAILURES, by=("provider", "result")),
                        "{{provider}} {{result}}",
                    ),
                    Prom(
                        sum_rate("oauth_token_refresh_total", 'result="invalid_grant"', by=PROVIDER),
                        "{{provider}} refresh invalid_grant",
                    ),
                    Prom(sum_rate("security_event_total", 'kind="oauth_grant_revoked"'), "grants revoked"),
                    unit="cps",
                    width=THIRD,
                ),
            ],
        ),
        Section(
            "Token refresh",
            [
                timeseries_panel(
                    "Token refresh failure ratio",
                    "Share of token refreshes that did not succeed per provider, last 30 minutes. "
                    f"{NO_TRAFFIC_NO_RATIO}",
                    Prom(REFRESH_FAILURE, "{{provider}}"),
                    threshold=thresholds.OAUTH_REFRESH_FAILURE_RATIO,
                ),
                timeseries_panel(
                    "Token refreshes by result",
                    "Token refreshes per hour by provider and result: success, invalid_grant, "
                    "transient_error, error.",
                    Prom(
                        sum_increase("oauth_token_refresh_total", by=("provider", "result")),
                        "{{provider}} {{result}}",
                    ),
                    unit="short",
                    stacked=True,
                ),
            ],
        ),
        Section(
            "Providers",
            [
                timeseries_panel(
                    "Provider API response time (p95)",
                    "95th percentile of each provider API call a sync makes.",
                    Prom(
                        quantile(0.95, "integration_api_request_duration_seconds", by=PROVIDER),
                        "{{provider}}",
                    ),
                    unit="s",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Provider API calls by outcome",
                    "Provider API calls per second: ok, unauthorized, rate_limited, client_error, "
                    "server_error, network_error.",
                    Prom(
                        sum_rate(
                            "integration_api_request_duration_seconds_count", by=("provider", "outcome")
                        ),
                        "{{provider}} {{outcome}}",
                    ),
                    unit="reqps",
                    stacked=True,
                    width=THIRD,
                ),
                timeseries_panel(
                    "Sync duration (p95)",
                    "95th percentile of one integration's whole sync, per provider.",
                    Prom(quantile(0.95, "integration_sync_duration_seconds", by=PROVIDER), "{{provider}}"),
                    unit="s",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Syncs by result",
                    "Syncs per hour by provider and result: success, rate_limited, "
                    "transient_error, needs_reauth, error.",
                    Prom(
                        sum_increase("integration_sync_total", by=("provider", "result")),
                        "{{provider}} {{result}}",
                    ),
                    unit="short",
                    stacked=True,
                ),
                timeseries_panel(
                    "Items synced per hour",
                    "Events and tasks created, changed or removed by syncs, per provider.",
                    Prom(
                        sum_increase("integration_items_synced_total", by=("provider", "kind")),
                        "{{provider}} {{kind}}",
                    ),
                    unit="short",
                    stacked=True,
                ),
            ],
        ),
    ]


DASHBOARD = DashboardSpec(
    slug="oauth",
    title="OAuth",
    description="OAuth provider integrations: connect flows, token refresh, provider APIs and syncs.",
    guide_section="OAuth Dashboard",
    jobs="assistant-api|celery-worker",
    key_metrics={
        "OAuth flow success rates": ("Connect flow success ratio", "Connect flow outcomes"),
        "Token refresh success rates": ("Token refresh failure ratio", "Token refreshes by result"),
        "Provider-specific metrics": (
            "Provider API response time (p95)",
            "Provider API calls by outcome",
            "Sync duration (p95)",
            "Syncs by result",
            "Items synced per hour",
        ),
        "Integration health status": ("Provider health", "Integrations by status"),
        "Authentication failures": ("OAuth authentication failures",),
    },
    sections=sections,
)
