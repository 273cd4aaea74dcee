"""monitoring.health: the registry, the concurrent runner with its per-check time limits, and
how results add up to an overall status."""

import importlib
import threading
import time

import pytest

from monitoring import health
from monitoring.health import Check, CheckResult, Status
from monitoring.tests.health_support import OVERALL_COMPONENTS


def check(
    component: str, function: health.CheckFunction, *, timeout: float = 1.0, critical: bool = False
) -> Check:
    return Check(component=component, function=function, timeout=timeout, critical=critical)


def returning(status: str, **fields) -> health.CheckFunction:
    return lambda: {"status": status, **fields}


@pytest.fixture
def release():
    """An event that blocked checks wait on; set at teardown so no thread outlives the test."""
    event = threading.Event()
    yield event
    event.set()


def test_two_slow_checks_run_concurrently():
    def slow() -> dict:
        time.sleep(0.3)  # the simulated dependency: a check function, not product code
        return {"status": "healthy"}

    started = time.perf_counter()
    results = health.run_checks([check("slow_one", slow), check("slow_two", slow)])
    elapsed = time.perf_counter() - started

    assert {result.status for result in results.values()} == {Status.HEALTHY}
    assert elapsed < 0.5, f"two 0.3 s checks took {elapsed:.2f} s: they did not overlap"


def test_a_check_that_hangs_is_reported_unhealthy_when_its_time_limit_passes(release):
    started = time.perf_counter()
    results = health.run_checks(
        [check("hanging", lambda: release.wait(30) and {}, timeout=0.2), check("quick", returning("healthy"))]
    )
    elapsed = time.perf_counter() - started

    assert elapsed < 0.5
    assert results["hanging"].status is Status.UNHEALTHY
    assert results["hanging"].error == "timed out after 0.2 s"
    assert results["hanging"].duration_seconds == 0.2
    assert results["quick"].status is Status.HEALTHY


def test_a_component_still_hanging_is_not_started_again(release):
    calls = []

    def hanging() -> dict:
        calls.append(1)
        release.wait(30)
        return {"status": "healthy"}

    health.run_checks([check("stuck_component", hanging, timeout=0.05)])
    started = time.perf_counter()
    second = health.run_checks([check("stuck_component", hanging, timeout=0.05)])["stuck_component"]

    assert calls == [1]
    assert second.error == "timed out (an earlier run has not finished)"
    assert time.perf_counter() - started < 0.05


def test_a_check_that_raises_is_unhealthy_with_the_error_and_no_credentials():
    def failing() -> dict:
        raise ConnectionError("cannot reach redis://cache-user:s3cret@10.0.0.5:6379/0\nmore detail")

    result = health.run_checks([check("failing", failing)])["failing"]

    assert result.status is Status.UNHEALTHY
    assert result.error == "ConnectionError: cannot reach redis://***@10.0.0.5:6379/0"


def test_a_check_returning_no_valid_status_is_an_internal_error():
    results = health.run_checks(
        [check("no_status", lambda: {"detail": "?"}), check("odd", returning("fine"))]
    )

    assert results["no_status"].status is Status.DEGRADED
    assert results["no_status"].internal_error
    assert results["odd"].error == "internal error: the check returned no valid status"


def _raising(error: BaseException) -> health.CheckFunction:
    def failing() -> dict:
        raise error

    return failing


@pytest.mark.parametrize(
    "error",
    [
        ImportError(
            "cannot import name 'AbstractConnection' from partially initialized module 'redis.connection'"
        ),
        ModuleNotFoundError("No module named 'django_redis'"),
        # What the import system raises when two threads import each other's modules at once.
        importlib._bootstrap._DeadlockError("deadlock detected by _ModuleLock('redis.auth.token')"),  # type: ignore[attr-defined]
        AttributeError("'NoneType' object has no attribute 'ping'"),
    ],
    ids=["import", "module-not-found", "import-deadlock", "attribute"],
)
def test_a_check_failing_in_our_own_code_is_an_internal_error_not_its_dependency_down(error):
    result = health.run_checks([check("database", _raising(error), critical=True)])["database"]

    assert result.internal_error
    assert result.status is Status.DEGRADED  # not unhealthy: a bug must not page as an outage
    assert result.error == f"internal error: {type(error).__name__}: {error}"
    assert result.as_dict()["internal_error"] is True
    # Even the critical check's bug leaves the service in the load balancer.
    assert health.overall_status([result]) is Status.DEGRADED


def test_a_dependency_that_fails_its_check_is_unhealthy_not_an_internal_error():
    result = health.run_checks([check("cache", _raising(ConnectionRefusedError(111, "Connection refused")))])[
        "cache"
    ]

    assert result.status is Status.UNHEALTHY
    assert not result.internal_error
    assert result.as_dict()["internal_error"] is False


