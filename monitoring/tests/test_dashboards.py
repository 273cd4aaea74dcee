"""The six generated Grafana dashboards and `manage.py generate_dashboards`.

Schemas come from the shared reference folder (tests/shared.py) and the "Key Metrics"
lists from its spec/monitoring-guide.md; PromQL is parsed by promtool (Debian package
`prometheus`), which CI installs: without it these tests fail, they never skip.
"""

import json
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from assistant.core import thresholds
from monitoring.dashboards import DASHBOARDS
from monitoring.dashboards.base import DashboardSpec
from monitoring.dashboards.logql import LOG_QUERIES
from monitoring.dashboards.output import (
    DASHBOARD_PROVIDERS_FILE,
    DATASOURCES_FILE,
    PanelQuery,
    generated_files,
    panel_queries,
)
from tests.shared import SCHEMAS, SHARED

GRAFANA_SCHEMAS = SCHEMAS / "grafana"
GUIDE = SHARED / "spec" / "monitoring-guide.md"
COMMITTED = Path(settings.BASE_DIR) / "deploy" / "grafana"
THRESHOLD_REFERENCE = re.compile(r"\((\w+) in assistant/core/thresholds\.py\)")
BY_SLUG = {spec.slug: spec for spec in DASHBOARDS}


def _shared_file(path: Path) -> Path:
    if not path.exists():
        pytest.fail(
            f"{path} is missing: these tests read shared/ beside the repository "
            f"({SHARED}), as laid out for every session and for CI."
        )
    return path


@pytest.fixture(scope="module")
def schema_registry() -> Registry:
    directory = _shared_file(GRAFANA_SCHEMAS)
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT7))
        for path in sorted(directory.glob("*.jsonschema.json"))
    ]
    return Registry().with_resources(resources)


def _errors(registry: Registry, ref: str, instance: Any) -> list[str]:
    validator = Draft7Validator({"$ref": ref}, registry=registry)
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(instance)]


@pytest.fixture(scope="module")
def built() -> dict[str, dict[str, Any]]:
    return {spec.slug: json.loads(spec.to_json()) for spec in DASHBOARDS}


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [panel for panel in dashboard["panels"] if panel["type"] != "row"]


def _all_panels(built: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(slug, panel) for slug, dashboard in built.items() for panel in _panels(dashboard)]


def _guide_key_metrics(spec: DashboardSpec) -> list[str]:
    text = _shared_file(GUIDE).read_text()
    section = text.split(f"### {spec.guide_section}\n", 1)[1]
    block = section.split("**Key Metrics**:", 1)[1].split("**Visualizations**", 1)[0]
    return [line.removeprefix("- ").strip() for line in block.splitlines() if line.startswith("- ")]


# --- Schemas -----------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", BY_SLUG)
def test_dashboard_validates_against_grafanas_dashboard_schema(schema_registry, built, slug):
    assert _errors(schema_registry, "dashboard.jsonschema.json", built[slug]) == []


@pytest.mark.parametrize("slug", BY_SLUG)
def test_each_panels_options_and_field_config_validate_against_its_panel_schema(schema_registry, built, slug):
    problems = []
    for panel in _panels(built[slug]):
        schema_file = f"{panel['type']}.jsonschema.json"
        definitions = json.loads(_shared_file(GRAFANA_SCHEMAS / schema_file).read_text())["definitions"]
        problems += [
            f"{panel['title']} options {error}"
            for error in _errors(schema_registry, f"{schema_file}#/definitions/Options", panel["options"])
        ]
        if "FieldConfig" in definitions:
            custom = panel["fieldConfig"]["defaults"]["custom"]
            problems += [
                f"{panel['title']} fieldConfig.defaults.custom {error}"
                for error in _errors(schema_registry, f"{schema_file}#/definitions/FieldConfig", custom)
            ]
    assert problems == []


@pytest.mark.parametrize("slug", BY_SLUG)
def test_each_query_validates_against_its_datasource_schema(schema_registry, built, slug):
    problems = [
        f"{panel['title']} {target['refId']} {error}"
        for panel in _panels(built[slug])
        for target in panel["targets"]
        for error in _errors(schema_registry, f"{target['datasource']['type']}.jsonschema.json", target)
    ]
    assert problems == []


