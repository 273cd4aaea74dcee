"""Application: the API's traffic, latency and errors, its database and cache, sign-ins, and logs."""

from assistant.core import thresholds
from monitoring.alerting import HTTP_RESPONSES, SERVER_ERROR, USER_TRAFFIC
from monitoring.dashboards.base import DashboardSpec, Section
from monitoring.dashboards.logql import LOG_QUERIES
from monitoring.dashboards.panels import (
    FULL,
    HEALTH_STATES,
    NO_TRAFFIC_NO_RATIO,
    THIRD,
    UP_STATES,
    Prom,
    logs_panel,
    stat_panel,
    timeseries_panel,
)
from monitoring.dashboards.promql import aggregate, quantile, sum_rate
from monitoring.promql import ratio, total

REQUESTS = "django_http_requests_total_by_view_transport_method_total"
RESPONSES = "django_http_responses_total_by_status_view_method_total"
LATENCY = "django_http_requests_latency_seconds_by_view_method"
REFUSED_SIGN_IN = 'reason!="mfa_required"'  # the first step of a two-factor sign-in, not a failure

# The same series as the HighErrorRate alert, by scope and status class and created at 0 when a
# process starts, so the first request counts: a health probe's 503 is the probe doing its job.
ERROR_RATIO = ratio(
    sum_rate(HTTP_RESPONSES, SERVER_ERROR, USER_TRAFFIC), sum_rate(HTTP_RESPONSES, USER_TRAFFIC)
)
SIGN_INS = sum_rate("user_login_total", window="1h")
SIGN_IN_SUCCESS = ratio(
    SIGN_INS, total(SIGN_INS, sum_rate("authentication_failures_total", REFUSED_SIGN_IN, window="1h"))
)
REDIS_HITS = sum_rate("redis_keyspace_hits_total", scope=())
REDIS_MISSES = sum_rate("redis_keyspace_misses_total", scope=())


def _latency(q: float, *, by: tuple[str, ...] = ()) -> str:
    return quantile(q, LATENCY, by=by)


