"""Celery's metrics: tasks by state, runtimes, retries, queue lengths, workers online, beat.

Celery's signals feed them in whichever process sees each event: a task is `received`,
`rejected` or `revoked` in the worker's main process, and `started`, `succeeded`, `failed`
or `retried` (with its runtime) in the pool child that ran it, or in the web process for a
task run eagerly. With PROMETHEUS_MULTIPROC_DIR set, each process writes its own files there
and an exporter serves their sum: the worker's main process on CELERY_WORKER_METRICS_PORT,
beat on CELERY_BEAT_METRICS_PORT. docs/monitoring.md ("Celery") has the deployment side.

MonitoringConfig.ready() imports this module, which connects the handlers in every process
that sets Django up: web, and the worker and beat through Celery's Django fixup (django.setup()
when they load their modules, before worker_init and beat_init). None of them touches the
database.
"""

import logging
import os
import threading
import time
from enum import StrEnum
from pathlib import Path
from typing import Any

from celery import Celery, Task, current_app, signals
from django.conf import settings
from kombu import Connection
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.exposition import start_http_server

from assistant.core.metric_labels import labels_zero_init

logger = logging.getLogger(__name__)

OTHER_TASK = "other"


class TaskState(StrEnum):
    """The `state` label of celery_tasks_total."""

    RECEIVED = "received"
    STARTED = "started"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RETRIED = "retried"
    REJECTED = "rejected"
    REVOKED = "revoked"


