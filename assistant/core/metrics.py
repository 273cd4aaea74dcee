"""Metrics of what core runs for every app: the data retention purge (assistant/core/retention.py).
Labels take the values declared at the end of this module; every combination exists at 0
from process start on, so the first purge counts in rate() and increase()."""

from prometheus_client import Counter

from assistant.core.metric_labels import label_values

data_retention_purged_rows_total = Counter(
    "data_retention_purged_rows_total",
    "Rows purged by the data retention task (deleted, or their personal fields blanked), by kind.",
    ["kind"],
)


def _retention_kinds() -> list[str]:
    # Read once every app is ready: the apps register their kinds from their ready().
    from assistant.core.retention import retention_kinds

    return retention_kinds()


label_values(data_retention_purged_rows_total, kind=_retention_kinds)
