"""HealthMonitor: results cached per process, served stale while one background run refreshes
them, waited for only when too old; one log line per change of status."""

import threading
from collections.abc import Callable

import pytest

from monitoring import health
from monitoring.health import Check, HealthMonitor, Status
from monitoring.tests.health_support import wait_for_background_refresh

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingCheck:
    """A check that counts its runs and answers the statuses it is given, in turn."""

    def __init__(self, *statuses: str) -> None:
        self.statuses = list(statuses) or ["healthy"]
        self.runs = 0
        self.lock = threading.Lock()

    def __call__(self) -> dict:
        with self.lock:
            status = self.statuses[min(self.runs, len(self.statuses) - 1)]
            self.runs += 1
        return {"status": status, "error": "down" if status == "unhealthy" else ""}


def registry(*checks: Check) -> Callable[[], list[Check]]:
    return lambda: list(checks)


def database_check(function: health.CheckFunction) -> Check:
    return Check("database", function, timeout=2.0, critical=True)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_burst_of_50_probes_runs_the_database_check_once(client, monkeypatch, settings):
    settings.METRICS_TOKEN = "uptime-checker-token"
    database = CountingCheck()
    monkeypatch.setattr(health, "monitor", HealthMonitor(registry(database_check(database))))

    responses = [
        client.get("/health/overall", headers={"Authorization": "Bearer uptime-checker-token"})
        for _ in range(50)
    ]

    assert {response.status_code for response in responses} == {200}
    assert database.runs == 1


def test_concurrent_probes_on_a_cold_cache_share_one_run():
    started = threading.Event()
    release = threading.Event()
    runs = []

    def slow_database() -> dict:
        runs.append(1)
        started.set()
        release.wait(5)
        return {"status": "healthy"}

    monitor = HealthMonitor(registry(database_check(slow_database)))
    answers = []
    probes = [threading.Thread(target=lambda: answers.append(monitor.report().status)) for _ in range(50)]
    for probe in probes:
        probe.start()
    started.wait(5)
    release.set()
    for probe in probes:
        probe.join(5)

    assert answers == [Status.HEALTHY] * 50
    assert runs == [1]


def test_stale_results_are_served_at_once_while_one_background_run_refreshes_them(clock, settings):
    settings.HEALTH_CHECK_CACHE_SECONDS = 5
    settings.HEALTH_CHECK_MAX_STALE_SECONDS = 30
    refresh_started, release = threading.Event(), threading.Event()
    outcomes = iter([{"status": "healthy"}, {"status": "degraded"}])

    def database() -> dict:
        outcome = next(outcomes)
        if outcome["status"] == "degraded":
            refresh_started.set()
            release.wait(5)
        return outcome

    monitor = HealthMonitor(registry(database_check(database)), clock=clock)
    assert monitor.report().status is Status.HEALTHY

    clock.now += 6
    stale = [monitor.report().status for _ in range(10)]  # the refresh is still blocked
    assert stale == [Status.HEALTHY] * 10
    assert refresh_started.wait(5)

    release.set()
    wait_for_background_refresh()
    assert monitor.report().status is Status.DEGRADED  # only one refresh ran: next() held


def test_results_older_than_the_max_stale_bound_are_waited_for(clock, settings):
    settings.HEALTH_CHECK_MAX_STALE_SECONDS = 30
    database = CountingCheck("healthy", "unhealthy")
    monitor = HealthMonitor(registry(database_check(database)), clock=clock)
    monitor.report()

    clock.now += 31

    assert monitor.report().status is Status.UNHEALTHY
    assert database.runs == 2


def test_peek_never_waits_and_starts_a_refresh(clock):
    release = threading.Event()

    def hanging() -> dict:
        release.wait(5)
        return {"status": "healthy"}

    monitor = HealthMonitor(registry(database_check(hanging)), clock=clock)
    try:
        assert monitor.peek().results == {}
    finally:
        release.set()
    wait_for_background_refresh()
    assert monitor.peek().results["database"].status is Status.HEALTHY


def test_a_change_of_status_is_logged_once_not_once_per_probe(clock, settings, logs):
    settings.HEALTH_CHECK_MAX_STALE_SECONDS = 30
    cache = CountingCheck("healthy", "unhealthy", "unhealthy", "unhealthy", "healthy")
    monitor = HealthMonitor(registry(Check("cache", cache, timeout=2.0)), clock=clock)

    for _ in range(5):
        monitor.report()
        clock.now += 31  # every report waits for a fresh run

    lines = [line for line in logs.lines() if line["event"] == "health_check"]
    assert [(line["level"], line["status"], line["previous_status"]) for line in lines] == [
        ("WARNING", "unhealthy", "healthy"),
        ("INFO", "healthy", "unhealthy"),
    ]
    assert lines[0]["component"] == "cache"
    assert lines[0]["error"] == "down"


def test_the_last_error_is_kept_after_the_component_recovers(clock, settings):
    settings.HEALTH_CHECK_MAX_STALE_SECONDS = 30
    cache = CountingCheck("unhealthy", "healthy")
    monitor = HealthMonitor(registry(Check("cache", cache, timeout=2.0)), clock=clock)
    failed = monitor.report().results["cache"]
    clock.now += 31

    recovered = monitor.report().results["cache"]

    assert recovered.status is Status.HEALTHY
    assert recovered.error == ""
    assert (recovered.last_error, recovered.last_error_at) == ("down", failed.checked_at)


def test_a_probe_arriving_during_the_first_background_run_waits_for_that_run():
    """A gunicorn worker starts a background run as it boots (post_worker_init); the first probe
    must not start a second run beside it, which would find the checks still in flight and
    report them "timed out (an earlier run has not finished)"."""
    started, release = threading.Event(), threading.Event()
    runs = []

    def booting_cache() -> dict:
        runs.append(1)
        started.set()
        release.wait(5)
        return {"status": "healthy"}

    monitor = HealthMonitor(registry(Check("cache_at_boot", booting_cache, timeout=2.0)))
    monitor.peek()  # what post_worker_init does
    assert started.wait(5)
    answers = []
    probe = threading.Thread(target=lambda: answers.append(monitor.report().results["cache_at_boot"]))
    probe.start()
    release.set()
    probe.join(5)

    [answer] = answers
    assert (answer.status, answer.error) == (Status.HEALTHY, "")
    assert runs == [1]


def test_an_internal_error_is_logged_once_at_error_with_its_traceback(clock, settings, logs):
    settings.HEALTH_CHECK_MAX_STALE_SECONDS = 30
    outcomes = iter(["import", "import", "healthy"])

    def broker() -> dict:
        if next(outcomes) == "import":
            raise ImportError("cannot import name 'Redis' from partially initialized module 'redis'")
        return {"status": "healthy"}

    monitor = HealthMonitor(registry(Check("broker_internal", broker, timeout=2.0)), clock=clock)
    for _ in range(3):
        monitor.report()
        clock.now += 31

    lines = [line for line in logs.lines() if line["event"] == "health_check"]
    assert [(line["level"], line["status"], line.get("internal_error")) for line in lines] == [
        ("ERROR", "degraded", True),
        ("INFO", "healthy", None),
    ]
    assert lines[0]["error"] == (
        "internal error: ImportError: cannot import name 'Redis' from partially initialized module 'redis'"
    )
    assert "Traceback" in lines[0]["exc_info"]
