"""The Prometheus alert rules, defined in Python.

`python manage.py generate_rules` writes them to deploy/prometheus/rules/{critical,warning,info}.yml;
`--check` fails when the committed files are stale. Every number comes from
`assistant/core/thresholds.py`, the module the dashboards colour by, so a panel turns red exactly where
an alert fires. A threshold with a warning and a critical value gives two rules with the same
`alertname` (one per severity): Alertmanager inhibits the warning while the critical one fires.

Each rule is built by one small helper per pattern:

- `threshold_rules`: a query compared with a `Threshold` (warning and critical levels);
- `condition_rule`: a yes/no condition (a target down, a metric absent) at one severity.

and the PromQL they compare comes from monitoring/promql.py, the builders the dashboards use.

Annotations: `summary` (one line, may name labels), `description` (the measured value, humanised,
the threshold and what it means), `runbook_url` (`<runbook base>#<alert name in lower case>`, the
GitHub-style anchor of the alert's section in docs/runbooks.md).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict

import yaml

from assistant.core import thresholds as t
from assistant.core.thresholds import Threshold, threshold_name
from monitoring.promql import REAL_FILESYSTEMS, quantile, ratio, sum_increase, sum_rate

SEVERITIES = ("critical", "warning", "info")

# Where runbook links point. A path in this repository: GitHub (or any forge) renders
# docs/runbooks.md and resolves the `#anchor`. To get absolute links in Slack, e-mail and PagerDuty,
# run `generate_rules --runbook-base-url https://<forge>/<org>/<repo>/blob/main/docs/runbooks.md`
# and commit the result (CI's `--check` must then use the same flag).
RUNBOOK_BASE_URL = "docs/runbooks.md"

# Below these volumes a ratio or a quantile is noise (one 500 out of three requests is not an
# incident), so the rule stays quiet. They are not dashboard colours, hence not in thresholds.py.
MIN_HTTP_REQUESTS = 30  # responses in the 5-minute window
MIN_CACHE_LOOKUPS = 100  # the app's cache reads (django_cache_get_total) in the 5-minute window
MIN_SMS_ATTEMPTS = 10  # outbound SMS attempts in the 15-minute window
MIN_TOKEN_REFRESHES = 5  # token refreshes of one provider in the 30-minute window
MIN_REMINDERS = 5  # reminders delivered in the 15-minute window

# The HTTP series the error ratio and latency read: by scope and status class, every combination
# created at 0 when a process starts, so a window's first request counts (the per-view series
# appear with their view's first request, already at 1). Prometheus' own scrapes and health
# probes are the `probe` scope, not user traffic (a probe answers 503 by design when a
# dependency is down; HealthCheckUnhealthy reports that).
HTTP_RESPONSES = "http_responses_total"
HTTP_LATENCY = "http_request_duration_seconds"
USER_TRAFFIC = 'scope!="probe"'
SERVER_ERROR = 'status_class="5xx"'

# Health components whose failure stops the product (paged); the others (disk, memory, providers)
# degrade one feature and warn.
CORE_COMPONENTS = ("database", "cache", "broker", "celery_workers", "celery_beat")


# How `{{ $value }}` is shown in a description, and how a threshold is written for the same unit.
@dataclass(frozen=True)
class Format:
    pipeline: str  # Go template functions applied to $value
    limit: Callable[[float], str]
    suffix: str = ""

    def value(self) -> str:
        return "{{ $value | " + self.pipeline + " }}" + self.suffix


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g}m"
    return f"{seconds:g}s"


PERCENT = Format("humanizePercentage", lambda v: f"{v * 100:g}%")
DURATION = Format("humanizeDuration", _duration)
COUNT = Format("humanize", lambda v: f"{v:g}")
PER_SECOND = Format('printf "%.2f"', lambda v: f"{v:g}/s", suffix="/s")


@dataclass(frozen=True)
class Rule:
    alert: str
    severity: str
    expr: str
    duration: str  # Prometheus `for:`; "0m" fires on the first evaluation
    summary: str
    description: str
    area: str  # the rule group, inside its severity's file
    # Labels the alert carries besides alertname and severity: Alertmanager's inhibit rule must
    # compare them, so that a critical alert only silences the warning about the same thing.
    by: tuple[str, ...] = ()
    note: str = ""  # a comment written above the rule in the YAML

    @property
    def anchor(self) -> str:
        return self.alert.lower()

    def as_dict(self, runbook_base_url: str) -> dict[str, Any]:
        rule: dict[str, Any] = {"alert": self.alert, "expr": self.expr}
        if self.duration != "0m":
            rule["for"] = self.duration
        rule["labels"] = {"severity": self.severity}
        rule["annotations"] = {
            "summary": self.summary,
            "description": self.description,
            "runbook_url": f"{runbook_base_url}#{self.anchor}",
        }
        return rule


# --- Rule patterns -----------------------------------------------------------------------------


def threshold_rules(
    alert: str,
    threshold: Threshold,
    *,
    query: str,
    fmt: Format,
    summary: str,
    description: str,
    area: str,
    durations: tuple[str, str] = ("10m", "5m"),
    by: tuple[str, ...] = (),
    guard: str = "",
) -> list[Rule]:
    """`query` compared with the warning and then the critical level of `threshold`.

    `description` may use `{value}` (the measured value, humanised) and `{limit}` (the level
    crossed); `guard` is a condition `and`-ed to the comparison (a minimum volume).
    `durations` are the `for:` of the warning and of the critical rule.
    """
    operator = "<" if threshold.lower_is_worse else ">"
    name = threshold_name(threshold)
    rules = []
    for severity, level, duration in (
        ("warning", threshold.warning, durations[0]),
        ("critical", threshold.critical, durations[1]),
    ):
        if level is None:
            continue
        expr = f"{query} {operator} {level:g}"
        if guard:
            expr = f"{expr}\nand\n{guard}"
        rules.append(
            Rule(
                alert=alert,
                severity=severity,
                expr=expr,
                duration=duration,
                summary=summary,
                description=description.replace("{value}", fmt.value()).replace("{limit}", fmt.limit(level)),
                area=area,
                by=by,
                note=f"{name}.{severity} = {level:g} ({threshold.unit}): {threshold.description}",
            )
        )
    return rules


def condition_rule(
    alert: str,
    severity: str,
    *,
    expr: str,
    duration: str,
    summary: str,
    description: str,
    area: str,
    by: tuple[str, ...] = (),
    fmt: Format = COUNT,
    note: str = "",
) -> Rule:
    """A yes/no condition at one severity (`{value}` in the description is humanised by `fmt`)."""
    return Rule(
        alert=alert,
        severity=severity,
        expr=expr,
        duration=duration,
        summary=summary,
        description=description.replace("{value}", fmt.value()),
        area=area,
        by=by,
        note=note,
    )


# --- The rules ---------------------------------------------------------------------------------

_CELERY_BEAT_TICK = "celery_beat_last_tick_timestamp_seconds"
_FAILED = 'state="failed"'
_DAILY_SPEND_CAP = 'cap="daily_spend"'


def _availability() -> list[Rule]:
    return [
        condition_rule(
            "ServiceDown",
            "critical",
            expr="up == 0",
            duration="2m",
            summary="{{ $labels.job }} is down ({{ $labels.instance }})",
            description=(
                "Prometheus has not been able to scrape {{ $labels.job }} at {{ $labels.instance }} "
                "for 2 minutes: the process is stopped, unreachable, or refuses the scrape."
            ),
            area="availability",
            by=("job", "instance"),
        ),
        condition_rule(
            "DatabaseDown",
            "critical",
            expr="pg_up == 0 or database_health_status == 0",
            duration="1m",
            summary="PostgreSQL is unreachable (seen by {{ $labels.job }})",
            description=(
                "{{ $labels.job }} at {{ $labels.instance }} cannot reach the database "
                "(postgres_exporter's pg_up or the app's database health check is 0): "
                "every API call that reads or writes fails."
            ),
            area="availability",
            by=("job", "instance"),
        ),
        condition_rule(
            "RedisDown",
            "critical",
            expr='redis_up == 0 or health_check_status{component="cache"} == 0',
            duration="1m",
            summary="Redis is unreachable (seen by {{ $labels.job }})",
            description=(
                "{{ $labels.job }} at {{ $labels.instance }} cannot use Redis (redis_exporter's redis_up "
                "or the app's cache health check is 0): throttles, lockouts and the cache are per request "
                "or lost, and the Celery broker, when it is this Redis, takes no task."
            ),
            area="availability",
            by=("job", "instance", "component"),
        ),
        condition_rule(
            "BrokerDown",
            "critical",
            expr='health_check_status{component="broker"} == 0',
            duration="1m",
            summary="The Celery broker is unreachable (seen by {{ $labels.job }})",
            description=(
                "{{ $labels.job }} at {{ $labels.instance }} cannot connect to CELERY_BROKER_URL (the "
                "broker health check is 0): no task is queued or run, reminders and SMS wait."
            ),
            area="availability",
            by=("job", "instance", "component"),
        ),
    ]


# --- Outages: one page for the cause, the symptoms inhibited -------------------------------------


@dataclass(frozen=True)
class Outage:
    """An alert that names a dependency down, and what follows from it. While it fires,
    Alertmanager inhibits (deploy/alertmanager/alertmanager.yml, checked against `inhibit_rules`
    by monitoring/tests/test_alert_rules.py) the HealthCheck* alerts of its component and of the
    checks that depend on it (their health.py's "depends_on"), and the symptom alerts listed."""

    alert: str
    component: str  # its health check
    exporter_job: str  # the exporter's view; "" without one
    symptoms: tuple[str, ...]  # other alerts it causes (an outage named here brings its own)


OUTAGES = (
    Outage(
        "DatabaseDown",
        "database",
        "postgres",
        symptoms=(
            "HighErrorRate",
            "HighResponseTime",
            "SlowDatabaseQueries",
            # beat's schedule and heartbeat are database rows; tasks read and write rows
            "CeleryBeatStale",
            "CeleryBeatMissing",
            "CeleryTaskFailures",
            "ReminderDeliveryLag",
            "SmsOutboxBacklog",
            # the app's webhook records each notification in the database: it answers 500
            "AlertmanagerNotificationsFailing",
        ),
    ),
    Outage(
        "RedisDown",
        "cache",
        "redis",
        # The shipped stack's broker is this Redis: its outage is the broker's too.
        symptoms=("BrokerDown", "LowCacheHitRate"),
    ),
    Outage(
        "BrokerDown",
        "broker",
        "",
        symptoms=(
            "NoCeleryWorkers",
            "CeleryQueueBacklog",
            "CeleryTaskFailures",
            "ReminderDeliveryLag",
            "SmsOutboxBacklog",
        ),
    ),
)
HEALTH_ALERTS = ("HealthCheckUnhealthy", "HealthCheckDegraded")


def _dependants(component: str, depends_on: dict[str, tuple[str, ...]]) -> list[str]:
    """The component and every check that depends on it, directly or not."""
    found = [component]
    for name, needs in depends_on.items():
        if component in needs and name not in found:
            found += [dependant for dependant in _dependants(name, depends_on) if dependant not in found]
    return found


def outage_inhibitions(outage: Outage, depends_on: dict[str, tuple[str, ...]]) -> tuple[list[str], list[str]]:
    """(health components, alerts) an outage inhibits, the outages it causes included."""
    components = _dependants(outage.component, depends_on)
    alerts = list(outage.symptoms)
    by_name = {other.alert: other for other in OUTAGES}
    for symptom in outage.symptoms:
        if symptom in by_name:
            more_components, more_alerts = outage_inhibitions(by_name[symptom], depends_on)
            components += [name for name in more_components if name not in components]
            alerts += [name for name in more_alerts if name not in alerts]
    return components, alerts


def health_dependencies() -> dict[str, tuple[str, ...]]:
    """Exported health component -> the components it depends on (from the checks' registry)."""
    from monitoring.health import registered_checks  # reads the apps' health.py: at call time

    return {check.component: check.depends_on for check in registered_checks() if check.in_overall}


def inhibit_rules() -> list[dict[str, Any]]:
    """Alertmanager's inhibit rules for the outages, after the critical-over-warning one."""
    depends_on = health_dependencies()
    rules: list[dict[str, Any]] = []
    for outage in OUTAGES:
        components, alerts = outage_inhibitions(outage, depends_on)
        source = f'alertname="{outage.alert}"'
        rules.append(
            {
                "source_matchers": [source],
                "target_matchers": [
                    f'alertname=~"{"|".join(HEALTH_ALERTS)}"',
                    f'component=~"{"|".join(components)}"',
                ],
            }
        )
        rules.append({"source_matchers": [source], "target_matchers": [f'alertname=~"{"|".join(alerts)}"']})
        if outage.exporter_job:
            # Seen by the exporter and by the app: the exporter's alert is the one that pages.
            rules.append(
                {
                    "source_matchers": [source, f'job="{outage.exporter_job}"'],
                    "target_matchers": [source, f'job!="{outage.exporter_job}"'],
                }
            )
    return rules


def _http() -> list[Rule]:
    responses_ok_volume = f"{sum_increase(HTTP_RESPONSES, USER_TRAFFIC, window='5m')} >= {MIN_HTTP_REQUESTS}"
    return [
        *threshold_rules(
            "HighErrorRate",
            t.HTTP_ERROR_RATIO,
            query=ratio(
                sum_rate(HTTP_RESPONSES, SERVER_ERROR, USER_TRAFFIC, window="5m"),
                sum_rate(HTTP_RESPONSES, USER_TRAFFIC, window="5m"),
                multiline=True,
            ),
            fmt=PERCENT,
            summary="The API answers too many requests with a 5xx",
            description=(
                "{value} of API responses were 5xx over the last 5 minutes (threshold {limit}; "
                f"health probes and scrapes excluded, quiet under {MIN_HTTP_REQUESTS} requests)."
            ),
            area="http",
            durations=("10m", "5m"),
            guard=responses_ok_volume,
        ),
        *threshold_rules(
            "HighResponseTime",
            t.HTTP_P95_LATENCY,
            query=quantile(0.95, HTTP_LATENCY, USER_TRAFFIC, window="5m"),
            fmt=DURATION,
            summary="The API is slow: p95 latency above its threshold",
            description=(
                "95% of API requests took up to {value} over the last 5 minutes (threshold {limit}; "
                "health probes and scrapes excluded)."
            ),
            area="http",
            durations=("10m", "5m"),
            guard=responses_ok_volume,
        ),
    ]


def _hosts() -> list[Rule]:
    return [
        *threshold_rules(
            "HighCPUUsage",
            t.CPU_USAGE_RATIO,
            query='1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))',
            fmt=PERCENT,
            summary="CPU busy on {{ $labels.instance }}",
            description="CPU on {{ $labels.instance }} is {value} busy (threshold {limit}, over 5 minutes).",
            area="hosts",
            durations=("15m", "10m"),
            by=("instance",),
        ),
        *threshold_rules(
            "HighMemoryUsage",
            t.MEMORY_USAGE_RATIO,
            query=(
                "1 - sum by (instance) (node_memory_MemAvailable_bytes)"
                " / sum by (instance) (node_memory_MemTotal_bytes)"
            ),
            fmt=PERCENT,
            summary="Memory nearly full on {{ $labels.instance }}",
            description="{value} of the memory of {{ $labels.instance }} is in use (threshold {limit}).",
            area="hosts",
            durations=("10m", "5m"),
            by=("instance",),
        ),
        *threshold_rules(
            "HighDiskUsage",
            t.DISK_USAGE_RATIO,
            query=(
                "max by (instance, mountpoint) (1 - "
                f"node_filesystem_avail_bytes{{{REAL_FILESYSTEMS}}}"
                " / "
                f"node_filesystem_size_bytes{{{REAL_FILESYSTEMS}}})"
            ),
            fmt=PERCENT,
            summary="Disk {{ $labels.mountpoint }} filling up on {{ $labels.instance }}",
            description=(
                "{value} of {{ $labels.mountpoint }} on {{ $labels.instance }} is used (threshold {limit})."
            ),
            area="hosts",
            durations=("15m", "5m"),
            by=("instance", "mountpoint"),
        ),
    ]


def _datastores() -> list[Rule]:
    # The app's own cache reads (django-prometheus), not redis_exporter's server-wide keyspace
    # counters: those also count the Celery broker and any other client of that Redis.
    hits = sum_rate("django_cache_get_hits_total", by=("instance",), window="5m")
    reads = sum_rate("django_cache_get_total", by=("instance",), window="5m")
    lookups = sum_increase("django_cache_get_total", by=("instance",), window="5m")
    return [
        *threshold_rules(
            "LowCacheHitRate",
            t.CACHE_HIT_RATIO,
            query=ratio(hits, reads, multiline=True),
            fmt=PERCENT,
            summary="Cache hit rate low on {{ $labels.instance }}",
            description=(
                "Only {value} of the app's cache reads on {{ $labels.instance }} found their key over the "
                f"last 5 minutes (threshold {{limit}}; quiet under {MIN_CACHE_LOOKUPS} reads)."
            ),
            area="datastores",
            durations=("15m", "10m"),
            by=("instance",),
            guard=f"{lookups} >= {MIN_CACHE_LOOKUPS}",
        ),
        *threshold_rules(
            "SlowDatabaseQueries",
            t.DB_SLOW_QUERIES_PER_SECOND,
            query=sum_rate("database_slow_queries_total", by=("alias",), window="5m"),
            fmt=PER_SECOND,
            summary="Slow database queries on {{ $labels.alias }}",
            description=(
                "Queries slower than DATABASE_SLOW_QUERY_MS ran at {value} on database {{ $labels.alias }} "
                "over the last 5 minutes (threshold {limit}); they are logged with event=slow_query."
            ),
            area="datastores",
            durations=("15m", "10m"),
            by=("alias",),
        ),
    ]


def _sms() -> list[Rule]:
    return [
        *threshold_rules(
            "SmsFailureRate",
            t.SMS_FAILURE_RATIO,
            query=ratio(
                sum_rate("sms_sent_total", 'status="failed"', window="15m"),
                sum_rate("sms_sent_total", window="15m"),
                multiline=True,
            ),
            fmt=PERCENT,
            summary="Outbound SMS are failing",
            description=(
                "{value} of outbound SMS attempts were given up over the last 15 minutes "
                f"(threshold {{limit}}; quiet under {MIN_SMS_ATTEMPTS} attempts)."
            ),
            area="sms",
            durations=("10m", "5m"),
            guard=f"{sum_increase('sms_sent_total', window='15m')} >= {MIN_SMS_ATTEMPTS}",
        ),
        *threshold_rules(
            "SmsOutboxBacklog",
            t.SMS_OUTBOX_BACKLOG,
            query="max(sms_outbox_pending)",
            fmt=COUNT,
            summary="Outbound SMS are piling up in the outbox",
            description="{value} outbound SMS are queued or sending (threshold {limit}).",
            area="sms",
            durations=("15m", "10m"),
        ),
        *threshold_rules(
            "TwilioApiErrors",
            t.TWILIO_ERRORS_PER_SECOND,
            query=sum_rate("twilio_api_request_duration_seconds_count", 'outcome!="success"', window="5m"),
            fmt=PER_SECOND,
            summary="Twilio's API is refusing or failing our calls",
            description=(
                "Calls to Twilio's REST API failed at {value} over the last 5 minutes (threshold {limit}); "
                "transient errors are retried, permanent ones are not."
            ),
            area="sms",
            durations=("10m", "5m"),
        ),
        condition_rule(
            "SmsDailySpendCapReached",
            "critical",
            # The app refuses every SMS past SMS_DAILY_SPEND_LIMIT_USD (sms/caps.py), so any refusal
            # counted under that cap means texts have stopped: page at once.
            expr=f"{sum_increase('sms_cap_refused_total', _DAILY_SPEND_CAP, window='30m')} > 0",
            duration="0m",
            summary="SMS are paused: today's SMS spend reached its cap",
            description=(
                "{value} SMS were refused over the last 30 minutes because today's spend reached "
                "SMS_DAILY_SPEND_LIMIT_USD: reminders go by chat and phone codes are refused until "
                "midnight (TIME_ZONE) or until the limit is raised."
            ),
            area="sms",
        ),
    ]


def _integrations() -> list[Rule]:
    refreshes = sum_increase("oauth_token_refresh_total", by=("provider",), window="30m")
    return threshold_rules(
        "OAuthRefreshFailures",
        t.OAUTH_REFRESH_FAILURE_RATIO,
        query=ratio(
            sum_rate("oauth_token_refresh_failures_total", by=("provider",), window="30m"),
            sum_rate("oauth_token_refresh_total", by=("provider",), window="30m"),
            multiline=True,
        ),
        fmt=PERCENT,
        summary="{{ $labels.provider }} token refreshes are failing",
        description=(
            "{value} of {{ $labels.provider }} token refreshes failed over the last 30 minutes "
            f"(threshold {{limit}}; quiet under {MIN_TOKEN_REFRESHES} refreshes)."
        ),
        area="integrations",
        durations=("15m", "10m"),
        by=("provider",),
        guard=f"{refreshes} >= {MIN_TOKEN_REFRESHES}",
    )


def _celery() -> list[Rule]:
    return [
        *threshold_rules(
            "NoCeleryWorkers",
            t.CELERY_WORKERS_ONLINE,
            # `or vector(0)`: no exporter reporting at all (every worker gone) is zero workers.
            query="(sum(celery_workers_online) or vector(0))",
            fmt=COUNT,
            summary="No Celery worker is online",
            description=(
                "{value} Celery workers are online (fewer than {limit}): reminders, SMS sends, "
                "token refreshes and syncs are not being processed."
            ),
            area="celery",
            durations=("2m", "2m"),
        ),
        *threshold_rules(
            "CeleryQueueBacklog",
            t.CELERY_QUEUE_BACKLOG,
            # max: the worker's and beat's exporters may both report the same queue.
            query="max by (queue) (celery_queue_length)",
            fmt=COUNT,
            summary="Celery queue {{ $labels.queue }} is backing up",
            description="{value} messages are waiting in Celery queue {{ $labels.queue }} "
            "(threshold {limit}).",
            area="celery",
            durations=("15m", "10m"),
            by=("queue",),
        ),
        *threshold_rules(
            "CeleryBeatStale",
            t.CELERY_BEAT_STALE_SECONDS,
            query=f"time() - max({_CELERY_BEAT_TICK})",
            fmt=DURATION,
            summary="Celery beat has stopped ticking",
            description=(
                "Celery beat last ticked {value} ago (threshold {limit}): periodic work (reminder "
                "dispatch, outbox sweep, token refresh, syncs) is not being scheduled."
            ),
            area="celery",
            durations=("1m", "1m"),
        ),
        condition_rule(
            "CeleryBeatMissing",
            "critical",
            # The heartbeat vanishes when beat, or its exporter, is gone: CeleryBeatStale cannot see that.
            expr=f"absent({_CELERY_BEAT_TICK})",
            duration="5m",
            summary="Celery beat's heartbeat is missing",
            description=(
                f"No target exports {_CELERY_BEAT_TICK} (for 5 minutes): Celery beat is not running, "
                "or its metrics exporter is not scraped. Nothing periodic is being scheduled."
            ),
            area="celery",
        ),
        *threshold_rules(
            "ReminderDeliveryLag",
            t.REMINDER_DELIVERY_LAG_P95,
            query=quantile(0.95, "reminder_delivery_lag_seconds", window="15m"),
            fmt=DURATION,
            summary="Reminders are going out late",
            description=(
                "95% of reminders were delivered up to {value} after they were due, over the last "
                f"15 minutes (threshold {{limit}}; quiet under {MIN_REMINDERS} reminders)."
            ),
            area="celery",
            durations=("10m", "5m"),
            guard=f"{sum_increase('reminder_delivery_lag_seconds_count', window='15m')} >= {MIN_REMINDERS}",
        ),
        condition_rule(
            "CeleryTaskFailures",
            "info",
            expr=f"{sum_increase('celery_tasks_total', _FAILED, by=('task',), window='15m')} > 0",
            # Longer than DatabaseDown's and BrokerDown's 1 minute: when an outage makes tasks
            # fail, the outage alert is already firing and holds this one back (OUTAGES) before
            # it could notify. A failure stays in the 15-minute window, so it still fires.
            duration="2m",
            summary="Celery task {{ $labels.task }} failed",
            description=(
                "Runs of {{ $labels.task }} that failed, after their own retries, over the last 15 minutes: "
                '{{ $value | printf "%.0f" }}. The traceback is in the worker\'s logs.'
            ),
            area="celery",
            by=("task",),
        ),
    ]


def _security() -> list[Rule]:
    return [
        *threshold_rules(
            "FailedLoginSpike",
            t.FAILED_LOGINS_PER_SECOND,
            query=sum_rate("authentication_failures_total", 'reason!="mfa_required"', window="5m"),
            fmt=PER_SECOND,
            summary="A spike of refused sign-ins",
            description=(
                "Sign-ins were refused at {value} over the last 5 minutes (threshold {limit}; "
                "mfa_required, the normal first step of two-factor sign-in, excluded): "
                "credential stuffing or a broken client."
            ),
            area="security",
            durations=("5m", "2m"),
        ),
        *threshold_rules(
            "ForgedRequestSpike",
            t.FORGED_REQUESTS_PER_SECOND,
            query=sum_rate("security_event_total", 'kind="forged_request"', window="5m"),
            fmt=PER_SECOND,
            summary="A spike of forged webhooks or OAuth callbacks",
            description=(
                "Requests with a bad signature, state or token (Twilio webhooks, OAuth callbacks, the "
                "Alertmanager webhook) arrived at {value} over the last 5 minutes (threshold {limit})."
            ),
            area="security",
            durations=("5m", "2m"),
        ),
    ]


class _RuleWording(TypedDict):
    """What two condition_rule() calls of one alert share."""

    duration: str
    summary: str
    description: str
    area: str
    by: tuple[str, ...]
    note: str


def _health() -> list[Rule]:
    status = t.HEALTH_STATUS
    core = "|".join(CORE_COMPONENTS)
    unhealthy: _RuleWording = dict(
        duration="2m",
        summary="Health check {{ $labels.component }} is unhealthy",
        description=(
            "The {{ $labels.component }} health check has reported unhealthy for 2 minutes "
            "(the status board, or /health/overall with the metrics token, shows its last error)."
        ),
        area="health",
        by=("component",),
        note=f"HEALTH_STATUS.critical = {status.critical:g}: {status.description}",
    )
    return [
        condition_rule(
            "HealthCheckUnhealthy",
            "critical",
            expr=f'min by (component) (health_check_status{{component=~"{core}"}}) < {status.critical:g}',
            **unhealthy,
        ),
        condition_rule(
            "HealthCheckUnhealthy",
            "warning",
            expr=f'min by (component) (health_check_status{{component!~"{core}"}}) < {status.critical:g}',
            **unhealthy,
        ),
        condition_rule(
            "HealthCheckDegraded",
            "info",
            expr=f"min by (component) (health_check_status) < {status.warning:g} >= {status.critical:g}",
            duration="10m",
            summary="Health check {{ $labels.component }} is degraded",
            description=(
                "The {{ $labels.component }} health check has reported degraded for 10 minutes: it works, "
                "slowly or partly (the status board, or /health/overall with the metrics token, shows why)."
            ),
            area="health",
            by=("component",),
            note=f"HEALTH_STATUS.warning = {status.warning:g}: {status.description}",
        ),
    ]


def _monitoring() -> list[Rule]:
    failed_notifications = sum_rate(
        "alertmanager_notifications_failed_total", by=("integration",), window="5m"
    )
    rule_failures = sum_increase("prometheus_rule_evaluation_failures_total", by=("rule_group",), window="5m")
    return [
        condition_rule(
            "AlertmanagerNotificationsFailing",
            "warning",
            expr=f"{failed_notifications} > 0",
            duration="10m",
            summary="Alertmanager cannot deliver to {{ $labels.integration }}",
            description=(
                'Alertmanager failed {{ $value | printf "%.2f" }} {{ $labels.integration }} notifications '
                "per second over the last 5 minutes: alerts may not reach people through that channel."
            ),
            area="monitoring",
            by=("integration",),
        ),
        condition_rule(
            "PrometheusRuleEvaluationFailures",
            "warning",
            expr=f"{rule_failures} > 0",
            duration="10m",
            summary="Prometheus fails to evaluate alert rules",
            description=(
                "Rules of group {{ $labels.rule_group }} failed to evaluate over the last 5 minutes: "
                "the alerts they define cannot fire."
            ),
            area="monitoring",
            by=("rule_group",),
        ),
    ]


def all_rules() -> list[Rule]:
    return [
        *_availability(),
        *_http(),
        *_hosts(),
        *_datastores(),
        *_sms(),
        *_integrations(),
        *_celery(),
        *_security(),
        *_health(),
        *_monitoring(),
    ]


# --- YAML ----------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)

_HEADER = """\
# Prometheus alert rules, severity {severity}: {routing}
#
# GENERATED by `python manage.py generate_rules` from monitoring/alerting.py and
# assistant/core/thresholds.py: edit those, regenerate, commit. CI fails when this file is stale.
# Tests: deploy/prometheus/tests/ (`promtool test rules deploy/prometheus/tests/*.yml`).
"""

ROUTING = {
    "critical": "Alertmanager sends these to e-mail and PagerDuty (and the app's webhook).",
    "warning": "Alertmanager sends these to Slack (and the app's webhook).",
    "info": "Alertmanager sends these to the info webhook (and the app's webhook).",
}


@dataclass
class _Group:
    name: str
    rules: list[Rule] = field(default_factory=list)


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def render_rule_file(severity: str, rules: list[Rule], *, runbook_base_url: str) -> str:
    groups: dict[str, _Group] = {}
    for rule in rules:
        if rule.severity == severity:
            groups.setdefault(rule.area, _Group(f"{rule.area}-{severity}")).rules.append(rule)
    out = [_HEADER.format(severity=severity, routing=ROUTING[severity]), "groups:\n"]
    for group in groups.values():
        out.append(f"  - name: {group.name}\n    rules:\n")
        for rule in group.rules:
            if rule.note:
                out.append(f"      # {rule.note}\n")
            text = yaml.dump([rule.as_dict(runbook_base_url)], Dumper=_Dumper, sort_keys=False, width=4096)
            out.append(_indent(text, 6))
    return "".join(out)


def render_rule_files(*, runbook_base_url: str = RUNBOOK_BASE_URL) -> dict[str, str]:
    """File name -> content, for critical.yml, warning.yml and info.yml."""
    rules = all_rules()
    return {
        f"{severity}.yml": render_rule_file(severity, rules, runbook_base_url=runbook_base_url)
        for severity in SEVERITIES
    }