def test_the_schema_check_catches_a_wrong_option(schema_registry, built):
    panel = json.loads(json.dumps(_panels(built["application"])[0]))
    panel["options"]["colorMode"] = "rainbow"
    assert _errors(schema_registry, "stat.jsonschema.json#/definitions/Options", panel["options"]) != []


# --- What the dashboards show ------------------------------------------------------------------


def test_there_are_six_dashboards_with_stable_unique_uids():
    assert [spec.uid for spec in DASHBOARDS] == [
        "tdah-system",
        "tdah-application",
        "tdah-business",
        "tdah-sms",
        "tdah-oauth",
        "tdah-tasks",
    ]


@pytest.mark.parametrize("slug", BY_SLUG)
def test_panel_ids_count_from_one_and_titles_are_unique(built, slug):
    panels = built[slug]["panels"]
    assert [panel["id"] for panel in panels] == list(range(1, len(panels) + 1))
    titles = [panel["title"] for panel in _panels(built[slug])]
    assert len(titles) == len(set(titles))


@pytest.mark.parametrize("slug", BY_SLUG)
def test_panels_stay_inside_the_grid_without_overlapping(built, slug):
    boxes = [(panel["title"], panel["gridPos"]) for panel in built[slug]["panels"]]
    assert all(box["x"] + box["w"] <= 24 for _, box in boxes)
    overlapping = [
        (first, second)
        for index, (first, a) in enumerate(boxes)
        for second, b in boxes[index + 1 :]
        if a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    ]
    assert overlapping == []


@pytest.mark.parametrize("slug", BY_SLUG)
def test_every_key_metric_of_the_guide_has_panels(built, slug):
    spec = BY_SLUG[slug]
    assert list(spec.key_metrics) == _guide_key_metrics(spec)
    titles = {panel["title"] for panel in _panels(built[slug])}
    missing = {bullet: sorted(set(panels) - titles) for bullet, panels in spec.key_metrics.items()}
    assert {bullet: panels for bullet, panels in missing.items() if panels} == {}
    assert all(spec.key_metrics.values())


def test_every_metric_panel_has_a_unit_and_every_panel_a_description(built):
    for slug, panel in _all_panels(built):
        assert panel.get("description"), f"{slug}: {panel['title']} has no description"
        if panel["type"] != "logs":  # log lines have no unit
            assert panel["fieldConfig"]["defaults"].get("unit"), f"{slug}: {panel['title']} has no unit"


def test_panel_thresholds_are_those_of_thresholds_py(built):
    coloured = 0
    for slug, panel in _all_panels(built):
        if panel["type"] == "logs":
            continue
        defaults = panel["fieldConfig"]["defaults"]
        steps = defaults["thresholds"]["steps"]
        reference = THRESHOLD_REFERENCE.search(panel["description"])
        if reference is None:
            assert steps == [{"color": "blue", "value": None}], (
                f"{slug}: {panel['title']} has unnamed thresholds"
            )
            continue
        coloured += 1
        threshold = getattr(thresholds, reference.group(1))
        expected = sorted(value for value in (threshold.warning, threshold.critical) if value is not None)
        assert [step["value"] for step in steps] == [None, *expected], f"{slug}: {panel['title']}"
        assert defaults["unit"] == threshold.unit, f"{slug}: {panel['title']}"
        worst = steps[0]["color"] if threshold.lower_is_worse else steps[-1]["color"]
        best = steps[-1]["color"] if threshold.lower_is_worse else steps[0]["color"]
        assert (worst, best) == ("red" if threshold.critical is not None else "yellow", "green")
    assert coloured >= 20


def test_timeseries_draw_their_thresholds_only_when_they_have_some(built):
    for slug, panel in _all_panels(built):
        if panel["type"] == "timeseries":
            mode = panel["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"]
            has_threshold = THRESHOLD_REFERENCE.search(panel["description"]) is not None
            assert mode == ("dashed" if has_threshold else "off"), f"{slug}: {panel['title']}"


