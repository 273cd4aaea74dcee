"""Every LogQL query the dashboards run, in one list, each matched to the fields our logs emit.

The log shipper labels each stream with `service` (assistant-api, celery-worker, celery-beat) and
`level` (the JSON `level`: DEBUG, INFO, WARNING, ERROR, CRITICAL). Everything else is a field of
the JSON line, read with `| json`: `event` names what happened (`http_request`, `slow_query`,
`sms_routing`, `oauth`, `audit`, `security_event`...), and each event brings its own fields.

The monitoring guide's queries filter words out of text lines (`|= "ERROR"`, `| json |
response_time > 5000`); these filter the fields our JSON lines really carry. A test emits the
events and checks every query's label and field filters against them.
"""

from dataclasses import dataclass

# Streams of the web process, of every process, and the error lines of every process.
WEB = '{service="assistant-api"}'
APP = '{service=~"assistant-api|celery-worker|celery-beat"}'
APP_ERRORS = '{service=~"assistant-api|celery-worker|celery-beat", level=~"ERROR|CRITICAL"}'


@dataclass(frozen=True)
class LogQuery:
    title: str
    guide: str  # the monitoring guide's query this one replaces
    expr: str
    description: str


ERRORS = LogQuery(
    title="Errors",
    guide='{service="personal_assistant_api"} |= "ERROR"',
    expr=APP_ERRORS,
    description="Lines logged at ERROR or CRITICAL by the web app, the workers and beat: 5xx "
    "responses (http_request), unhandled exceptions with their traceback, failed deliveries.",
)
SLOW_QUERIES = LogQuery(
    title="Slow database queries (> 1 s)",
    guide='{service="personal_assistant_api"} |= "slow_query" | json | duration > 1000',
    expr=APP + ' | json | event="slow_query" | duration_ms > 1000',
    description="Statements the database execute wrapper timed over a second (event=slow_query, "
    "duration_ms). Lines between DATABASE_SLOW_QUERY_MS and 1 s are counted by "
    "database_slow_queries_total but not shown here.",
)
SMS_ROUTING = LogQuery(
    title="SMS routing",
    guide='{service="personal_assistant_api"} |= "sms_routing"',
    expr=WEB + ' | json | event="sms_routing"',
    description="One line per inbound SMS webhook (event=sms_routing): masked sender, result "
    "(routed, unknown_sender, duplicate, opted_out, keyword...) and duration_ms.",
)
OAUTH = LogQuery(
    title="OAuth integrations",
    guide='{service="personal_assistant_api"} |= "oauth"',
    expr=APP + ' | json | event="oauth"',
    description="Connects, refreshes, syncs and disconnects (event=oauth) with provider, action "
    "and result; never a token or a code.",
)
AUTHENTICATION = LogQuery(
    title="Authentication",
    guide='{service="personal_assistant_api"} |= "authentication"',
    expr=WEB
    + ' | json | (event="audit" and action=~"login|logout|password_changed|password_reset|mfa_enabled'
    + '|mfa_disabled") or (event="security_event" and kind=~"login_failed|mfa_failed|lockout|invalid_token")',
    description="Sign-ins, sign-outs, password and two-factor changes (event=audit, action) and "
    "refused attempts (event=security_event, kind login_failed, mfa_failed, lockout, invalid_token).",
)
SLOW_REQUESTS = LogQuery(
    title="Slow requests (> 5 s)",
    guide='{service="personal_assistant_api"} | json | response_time > 5000',
    expr=WEB + ' | json | event="http_request" | duration_ms > 5000',
    description="Requests that took more than 5 s end to end (event=http_request: method, path, "
    "status, duration_ms).",
)
DATABASE_CONNECTION_ERRORS = LogQuery(
    title="Database connection errors",
    guide='{service="personal_assistant_api"} |= "database_connection"',
    expr=APP_ERRORS + ' |~ "OperationalError|InterfaceError"',
    description="Errors whose message or traceback names the database driver's connection errors "
    "(django.db OperationalError, InterfaceError: refused, reset, too many clients). The "
    "connection-error counter and database_health_status are on the Application dashboard.",
)

# The guide's cache-miss query has no counterpart: nothing logs a cache miss (a log line per
# miss would cost more than the miss). Cache misses are a metric: see the cache hit ratio panel.
LOG_QUERIES: tuple[LogQuery, ...] = (
    ERRORS,
    SLOW_QUERIES,
    SMS_ROUTING,
    OAUTH,
    AUTHENTICATION,
    SLOW_REQUESTS,
    DATABASE_CONNECTION_ERRORS,
)
