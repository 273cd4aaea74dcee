"""A dependency down: its check says why within a second, and the checks that depend on it
report degraded, "<dependency> unavailable", instead of failing on their own.

Each dependency is pointed at a dead port (bound, never listening: connecting is refused), a
name that does not resolve, or a local server that refuses our credentials the way PostgreSQL
and Redis do.
"""

import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import pytest

from monitoring import checks, health
from monitoring.health import Check, HealthMonitor, Status, failure_cause
from monitoring.metrics import HealthCollector
from monitoring.tests.test_health_checks import (  # database_access is a fixture
    _port,
    database_access,  # noqa: F401
    dead_database,
    finish_abandoned_checks,
    postgres_alias,
)
from monitoring.tests.test_health_views import (  # fresh_monitor is an autouse fixture
    fresh_monitor,  # noqa: F401
    use_registry,
)
from tests.fakes.twilio_server import refusing_server
from tests.services import postgres_server

# The promise: a refused connection is reported, with its cause, within this long.
CAUSE_WITHIN_SECONDS = 1.0
DATABASE_DEPENDANTS = ["celery_beat", "twilio", "google", "microsoft", "notion"]


@contextmanager
def answering_once(reply: bytes, *, after_bytes: int = 0) -> Iterator[int]:
    """A port whose server reads what the client says first, then sends `reply` and closes:
    a server that refuses our credentials, as far as the client can tell."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                continue
            with client:
                client.settimeout(2)
                _answer(client, reply, after_bytes)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


def _answer(client: socket.socket, reply: bytes, after_bytes: int) -> None:
    try:
        if after_bytes:
            client.recv(after_bytes)
        else:  # a PostgreSQL client: an SSL request first (refused with "N"), then its startup
            (length,) = struct.unpack("!I", client.recv(4))
            request = client.recv(length - 4)
            if request[:4] == struct.pack("!I", 80877103):
                client.sendall(b"N")
                (length,) = struct.unpack("!I", client.recv(4))
                client.recv(length - 4)
        client.sendall(reply)
    except OSError:
        pass


def postgres_error(code: str, message: str) -> bytes:
    """An ErrorResponse message, as PostgreSQL sends one to a client it turns away."""
    fields = b"".join(
        kind + value.encode() + b"\0" for kind, value in ((b"S", "FATAL"), (b"C", code), (b"M", message))
    )
    body = fields + b"\0"
    return b"E" + struct.pack("!I", len(body) + 4) + body


def timed(component: str, function: health.CheckFunction) -> tuple[health.CheckResult, float]:
    """One check run under its shipped time limit, and how long the answer took."""
    started = time.perf_counter()
    result = health.run_checks([Check(component, function, timeout=health.check_timeout(component))])[
        component
    ]
    return result, time.perf_counter() - started


# --- The cause, within a second ---------------------------------------------------------------


@pytest.mark.usefixtures("database_access")
def test_a_refused_database_says_connection_refused_within_a_second():
    with dead_database() as alias:
        result, seconds = timed("database", partial(checks.database, alias))

    assert seconds < CAUSE_WITHIN_SECONDS
    assert result.status is Status.UNHEALTHY
    assert result.data["cause"] == "connection refused"
    assert "Connection refused" in result.error
    assert "timed out" not in result.error


@pytest.mark.usefixtures("database_access")
def test_an_unresolvable_database_host_says_dns_failure():
    with postgres_alias("database.invalid", 5432) as alias:
        result, seconds = timed("database", partial(checks.database, alias))

    assert seconds < health.check_timeout("database")
    assert (result.status, result.data["cause"]) == (Status.UNHEALTHY, "DNS failure")


@pytest.mark.usefixtures("database_access")
def test_a_database_that_refuses_our_credentials_says_authentication_failed():
    reply = postgres_error("28P01", 'password authentication failed for user "assistant"')
    with answering_once(reply) as port, postgres_alias("127.0.0.1", port) as alias:
        result, seconds = timed("database", partial(checks.database, alias))

    assert seconds < CAUSE_WITHIN_SECONDS
    assert (result.status, result.data["cause"]) == (Status.UNHEALTHY, "authentication failed")
    assert "password authentication failed" in result.error


@pytest.mark.usefixtures("database_access")
def test_a_database_that_never_answers_says_timeout_before_the_checks_limit(settings):
    """The check's own connection gives up (HEALTH_CHECK_DATABASE_CONNECT_TIMEOUT, 2 s) before the
    check's 3 s limit: the driver's timeout is reported, not the runner's."""
    with dead_database(silent=True) as alias:
        result, seconds = timed("database", partial(checks.database, alias))

    assert health.check_timeout("database") > settings.HEALTH_CHECK_DATABASE_CONNECT_TIMEOUT
    assert seconds < health.check_timeout("database")
    assert (result.status, result.data["cause"]) == (Status.UNHEALTHY, "timeout")
    assert not result.error.startswith("timed out after")


