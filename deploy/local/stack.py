"""The production stack on one machine, without Docker (see README.md beside this file).

    python -m deploy.local.stack up [--fixed-ports] [--fast] [--detach] ...
    python -m deploy.local.stack status
    python -m deploy.local.stack down

From Python (tests, benchmarks, fault injection):

    with Stack(StackOptions.for_tests(env={...})) as stack:
        requests.get(stack.url("web") + "/api/v1/", headers=stack.proxy_headers)

Everything listens on 127.0.0.1. The stack gets its own database (a fresh PostgreSQL database
on the server of DATABASE_URL, dropped at stop, or an SQLite file) and its own Redis database
number, and never stops or reconfigures the machine's PostgreSQL or Redis. Each process runs
in its own session (process group) with an explicit environment and its own log file; stop()
ends every group it started, on errors and Ctrl-C too.
"""

import contextlib
import fcntl
import os
import random
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
import requests
import yaml
from cryptography.fernet import Fernet

from deploy.local.processes import ROOT, Process, ProcessError, log_tails, run, stop_all, wait_until
from deploy.local.render import (
    AlertmanagerRender,
    PrometheusRender,
    RenderError,
    RouteTiming,
    SecretFiles,
    Sink,
    alertmanager_config,
    prometheus_config,
)
from deploy.local.sink import NotificationSink

DEPLOY = ROOT / "deploy"
# pg_stat_user_tables (bloat, index use) for exporters without that collector (before 0.13).
STAT_USER_TABLES_QUERIES = DEPLOY / "postgres-exporter" / "stat_user_tables.yml"
# The project's own commands come from its virtualenv (the one running this, or .venv).
VENV_BIN = (
    Path(sys.executable).parent if (Path(sys.executable).parent / "gunicorn").exists() else ROOT / ".venv/bin"
)

T = TypeVar("T")

# The ports of the monitoring contract, used with --fixed-ports.
FIXED_PORTS: dict[str, int] = {
    "web": 8000,
    "worker": 9808,
    "beat": 9809,
    "prometheus": 9090,
    "alertmanager": 9093,
    "node-exporter": 9100,
    "postgres-exporter": 9187,
    "redis-exporter": 9121,
}
# Service -> (binary, the Debian package that installs it).
BINARIES: dict[str, tuple[str, str]] = {
    "prometheus": ("/usr/bin/prometheus", "prometheus"),
    "alertmanager": ("/usr/bin/prometheus-alertmanager", "prometheus-alertmanager"),
    "node-exporter": ("/usr/bin/prometheus-node-exporter", "prometheus-node-exporter"),
    "postgres-exporter": ("/usr/bin/prometheus-postgres-exporter", "prometheus-postgres-exporter"),
    "redis-exporter": ("/usr/bin/prometheus-redis-exporter", "prometheus-redis-exporter"),
}
# The test suite uses Redis database 1 (.ci/run; its xdist workers past the first 8, 9, ...,
# see config/settings/test.py) and the benchmarks 2 (bench/common.py); each running stack
# takes the first of these that no other stack holds, and empties only that one.
REDIS_DATABASES = (3, 4, 5, 6, 7)
# Free ports are drawn from here up to the kernel's ephemeral range (see _free_port).
PORT_RANGE_START = 20000


class StackError(ProcessError):
    """The stack cannot run here (a missing binary, a shipped configuration it cannot render,
    no free port or Redis database); its processes' failures are the other ProcessErrors."""


