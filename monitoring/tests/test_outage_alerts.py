"""An outage pages once: with the series a dead database, Redis or broker produces, exactly the
expected alerts fire (promtool, over every rule), and of those Alertmanager, running the shipped
configuration, sends only the outage's own alert and holds back the rest (its API says which
alert inhibits each). promtool and Alertmanager come from Debian's `prometheus` and
`prometheus-alertmanager` packages, which CI installs: without them these tests fail."""

import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from django.conf import settings

from deploy.local.processes import Process, stop_all
from deploy.local.render import RouteTiming, SecretFiles, Sink, alertmanager_config
from deploy.local.stack import BINARIES, free_port
from monitoring import alerting
from monitoring.tests.health_support import OVERALL_COMPONENTS
from monitoring.tests.test_alert_rules import RULES_DIR, promtool

pytestmark = pytest.mark.processes

ALERTMANAGER_DIR = Path(settings.BASE_DIR) / "deploy" / "alertmanager"
API = {"job": "assistant-api", "instance": "api:8000"}
POSTGRES = {"job": "postgres", "instance": "postgres-exporter:9187"}
REDIS = {"job": "redis", "instance": "redis-exporter:9121"}
# Healthy-looking series of everything else, so that only the outage's alerts can fire.
STEPS = 15  # one sample a minute; evaluated at EVAL_TIME, long enough for every `for:`
EVAL_TIME = "12m"


@dataclass(frozen=True)
class Outage:
    name: str
    down: tuple[str, ...]  # health components that fail (0)
    degraded: tuple[str, ...]  # health components that report "<dependency> unavailable" (0.5)
    series: dict[str, str]  # other series that go to 0, by their selector
    fires: tuple[dict[str, str], ...]  # every alert expected to fire, alertname included
    pages: tuple[dict[str, str], ...]  # of those, what Alertmanager sends


def _labels(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{name}="{value}"' for name, value in labels.items()) + "}"


def _health(component: str, **labels: str) -> dict[str, str]:
    return {"component": component, **labels}


DATABASE = Outage(
    "database",
    down=("database",),
    degraded=("celery_beat", "twilio", "google", "microsoft", "notion"),
    series={f"pg_up{_labels(POSTGRES)}": "0", f"database_health_status{_labels(API)}": "0"},
    fires=(
        {"alertname": "DatabaseDown", "severity": "critical", **POSTGRES},
        {"alertname": "DatabaseDown", "severity": "critical", **API},
        {"alertname": "HealthCheckUnhealthy", "severity": "critical", "component": "database"},
        *(
            {"alertname": "HealthCheckDegraded", "severity": "info", "component": component}
            for component in ("celery_beat", "twilio", "google", "microsoft", "notion")
        ),
    ),
    pages=({"alertname": "DatabaseDown", "severity": "critical", **POSTGRES},),
)
REDIS_OUTAGE = Outage(
    "redis",
    down=("cache", "broker"),  # the shipped broker is this Redis
    degraded=("celery_workers",),
    series={f"redis_up{_labels(REDIS)}": "0"},
    fires=(
        {"alertname": "RedisDown", "severity": "critical", **REDIS},
        {"alertname": "RedisDown", "severity": "critical", "component": "cache", **API},
        {"alertname": "BrokerDown", "severity": "critical", "component": "broker", **API},
        {"alertname": "HealthCheckUnhealthy", "severity": "critical", "component": "cache"},
        {"alertname": "HealthCheckUnhealthy", "severity": "critical", "component": "broker"},
        {"alertname": "HealthCheckDegraded", "severity": "info", "component": "celery_workers"},
    ),
    pages=({"alertname": "RedisDown", "severity": "critical", **REDIS},),
)
BROKER = Outage(
    "broker",
    down=("broker",),
    degraded=("celery_workers",),
    series={},
    fires=(
        {"alertname": "BrokerDown", "severity": "critical", "component": "broker", **API},
        {"alertname": "HealthCheckUnhealthy", "severity": "critical", "component": "broker"},
        {"alertname": "HealthCheckDegraded", "severity": "info", "component": "celery_workers"},
    ),
    pages=({"alertname": "BrokerDown", "severity": "critical", "component": "broker", **API},),
)
OUTAGES = [DATABASE, REDIS_OUTAGE, BROKER]


def input_series(outage: Outage) -> list[dict[str, str]]:
    """What Prometheus scrapes: healthy for a minute, then the outage (as a fresh process starts
    its series: no zero seeded before the change)."""
    healthy = {
        f"pg_up{_labels(POSTGRES)}": "1",
        f"database_health_status{_labels(API)}": "1",
        f"redis_up{_labels(REDIS)}": "1",
        'celery_workers_online{job="celery-worker", instance="worker:9808"}': "1",
        **{f"up{_labels(labels)}": "1" for labels in (API, POSTGRES, REDIS)},
    }
    for component in OVERALL_COMPONENTS:
        value = "0" if component in outage.down else "0.5" if component in outage.degraded else "1"
        healthy[f"health_check_status{_labels(_health(component, **API))}"] = value
    series = [
        {"series": selector, "values": f"1 {outage.series.get(selector, value)}x{STEPS - 1}"}
        for selector, value in healthy.items()
    ]
    # beat ticking every minute (the tick's timestamp keeps up with time()).
    series.append(
        {"series": 'celery_beat_last_tick_timestamp_seconds{job="celery-beat"}', "values": f"0+60x{STEPS}"}
    )
    return series


def annotations(alert: dict[str, str]) -> dict[str, str]:
    """The rule's annotations with the alert's labels filled in (these rules use no $value)."""
    (rule,) = [
        r for r in alerting.all_rules() if (r.alert, r.severity) == (alert["alertname"], alert["severity"])
    ]
    rendered = {
        key: re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda match: alert[match[1]], text)
        for key, text in rule.as_dict(alerting.RUNBOOK_BASE_URL)["annotations"].items()
    }
    assert not any("{{" in text for text in rendered.values()), rendered
    return rendered


