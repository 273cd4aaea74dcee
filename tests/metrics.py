"""Reading a Prometheus exposition (what /metrics answers) in tests."""

from prometheus_client.parser import text_string_to_metric_families


def sample_sum(exposition: str, name: str, **labels: str) -> float:
    """The sum of the samples called `name` whose labels include `labels`; 0 when none match
    (a labelled counter that nothing has touched yet)."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(key) == value for key, value in labels.items())
    )
