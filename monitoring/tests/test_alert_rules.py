"""The alert rules: generated from monitoring/alerting.py, complete, documented, and proven by
promtool's unit tests (deploy/prometheus/tests/). promtool comes from Debian's `prometheus`
package, which CI installs (.ci/run); without it these tests fail, they never skip."""

import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from assistant.core import thresholds as t
from assistant.core.thresholds import Threshold
from monitoring import alerting

DEPLOY = Path(settings.BASE_DIR) / "deploy"
RULES_DIR = DEPLOY / "prometheus" / "rules"
TESTS_DIR = DEPLOY / "prometheus" / "tests"
RUNBOOKS = Path(settings.BASE_DIR) / "docs" / "runbooks.md"


def promtool() -> str:
    path = shutil.which("promtool")
    assert path, "promtool is not installed: apt-get install prometheus (CI does, in .ci/run)"
    return path


def shipped_rules() -> list[dict]:
    """Every rule of the committed files, with the severity its file is named after."""
    rules = []
    for severity in alerting.SEVERITIES:
        document = yaml.safe_load((RULES_DIR / f"{severity}.yml").read_text())
        for group in document["groups"]:
            for rule in group["rules"]:
                rules.append({**rule, "file_severity": severity})
    return rules


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings: lower case, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*$", markdown, flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def test_committed_rule_files_are_up_to_date():
    call_command("generate_rules", "--check")


def test_check_fails_when_a_rule_file_is_stale(tmp_path):
    call_command("generate_rules", "--output", str(tmp_path))
    warning = tmp_path / "warning.yml"
    warning.write_text(warning.read_text().replace("> 0.01", "> 0.02"))

    with pytest.raises(CommandError, match=r"warning\.yml"):
        call_command("generate_rules", "--output", str(tmp_path), "--check")


def test_check_fails_when_a_rule_file_is_missing(tmp_path):
    call_command("generate_rules", "--output", str(tmp_path))
    (tmp_path / "info.yml").unlink()

    with pytest.raises(CommandError, match=r"info\.yml"):
        call_command("generate_rules", "--output", str(tmp_path), "--check")