@pytest.mark.parametrize("slug", BY_SLUG)
def test_job_and_instance_variables_query_prometheus_and_scope_the_app_queries(built, slug):
    variables = {variable["name"]: variable for variable in built[slug]["templating"]["list"]}
    assert set(variables) == {"job", "instance"}
    for variable in variables.values():
        assert variable["type"] == "query"
        assert variable["datasource"] == {"type": "prometheus", "uid": "prometheus"}
        assert variable["query"].startswith("label_values(")
        assert variable["current"]["value"] == "$__all"
    assert variables["job"]["allValue"] == BY_SLUG[slug].jobs
    expressions = [target["expr"] for panel in _panels(built[slug]) for target in panel["targets"]]
    assert any('job=~"$job", instance=~"$instance"' in expr for expr in expressions)


def test_datasources_are_referenced_by_their_provisioned_uids(built):
    provisioned = yaml.safe_load(generated_files()[DATASOURCES_FILE])["datasources"]
    uids = {source["type"]: source["uid"] for source in provisioned}
    assert {source["url"] for source in provisioned} == {"http://prometheus:9090", "http://loki:3100"}
    for slug, panel in _all_panels(built):
        for target in panel["targets"]:
            source = target["datasource"]
            assert source == panel["datasource"], f"{slug}: {panel['title']}"
            assert source["uid"] == uids[source["type"]], f"{slug}: {panel['title']}"


def test_the_dashboard_provider_loads_the_generated_folder():
    (provider,) = yaml.safe_load(generated_files()[DASHBOARD_PROVIDERS_FILE])["providers"]
    assert provider["type"] == "file"
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"


def test_the_system_dashboard_has_the_guides_heatmap_of_request_latency(built):
    heatmaps = [panel for panel in _panels(built["system"]) if panel["type"] == "heatmap"]

    assert [panel["title"] for panel in heatmaps] == ["Request latency heatmap"]
    (target,) = heatmaps[0]["targets"]
    assert (target["format"], target["legendFormat"]) == ("heatmap", "{{le}}")
    assert target["expr"].startswith("sum by (le) (rate(http_request_duration_seconds_bucket{")
    assert 'job=~"assistant-api"' in target["expr"]
    # Prometheus' buckets, shown as they are (not re-bucketed by Grafana), upper bounds as rows.
    assert heatmaps[0]["options"]["calculate"] is False
    assert heatmaps[0]["options"]["rowsFrame"]["layout"] == "le"
    assert heatmaps[0]["options"]["yAxis"]["unit"] == "s"


def test_the_application_dashboard_shows_every_logql_query_from_loki(built):
    logs = [panel for panel in _panels(built["application"]) if panel["type"] == "logs"]
    assert [panel["targets"][0]["expr"] for panel in logs] == [query.expr for query in LOG_QUERIES]
    assert {panel["datasource"]["uid"] for panel in logs} == {"loki"}


def test_every_event_the_logql_queries_filter_on_is_logged_by_the_code():
    sources = "\n".join(
        path.read_text()
        for app in ("assistant", "sms", "integrations", "monitoring")
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py")
        if "tests" not in path.parts and "dashboards" not in path.parts
    )
    events = {event for query in LOG_QUERIES for event in re.findall(r'event="(\w+)"', query.expr)}
    assert events == {"slow_query", "sms_routing", "oauth", "audit", "security_event", "http_request"}
    assert {event for event in events if f'"event": "{event}"' not in sources} == set()


# --- PromQL -----------------------------------------------------------------------------------

PROMETHEUS_QUERIES = [query for query in panel_queries() if query.datasource == "prometheus"]
COUNTER_OR_BUCKET = re.compile(r"\b(\w+_(?:total|bucket|count))\{")
QUANTILE_OF_SUMMED_RATES = re.compile(
    r"histogram_quantile\(0\.\d+, sum by \(le\b[^)]*\) \(rate\(\w+_bucket\{"
)


