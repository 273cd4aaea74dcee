"""Health at boot: gunicorn with the shipped configuration and two workers, in front of a real
database, Redis (cache and broker, as shipped) and a running Celery worker and beat, reports
every component healthy from the very first answer on.

Each worker starts its checks in the background as it boots (post_worker_init) while the first
requests arrive; checks that imported redis-py and kombu in their own threads at that moment
raced in the import system (ImportError from a half-initialised module, or _DeadlockError) and
reported the cache, the broker and the workers unhealthy while all were up.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from django.conf import settings
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from deploy.local.processes import Process, run, stop_all, wait_until
from deploy.local.stack import VENV_BIN, Database, Service, production_env
from tests.metrics import sample_sum
from tests.services import free_port, redis_server

pytestmark = pytest.mark.processes

# Results are fresh for 1 s instead of 5, so that each worker runs its checks many times while
# the test polls.
CACHE_SECONDS = "1"
# Each worker answers this many /health/overall, and this many runs are seen in all, before the
# test ends.
ANSWERS_PER_WORKER = 8
RUNS_SEEN = 12

_BOOTED = re.compile(r"Booting worker with pid: (\d+)")
_METRIC_FILE = re.compile(r"_(\d+)\.db$")
HEALTH_ANSWERS = "django_http_responses_total_by_status_view_method_total"


@contextlib.contextmanager
def _redis_url(directory: Path) -> Iterator[str]:
    """The suite's own Redis database (REDIS_URL as the test settings map it for this xdist
    worker), emptied before and after; without REDIS_URL, a throwaway redis-server."""
    if not settings.REDIS_URL:
        with redis_server(directory) as url:
            yield url
        return
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    try:
        yield settings.REDIS_URL
    finally:
        redis.Redis.from_url(settings.REDIS_URL).flushdb()


@dataclass
class Observations:
    """Everything the pollers saw that was not healthy, and the runs they saw."""

    unhealthy: list[str] = field(default_factory=list)
    database_runs: set[str] = field(default_factory=set)
    answers: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def overall(self, status: int, body: dict[str, Any]) -> None:
        with self.lock:
            self.answers += 1
            if status != 200 or body.get("status") != "healthy":
                self.unhealthy.append(f"/health/overall {status}: {body.get('status') or body}")
            for component, check in body.get("checks", {}).items():
                if check["status"] != "healthy" or check.get("internal_error"):
                    self.unhealthy.append(f"{component}: {check['status']} ({check['error']})")
            if "database" in body.get("checks", {}):
                self.database_runs.add(body["checks"]["database"]["checked_at"])

    def metrics(self, exposition: str) -> None:
        for family in text_string_to_metric_families(exposition):
            for sample in family.samples:
                if sample.name in ("health_check_status", "database_health_status") and sample.value < 1:
                    with self.lock:
                        self.unhealthy.append(f"{sample.name}{sample.labels} = {sample.value}")


class Stack:
    """A fresh database, Redis, a Celery worker and beat, then gunicorn (two workers)."""

    def __init__(self, directory: Path, redis_url: str) -> None:
        self.directory = directory
        self.token = secrets.token_urlsafe(32)
        self.database = Database(os.environ.get("DATABASE_URL"), directory, f"boot_{secrets.token_hex(4)}")
        self.env = {
            **production_env(
                home=directory,
                database=self.database,
                redis_url=redis_url,
                metrics_token=self.token,
                webhook_token=secrets.token_urlsafe(32),
            ),
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_WORKER_METRICS_PORT": "0",
            "CELERY_BEAT_METRICS_PORT": "0",
            "HEALTH_CHECK_CACHE_SECONDS": CACHE_SECONDS,
        }
        self.port = free_port()
        self.multiproc = directory / "multiproc"
        self.processes: list[Process] = []

    def start_celery(self) -> None:
        self.database.create()
        run(
            [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
            env=self.env,
            timeout=300,
        )
        celery = [str(VENV_BIN / "celery"), "-A", "config"]
        worker = self._process(
            "worker",
            [
                *celery,
                "worker",
                "--concurrency",
                "1",
                "--hostname",
                "boot@%h",
                "--loglevel",
                "INFO",
                "--without-mingle",
                "--without-gossip",
            ],
            SERVICE_NAME="celery-worker",
        )
        self._process(
            "beat",
            [*celery, "beat", f"--schedule={self.directory / 'celerybeat-schedule'}"],
            SERVICE_NAME="celery-beat",
        )
        self.wait_until(lambda: " ready." in worker.output(), "the Celery worker to be ready")
        self.wait_until(
            lambda: self.database.query("SELECT 1 FROM monitoring_heartbeat WHERE name = %s", ["beat"]),
            "beat's first heartbeat",
        )

    def start_gunicorn(self) -> Service:
        self.multiproc.mkdir()
        web = Service(
            "web",
            [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
            env={
                **self.env,
                "SERVICE_NAME": "assistant-api",
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "WEB_CONCURRENCY": "2",
                "PROMETHEUS_MULTIPROC_DIR": str(self.multiproc),
            },
            log=self.directory / "web.log",
            port=self.port,
        )
        self.processes.append(web)
        web.spawn()
        return web

    def _process(self, name: str, command: list[str], **env: str) -> Process:
        multiproc = self.directory / f"multiproc-{name}"
        multiproc.mkdir()
        process = Process(
            name,
            command,
            env={**self.env, **env, "PROMETHEUS_MULTIPROC_DIR": str(multiproc)},
            log=self.directory / name,
        )
        self.processes.append(process)
        process.spawn()
        return process

    def wait_until(self, condition: Any, what: str, timeout: float = 90) -> None:
        wait_until(condition, what, timeout=timeout, pause=0.2, watch=self.processes)

    def get(self, path: str) -> requests.Response:
        return requests.get(
            f"http://127.0.0.1:{self.port}{path}",
            headers={"Authorization": f"Bearer {self.token}", "X-Forwarded-Proto": "https"},
            timeout=15,
        )

    def worker_pids(self, web: Service) -> set[int]:
        return {int(pid) for pid in _BOOTED.findall(web.output())}

    def health_answers_by_pid(self) -> dict[int, float]:
        """How many /health/overall each gunicorn worker answered: its metric files alone."""
        counts = {}
        pids = {
            int(match.group(1))
            for path in self.multiproc.iterdir()
            if (match := _METRIC_FILE.search(path.name))
        }
        for pid in pids:
            alone = self.directory / "by-pid" / f"{pid}-{secrets.token_hex(4)}"
            alone.mkdir(parents=True)
            for path in self.multiproc.glob(f"*_{pid}.db"):
                shutil.copy(path, alone)
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=str(alone))
            counts[pid] = sample_sum(
                generate_latest(registry).decode(), HEALTH_ANSWERS, view="health-overall"
            )
        return counts

    def stop(self) -> None:
        stop_all(self.processes)
        self.database.drop()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with _redis_url(tmp_path) as redis_url:
        running = Stack(tmp_path, redis_url)
        try:
            running.start_celery()
            yield running
        finally:
            running.stop()


def _poll(stack: Stack, observations: Observations, stop: threading.Event) -> None:
    """/health/overall then /metrics, again and again, from before gunicorn listens."""
    while not stop.is_set():
        try:
            overall = stack.get("/health/overall")
            observations.overall(overall.status_code, overall.json())
            scrape = stack.get("/metrics")
            if scrape.status_code == 200:
                observations.metrics(scrape.text)
        except requests.ConnectionError:
            stop.wait(0.01)  # not listening yet


def test_two_gunicorn_workers_boot_with_every_component_healthy(stack: Stack) -> None:
    observations, stop = Observations(), threading.Event()
    # Two pollers, so that both workers are kept answering while the checks run.
    pollers = [threading.Thread(target=_poll, args=(stack, observations, stop)) for _ in range(2)]
    web = stack.start_gunicorn()
    for poller in pollers:
        poller.start()
    try:
        stack.wait_until(
            lambda: (
                len(stack.worker_pids(web)) == 2
                and all(
                    stack.health_answers_by_pid().get(pid, 0) >= ANSWERS_PER_WORKER
                    for pid in stack.worker_pids(web)
                )
                and len(observations.database_runs) >= RUNS_SEEN
            ),
            f"each worker to answer {ANSWERS_PER_WORKER} probes, {RUNS_SEEN} runs in all",
        )
    finally:
        stop.set()
        for poller in pollers:
            poller.join(20)

    assert observations.answers >= 2 * ANSWERS_PER_WORKER
    assert sorted(set(observations.unhealthy)) == []
    # Every run of every worker: a component turning unhealthy or failing inside our code logs
    # a line, whether or not a poller saw that run.
    transitions = [
        line
        for line in web.output().splitlines()
        if line.startswith("{") and json.loads(line).get("event") == "health_check"
    ]
    assert transitions == []
