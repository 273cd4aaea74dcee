"""The Celery signal handlers, queue counting and process bookkeeping, in this process.

Tasks run here through `apply(throw=False)`, which traces them as a pool process does and so
sends the same prerun/postrun/success/failure/retry signals (the test settings' eager
propagation would raise before failure and retry are signalled). The signals only a worker's
main process sends (received, revoked, rejected, unknown) are sent by hand. A real worker
runs in test_celery_metrics_worker.
"""

import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery import Celery, signals
from django.conf import settings
from kombu import Queue
from prometheus_client import REGISTRY

from monitoring import celery_metrics
from monitoring.celery_metrics import monitored_queues, queue_lengths, record_queue_lengths, task_label
from monitoring.tests.test_celery_metrics_support import (
    FAIL,
    RETRY_ONCE,
    SUCCEED,
    fail,
    filesystem_broker,
    free_port,
    retry_once,
    succeed,
)
from tests.services import redis_server

PRIVATE_NOTE = "private-note-5521"


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _tasks(task: str, state: str) -> float:
    return _value("celery_tasks_total", task=task, state=state)


def test_registered_names_are_their_own_label_and_anything_else_is_other() -> None:
    assert task_label(SUCCEED) == SUCCEED
    assert task_label("somebody.elses.task") == "other"
    assert task_label(None) == "other"


def test_a_task_that_runs_counts_started_succeeded_and_its_runtime() -> None:
    started, succeeded = _tasks(SUCCEED, "started"), _tasks(SUCCEED, "succeeded")
    runs = _value("celery_task_runtime_seconds_count", task=SUCCEED)

    succeed.apply()

    assert _tasks(SUCCEED, "started") == started + 1
    assert _tasks(SUCCEED, "succeeded") == succeeded + 1
    assert _value("celery_task_runtime_seconds_count", task=SUCCEED) == runs + 1
    assert celery_metrics._started_at == {}  # nothing kept once a task is over


def test_a_failure_is_counted_and_logged_once_without_the_arguments(logs) -> None:
    failed = _tasks(FAIL, "failed")
    runs = _value("celery_task_runtime_seconds_count", task=FAIL)

    result = fail.apply(args=[PRIVATE_NOTE], throw=False)

    assert isinstance(result.result, ValueError)

    assert _tasks(FAIL, "failed") == failed + 1
    assert _value("celery_task_runtime_seconds_count", task=FAIL) == runs + 1
    (line,) = [line for line in logs.lines() if line["event"] == "celery_task"]
    assert line["level"] == "ERROR"
    assert line["task"] == FAIL
    assert line["state"] == "failed"
    assert line["exception"] == "ValueError"
    assert line["duration_ms"] >= 0
    assert line["task_id"]
    assert PRIVATE_NOTE not in json.dumps(line)


def test_a_retry_is_counted_twice_over_and_logged(logs) -> None:
    retried = _tasks(RETRY_ONCE, "retried")
    retries = _value("celery_task_retries_total", task=RETRY_ONCE)
    started = _tasks(RETRY_ONCE, "started")

    retry_once.apply(throw=False)  # the retry runs at once, in here, and succeeds

    assert _tasks(RETRY_ONCE, "retried") == retried + 1
    assert _value("celery_task_retries_total", task=RETRY_ONCE) == retries + 1
    assert _tasks(RETRY_ONCE, "started") == started + 2
    (line,) = [line for line in logs.lines() if line["event"] == "celery_task"]
    assert line["level"] == "WARNING"
    assert line["state"] == "retried"
    assert line["exception"] == "ConnectionError"


def test_what_the_main_process_sees_is_counted_by_registered_name() -> None:
    received, revoked = _tasks(SUCCEED, "received"), _tasks(SUCCEED, "revoked")

    signals.task_received.send(sender=None, request=SimpleNamespace(task=succeed))
    signals.task_revoked.send(sender=succeed, request=None, terminated=False, signum=None, expired=True)

    assert _tasks(SUCCEED, "received") == received + 1
    assert _tasks(SUCCEED, "revoked") == revoked + 1


