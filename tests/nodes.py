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
import fcntl
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
import requests
from cryptography.fernet import Fernet

from deploy.local.stack import REDIS_DATABASES
from tests.services import free_port, redis_server

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


class NodeError(AssertionError):
    """A node died or never got ready; the message carries the end of its log."""


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: gunicorn's and Celery's children end with it
            )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def stop(self, deadline: float) -> None:
        """SIGTERM to the leader, wait until `deadline`, then SIGKILL whatever is left of the group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


class SharedDatabase:
    """The nodes' own database on the server of DATABASE_URL, or an SQLite file."""

    def __init__(self, source_url: str | None, directory: Path) -> None:
        self.postgres = bool(source_url and source_url.startswith(("postgres", "pgsql")))
        self.name = f"assistant_nodes_{secrets.token_hex(4)}"
        if self.postgres:
            assert source_url is not None
            parts = urlsplit(source_url)
            self._server = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
            self._libpq = urlunsplit(parts._replace(scheme="postgresql", path=f"/{self.name}"))
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        else:
            self.path = directory / "nodes.sqlite3"
            self.url = f"sqlite:///{self.path}"
        self.created = False

    def create(self) -> None:
        if self.postgres:
            with psycopg.connect(self._server, autocommit=True, connect_timeout=5) as connection:
                connection.execute(f'CREATE DATABASE "{self.name}"')
        self.created = True

    def drop(self) -> None:
        if self.postgres and self.created:
            with psycopg.connect(self._server, autocommit=True, connect_timeout=5) as connection:
                # FORCE ends the sessions of pools a killed process left behind (PostgreSQL 13+).
                connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.created = False

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """One statement (placeholders: %s); its rows."""
        if self.postgres:
            with psycopg.connect(self._libpq, autocommit=True, connect_timeout=5) as connection:
                cursor = connection.execute(sql, params)  # type: ignore[arg-type]
                return cursor.fetchall() if cursor.description else []
        with contextlib.closing(sqlite3.connect(self.path, timeout=20, isolation_level=None)) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()