def test_generated_output_is_deterministic(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    call_command("generate_rules", "--output", str(first))
    call_command("generate_rules", "--output", str(second))

    for name in ("critical.yml", "warning.yml", "info.yml"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_runbook_base_url_can_be_made_absolute(tmp_path):
    base = "https://git.example.com/org/tdah-assistant/blob/main/docs/runbooks.md"
    call_command("generate_rules", "--output", str(tmp_path), "--runbook-base-url", base)

    document = yaml.safe_load((tmp_path / "critical.yml").read_text())
    urls = [rule["annotations"]["runbook_url"] for group in document["groups"] for rule in group["rules"]]
    assert urls
    assert all(url.startswith(f"{base}#") for url in urls)


def test_each_file_holds_only_its_severity():
    for rule in shipped_rules():
        assert rule["labels"]["severity"] == rule["file_severity"], rule["alert"]


def test_every_alert_has_summary_description_severity_and_runbook_url():
    for rule in shipped_rules():
        assert rule["labels"]["severity"] in ("critical", "warning", "info"), rule["alert"]
        annotations = rule["annotations"]
        assert annotations["summary"].strip(), rule["alert"]
        assert annotations["description"].strip(), rule["alert"]
        assert annotations["runbook_url"].startswith(f"{alerting.RUNBOOK_BASE_URL}#"), rule["alert"]


def test_descriptions_show_the_humanised_value_and_the_threshold_crossed():
    for rule in alerting.all_rules():
        assert "{value}" not in rule.description, rule.alert
        assert "{limit}" not in rule.description, rule.alert
        if "threshold" in rule.description:
            assert "{{ $value | " in rule.description, rule.alert
            assert re.search(r"threshold [\d.]+(%|s|m|/s)?[;,).]", rule.description), rule.alert


def test_every_runbook_url_points_at_a_section_of_the_runbooks():
    anchors = github_anchors(RUNBOOKS.read_text())

    for rule in shipped_rules():
        anchor = rule["annotations"]["runbook_url"].split("#", 1)[1]
        assert anchor in anchors, f"{rule['alert']}: docs/runbooks.md has no section #{anchor}"


def test_every_runbook_section_belongs_to_an_alert():
    alert_sections = re.findall(r"^## (\S+)\s*$", RUNBOOKS.read_text(), flags=re.MULTILINE)

    assert sorted(alert_sections) == sorted({rule["alert"] for rule in shipped_rules()})


def test_the_product_and_guide_alerts_are_all_there():
    names = {rule["alert"] for rule in shipped_rules()}

    assert {
        # the guide's, on metrics that exist
        "HighErrorRate",
        "ServiceDown",
        "HighCPUUsage",
        "HighMemoryUsage",
        "DatabaseDown",
        "HighResponseTime",
        "LowCacheHitRate",
        # the product's
        "SmsFailureRate",
        "SmsOutboxBacklog",
        "TwilioApiErrors",
        "OAuthRefreshFailures",
        "CeleryQueueBacklog",
        "NoCeleryWorkers",
        "CeleryBeatStale",
        "ReminderDeliveryLag",
        "FailedLoginSpike",
        "ForgedRequestSpike",
        "HealthCheckUnhealthy",
    } <= names


def test_thresholds_come_from_the_thresholds_module(monkeypatch):
    monkeypatch.setattr(t, "HTTP_ERROR_RATIO", Threshold(0.02, 0.25, "percentunit", "test"))
    monkeypatch.setattr(t, "CACHE_HIT_RATIO", Threshold(0.7, 0.4, "percentunit", "test", lower_is_worse=True))

    rules = {(rule.alert, rule.severity): rule for rule in alerting.all_rules()}

    assert ") > 0.02\n" in rules[("HighErrorRate", "warning")].expr
    assert ") > 0.25\n" in rules[("HighErrorRate", "critical")].expr
    assert "threshold 25%" in rules[("HighErrorRate", "critical")].description
    assert ") < 0.4\n" in rules[("LowCacheHitRate", "critical")].expr


def test_a_threshold_without_a_warning_level_gives_only_a_critical_rule(monkeypatch):
    monkeypatch.setattr(t, "SMS_OUTBOX_BACKLOG", Threshold(None, 200, "short", "test"))

    severities = [rule.severity for rule in alerting.all_rules() if rule.alert == "SmsOutboxBacklog"]

    assert severities == ["critical"]


def test_alertmanager_inhibition_compares_every_label_that_tells_alerts_apart():
    """A critical alert silences the warning of the same name only when both are about the same
    thing, so `equal` must hold every label the alert's query keeps."""
    config = yaml.safe_load((DEPLOY / "alertmanager" / "alertmanager.yml").read_text())
    inhibit = config["inhibit_rules"][0]  # critical over warning; then the outages'
    severities = defaultdict(set)
    labels = defaultdict(set)
    for rule in alerting.all_rules():
        severities[rule.alert].add(rule.severity)
        labels[rule.alert].update(rule.by)

    paired = [name for name, found in severities.items() if {"critical", "warning"} <= found]
    assert paired
    for name in paired:
        assert labels[name] <= set(inhibit["equal"]), f"{name}: {labels[name] - set(inhibit['equal'])}"
    assert "alertname" in inhibit["equal"]


@pytest.mark.processes
def test_promtool_accepts_the_rule_files():
    result = subprocess.run(
        [promtool(), "check", "rules", *sorted(str(path) for path in RULES_DIR.glob("*.yml"))],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.processes
def test_promtool_unit_tests_pass():
    result = subprocess.run(
        [promtool(), "test", "rules", *sorted(str(path) for path in TESTS_DIR.glob("*.yml"))],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAILED" not in result.stdout + result.stderr


def test_every_alert_has_a_promtool_case_that_fires_and_one_that_does_not():
    """For each (alert, severity): a case expecting it, and a case of that alert without it."""
    fired, quiet = set(), set()
    for path in TESTS_DIR.glob("*.yml"):
        document = yaml.safe_load(path.read_text())
        for test in document["tests"]:
            for case in test.get("alert_rule_test", []):
                expected = {alert["exp_labels"]["severity"] for alert in case.get("exp_alerts") or []}
                for severity in alerting.SEVERITIES:
                    (fired if severity in expected else quiet).add((case["alertname"], severity))

    rules = {(rule.alert, rule.severity) for rule in alerting.all_rules()}
    assert rules - fired == set(), "no promtool case where these fire"
    assert rules - quiet == set(), "no promtool case where these stay quiet"


def test_alertmanager_inhibits_each_outages_symptoms_as_the_code_declares():
    """alertmanager.yml is written by hand; its outage rules must be alerting.inhibit_rules(),
    which follow the health checks' depends_on and alerting.OUTAGES."""
    config = yaml.safe_load((DEPLOY / "alertmanager" / "alertmanager.yml").read_text())

    assert config["inhibit_rules"][1:] == alerting.inhibit_rules()


def test_every_alert_an_outage_names_exists():
    names = {rule.alert for rule in alerting.all_rules()}

    for outage in alerting.OUTAGES:
        assert outage.alert in names
        assert set(outage.symptoms) <= names, outage.alert


def test_promtool_series_start_as_a_fresh_process_does():
    """No test seeds a run of 0s before its event: with every combination created at process
    start (docs/metrics.md), a series begins with one 0 and moves at the next scrape; a
    series django-prometheus creates at its first count begins at that count."""
    seeded, zero_start = [], []
    for path in sorted(TESTS_DIR.glob("*.yml")):
        for test in yaml.safe_load(path.read_text())["tests"]:
            for series in test["input_series"]:
                values = str(series["values"])
                where = f"{path.name}: {series['series']}"
                if re.match(r"0x\d+\s", values):
                    seeded.append(where)
                if series["series"].startswith("django_") and not values.startswith("_"):
                    zero_start.append(where)

    assert seeded == []
    assert zero_start == []
