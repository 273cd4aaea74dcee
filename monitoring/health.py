"""Health checks: one registry of named checks, run concurrently, each within its own time
limit, with the results cached per process so that a burst of probes costs one run.

The check protocol
------------------
A check is a function of no arguments that returns a plain dict:

    {"status": "healthy" | "degraded" | "unhealthy",
     "detail": "a short summary for people",   # optional
     "error": "what went wrong",               # optional
     ...}                                      # any other JSON-safe keys, reported as they are

A check that raises is unhealthy, with the exception as its error: its dependency failed it
(and, when the exception says it, the cause in plain words under "cause": "connection refused",
"DNS failure", "authentication failed", "server shutting down", "server starting up",
"connection lost", "timeout").
Unless the exception says our own code failed rather than the dependency (an ImportError, an
import deadlock, a NameError, AttributeError, TypeError or AssertionError, or a check that
returns no valid status): that is an internal error, reported degraded with
"internal_error": true and logged at ERROR with its traceback, so that a bug never pages as
the dependency being down. One that overruns its time limit is abandoned (its thread finishes
on its own, and no new run of that component starts until it has) and reported unhealthy,
"timed out".

Dependencies: a check declares the components it cannot work without ("depends_on"). It runs
once they have answered; when one of them is unhealthy it is not run at all and reports
degraded, "<dependency> unavailable" (the dependency named by its guide key when it has one:
the cache is "redis"), so an outage is reported by the component that failed and not again by
each of its dependants. Running a check runs its dependencies too.

The built-in checks are in monitoring/checks.py. Another app contributes checks without
importing monitoring, through a module `<app>/health.py` holding a list of plain dicts:

    HEALTH_CHECKS = [
        {"component": "twilio", "check": twilio_health, "timeout": 2.0, "critical": False},
    ]

"timeout" (seconds, default HEALTH_CHECK_DEFAULT_TIMEOUT_SECONDS), "critical" (default False),
"in_overall" (default True; False for a check only asked for by name), "guide_key" (the
monitoring guide's `services` key the component also answers under: "redis" for the cache,
"external_apis" for a provider), "depends_on" (components, default none) and "prepare" are
optional.

"prepare" is a function of no arguments that imports whatever the check will import, given
the settings (a cache backend, a broker transport), without touching the network. It is
called once per process, before the check first runs, in the thread that asks for the check
(a gunicorn worker's main thread, in post_worker_init, for every check of the overall
status), one prepare at a time, and never in a check's own thread: checks that import modules
for the first time in threads of their own, all at once, race in the import system (a module
seen half-initialised, or a _DeadlockError), which once reported a healthy Redis and broker
unhealthy at every worker's start.
HEALTH_CHECK_TIMEOUTS in the settings overrides any component's limit. The modules are found
with autodiscover_modules("health").

Statuses: the overall status is unhealthy when a critical check (the database) is, degraded
when any other check is not healthy, else healthy.

Slow-query statistics: the database execute wrapper calls `record_query_durations(...)`
for every query; /health/database/performance reads the p95 from that in-process ring buffer.
"""

import bisect
import logging
import math
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.utils.module_loading import autodiscover_modules

from assistant.core.masking import scrub_text

logger = logging.getLogger(__name__)

CheckFunction = Callable[[], Mapping[str, Any]]


