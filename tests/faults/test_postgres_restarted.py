"""PostgreSQL stopped and started again on the same port, under light load.

Injected: `pg_ctl stop -m fast` on the stack's PostgreSQL (a cluster of this test's own, never
the machine's), kept down until the failures are measured, then `pg_ctl start` on the same
port. Measured: how long API calls take to fail while it is down (they must fail, 5xx, well
before gunicorn's 30 s timeout, never hang), /health/overall (503) and /health/live (200)
meanwhile, and how long after the restart the API and /health/overall answer 200 again.
"""

import time

import pytest

from monitoring.tests.stack_traffic import register
from tests.faults.support import LightLoad, fault_stack, health, report, wait_for_health
from tests.services import RedisServer, postgres_server

pytestmark = pytest.mark.processes

# DATABASE_POOL_TIMEOUT (3 s), possibly twice (a request may wait for a connection again after
# its first query failed), plus a margin for a busy machine: a request that fails must say so
# long before gunicorn's 30 s timeout. Measured in CI: 3.0 s and 6.0 s at most.
FAIL_FAST_SECONDS = 10
DOWN_SECONDS = 12  # long enough for the load's calls to meet the pool's 10 s timeout
# The pool's attempts to reconnect are about 1 s apart (config/settings: reconnect_timeout),
# so the API answers again a second or two after the database; the margin is a busy machine's.
RECOVERY_SECONDS = 30
# How long /health/overall may go on reading healthy into the outage once probed: a refresh
# waits out the database check's timeout (3 s) on each worker a probe lands on.
OVERALL_SECONDS = 15


def test_requests_fail_fast_while_postgres_is_down_and_recover_after(
    own_redis: RedisServer, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    with postgres_server(tmp_path) as postgres, fault_stack(own_redis.url, database_url=postgres.url) as env:
        stack = env.stack
        client = register(env, "steady@example.com")
        wait_for_health(stack, "healthy", timeout=60)
        with LightLoad(client) as load:
            stack.wait_until(lambda: len(load.samples) >= 10, "the load to start", timeout=20)
            postgres.stop("fast")  # returns once the server is down
            stopped = load.now()
            down_at = time.monotonic()
            time.sleep(DOWN_SECONDS - 2)  # the outage itself: the load measures it
            probed = time.monotonic()
            down_live = health(stack, "live")
            live_seconds = time.monotonic() - probed
            # Each worker serves its cached results stale for up to HEALTH_CHECK_MAX_STALE_SECONDS
            # while one background run refreshes them (docs/monitoring.md, "Caching"): the
            # first probe a worker gets in the outage may still read healthy.
            wait_for_health(stack, "unhealthy", code=503, timeout=OVERALL_SECONDS)
            overall_unhealthy_after = time.monotonic() - down_at
            down_ready = health(stack, "ready")
            restarted = load.now()
            down_seconds = time.monotonic() - down_at
            postgres.start()
            back_health = wait_for_health(stack, "healthy", timeout=RECOVERY_SECONDS)
            stack.wait_until(
                lambda: any(s.status == 200 for s in load.between(restarted, load.now())),
                "an API call to succeed after the restart",
                timeout=RECOVERY_SECONDS,
            )
            first_ok = next(s.at for s in load.samples if s.at >= restarted and s.status == 200) - restarted
            time.sleep(1)  # a few more calls after recovery
            ended = load.now()
        # Calls that began while the database was down (some end after it is back).
        during = load.between(stopped, restarted)
        after = load.between(restarted + first_ok, ended)

    failed = [s for s in during if s.status != 200]
    report(
        capsys,
        "PostgreSQL restarted",
        {
            "injected": f"pg_ctl stop -m fast, down {down_seconds:.1f} s then pg_ctl start on the same port",
            "database": "own PostgreSQL cluster",
            "during": LightLoad.summary(during),
            "health_overall_unhealthy_after_s": round(overall_unhealthy_after, 2),
            "health_ready_down": down_ready,
            "health_live_down": down_live,
            "health_live_down_s": round(live_seconds, 2),
            "api_200_after_restart_s": round(first_ok, 2),
            "health_healthy_after_restart_s": round(back_health, 2),
            "after": LightLoad.summary(after),
        },
    )
    assert during, "no call was made while the database was down"
    assert failed, "every call succeeded while PostgreSQL was down: the fault was not injected"
    assert all(s.status is not None and s.status >= 500 for s in failed), (
        f"while PostgreSQL was down calls must fail with a 5xx, got {LightLoad.summary(failed)}"
    )
    slowest = max(s.seconds for s in failed)
    assert slowest < FAIL_FAST_SECONDS, f"a call took {slowest:.1f} s to fail with the database down (hang)"
    assert down_live == (200, "healthy"), f"/health/live answered {down_live} with the database down"
    assert all(s.status == 200 for s in after), f"after recovery: {LightLoad.summary(after)}"
