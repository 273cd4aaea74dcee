"""Collectors the /metrics view adds at scrape time (monitoring/views.py reads COLLECTORS):
values computed from state this process holds or reads, added once per scrape rather than
summed across processes.
"""

from collections.abc import Iterator

from django.conf import settings
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from assistant.core.metric_labels import label_values
from monitoring import health
from monitoring.business import FEATURES, BusinessSnapshot, business_snapshot_cached
from monitoring.health import Status

# --- Health -------------------------------------------------------------------------------


class HealthCollector(Collector):
    """health_check_status, health_check_duration_seconds and database_health_status from this
    process's cached check results. A scrape never waits for a check: stale results start a
    background refresh and are exported as they are (none at all before the first run)."""

    def describe(self) -> list[GaugeMetricFamily]:
        # Without describe(), registering the collector would run collect() at import time.
        return list(self._families())

    def collect(self) -> Iterator[GaugeMetricFamily]:
        status, duration, database = self._families()
        for result in health.monitor.peek().results.values():
            status.add_metric([result.component], result.status.score)
            duration.add_metric([result.component], result.duration_seconds)
            if result.component == "database" and not result.internal_error:
                # Slow (degraded) is still up: only a database that does not answer reads 0.
                # After an internal error of the check, whether it answers is unknown: no sample.
                database.add_metric([], 0.0 if result.status is Status.UNHEALTHY else 1.0)
        yield from (status, duration, database)

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily(
                "health_check_status",
                "Last result of each health check: 1 healthy, 0.5 degraded, 0 unhealthy.",
                labels=["component"],
            ),
            GaugeMetricFamily(
                "health_check_duration_seconds",
                "How long each health check's last run took (its time limit when it timed out).",
                labels=["component"],
            ),
            GaugeMetricFamily(
                "database_health_status", "1 while the database answers the health check, 0 when it does not."
            ),
        )


# --- Business metrics and slow queries ---------------------------------------------------------

# Incremented by the execute wrapper of monitoring/db.py, in whichever process ran the query.
database_slow_queries_total = Counter(
    "database_slow_queries_total",
    "Statements slower than DATABASE_SLOW_QUERY_MS, by database alias (each is logged: event=slow_query).",
    ["alias"],
)


def _database_aliases() -> list[str]:
    return list(settings.DATABASES)


label_values(database_slow_queries_total, alias=_database_aliases)


class BusinessCollector(Collector):
    """user_active_sessions, daily_active_users, monthly_active_users, user_retention_rate,
    user_onboarding_completion_rate and feature_adoption_rate{feature}, from the snapshot the
    beat task caches (monitoring/business.py): a scrape costs one cache read. A ratio with
    no denominator, or a database that cannot answer, leaves its gauge without a sample."""

    def describe(self) -> list[GaugeMetricFamily]:
        return list(self._families().values())

    def collect(self) -> Iterator[GaugeMetricFamily]:
        families = self._families()
        snapshot = business_snapshot_cached()
        if snapshot is not None:
            self._fill(families, snapshot)
        yield from families.values()

    @staticmethod
    def _fill(families: dict[str, GaugeMetricFamily], snapshot: BusinessSnapshot) -> None:
        families["user_active_sessions"].add_metric([], snapshot.active_sessions)
        families["daily_active_users"].add_metric([], snapshot.daily_active_users)
        families["monthly_active_users"].add_metric([], snapshot.monthly_active_users)
        if snapshot.retention_rate is not None:
            families["user_retention_rate"].add_metric([], snapshot.retention_rate)
        if snapshot.onboarding_completion_rate is not None:
            families["user_onboarding_completion_rate"].add_metric([], snapshot.onboarding_completion_rate)
        for feature, rate in snapshot.feature_adoption.items():
            families["feature_adoption_rate"].add_metric([feature], rate)

    @staticmethod
    def _families() -> dict[str, GaugeMetricFamily]:
        families = [
            GaugeMetricFamily("user_active_sessions", "API tokens not yet expired (signed-in sessions)."),
            GaugeMetricFamily(
                "daily_active_users",
                "Customers who wrote to the assistant, signed in or used the API in the last 24 hours.",
            ),
            GaugeMetricFamily(
                "monthly_active_users",
                "Customers who wrote to the assistant, signed in or used the API in the last 30 days.",
            ),
            GaugeMetricFamily(
                "user_retention_rate",
                "Share (0-1) of the customers who joined 30 to 60 days ago that were active in the "
                "last 7 days.",
            ),
            GaugeMetricFamily(
                "user_onboarding_completion_rate",
                "Share (0-1) of the customers who joined in the last 30 days that can be reached outside "
                "the app (verified phone or connected integration) and made a todo or a reminder.",
            ),
            GaugeMetricFamily(
                "feature_adoption_rate",
                "Share (0-1) of monthly active users who used a feature in the last 30 days, by feature "
                f"({', '.join(FEATURES)}).",
                labels=["feature"],
            ),
        ]
        return {family.name: family for family in families}


# --- Alertmanager webhook --------------------------------------------------------------------

alert_webhook_notifications_total = Counter(
    "alert_webhook_notifications_total",
    "Alert state changes received from Alertmanager and kept, by status (firing, resolved) and "
    "severity (critical, warning, info, other). Repeats of a known state are not counted.",
    ["status", "severity"],
)
label_values(
    alert_webhook_notifications_total,
    status=("firing", "resolved"),
    severity=("critical", "warning", "info", "other"),
)


# Every collector of this module, for the /metrics view.
COLLECTORS = [HealthCollector(), BusinessCollector()]
