"""Celery beat's scheduler (CELERY_BEAT_SCHEDULER): django-celery-beat's, plus signs of life."""

import logging
import time
from collections.abc import Callable
from typing import Any

from celery.beat import ScheduleEntry
from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler
from prometheus_client import Gauge

from monitoring.celery_metrics import celery_beat_tasks_sent_total, task_label
from monitoring.models import Heartbeat

logger = logging.getLogger(__name__)

# Defined here, where only beat (which loads this scheduler) creates it: a gauge without labels
# is exported, at 0, by every process that defines it, and a worker or the web server saying
# "beat last ticked in 1970" would hide that beat's series is missing.
celery_beat_last_tick_timestamp_seconds = Gauge(
    "celery_beat_last_tick_timestamp_seconds",
    "Unix time of beat's last scheduler tick (at least every 5 s while beat runs).",
    # Kept after beat exits, so a dead beat shows as a timestamp that stops moving.
    multiprocess_mode="max",
)

HEARTBEAT_NAME = "beat"
# Beat ticks at least every 5 s; one write every 15 s is plenty for a check that alarms after
# minutes (thresholds.CELERY_BEAT_STALE_SECONDS), and keeps the database out of every tick.
HEARTBEAT_INTERVAL_SECONDS = 15.0


class MonitoredDatabaseScheduler(DatabaseScheduler):
    """Each tick sets celery_beat_last_tick_timestamp_seconds and, at most every
    HEARTBEAT_INTERVAL_SECONDS, writes Heartbeat("beat"), whose age the health checks read;
    each task sent counts in celery_beat_tasks_sent_total."""

    # Measures the interval between heartbeats; tests replace it.
    clock: Callable[[], float] = staticmethod(time.monotonic)
    _heartbeat_written_at: float | None = None

    def tick(self, *args: Any, **kwargs: Any) -> float:
        delay = super().tick(*args, **kwargs)
        celery_beat_last_tick_timestamp_seconds.set_to_current_time()
        self._write_heartbeat_if_due()
        return delay

    def apply_async(
        self, entry: ScheduleEntry, producer: Any = None, advance: bool = True, **kwargs: Any
    ) -> Any:
        # Counted once the message is out: a failed send raises SchedulingError here.
        result = super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        celery_beat_tasks_sent_total.labels(task=task_label(entry.task)).inc()
        return result

    def _write_heartbeat_if_due(self) -> None:
        now = self.clock()
        if (
            self._heartbeat_written_at is not None
            and now - self._heartbeat_written_at < HEARTBEAT_INTERVAL_SECONDS
        ):
            return
        try:
            Heartbeat.objects.update_or_create(name=HEARTBEAT_NAME, defaults={"beat_at": timezone.now()})
        except DatabaseError:
            # Beat keeps scheduling; the heartbeat's age grows and the health check says so.
            logger.warning(
                "Could not record beat's heartbeat", exc_info=True, extra={"event": "beat_heartbeat_failed"}
            )
            close_old_connections()  # the next attempt gets a fresh connection
            return
        self._heartbeat_written_at = now