celery_tasks_total = Counter(
    "celery_tasks_total",
    "Tasks by registered name (other for any name the app does not know) and state "
    "(received, started, succeeded, failed, retried, rejected, revoked).",
    ["task", "state"],
)
celery_task_runtime_seconds = Histogram(
    "celery_task_runtime_seconds",
    "Time a task ran in the worker process that ran it, by task, whatever its outcome.",
    ["task"],
    # From a quick lookup up to CELERY_TASK_TIME_LIMIT (300 s).
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
celery_task_retries_total = Counter(
    "celery_task_retries_total", "Retries a task asked for (Task.retry), by task.", ["task"]
)
celery_queue_length = Gauge(
    "celery_queue_length",
    "Messages waiting in a queue (not yet taken by a worker), counted every "
    "CELERY_QUEUE_LENGTH_INTERVAL_SECONDS by each worker and by beat.",
    ["queue"],
    # Every sampler measures the same broker: the latest measurement of a live one is the answer.
    multiprocess_mode="livemostrecent",
)
celery_workers_online = Gauge(
    "celery_workers_online",
    "Celery workers (one per `celery worker` command, whatever its concurrency) ready to take tasks.",
    multiprocess_mode="livesum",
)
# (celery_beat_last_tick_timestamp_seconds is in monitoring/beat.py, which says why.)
celery_beat_tasks_sent_total = Counter(
    "celery_beat_tasks_sent_total", "Periodic tasks beat sent to the broker, by task.", ["task"]
)


def task_label(name: str | None) -> str:
    """The `task` label: a registered task's name, else "other", so an unknown message or a
    mistyped beat entry cannot grow the label set."""
    return name if name and name in current_app.tasks else OTHER_TASK


def task_labels(app: Celery) -> list[str]:
    """Every value the `task` label can take in `app`: its registered tasks, and "other"."""
    return [*app.tasks, OTHER_TASK]


def _count(task_name: str | None, state: TaskState) -> None:
    celery_tasks_total.labels(task=task_label(task_name), state=state).inc()


# --- Tasks ----------------------------------------------------------------------------------

# When each running task started, by task id, in the process that runs it.
_started_at: dict[str, float] = {}


def _elapsed_ms(task_id: str) -> float | None:
    started = _started_at.get(task_id)
    return None if started is None else round((time.monotonic() - started) * 1000, 1)


def _log_task(
    level: int, task: Task[Any, Any], task_id: str, state: str, exception: BaseException | None
) -> None:
    """One line per failure or retry. Never the arguments: they may hold personal data."""
    logger.log(
        level,
        "Celery task %s %s",
        task.name,
        state,
        extra={
            "event": "celery_task",
            "task": task.name,
            "state": state,
            "task_id": task_id,
            "duration_ms": _elapsed_ms(task_id),
            # The class only: an exception's message may quote the arguments.
            "exception": type(exception).__name__ if exception is not None else None,
        },
    )


@signals.task_received.connect
def _on_task_received(request: Any, **_: object) -> None:
    _count(request.task.name, TaskState.RECEIVED)


@signals.task_prerun.connect
def _on_task_prerun(task_id: str, task: Task[Any, Any], **_: object) -> None:
    _started_at[task_id] = time.monotonic()
    _count(task.name, TaskState.STARTED)


@signals.task_success.connect
def _on_task_success(sender: Task[Any, Any], **_: object) -> None:
    _count(sender.name, TaskState.SUCCEEDED)


@signals.task_failure.connect
def _on_task_failure(sender: Task[Any, Any], task_id: str, exception: BaseException, **_: object) -> None:
    _count(sender.name, TaskState.FAILED)
    _log_task(logging.ERROR, sender, task_id, "failed", exception)


@signals.task_retry.connect
def _on_task_retry(sender: Task[Any, Any], request: Any, reason: Any, **_: object) -> None:
    _count(sender.name, TaskState.RETRIED)
    celery_task_retries_total.labels(task=task_label(sender.name)).inc()
    # `reason` is the Retry exception, which carries the error that caused it (if any).
    _log_task(logging.WARNING, sender, request.id, "retried", getattr(reason, "exc", None))


@signals.task_postrun.connect
def _on_task_postrun(task_id: str, task: Task[Any, Any], **_: object) -> None:
    started = _started_at.pop(task_id, None)
    if started is not None:
        celery_task_runtime_seconds.labels(task=task_label(task.name)).observe(time.monotonic() - started)


@signals.task_revoked.connect
def _on_task_revoked(sender: Task[Any, Any], **_: object) -> None:
    _count(sender.name, TaskState.REVOKED)


@signals.task_rejected.connect
def _on_task_rejected(message: Any, **_: object) -> None:
    """A message that is not a task at all."""
    _count((message.headers or {}).get("task"), TaskState.REJECTED)


@signals.task_unknown.connect
def _on_task_unknown(name: str, **_: object) -> None:
    """A task this worker has not registered: the message is rejected too."""
    _count(name, TaskState.REJECTED)


# --- Queue lengths --------------------------------------------------------------------------


def _queue_name(queue: Any) -> str | None:
    """A kombu Queue's name, or the name itself (task_routes may give either, or a dict)."""
    if isinstance(queue, dict):
        queue = queue.get("queue")
    name = getattr(queue, "name", queue)
    return name if isinstance(name, str) and name else None


def monitored_queues(app: Celery) -> list[str]:
    """The default queue plus every queue the configuration names: task_queues and the dict
    tables of task_routes (where a router function sends tasks cannot be known in advance)."""
    routes = app.conf.task_routes
    tables = routes if isinstance(routes, list | tuple) else [routes]
    names = {app.conf.task_default_queue, *map(_queue_name, app.conf.task_queues or ())}
    for table in tables:
        if isinstance(table, dict):
            names.update(map(_queue_name, table.values()))
    return sorted(name for name in names if name)


def _waiting(connection: Connection, queue: str) -> int:
    # A channel per queue: RabbitMQ closes the channel that asked about a missing queue.
    with connection.channel() as channel:
        try:
            # kombu types channel() as StdChannel, which lacks queue_declare; every transport's has it.
            declared = channel.queue_declare(queue=queue, passive=True)  # type: ignore[attr-defined]
            count: int = declared.message_count
            return count
        except connection.channel_errors:
            return 0  # never declared (or, on Redis, empty and so without a key): nothing waits


def queue_lengths(app: Celery) -> dict[str, int]:
    """Messages waiting in each monitored queue, asked by passive declaration. kombu answers
    with the broker's own count on RabbitMQ, the LLEN of the queue's key and of its priority
    keys (`celery`, `celery\\x06\\x163`, ...) on Redis, and the message files in the folder on
    the filesystem transport. One short connection per call."""
    with app.connection_for_read() as connection:
        return {queue: _waiting(connection, queue) for queue in monitored_queues(app)}


# prometheus_client guards its multiprocess files with one lock per process. Were billiard
# to fork a pool child while the sampler thread held it, the child would inherit it locked and
# hang at its first metric: forks wait for the sampler's writes instead.
_sampler_writing = threading.Lock()
_stop_sampling = threading.Event()


def record_queue_lengths(app: Celery) -> None:
    try:
        lengths = queue_lengths(app)
    except Exception:  # whatever the broker raises, the sampler must live to try again
        logger.warning(
            "Could not count queued Celery tasks",
            exc_info=True,
            extra={"event": "celery_queue_length_failed"},
        )
        return
    with _sampler_writing:
        for queue, length in lengths.items():
            celery_queue_length.labels(queue=queue).set(length)


def _sample_until_stopped(app: Celery, interval: float) -> None:
    while not _stop_sampling.is_set():
        record_queue_lengths(app)
        _stop_sampling.wait(interval)


def _start_queue_sampler(app: Celery) -> None:
    """Counting on a timer rather than per scrape: several Prometheus servers, or a burst of
    scrapes, still cost one broker call per queue per interval."""
    interval = settings.CELERY_QUEUE_LENGTH_INTERVAL_SECONDS
    if interval <= 0:
        return
    os.register_at_fork(
        before=_sampler_writing.acquire,
        after_in_parent=_sampler_writing.release,
        after_in_child=_sampler_writing.release,
    )
    threading.Thread(
        target=_sample_until_stopped, args=(app, interval), name="celery-queue-length", daemon=True
    ).start()


# --- Exporters and process bookkeeping ------------------------------------------------------


def _multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exporter_registry() -> CollectorRegistry:
    """What an exporter serves: every process's files in multiprocess mode, else this process's
    own metrics (right for a single process: beat, or a worker with `--pool=solo`)."""
    directory = _multiprocess_dir()
    if not directory:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    return registry


def _start_exporter(port: int, exporter: str) -> None:
    if not port:
        return
    address = settings.CELERY_METRICS_ADDR
    details = {"exporter": exporter, "address": address, "port": port}
    try:
        start_http_server(port, addr=address, registry=exporter_registry())
    except OSError:
        # The worker still works without it; Prometheus reports the target down.
        logger.exception(
            "Celery metrics exporter could not start",
            extra={"event": "celery_metrics_exporter_failed", **details},
        )
        return
    logger.info(
        "Celery metrics exporter listening", extra={"event": "celery_metrics_exporter_started", **details}
    )


def _pid_of(metric_file: Path) -> int | None:
    """`counter_1234.db`, `gauge_livesum_1234.db` -> 1234."""
    pid = metric_file.stem.rpartition("_")[2]
    return int(pid) if pid.isdigit() else None


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running
        return True
    return True


def _mark_dead(pid: int) -> None:
    """Drop a finished process's live gauges; its counters stay, so totals never go back."""
    if _multiprocess_dir():
        multiprocess.mark_process_dead(pid)


def _mark_gone_processes_dead() -> None:
    """Live gauges of processes that ended without saying so (killed, or the previous run of a
    restarted container, which keeps its directory) would still be summed: a worker online
    that is not. Running processes, such as the web server's in scripts/run, are left alone."""
    directory = _multiprocess_dir()
    if not directory:
        return
    for pid in {_pid_of(path) for path in Path(directory).glob("gauge_live*.db")}:
        if pid is not None and not _is_running(pid):
            _mark_dead(pid)


def _warn_if_children_unseen(consumer: Any) -> None:
    if not _multiprocess_dir() and type(consumer.pool).__module__ == "celery.concurrency.prefork":
        logger.warning(
            "PROMETHEUS_MULTIPROC_DIR is not set: the metrics of the pool's child processes, which "
            "run the tasks, are not exported",
            extra={"event": "celery_metrics_single_process"},
        )


@signals.worker_init.connect
def _on_worker_init(sender: Any, **_: object) -> None:
    _mark_gone_processes_dead()
    # Every task the worker can run, in every state, at 0 before the first message: the first
    # failure is then an increase that CeleryTaskFailures sees. Celery's loader has imported
    # every app's tasks by now; the pool's children, forked later, count into the same sums.
    tasks = task_labels(sender.app)
    labels_zero_init(celery_tasks_total, task=tasks, state=[state.value for state in TaskState])
    labels_zero_init(celery_task_runtime_seconds, task=tasks)
    labels_zero_init(celery_task_retries_total, task=tasks)


@signals.worker_ready.connect
def _on_worker_ready(sender: Any, **_: object) -> None:
    celery_workers_online.set(1)
    _warn_if_children_unseen(sender)
    _start_exporter(settings.CELERY_WORKER_METRICS_PORT, "celery-worker")
    _start_queue_sampler(sender.app)


@signals.worker_shutdown.connect
def _on_worker_shutdown(**_: object) -> None:
    _stop_sampling.set()
    celery_workers_online.set(0)
    _mark_dead(os.getpid())


@signals.worker_process_shutdown.connect
def _on_worker_process_shutdown(pid: int, **_: object) -> None:
    # Sent by a pool child as it exits (a killed child never says so, but children write no
    # live gauges of their own).
    _mark_dead(pid)


@signals.beat_init.connect
def _on_beat_init(sender: Any, **_: object) -> None:
    _mark_gone_processes_dead()
    labels_zero_init(celery_beat_tasks_sent_total, task=task_labels(sender.app))
    _start_exporter(settings.CELERY_BEAT_METRICS_PORT, "celery-beat")
    _start_queue_sampler(sender.app)