def test_a_refused_redis_says_connection_refused_within_a_second(settings):
    with refusing_server() as url:
        dead = {**settings.CACHES["default"], "BACKEND": "django_redis.cache.RedisCache"}
        dead.update(LOCATION=f"redis://127.0.0.1:{_port(url)}/0", OPTIONS=_redis_options())
        settings.CACHES = {**settings.CACHES, "dead_redis": dead}
        result, seconds = timed("cache", partial(checks.cache, "dead_redis"))
    finish_abandoned_checks()

    assert seconds < CAUSE_WITHIN_SECONDS
    assert (result.status, result.data["cause"]) == (Status.UNHEALTHY, "connection refused")


def test_a_redis_that_refuses_our_password_says_authentication_failed(settings):
    reply = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    with answering_once(reply, after_bytes=1024) as port:
        dead = {"BACKEND": "django_redis.cache.RedisCache", "OPTIONS": _redis_options()}
        dead["LOCATION"] = f"redis://:wrong@127.0.0.1:{port}/0"
        settings.CACHES = {**settings.CACHES, "dead_redis": dead}
        result, seconds = timed("cache", partial(checks.cache, "dead_redis"))
    finish_abandoned_checks()

    assert seconds < CAUSE_WITHIN_SECONDS
    assert (result.status, result.data["cause"]) == (Status.UNHEALTHY, "authentication failed")
    assert "wrong" not in result.error  # the password never shows


def _redis_options() -> dict[str, object]:
    return {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        "SOCKET_CONNECT_TIMEOUT": 1,
        "SOCKET_TIMEOUT": 1,
    }


def test_a_refused_broker_says_connection_refused_within_a_second(settings):
    with refusing_server() as url:
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_port(url)}/0"
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
        result, seconds = timed("broker", checks.broker)

    assert seconds < CAUSE_WITHIN_SECONDS
    assert (result.status, result.data["cause"]) == (Status.UNHEALTHY, "connection refused")


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
        (OSError('could not translate host name "db" to address'), "DNS failure"),
        (OSError('FATAL:  role "assistant" does not exist'), "authentication failed"),
        (OSError("NOAUTH Authentication required."), "authentication failed"),
        (OSError("connection timeout expired"), "timeout"),
        (
            OSError(
                'connection to server at "127.0.0.1", port 5432 failed: '
                "FATAL:  the database system is shutting down"
            ),
            "server shutting down",
        ),
        (OSError("FATAL:  the database system is starting up"), "server starting up"),
        (OSError("LOADING Redis is loading the dataset in memory"), "server starting up"),
        (OSError("terminating connection due to administrator command"), "connection lost"),
        (OSError('FATAL:  database "assistant" does not exist'), None),
    ],
)
def test_failure_cause_reads_the_drivers_words(error, cause):
    assert failure_cause(error) == cause


def test_the_cause_is_found_in_the_error_a_driver_raised_from():
    error = RuntimeError("Error connecting to the broker")
    error.__cause__ = ConnectionRefusedError(111, "Connection refused")

    assert failure_cause(error) == "connection refused"


# --- Dependants: degraded, "<dependency> unavailable" ----------------------------------------