def _promtool_check_rules(path: Path, expressions: list[str]) -> subprocess.CompletedProcess[str]:
    """`promtool check rules` on a rules file holding one recording rule per expression."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is not installed (Debian package `prometheus`); CI installs it")
    rules = [
        {"record": f"dashboard:query_{index}:check", "expr": expr} for index, expr in enumerate(expressions)
    ]
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard-queries", "rules": rules}]}))
    return subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )


@pytest.mark.processes
def test_every_prometheus_expression_parses_with_promtool(tmp_path):
    expressions = [query.evaluable for query in PROMETHEUS_QUERIES]
    result = _promtool_check_rules(tmp_path / "dashboard-queries.yml", expressions)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(expressions)} rules found" in result.stdout


@pytest.mark.processes
def test_promtool_check_catches_a_broken_expression(tmp_path):
    result = _promtool_check_rules(tmp_path / "broken.yml", ["sum(rate(x_total[5m])"])
    assert result.returncode != 0


def test_expressions_use_no_variable_but_job_and_instance():
    used = {name for query in PROMETHEUS_QUERIES for name in re.findall(r"\$\w+", query.expr)}
    assert used == {"$job", "$instance"}
    assert all("$" not in query.evaluable for query in PROMETHEUS_QUERIES)


def test_counters_and_buckets_are_only_read_through_rate_or_increase():
    for query in PROMETHEUS_QUERIES:
        for match in COUNTER_OR_BUCKET.finditer(query.expr):
            before = query.expr[: match.start()]
            assert before.endswith(("rate(", "increase(")), f"{query.panel}: {match.group(1)} read raw"


def test_quantiles_are_taken_over_summed_bucket_rates_keeping_le():
    quantiles = [query for query in PROMETHEUS_QUERIES if "histogram_quantile" in query.expr]
    assert len(quantiles) >= 15
    for query in quantiles:
        assert QUANTILE_OF_SUMMED_RATES.search(query.expr), query.expr


# --- Ratios on a healthy system -------------------------------------------------------------

# The ratio panels, each with the traffic of a healthy system (counters without the job and
# instance labels the dashboard scopes by) and what the panel must read from it: 0, not "No data",
# when the failures it counts never happened. Grouped ratios keep their groups (a provider that
# was only refused reads 0 beside one that connected).
HEALTHY_RATIOS: dict[str, tuple[list[str], dict[str, float]]] = {
    "5xx error ratio": (
        ['http_responses_total{scope="api", status_class="2xx"}'],
        {"{}": 0},
    ),
    "Task failure ratio": (
        ['celery_tasks_total{task="sms.send", state="succeeded"}'],
        {'{task="sms.send"}': 0},
    ),
    "Connect flow success ratio": (
        [
            'oauth_integration_total{provider="google", result="denied"}',
            'oauth_integration_total{provider="notion", result="connected"}',
        ],
        {'{provider="google"}': 0, '{provider="notion"}': 1},
    ),
    "Token refresh failure ratio": (
        ['oauth_token_refresh_total{provider="google"}'],
        {'{provider="google"}': 0},
    ),
    "Outbound failure ratio": (['sms_sent_total{status="sent"}'], {"{}": 0}),
    "Sign-in success ratio": (["user_login_total"], {"{}": 1}),
}
# `(numerator or denominator * 0) / denominator`, the same denominator both times.
GUARDED_RATIO = re.compile(r"\((?P<numerator>.+?) or (?P<denominator>.+) \* 0\) / (?P=denominator)")


def _ratio_query(title: str) -> PanelQuery:
    (query,) = [query for query in PROMETHEUS_QUERIES if query.panel == title]
    return query


def _scoped(series: str, query: PanelQuery) -> str:
    """The series as the first job of the dashboard's scope exports it."""
    metric, _, labels = series.partition("{")
    job = f'job="{query.jobs.split("|")[0]}", instance="app:8000"'
    return f"{metric}{{{job}, {labels}" if labels else f"{metric}{{{job}}}"


@pytest.mark.parametrize("title", HEALTHY_RATIOS)
def test_ratio_numerators_fall_back_to_the_denominator_times_zero(title):
    assert GUARDED_RATIO.fullmatch(_ratio_query(title).expr), _ratio_query(title).expr


