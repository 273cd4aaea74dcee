"""The built-in health checks: the database, the cache, Celery, and this host's disk and memory.

Each is a function returning the plain dict of the protocol in monitoring/health.py. Those
that talk to a store take its alias, so a test can point one at a dead server without
touching the connections the rest of the suite uses. The prepare_* functions import, before
any check thread starts, what the checks would otherwise import in their threads all at once
(the modules a client library loads on first use, which depend on the settings).
"""

import shutil
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

from celery import current_app
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils.timezone import now
from kombu import Connection

from assistant.core import thresholds
from assistant.core.thresholds import Level, Threshold, threshold_crossed
from monitoring.health import Status, check_timeout, iso_utc, query_durations
from monitoring.models import Heartbeat

# How many of the most bloated tables /health/database/performance lists.
BLOATED_TABLES_SHOWN = 5
_STATUS_BY_LEVEL: dict[Level | None, Status] = {
    None: Status.HEALTHY,
    "warning": Status.DEGRADED,
    "critical": Status.UNHEALTHY,
}


def grade(value: float, threshold: Threshold) -> Status:
    """healthy, degraded past the warning line, unhealthy past the critical one."""
    return _STATUS_BY_LEVEL[threshold_crossed(value, threshold)]


def _milliseconds_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


# --- Database -----------------------------------------------------------------------------