class Status(StrEnum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"

    @property
    def score(self) -> float:
        """The value of health_check_status: 1 healthy, 0.5 degraded, 0 unhealthy."""
        return {Status.HEALTHY: 1.0, Status.DEGRADED: 0.5, Status.UNHEALTHY: 0.0}[self]


class UnknownComponentError(LookupError):
    pass


@dataclass(frozen=True)
class Check:
    component: str
    function: CheckFunction
    timeout: float
    critical: bool = False
    # False for checks asked for by name only (readiness, database performance): they never
    # change the overall status and are not exported as metrics.
    in_overall: bool = True
    # Clients written to the monitoring guide read services.redis and services.external_apis:
    # the key under which this component's status is also reported (worst of those sharing it).
    guide_key: str | None = None
    # Imports what the check needs before any check thread starts (see the module's docstring).
    prepare: Callable[[], object] | None = None
    # Components this check cannot work without: while one is unhealthy, this one is not run
    # and reports degraded, "<dependency> unavailable".
    depends_on: tuple[str, ...] = ()

    @property
    def outage_name(self) -> str:
        """How a dependant names this component when it is down: "redis", not "cache"."""
        return self.guide_key if self.guide_key in _OUTAGE_NAMES else self.component


# The guide keys that name a store better than its component does (guide key "redis" for the
# cache); a provider's "external_apis" names a group, not the component.
_OUTAGE_NAMES = frozenset({"redis"})


@dataclass(frozen=True)
class CheckResult:
    component: str
    status: Status
    critical: bool
    duration_seconds: float
    checked_at: datetime
    detail: str = ""
    error: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    # The most recent error this process saw for the component, kept after it recovers.
    last_error: str = ""
    last_error_at: datetime | None = None
    # The check failed in our own code (see internal_error_in): the dependency's state is unknown.
    internal_error: bool = False
    # What it raised, for the log's traceback; never shown in a payload.
    exception: BaseException | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.data,
            "status": self.status.value,
            "critical": self.critical,
            "latency_ms": round(self.duration_seconds * 1000, 1),
            "checked_at": iso_utc(self.checked_at),
            "detail": self.detail or None,
            "error": self.error or None,
            "internal_error": self.internal_error,
            "last_error": self.last_error or None,
            "last_error_at": iso_utc(self.last_error_at) if self.last_error_at else None,
        }


def overall_status(results: Iterable[CheckResult]) -> Status:
    results = list(results)
    if any(result.critical and result.status is Status.UNHEALTHY for result in results):
        return Status.UNHEALTHY
    if any(result.status is not Status.HEALTHY for result in results):
        return Status.DEGRADED
    return Status.HEALTHY


def worst_status(results: Iterable[CheckResult]) -> Status:
    """For a group of components asked for by name: the worst of them, critical or not."""
    return min((result.status for result in results), key=lambda status: status.score, default=Status.HEALTHY)


@dataclass(frozen=True)
class HealthReport:
    results: dict[str, CheckResult]  # by component, in the order asked for
    guide_keys: Mapping[str, str] = field(default_factory=dict)  # component -> the guide's key

    @property
    def status(self) -> Status:
        return overall_status(self.results.values())

    @property
    def checked_at(self) -> datetime | None:
        """When the oldest of these results was taken."""
        return min((result.checked_at for result in self.results.values()), default=None)

    def as_dict(self) -> dict[str, Any]:
        """The /health/overall body (and `health_check --json`): the guide's shape, extended."""
        return {
            "status": self.status.value,
            "timestamp": iso_utc(utc_now()),
            "checked_at": iso_utc(self.checked_at) if self.checked_at else None,
            "services": {
                **{component: result.status.value for component, result in self.results.items()},
                **self._guide_services(),
            },
            "checks": {component: result.as_dict() for component, result in self.results.items()},
        }

    def _guide_services(self) -> dict[str, str]:
        """The guide's keys, each the worst status of the components reported under it."""
        grouped: dict[str, list[CheckResult]] = {}
        for component, result in self.results.items():
            if key := self.guide_keys.get(component):
                grouped.setdefault(key, []).append(result)
        return {key: worst_status(results).value for key, results in grouped.items()}


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the millisecond: 2024-01-15T10:30:00.123Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- The registry -------------------------------------------------------------------------


def check_timeout(component: str, declared: float | None = None) -> float:
    """A component's time limit: the settings' override, else what its check declared."""
    default = declared if declared is not None else settings.HEALTH_CHECK_DEFAULT_TIMEOUT_SECONDS
    return float(settings.HEALTH_CHECK_TIMEOUTS.get(component, default))


# Held while the registry is built: two threads asking for it first would import the apps'
# health modules at once.
_definitions_lock = threading.Lock()


def _definitions() -> tuple[Mapping[str, Any], ...]:
    with _definitions_lock:
        return _discovered_definitions()


@cache
def _discovered_definitions() -> tuple[Mapping[str, Any], ...]:
    """The built-in checks, then the apps' (looked for once: the set of apps is fixed)."""
    from monitoring import checks  # it imports this module: loaded late to avoid a cycle

    autodiscover_modules("health")
    discovered = [
        getattr(sys.modules.get(f"{app.name}.health"), "HEALTH_CHECKS", []) for app in apps.get_app_configs()
    ]
    return (*checks.HEALTH_CHECKS, *(definition for definitions in discovered for definition in definitions))


