from prometheus_client import REGISTRY


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0


def metric_exists(name: str, **labels: str) -> bool:
    return REGISTRY.get_sample_value(name, labels) is not None
