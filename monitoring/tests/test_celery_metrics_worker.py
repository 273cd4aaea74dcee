"""A real prefork worker (two pool processes) on a broker in a temporary folder: its exporter
serves what the pool's children counted, summed, and its log lines say what went wrong."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest, multiprocess

from config.celery_app import app
from monitoring.celery_metrics import OTHER_TASK, queue_lengths
from monitoring.tests.test_celery_metrics_support import (
    FAIL,
    PREFIX,
    RENDEZVOUS,
    RETRY_ONCE,
    SUCCEED,
    CeleryProcess,
    Samples,
    filesystem_broker,
    free_port,
)
from tests.metrics import assert_exported_at_zero, created_by_worker, documented_series

TASKS = "celery_tasks_total"
RUNTIMES = "celery_task_runtime_seconds_count"
UNREGISTERED = "monitoring.tests.celery_metrics.never_registered"
PRIVATE_NOTE = "private-note-8817"  # an argument no line of ours may repeat


def _enqueue_one_of_each(broker_folder: Path, meeting: Path) -> None:
    broker = filesystem_broker(broker_folder)
    for _ in range(2):
        broker.send_task(RENDEZVOUS, args=[str(meeting), 2])
    broker.send_task(FAIL, args=[PRIVATE_NOTE])
    broker.send_task(RETRY_ONCE)
    broker.send_task(SUCCEED, expires=datetime.now(UTC) - timedelta(minutes=1))
    broker.send_task(UNREGISTERED)


def _all_settled(samples: Samples) -> bool:
    return (
        samples(TASKS, task=RENDEZVOUS, state="succeeded") == 2
        and samples(TASKS, task=FAIL, state="failed") == 1
        and samples(TASKS, task=RETRY_ONCE, state="succeeded") == 1
        and samples(TASKS, task=SUCCEED, state="revoked") == 1
        and samples(TASKS, task="other", state="rejected") == 1
        and samples("celery_queue_length", queue="celery") == 0
        # A runtime is observed after the outcome is counted (task_postrun follows task_success).
        and samples(RUNTIMES, task=RETRY_ONCE) == 2
    )


def _task_lines(log: str) -> list[dict]:
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "celery_task"]


@dataclass
class WorkerRun:
    """What one worker did with one of each kind of task, read while it ran and once stopped."""

    samples: Samples
    after_stop: Samples
    log: str
    returncode: int
    main_pid: int
    rendezvous_pids: set[int]
    metric_file_pids: set[int]


@pytest.fixture(scope="module")
def worker_run(tmp_path_factory: pytest.TempPathFactory) -> WorkerRun:
    tmp_path = tmp_path_factory.mktemp("worker")
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    _enqueue_one_of_each(tmp_path / "queue", meeting)
    worker = CeleryProcess(
        [
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--loglevel=WARNING",
            # The test-only tasks; gossip and mingle only slow the start down.
            "--include=monitoring.tests.test_celery_metrics_support",
            "--without-gossip",
            "--without-mingle",
        ],
        tmp_path,
        port := free_port(),
        CELERY_WORKER_METRICS_PORT=str(port),
        SERVICE_NAME="celery-worker",
    )
    with worker:
        samples = worker.wait_for(_all_settled, "every task settled and the queue empty")
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(worker.multiproc_dir))
    return WorkerRun(
        samples=samples,
        after_stop=Samples(generate_latest(registry).decode()),
        log=worker.output(),
        returncode=worker.process.returncode,
        main_pid=worker.process.pid,
        rendezvous_pids={int(path.name) for path in meeting.iterdir()},
        metric_file_pids={int(path.stem.rpartition("_")[2]) for path in worker.multiproc_dir.glob("*.db")},
    )


def test_queued_messages_are_counted_while_no_worker_runs(tmp_path: Path) -> None:
    _enqueue_one_of_each(tmp_path / "queue", tmp_path)

    assert queue_lengths(filesystem_broker(tmp_path / "queue")) == {"celery": 6}


@pytest.mark.processes
def test_the_worker_exports_every_state_summed_over_its_pool_processes(worker_run: WorkerRun) -> None:
    samples = worker_run.samples
    assert samples("celery_workers_online") == 1
    # Both rendezvous ran at once, so in the two pool processes, which wrote their own files.
    assert len(worker_run.rendezvous_pids) == 2
    assert worker_run.main_pid not in worker_run.rendezvous_pids
    assert worker_run.rendezvous_pids <= worker_run.metric_file_pids
    expected = {
        (RENDEZVOUS, "received"): 2,
        (RENDEZVOUS, "started"): 2,
        (RENDEZVOUS, "succeeded"): 2,
        (FAIL, "received"): 1,
        (FAIL, "started"): 1,
        (FAIL, "failed"): 1,
        # The retry is a second message for the same task.
        (RETRY_ONCE, "received"): 2,
        (RETRY_ONCE, "started"): 2,
        (RETRY_ONCE, "retried"): 1,
        (RETRY_ONCE, "succeeded"): 1,
        # Expired before it arrived: revoked on receipt, never started.
        (SUCCEED, "revoked"): 1,
        ("other", "rejected"): 1,
    }
    exported = {
        (dict(labels)["task"], dict(labels)["state"]): value
        for (name, labels), value in samples.values.items()
        if name == TASKS and value
    }
    assert exported == expected
    assert samples("celery_task_retries_total", task=RETRY_ONCE) == 1
    assert samples(RUNTIMES, task=RENDEZVOUS) == 2
    assert samples(RUNTIMES, task=FAIL) == 1
    assert samples(RUNTIMES, task=RETRY_ONCE) == 2
    assert samples("celery_task_runtime_seconds_sum", task=RENDEZVOUS) > 0


@pytest.mark.processes
def test_failures_and_retries_log_one_line_each_without_arguments(worker_run: WorkerRun) -> None:
    lines = _task_lines(worker_run.log)
    by_state = {line["state"]: line for line in lines}

    assert len(lines) == 2, lines
    assert by_state["failed"]["task"] == FAIL
    assert by_state["failed"]["exception"] == "ValueError"
    assert by_state["failed"]["level"] == "ERROR"
    assert by_state["retried"]["task"] == RETRY_ONCE
    assert by_state["retried"]["exception"] == "ConnectionError"
    assert by_state["retried"]["level"] == "WARNING"
    for line in lines:
        assert line["service"] == "celery-worker"
        assert isinstance(line["task_id"], str)
        assert line["task_id"]
        assert line["duration_ms"] >= 0
        assert not {"args", "kwargs"} & line.keys()
        assert PRIVATE_NOTE not in json.dumps(line)


@pytest.mark.processes
def test_a_stopped_worker_is_no_longer_online_and_its_counts_stay(worker_run: WorkerRun) -> None:
    assert worker_run.returncode == 0, worker_run.log
    assert worker_run.after_stop("celery_workers_online") is None
    assert worker_run.after_stop("celery_queue_length", queue="celery") is None
    assert worker_run.after_stop(TASKS, task=RENDEZVOUS, state="succeeded") == 2
    assert worker_run.after_stop(RUNTIMES, task=RETRY_ONCE) == 2


@pytest.mark.processes
def test_a_fresh_worker_exports_every_task_in_every_state_at_0(tmp_path: Path) -> None:
    """Before its first message, the worker has created every documented combination, with each
    task it registered (and other) in every state: a first failure is an increase from 0,
    which CeleryTaskFailures sees."""
    worker = CeleryProcess(
        ["worker", "--pool=prefork", "--concurrency=1", "--without-gossip", "--without-mingle"],
        tmp_path,
        port := free_port(),
        CELERY_WORKER_METRICS_PORT=str(port),
        SERVICE_NAME="celery-worker",
    )
    with worker:
        samples = worker.wait_for(lambda samples: samples("celery_workers_online") == 1, "the worker ready")
    # What the worker registers: every app's tasks, as its loader imports them (not this
    # module's test tasks, which only a worker started with --include has).
    app.loader.import_default_modules()
    tasks = [*(name for name in app.tasks if not name.startswith(PREFIX)), OTHER_TASK]

    expected = documented_series(include=created_by_worker, open_values={"task": tasks})

    assert (
        "celery_tasks_total",
        frozenset({("task", "assistant.planner.tasks.reminders_dispatch"), ("state", "failed")}),
    ) in expected
    assert_exported_at_zero(expected, samples.values)
