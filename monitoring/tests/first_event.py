"""Do the panels show what just happened? The native stack at Prometheus' shipped intervals,
traffic, two scrapes, then every dashboard query judged against what the processes themselves
say moved.

What a panel should show is not written down by hand. Every target Prometheus scrapes is read
directly (the same /metrics URL, the same token) just before the traffic and once it has
settled: a counter or histogram series that grew, or a gauge that changed to a non-zero value,
moved, whether or not it existed before (a series born at 1 by its first event is exactly what
Prometheus cannot see). A gauge is a reading, not a history: one that Prometheus' own last
scrape holds back at 0 had gone back to rest by then (the worker drained the queue, or the
scrape reached a process whose 30 s cached count predates the connection), so the panel's 0 is
the truth and it is not counted as moved. One Prometheus does not hold at all still counts.

A panel query whose selectors match a moved series had traffic; its window covers the whole
traffic (checked), so it must answer:

- a non-zero number (not NaN, not nothing) when everything it reads moved: `rate(x)` after x
  grew, a failure ratio after a failure;
- a number (0 allowed, NaN and nothing not) when only part of it moved: a failure ratio whose
  requests came but no failure (0% is the truth), a sum of counters of which one grew.

A query nothing moved for is not counted (no traffic of its kind was sent, or it reads only
Prometheus' own series: `up`, `ALERTS`, scrape durations). A wrong answer is blamed on the
first-event problem when a moved series did not exist before the traffic (the process did not
create it at 0 when it started), on the query otherwise.
"""

import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from deploy.local.render import duration_seconds
from deploy.local.stack import Stack
from monitoring.tests.promql_proof import (
    PrometheusApi,
    Query,
    Result,
    Selector,
    dashboard_queries,
    parse_time,
    selectors,
    shortest_range,
)
from monitoring.tests.stack_fixtures import StackWithFakes

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))
GROWING = {"counter", "histogram", "summary"}  # read by rate()/increase(): moved when they grew

Series = tuple[str, frozenset[tuple[str, str]]]  # sample name, labels (job and instance included)


@dataclass(frozen=True)
class Exposition:
    """Every sample of every scraped target at one moment, labelled as Prometheus stores it."""

    values: dict[Series, float]
    types: dict[str, str]  # sample name -> its family's type
    taken_at: float

    def moved_since(self, before: "Exposition") -> dict[Series, bool]:
        """Series that moved between `before` and now -> whether `before` had them at all."""
        moved = {}
        for series, value in self.values.items():
            old = before.values.get(series)
            if self.types.get(series[0]) in GROWING:
                changed = value > (old or 0.0)
            else:
                changed = value != 0 and value != old
            if changed:
                moved[series] = old is not None
        return moved


def read_exposition(api: PrometheusApi, stack: Stack) -> Exposition:
    """Read every active target's /metrics, as Prometheus scrapes it (its URL, the bearer token
    the app asks for; exporters ignore it), adding the job and instance labels it adds."""
    values: dict[Series, float] = {}
    types: dict[str, str] = {}
    taken_at = time.time()
    for target in api.targets():
        response = requests.get(target["scrapeUrl"], headers=stack.metrics_headers, timeout=10)
        response.raise_for_status()
        target_labels = {"job": target["labels"]["job"], "instance": target["labels"]["instance"]}
        for family in text_string_to_metric_families(response.text):
            for sample in family.samples:
                if sample.name.endswith("_created") and family.type in GROWING:
                    continue  # a creation timestamp, not a value
                types[sample.name] = family.type
                values[(sample.name, frozenset({**sample.labels, **target_labels}.items()))] = sample.value
    return Exposition(values, types, taken_at)


@dataclass(frozen=True)
class PanelCheck:
    query: Query
    moved: frozenset[Series]  # the moved series it reads
    all_moved: bool  # every selector of it matches a moved series
    born: tuple[str, ...]  # moved series it reads that did not exist before the traffic
    result: Result

    @property
    def expected(self) -> str:
        return "a non-zero number" if self.all_moved else "a number (0 allowed)"

    @property
    def ok(self) -> bool:
        numbers = [value for value in self.result.values if not math.isnan(value)]
        if self.result.error or not numbers:
            return False
        return not self.all_moved or any(value != 0 for value in numbers)

    @property
    def answer(self) -> str:
        if self.result.error:
            return f"error: {self.result.error}"
        if not self.result.values:
            return "no data"
        shown = ", ".join(f"{value:.3g}" for value in self.result.values[:6])
        return shown + (", ..." if len(self.result.values) > 6 else "")

    @property
    def blame(self) -> str:
        if self.ok:
            return ""
        if self.born:
            return "zero-init: born by the traffic, so Prometheus never saw it at 0: " + _listed(self.born)
        return "the query (what it reads existed at 0 before the traffic)"

    def line(self) -> str:
        return (
            f"- {self.query.key}: {self.answer}, expected {self.expected}\n"
            f"    blame: {self.blame}\n    {self.query.query}"
        )


