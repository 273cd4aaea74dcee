"""deploy/: Prometheus, Alertmanager, Loki and Alloy configurations.

Prometheus and Alertmanager are checked by their own tools (`promtool check config`,
`amtool check-config`, `amtool config routes test`), from Debian's `prometheus` and
`prometheus-alertmanager` packages, which CI installs (.ci/run): without them these tests fail,
they never skip. Loki and Alloy binaries are not packaged for Debian; their files are checked
for structure and for the choices the docs rely on.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
PROMETHEUS_DIR = DEPLOY / "prometheus"
ALERTMANAGER_DIR = DEPLOY / "alertmanager"
METRICS_TOKEN_FILE = "/run/secrets/metrics_token"

# The monitoring contract: job name -> the compose service and port it scrapes.
CONTRACT_TARGETS = {
    "assistant-api": "api:8000",
    "celery-worker": "worker:9808",
    "celery-beat": "beat:9809",
    "postgres": "postgres-exporter:9187",
    "redis": "redis-exporter:9121",
    "node": "node-exporter:9100",
    "alertmanager": "alertmanager:9093",
    "prometheus": "localhost:9090",
}


def tool(name: str) -> str:
    path = shutil.which(name)
    package = {"promtool": "prometheus", "amtool": "prometheus-alertmanager"}[name]
    assert path, f"{name} is not installed: apt-get install {package} (CI does, in .ci/run)"
    return path


def run(*command: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


@pytest.fixture
def prometheus_copy(tmp_path: Path) -> Path:
    """deploy/prometheus/ copied (rules included), with the token file pointing at a real file:
    `promtool check config` checks that credentials files exist."""
    target = tmp_path / "prometheus"
    shutil.copytree(PROMETHEUS_DIR, target)
    token = tmp_path / "metrics_token"
    token.write_text("a-metrics-token\n")
    config = target / "prometheus.yml"
    config.write_text(config.read_text().replace(METRICS_TOKEN_FILE, str(token)))
    return config


# --- Prometheus ---------------------------------------------------------------------------------


@pytest.mark.processes
def test_prometheus_config_passes_promtool_check_config(prometheus_copy):
    result = run(tool("promtool"), "check", "config", str(prometheus_copy))

    assert result.returncode == 0, result.stdout + result.stderr
    # The rule files it loads were found and checked too (critical, warning, info).
    assert result.stdout.count("SUCCESS") >= 4, result.stdout


@pytest.mark.processes
def test_shipped_prometheus_config_syntax_is_valid_as_is():
    result = run(tool("promtool"), "check", "config", "--syntax-only", str(PROMETHEUS_DIR / "prometheus.yml"))

    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_scrapes_every_service_of_the_contract_one_job_each():
    config = load(PROMETHEUS_DIR / "prometheus.yml")

    targets = {
        job["job_name"]: [target for group in job["static_configs"] for target in group["targets"]]
        for job in config["scrape_configs"]
    }

    assert targets == {job: [target] for job, target in CONTRACT_TARGETS.items()}
    assert config["global"]["scrape_interval"] == "15s"
    assert config["global"]["evaluation_interval"] == "15s"
    assert config["rule_files"] == ["rules/*.yml"]
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["alertmanager:9093"]


def test_prometheus_sends_the_metrics_token_from_a_file():
    config = load(PROMETHEUS_DIR / "prometheus.yml")
    (api,) = [job for job in config["scrape_configs"] if job["job_name"] == "assistant-api"]

    assert api["metrics_path"] == "/metrics"
    assert api["authorization"] == {"type": "Bearer", "credentials_file": METRICS_TOKEN_FILE}
    assert "credentials:" not in (PROMETHEUS_DIR / "prometheus.yml").read_text()


@pytest.mark.processes
def test_prometheus_config_retargets_to_loopback_by_substituting_addresses(tmp_path, prometheus_copy):
    """What the native stack does: each "host:port" target becomes 127.0.0.1:<port>."""
    text = prometheus_copy.read_text()
    for port, target in enumerate(sorted(CONTRACT_TARGETS.values()), start=19000):
        text = text.replace(f'"{target}"', f'"127.0.0.1:{port}"')
    prometheus_copy.write_text(text)

    result = run(tool("promtool"), "check", "config", str(prometheus_copy))

    assert result.returncode == 0, result.stdout + result.stderr
    targets = [
        target
        for job in load(prometheus_copy)["scrape_configs"]
        for group in job["static_configs"]
        for target in group["targets"]
    ]
    assert all(target.startswith("127.0.0.1:") for target in targets)


# --- Alertmanager -------------------------------------------------------------------------------


@pytest.mark.processes
def test_alertmanager_config_passes_amtool_check_config():
    result = run(tool("amtool"), "check-config", str(ALERTMANAGER_DIR / "alertmanager.yml"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 templates" in result.stdout  # the template file was found and parsed


@pytest.mark.processes
@pytest.mark.parametrize(
    ("severity", "receivers"),
    [
        ("critical", "assistant-app,oncall-critical"),
        ("warning", "assistant-app,team-slack"),
        ("info", "assistant-app,info-webhook"),
        ("", "assistant-app"),  # no severity: still recorded by the app
    ],
)
def test_every_alert_reaches_the_app_and_each_severity_its_channel(severity, receivers):
    labels = ["alertname=HighErrorRate", *([f"severity={severity}"] if severity else [])]
    result = run(
        tool("amtool"),
        "config",
        "routes",
        "test",
        f"--config.file={ALERTMANAGER_DIR / 'alertmanager.yml'}",
        *labels,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == receivers


def test_critical_alerts_go_to_email_and_pagerduty_warnings_to_slack_info_to_a_webhook():
    receivers = {
        receiver["name"]: receiver for receiver in load(ALERTMANAGER_DIR / "alertmanager.yml")["receivers"]
    }

    assert set(receivers["oncall-critical"]) == {"name", "email_configs", "pagerduty_configs"}
    assert set(receivers["team-slack"]) == {"name", "slack_configs"}
    assert set(receivers["info-webhook"]) == {"name", "webhook_configs"}
    (app,) = receivers["assistant-app"]["webhook_configs"]
    assert app["url"] == "http://api:8000/monitoring/alerts/webhook"
    assert app["send_resolved"] is True
    assert app["http_config"]["authorization"] == {
        "type": "Bearer",
        "credentials_file": "/run/secrets/alertmanager_webhook_token",
    }


def test_alertmanager_reads_every_secret_from_a_file():
    config = load(ALERTMANAGER_DIR / "alertmanager.yml")
    text = (ALERTMANAGER_DIR / "alertmanager.yml").read_text()

    assert config["global"]["smtp_auth_password_file"].startswith("/run/secrets/")
    receivers = {receiver["name"]: receiver for receiver in config["receivers"]}
    assert receivers["oncall-critical"]["pagerduty_configs"][0]["routing_key_file"].startswith(
        "/run/secrets/"
    )
    assert receivers["team-slack"]["slack_configs"][0]["api_url_file"].startswith("/run/secrets/")
    for inline in ("smtp_auth_password:", "routing_key:", "service_key:", "api_url:", "credentials:"):
        assert inline not in text, inline
    for receiver in config["receivers"]:
        for webhook in receiver.get("webhook_configs", []):
            assert "credentials_file" in webhook["http_config"]["authorization"], receiver["name"]


def test_critical_inhibits_the_warning_about_the_same_alert():
    inhibit = load(ALERTMANAGER_DIR / "alertmanager.yml")["inhibit_rules"][0]

    assert inhibit["source_matchers"] == ['severity="critical"']
    assert inhibit["target_matchers"] == ['severity="warning"']
    assert {"alertname", "instance"} <= set(inhibit["equal"])


@pytest.mark.processes
def test_notification_templates_render_summary_description_and_runbook():
    result = run(
        tool("amtool"),
        "template",
        "render",
        f"--template.glob={ALERTMANAGER_DIR / 'templates' / '*.tmpl'}",
        '--template.text={{ template "assistant.title" . }}\n{{ template "assistant.text" . }}',
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Runbook:" in result.stdout


# --- Loki and Alloy -----------------------------------------------------------------------------


def test_loki_uses_the_current_tsdb_schema_with_retention():
    config = load(DEPLOY / "loki" / "loki.yml")

    (schema,) = config["schema_config"]["configs"]
    assert (schema["store"], schema["schema"], schema["object_store"]) == ("tsdb", "v13", "filesystem")
    assert schema["index"]["period"] == "24h"
    assert config["server"]["http_listen_port"] == 3100
    assert config["compactor"]["retention_enabled"] is True
    assert config["compactor"]["delete_request_store"] == "filesystem"
    assert config["limits_config"]["retention_period"] == "744h"


def alloy_blocks(text: str) -> list[str]:
    """Top-level component names ("loki.write.loki"), after checking braces balance."""
    code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', re.sub(r"//[^\n]*", "", text))
    depth = 0
    for char in code:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, "unbalanced braces"
    assert depth == 0, "unbalanced braces"
    labelled = re.findall(r'^([a-z_]+(?:\.[a-z_]+)+)\s+"([^"]+)"\s*\{', text, flags=re.MULTILINE)
    return [f"{component}.{label}" for component, label in labelled]


def test_alloy_reads_the_containers_and_writes_to_loki():
    text = (DEPLOY / "alloy" / "config.alloy").read_text()
    blocks = alloy_blocks(text)

    assert blocks == [
        "discovery.docker.containers",
        "discovery.relabel.containers",
        "loki.source.docker.containers",
        "loki.process.json_logs",
        "loki.write.loki",
    ]
    # Each component feeds the next.
    assert "targets       = discovery.docker.containers.targets" in text
    assert "relabel_rules = discovery.relabel.containers.rules" in text
    assert "forward_to    = [loki.process.json_logs.receiver]" in text
    assert "forward_to = [loki.write.loki.receiver]" in text
    assert 'url = "http://loki:3100/loki/api/v1/push"' in text


def test_alloy_labels_service_and_level_only_never_request_ids():
    text = (DEPLOY / "alloy" / "config.alloy").read_text()
    code = re.sub(r"//[^\n]*", "", text)

    relabelled = set(re.findall(r'target_label\s*=\s*"([^"]+)"', code))
    stage_labels = re.search(r"stage\.labels\s*\{\s*values\s*=\s*\{([^}]*)\}", code)
    assert stage_labels is not None
    from_json = set(re.findall(r"(\w+)\s*=", stage_labels.group(1)))
    assert relabelled == {"service", "container"}
    assert from_json == {"level"}
    for unbounded in ("request_id", "event", "user_id"):
        assert unbounded not in relabelled | from_json
    # The contract's service names for the app's three processes.
    for compose, service in (("api", "assistant-api"), ("worker", "celery-worker"), ("beat", "celery-beat")):
        assert re.search(
            rf'regex\s*=\s*"{compose}"\s*\n\s*target_label\s*=\s*"service"\s*\n\s*replacement\s*=\s*"{service}"',
            code,
        )