def test_messages_the_worker_turns_away_are_rejected_under_other() -> None:
    rejected = _tasks("other", "rejected")

    signals.task_unknown.send(sender=None, message=None, exc=None, name="not.a.task", id="1")
    signals.task_rejected.send(sender=None, message=SimpleNamespace(headers={}), exc=None)

    assert _tasks("other", "rejected") == rejected + 2


def test_the_queues_watched_are_the_default_and_every_configured_one() -> None:
    app = Celery("queues", set_as_current=False)
    app.conf.task_default_queue = "default"
    app.conf.task_queues = [Queue("bulk"), Queue("default")]
    app.conf.task_routes = [
        {"sms.tasks.*": {"queue": "sms"}, "a.b": "plain", "c.d": {"exchange": "x"}},
        lambda *args, **kwargs: {"queue": "unknowable"},
    ]

    assert monitored_queues(app) == ["bulk", "default", "plain", "sms"]


def test_the_project_watches_the_celery_queue() -> None:
    from config.celery_app import app

    assert monitored_queues(app) == ["celery"]


def test_queued_messages_are_counted_per_queue_on_the_filesystem_broker(tmp_path: Path) -> None:
    broker = filesystem_broker(tmp_path)
    broker.conf.task_routes = {"slow.*": {"queue": "slow"}}
    for _ in range(3):
        broker.send_task("fast.task")
    broker.send_task("slow.task")

    assert queue_lengths(broker) == {"celery": 3, "slow": 1}


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """The configured Redis in CI; a redis-server of the test's own otherwise."""
    if settings.REDIS_URL:
        yield settings.REDIS_URL
    else:
        with redis_server(tmp_path) as url:
            yield url


@pytest.mark.processes
def test_on_redis_every_priority_of_a_queue_is_counted(redis_url: str) -> None:
    broker = Celery("redis-queues", broker=redis_url, set_as_current=False)
    # A queue of its own, so nothing else using this Redis database is counted or touched.
    broker.conf.task_default_queue = queue = f"celery-metrics-test-{uuid.uuid4().hex}"
    try:
        assert queue_lengths(broker) == {queue: 0}
        for priority in (None, 0, 3, 9):  # kombu keeps priorities 3 and 9 under keys of their own
            broker.send_task("any.task", priority=priority)

        assert queue_lengths(broker) == {queue: 4}
    finally:
        with broker.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)


def test_an_unreachable_broker_keeps_the_last_count_and_says_why(logs) -> None:
    queue = f"celery-metrics-test-{uuid.uuid4().hex}"
    app = Celery("unreachable", broker=f"amqp://guest@127.0.0.1:{free_port()}//", set_as_current=False)
    app.conf.task_default_queue = queue
    app.conf.broker_connection_timeout = 1
    celery_metrics.celery_queue_length.labels(queue=queue).set(7)

    record_queue_lengths(app)

    assert _value("celery_queue_length", queue=queue) == 7
    assert "celery_queue_length_failed" in [line["event"] for line in logs.lines()]


def test_an_exporter_that_cannot_listen_is_logged_and_the_worker_goes_on(logs) -> None:
    with socket.socket() as taken:
        taken.bind((settings.CELERY_METRICS_ADDR, 0))
        taken.listen()
        port = taken.getsockname()[1]

        celery_metrics._start_exporter(port, "celery-worker")

    (line,) = logs.lines()
    assert line["event"] == "celery_metrics_exporter_failed"
    assert line["exporter"] == "celery-worker"
    assert line["port"] == port


def test_a_disabled_exporter_does_not_listen(logs) -> None:
    celery_metrics._start_exporter(0, "celery-beat")

    assert logs.lines() == []


@pytest.mark.processes
def test_live_gauges_of_processes_that_are_gone_are_dropped_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    gone, running = int(finished.stdout), os.getpid()
    for pid in (gone, running):
        (tmp_path / f"counter_{pid}.db").write_bytes(b"")
        (tmp_path / f"gauge_livesum_{pid}.db").write_bytes(b"")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    celery_metrics._mark_gone_processes_dead()

    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [f"counter_{gone}.db", f"counter_{running}.db", f"gauge_livesum_{running}.db"]
    )
