"""What the Celery metrics tests share (no tests here): tasks that only a test worker runs
(it imports this module with `--include`), a broker in a temporary folder, and a `celery`
subprocess with its metrics exporter."""

import os
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from celery import Celery, Task, shared_task
from prometheus_client.parser import text_string_to_metric_families

from deploy.local.processes import Process
from tests.services import free_port  # noqa: F401 - re-exported for the Celery tests

PREFIX = "monitoring.tests.celery_metrics."
RENDEZVOUS = PREFIX + "rendezvous"
FAIL = PREFIX + "fail"
RETRY_ONCE = PREFIX + "retry_once"
SUCCEED = PREFIX + "succeed"


@shared_task(name=RENDEZVOUS)
def rendezvous(directory: str, parties: int) -> None:
    """Returns once `parties` of these run at the same time, which takes as many processes."""
    Path(directory, str(os.getpid())).touch()
    deadline = time.monotonic() + 30
    while len(os.listdir(directory)) < parties:
        if time.monotonic() > deadline:
            raise TimeoutError("the other tasks of the rendezvous never started")
        time.sleep(0.02)  # waiting on another process: there is no event to wait on


@shared_task(name=FAIL)
def fail(note: str) -> None:
    raise ValueError(f"failing on purpose with {note}")


@shared_task(bind=True, name=RETRY_ONCE, max_retries=1)
def retry_once(self: Task) -> None:
    if not self.request.retries:
        raise self.retry(countdown=0, exc=ConnectionError("transient"))


@shared_task(name=SUCCEED)
def succeed() -> None:
    return None


def filesystem_broker(folder: Path) -> Celery:
    """A Celery app on the filesystem transport in `folder`, laid out as the settings lay out
    CELERY_FILESYSTEM_DIR, so it sends to (and counts) what a worker started on it reads."""
    folder.mkdir(parents=True, exist_ok=True)
    app = Celery("celery-metrics-tests", broker="filesystem://", set_as_current=False)
    app.conf.broker_transport_options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(folder / "control"),
    }
    return app


class Samples:
    """One scrape, read by exact name and labels: `samples("celery_tasks_total", task=..., state=...)`."""

    def __init__(self, exposition: str) -> None:
        self.values = {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(exposition)
            for sample in family.samples
        }

    def __call__(self, name: str, **labels: str) -> float | None:
        return self.values.get((name, frozenset(labels.items())))


class CeleryProcess(Process):
    """`celery -A config <command>` with the embedded settings on a temporary broker folder and
    metrics directory (and database, unless `env` names one); its output goes to a file the
    failures show."""

    def __init__(self, command: list[str], tmp_path: Path, port: int, **env: str) -> None:
        name = command[0]  # worker, beat
        self.port = port
        self.multiproc_dir = tmp_path / f"multiproc-{name}"
        self.multiproc_dir.mkdir()
        inherited = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
        }
        super().__init__(
            f"celery {name}",
            [sys.executable, "-m", "celery", "-A", "config", *command],
            env={
                **inherited,
                "DJANGO_SETTINGS_MODULE": "config.settings.local",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                "CELERY_FILESYSTEM_DIR": str(tmp_path / "queue"),
                "PROMETHEUS_MULTIPROC_DIR": str(self.multiproc_dir),
                "CELERY_METRICS_ADDR": "127.0.0.1",
                "CELERY_QUEUE_LENGTH_INTERVAL_SECONDS": "0.2",
                "LOG_LEVEL": "WARNING",
                **env,
            },
            log=tmp_path / f"{name}.log",
        )

    def scrape(self) -> Samples | None:
        """The exporter's metrics, or None while it does not answer yet."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5) as response:
                return Samples(response.read().decode())
        except OSError:
            return None

    def wait_for(self, condition: Callable[[Samples], bool], what: str, seconds: float = 60) -> Samples:
        """Scrape until `condition` holds; fail at once if the process exits, or at the deadline."""

        def matching_scrape() -> Samples | None:
            samples = self.scrape()
            return samples if samples is not None and condition(samples) else None

        return self.wait_until(matching_scrape, what, timeout=seconds, pause=0.1)