@pytest.mark.processes
def test_ratio_panels_read_zero_on_a_healthy_system_and_nothing_without_traffic(tmp_path):
    """promtool evaluates each panel's expression, as Grafana sends it, over a healthy hour: the
    failures it counts never happened, so it reads its expected value; with no traffic at all
    there is no ratio to show (Grafana's "No data" is then the honest answer)."""
    healthy = {
        "interval": "1m",
        "input_series": [
            {"series": _scoped(series, _ratio_query(title)), "values": "0+60x60"}
            for title, (traffic, _) in HEALTHY_RATIOS.items()
            for series in traffic
        ],
        "promql_expr_test": [
            {
                "expr": _ratio_query(title).evaluable,
                "eval_time": "30m",
                "exp_samples": [{"labels": labels, "value": value} for labels, value in expected.items()],
            }
            for title, (_, expected) in HEALTHY_RATIOS.items()
        ],
    }
    idle = {
        "interval": "1m",
        "input_series": [{"series": 'up{job="assistant-api", instance="app:8000"}', "values": "1x60"}],
        "promql_expr_test": [
            {"expr": _ratio_query(title).evaluable, "eval_time": "30m", "exp_samples": []}
            for title in HEALTHY_RATIOS
        ],
    }
    tests = tmp_path / "ratios.yml"
    tests.write_text(
        yaml.safe_dump({"rule_files": [], "evaluation_interval": "1m", "tests": [healthy, idle]})
    )
    promtool = shutil.which("promtool")
    assert promtool, "promtool is not installed (Debian package `prometheus`); CI installs it"
    result = subprocess.run(
        [promtool, "test", "rules", str(tests)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- generate_dashboards ----------------------------------------------------------------------


def _contents(directory: Path) -> dict[str, bytes]:
    return {path.relative_to(directory).as_posix(): path.read_bytes() for path in directory.rglob("*.*")}


def test_generate_writes_dashboards_and_provisioning_files_deterministically(tmp_path):
    call_command("generate_dashboards", output=tmp_path, stdout=StringIO())
    first = _contents(tmp_path)
    assert sorted(first) == [
        "dashboards/application.json",
        "dashboards/business.json",
        "dashboards/oauth.json",
        "dashboards/sms.json",
        "dashboards/system.json",
        "dashboards/tasks.json",
        "provisioning/dashboards/dashboards.yml",
        "provisioning/datasources/datasources.yml",
    ]
    call_command("generate_dashboards", output=tmp_path, stdout=StringIO())
    assert _contents(tmp_path) == first


def test_generated_json_has_sorted_keys_and_no_timestamps_or_versions():
    for name, content in generated_files().items():
        if name.endswith(".json"):
            document = json.loads(content)
            assert content == json.dumps(document, sort_keys=True, indent=2) + "\n", name
            assert not {"id", "version", "created", "updated", "iteration"} & set(document), name


def test_check_passes_on_the_committed_files(capsys):
    call_command("generate_dashboards", "--check", output=COMMITTED)
    assert "up to date" in capsys.readouterr().out


def test_check_fails_naming_each_stale_file(tmp_path):
    call_command("generate_dashboards", output=tmp_path, stdout=StringIO())
    call_command("generate_dashboards", "--check", output=tmp_path, stdout=StringIO())
    sms = tmp_path / "dashboards" / "sms.json"
    sms.write_text(sms.read_text().replace("Outbox backlog", "Outbox backlog (edited by hand)", 1))
    (tmp_path / DATASOURCES_FILE).unlink()
    (tmp_path / "dashboards" / "retired.json").write_text("{}")

    with pytest.raises(CommandError) as raised:
        call_command("generate_dashboards", "--check", output=tmp_path)

    message = str(raised.value)
    assert "3 generated Grafana file(s) are stale" in message
    for name in ("dashboards/sms.json", DATASOURCES_FILE, "dashboards/retired.json"):
        assert str(tmp_path / name) in message
    assert "dashboards/business.json" not in message


def test_generate_repairs_stale_files_and_removes_retired_dashboards(tmp_path):
    call_command("generate_dashboards", output=tmp_path, stdout=StringIO())
    (tmp_path / "dashboards" / "retired.json").write_text("{}")
    (tmp_path / "dashboards" / "tasks.json").write_text("{}")

    call_command("generate_dashboards", output=tmp_path, stdout=StringIO())

    assert not (tmp_path / "dashboards" / "retired.json").exists()
    assert (tmp_path / "dashboards" / "tasks.json").read_text() == generated_files()["dashboards/tasks.json"]