def database(alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """SELECT 1 (connection included: that is what a request pays), and the pool's state.

    On PostgreSQL a connection of the check's own comes first, outside the pool and within
    HEALTH_CHECK_DATABASE_CONNECT_TIMEOUT: with the server down it fails at once and says why
    (refused, DNS, authentication, no answer), where the pool would only say, after
    DATABASE_POOL_TIMEOUT, that it had no connection to give."""
    connection = connections[alias]
    connect_ms = _connect_directly(connection) if connection.vendor == "postgresql" else None
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    response_ms = _milliseconds_since(started)
    slow = grade(response_ms / 1000, thresholds.DATABASE_HEALTH_RESPONSE_TIME) is not Status.HEALTHY
    pool = pool_stats(connection)
    return {
        # Slow is degraded, never unhealthy: only a database that does not answer takes the
        # whole service out of the load balancer.
        "status": Status.DEGRADED if slow else Status.HEALTHY,
        "detail": f"{connection.vendor}: SELECT 1 in {response_ms:g} ms"
        + ("" if pool else " (no connection pool)"),
        "vendor": connection.vendor,
        "response_time_ms": response_ms,
        "connect_ms": connect_ms,
        "connection_pool": pool,
    }


def _connect_directly(connection: BaseDatabaseWrapper) -> float:
    """Open and close one connection with the pool's parameters; raises the driver's error."""
    import psycopg  # only on PostgreSQL: SQLite installs need not have it

    params = {
        **connection.get_connection_params(),
        "connect_timeout": settings.HEALTH_CHECK_DATABASE_CONNECT_TIMEOUT,
    }
    started = time.perf_counter()
    with psycopg.connect(**params):
        pass
    return _milliseconds_since(started)


def prepare_database(alias: str = DEFAULT_DB_ALIAS) -> None:
    """The psycopg pool (created unopened, as Django does on first use: psycopg_pool is imported
    then) and the ORM's SQL compiler, which the checks that read our tables use too."""
    connection = connections[alias]
    getattr(connection, "pool", None)  # a property: building the pool is the point
    connection.ops.compiler("SQLCompiler")


def pool_stats(connection: BaseDatabaseWrapper) -> dict[str, int] | None:
    """The psycopg pool of this process (Django 5.2's `connection.pool`); None without one
    (SQLite: one connection per thread)."""
    pool = getattr(connection, "pool", None)
    if pool is None:
        return None
    stats = pool.get_stats()
    size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
    return {
        "size": size,
        "active": size - idle,
        "idle": idle,
        "min_size": stats.get("pool_min", 0),
        "max_size": stats.get("pool_max", 0),
        "waiting": stats.get("requests_waiting", 0),
        "requests": stats.get("requests_num", 0),
        "requests_queued": stats.get("requests_queued", 0),
    }


def connection_efficiency(pool: dict[str, int] | None) -> float | None:
    """Percent of this process's connection requests the pool served without queueing."""
    if pool is None:
        return None
    if not pool["requests"]:
        return 100.0
    return round(100 * (1 - pool["requests_queued"] / pool["requests"]), 1)


def database_performance(alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """p95 and slow queries of this process's recent queries (fed by record_query_durations),
    the pool's efficiency, and on PostgreSQL dead-tuple bloat and index use."""
    slow_ms = settings.DATABASE_SLOW_QUERY_MS
    queries = query_durations.summary(slow_seconds=slow_ms / 1000)
    connection = connections[alias]
    tables = table_statistics(connection) if connection.vendor == "postgresql" else None
    p95_ms = round(queries.p95_seconds * 1000, 2) if queries.p95_seconds is not None else None
    slow = p95_ms is not None and p95_ms >= slow_ms
    return {
        "status": Status.DEGRADED if slow else Status.HEALTHY,
        "detail": f"p95 {p95_ms} ms over the last {queries.sample_size} queries"
        if p95_ms is not None
        else "no queries recorded in the window",
        "vendor": connection.vendor,
        "metrics": {
            "response_time_p95_ms": p95_ms,
            "slow_query_count": queries.slow_count,
            "slow_query_threshold_ms": slow_ms,
            "sample_size": queries.sample_size,
            "window_seconds": queries.window_seconds,
            "connection_efficiency": connection_efficiency(pool_stats(connection)),
            "table_bloat_percentage": tables["bloat_percentage"] if tables else None,
            "index_usage_percentage": tables["index_usage_percentage"] if tables else None,
        },
        "tables": tables,
    }


def _percentage(part: float, whole: float) -> float | None:
    # PostgreSQL's sums are numeric (Decimal): floats, so the JSON has numbers.
    return round(100 * float(part) / float(whole), 1) if whole else None


def table_statistics(connection: BaseDatabaseWrapper) -> dict[str, Any]:
    """From PostgreSQL's statistics views (counters it keeps anyway: no table is scanned).
    Bloat is estimated as the share of dead tuples; index use as the share of index scans."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_live_tup), 0), coalesce(sum(n_dead_tup), 0),"
            " coalesce(sum(seq_scan), 0), coalesce(sum(idx_scan), 0) FROM pg_stat_user_tables"
        )
        live, dead, sequential_scans, index_scans = cursor.fetchone()
        cursor.execute(
            "SELECT relname, n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE n_dead_tup > 0"
            " ORDER BY n_dead_tup DESC LIMIT %s",
            [BLOATED_TABLES_SHOWN],
        )
        most_bloated = cursor.fetchall()
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE idx_scan = 0) FROM pg_stat_user_indexes")
        indexes, unused_indexes = cursor.fetchone()
    return {
        "bloat_percentage": _percentage(dead, live + dead),
        "index_usage_percentage": _percentage(index_scans, sequential_scans + index_scans),
        "indexes": indexes,
        "unused_indexes": unused_indexes,
        "most_bloated": [
            {
                "table": name,
                "dead_tuples": dead_rows,
                "bloat_percentage": _percentage(dead_rows, live_rows + dead_rows),
            }
            for name, live_rows, dead_rows in most_bloated
        ],
    }


# Aliases whose migrations this process found applied: its code cannot change while it runs,
# so it never has to ask again (the check then costs nothing).
_migrated_aliases: set[str] = set()


def prepare_migrations() -> None:
    """Every app's migration modules, read from disk only (no database)."""
    MigrationLoader(None, ignore_no_migrations=True)


def migrations(alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Readiness: every migration this code knows of is applied."""
    if alias in _migrated_aliases:
        return {"status": Status.HEALTHY, "detail": "all migrations applied"}
    executor = MigrationExecutor(connections[alias])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return {
            "status": Status.UNHEALTHY,
            "error": f"{len(pending)} migration(s) not applied",
            "pending": len(pending),
        }
    _migrated_aliases.add(alias)
    return {"status": Status.HEALTHY, "detail": "all migrations applied"}


# --- Cache --------------------------------------------------------------------------------


def cache(alias: str | None = None) -> dict[str, Any]:
    """A set/get round trip through Django's cache; with django-redis, PING and INFO first
    (a dead Redis fails there at once instead of being hidden by IGNORE_EXCEPTIONS).

    By default through MONITORING_CACHE_ALIAS: the app's cache, but its reads every few
    seconds are not counted among the app's (they would skew LowCacheHitRate)."""
    alias = alias or settings.MONITORING_CACHE_ALIAS
    backend = caches[alias]
    redis = _redis_info(alias) if _is_django_redis(backend) else {}
    key, token = f"health-check:{uuid4().hex}", uuid4().hex  # unique: processes check at once
    started = time.perf_counter()
    backend.set(key, token, timeout=30)
    read_back = backend.get(key)
    backend.delete(key)
    round_trip_ms = _milliseconds_since(started)
    result = {
        "backend": type(backend).__name__,
        "round_trip_ms": round_trip_ms,
        **redis,
    }
    if read_back != token:
        return {
            "status": Status.UNHEALTHY,
            "error": "a value written to the cache was not read back",
            **result,
        }
    where = "Redis" if redis else "local memory (this process only)"
    return {"status": Status.HEALTHY, "detail": f"{where}: set/get in {round_trip_ms:g} ms", **result}


def prepare_cache(alias: str | None = None) -> None:
    """The cache backend, and with django-redis its client, serializer, compressor, connection
    pool and redis-py itself (a client is built, nothing is sent)."""
    alias = alias or settings.MONITORING_CACHE_ALIAS
    if _is_django_redis(caches[alias]):
        from django_redis import get_redis_connection

        get_redis_connection(alias)


def _is_django_redis(backend: object) -> bool:
    from django_redis.cache import RedisCache

    return isinstance(backend, RedisCache)


def _redis_info(alias: str) -> dict[str, Any]:
    from django_redis import get_redis_connection

    client = get_redis_connection(alias)
    started = time.perf_counter()
    client.ping()
    ping_ms = _milliseconds_since(started)
    info = client.info()
    hits, misses = info.get("keyspace_hits", 0), info.get("keyspace_misses", 0)
    return {
        "ping_ms": ping_ms,
        "used_memory_bytes": info.get("used_memory"),
        "connected_clients": info.get("connected_clients"),
        "hit_rate": round(hits / (hits + misses), 4) if hits + misses else None,
    }


# --- Celery -------------------------------------------------------------------------------


def prepare_broker() -> None:
    """The broker URL's kombu transport module (for Redis, redis-py too); nothing connects."""
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        Connection(settings.CELERY_BROKER_URL).get_transport_cls()


def broker() -> dict[str, Any]:
    """Can this process reach CELERY_BROKER_URL? The filesystem transport (the embedded
    default) has nothing to connect to: it is healthy when its folders exist."""
    url = settings.CELERY_BROKER_URL
    transport = url.split("://", 1)[0]
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    if transport == "filesystem":
        folders = {
            str(folder) for key in ("data_folder_in", "data_folder_out") if (folder := options.get(key))
        }
        missing = sorted(folder for folder in folders if not Path(folder).is_dir())
        if missing:
            return {"status": Status.UNHEALTHY, "transport": transport, "error": "queue folder missing"}
        return {"status": Status.HEALTHY, "transport": transport, "detail": "filesystem queue folders exist"}
    started = time.perf_counter()
    # Connect once, no retries, within most of the check's own limit (never the URL in output).
    timeout = check_timeout("broker") * 0.8
    with Connection(url, connect_timeout=timeout, transport_options=options) as connection:
        # kombu's hint says int; it waits a float number of seconds as well.
        connection.ensure_connection(max_retries=0, timeout=timeout)  # type: ignore[arg-type]
    connect_ms = _milliseconds_since(started)
    return {
        "status": Status.HEALTHY,
        "transport": transport,
        "connect_ms": connect_ms,
        "detail": f"{transport}: connected in {connect_ms:g} ms",
    }


def prepare_celery_workers() -> None:
    """Celery's remote control and the AMQP helpers a ping sends through."""
    getattr(current_app, "control")  # noqa: B009 - a cached property: building it is the point
    getattr(current_app, "amqp")  # noqa: B009


def celery_workers() -> dict[str, Any]:
    """A control ping that returns at the first worker's answer. Over the filesystem
    transport both sides poll, so an answer takes about a second."""
    if current_app.conf.task_always_eager:
        return {"status": Status.HEALTHY, "detail": "tasks run eagerly in this process: no worker needed"}
    # Wait for most of the check's limit, so no answer reads "no worker" rather than "timed out".
    wait = check_timeout("celery_workers") * 0.8
    replies = current_app.control.ping(timeout=wait, limit=1)
    if not replies:
        return {"status": Status.UNHEALTHY, "error": f"no worker answered a ping within {wait:.1f} s"}
    return {"status": Status.HEALTHY, "detail": "a worker answered a ping", "workers_answering": len(replies)}


def celery_beat() -> dict[str, Any]:
    """The age of beat's heartbeat (written as it ticks, every 15 s)."""
    beat_at = Heartbeat.objects.filter(name="beat").values_list("beat_at", flat=True).first()
    if beat_at is None:
        return {"status": Status.UNHEALTHY, "error": "no heartbeat from Celery beat yet"}
    age = max((now() - beat_at).total_seconds(), 0.0)
    status = grade(age, thresholds.CELERY_BEAT_STALE_SECONDS)
    result = {"status": status, "last_beat_at": iso_utc(beat_at), "age_seconds": round(age, 1)}
    if status is Status.HEALTHY:
        return {**result, "detail": f"last tick {age:.0f} s ago"}
    return {**result, "error": f"no tick for {age:.0f} s"}


# --- This host ----------------------------------------------------------------------------


def disk() -> dict[str, Any]:
    """Free space where the data lives (HEALTH_CHECK_DISK_PATH)."""
    usage = shutil.disk_usage(settings.HEALTH_CHECK_DISK_PATH)
    ratio = usage.used / usage.total if usage.total else 0.0
    status = grade(ratio, thresholds.DISK_USAGE_RATIO)
    summary = f"{ratio:.0%} used, {usage.free / 2**30:.1f} GiB free"
    return {
        "status": status,
        "free_bytes": usage.free,
        "total_bytes": usage.total,
        "used_ratio": round(ratio, 4),
        ("detail" if status is Status.HEALTHY else "error"): summary,
    }


_CGROUP = Path("/sys/fs/cgroup")
_MEMINFO = Path("/proc/meminfo")


def _cgroup_memory() -> tuple[int, int] | None:
    """(used, limit) of this container's cgroup v2, when it has a limit. Used is the working
    set: page cache that can be dropped (inactive files) does not count, as for the kubelet."""
    try:
        limit = (_CGROUP / "memory.max").read_text().strip()
        if limit == "max":
            return None
        current = int((_CGROUP / "memory.current").read_text())
        stat = dict(line.split() for line in (_CGROUP / "memory.stat").read_text().splitlines())
    except (OSError, ValueError):
        return None
    return max(current - int(stat.get("inactive_file", 0)), 0), int(limit)


def _host_memory() -> tuple[int, int]:
    """(used, total) of the host from /proc/meminfo: used is total minus available."""
    fields = {
        name: int(value.split()[0]) * 1024
        for name, value in (line.split(":", 1) for line in _MEMINFO.read_text().splitlines())
    }
    return fields["MemTotal"] - fields["MemAvailable"], fields["MemTotal"]


def memory() -> dict[str, Any]:
    cgroup = _cgroup_memory()
    source, (used, limit) = ("cgroup", cgroup) if cgroup else ("host", _host_memory())
    ratio = used / limit if limit else 0.0
    status = grade(ratio, thresholds.MEMORY_USAGE_RATIO)
    summary = f"{ratio:.0%} of the {source}'s {limit / 2**30:.1f} GiB in use"
    return {
        "status": status,
        "source": source,
        "used_bytes": used,
        "limit_bytes": limit,
        "used_ratio": round(ratio, 4),
        ("detail" if status is Status.HEALTHY else "error"): summary,
    }


# The same protocol as the apps' HEALTH_CHECKS (see monitoring/health.py); the time limits
# are in the settings' HEALTH_CHECK_TIMEOUTS.
HEALTH_CHECKS = [
    {"component": "database", "check": database, "critical": True, "prepare": prepare_database},
    {"component": "cache", "check": cache, "guide_key": "redis", "prepare": prepare_cache},
    {"component": "broker", "check": broker, "prepare": prepare_broker},
    # The ping goes through the broker; beat's heartbeat is a database row.
    {
        "component": "celery_workers",
        "check": celery_workers,
        "prepare": prepare_celery_workers,
        "depends_on": ("broker",),
    },
    {"component": "celery_beat", "check": celery_beat, "depends_on": ("database",)},
    {"component": "disk", "check": disk},
    {"component": "memory", "check": memory},
    # Asked for by name only: by /health/ready and /health/database/performance.
    {
        "component": "migrations",
        "check": migrations,
        "in_overall": False,
        "prepare": prepare_migrations,
        "depends_on": ("database",),
    },
    {
        "component": "database_performance",
        "check": database_performance,
        "in_overall": False,
        "depends_on": ("database",),
    },
]
