"""PostgreSQL stopped under the native stack: DatabaseDown fires, and nothing it inhibits is sent.

Injected: `pg_ctl stop -m fast` on the stack's PostgreSQL (a cluster of this test's own, never the
machine's). The stack runs the shipped rules and alertmanager.yml, scraping every 5 seconds and
evaluating every second (the rules' `for:` are the shipped ones). Measured: how soon the database
health check says why, how soon DatabaseDown fires, and, once HealthCheckUnhealthy{component=
"database"} has fired in Prometheus too (its `for:` is 2 minutes), what Alertmanager holds back and
what reached the receivers (the notification sink: e-mail, PagerDuty, Slack, the info webhook; the
app's own webhook cannot record anything while its database is down).
"""

import time
from typing import Any

import pytest
import requests

from deploy.local.processes import WaitTimeout
from monitoring import alerting
from tests.faults.support import fault_stack, report, wait_for_health
from tests.services import RedisServer, postgres_server

pytestmark = pytest.mark.processes

# Every 5 s rather than the stack's test default of 1 s: with the database down postgres_exporter
# answers in about 1 s, and a scrape of the app that refreshes the integrations' gauge waits out
# the pool's 3 s; at a 1 s scrape timeout both targets would read down and DatabaseDown could not
# fire (the shipped 15 s interval has a 10 s timeout).
SCRAPE_INTERVAL = "5s"
# DatabaseDown's `for:` (1 minute) plus scrapes, evaluation and Alertmanager's group_wait.
DATABASE_DOWN_WITHIN_SECONDS = 120
# HealthCheckUnhealthy's `for:` (2 minutes) and a wide margin (measured: 190 s): the proof that an alert
# DatabaseDown inhibits did fire, and was held back.
SYMPTOM_WITHIN_SECONDS = 300


def _get(url: str) -> Any:
    return requests.get(url, timeout=5).json()


def _firing(stack: Any) -> list[dict[str, str]]:
    """Alerts firing in Prometheus: labels only."""
    alerts = _get(stack.url("prometheus") + "/api/v1/alerts")["data"]["alerts"]
    return [alert["labels"] for alert in alerts if alert["state"] == "firing"]


def _alertmanager(stack: Any) -> list[dict[str, Any]]:
    return _get(stack.url("alertmanager") + "/api/v2/alerts")


def _inhibited_names() -> set[str]:
    (database,) = [outage for outage in alerting.OUTAGES if outage.alert == "DatabaseDown"]
    _, alerts = alerting.outage_inhibitions(database, alerting.health_dependencies())
    return {*alerts, *alerting.HEALTH_ALERTS}


