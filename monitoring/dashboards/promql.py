"""Small builders for the PromQL shapes the dashboards repeat, so each is written (and right) once.

Counters are only ever read through `rate()` or `increase()`, summed afterwards; quantiles come
from `histogram_quantile` over the summed rate of the `_bucket` series, keeping `le`.

Series of the app's own processes are scoped by the dashboard's `$job` and `$instance`
variables; series of exporters (node, postgres, redis, Prometheus' own `up`) pass
`scoped=False` when the variables would not select them.
"""

SCOPE = ('job=~"$job"', 'instance=~"$instance"')


def series(metric: str, *matchers: str, scoped: bool = True) -> str:
    """`metric{job=~"$job", instance=~"$instance", <matchers>}`."""
    parts = (*SCOPE, *matchers) if scoped else matchers
    return f"{metric}{{{', '.join(parts)}}}" if parts else metric


def _sum(expr: str, by: tuple[str, ...]) -> str:
    return f"sum by ({', '.join(by)}) ({expr})" if by else f"sum({expr})"


def aggregate(op: str, metric: str, *matchers: str, by: tuple[str, ...] = (), scoped: bool = True) -> str:
    """`op by (labels) (metric{...})`: for gauges (max of a value every process reports alike)."""
    grouping = f" by ({', '.join(by)}) " if by else ""
    return f"{op}{grouping}({series(metric, *matchers, scoped=scoped)})"


def sum_rate(
    metric: str, *matchers: str, by: tuple[str, ...] = (), window: str = "5m", scoped: bool = True
) -> str:
    """Per-second rate of a counter, summed over processes (and kept apart by `by`)."""
    return _sum(f"rate({series(metric, *matchers, scoped=scoped)}[{window}])", by)


def sum_increase(
    metric: str, *matchers: str, by: tuple[str, ...] = (), window: str = "1h", scoped: bool = True
) -> str:
    """How much a counter grew over the window, summed over processes."""
    return _sum(f"increase({series(metric, *matchers, scoped=scoped)}[{window}])", by)


def quantile(
    q: float,
    histogram: str,
    *matchers: str,
    by: tuple[str, ...] = (),
    window: str = "5m",
    scoped: bool = True,
) -> str:
    """The q-quantile of a histogram over the window, from its `_bucket` series."""
    buckets = sum_rate(f"{histogram}_bucket", *matchers, by=("le", *by), window=window, scoped=scoped)
    return f"histogram_quantile({q}, {buckets})"


def ratio(numerator: str, denominator: str) -> str:
    return f"{numerator} / {denominator}"


def expand_variables(expr: str, *, jobs: str) -> str:
    """The expression as Grafana sends it with "All" selected: `$job` is the dashboard's job scope."""
    return expr.replace("$job", jobs).replace("$instance", ".*")
