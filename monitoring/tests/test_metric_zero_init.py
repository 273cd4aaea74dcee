"""Every label combination docs/metrics.md lists exists from process start, so that the first
event counts in rate() and increase() (assistant/core/metric_labels.py).

Here, the pytest process (Django set up like any process; other tests may have counted, so
presence is what is checked); at 0 in fresh processes: gunicorn in
tests/test_multiprocess_metrics.py, a worker in test_celery_metrics_worker.py, beat in
test_celery_metrics_beat.py."""

import prometheus_client
import pytest
from prometheus_client import CollectorRegistry, Counter

from assistant.core.metric_labels import label_values, labels_zero_init
from tests.metrics import created_by_web, documented_series, exported_series


def test_every_documented_combination_exists_in_a_process_that_set_django_up() -> None:
    expected = documented_series(include=created_by_web)
    exported = exported_series(prometheus_client.generate_latest().decode())

    assert sorted(series for series in expected if series not in exported) == []
    # The doc's lists are read: the labelled metrics are there with every value.
    assert ("user_login_total", frozenset({("channel", "admin"), ("mfa", "true")})) in expected
    assert ("audit_log_total", frozenset({("action", "integration_connected")})) in expected
    assert ("integration_sync_duration_seconds_count", frozenset({("provider", "notion")})) in expected


def test_every_combination_of_the_values_is_created_at_zero() -> None:
    registry = CollectorRegistry()
    counter = Counter("zero_init_probe", "A test counter.", ["colour", "size"], registry=registry)

    labels_zero_init(counter, colour=("red", "blue"), size=("s", "m", "l"))

    samples = exported_series(prometheus_client.generate_latest(registry).decode())
    assert samples == {
        ("zero_init_probe_total", frozenset({("colour", colour), ("size", size)})): 0.0
        for colour in ("red", "blue")
        for size in ("s", "m", "l")
    }


def test_declaring_values_for_other_labels_than_the_metric_has_is_refused() -> None:
    counter = Counter("zero_init_mismatch", "A test counter.", ["colour"], registry=CollectorRegistry())

    with pytest.raises(ValueError, match="colour"):
        label_values(counter, shade=("dark",))


def test_a_metric_declared_after_process_start_is_created_at_once() -> None:
    """A module imported late (after MonitoringConfig.ready()) still starts its series at 0."""
    registry = CollectorRegistry()
    counter = Counter("zero_init_late", "A test counter.", ["colour"], registry=registry)

    label_values(counter, colour=("red", "blue"))

    assert exported_series(prometheus_client.generate_latest(registry).decode()) == {
        ("zero_init_late_total", frozenset({("colour", "red")})): 0.0,
        ("zero_init_late_total", frozenset({("colour", "blue")})): 0.0,
    }