def registered_checks() -> list[Check]:
    """Every check, built-in then the apps', with time limits read from the settings now."""
    return [
        Check(
            component=definition["component"],
            function=definition["check"],
            timeout=check_timeout(definition["component"], definition.get("timeout")),
            critical=definition.get("critical", False),
            in_overall=definition.get("in_overall", True),
            guide_key=definition.get("guide_key"),
            depends_on=tuple(definition.get("depends_on", ())),
            prepare=definition.get("prepare"),
        )
        for definition in _definitions()
    ]


def with_dependencies(checks: Iterable[Check], available: Mapping[str, Check]) -> list[Check]:
    """The checks and, before them, every check they depend on (transitively), once each."""
    ordered: dict[str, Check] = {}

    def add(check: Check, path: tuple[str, ...]) -> None:
        if check.component in ordered:
            return
        for name in check.depends_on:
            if name in path:
                raise ValueError(f"health checks depend on each other: {' -> '.join((*path, name))}")
            if name not in available:
                raise UnknownComponentError(f"{check.component} depends on unknown component {name}")
            add(available[name], (*path, name))
        ordered[check.component] = check

    for check in checks:
        add(check, (check.component,))
    return list(ordered.values())


# The prepare functions already run in this process; the lock makes one run at a time.
_prepared: set[Callable[[], object]] = set()
_prepare_lock = threading.Lock()


def prepare_checks(checks: Iterable[Check]) -> None:
    """Run, in this thread, each check's "prepare" not yet run in this process. One that
    fails does not stop the process: its check will fail the same way when it runs, and be
    reported as an internal error then."""
    with _prepare_lock:
        for check in checks:
            if check.prepare is None or check.prepare in _prepared:
                continue
            _prepared.add(check.prepare)
            try:
                check.prepare()
            except Exception:
                logger.exception(
                    "health check %s could not be prepared",
                    check.component,
                    extra={"event": "health_check_prepare_failed", "component": check.component},
                )


# --- Running checks -----------------------------------------------------------------------

_ERROR_MAX_LENGTH = 300
# "redis://user:secret@host" in an error message: the credentials go before it is shown.
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


# What a connection error's text says about its cause (psycopg, redis-py, kombu and the socket
# module each word it their own way), first match wins. Searched lower case in the exception
# and the ones it was raised from.
_CAUSES = (
    ("connection refused", re.compile(r"connection refused|errno 111")),
    (
        "DNS failure",
        re.compile(
            r"failed to resolve host|could not translate host name|name or service not known"
            r"|temporary failure in name resolution|nodename nor servname"
        ),
    ),
    (
        "authentication failed",
        re.compile(
            r"authentication failed|no pg_hba\.conf entry|role \"[^\"]*\" does not exist"
            r"|invalid password|invalid username-password|wrongpass|noauth|authenticationerror|access_refused"
        ),
    ),
    # A server that answers but takes no connection yet, or no longer (PostgreSQL's 57P03
    # "cannot connect now", Redis loading its data): a restart seen between its two ends.
    ("server shutting down", re.compile(r"database system is shutting down")),
    (
        "server starting up",
        re.compile(r"database system is (?:starting up|not yet accepting connections)|loading the dataset"),
    ),
    # A connection that was open when the server went away (a shutdown, a restart).
    (
        "connection lost",
        re.compile(
            r"server closed the connection|terminating connection|connection is lost|connection reset"
        ),
    ),
    ("timeout", re.compile(r"timeout|timed out")),
)


def failure_cause(error: BaseException) -> str | None:
    """The cause of a failed connection in plain words, or None when the error does not say."""
    texts: list[str] = []
    seen: BaseException | None = error
    while seen is not None and len(texts) < 5:
        texts.append(f"{type(seen).__name__} {seen}".lower())
        seen = seen.__cause__ or seen.__context__
    text = " ".join(texts)
    return next((cause for cause, pattern in _CAUSES if pattern.search(text)), None)


# Raised by our own code (or a library misused by it), never because a dependency is down.
_INTERNAL_ERRORS = (ImportError, NameError, AttributeError, TypeError, AssertionError)


def internal_error_in(error: BaseException) -> bool:
    """Whether a check's exception is a failure of our own code rather than of its dependency:
    a missing or half-imported module, the import system's deadlock (a RuntimeError named
    _DeadlockError, which importlib does not export), or a programming error."""
    deadlock = isinstance(error, RuntimeError) and type(error).__name__ == "_DeadlockError"
    return deadlock or isinstance(error, _INTERNAL_ERRORS)