@pytest.mark.usefixtures("database_access")
def test_with_the_database_refused_its_dependants_say_database_unavailable_within_a_second(
    operator, monkeypatch
):
    with dead_database() as alias:
        use_registry(monkeypatch, database=partial(checks.database, alias))
        started = time.perf_counter()
        response = operator.get("/health/overall")
        seconds = time.perf_counter() - started
        scores = {
            sample.labels["component"]: sample.value
            for family in HealthCollector().collect()
            if family.name == "health_check_status"
            for sample in family.samples
        }

    body = response.json()
    assert seconds < CAUSE_WITHIN_SECONDS
    assert (response.status_code, body["status"]) == (503, "unhealthy")
    assert body["checks"]["database"]["cause"] == "connection refused"
    for component in DATABASE_DEPENDANTS:
        check = body["checks"][component]
        assert (check["status"], check["error"], check["unavailable"]) == (
            "degraded",
            "database unavailable",
            ["database"],
        ), component
        assert scores[component] == 0.5, component
    assert scores["database"] == 0.0
    # What does not touch the database says nothing about it.
    assert body["checks"]["disk"]["status"] == body["checks"]["memory"]["status"] == "healthy"


@pytest.mark.usefixtures("database_access")
def test_a_dependant_asked_for_by_name_runs_its_dependency_first(operator, monkeypatch):
    with dead_database() as alias:
        use_registry(monkeypatch, database=partial(checks.database, alias))
        response = operator.get("/health/celery")

    assert response.json()["checks"]["celery_beat"]["error"] == "database unavailable"


@pytest.mark.django_db
def test_with_the_broker_refused_the_workers_check_says_broker_unavailable(operator, monkeypatch, settings):
    with refusing_server() as url:
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_port(url)}/0"
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
        response = operator.get("/health/overall")

    checks_ = response.json()["checks"]
    assert (checks_["broker"]["status"], checks_["broker"]["cause"]) == ("unhealthy", "connection refused")
    assert (checks_["celery_workers"]["status"], checks_["celery_workers"]["error"]) == (
        "degraded",
        "broker unavailable",
    )


def test_a_dependant_of_the_cache_names_it_redis_and_is_not_run():
    ran = []

    def refused() -> dict[str, str]:
        raise ConnectionRefusedError(111, "Connection refused")

    registry = [
        Check("cache", refused, timeout=1.0, guide_key="redis"),
        Check(
            "throttles", lambda: ran.append(1) or {"status": "healthy"}, timeout=1.0, depends_on=("cache",)
        ),
    ]
    report = HealthMonitor(lambda: registry).report(["throttles"])

    assert report.results["throttles"].status is Status.DEGRADED
    assert report.results["throttles"].error == "redis unavailable"
    assert ran == []


def test_a_dependency_on_an_unknown_component_is_refused():
    registry = [Check("beat", lambda: {"status": "healthy"}, timeout=1.0, depends_on=("databse",))]

    with pytest.raises(health.UnknownComponentError, match="databse"):
        HealthMonitor(lambda: registry).report()


@pytest.mark.processes
def test_a_postgresql_that_is_stopping_says_server_shutting_down(tmp_path):
    """A smart shutdown waits for its clients to leave and meanwhile refuses new connections
    with FATAL 57P03: the window a fast shutdown's checkpoint opens too, for a check that
    connects in it (the PostgreSQL outage fault test saw one with no cause)."""
    import psycopg

    def refusal(url: str) -> psycopg.OperationalError:
        """The error of the first connection the server refuses (within 10 s)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                psycopg.connect(url, connect_timeout=2).close()
            except psycopg.OperationalError as error:
                return error
            time.sleep(0.05)
        raise AssertionError("the server never started stopping")

    with postgres_server(tmp_path) as server, psycopg.connect(server.url):
        stopping = threading.Thread(target=server.stop, args=("smart",), daemon=True)
        stopping.start()
        error = refusal(server.url)
    stopping.join(timeout=30)

    assert failure_cause(error) == "server shutting down", error
