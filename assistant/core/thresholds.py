"""Every threshold the dashboards colour by, the alert rules fire on and the health checks
grade with, in one place.

`generate_dashboards` draws panel thresholds from here and `generate_rules` writes the alert
expressions with the same numbers, so a dashboard turns red exactly where an alert fires; the
apps' health checks (monitoring's own, sms/health.py, integrations/health.py) grade by the same
lines. In core, so that every app may import it: it imports nothing from the apps.
Units are Grafana's unit ids; values are in the metric's base unit (seconds, ratios 0-1).
"""

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Threshold:
    warning: float | None
    critical: float | None
    unit: str  # Grafana unit: "percentunit", "s", "short", "bytes", "reqps"...
    description: str
    # True when lower is worse (cache hit rate): the colours and comparisons flip.
    lower_is_worse: bool = False


# HTTP (django-prometheus)
HTTP_ERROR_RATIO = Threshold(0.01, 0.05, "percentunit", "Share of responses that are 5xx, over 5 minutes.")
HTTP_P95_LATENCY = Threshold(
    1.0, 2.0, "s", "95th percentile of request latency, over 5 minutes (KPI: < 1 s)."
)
HTTP_P99_LATENCY = Threshold(2.0, 5.0, "s", "99th percentile of request latency (KPI: < 2 s).")

# Hosts (node_exporter)
CPU_USAGE_RATIO = Threshold(0.8, 0.9, "percentunit", "Share of CPU time not idle, per instance (KPI: < 80%).")
MEMORY_USAGE_RATIO = Threshold(
    0.85, 0.95, "percentunit", "Share of memory in use, per instance (KPI: < 85%)."
)
DISK_USAGE_RATIO = Threshold(0.8, 0.9, "percentunit", "Share of a filesystem in use.")
DISK_IO_BUSY_RATIO = Threshold(
    0.7, 0.9, "percentunit", "Share of time a disk was busy with I/O (KPI: < 70%)."
)

# Data stores
CACHE_HIT_RATIO = Threshold(
    0.8,
    0.5,
    "percentunit",
    "Share of the app's cache reads that found their key (django-prometheus: hits / reads).",
    lower_is_worse=True,
)
DB_SLOW_QUERIES_PER_SECOND = Threshold(
    0.1, 1.0, "short", "Queries slower than DATABASE_SLOW_QUERY_MS, per second."
)
DATABASE_HEALTH_RESPONSE_TIME = Threshold(
    0.5, 2.0, "s", "Time the database health check takes to get a connection and run SELECT 1."
)

# SMS
SMS_FAILURE_RATIO = Threshold(
    0.05, 0.2, "percentunit", "Share of outbound SMS attempts that failed, over 15 minutes."
)
SMS_OUTBOX_BACKLOG = Threshold(50, 500, "short", "Outbound SMS queued or sending.")
TWILIO_ERRORS_PER_SECOND = Threshold(0.05, 0.5, "short", "Twilio API calls that failed, per second.")

# Integrations
OAUTH_REFRESH_FAILURE_RATIO = Threshold(
    0.1, 0.5, "percentunit", "Share of token refreshes that failed, over 30 minutes."
)

# Celery
CELERY_QUEUE_BACKLOG = Threshold(100, 1000, "short", "Messages waiting in a Celery queue.")
CELERY_BEAT_STALE_SECONDS = Threshold(120, 300, "s", "Seconds since Celery beat last ticked.")
CELERY_WORKERS_ONLINE = Threshold(
    None, 1, "short", "Celery worker processes up, summed over the exporters.", lower_is_worse=True
)
REMINDER_DELIVERY_LAG_P95 = Threshold(60, 300, "s", "95th percentile of how late reminders go out.")

# Security
FAILED_LOGINS_PER_SECOND = Threshold(
    0.5, 2.0, "short", "Refused sign-ins per second (all reasons but mfa_required)."
)
FORGED_REQUESTS_PER_SECOND = Threshold(0.05, 0.5, "short", "Forged webhooks and OAuth callbacks per second.")

# Health (health_check_status: 1 healthy, 0.5 degraded, 0 unhealthy)
HEALTH_STATUS = Threshold(0.75, 0.25, "short", "1 healthy, 0.5 degraded, 0 unhealthy.", lower_is_worse=True)


Level = Literal["warning", "critical"]


def threshold_crossed(value: float, threshold: Threshold) -> Level | None:
    """The highest level `value` has reached (at or past the line, below it when lower is
    worse), or None while it is inside both."""

    def past(line: float | None) -> bool:
        if line is None:
            return False
        return value <= line if threshold.lower_is_worse else value >= line

    if past(threshold.critical):
        return "critical"
    if past(threshold.warning):
        return "warning"
    return None


def threshold_name(threshold: Threshold) -> str:
    """The name a threshold has in this module (found by identity, not by value), for the
    panel descriptions and rule comments that send readers here."""
    for name, value in globals().items():
        if value is threshold:
            return name
    raise ValueError(f"{threshold!r} is not defined in assistant/core/thresholds.py")
