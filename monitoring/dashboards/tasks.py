"""Task: Celery workers and beat, queues, task runtimes and failures, and the reminder schedule."""

from assistant.core import thresholds
from monitoring.dashboards.base import DashboardSpec, Section
from monitoring.dashboards.panels import (
    HALF,
    HEALTH_STATES,
    NO_TRAFFIC_NO_RATIO,
    THIRD,
    UP_STATES,
    Prom,
    stat_panel,
    timeseries_panel,
)
from monitoring.dashboards.promql import aggregate, quantile, sum_increase, sum_rate
from monitoring.promql import ratio

RUNTIME = "celery_task_runtime_seconds"
FINISHED = 'state=~"succeeded|failed"'
CELERY_CHECKS = 'component=~"celery_workers|celery_beat|broker"'

WORKERS_ONLINE = aggregate("sum", "celery_workers_online")
BEAT_AGE = f"time() - {aggregate('max', 'celery_beat_last_tick_timestamp_seconds')}"
FAILURE_RATIO = ratio(
    sum_rate("celery_tasks_total", 'state="failed"', by=("task",), window="15m"),
    sum_rate("celery_tasks_total", FINISHED, by=("task",), window="15m"),
)


def sections() -> list[Section]:
    return [
        Section(
            "Workers",
            [
                stat_panel(
                    "Workers online",
                    "Celery worker processes up, summed over the worker exporters (celery_workers_online).",
                    Prom(WORKERS_ONLINE),
                    threshold=thresholds.CELERY_WORKERS_ONLINE,
                ),
                stat_panel(
                    "Beat last tick",
                    "Seconds since Celery beat last ticked (celery_beat_last_tick_timestamp_seconds).",
                    Prom(BEAT_AGE),
                    threshold=thresholds.CELERY_BEAT_STALE_SECONDS,
                ),
                stat_panel(
                    "Exporters up",
                    "Whether Prometheus reached the worker (:9808) and beat (:9809) metrics exporters.",
                    Prom(aggregate("min", "up", by=("job",)), "{{job}}"),
                    unit="short",
                    mappings=[UP_STATES],
                ),
                stat_panel(
                    "Celery health checks",
                    "The web app's health checks of the workers (ping), beat (heartbeat age) and "
                    "the broker: 1 healthy, 0.5 degraded, 0 unhealthy. Exported by the web app, so "
                    "not narrowed by the job variable.",
                    Prom(
                        aggregate("min", "health_check_status", CELERY_CHECKS, by=("component",), scope=()),
                        "{{component}}",
                    ),
                    threshold=thresholds.HEALTH_STATUS,
                    mappings=[HEALTH_STATES],
                ),
                timeseries_panel(
                    "Workers online over time",
                    "Celery worker processes up.",
                    Prom(WORKERS_ONLINE, "workers"),
                    threshold=thresholds.CELERY_WORKERS_ONLINE,
                ),
                timeseries_panel(
                    "Queue length",
                    "Messages waiting in each Celery queue of the broker.",
                    Prom(aggregate("max", "celery_queue_length", by=("queue",)), "{{queue}}"),
                    threshold=thresholds.CELERY_QUEUE_BACKLOG,
                ),
            ],
        ),
        Section(
            "Execution",
            [
                timeseries_panel(
                    "Tasks by state",
                    "Task events per second by state: received, started, succeeded, failed, "
                    "retried, rejected, revoked.",
                    Prom(sum_rate("celery_tasks_total", by=("state",)), "{{state}}"),
                    unit="ops",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Task runtime percentiles",
                    "p50, p95 and p99 of task runtime over every task.",
                    Prom(quantile(0.5, RUNTIME), "p50"),
                    Prom(quantile(0.95, RUNTIME), "p95"),
                    Prom(quantile(0.99, RUNTIME), "p99"),
                    unit="s",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Task runtime by task (p95)",
                    "95th percentile of runtime per task name.",
                    Prom(quantile(0.95, RUNTIME, by=("task",)), "{{task}}"),
                    unit="s",
                    width=THIRD,
                ),
            ],
        ),
        Section(
            "Failures",
            [
                timeseries_panel(
                    "Task failure ratio",
                    f"Share of finished tasks that failed, per task, last 15 minutes. {NO_TRAFFIC_NO_RATIO}",
                    Prom(FAILURE_RATIO, "{{task}}"),
                    unit="percentunit",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Failed tasks by task",
                    "Tasks that failed per second, per task.",
                    Prom(sum_rate("celery_tasks_total", 'state="failed"', by=("task",)), "{{task}}"),
                    unit="ops",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Task retries",
                    "Retries per second, per task: transient errors being retried with backoff.",
                    Prom(sum_rate("celery_task_retries_total", by=("task",)), "{{task}}"),
                    unit="ops",
                    width=THIRD,
                ),
            ],
        ),
        Section(
            "Schedule",
            [
                timeseries_panel(
                    "Seconds since beat ticked",
                    "Age of Celery beat's last tick: it should stay under its tick interval.",
                    Prom(BEAT_AGE, "beat"),
                    threshold=thresholds.CELERY_BEAT_STALE_SECONDS,
                    width=THIRD,
                ),
                timeseries_panel(
                    "Scheduled tasks sent per hour",
                    "Tasks beat sent per hour, per task: each periodic task should keep its pace.",
                    Prom(sum_increase("celery_beat_tasks_sent_total", by=("task",)), "{{task}}"),
                    unit="short",
                    stacked=True,
                    width=THIRD,
                ),
                timeseries_panel(
                    "Reminder delivery lag (p95)",
                    "95th percentile of how late reminders went out (sent minus due), last 15 "
                    "minutes: the schedule's adherence as users feel it.",
                    Prom(quantile(0.95, "reminder_delivery_lag_seconds", window="15m"), "p95 lag"),
                    threshold=thresholds.REMINDER_DELIVERY_LAG_P95,
                    width=THIRD,
                ),
                timeseries_panel(
                    "Reminder dispatch duration (p95)",
                    "95th percentile of one reminders dispatcher run (every 30 s).",
                    Prom(quantile(0.95, "reminder_dispatch_duration_seconds"), "p95"),
                    unit="s",
                    width=HALF,
                ),
                timeseries_panel(
                    "Reminders sent by result",
                    "Reminder deliveries per hour by channel and result: sent, retry, failed.",
                    Prom(
                        sum_increase("reminder_sent_total", by=("channel", "result")),
                        "{{channel}} {{result}}",
                    ),
                    unit="short",
                    stacked=True,
                    width=HALF,
                ),
            ],
        ),
    ]


DASHBOARD = DashboardSpec(
    slug="tasks",
    title="Tasks",
    description="Background task processing: Celery workers and beat, queues, runtimes, failures, schedule.",
    guide_section="Task Dashboard",
    jobs="celery-worker|celery-beat",
    key_metrics={
        "Celery worker health": (
            "Workers online",
            "Exporters up",
            "Celery health checks",
            "Workers online over time",
        ),
        "Task queue lengths": ("Queue length",),
        "Task execution times": ("Task runtime percentiles", "Task runtime by task (p95)"),
        "Failed task rates": ("Task failure ratio", "Failed tasks by task", "Task retries", "Tasks by state"),
        "Scheduled task performance": (
            "Beat last tick",
            "Seconds since beat ticked",
            "Scheduled tasks sent per hour",
            "Reminder delivery lag (p95)",
            "Reminder dispatch duration (p95)",
            "Reminders sent by result",
        ),
    },
    sections=sections,
)
