"""Reading a Prometheus exposition (what /metrics answers) in tests, and what docs/metrics.md
says it holds."""

import itertools
from collections.abc import Callable, Iterable, Mapping

from prometheus_client.parser import text_string_to_metric_families

from monitoring.management.commands.check_metrics import DEFAULT_DOC, DocumentedMetric, documented_metrics


def sample_sum(exposition: str, name: str, **labels: str) -> float:
    """The sum of the samples called `name` whose labels include `labels`; 0 when none match
    (a labelled counter that nothing has touched yet)."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(key) == value for key, value in labels.items())
    )


Series = tuple[str, frozenset[tuple[str, str]]]


def documented_series(
    *, include: Callable[[DocumentedMetric], bool], open_values: Mapping[str, Iterable[str]] | None = None
) -> set[Series]:
    """Every label combination docs/metrics.md lists for its counters and histograms that
    `include` accepts, as (sample name, labels): a counter's `_total`, a histogram's `_count`
    (its buckets come with it). A label the doc gives no values for (Celery's `task`) takes
    them from `open_values`."""
    given = dict(open_values or {})
    series = set()
    for metric in documented_metrics(DEFAULT_DOC.read_text()).values():
        if metric.type not in ("counter", "histogram") or not include(metric):
            continue
        sample = metric.name if metric.type == "counter" else f"{metric.name}_count"
        labels = sorted(metric.labels)
        missing = [label for label in labels if label not in metric.values and label not in given]
        assert not missing, f"{metric.name} (line {metric.line}): no values listed for {missing}"
        choices = [metric.values.get(label) or tuple(given[label]) for label in labels]
        for combination in itertools.product(*choices):
            series.add((sample, frozenset(zip(labels, combination, strict=True))))
    return series


def exported_series(exposition: str) -> dict[Series, float]:
    """Every sample of an exposition, by (name, labels)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def assert_exported_at_zero(expected: set[Series], exported: Mapping[Series, float]) -> None:
    """Each of `expected` is exported at 0, and no other combination of their names is."""
    names = {name for name, _ in expected}
    missing = sorted(series for series in expected if series not in exported)
    moved = sorted((series, exported[series]) for series in expected if exported.get(series))
    undocumented = sorted(series for series in exported if series[0] in names and series not in expected)
    assert (missing, moved, undocumented) == ([], [], []), (
        f"{len(missing)} missing, {len(moved)} not at 0, {len(undocumented)} undocumented: "
        f"{missing[:5]} {moved[:5]} {undocumented[:5]}"
    )


# What each process creates at start: every documented metric of ours, but django-prometheus's
# own (created per request or statement by django-prometheus, not declared by us), and the
# Celery metrics outside the processes that count them (task sets known at worker or beat start).
_NOT_DECLARED = "django_"
_WORKER_ONLY = ("celery_tasks_total", "celery_task_runtime_seconds", "celery_task_retries_total")
_BEAT_ONLY = ("celery_beat_tasks_sent_total",)


def created_by_web(metric: DocumentedMetric) -> bool:
    return not metric.name.startswith(_NOT_DECLARED) and metric.name not in (*_WORKER_ONLY, *_BEAT_ONLY)


def created_by_worker(metric: DocumentedMetric) -> bool:
    return not metric.name.startswith(_NOT_DECLARED) and metric.name not in _BEAT_ONLY


def created_by_beat(metric: DocumentedMetric) -> bool:
    return metric.name in _BEAT_ONLY
