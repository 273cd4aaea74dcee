"""manage.py check_metrics: the catalogue of every metric the project exports, read from the
live registry, checked against docs/metrics.md, and linted by promtool when it is installed.

The live registry is what every process of ours can export: each app's `metrics` module, the
modules only some processes import (EXTRA_METRIC_MODULES), django-prometheus's series
(registered lazily, on first request or first use of a backend, so loaded here up front), and
the collectors the /metrics view adds at scrape time (apps' `COLLECTORS`). The default registry
is read through its public `collect()` (its counters, gauges and histograms only hand over the
values they hold); the scrape-time collectors through `describe()`, so nothing is computed: no
database query, no health check. A metric's labels are those it was made with, found on the
metric objects of the modules above (a labelled metric with no label combination yet exports no
sample to read them from). prometheus_client's own process_*/python_* collectors are left out;
the exporters' series (node, postgres, redis) are not ours and are mapped in the doc's separate
tables.

The doc side: every Markdown table whose first header is "Metric" lists one metric per row,
its exposed name in backticks in that column (counters with `_total`, as PromQL spells them),
its type as the first word of "Type", and its label names in backticks in "Labels" (label
*values* are written without backticks). Other tables (the guide's names, the exporters') are
prose for people and not checked.

Exit status: 0 when the registry and the doc agree and promtool (if any) finds nothing;
non-zero otherwise. promtool's lint problems fail too: the exposition is clean today, so a
problem is a new metric's naming mistake (a counter without `_total`, `_ms` units, no help),
cheap to fix before it ships and costly after (renaming a series breaks every query of it).
"""

import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

import prometheus_client
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from monitoring.views import app_collectors, app_metric_modules

DEFAULT_DOC = Path(settings.BASE_DIR) / "docs" / "metrics.md"

# Metrics defined outside an app's metrics.py, in modules only some processes import.
EXTRA_METRIC_MODULES = (
    "sms.backends.metrics",  # the Twilio backend's, beside the backends (SmsConfig.ready() loads it)
    "monitoring.celery_metrics",  # the Celery worker's and beat's exporters (:9808, :9809)
    "monitoring.beat",  # beat's tick gauge, defined where only beat creates it
)
# django-prometheus's request and database series, fed by our middleware and statement
# wrapper (loaded with the first request or connection); its own cache backends load their
# counters on first use, its AppConfig the migration gauges.
DJANGO_PROMETHEUS_MODULES = (
    "monitoring.django_metrics",
    "django_prometheus.cache.metrics",
    "django_prometheus.migrations",
)
# prometheus_client's standard runtime series (process_*, python_*): not ours to document.
RUNTIME_COLLECTORS = (
    prometheus_client.PROCESS_COLLECTOR,
    prometheus_client.PLATFORM_COLLECTOR,
    prometheus_client.GC_COLLECTOR,
)

_BACKTICKED = re.compile(r"`([^`]+)`")
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
# A cell boundary: a pipe not escaped as \| (PromQL alternatives inside a cell).
_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}")
_LABEL_VALUES = re.compile(r"`(?P<label>[a-zA-Z_][a-zA-Z0-9_]*)`\s*=\s*(?P<values>.+)")


@dataclass(frozen=True)
class MetricInfo:
    name: str
    type: str
    labels: frozenset[str]
    help: str


@dataclass(frozen=True)
class DocumentedMetric:
    name: str
    type: str
    labels: frozenset[str]
    line: int
    # The values listed for each label written `name` = a, b, c (a label without a list, such
    # as Celery's `task`, takes values known only to the running process).
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)


class DocFormatError(ValueError):
    pass


# --- The live registry ---------------------------------------------------------------------


def load_metric_namespaces() -> list[object]:
    """Where our metric objects live: each app's `metrics` module, the modules only some
    processes import, and django-prometheus's series."""
    modules = [import_module(name) for name in (*EXTRA_METRIC_MODULES, *DJANGO_PROMETHEUS_MODULES)]
    return [*app_metric_modules(), *modules]