def describe_error(error: BaseException) -> str:
    """An exception as the endpoints show it: its type and first line, with no credentials."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return scrub_text(_URL_CREDENTIALS.sub("***@", text))[:_ERROR_MAX_LENGTH]


# The thread of each component's run, so a run that hangs is never joined by another: a dead
# dependency costs one stuck thread per component, not one per probe.
_in_flight: dict[str, threading.Thread] = {}
_in_flight_lock = threading.Lock()


class _Run:
    """One check running in its own daemon thread. Daemon, and not a ThreadPoolExecutor's
    worker, because the interpreter joins those at exit: a hung check would then hang
    `manage.py health_check` and, under gunicorn, a worker's shutdown."""

    def __init__(self, check: Check, dependencies: Sequence["_Run"] = ()) -> None:
        self.check = check
        self.dependencies = list(dependencies)
        # A dependant waits for its dependencies, then has its own limit.
        self.limit: float = check.timeout + max((run.limit for run in self.dependencies), default=0.0)
        self.checked_at = utc_now()
        self.started = time.perf_counter()
        self.finished = threading.Event()
        self.elapsed = 0.0
        self.outcome: Mapping[str, Any] | BaseException | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        with _in_flight_lock:
            previous = _in_flight.get(self.check.component)
            if previous is not None and previous.is_alive():
                return  # still stuck in an earlier run: reported as timed out at once
            self.thread = threading.Thread(
                target=self._execute, name=f"health-check-{self.check.component}", daemon=True
            )
            _in_flight[self.check.component] = self.thread
        self.thread.start()

    def _execute(self) -> None:
        try:
            unavailable = [run.check.outage_name for run in self.dependencies if run.is_down()]
            if unavailable:
                # Not run: it would fail on the dead dependency, or wait out its own limit.
                reason = ", ".join(f"{name} unavailable" for name in unavailable)
                self.outcome = {"status": Status.DEGRADED, "error": reason, "unavailable": unavailable}
            else:
                self.outcome = self.check.function()
        except Exception as error:
            self.outcome = error
        finally:
            self.elapsed = time.perf_counter() - self.started
            # Each thread gets its own database connections: give them back (to the pool).
            connections.close_all()
            self.finished.set()

    def is_down(self) -> bool:
        """Whether this (dependency's) run ended unhealthy, waiting for it within its limit."""
        return self.result().status is Status.UNHEALTHY

    def result(self) -> CheckResult:
        if self.thread is None:
            return self._timed_out("timed out (an earlier run has not finished)")
        remaining = self.limit - (time.perf_counter() - self.started)
        if not self.finished.wait(max(remaining, 0.0)):
            return self._timed_out(f"timed out after {self.limit:g} s")
        if isinstance(self.outcome, BaseException):
            if internal_error_in(self.outcome):
                return self._internal_error(describe_error(self.outcome), self.outcome)
            cause = failure_cause(self.outcome)
            return self._result(
                Status.UNHEALTHY,
                self.elapsed,
                error=describe_error(self.outcome),
                data={"cause": cause} if cause else {},
            )
        return self._from_mapping(self.outcome or {})

    def _from_mapping(self, outcome: Mapping[str, Any]) -> CheckResult:
        data = dict(outcome)
        try:
            status = Status(data.pop("status"))
        except (KeyError, ValueError):
            return self._internal_error("the check returned no valid status")
        return self._result(
            status,
            self.elapsed,
            detail=str(data.pop("detail", "") or ""),
            error=str(data.pop("error", "") or ""),
            data=data,
        )

    def _internal_error(self, error: str, exception: BaseException | None = None) -> CheckResult:
        """Degraded, never unhealthy: whether the dependency is up is unknown, and a bug of ours
        must neither page as an outage nor take the service out of the load balancer."""
        return self._result(
            Status.DEGRADED,
            self.elapsed,
            error=f"internal error: {error}",
            internal_error=True,
            exception=exception,
        )

    def _timed_out(self, error: str) -> CheckResult:
        return self._result(Status.UNHEALTHY, self.limit, error=error, data={"cause": "timeout"})

    def _result(self, status: Status, duration: float, **fields: Any) -> CheckResult:
        return CheckResult(
            component=self.check.component,
            status=status,
            critical=self.check.critical,
            duration_seconds=duration,
            checked_at=self.checked_at,
            **fields,
        )


