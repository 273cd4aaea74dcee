"""The proof's own machinery, checked without starting anything: how deploy/local rewrites the
shipped Prometheus and Alertmanager configurations (and that promtool and amtool accept the
result), the notification sink, and how the proof splits alert conditions and fills in
Grafana's variables."""

import json
import shutil
import smtplib
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from deploy.local.render import (
    APP_WEBHOOK_PATH,
    JOB_SERVICES,
    PLACEHOLDER_SECRET,
    RenderError,
    RouteTiming,
    SecretFiles,
    Sink,
    alertmanager_config,
    prometheus_config,
)
from deploy.local.sink import NotificationSink
from monitoring.tests.first_event import Exposition, PanelCheck
from monitoring.tests.promql_proof import (
    Query,
    Result,
    all_panels,
    datasource_type,
    interpolate,
    selectors,
    shortest_range,
    signals,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_PROMETHEUS = ROOT / "deploy" / "prometheus"
SHIPPED_ALERTMANAGER = ROOT / "deploy" / "alertmanager"
LOCAL_WEB = "http://127.0.0.1:18000"


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return [node] if isinstance(node, str) else []


def _check(tool: str, package: str, *args: str) -> None:
    binary = shutil.which(tool)
    assert binary, f"{tool} is missing: apt-get install {package}"
    result = subprocess.run([binary, *args], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# --- Prometheus -------------------------------------------------------------------------------


def _render_prometheus(tmp_path: Path, **overrides: Any):
    addresses = {service: f"127.0.0.1:{19000 + i}" for i, service in enumerate(JOB_SERVICES.values())}
    addresses.pop("redis-exporter")
    rules = tmp_path / "rules"
    shutil.copytree(SHIPPED_PROMETHEUS / "rules", rules)
    token = SecretFiles(tmp_path / "secrets").write("metrics_token", "a-token")
    arguments = {
        "addresses": addresses,
        "metrics_token_file": token,
        "rule_files": [str(rules / "*.yml")],
        "scrape_interval": "1s",
        "evaluation_interval": "1s",
        "missing": {"redis-exporter": "no Redis here"},
        **overrides,
    }
    shipped = yaml.safe_load((SHIPPED_PROMETHEUS / "prometheus.yml").read_text())
    return prometheus_config(shipped, **arguments), addresses, token


def test_every_scraped_job_points_at_its_local_service_with_the_local_token(tmp_path: Path) -> None:
    render, addresses, token = _render_prometheus(tmp_path)

    jobs = {job["job_name"]: job for job in render.config["scrape_configs"]}
    assert set(jobs) == set(render.jobs) == set(JOB_SERVICES) - {"redis"}
    for name, job in jobs.items():
        assert job["static_configs"][0]["targets"] == [addresses[JOB_SERVICES[name]]]
    assert jobs["assistant-api"]["authorization"]["credentials_file"] == token
    assert render.dropped == {"redis": "no Redis here"}
    targets = render.config["alerting"]["alertmanagers"][0]["static_configs"]
    assert targets == [{"targets": [addresses["alertmanager"]]}]


@pytest.mark.processes
def test_the_rendered_prometheus_config_passes_promtool(tmp_path: Path) -> None:
    render, _, _ = _render_prometheus(tmp_path)
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump(render.config))

    assert render.config["global"]["scrape_interval"] == "1s"
    assert render.config["global"]["scrape_timeout"] == "1s"  # never longer than the interval
    _check("promtool", "prometheus", "check", "config", str(config))


def test_a_job_outside_the_contract_is_refused(tmp_path: Path) -> None:
    shipped = {"scrape_configs": [{"job_name": "mystery", "static_configs": [{"targets": ["x:1"]}]}]}

    with pytest.raises(RenderError, match="mystery"):
        prometheus_config(shipped, addresses={}, metrics_token_file="t", rule_files=[])


# --- Alertmanager -----------------------------------------------------------------------------


def _render_alertmanager(tmp_path: Path):
    shipped = yaml.safe_load((SHIPPED_ALERTMANAGER / "alertmanager.yml").read_text())
    secrets = SecretFiles(tmp_path / "secrets")
    return alertmanager_config(
        shipped,
        app_webhook_url=LOCAL_WEB + APP_WEBHOOK_PATH,
        webhook_token_file=secrets.write("webhook_token", "the-webhook-token"),
        sink=Sink(http_url="http://127.0.0.1:18001", smtp_address="127.0.0.1:18002"),
        secrets=secrets,
        timing=RouteTiming("1s", "1s", "2s"),
        templates_dir=tmp_path / "templates",
        shipped_dir=SHIPPED_ALERTMANAGER,
    ), secrets


def test_no_notification_leaves_the_machine_and_the_app_gets_every_alert(tmp_path: Path) -> None:
    render, secrets = _render_alertmanager(tmp_path)
    config = render.config

    urls = [s for s in _strings(config) if s.startswith(("http://", "https://"))]
    assert urls
    assert all(url.startswith("http://127.0.0.1:") for url in urls), urls
    assert config["global"]["smtp_smarthost"] == "127.0.0.1:18002"
    assert render.app_webhook_receivers
    app_webhooks = [
        webhook
        for receiver in config["receivers"]
        if receiver["name"] in render.app_webhook_receivers
        for webhook in receiver["webhook_configs"]
    ]
    assert all(webhook["url"] == LOCAL_WEB + APP_WEBHOOK_PATH for webhook in app_webhooks)
    secret_files = [Path(s) for s in _strings(config) if s.startswith(str(tmp_path / "secrets"))]
    assert secret_files
    assert all(path.exists() for path in secret_files)
    assert {path.read_text() for path in secrets.written.values()} == {
        "the-webhook-token",
        PLACEHOLDER_SECRET,
    }


@pytest.mark.processes
def test_the_rendered_alertmanager_config_passes_amtool(tmp_path: Path) -> None:
    render, _ = _render_alertmanager(tmp_path)
    config = tmp_path / "alertmanager.yml"
    config.write_text(yaml.safe_dump(render.config))

    assert render.config["route"]["group_wait"] == "1s"
    _check("amtool", "prometheus-alertmanager", "check-config", str(config))


# --- the sink ---------------------------------------------------------------------------------


def test_the_sink_keeps_what_each_channel_delivered() -> None:
    sink = NotificationSink().start()
    try:
        reply = requests.post(f"{sink.http_url}/pagerduty/oncall", json={"event": "trigger"}, timeout=5)
        host, port = sink.smtp_address.split(":")
        with smtplib.SMTP(host, int(port), timeout=5) as smtp:
            smtp.sendmail(
                "alerts@example.com", ["oncall@example.com"], "Subject: Down\r\n\r\nServiceDown firing"
            )
    finally:
        sink.stop()

    assert reply.status_code == 202
    pagerduty, email = sink.deliveries
    assert (pagerduty.channel, pagerduty.receiver, pagerduty.json()) == (
        "pagerduty",
        "oncall",
        {"event": "trigger"},
    )
    assert email.channel == "email"
    assert "ServiceDown firing" in email.body


# --- PromQL and Grafana -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("up == 0", ["up"]),
        ("pg_up == 0 or database_health_status == 0", ["pg_up", "database_health_status"]),
        (
            '(sum(rate(a{s=~"5.."}[5m])) / sum(rate(a[5m]))) > 0.05\nand\nsum(increase(a[5m])) >= 30',
            ['sum(rate(a{s=~"5.."}[5m])) / sum(rate(a[5m]))', "sum(increase(a[5m]))"],
        ),
        ('absent(up{job="celery-beat"})', ['up{job="celery-beat"}']),
        ("time() - max(beat_seconds) > 300", ["time() - max(beat_seconds)"]),
        ("a > on(job) group_left b", ["a", "b"]),
        ("(x) < 0.5 unless y", ["x", "y"]),
        ('errors_total{reason="a>b or c"} > 1', ['errors_total{reason="a>b or c"}']),
        ("vector(1)", ["vector(1)"]),
    ],
)
def test_an_alert_condition_splits_into_the_signals_it_reads(expression: str, expected: list[str]) -> None:
    assert signals(expression) == expected


