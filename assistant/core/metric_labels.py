"""The label values of our labelled metrics, declared once beside each metric, and every
combination created at 0 when a process starts.

A labelled series does not exist until its first `.labels(...)`: created by the first event,
it appears already at 1, and `rate()`/`increase()` (which need two samples) miss that event.
Each app's `metrics.py` declares the values its labels take (`label_values(metric, label=...)`);
`MonitoringConfig.ready()`, which runs after every other app's `ready()`, creates every
declared combination (`declared_labels_zero_init()`). A value set may be a callable, read at
that moment, for sets that apps fill in from their own `ready()` (the audit actions and
security-event kinds) or that settings give (database aliases, providers).

Sets known only later in one kind of process use `labels_zero_init()` directly: the tasks the
Celery worker and beat registered (monitoring/celery_metrics.py, at `worker_init` and
`beat_init`).

In multiprocess mode (PROMETHEUS_MULTIPROC_DIR) a `.labels()` without `inc()` writes the 0
into this process's file, which the exporters sum like any other value.
"""

import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from prometheus_client.metrics import MetricWrapperBase

LabelValues = Iterable[str] | Callable[[], Iterable[str]]

M = TypeVar("M", bound=MetricWrapperBase)

_declared: list[tuple[MetricWrapperBase, Mapping[str, LabelValues]]] = []
# Set by the first declared_labels_zero_init(): a metrics module imported after that has its
# combinations created as it declares them.
_zero_initialised = False


def label_values(metric: M, **values: LabelValues) -> M:
    """Declare the values each label of `metric` takes (every label, no other); returns `metric`."""
    names = label_names(metric)
    if set(values) != set(names):
        raise ValueError(f"{metric}: label values given for {sorted(values)}, its labels are {sorted(names)}")
    _declared.append((metric, values))
    if _zero_initialised:
        _zero_init(metric, values)
    return metric


def declared_labels_zero_init() -> None:
    """Create every declared combination of every metric at 0 (idempotent)."""
    global _zero_initialised
    _zero_initialised = True
    for metric, values in _declared:
        _zero_init(metric, values)


def labels_zero_init(metric: MetricWrapperBase, **values: Iterable[str]) -> None:
    """Create every combination of `values` (one iterable per label) at 0."""
    names = label_names(metric)
    for combination in itertools.product(*(sorted(set(values[name])) for name in names)):
        metric.labels(*combination)


def _zero_init(metric: MetricWrapperBase, values: Mapping[str, LabelValues]) -> None:
    labels_zero_init(metric, **{name: _resolved(value) for name, value in values.items()})


def label_names(metric: MetricWrapperBase) -> tuple[str, ...]:
    # prometheus_client keeps a metric's label names in `_labelnames`, with no public accessor.
    names: tuple[str, ...] = metric._labelnames
    return names


def _resolved(values: LabelValues) -> Iterable[str]:
    return values() if callable(values) else values
