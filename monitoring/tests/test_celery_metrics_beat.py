"""Beat's scheduler records that beat is alive (a gauge and the Heartbeat row the health checks
read) and counts what it sends: in this process, then as a real `celery beat`."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.beat import ScheduleEntry
from django.db import DatabaseError, connection
from django.utils import timezone
from prometheus_client import REGISTRY

from config.celery_app import app
from monitoring.beat import HEARTBEAT_INTERVAL_SECONDS, MonitoredDatabaseScheduler
from monitoring.celery_metrics import OTHER_TASK
from monitoring.models import Heartbeat
from monitoring.tests.test_celery_metrics_support import PREFIX, SUCCEED, CeleryProcess, free_port
from tests.metrics import created_by_beat, documented_series

REMINDERS_DISPATCH = "assistant.planner.tasks.reminders_dispatch"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def scheduler(transactional_db, clock: FakeClock) -> MonitoredDatabaseScheduler:
    # transactional_db: django-celery-beat closes "old" connections as it reads the schedule,
    # which would end the transaction a plain `db` test runs in.
    # lazy: no schedule installed, so a tick finds nothing due and sends nothing.
    scheduler = MonitoredDatabaseScheduler(app=app, lazy=True)
    scheduler.clock = clock
    return scheduler


def _last_tick() -> float | None:
    return REGISTRY.get_sample_value("celery_beat_last_tick_timestamp_seconds")


def _beat_at() -> datetime:
    return Heartbeat.objects.get(name="beat").beat_at


def test_a_tick_records_when_it_happened_and_writes_the_heartbeat(
    scheduler: MonitoredDatabaseScheduler,
) -> None:
    before = time.time()

    delay = scheduler.tick()

    assert delay == scheduler.max_interval
    assert before <= _last_tick() <= time.time()
    assert timezone.now() - _beat_at() < timedelta(seconds=5)


def test_the_heartbeat_is_written_at_most_once_per_interval(
    scheduler: MonitoredDatabaseScheduler, clock: FakeClock
) -> None:
    scheduler.tick()
    long_ago = timezone.now() - timedelta(hours=1)
    Heartbeat.objects.filter(name="beat").update(beat_at=long_ago)

    clock.now += HEARTBEAT_INTERVAL_SECONDS - 1
    scheduler.tick()
    assert _beat_at() == long_ago

    clock.now += 1
    scheduler.tick()
    assert timezone.now() - _beat_at() < timedelta(seconds=5)
    assert Heartbeat.objects.count() == 1


def test_beat_goes_on_ticking_when_the_heartbeat_cannot_be_written(
    scheduler: MonitoredDatabaseScheduler, monkeypatch: pytest.MonkeyPatch, logs
) -> None:
    def database_down(**kwargs: object) -> None:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(Heartbeat.objects, "update_or_create", database_down)
    before = time.time()

    assert scheduler.tick() == scheduler.max_interval

    assert _last_tick() >= before
    assert "beat_heartbeat_failed" in [line["event"] for line in logs.lines()]


def test_each_task_beat_sends_is_counted(scheduler: MonitoredDatabaseScheduler) -> None:
    sent = REGISTRY.get_sample_value("celery_beat_tasks_sent_total", {"task": SUCCEED}) or 0
    entry = ScheduleEntry(name="every-second", task=SUCCEED, schedule=timedelta(seconds=1), app=app)

    scheduler.apply_async(entry, advance=False)  # the test settings run it eagerly

    assert REGISTRY.get_sample_value("celery_beat_tasks_sent_total", {"task": SUCCEED}) == sent + 1


# --- A real `celery beat` -------------------------------------------------------------------


def _test_database_url() -> str:
    """The database this test runs on (pytest-django's test_… one), for a subprocess to share."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@"
    return f"postgres://{credentials}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.processes
def test_celery_beat_exports_its_ticks_sends_and_queue_and_writes_the_heartbeat(
    transactional_db, tmp_path: Path
) -> None:
    port = free_port()
    beat = CeleryProcess(
        ["beat", "--loglevel=WARNING"],
        tmp_path,
        port,
        DATABASE_URL=_test_database_url(),
        CELERY_BEAT_METRICS_PORT=str(port),
        SERVICE_NAME="celery-beat",
        # The reminder dispatcher becomes due every second: beat sends something at once.
        REMINDER_DISPATCH_INTERVAL_SECONDS="1",
    )
    started = time.time()

    with beat:
        # No worker runs: what beat sends waits in the queue, and beat's own sampler sees it.
        samples = beat.wait_for(
            lambda samples: (
                (samples("celery_beat_tasks_sent_total", task=REMINDERS_DISPATCH) or 0) >= 1
                and (samples("celery_queue_length", queue="celery") or 0) >= 1
            ),
            "a task sent and waiting in the queue",
        )

    assert samples("celery_beat_last_tick_timestamp_seconds") >= started
    assert samples("celery_queue_length", queue="celery") <= samples(
        "celery_beat_tasks_sent_total", task=REMINDERS_DISPATCH
    )
    assert _beat_at() >= datetime.fromtimestamp(started, tz=UTC)
    # Beat created its sent counter for every task it could send (and other) as it started.
    app.loader.import_default_modules()
    tasks = [*(name for name in app.tasks if not name.startswith(PREFIX)), OTHER_TASK]
    expected = documented_series(include=created_by_beat, open_values={"task": tasks})
    assert len(expected) == len(tasks)
    assert sorted(series for series in expected if series not in samples.values) == []