def promtool_test(outage: Outage) -> dict[str, Any]:
    """One promtool test over every rule: each alert name expects exactly the outage's alerts."""
    names = sorted({rule.alert for rule in alerting.all_rules()})
    cases = []
    for name in names:
        expected = [
            {
                "exp_labels": {key: value for key, value in alert.items() if key != "alertname"},
                "exp_annotations": annotations(alert),
            }
            for alert in outage.fires
            if alert["alertname"] == name
        ]
        cases.append({"eval_time": EVAL_TIME, "alertname": name, "exp_alerts": expected})
    return {"interval": "1m", "input_series": input_series(outage), "alert_rule_test": cases}


@pytest.mark.parametrize("outage", OUTAGES, ids=lambda outage: outage.name)
def test_exactly_the_outages_alerts_fire(outage: Outage, tmp_path: Path) -> None:
    document = {
        "rule_files": [str(path) for path in sorted(RULES_DIR.glob("*.yml"))],
        "evaluation_interval": "1m",
        "tests": [promtool_test(outage)],
    }
    path = tmp_path / f"{outage.name}.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))

    result = subprocess.run(
        [promtool(), "test", "rules", str(path)], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr


# --- Alertmanager -------------------------------------------------------------------------------


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[str]:
    """The shipped alertmanager.yml, served by a real Alertmanager on a spare port, one per outage
    (inhibition compares no label: another outage's alerts would hold these back). Its receivers
    point at a port nobody listens on: what it sends does not matter here, what it holds back does."""
    directory = tmp_path / "alertmanager"
    nowhere = f"127.0.0.1:{free_port()}"
    secrets = SecretFiles(directory / "secrets")
    render = alertmanager_config(
        yaml.safe_load((ALERTMANAGER_DIR / "alertmanager.yml").read_text()),
        app_webhook_url=f"http://{nowhere}/monitoring/alerts/webhook",
        webhook_token_file=secrets.write("webhook_token", "unused"),
        sink=Sink(http_url=f"http://{nowhere}", smtp_address=nowhere),
        secrets=secrets,
        timing=RouteTiming("1s", "1s", "2s"),
        templates_dir=directory / "templates",
        shipped_dir=ALERTMANAGER_DIR,
    )
    config = directory / "alertmanager.yml"
    config.write_text(yaml.safe_dump(render.config))
    port = free_port()
    process = Process(
        "alertmanager",
        [
            BINARIES["alertmanager"][0],
            f"--config.file={config}",
            f"--storage.path={directory / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        env={},
        log=directory / "alertmanager.log",
    )
    process.spawn()
    url = f"http://127.0.0.1:{port}"
    try:
        _poll(lambda: _ready(url), f"Alertmanager to start:\n{process.log_tail()}")
        yield url
    finally:
        stop_all([process])


def _ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/-/ready", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _poll(condition: Any, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)  # polling a real process


def _alerts(url: str) -> list[dict[str, Any]]:
    return requests.get(f"{url}/api/v2/alerts", timeout=5).json()


def _key(labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


@pytest.mark.parametrize("outage", OUTAGES, ids=lambda outage: outage.name)
def test_alertmanager_sends_only_the_outage_and_holds_back_the_rest(
    outage: Outage, alertmanager: str
) -> None:
    case = {"case": outage.name}  # one more label, so the asserts read only what was posted
    posted = [{"labels": {**alert, **case}} for alert in outage.fires]
    requests.post(f"{alertmanager}/api/v2/alerts", json=posted, timeout=5).raise_for_status()

    def mine() -> list[dict[str, Any]]:
        return [alert for alert in _alerts(alertmanager) if alert["labels"].get("case") == outage.name]

    def settled() -> bool:
        alerts = mine()
        # Inhibition is worked out as alerts arrive; a source may come after its targets.
        return len(alerts) == len(posted) and sum(a["status"]["state"] == "active" for a in alerts) == len(
            outage.pages
        )

    _poll(settled, f"the {outage.name} outage's alerts to settle: {mine()}")
    alerts = mine()
    active = {_key(a["labels"]) for a in alerts if a["status"]["state"] == "active"}
    inhibited = [a for a in alerts if a["status"]["inhibitedBy"]]

    assert active == {_key({**page, **case}) for page in outage.pages}
    assert len(inhibited) == len(posted) - len(outage.pages)
    assert all(a["status"]["state"] == "suppressed" and not a["status"]["silencedBy"] for a in inhibited)