def live_catalogue() -> dict[str, MetricInfo]:
    """What the default registry exports (its families, through the public `collect()`, the
    runtime ones left out) and what the scrape-time collectors describe."""
    declared = _declared_label_names(load_metric_namespaces())
    runtime = {family.name for collector in RUNTIME_COLLECTORS for family in collector.collect()}
    catalogue: dict[str, MetricInfo] = {}
    for family in prometheus_client.REGISTRY.collect():
        if family.name not in runtime:
            _catalogue_add(catalogue, family, declared.get(family.name) or _sample_label_names(family))
    for collector in app_collectors():
        for family in _described(collector):
            # Our collectors describe *MetricFamily objects, which keep the labels they were built with.
            _catalogue_add(catalogue, family, getattr(family, "_labelnames", ()))
    return catalogue


def exposition() -> bytes:
    """What /metrics would serve, without computing the scrape-time collectors' values."""
    load_metric_namespaces()  # every metric registered, as in a process that has used them all
    described = CollectorRegistry(auto_describe=False)
    described.register(_Described(app_collectors()))
    return generate_latest(prometheus_client.REGISTRY) + generate_latest(described)


def exposed_name(family: Metric) -> str:
    """The name PromQL uses: prometheus_client keeps a counter's family name without `_total`."""
    suffix = {"counter": "_total", "info": "_info"}.get(family.type, "")
    return family.name + suffix


def _catalogue_add(catalogue: dict[str, MetricInfo], family: Metric, labels: Iterable[str]) -> None:
    info = MetricInfo(
        name=exposed_name(family), type=family.type, labels=frozenset(labels), help=family.documentation
    )
    catalogue[info.name] = info


def _declared_label_names(namespaces: Iterable[object]) -> dict[str, tuple[str, ...]]:
    """The label names each of our metric objects was made with, by family name. A labelled
    metric none of whose label combinations exists yet exports no sample, so its labels show
    nowhere else; prometheus_client keeps them in `_labelnames`, with no public accessor."""
    return {
        family.name: metric._labelnames
        for namespace in namespaces
        for metric in vars(namespace).values()
        if isinstance(metric, MetricWrapperBase)
        for family in metric.describe()
    }


def _sample_label_names(family: Metric) -> set[str]:
    """A metric's label names as its samples carry them, without the histogram's `le`."""
    return {name for sample in family.samples for name in sample.labels if name != "le"}


def _described(collector: Collector) -> Iterable[Metric]:
    describe = getattr(collector, "describe", None)
    return describe() if describe is not None else collector.collect()


class _Described(Collector):
    def __init__(self, collectors: list[Collector]) -> None:
        self._collectors = collectors

    def collect(self) -> Iterator[Metric]:
        for collector in self._collectors:
            yield from _described(collector)


# --- docs/metrics.md -----------------------------------------------------------------------


def documented_metrics(text: str) -> dict[str, DocumentedMetric]:
    documented: dict[str, DocumentedMetric] = {}
    for metric in _table_rows(text.splitlines()):
        if metric.name in documented:
            raise DocFormatError(f"line {metric.line}: {metric.name} is documented twice")
        documented[metric.name] = metric
    return documented


def _table_rows(lines: list[str]) -> Iterator[DocumentedMetric]:
    header: list[str] | None = None
    for number, line in enumerate(lines, start=1):
        if not line.lstrip().startswith("|"):
            header = None
        elif header is None:
            header = _cells(line)
        elif not _TABLE_RULE.match(line.strip()) and header[0] == "Metric":
            yield _row(dict(zip(header, _cells(line), strict=False)), number)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in _CELL_SEPARATOR.split(line.strip().strip("|"))]