def test_grafana_variables_are_filled_in_every_form() -> None:
    variables = {"job": "assistant-api|celery-worker", "instance": ".*"}

    query = interpolate('rate(x{job=~"$job", instance=~"${instance}"}[$__rate_interval]) [[job]]', variables)

    assert (
        query == 'rate(x{job=~"assistant-api|celery-worker", instance=~".*"}[1m]) assistant-api|celery-worker'
    )
    with pytest.raises(KeyError, match="nope"):
        interpolate("x[$nope]", variables)


def test_every_generated_dashboard_names_its_datasources_by_type() -> None:
    """The proof picks PromQL targets by datasource type; a target without one would be missed."""
    untyped = [
        (path.name, panel.get("title"))
        for path in sorted((ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))
        for panel in all_panels(json.loads(path.read_text()).get("panels") or [])
        for target in panel.get("targets") or []
        if datasource_type(target, panel) not in {"prometheus", "loki"}
    ]
    assert not untyped


# --- the first-event judgement --------------------------------------------------------------


def test_a_query_reads_the_selectors_it_names_and_nothing_else() -> None:
    query = (
        '(sum by (provider) (rate(oauth_integration_total{job=~"assistant-api", result="connected"}[1h]))'
        " or sum by (provider) (rate(oauth_integration_total[1h])) * 0)"
        ' / on (provider) group_left topk(5, up{job="a\\"b"} == bool 0) + time() - vector(1)'
    )

    found = [(s.name, [(m.label, m.op, m.value) for m in s.matchers]) for s in selectors(query)]

    assert found == [
        ("oauth_integration_total", [("job", "=~", "assistant-api"), ("result", "=", "connected")]),
        ("oauth_integration_total", []),
        ("up", [("job", "=", 'a"b')]),
    ]
    assert shortest_range("rate(x[1h]) / rate(y[5m:1m])") == 300
    assert shortest_range("max(x)") is None