def run_checks(checks: Sequence[Check]) -> dict[str, CheckResult]:
    """Run every check at once; each answers within its own time limit. A check listed after
    the checks it depends on waits for them (see `with_dependencies`); a dependency not
    listed is not waited for. Checks not prepared yet are prepared first, in this thread."""
    prepare_checks(checks)
    runs: dict[str, _Run] = {}
    for check in checks:
        runs[check.component] = _Run(check, [runs[name] for name in check.depends_on if name in runs])
    for run in runs.values():
        run.start()
    return {component: run.result() for component, run in runs.items()}


# --- The per-process cache ----------------------------------------------------------------


@dataclass(frozen=True)
class _Cached:
    result: CheckResult
    stored_at: float  # the monitor's clock (monotonic)


class HealthMonitor:
    """Check results cached in this process, served stale-while-revalidate.

    Results younger than HEALTH_CHECK_CACHE_SECONDS are served as they are. Older ones are
    served too, while one background run refreshes them, unless they are older than
    HEALTH_CHECK_MAX_STALE_SECONDS (or missing): then the caller waits for a run, and callers
    arriving meanwhile wait for that same run, or for the background run in flight (at a
    worker's start, the one post_worker_init began): starting another beside it would find its
    checks still running and report them "timed out". Kept in memory, never in the cache
    backend, so it works when Redis is the thing that is down.
    """

    def __init__(
        self,
        checks: Callable[[], list[Check]] = registered_checks,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._checks = checks
        self._clock = clock
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()  # guards _cache and _refreshing
        self._run_lock = threading.Lock()  # one run at a time, waited for or in the background
        self._refreshing = False

    def _with_dependencies(self, checks: Iterable[Check]) -> list[Check]:
        return with_dependencies(checks, {check.component: check for check in self._checks()})

    def checks_for(self, components: Iterable[str] | None = None) -> list[Check]:
        """The named checks, or every check that makes up the overall status; prepared here, in
        the caller's thread, since a refresh may then run them in a background thread."""
        available = {check.component: check for check in self._checks()}
        if components is None:
            checks = [check for check in available.values() if check.in_overall]
        else:
            names = list(dict.fromkeys(components))
            unknown = [name for name in names if name not in available]
            if unknown:
                raise UnknownComponentError(
                    f"unknown component {', '.join(unknown)}; known: {', '.join(available)}"
                )
            checks = [available[name] for name in names]
        prepare_checks(with_dependencies(checks, available))
        return checks

    def report(self, components: Iterable[str] | None = None) -> HealthReport:
        """Cached results, waiting only when there are none recent enough to serve."""
        checks = self.checks_for(components)
        if self._older_than(checks, settings.HEALTH_CHECK_MAX_STALE_SECONDS):
            with self._run_lock:
                expired = self._older_than(checks, settings.HEALTH_CHECK_MAX_STALE_SECONDS)
                if expired:  # nobody refreshed them while this caller waited for the lock
                    self._store(run_checks(self._with_dependencies(expired)))
        self._refresh_stale(checks)
        return self._cached_report(checks)

    def peek(self, components: Iterable[str] | None = None) -> HealthReport:
        """Whatever is cached, never waiting (for a metrics scrape): a missing or stale result
        starts a background refresh and is simply left out, or served stale, this time."""
        checks = self.checks_for(components)
        self._refresh_stale(checks)
        return self._cached_report(checks)

    def _older_than(self, checks: Iterable[Check], seconds: float) -> list[Check]:
        now = self._clock()
        with self._lock:
            return [
                check
                for check in checks
                if (cached := self._cache.get(check.component)) is None or now - cached.stored_at > seconds
            ]

    def _refresh_stale(self, checks: Iterable[Check]) -> None:
        stale = self._older_than(checks, settings.HEALTH_CHECK_CACHE_SECONDS)
        if not stale:
            return
        with self._lock:
            if self._refreshing:
                return
            self._refreshing = True
        threading.Thread(target=self._refresh, args=(stale,), name="health-refresh", daemon=True).start()

    def _refresh(self, checks: list[Check]) -> None:
        try:
            with self._run_lock:
                # A caller may have run some of them while this one waited for the lock.
                stale = self._older_than(checks, settings.HEALTH_CHECK_CACHE_SECONDS)
                if stale:
                    self._store(run_checks(self._with_dependencies(stale)))
        finally:
            with self._lock:
                self._refreshing = False

    def _store(self, results: Mapping[str, CheckResult]) -> None:
        stored_at = self._clock()
        with self._lock:
            for component, result in results.items():
                previous = self._cache.get(component)
                result = _with_last_error(result, previous.result if previous else None)
                self._cache[component] = _Cached(result, stored_at)
                _log_transition(previous.result if previous else None, result)

    def _cached_report(self, checks: Iterable[Check]) -> HealthReport:
        checks = list(checks)
        with self._lock:
            return HealthReport(
                {
                    check.component: self._cache[check.component].result
                    for check in checks
                    if check.component in self._cache
                },
                guide_keys={check.component: check.guide_key for check in checks if check.guide_key},
            )


def _with_last_error(result: CheckResult, previous: CheckResult | None) -> CheckResult:
    if result.error:
        return replace(result, last_error=result.error, last_error_at=result.checked_at)
    if previous is not None and previous.last_error:
        return replace(result, last_error=previous.last_error, last_error_at=previous.last_error_at)
    return result


def _log_transition(previous: CheckResult | None, result: CheckResult) -> None:
    """One line when a component changes status (a first result counts when it is bad), and
    one at ERROR, with the traceback, when its check starts failing in our own code."""
    before = previous.status if previous else Status.HEALTHY
    if result.internal_error and not (previous and previous.internal_error):
        _log_internal_error(result, before)
        return
    if result.status is before:
        return
    logger.log(
        logging.WARNING if result.status is Status.UNHEALTHY else logging.INFO,
        "health check %s: %s -> %s",
        result.component,
        before.value,
        result.status.value,
        extra={
            "event": "health_check",
            "component": result.component,
            "status": result.status.value,
            "previous_status": before.value,
            "critical": result.critical,
            "error": result.error or None,
            "duration_ms": round(result.duration_seconds * 1000, 1),
        },
    )


def _log_internal_error(result: CheckResult, before: Status) -> None:
    exception = result.exception
    logger.error(
        "health check %s failed in our own code: %s",
        result.component,
        result.error,
        exc_info=(type(exception), exception, exception.__traceback__) if exception else None,
        extra={
            "event": "health_check",
            "component": result.component,
            "status": result.status.value,
            "previous_status": before.value,
            "internal_error": True,
            "critical": result.critical,
            "error": result.error,
            "duration_ms": round(result.duration_seconds * 1000, 1),
        },
    )


# The monitor every view, the status board and the metrics collector share in this process.
monitor = HealthMonitor()


# --- Recent query durations (for /health/database/performance) ---------------------------


@dataclass(frozen=True)
class QuerySummary:
    sample_size: int
    p95_seconds: float | None
    slow_count: int
    window_seconds: float


class QueryDurations:
    """The durations of this process's recent queries, bounded in count and age."""

    def __init__(
        self,
        *,
        max_samples: int = 5000,
        window_seconds: float = 300,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._samples: deque[tuple[float, float]] = deque(maxlen=max_samples)
        self._window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()

    def record(self, seconds: float) -> None:
        with self._lock:
            self._samples.append((self._clock(), seconds))

    def record_many(self, durations: Sequence[float]) -> None:
        """A request's statements, held until it ended (monitoring.db): one lock, one clock."""
        now = self._clock()
        with self._lock:
            self._samples.extend((now, seconds) for seconds in durations)

    def summary(self, *, slow_seconds: float) -> QuerySummary:
        since = self._clock() - self._window_seconds
        with self._lock:
            durations = sorted(seconds for at, seconds in self._samples if at >= since)
        # Nearest rank: the smallest duration that at least 95% of the queries did not exceed.
        p95 = durations[math.ceil(len(durations) * 0.95) - 1] if durations else None
        slow = len(durations) - bisect.bisect_left(durations, slow_seconds)
        return QuerySummary(len(durations), p95, slow, self._window_seconds)


query_durations = QueryDurations()


def record_query_durations(durations: Sequence[float]) -> None:
    """Feed queries' durations (seconds) to the p95 of /health/database/performance: a
    request's at its end, or one as it ends outside a request. An extend under a lock."""
    query_durations.record_many(durations)