def _row(cells: dict[str, str], line: int) -> DocumentedMetric:
    names = _BACKTICKED.findall(cells.get("Metric", ""))
    if len(names) != 1 or not _METRIC_NAME.fullmatch(names[0]):
        raise DocFormatError(f"line {line}: a Metric table row names exactly one metric, in backticks")
    type_words = cells.get("Type", "").split()
    labels = cells.get("Labels", "")
    return DocumentedMetric(
        name=names[0],
        type=type_words[0].lower() if type_words else "",
        labels=frozenset(_BACKTICKED.findall(labels)),
        line=line,
        values=dict(_label_values(labels)),
    )


def _label_values(labels: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """`a` = x, y (note); `b` = z: each value is the first word of its comma-separated item,
    so a value may carry a note in parentheses."""
    for clause in labels.split(";"):
        listed = _LABEL_VALUES.fullmatch(clause.strip())
        if listed:
            items = (item.split() for item in listed["values"].split(","))
            yield listed["label"], tuple(words[0] for words in items if words)


# --- Comparison and promtool ---------------------------------------------------------------


def disagreements(live: dict[str, MetricInfo], documented: dict[str, DocumentedMetric]) -> list[str]:
    problems = [f"{name}: exported but not documented" for name in sorted(live.keys() - documented.keys())]
    problems += [
        f"{name}: documented (line {documented[name].line}) but not exported"
        for name in sorted(documented.keys() - live.keys())
    ]
    for name in sorted(live.keys() & documented.keys()):
        metric, row = live[name], documented[name]
        if metric.type != row.type:
            problems.append(f"{name}: a {metric.type}, documented as a {row.type or '?'} (line {row.line})")
        if metric.labels != row.labels:
            problems.append(
                f"{name}: labels {_label_list(metric.labels)}, documented as {_label_list(row.labels)} "
                f"(line {row.line})"
            )
    return problems


def promtool_check(promtool: str, exposition_text: bytes) -> tuple[int, str]:
    """promtool's exit status (0 clean, 3 lint problems, 1 unparseable) and what it said."""
    completed = subprocess.run(  # noqa: S603 - a fixed argv, no shell
        [promtool, "check", "metrics"], input=exposition_text, capture_output=True, timeout=60, check=False
    )
    return completed.returncode, (completed.stdout + completed.stderr).decode().strip()


def _label_list(labels: Iterable[str]) -> str:
    return ",".join(sorted(labels)) or "-"


class Command(BaseCommand):
    help = (
        "Print every metric the project exports (name, type, labels, help) and fail when "
        "docs/metrics.md disagrees with the registry or promtool finds a problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--doc", type=Path, default=DEFAULT_DOC, help="The catalogue to check against.")

    def handle(self, *args: Any, **options: Any) -> None:
        live = live_catalogue()
        self._print_catalogue(live)
        try:
            documented = documented_metrics(options["doc"].read_text())
        except DocFormatError as error:
            raise CommandError(f"{options['doc']}: {error}") from error
        problems = disagreements(live, documented)
        for problem in problems:
            self.stderr.write(f"MISMATCH {problem}")
        problems += self._promtool_problems()
        if problems:
            raise CommandError(f"{len(problems)} problem(s) with the metric catalogue (above).")
        self.stdout.write(
            self.style.SUCCESS(f"{len(live)} metrics, all documented in {options['doc'].name}.")
        )

    def _print_catalogue(self, live: dict[str, MetricInfo]) -> None:
        width = max(map(len, live), default=0)
        for metric in sorted(live.values(), key=lambda metric: metric.name):
            labels = _label_list(metric.labels)
            self.stdout.write(f"{metric.name:<{width}}  {metric.type:<9}  {labels:<28}  {metric.help}")

    def _promtool_problems(self) -> list[str]:
        promtool = shutil.which("promtool")
        if promtool is None:
            self.stdout.write("promtool is not on PATH: the exposition was not linted.")
            return []
        status, output = promtool_check(promtool, exposition())
        if status == 0:
            self.stdout.write("promtool check metrics: no problems.")
            return []
        self.stderr.write(f"PROMTOOL (exit {status})\n{output}")
        return [f"promtool check metrics exited with {status}"]