def sections() -> list[Section]:
    return [
        Section(
            "Overview",
            [
                stat_panel(
                    "Requests per second",
                    "Requests answered per second, all views, last 5 minutes.",
                    Prom(sum_rate(REQUESTS)),
                    unit="reqps",
                ),
                stat_panel(
                    "5xx error ratio",
                    "Share of API responses with a 5xx status, last 5 minutes (/metrics and health probes "
                    f"left out, as in the HighErrorRate alert). {NO_TRAFFIC_NO_RATIO}",
                    Prom(ERROR_RATIO),
                    threshold=thresholds.HTTP_ERROR_RATIO,
                ),
                stat_panel(
                    "p95 response time",
                    "95th percentile of request latency over every view, last 5 minutes.",
                    Prom(_latency(0.95)),
                    threshold=thresholds.HTTP_P95_LATENCY,
                ),
                stat_panel(
                    "p99 response time",
                    "99th percentile of request latency over every view, last 5 minutes.",
                    Prom(_latency(0.99)),
                    threshold=thresholds.HTTP_P99_LATENCY,
                ),
                stat_panel(
                    "Component health",
                    "Latest result of each health check (health_check_status): 1 healthy, "
                    "0.5 degraded, 0 unhealthy. The same checks as /health/overall.",
                    Prom(aggregate("min", "health_check_status", by=("component",)), "{{component}}"),
                    threshold=thresholds.HEALTH_STATUS,
                    mappings=[HEALTH_STATES],
                    width=FULL,
                ),
            ],
        ),
        Section(
            "Requests",
            [
                timeseries_panel(
                    "Request rate by view",
                    "Requests per second per view (URL name), stacked.",
                    Prom(sum_rate(REQUESTS, by=("view",)), "{{view}}"),
                    unit="reqps",
                    stacked=True,
                ),
                timeseries_panel(
                    "Response time percentiles",
                    "p50, p95 and p99 of request latency over every view (django-prometheus "
                    "histogram by view and method).",
                    Prom(_latency(0.5), "p50"),
                    Prom(_latency(0.95), "p95"),
                    Prom(_latency(0.99), "p99"),
                    threshold=thresholds.HTTP_P95_LATENCY,
                ),
                timeseries_panel(
                    "Slowest views (p95)",
                    "The five views with the highest 95th percentile latency.",
                    Prom(f"topk(5, {_latency(0.95, by=('view',))})", "{{view}}"),
                    threshold=thresholds.HTTP_P95_LATENCY,
                ),
                timeseries_panel(
                    "Request latency by method (p95)",
                    "95th percentile of latency per HTTP method: writes (POST, PATCH) against reads.",
                    Prom(_latency(0.95, by=("method",)), "{{method}}"),
                    threshold=thresholds.HTTP_P95_LATENCY,
                ),
            ],
        ),
        Section(
            "Errors",
            [
                timeseries_panel(
                    "5xx error ratio over time",
                    "Share of API responses with a 5xx status, last 5 minutes at each point "
                    f"(probes left out). {NO_TRAFFIC_NO_RATIO}",
                    Prom(ERROR_RATIO, "5xx share"),
                    threshold=thresholds.HTTP_ERROR_RATIO,
                    width=THIRD,
                ),
                timeseries_panel(
                    "Responses by status code",
                    "Responses per second by HTTP status, stacked.",
                    Prom(sum_rate(RESPONSES, by=("status",)), "{{status}}"),
                    unit="reqps",
                    stacked=True,
                    width=THIRD,
                ),
                timeseries_panel(
                    "5xx responses by view",
                    "Server errors per second per view and status: which endpoint fails.",
                    Prom(sum_rate(RESPONSES, 'status=~"5.."', by=("view", "status")), "{{view}} {{status}}"),
                    unit="reqps",
                    width=THIRD,
                ),
            ],
        ),
        Section(
            "Database",
            [
                stat_panel(
                    "Database health",
                    "database_health_status from the health check (1 reachable, 0 not), and "
                    "postgres_exporter's pg_up.",
                    Prom(aggregate("min", "database_health_status"), "health check"),
                    Prom(aggregate("min", "pg_up", scope=()), "postgres_exporter"),
                    threshold=thresholds.HEALTH_STATUS,
                    mappings=[UP_STATES],
                    width=THIRD,
                ),
                timeseries_panel(
                    "Database health check time",
                    "How long the database health check took to get a connection and run SELECT 1 "
                    "(health_check_duration_seconds): slow when the pool is exhausted.",
                    Prom(
                        aggregate("max", "health_check_duration_seconds", 'component="database"'), "database"
                    ),
                    threshold=thresholds.DATABASE_HEALTH_RESPONSE_TIME,
                    width=THIRD,
                ),
                timeseries_panel(
                    "PostgreSQL connections",
                    "Backends connected per database (pg_stat_database_numbackends) against the "
                    "server's max_connections: the headroom of every pool together.",
                    Prom("sum by (datname) (pg_stat_database_numbackends)", "{{datname}}"),
                    Prom("max(pg_settings_max_connections)", "max_connections"),
                    unit="short",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Connections opened and failed",
                    "New database connections per second (pool growth or reconnects), failed "
                    "connection attempts, and statement errors by exception class.",
                    Prom(sum_rate("django_db_new_connections_total", by=("alias",)), "{{alias}} opened"),
                    Prom(
                        sum_rate("django_db_new_connection_errors_total", by=("alias",)), "{{alias}} failed"
                    ),
                    Prom(sum_rate("django_db_errors_total", by=("alias", "type")), "{{alias}} {{type}}"),
                    unit="cps",
                ),
                timeseries_panel(
                    "Database query time (p95)",
                    "95th percentile of statement latency per database alias (django-prometheus).",
                    Prom(quantile(0.95, "django_db_query_duration_seconds", by=("alias",)), "{{alias}}"),
                    unit="s",
                ),
                timeseries_panel(
                    "Slow queries",
                    "Statements slower than DATABASE_SLOW_QUERY_MS per second (each one is also "
                    "logged as event=slow_query).",
                    Prom(sum_rate("database_slow_queries_total", by=("alias",)), "{{alias}}"),
                    threshold=thresholds.DB_SLOW_QUERIES_PER_SECOND,
                ),
                timeseries_panel(
                    "Transactions per second",
                    "Commits and rollbacks per second per database (postgres_exporter).",
                    Prom(
                        sum_rate("pg_stat_database_xact_commit", by=("datname",), scope=()),
                        "{{datname}} commit",
                    ),
                    Prom(
                        sum_rate("pg_stat_database_xact_rollback", by=("datname",), scope=()),
                        "{{datname}} rollback",
                    ),
                    unit="ops",
                ),
            ],
        ),
        Section(
            "Cache",
            [
                timeseries_panel(
                    "Cache hit ratio",
                    "Redis keyspace hits / (hits + misses) (redis_exporter), and the share of "
                    "Django cache reads that hit (django-prometheus).",
                    Prom(ratio(REDIS_HITS, total(REDIS_HITS, REDIS_MISSES)), "Redis keyspace"),
                    Prom(
                        ratio(sum_rate("django_cache_get_hits_total"), sum_rate("django_cache_get_total")),
                        "Django cache",
                    ),
                    threshold=thresholds.CACHE_HIT_RATIO,
                ),
                timeseries_panel(
                    "Cache reads",
                    "Django cache reads per second: hits, misses and failures (backend unreachable).",
                    Prom(sum_rate("django_cache_get_hits_total"), "hits"),
                    Prom(sum_rate("django_cache_get_misses_total"), "misses"),
                    Prom(sum_rate("django_cache_get_fail_total"), "failures"),
                    unit="ops",
                ),
                timeseries_panel(
                    "Redis memory used",
                    "Memory Redis uses for data (redis_memory_used_bytes), per server.",
                    Prom(
                        aggregate("sum", "redis_memory_used_bytes", by=("instance",), scope=()),
                        "{{instance}}",
                    ),
                    unit="bytes",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Redis clients",
                    "Client connections open on each Redis server (web, workers, beat, exporter).",
                    Prom(
                        aggregate("sum", "redis_connected_clients", by=("instance",), scope=()),
                        "{{instance}}",
                    ),
                    unit="short",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Redis evictions",
                    "Keys evicted per second because Redis reached maxmemory: cache entries lost early.",
                    Prom(sum_rate("redis_evicted_keys_total", by=("instance",), scope=()), "{{instance}}"),
                    unit="cps",
                    width=THIRD,
                ),
            ],
        ),
        Section(
            "Authentication",
            [
                timeseries_panel(
                    "Sign-in success ratio",
                    "Successful sign-ins / (successful + refused) over the last hour; the "
                    "'code required' step of a two-factor sign-in is not a refusal.",
                    Prom(SIGN_IN_SUCCESS, "success ratio"),
                    unit="percentunit",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Sign-ins",
                    "Successful sign-ins per second by channel (api, admin) and whether a TOTP code "
                    "was checked.",
                    Prom(sum_rate("user_login_total", by=("channel", "mfa")), "{{channel}} mfa={{mfa}}"),
                    unit="cps",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Refused sign-ins by reason",
                    "Refused sign-ins per second by reason, stacked: a spike of invalid_credentials "
                    "is password guessing.",
                    Prom(
                        sum_rate("authentication_failures_total", REFUSED_SIGN_IN, by=("reason",)),
                        "{{reason}}",
                    ),
                    threshold=thresholds.FAILED_LOGINS_PER_SECOND,
                    stacked=True,
                    width=THIRD,
                ),
            ],
        ),
        Section("Logs", [logs_panel(query) for query in LOG_QUERIES]),
    ]


DASHBOARD = DashboardSpec(
    slug="application",
    title="Application",
    description="API performance and health: traffic, latency, errors, database, cache, sign-ins and logs.",
    guide_section="Application Dashboard",
    jobs="assistant-api",
    key_metrics={
        "Request rate and response times": (
            "Requests per second",
            "Request rate by view",
            "p95 response time",
            "p99 response time",
            "Response time percentiles",
            "Slowest views (p95)",
            "Request latency by method (p95)",
        ),
        "Error rates and status codes": (
            "5xx error ratio",
            "5xx error ratio over time",
            "Responses by status code",
            "5xx responses by view",
        ),
        "Database connection pool health": (
            "Database health",
            "Database health check time",
            "PostgreSQL connections",
            "Connections opened and failed",
            "Database query time (p95)",
            "Slow queries",
            "Transactions per second",
        ),
        "Cache hit rates and performance": (
            "Cache hit ratio",
            "Cache reads",
            "Redis memory used",
            "Redis clients",
            "Redis evictions",
        ),
        "Authentication success rates": ("Sign-in success ratio", "Sign-ins", "Refused sign-ins by reason"),
    },
    sections=sections,
)