def test_a_selector_matches_as_prometheus_does() -> None:
    (selector,) = selectors('m{view!~"metrics|health.*", state="failed", absent=""}')

    assert selector.matches("m", {"view": "todos", "state": "failed"})
    assert not selector.matches("m", {"view": "health-live", "state": "failed"})
    assert selector.matches("m", {"view": "my-metrics", "state": "failed"})  # regexes are anchored
    assert not selector.matches("m", {"view": "todos", "state": "failed", "absent": "x"})
    assert not selector.matches("n", {"view": "todos", "state": "failed"})


def _exposition(values: dict[str, float], at: float) -> Exposition:
    types = {"c_total": "counter", "g": "gauge", "h_bucket": "histogram"}
    return Exposition(
        values={(name, frozenset({("job", "j")})): value for name, value in values.items()},
        types=types,
        taken_at=at,
    )


def test_what_moved_is_what_grew_or_changed_to_a_non_zero_value() -> None:
    before = _exposition({"c_total": 0.0, "g": 3.0}, at=0)

    def moved(after: dict[str, float]) -> dict[str, bool]:
        return {name: existed for (name, _), existed in _exposition(after, at=1).moved_since(before).items()}

    assert moved({"c_total": 1.0, "g": 3.0}) == {"c_total": True}
    assert moved({"c_total": 0.0, "g": 0.0}) == {}  # a gauge back to 0 moved nothing to show
    assert moved({"c_total": 0.0, "g": 4.0}) == {"g": True}
    assert moved({"c_total": 0.0, "g": 3.0, "h_bucket": 1.0}) == {"h_bucket": False}  # born by its event


@pytest.mark.parametrize(
    ("all_moved", "values", "ok"),
    [
        (True, (0.0, 2.5), True),
        (True, (0.0,), False),  # everything it reads moved, and it says nothing happened
        (False, (0.0,), True),  # a failure ratio with requests but no failure: 0 is the truth
        (False, (float("nan"),), False),
        (False, (), False),
    ],
)
def test_a_panel_with_traffic_must_show_a_number_and_not_zero_when_all_it_reads_moved(
    all_moved: bool, values: tuple[float, ...], ok: bool
) -> None:
    check = PanelCheck(
        query=Query("d / p [A]", "x", "x"),
        moved=frozenset(),
        all_moved=all_moved,
        born=(),
        result=Result(error=None, series=len(values), values=values),
    )

    assert check.ok is ok