def test_stopping_postgres_fires_database_down_and_nothing_it_inhibits(
    own_redis: RedisServer, tmp_path, capsys
):
    with (
        postgres_server(tmp_path) as postgres,
        fault_stack(own_redis.url, database_url=postgres.url, scrape_interval=SCRAPE_INTERVAL) as env,
    ):
        stack = env.stack
        wait_for_health(stack, "healthy", timeout=90)
        before = _firing(stack)
        sent_before = len(stack.sink.deliveries)

        postgres.stop("fast")
        try:
            stopped = time.monotonic()
            # A check that was already running when the server went away waits on the pool and
            # overruns its limit ("timeout"), or finds its pooled connection closed by the
            # shutdown ("connection lost"), or connects while the server is still stopping ("server
            # shutting down"); the next run connects on its own and says why.
            causes_seen: list[str | None] = []

            def refused() -> dict[str, Any] | None:
                body = _database_check(stack)
                if body["status"] != "unhealthy":
                    return None
                causes_seen.append(body.get("cause"))
                return body if body.get("cause") == "connection refused" else None

            body = stack.wait_until(
                refused,
                "the database check to report the connection refused",
                timeout=30,
                supervised=("worker", "beat"),
            )
            cause_after = time.monotonic() - stopped

            def database_down_active() -> bool:
                return any(
                    a["labels"]["alertname"] == "DatabaseDown" and a["status"]["state"] == "active"
                    for a in _alertmanager(stack)
                )

            try:
                stack.wait_until(
                    database_down_active,
                    "Alertmanager to have DatabaseDown",
                    timeout=DATABASE_DOWN_WITHIN_SECONDS,
                    supervised=("worker", "beat"),
                )
            except WaitTimeout as error:
                rules = _get(stack.url("prometheus") + "/api/v1/alerts")["data"]["alerts"]
                raise AssertionError(
                    f"{error}\nPrometheus: {rules}\nAlertmanager: {_alertmanager(stack)}"
                ) from error
            database_down_after = time.monotonic() - stopped
            stack.wait_until(lambda: _pages(stack.sink.deliveries) >= 1, "DatabaseDown to page", timeout=30)
            # From here on DatabaseDown holds the others back: nothing it inhibits may be sent.
            paging_from = len(stack.sink.deliveries)
            stack.wait_until(
                lambda: any(
                    labels["alertname"] == "HealthCheckUnhealthy" and labels.get("component") == "database"
                    for labels in _firing(stack)
                ),
                "HealthCheckUnhealthy{component=database} to fire in Prometheus",
                timeout=SYMPTOM_WITHIN_SECONDS,
                supervised=("worker", "beat"),
            )
            symptom_after = time.monotonic() - stopped
            # Two more rounds of on-call notifications (repeat_interval is 2 s here): anything not
            # held back would have been sent with them.
            paged = _pages(stack.sink.deliveries)
            stack.wait_until(
                lambda: _pages(stack.sink.deliveries) >= paged + 2,
                "DatabaseDown to be sent again",
                timeout=60,
                supervised=("worker", "beat"),
            )
            alerts = _alertmanager(stack)
            firing = _firing(stack)
            sent = stack.sink.deliveries[sent_before:]
            sent_while_paging = stack.sink.deliveries[paging_from:]
        finally:
            postgres.start()  # the stack drops its database on the way out

    inhibited_names = _inhibited_names()
    active = sorted({a["labels"]["alertname"] for a in alerts if a["status"]["state"] == "active"})
    held_back = sorted(
        {
            f"{a['labels']['alertname']}{{{a['labels'].get('component', '')}}}"
            for a in alerts
            if a["status"]["inhibitedBy"]
        }
    )

    def mentions_inhibited(delivery: Any) -> bool:
        return any(name in delivery.body for name in inhibited_names)

    leaked = [d for d in sent_while_paging if mentions_inhibited(d)]
    # Before DatabaseDown fires (its `for:` is 1 minute) nothing holds the symptoms back: each of
    # them waits longer than that (CeleryTaskFailures 2 minutes), so none may be sent then either.
    early = sorted(
        {(d.channel, d.receiver) for d in sent[: paging_from - sent_before] if mentions_inhibited(d)}
    )
    other_pages = [d for d in sent if d.channel in ("email", "pagerduty") and "DatabaseDown" not in d.body]
    report(
        capsys,
        "PostgreSQL stopped: alerts",
        {
            "injected": "pg_ctl stop -m fast on the stack's own PostgreSQL",
            "firing_before": [labels["alertname"] for labels in before],
            "database_check": {key: body.get(key) for key in ("error", "cause", "latency_ms")},
            "cause_reported_after_s": round(cause_after, 1),
            "causes_seen": list(dict.fromkeys(causes_seen)),
            "database_down_active_after_s": round(database_down_after, 1),
            "health_check_unhealthy_firing_after_s": round(symptom_after, 1),
            "prometheus_firing": sorted({labels["alertname"] for labels in firing}),
            "alertmanager_active": active,
            "alertmanager_inhibited": held_back,
            "notifications": sorted({(d.channel, d.receiver) for d in sent}),
            "inhibited_alerts_sent_before_database_down": early,
        },
    )
    assert set(causes_seen) <= {
        "timeout",
        "connection lost",
        "server shutting down",
        "connection refused",
    }, causes_seen
    assert active == ["DatabaseDown"], f"besides DatabaseDown, Alertmanager sends {active}"
    assert any(name.startswith("HealthCheckUnhealthy{database}") for name in held_back), held_back
    assert not leaked, f"inhibited alerts reached a receiver: {[(d.channel, d.body[:200]) for d in leaked]}"
    assert not early, f"alerts DatabaseDown inhibits were sent before it fired: {early}"
    assert not other_pages, (
        f"on-call was paged about more than DatabaseDown: {[d.body[:200] for d in other_pages]}"
    )


def _pages(deliveries: list[Any]) -> int:
    """Notifications of DatabaseDown that reached on-call (e-mail or PagerDuty)."""
    return sum(d.channel in ("email", "pagerduty") and "DatabaseDown" in d.body for d in deliveries)


def _database_check(stack: Any) -> dict[str, Any]:
    response = requests.get(stack.url("web") + "/health/database", headers=stack.metrics_headers, timeout=10)
    return response.json()