def test_the_protocols_fields_become_detail_error_and_data():
    result = health.run_checks(
        [check("rich", returning("degraded", detail="slow", error="p95 high", p95_ms=12))]
    )["rich"]

    assert (result.status, result.detail, result.error, dict(result.data)) == (
        Status.DEGRADED,
        "slow",
        "p95 high",
        {"p95_ms": 12},
    )
    body = result.as_dict()
    assert body["p95_ms"] == 12
    assert body["latency_ms"] >= 0
    assert body["checked_at"].endswith("Z")


def _result(component: str, status: Status, *, critical: bool = False) -> CheckResult:
    return CheckResult(component, status, critical, 0.01, health.utc_now())


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ({"database": Status.HEALTHY, "cache": Status.HEALTHY}, Status.HEALTHY),
        ({"database": Status.HEALTHY, "cache": Status.UNHEALTHY}, Status.DEGRADED),
        ({"database": Status.DEGRADED, "cache": Status.HEALTHY}, Status.DEGRADED),
        ({"database": Status.UNHEALTHY, "cache": Status.HEALTHY}, Status.UNHEALTHY),
    ],
)
def test_only_a_critical_check_makes_the_whole_unhealthy(statuses, expected):
    results = [_result(name, status, critical=name == "database") for name, status in statuses.items()]

    assert health.overall_status(results) is expected


def test_a_group_asked_for_by_name_takes_its_worst_status():
    results = [_result("broker", Status.HEALTHY), _result("celery_workers", Status.UNHEALTHY)]

    assert health.worst_status(results) is Status.UNHEALTHY


def test_the_registry_holds_the_built_in_checks_and_the_apps_checks(settings):
    settings.HEALTH_CHECK_TIMEOUTS = {**settings.HEALTH_CHECK_TIMEOUTS, "twilio": 0.7}
    checks = {check.component: check for check in health.registered_checks()}

    overall = [name for name, registered in checks.items() if registered.in_overall]
    assert overall == OVERALL_COMPONENTS
    assert [name for name, registered in checks.items() if registered.critical] == ["database"]
    assert checks["twilio"].timeout == 0.7  # the settings override what the app declared
    assert checks["google"].timeout == settings.HEALTH_CHECK_DEFAULT_TIMEOUT_SECONDS
    assert checks["database"].timeout == settings.HEALTH_CHECK_TIMEOUTS["database"]


def test_asking_for_an_unknown_component_names_the_known_ones():
    with pytest.raises(health.UnknownComponentError, match="unknown component nope; known: database"):
        health.HealthMonitor().checks_for(["nope"])


def test_query_durations_give_a_p95_and_a_slow_count_over_the_recent_window():
    now = [1000.0]
    durations = health.QueryDurations(window_seconds=60, clock=lambda: now[0])
    durations.record(5.0)  # an old slow query, out of the window by the time we ask
    now[0] += 120
    for milliseconds in range(1, 101):
        durations.record(milliseconds / 1000)

    summary = durations.summary(slow_seconds=0.098)

    assert summary.sample_size == 100
    assert summary.p95_seconds == 0.095
    assert summary.slow_count == 3  # 98, 99 and 100 ms


def test_a_checks_prepare_runs_once_in_the_callers_thread_before_its_thread_starts():
    calls = []

    def prepare() -> None:
        calls.append(("prepare", threading.current_thread().name))

    def probe() -> dict:
        calls.append(("check", threading.current_thread().name))
        return {"status": "healthy"}

    prepared = Check("prepared_once", probe, timeout=1.0, prepare=prepare)
    health.run_checks([prepared])
    health.run_checks([prepared])

    caller = threading.current_thread().name
    assert calls == [
        ("prepare", caller),
        ("check", "health-check-prepared_once"),
        ("check", "health-check-prepared_once"),
    ]


def test_a_prepare_that_fails_is_logged_and_its_check_reports_an_internal_error(logs):
    def prepare() -> None:
        import not_a_module_of_this_project  # noqa: F401

    def needs_it() -> dict:
        import not_a_module_of_this_project  # noqa: F401

        return {"status": "healthy"}

    result = health.run_checks([Check("unpreparable", needs_it, timeout=1.0, prepare=prepare)])[
        "unpreparable"
    ]

    [line] = [line for line in logs.lines() if line["event"] == "health_check_prepare_failed"]
    assert (line["level"], line["component"]) == ("ERROR", "unpreparable")
    assert (result.status, result.internal_error) == (Status.DEGRADED, True)
    assert (
        result.error == "internal error: ModuleNotFoundError: No module named 'not_a_module_of_this_project'"
    )