@dataclass
class StackOptions:
    web_workers: int = 2
    worker_concurrency: int = 2
    fixed_ports: bool = False  # the contract's ports instead of free ones
    exporters: bool = True  # node, postgres and redis exporters, when installed
    # None keeps what deploy/ ships; tests shorten them so a run takes seconds, not minutes.
    scrape_interval: str | None = None
    evaluation_interval: str | None = None
    alert_timing: RouteTiming | None = None
    # How soon Prometheus sends a firing alert to Alertmanager again (its default: 1m). A reload
    # briefly leaves Prometheus with no Alertmanager to send to (discovery settles within 5 s),
    # and an alert that fires then is only sent again after this delay.
    alert_resend_delay: str | None = None
    database_url: str | None = field(default_factory=lambda: os.environ.get("DATABASE_URL") or None)
    redis_url: str | None = field(default_factory=lambda: os.environ.get("REDIS_URL") or None)
    redis_databases: tuple[int, ...] = REDIS_DATABASES
    # Production redirects plain HTTP to HTTPS; clients then send X-Forwarded-Proto as nginx
    # does (see Stack.proxy_headers). Off only for poking at the stack with a browser.
    ssl_redirect: bool = True
    collectstatic: bool = False  # the admin's pages need it under production settings
    env: dict[str, str] = field(default_factory=dict)  # extra app settings (fakes, test knobs)
    keep_temp: bool = False
    ready_timeout: float = 90.0
    deploy_dir: Path = DEPLOY  # where prometheus/ and alertmanager/ are read from

    @classmethod
    def for_tests(cls, **overrides: Any) -> "StackOptions":
        """Scrape and evaluate every second, notify within seconds: a proof takes a minute."""
        fast: dict[str, Any] = {
            "scrape_interval": "1s",
            "evaluation_interval": "1s",
            "alert_timing": RouteTiming(group_wait="1s", group_interval="1s", repeat_interval="2s"),
            "alert_resend_delay": "1s",
        }
        return cls(**{**fast, **overrides})