@dataclass(frozen=True)
class Observation:
    checks: list[PanelCheck]  # the queries that had traffic
    not_counted: list[Query]  # nothing they read moved
    queries: int
    moved: dict[Series, bool]  # what the traffic moved -> whether it existed before
    traffic_seconds: float

    @property
    def failed(self) -> list[PanelCheck]:
        return [check for check in self.checks if not check.ok]

    def summary(self) -> str:
        right = len(self.checks) - len(self.failed)
        share = 100 * right / len(self.checks) if self.checks else 0.0
        return (
            f"{right} of {len(self.checks)} panel queries with traffic ({share:.1f}%) return the right value"
            f" two scrapes after it; {len(self.not_counted)} of {self.queries} had no traffic of their kind"
        )

    def report(self, *, everything: bool = False) -> str:
        lines = [self.summary()]
        if self.failed:
            lines += ["Wrong:", *(check.line() for check in self.failed)]
        if everything:
            lines += ["Right:", *(f"- {c.query.key}: {c.answer}" for c in self.checks if c.ok)]
            lines += ["No traffic of their kind:", *(f"- {query.key}" for query in self.not_counted)]
        return "\n".join(lines)


def judge(
    queries: Iterable[Query],
    api: PrometheusApi,
    moved: dict[Series, bool],
    *,
    traffic_started: float,
) -> tuple[list[PanelCheck], list[Query]]:
    checks, not_counted = [], []
    for query in queries:
        read = selectors(query.query)
        matched = [_matching(selector, moved) for selector in read]
        hits = frozenset(series for found in matched for series in found)
        if not hits:
            not_counted.append(query)
            continue
        window = shortest_range(query.query)
        if window is not None and time.time() - traffic_started > window:
            raise AssertionError(f"{query.key}: its {window:.0f} s window no longer covers the traffic")
        born = tuple(sorted({_describe(series) for series in hits if not moved[series]}))
        checks.append(PanelCheck(query, hits, all(matched), born, api.query(query.query)))
    return checks, not_counted


def _without_gauges_at_rest(
    api: PrometheusApi, moved: dict[Series, bool], types: dict[str, str]
) -> dict[Series, bool]:
    """`moved` less the gauges whose value at Prometheus' last scrape is 0."""
    return {
        series: existed
        for series, existed in moved.items()
        if types.get(series[0]) in GROWING or api.query(_exact_selector(series)).values != (0.0,)
    }


def _exact_selector(series: Series) -> str:
    # json.dumps quotes and escapes as PromQL's double-quoted strings do.
    labels = ",".join(f"{name}={json.dumps(value)}" for name, value in sorted(series[1]))
    return f"{series[0]}{{{labels}}}"


def _matching(selector: Selector, moved: dict[Series, bool]) -> list[Series]:
    return [series for series in moved if selector.matches(series[0], dict(series[1]))]


def _describe(series: Series) -> str:
    """`name{labels}` without the labels every series has, or a histogram's bucket bound."""
    hidden = {"job", "instance", "le"}
    labels = ", ".join(f'{k}="{v}"' for k, v in sorted(series[1]) if k not in hidden)
    return f"{series[0]}{{{labels}}}"


def _listed(items: Iterable[str], most: int = 4) -> str:
    items = sorted(set(items))
    return ", ".join(items[:most]) + (f" and {len(items) - most} more" if len(items) > most else "")


def scrape_interval(stack: Stack) -> float:
    """The longest scrape interval of the jobs the stack's Prometheus was given: read from its
    configuration, as its API lists no target until its first discovery after start."""
    assert stack.prometheus is not None
    config = stack.prometheus.config
    default = config.get("global", {}).get("scrape_interval", "1m")
    return max(duration_seconds(job.get("scrape_interval", default)) for job in config["scrape_configs"])


def wait_for_scrapes(stack: Stack, api: PrometheusApi, since: float, scrapes: int) -> None:
    """Until every target has been scraped `scrapes` times, each scrape starting after `since`."""
    seen: dict[str, set[str]] = {}

    def done() -> bool:
        for target in api.targets():
            if parse_time(target["lastScrape"]) > since:
                seen.setdefault(target["scrapeUrl"], set()).add(target["lastScrape"])
        return len(seen) == len(api.targets()) and all(len(times) >= scrapes for times in seen.values())

    stack.wait_until(
        done, f"{scrapes} scrapes of every target", timeout=(scrapes + 1) * scrape_interval(stack) + 10
    )


def observe(
    env: StackWithFakes, traffic: Callable[[StackWithFakes], object]
) -> tuple[Observation, dict[Series, bool]]:
    """Read the targets, let Prometheus scrape them once (it then holds every series that
    exists before the traffic), send the traffic, read them again, let two scrapes pass, and
    judge every dashboard query. Also returns what moved (series -> existed before)."""
    stack = env.stack
    api = PrometheusApi(stack.url("prometheus"))
    assert stack.prometheus is not None
    jobs = set(stack.prometheus.jobs)
    stack.wait_until(
        lambda: {t["labels"]["job"] for t in api.targets() if t["health"] == "up"} >= jobs,
        f"every job up ({sorted(jobs)})",
        timeout=3 * scrape_interval(stack) + 10,
    )
    before = read_exposition(api, stack)
    wait_for_scrapes(stack, api, before.taken_at, scrapes=1)
    started = time.time()
    traffic(env)
    after = read_exposition(api, stack)
    wait_for_scrapes(stack, api, after.taken_at, scrapes=2)
    moved = _without_gauges_at_rest(api, after.moved_since(before), after.types)
    queries = dashboard_queries(DASHBOARDS, api)
    checks, not_counted = judge(queries, api, moved, traffic_started=started)
    return Observation(checks, not_counted, len(queries), moved, after.taken_at - started)
