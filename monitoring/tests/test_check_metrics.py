"""manage.py check_metrics: the live registry against docs/metrics.md, and promtool's lint.
promtool comes from Debian's `prometheus` package, which CI installs: without it the command
only skips the lint, but these tests fail rather than skip."""

import shutil
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from prometheus_client import REGISTRY, Counter, Gauge
from prometheus_client.registry import Collector

from monitoring.management.commands.check_metrics import (
    DEFAULT_DOC,
    DocFormatError,
    documented_metrics,
    live_catalogue,
)

TABLE_HEADER = "| Metric | Type | Labels | Meaning |\n|---|---|---|---|\n"


def check_metrics(doc: Path = DEFAULT_DOC) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("check_metrics", doc=doc, stdout=out, stderr=err)
    except CommandError as error:
        raise AssertionError(f"{error}\n{err.getvalue()}") from error
    return out.getvalue(), err.getvalue()


def check_metrics_fails(doc: Path = DEFAULT_DOC) -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("check_metrics", doc=doc, stdout=StringIO(), stderr=err)
    return err.getvalue()


def doc_with(tmp_path: Path, extra: str = "", *, replace: tuple[str, str] | None = None) -> Path:
    text = DEFAULT_DOC.read_text()
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / "metrics.md"
    path.write_text(text + extra)
    return path


@pytest.fixture
def registered() -> Iterator[list[Collector]]:
    """Metrics a test registers in the default registry, unregistered afterwards."""
    metrics: list[Collector] = []
    yield metrics
    for metric in metrics:
        REGISTRY.unregister(metric)


@pytest.fixture
def promtool() -> str:
    path = shutil.which("promtool")
    assert path, "promtool is not installed: apt-get install prometheus (CI does)"
    return path


@pytest.mark.processes
def test_the_repository_passes_and_the_catalogue_is_printed(promtool):
    out, err = check_metrics()

    assert err == ""
    rows = [line.split() for line in out.splitlines()]
    catalogue = {row[0]: row[1:3] for row in rows if row[1:2] in (["counter"], ["gauge"], ["histogram"])}
    assert catalogue["user_login_total"] == ["counter", "channel,mfa"]
    assert catalogue["feature_adoption_rate"] == ["gauge", "feature"]
    assert catalogue["health_check_status"] == ["gauge", "component"]
    assert catalogue["celery_tasks_total"] == ["counter", "state,task"]
    assert catalogue["django_http_requests_latency_seconds_by_view_method"] == ["histogram", "method,view"]
    assert "promtool check metrics: no problems." in out
    # prometheus_client's own runtime series are not ours to document.
    assert not any(name.startswith(("process_", "python_")) for name in catalogue)


@pytest.mark.processes
def test_a_metric_exported_but_not_documented_fails(registered):
    registered.append(Counter("throwaway_widgets_total", "A metric nobody documented.", ["colour"]))

    assert "throwaway_widgets_total: exported but not documented" in check_metrics_fails()


@pytest.mark.processes
def test_a_metric_documented_but_not_exported_fails(tmp_path):
    doc = doc_with(tmp_path, f"\n{TABLE_HEADER}| `ghost_sightings_total` | counter | — | Gone. |\n")

    assert "ghost_sightings_total: documented (line" in check_metrics_fails(doc)


@pytest.mark.processes
def test_a_type_or_labels_other_than_documented_fail(tmp_path):
    doc = doc_with(
        tmp_path,
        replace=(
            "| `user_login_total` | counter | `channel` = api, admin; `mfa` = true, false |",
            "| `user_login_total` | gauge | `channel` = api, admin |",
        ),
    )

    err = check_metrics_fails(doc)

    assert "user_login_total: a counter, documented as a gauge" in err
    assert "user_login_total: labels channel,mfa, documented as channel" in err


def test_the_guides_table_is_prose_not_a_catalogue():
    # The guide's names (response_time_p95...) are in a table headed "Guide", not "Metric".
    documented = documented_metrics(DEFAULT_DOC.read_text())

    assert "response_time_p95" not in documented
    assert documented.keys() == live_catalogue().keys()


def test_a_catalogue_row_must_name_exactly_one_metric():
    with pytest.raises(DocFormatError, match="line 3"):
        documented_metrics(f"{TABLE_HEADER}| `a_total` / `b_total` | counter | — | Two at once. |\n")


@pytest.mark.processes
def test_a_metric_promtool_finds_fault_with_fails(registered, tmp_path, promtool):
    registered.append(Gauge("throwaway_latency_ms", "Milliseconds are not a base unit."))
    doc = doc_with(tmp_path, f"\n{TABLE_HEADER}| `throwaway_latency_ms` | gauge | — | Badly named. |\n")

    err = check_metrics_fails(doc)

    assert "MISMATCH" not in err
    assert "throwaway_latency_ms" in err
    assert "PROMTOOL (exit 3)" in err
