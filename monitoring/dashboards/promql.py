"""The dashboards' PromQL: monitoring/promql.py's builders, scoped by the dashboard's `$job` and
`$instance` variables.

Series of exporters (node, postgres, redis, Prometheus' own `up`) pass `scope=()` when the
variables would not select them.
"""

from functools import partial

from monitoring import promql

SCOPE = ('job=~"$job"', 'instance=~"$instance"')

series = partial(promql.series, scope=SCOPE)
aggregate = partial(promql.aggregate, scope=SCOPE)
sum_rate = partial(promql.sum_rate, scope=SCOPE)
sum_increase = partial(promql.sum_increase, scope=SCOPE)
quantile = partial(promql.quantile, scope=SCOPE)


def expand_variables(expr: str, *, jobs: str) -> str:
    """The expression as Grafana sends it with "All" selected: `$job` is the dashboard's job scope."""
    return expr.replace("$job", jobs).replace("$instance", ".*")