class Service(Process):
    """A process of the stack that answers HTTP on `port` once it is ready."""

    def __init__(
        self,
        name: str,
        command: list[str],
        *,
        env: dict[str, str],
        log: Path,
        port: int,
        ready_path: str = "/metrics",
        ready_headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(name, command, env=env, log=log)
        self.port = port
        self.ready_path = ready_path
        self.ready_headers = ready_headers or {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def describe(self) -> str:
        return f"{super().describe()}, ready when {self.url}{self.ready_path} answers 200"

    def ready(self) -> bool:
        try:
            response = requests.get(self.url + self.ready_path, headers=self.ready_headers, timeout=2)
        except requests.RequestException:
            return False
        return response.status_code == 200


def postgres_exporter_extra_queries(binary: str) -> list[str]:
    """The pg_stat_user_tables queries for an exporter without the stat_user_tables collector
    (Debian 12's 0.11.1); none for one that has it (a duplicate series fails its scrapes)."""
    usage = run([binary, "--help"], env={"PATH": "/usr/bin:/bin"}, timeout=10)
    if "--collector.stat_user_tables" in usage.stdout + usage.stderr:
        return []
    return [f"--extend.query-path={STAT_USER_TABLES_QUERIES}"]


def production_settings_module(database: "Database", redis_url: str | None) -> str:
    """Production settings, which refuse SQLite and a missing Redis unless told they run here."""
    if database.vendor == "postgresql" and redis_url:
        return "config.settings.production"
    return "deploy.local.embedded_settings"


class Database:
    """The stack's own database: never the one the test suite (or anyone else) uses."""

    def __init__(self, source_url: str | None, directory: Path, stack_id: str) -> None:
        self.vendor = (
            "postgresql" if source_url and source_url.startswith(("postgres", "pgsql")) else "sqlite"
        )
        self.name = f"assistant_stack_{stack_id}"
        if self.vendor == "postgresql":
            assert source_url is not None
            parts = urlsplit(source_url)
            self._server_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self._libpq_url = urlunsplit(parts._replace(scheme="postgresql", path=f"/{self.name}"))
        else:
            self.path = directory / "db.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def create(self) -> None:
        if self.vendor == "postgresql":
            with psycopg.connect(self._server_url, autocommit=True, connect_timeout=5) as connection:
                connection.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.vendor == "postgresql":
            with psycopg.connect(self._server_url, autocommit=True, connect_timeout=5) as connection:
                # FORCE ends sessions a killed process may have left behind (PostgreSQL 13+).
                connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (placeholders: %s) and return its rows."""
        if self.vendor == "postgresql":
            with psycopg.connect(self._libpq_url, autocommit=True, connect_timeout=5) as connection:
                cursor = connection.execute(sql, params)  # type: ignore[arg-type]
                return cursor.fetchall() if cursor.description else []
        with contextlib.closing(sqlite3.connect(self.path, timeout=20, isolation_level=None)) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()

    @property
    def exporter_dsn(self) -> str:
        """postgres_exporter's lib/pq requires TLS unless told otherwise; loopback needs none."""
        return self._libpq_url + ("&" if "?" in self._libpq_url else "?") + "sslmode=disable"


class Stack:
    def __init__(self, options: StackOptions | None = None) -> None:
        self.options = options or StackOptions()
        self.id = secrets.token_hex(4)
        self.services: dict[str, Service] = {}
        self.skipped: dict[str, str] = {}  # service -> why it is not running
        self.not_installed: dict[str, str] = {}  # exporters this stack would run: service -> package
        self.metrics_token = secrets.token_urlsafe(24)
        self.webhook_token = secrets.token_urlsafe(24)
        self._redis_lock: IO[str] | None = None
        self.redis_url = self._claim_redis_database()  # first: it may refuse, leaving nothing behind
        self.temp_dir = Path(tempfile.mkdtemp(prefix=f"assistant-stack-{self.id}-"))
        self.database = Database(self.options.database_url, self.temp_dir, self.id)
        self.sink = NotificationSink()
        self._secrets = SecretFiles(self.temp_dir / "secrets")
        self.ports = self._ports()
        self.prometheus: PrometheusRender | None = None
        self.alertmanager: AlertmanagerRender | None = None
        self._database_created = False
        self.app_env = self._app_env()

    # --- what callers use -------------------------------------------------------------------
    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def log(self, service: str) -> Path:
        return self.temp_dir / "logs" / f"{service}.log"

    @property
    def proxy_headers(self) -> dict[str, str]:
        """What nginx adds in production: the request came in over HTTPS."""
        return {"X-Forwarded-Proto": "https"}

    @property
    def metrics_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.metrics_token}"}

    def sql(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.database.query(query, params)

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run a management command with the stack's settings; fails loudly."""
        return self._run([str(VENV_BIN / "python"), "manage.py", *args], timeout)

    def celery(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run the celery command against the stack's broker (`call <task>`, `inspect ping`...)."""
        return self._run([str(VENV_BIN / "celery"), "-A", "config", *args], timeout)

    def _run(self, command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        return run(command, env={**self.app_env, "SERVICE_NAME": "manage"}, timeout=timeout)

    def add_rules(self, name: str, groups: list[dict[str, Any]], timeout: float = 30) -> None:
        """Load more rule groups into the running Prometheus (a test's forced alert, say)."""
        _write_yaml(self.temp_dir / "prometheus" / "rules" / f"{name}.yml", {"groups": groups})
        response = requests.post(self.url("prometheus") + "/-/reload", timeout=timeout)
        if response.status_code != 200:
            raise StackError(f"Prometheus refused the new rules {name}: {response.text}")
        wanted = {group["name"] for group in groups}
        self.wait_until(
            lambda: wanted <= self._loaded_rule_groups(),
            f"Prometheus to load the rule groups {sorted(wanted)}",
            timeout=timeout,
        )

    def _loaded_rule_groups(self) -> set[str]:
        groups = requests.get(self.url("prometheus") + "/api/v1/rules", timeout=5).json()["data"]["groups"]
        return {group["name"] for group in groups}

    def wait_until(
        self,
        condition: Callable[[], T],
        what: str,
        *,
        timeout: float = 30,
        pause: float = 0.2,
        supervised: Collection[str] = (),
    ) -> T:
        """processes.wait_until, failing at once if a service exits, unless it is one of the
        `supervised` (a test's supervisor starts those again, as a restart policy would)."""
        return wait_until(
            condition,
            what,
            timeout=timeout,
            pause=pause,
            watch=[service for name, service in self.services.items() if name not in supervised],
            details=lambda: f"(logs in {self.temp_dir / 'logs'})",
        )

    # --- lifecycle --------------------------------------------------------------------------
    def __enter__(self) -> "Stack":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        try:
            self._check_binaries()
            self.sink.start()
            (self.temp_dir / "logs").mkdir()
            self.database.create()
            self._database_created = True
            if self.redis_url:
                redis.Redis.from_url(self.redis_url).flushdb()  # this database number only
            # The message catalogues, as the Docker image compiles them (only those that changed).
            self._run([str(VENV_BIN / "python"), "-m", "assistant.core.translations"], 60)
            self.manage("migrate", "--noinput", "--verbosity", "0")
            if self.options.collectstatic:
                self.manage("collectstatic", "--noinput", "--verbosity", "0")
            try:
                self._define_services()
            except RenderError as error:
                raise StackError(f"the shipped configuration cannot run here: {error}") from error
            for service in self.services.values():
                service.spawn()
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """End every process group started, then the database, Redis keys and temp dir."""
        stop_all(reversed(self.services.values()))
        with contextlib.suppress(Exception):
            self.sink.stop()
        if self._database_created:
            self.database.drop()
            self._database_created = False
        if self.redis_url:
            with contextlib.suppress(redis.RedisError):
                redis.Redis.from_url(self.redis_url).flushdb()
        if self._redis_lock is not None:
            self._redis_lock.close()  # releases the database for the next stack
            self._redis_lock = None
        if not self.options.keep_temp:
            shutil.rmtree(self.temp_dir, ignore_errors=True)

    # --- setup ------------------------------------------------------------------------------
    def _claim_redis_database(self) -> str | None:
        if not self.options.redis_url:
            return None
        self._redis_lock, url = claim_redis_database(self.options.redis_url, self.options.redis_databases)
        return url

    def _ports(self) -> dict[str, int]:
        if self.options.fixed_ports:
            return dict(FIXED_PORTS)
        ports: dict[str, int] = {}
        for name in FIXED_PORTS:
            ports[name] = free_port(set(ports.values()))
        return ports

    def _check_binaries(self) -> None:
        missing = [
            f"{binary} (apt-get install {package})"
            for name, (binary, package) in BINARIES.items()
            if name in {"prometheus", "alertmanager"} and not os.access(binary, os.X_OK)
        ]
        if missing:
            raise StackError("the native stack needs " + ", ".join(missing))

    def _app_env(self) -> dict[str, str]:
        """Production settings, every secret generated for this stack, nothing inherited."""
        env = production_env(
            home=self.temp_dir,
            database=self.database,
            redis_url=self.redis_url,
            metrics_token=self.metrics_token,
            webhook_token=self.webhook_token,
        )
        env.update(
            SECURE_SSL_REDIRECT=str(self.options.ssl_redirect),
            PUBLIC_BASE_URL=self.url("web"),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.temp_dir / "mail"),
        )
        if self.redis_url:
            env.update(REDIS_URL=self.redis_url, CELERY_BROKER_URL=self.redis_url)
        else:
            env.update(CELERY_BROKER_URL="filesystem://", CELERY_FILESYSTEM_DIR=str(self.temp_dir / "queue"))
        return {**env, **self.options.env}

    def _process_env(self, service_name: str, **extra: str) -> dict[str, str]:
        """Each process has its own metrics folder, as each container has in production."""
        multiproc = self.temp_dir / "multiproc" / service_name
        multiproc.mkdir(parents=True)
        return {**self.app_env, "PROMETHEUS_MULTIPROC_DIR": str(multiproc), **extra}

    def _define_services(self) -> None:
        options, ports = self.options, self.ports
        add = self._add
        add(
            "web",
            [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
            self._process_env(
                "web",
                SERVICE_NAME="assistant-api",
                GUNICORN_BIND=f"127.0.0.1:{ports['web']}",
                WEB_CONCURRENCY=str(options.web_workers),
            ),
            ready_headers=self.metrics_headers,
        )
        celery = [str(VENV_BIN / "celery"), "-A", "config"]
        add(
            "worker",
            [*celery, "worker", "--loglevel=INFO", f"--concurrency={options.worker_concurrency}"],
            self._process_env(
                "worker", SERVICE_NAME="celery-worker", CELERY_WORKER_METRICS_PORT=str(ports["worker"])
            ),
        )
        add(
            "beat",
            [*celery, "beat", "--loglevel=INFO", f"--schedule={self.temp_dir / 'celerybeat-schedule'}"],
            self._process_env(
                "beat", SERVICE_NAME="celery-beat", CELERY_BEAT_METRICS_PORT=str(ports["beat"])
            ),
        )
        if options.exporters:
            self._define_exporters()
        self._define_alertmanager()
        self._define_prometheus()

    def _add(self, name: str, command: list[str], env: dict[str, str], **kwargs: Any) -> None:
        port = self.ports[name]
        self.services[name] = Service(name, command, env=env, log=self.log(name), port=port, **kwargs)

    def _tool_env(self) -> dict[str, str]:
        return {"PATH": "/usr/bin:/bin", "HOME": str(self.temp_dir), "LANG": "C.UTF-8"}

    def _define_exporters(self) -> None:
        wanted = {
            "node-exporter": None,
            "postgres-exporter": None if self.database.vendor == "postgresql" else "the stack runs on SQLite",
            "redis-exporter": None if self.redis_url else "no REDIS_URL: no Redis to export",
        }
        for name, absent in wanted.items():
            binary, package = BINARIES[name]
            if absent is None and not os.access(binary, os.X_OK):
                absent = f"{binary} is not installed (apt-get install {package})"
                self.not_installed[name] = package
            if absent is not None:
                self.skipped[name] = absent
                continue
            listen = f"127.0.0.1:{self.ports[name]}"
            env = self._tool_env()
            if name == "node-exporter":
                # No systemd here to ask (it would only log an error on every scrape).
                command = [binary, f"--web.listen-address={listen}", "--no-collector.systemd"]
            elif name == "postgres-exporter":
                command = [binary, f"--web.listen-address={listen}", *postgres_exporter_extra_queries(binary)]
                env["DATA_SOURCE_NAME"] = self.database.exporter_dsn  # not argv: ps would show it
            else:
                assert self.redis_url is not None
                server = urlunsplit(urlsplit(self.redis_url)._replace(path=""))
                command = [binary, f"-web.listen-address={listen}"]
                env["REDIS_ADDR"] = server
            self._add(name, command, env)

    def _define_alertmanager(self) -> None:
        directory = self.temp_dir / "alertmanager"
        shipped_dir = self.options.deploy_dir / "alertmanager"
        self.alertmanager = alertmanager_config(
            _read_yaml(shipped_dir / "alertmanager.yml"),
            app_webhook_url=f"{self.url('web')}/monitoring/alerts/webhook",
            webhook_token_file=self._secrets.write("alertmanager_webhook_token", self.webhook_token),
            sink=Sink(http_url=self.sink.http_url, smtp_address=self.sink.smtp_address),
            secrets=self._secrets,
            timing=self.options.alert_timing,
            templates_dir=directory / "templates",
            shipped_dir=shipped_dir,
        )
        config = _write_yaml(directory / "alertmanager.yml", self.alertmanager.config)
        self._add(
            "alertmanager",
            [
                BINARIES["alertmanager"][0],
                f"--config.file={config}",
                f"--storage.path={directory / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.ports['alertmanager']}",
                "--cluster.listen-address=",  # one instance: no gossip port
            ],
            self._tool_env(),
            ready_path="/-/ready",
        )

    def _define_prometheus(self) -> None:
        directory = self.temp_dir / "prometheus"
        rules = directory / "rules"
        rules.mkdir(parents=True)
        shipped_dir = self.options.deploy_dir / "prometheus"
        for path in sorted((shipped_dir / "rules").glob("*.yml")):
            shutil.copy(path, rules)
        addresses = {name: f"127.0.0.1:{self.ports[name]}" for name in (*self.services, "prometheus")}
        self.prometheus = prometheus_config(
            _read_yaml(shipped_dir / "prometheus.yml"),
            addresses=addresses,
            metrics_token_file=self._secrets.write("metrics_token", self.metrics_token),
            rule_files=[str(rules / "*.yml")],
            scrape_interval=self.options.scrape_interval,
            evaluation_interval=self.options.evaluation_interval,
            missing=self.skipped,
        )
        config = _write_yaml(directory / "prometheus.yml", self.prometheus.config)
        resend = self.options.alert_resend_delay
        self._add(
            "prometheus",
            [
                BINARIES["prometheus"][0],
                f"--config.file={config}",
                f"--storage.tsdb.path={directory / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.ports['prometheus']}",
                "--web.enable-lifecycle",  # add_rules() reloads the configuration
                *([f"--rules.alert.resend-delay={resend}"] if resend else []),
            ],
            self._tool_env(),
            ready_path="/-/ready",
        )

    def _wait_until_ready(self) -> None:
        pending = dict(self.services)

        def all_ready() -> bool:
            for name, service in list(pending.items()):
                if service.ready():
                    del pending[name]
            return not pending

        wait_until(
            all_ready,
            "every service to answer its readiness probe",
            timeout=self.options.ready_timeout,
            watch=self.services.values(),
            details=lambda: log_tails(pending.values()),
        )


def production_env(
    *, home: Path, database: "Database", redis_url: str | None, metrics_token: str, webhook_token: str
) -> dict[str, str]:
    """The production settings of a deployment on this machine, with fresh secrets and nothing
    inherited but PATH and HOME. Every process of one deployment must share this very dict:
    SECRET_KEY signs sessions and reset links, the Fernet keys decrypt what another process
    encrypted (TOTP seeds, integration tokens)."""
    return {
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", str(home)),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": production_settings_module(database, redis_url),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Clients stand in for nginx (X-Forwarded-Proto: https): one proxy, as in production,
        # which is what makes Django believe that header.
        "TRUSTED_PROXY_COUNT": "1",
        "METRICS_TOKEN": metrics_token,
        "ALERTMANAGER_WEBHOOK_TOKEN": webhook_token,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SMS_BACKEND": "sms.backends.console.ConsoleSmsBackend",
        "DATABASE_URL": database.url,
        "LOG_LEVEL": "INFO",
    }


def claim_redis_database(source_url: str, numbers: Sequence[int] = REDIS_DATABASES) -> tuple[IO[str], str]:
    """A database number on source_url's Redis that nothing else started from here uses (one
    lock file each, held until the returned file is closed): two users of one database would
    empty each other's keys and take each other's Celery tasks."""
    server = urlsplit(source_url)
    for number in numbers:
        name = f"assistant-stack-redis-{server.hostname}-{server.port or 6379}-{number}.lock"
        lock = (Path(tempfile.gettempdir()) / name).open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        return lock, urlunsplit(server._replace(path=f"/{number}"))
    raise StackError(f"Redis databases {tuple(numbers)} are all held by other running stacks")


def free_port(taken: frozenset[int] | set[int] = frozenset()) -> int:
    """A port free right now, below the kernel's ephemeral range: every process on the machine
    takes its outgoing connections' ports from that range, and one could take a port between
    this check and the service binding it (the stack migrates in between)."""
    ephemeral_low = _ephemeral_range_start()
    for _ in range(1000):
        port = random.randrange(PORT_RANGE_START, ephemeral_low)  # noqa: S311 - not a secret
        if port in taken:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise StackError(f"no free port between {PORT_RANGE_START} and {ephemeral_low}")


def _ephemeral_range_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise StackError(f"{path} is missing (the native stack runs the shipped configuration)")
    return yaml.safe_load(path.read_text()) or {}


def _write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


if __name__ == "__main__":
    from deploy.local.cli import main

    sys.exit(main())
