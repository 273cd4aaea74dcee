"""Each OAuth provider's health, for the monitoring app's checks (it finds HEALTH_CHECKS here;
the protocol is in monitoring/health.py). Never calls a provider: it reads the configuration
and what our Integration rows say about recent refreshes and syncs.
"""

from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils.timezone import now

from assistant.core.thresholds import OAUTH_REFRESH_FAILURE_RATIO, threshold_crossed
from integrations.models import Integration
from integrations.providers import PROVIDERS

# Syncs run every INTEGRATION_SYNC_INTERVAL_SECONDS: none succeeding for this many intervals
# while integrations are connected means syncing has stopped.
STALE_SYNC_INTERVALS = 3


def _counts(provider: str) -> dict[str, Any]:
    connected = Q(status=Integration.Status.CONNECTED)
    return Integration.objects.filter(provider=provider).aggregate(
        connected=Count("id", filter=connected),
        errored=Count("id", filter=Q(status=Integration.Status.ERROR)),
        expired_tokens=Count("id", filter=connected & Q(token_expires_at__lt=now())),
        needs_reauth=Count("id", filter=Q(status=Integration.Status.NEEDS_REAUTH)),
        last_synced_at=Max("last_synced_at"),
    )


def provider_health(provider: str) -> dict[str, Any]:
    if not PROVIDERS[provider].is_configured():
        return {"status": "healthy", "detail": "not configured"}
    counts = _counts(provider)
    last_synced_at = counts.pop("last_synced_at")
    # Failing on our side: syncs that keep failing, and access tokens left to expire (refresh
    # is behind). needs_reauth does not count: a user revoking our access is not an outage.
    active = counts["connected"] + counts["errored"]
    failing_share = (counts["errored"] + counts["expired_tokens"]) / active if active else 0.0
    result = {
        **counts,
        "failing_share": round(failing_share, 4),
        "last_synced_at": last_synced_at.isoformat() if last_synced_at else None,
    }
    stale_after = timedelta(seconds=STALE_SYNC_INTERVALS * settings.INTEGRATION_SYNC_INTERVAL_SECONDS)
    # The OAuth refresh-failure alert's lines: the share of integrations failing that makes a
    # provider degraded (warning), unhealthy (critical).
    if level := threshold_crossed(failing_share, OAUTH_REFRESH_FAILURE_RATIO):
        status = "unhealthy" if level == "critical" else "degraded"
        return {**result, "status": status, "error": f"{failing_share:.0%} of integrations failing"}
    if counts["connected"] and last_synced_at and now() - last_synced_at > stale_after:
        minutes = (now() - last_synced_at).total_seconds() // 60
        return {**result, "status": "degraded", "error": f"no successful sync for {minutes:.0f} min"}
    return {**result, "status": "healthy", "detail": f"{counts['connected']} connected"}


# They read Integration rows: with the database down they report "database unavailable".
HEALTH_CHECKS = [
    {
        "component": name,
        "check": partial(provider_health, name),
        "guide_key": "external_apis",
        "depends_on": ("database",),
    }
    for name in PROVIDERS
]
