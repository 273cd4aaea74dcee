"""Two web nodes and two Celery workers on this machine, sharing one database and one Redis.

As several hosts would run them: each gunicorn master has its own port and its own
PROMETHEUS_MULTIPROC_DIR (a container's), each worker its own hostname; what they share is
only what production shares — the database, Redis (cache and broker) and the secrets.

The database is a fresh one: on PostgreSQL (DATABASE_URL) `assistant_nodes_<random>` on that
server, dropped at the end; otherwise an SQLite file. Redis is a database number claimed like
the native stack claims one (deploy/local/stack.py: lock files, numbers 3-7), emptied at start
and at the end; without REDIS_URL, a throwaway redis-server (tests.services.redis_server).
"""

import contextlib
import os
import secrets
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
import requests

from deploy.local.processes import Process, run, stop_all, wait_until
from deploy.local.stack import VENV_BIN, Database, Service, claim_redis_database, production_env
from tests.services import free_port, redis_server


@contextlib.contextmanager
def shared_redis(directory: Path) -> Iterator[str]:
    """A Redis database for the nodes alone: a claimed number on REDIS_URL's server, emptied
    before and after (never another one), or a throwaway server when REDIS_URL is unset."""
    source = os.environ.get("REDIS_URL")
    if not source:
        with redis_server(directory) as url:
            yield url
        return
    lock, url = claim_redis_database(source)  # the stacks' lock files: a running one takes another
    try:
        redis.Redis.from_url(url).flushdb()
        yield url
    finally:
        with contextlib.suppress(redis.RedisError):
            redis.Redis.from_url(url).flushdb()
        lock.close()


@dataclass
class Cluster:
    """Web nodes "a" and "b" (gunicorn, 2 workers each) and workers "a" and "b" (Celery,
    concurrency 1), production settings, one database, one Redis, one set of secrets."""

    directory: Path
    database: Database
    redis_url: str
    settings: dict[str, str] = field(default_factory=dict)  # extra app settings, every process
    metrics_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    web: dict[str, Service] = field(default_factory=dict)
    workers: dict[str, Process] = field(default_factory=dict)

    # What nginx adds in front of every node: the request came in over HTTPS.
    proxy_headers = {"X-Forwarded-Proto": "https"}

    def __post_init__(self) -> None:
        (self.directory / "logs").mkdir(parents=True, exist_ok=True)
        self.env = {
            **production_env(
                home=self.directory,
                database_url=self.database.url,
                metrics_token=self.metrics_token,
                webhook_token=secrets.token_urlsafe(24),
            ),
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            # The exporters would need a port each; the web nodes' /metrics are what is tested.
            "CELERY_WORKER_METRICS_PORT": "0",
            "CELERY_BEAT_METRICS_PORT": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            **self.settings,
        }

    # --- running things ---------------------------------------------------------------------
    def python(self, code: str, *args: str, timeout: float = 120) -> str:
        """Run Django code in a process of its own, with the nodes' settings; returns stdout's
        last line (the app's JSON log lines come before it)."""
        script = "import django\ndjango.setup()\n" + code
        result = run([sys.executable, "-c", script, *args], env=self.manage_env, timeout=timeout)
        lines = result.stdout.strip().splitlines()
        return lines[-1] if lines else ""

    def manage(self, *args: str, timeout: float = 300) -> None:
        run([sys.executable, "manage.py", *args], env=self.manage_env, timeout=timeout)

    @property
    def manage_env(self) -> dict[str, str]:
        return {**self.env, "SERVICE_NAME": "manage"}

    def request(self, node: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.proxy_headers, **kwargs.pop("headers", {})}
        return requests.request(
            method, self.web[node].url + path, headers=headers, timeout=15, allow_redirects=False, **kwargs
        )

    def scrape(self, node: str) -> str:
        response = self.request(
            node, "GET", "/metrics", headers={"Authorization": f"Bearer {self.metrics_token}"}
        )
        assert response.status_code == 200, response.text
        return response.text

    # --- lifecycle --------------------------------------------------------------------------
    def start(self, nodes: Sequence[str] = ("a", "b")) -> None:
        self.database.create()
        self.manage("migrate", "--noinput", "--verbosity", "0")
        # Production settings serve the admin's static files from the collected manifest.
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        for node in nodes:
            port = free_port()
            multiproc = self.directory / "multiproc" / node  # one per host, as in production
            multiproc.mkdir(parents=True)
            self.web[node] = Service(
                f"web-{node}",
                [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
                env={
                    **self.env,
                    "SERVICE_NAME": "assistant-api",
                    "GUNICORN_BIND": f"127.0.0.1:{port}",
                    "WEB_CONCURRENCY": "2",
                    "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
                },
                log=self.directory / "logs" / f"web-{node}.log",
                port=port,
                ready_path="/health/live",
            )
            worker_multiproc = self.directory / "multiproc" / f"worker-{node}"
            worker_multiproc.mkdir(parents=True)
            self.workers[node] = Process(
                f"worker-{node}",
                [
                    *(str(VENV_BIN / "celery"), "-A", "config", "worker"),
                    *("--concurrency", "1", "--hostname", f"node-{node}@%h", "--loglevel", "INFO"),
                    *("--without-mingle", "--without-gossip"),
                ],
                env={
                    **self.env,
                    "SERVICE_NAME": "celery-worker",
                    "PROMETHEUS_MULTIPROC_DIR": str(worker_multiproc),
                },
                log=self.directory / "logs" / f"worker-{node}.log",
            )
        for process in self.processes():
            process.spawn()
        for node in nodes:
            self.wait_until(self.web[node].ready, f"web node {node} to answer /health/live")
            worker = self.workers[node]
            self.wait_until(lambda worker=worker: " ready." in worker.output(), f"worker {node} to be ready")

    def stop(self) -> None:
        stop_all(self.processes())
        self.database.drop()

    def processes(self) -> list[Process]:
        return [*self.web.values(), *self.workers.values()]

    def wait_until(self, condition: Callable[[], object], what: str, timeout: float = 45) -> None:
        """processes.wait_until, failing at once if any node or worker exits."""
        wait_until(condition, what, timeout=timeout, pause=0.1, watch=self.processes())


@contextlib.contextmanager
def cluster(directory: Path, settings: dict[str, str] | None = None) -> Iterator[Cluster]:
    """Start the two nodes and two workers; stop every process, drop the database and empty
    the Redis database at the end, failures included."""
    with shared_redis(directory) as redis_url:
        nodes = Cluster(
            directory,
            Database(os.environ.get("DATABASE_URL"), directory, f"nodes_{secrets.token_hex(4)}"),
            redis_url,
            settings or {},
        )
        try:
            nodes.start()
            yield nodes
        finally:
            nodes.stop()