@contextlib.contextmanager
def shared_redis(directory: Path) -> Iterator[str]:
    """A Redis database for the nodes alone: a claimed number on REDIS_URL's server, emptied
    before and after (never another one), or a throwaway server when REDIS_URL is unset."""
    source = os.environ.get("REDIS_URL")
    if not source:
        with redis_server(directory) as url:
            yield url
        return
    server = urlsplit(source)
    lock: IO[str] | None = None
    for number in REDIS_DATABASES:
        # The same lock files as deploy/local/stack.py: a stack running meanwhile takes another.
        name = f"assistant-stack-redis-{server.hostname}-{server.port or 6379}-{number}.lock"
        candidate = (Path(tempfile.gettempdir()) / name).open("w")
        try:
            fcntl.flock(candidate, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            candidate.close()
            continue
        lock, url = candidate, urlunsplit(server._replace(path=f"/{number}"))
        break
    if lock is None:
        raise NodeError(f"Redis databases {REDIS_DATABASES} are all held by running stacks")
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
    database: SharedDatabase
    redis_url: str
    settings: dict[str, str] = field(default_factory=dict)  # extra app settings, every process
    metrics_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    web: dict[str, Process] = field(default_factory=dict)
    workers: dict[str, Process] = field(default_factory=dict)

    # What nginx adds in front of every node: the request came in over HTTPS.
    proxy_headers = {"X-Forwarded-Proto": "https"}

    def __post_init__(self) -> None:
        (self.directory / "logs").mkdir(parents=True, exist_ok=True)
        # Every node must share these: SECRET_KEY signs sessions and reset links, the Fernet
        # keys decrypt what another node encrypted (TOTP seeds, integration tokens).
        self.env = {
            "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": os.environ.get("HOME", str(self.directory)),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "METRICS_TOKEN": self.metrics_token,
            "ALERTMANAGER_WEBHOOK_TOKEN": secrets.token_urlsafe(24),
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "DATABASE_URL": self.database.url,
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            # The exporters would need a port each; the web nodes' /metrics are what is tested.
            "CELERY_WORKER_METRICS_PORT": "0",
            "CELERY_BEAT_METRICS_PORT": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "INFO",
            **self.settings,
        }

    # --- running things ---------------------------------------------------------------------
    def python(self, code: str, *args: str, timeout: float = 120) -> str:
        """Run Django code in a process of its own, with the nodes' settings; returns stdout's
        last line (the app's JSON log lines come before it)."""
        script = "import django\ndjango.setup()\n" + code
        result = subprocess.run(
            [sys.executable, "-c", script, *args],
            cwd=ROOT,
            env={**self.env, "SERVICE_NAME": "manage"},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise NodeError(f"script failed ({result.returncode}):\n{result.stderr[-4000:]}")
        lines = result.stdout.strip().splitlines()
        return lines[-1] if lines else ""

    def manage(self, *args: str, timeout: float = 300) -> None:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, "SERVICE_NAME": "manage"},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise NodeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-4000:]}")

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
        for node in nodes:
            port = free_port()
            multiproc = self.directory / "multiproc" / node  # one per host, as in production
            multiproc.mkdir(parents=True)
            self.web[node] = Process(
                f"web-{node}",
                [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
                {
                    **self.env,
                    "SERVICE_NAME": "assistant-api",
                    "GUNICORN_BIND": f"127.0.0.1:{port}",
                    "WEB_CONCURRENCY": "2",
                    "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
                },
                self.directory / "logs" / f"web-{node}.log",
                port=port,
            )
            worker_multiproc = self.directory / "multiproc" / f"worker-{node}"
            worker_multiproc.mkdir(parents=True)
            self.workers[node] = Process(
                f"worker-{node}",
                [
                    *(str(BIN / "celery"), "-A", "config", "worker"),
                    *("--concurrency", "1", "--hostname", f"node-{node}@%h", "--loglevel", "INFO"),
                    *("--without-mingle", "--without-gossip"),
                ],
                {
                    **self.env,
                    "SERVICE_NAME": "celery-worker",
                    "PROMETHEUS_MULTIPROC_DIR": str(worker_multiproc),
                },
                self.directory / "logs" / f"worker-{node}.log",
            )
        for process in self.processes():
            process.spawn()
        for node in nodes:
            self.wait_until(lambda node=node: self._web_ready(node), f"web node {node} answers /metrics")
            self.wait_until(
                lambda node=node: " ready." in self.workers[node].output(), f"worker {node} is ready"
            )

    def stop(self) -> None:
        deadline = time.monotonic() + 20
        for process in self.processes():
            if process.running():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.process.pid, signal.SIGTERM)  # type: ignore[union-attr]
        for process in self.processes():
            process.stop(deadline)
        self.database.drop()

    def processes(self) -> list[Process]:
        return [*self.web.values(), *self.workers.values()]

    def _web_ready(self, node: str) -> bool:
        try:
            return self.request(node, "GET", "/health/live").status_code == 200
        except requests.RequestException:
            return False

    def wait_until(self, condition: Callable[[], bool], what: str, seconds: float = 45) -> None:
        """Poll until `condition`; fail at once if a process died, or after `seconds`."""
        deadline = time.monotonic() + seconds
        while not condition():
            if dead := [p for p in self.processes() if p.process is not None and not p.running()]:
                raise NodeError(
                    f"{dead[0].name} exited ({dead[0].process.returncode}) before {what}:\n"  # type: ignore[union-attr]
                    + dead[0].tail()
                )
            if time.monotonic() > deadline:
                tails = "\n\n".join(f"--- {p.name}:\n{p.tail(15)}" for p in self.processes())
                raise NodeError(f"no {what} after {seconds:.0f} s\n{tails}")
            time.sleep(0.1)


@contextlib.contextmanager
def cluster(directory: Path, settings: dict[str, str] | None = None) -> Iterator[Cluster]:
    """Start the two nodes and two workers; stop every process, drop the database and empty
    the Redis database at the end, failures included."""
    with shared_redis(directory) as redis_url:
        nodes = Cluster(
            directory, SharedDatabase(os.environ.get("DATABASE_URL"), directory), redis_url, settings or {}
        )
        try:
            nodes.start()
            yield nodes
        finally:
            nodes.stop()
