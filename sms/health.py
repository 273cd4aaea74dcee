"""Twilio's health, for the monitoring app's checks (it finds HEALTH_CHECKS here; the protocol
is in monitoring/health.py). Never calls Twilio: it reads the configuration of the active
backend and how the recent OutboundSMS rows fared.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils.module_loading import import_string
from django.utils.timezone import now

from assistant.core.thresholds import SMS_FAILURE_RATIO, threshold_crossed
from sms.backends.twilio import TwilioSmsBackend
from sms.models import OutboundSMS

# The window of the SMS failure-rate alert, whose lines (thresholds.SMS_FAILURE_RATIO) grade
# the share here.
WINDOW_MINUTES = 15
# Below this many attempts in the window a share says little (one wrong number is 100%).
MIN_ATTEMPTS = 10

_FAILED = [OutboundSMS.Status.FAILED, OutboundSMS.Status.UNDELIVERED]
_PENDING = [OutboundSMS.Status.QUEUED, OutboundSMS.Status.SENDING]


def _missing_twilio_settings() -> list[str]:
    missing = [
        name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not getattr(settings, name, "")
    ]
    if not (settings.TWILIO_FROM_NUMBER or settings.TWILIO_MESSAGING_SERVICE_SID):
        missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
    return missing


def _prepare() -> None:
    """The SMS backend's module, imported before the check threads start (monitoring/health.py)."""
    import_string(settings.SMS_BACKEND)


def twilio_health() -> dict[str, Any]:
    backend = import_string(settings.SMS_BACKEND)
    if not issubclass(backend, TwilioSmsBackend):
        return {"status": "healthy", "detail": f"not in use (SMS backend: {backend.__name__})"}
    if missing := _missing_twilio_settings():
        return {
            "status": "unhealthy",
            "error": f"Twilio is the SMS backend but {', '.join(missing)} is not set",
        }
    counts = OutboundSMS.objects.filter(created_at__gte=now() - timedelta(minutes=WINDOW_MINUTES)).aggregate(
        attempted=Count("id", filter=~Q(status__in=_PENDING)),
        failed=Count("id", filter=Q(status__in=_FAILED)),
    )
    pending = OutboundSMS.objects.filter(status__in=_PENDING).count()
    share = counts["failed"] / counts["attempted"] if counts["attempted"] else 0.0
    result = {**counts, "failure_share": round(share, 4), "outbox_pending": pending}
    level = threshold_crossed(share, SMS_FAILURE_RATIO) if counts["attempted"] >= MIN_ATTEMPTS else None
    if level is not None:
        return {
            **result,
            "status": "unhealthy" if level == "critical" else "degraded",
            "error": f"{share:.0%} of SMS sent in {WINDOW_MINUTES} min failed",
        }
    return {
        **result,
        "status": "healthy",
        "detail": f"{counts['attempted']} sent in the last {WINDOW_MINUTES} min",
    }


# It reads OutboundSMS rows: with the database down it reports "database unavailable".
HEALTH_CHECKS = [
    {
        "component": "twilio",
        "check": twilio_health,
        "guide_key": "external_apis",
        "prepare": _prepare,
        "depends_on": ("database",),
    }
]
