"""Builders for the PromQL shapes the dashboards and the alert rules repeat, so each is written
(and right) once.

Counters are only ever read through `rate()` or `increase()`, summed afterwards; quantiles come
from `histogram_quantile` over the summed rate of the `_bucket` series, keeping `le`.

`scope` holds the matchers every selector of a query starts with: the dashboards pass their
`$job` and `$instance` variables (monitoring/dashboards/promql.py), the alert rules nothing.
"""

Scope = tuple[str, ...]

# node_exporter's real filesystems, not the container runtime's virtual ones: the disk panels and
# the disk alert must read the same set, or one would show what the other ignores.
REAL_FILESYSTEMS = 'fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs"'


def series(metric: str, *matchers: str, scope: Scope = ()) -> str:
    """`metric{<scope>, <matchers>}`."""
    parts = (*scope, *matchers)
    return f"{metric}{{{', '.join(parts)}}}" if parts else metric


def _sum(expr: str, by: tuple[str, ...]) -> str:
    return f"sum by ({', '.join(by)}) ({expr})" if by else f"sum({expr})"


def aggregate(op: str, metric: str, *matchers: str, by: tuple[str, ...] = (), scope: Scope = ()) -> str:
    """`op by (labels) (metric{...})`: for gauges (max of a value every process reports alike)."""
    grouping = f" by ({', '.join(by)}) " if by else ""
    return f"{op}{grouping}({series(metric, *matchers, scope=scope)})"


def sum_rate(
    metric: str, *matchers: str, by: tuple[str, ...] = (), window: str = "5m", scope: Scope = ()
) -> str:
    """Per-second rate of a counter, summed over processes (and kept apart by `by`)."""
    return _sum(f"rate({series(metric, *matchers, scope=scope)}[{window}])", by)


def sum_increase(
    metric: str, *matchers: str, by: tuple[str, ...] = (), window: str = "1h", scope: Scope = ()
) -> str:
    """How much a counter grew over the window, summed over processes."""
    return _sum(f"increase({series(metric, *matchers, scope=scope)}[{window}])", by)


def quantile(
    q: float,
    histogram: str,
    *matchers: str,
    by: tuple[str, ...] = (),
    window: str = "5m",
    scope: Scope = (),
) -> str:
    """The q-quantile of a histogram over the window, from its `_bucket` series."""
    buckets = sum_rate(f"{histogram}_bucket", *matchers, by=("le", *by), window=window, scope=scope)
    return f"histogram_quantile({q}, {buckets})"


def ratio(numerator: str, denominator: str, *, multiline: bool = False) -> str:
    """`numerator / denominator`, reading 0 (not "No data") when the numerator has no series.

    On a healthy system the failures a ratio counts (5xx, failed tasks, refused connects) may
    never have happened, so the numerator is empty and so would be the quotient. `or denominator
    * 0` fills it with a 0 for every series of the denominator, keeping its labels, so ratios
    grouped `by (...)` still match side by side (`or vector(0)` would not: it has no labels).
    With no denominator either (no traffic at all) the ratio stays empty: no traffic, no ratio.

    `multiline` puts each side on its own line, in parentheses, for the rule files people read
    (a comparison can follow the closing parenthesis)."""
    if multiline:
        return f"(\n  ({numerator}\n  or\n  {denominator} * 0)\n/\n  {denominator}\n)"
    return f"({numerator} or {denominator} * 0) / {denominator}"


def total(first: str, second: str) -> str:
    """`first + second` where either side may have no series yet (sign-ins but no refusals): each
    missing side counts as 0 rather than emptying the sum."""
    return f"(({first} or {second} * 0) + ({second} or {first} * 0))"
