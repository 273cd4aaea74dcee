"""/metrics under gunicorn: each worker process writes its own metric files, one scrape sums them.

Every test runs Django in separate processes (never in the pytest process), because
prometheus_client chooses between in-memory and file-backed values once, when imported.
"""

import http.client
import json
import os
import re
import shutil
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from prometheus_client import CollectorRegistry, generate_latest, multiprocess

from deploy.local.processes import Process, run
from tests.metrics import (
    assert_exported_at_zero,
    created_by_web,
    documented_series,
    exported_series,
    sample_sum,
)
from tests.services import free_port

pytestmark = pytest.mark.processes

GUNICORN = Path(sys.executable).with_name("gunicorn")
METRICS_TOKEN = "multiprocess-test-metrics-token-of-32-characters-or-more"

LOGIN_400 = "django_http_responses_total_by_status_view_method_total"
LOGIN_400_LABELS = {"status": "400", "view": "auth-login", "method": "POST"}

# Each script writes its result to the file named by its last argument: stdout carries the
# app's own JSON log lines.
# Sends argv[1] empty logins (400 before any account lookup) and reports what happened.
_SEND_LOGINS = """
import json, os, sys
from pathlib import Path
import django
django.setup()
from django.db import connections
from django.test import Client
client = Client()
statuses = [
    client.post("/api/v1/auth/login", "{}", content_type="application/json").status_code
    for _ in range(int(sys.argv[1]))
]
Path(sys.argv[-1]).write_text(json.dumps({
    "pid": os.getpid(),
    "statuses": statuses,
    "db_connected": connections["default"].connection is not None,
}))
"""

_SCRAPE = """
import os, sys
from pathlib import Path
import django
django.setup()
from django.test import Client
response = Client().get("/metrics", headers={"Authorization": "Bearer " + os.environ["METRICS_TOKEN"]})
assert response.status_code == 200, response.status_code
Path(sys.argv[-1]).write_bytes(response.content)
"""

_METRIC_FILE = re.compile(r"^[a-z_]+_(\d+)\.db$")


def _file_pids(directory: Path) -> set[int]:
    return {int(m.group(1)) for path in directory.iterdir() if (m := _METRIC_FILE.match(path.name))}


def _django_env(multiproc_dir: Path, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PROMETHEUS_MULTIPROC_DIR=str(multiproc_dir),
        DJANGO_SETTINGS_MODULE="config.settings.test",
        METRICS_TOKEN=METRICS_TOKEN,
        # A database in a directory that does not exist: any query would turn the 400 into a 500.
        DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}",
    )
    return env


def _run_django(code: str, *args: str, env: dict[str, str]) -> str:
    output = Path(env["PROMETHEUS_MULTIPROC_DIR"]).parent / f"output-{time.monotonic_ns()}.txt"
    run([sys.executable, "-c", code, *args, str(output)], env=env, timeout=120)
    return output.read_text()


def _send_logins(count: int, env: dict[str, str]) -> int:
    """Run one process that sends `count` empty logins; returns its pid."""
    report = json.loads(_run_django(_SEND_LOGINS, str(count), env=env))
    assert report["statuses"] == [400] * count
    assert report["db_connected"] is False
    return report["pid"]


@pytest.fixture
def multiproc_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "multiproc"
    directory.mkdir()
    return directory


def test_one_scrape_sums_the_counts_of_every_process(multiproc_dir: Path, tmp_path: Path) -> None:
    env = _django_env(multiproc_dir, tmp_path)

    first = _send_logins(3, env)
    second = _send_logins(5, env)

    assert first != second
    assert {first, second} <= _file_pids(multiproc_dir)
    assert sample_sum(_run_django(_SCRAPE, env=env), LOGIN_400, **LOGIN_400_LABELS) == 8


def test_counts_of_a_dead_process_neither_vanish_nor_double(multiproc_dir: Path, tmp_path: Path) -> None:
    env = _django_env(multiproc_dir, tmp_path)
    first = _send_logins(3, env)
    _send_logins(5, env)

    multiprocess.mark_process_dead(first, path=str(multiproc_dir))

    assert sample_sum(_run_django(_SCRAPE, env=env), LOGIN_400, **LOGIN_400_LABELS) == 8


# --- Real gunicorn ------------------------------------------------------------------------


def _http(port: int, method: str, path: str, body: str | None = None, **headers: str) -> tuple[int, bytes]:
    # A new connection per request, so the kernel hands each one to whichever worker accepts.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers={"Connection": "close", **headers})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Gunicorn(Process):
    def __init__(self, env: dict[str, str], port: int, log: Path, stale_pid: int) -> None:
        super().__init__("gunicorn", [str(GUNICORN), "-c", "deploy/gunicorn.conf.py"], env=env, log=log)
        self.port = port
        self.stale_pid = stale_pid  # the process of an earlier "run" whose file was left behind

    def scrape(self) -> str:
        status, body = _http(self.port, "GET", "/metrics", Authorization=f"Bearer {METRICS_TOKEN}")
        assert status == 200, body
        return body.decode()


def _metrics_answer(server: Gunicorn) -> bool:
    try:
        status, _ = _http(server.port, "GET", "/metrics", Authorization=f"Bearer {METRICS_TOKEN}")
    except OSError:
        return False
    return status == 200


@pytest.fixture
def gunicorn(multiproc_dir: Path, tmp_path: Path) -> Iterator[Gunicorn]:
    """gunicorn with the production settings, two workers, and a stale file from a past run."""
    stale_pid = _send_logins(2, _django_env(multiproc_dir, tmp_path))
    assert stale_pid in _file_pids(multiproc_dir)

    port = free_port()
    env = dict(os.environ)
    env.pop("GUNICORN_CONTROL_SOCKET", None)
    env.update(
        # Production settings on SQLite: the checks that refuse it are silenced there, no other.
        DJANGO_SETTINGS_MODULE="deploy.local.embedded_settings",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        PROMETHEUS_MULTIPROC_DIR=str(multiproc_dir),
        SECRET_KEY="gunicorn-test-secret-key",
        ALLOWED_HOSTS="127.0.0.1",
        METRICS_TOKEN=METRICS_TOKEN,
        ALERTMANAGER_WEBHOOK_TOKEN="multiprocess-test-alerts-token-of-32-characters-or-more",
        SMS_BACKEND="sms.backends.console.ConsoleSmsBackend",
        TRUSTED_PROXY_COUNT="0",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SECURE_SSL_REDIRECT="False",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # 40 logins from one address would otherwise meet the production throttle (30/min).
        THROTTLE_AUTH="10000/min",
        THROTTLE_ANON="10000/min",
    )
    with Gunicorn(env, port, tmp_path / "gunicorn.log", stale_pid) as server:
        server.wait_until(lambda: _metrics_answer(server), "gunicorn to answer on /metrics", timeout=20)
        yield server


def _login_counts_by_pid(directory: Path, scratch: Path) -> dict[int, float]:
    """What each process counted on its own: its files alone, summed by a collector."""
    counts = {}
    for pid in _file_pids(directory):
        alone = scratch / str(pid)
        alone.mkdir(parents=True)
        for path in directory.glob(f"*_{pid}.db"):
            shutil.copy(path, alone)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(alone))
        counts[pid] = sample_sum(generate_latest(registry).decode(), LOGIN_400, **LOGIN_400_LABELS)
    return counts


def _login_held_open(port: int) -> socket.socket:
    """Start a login without finishing its headers: the sync worker that accepts it stays busy."""
    held = socket.create_connection(("127.0.0.1", port), timeout=10)
    held.sendall(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n"
    )
    return held


def _finish_held_login(held: socket.socket) -> bytes:
    with held:
        held.sendall(b"\r\n{}")
        response = b""
        while chunk := held.recv(65536):
            response += chunk
    return response


def test_gunicorn_workers_share_one_set_of_counters(
    gunicorn: Gunicorn, multiproc_dir: Path, tmp_path: Path
) -> None:
    # Both workers load Django (and so write their files) independently of who gets requests.
    gunicorn.wait_until(
        lambda: len(_file_pids(multiproc_dir) - {gunicorn.stale_pid}) >= 2,
        "metric files from 2 workers",
        timeout=20,
    )
    worker_pids = _file_pids(multiproc_dir)

    # New connections alone do not spread requests: the kernel often gives a whole run to one
    # worker. While one worker waits on the held login, the other must serve the rest.
    held = _login_held_open(gunicorn.port)
    statuses = [
        _http(gunicorn.port, "POST", "/api/v1/auth/login", "{}", **{"Content-Type": "application/json"})[0]
        for _ in range(39)
    ]
    held_response = _finish_held_login(held)

    assert statuses == [400] * 39
    assert held_response.startswith(b"HTTP/1.1 400 "), held_response
    # The stale file of the earlier run was removed by on_starting: 40, not 42.
    assert gunicorn.stale_pid not in worker_pids
    assert sample_sum(gunicorn.scrape(), LOGIN_400, **LOGIN_400_LABELS) == 40
    assert len(worker_pids) == 2
    assert gunicorn.process.pid not in worker_pids
    for pid in worker_pids:
        os.kill(pid, 0)  # raises if that process is not running: the files are live workers'
    by_worker = _login_counts_by_pid(multiproc_dir, tmp_path / "by-worker")
    assert by_worker.keys() == worker_pids
    assert all(count >= 1 for count in by_worker.values()), by_worker

    gunicorn.stop()

    # child_exit marked both workers dead; what they counted still adds up once.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(multiproc_dir))
    assert sample_sum(generate_latest(registry).decode(), LOGIN_400, **LOGIN_400_LABELS) == 40
    assert gunicorn.process.returncode == 0
    assert "Worker exiting" in gunicorn.output()


def test_a_fresh_gunicorn_exports_every_documented_combination_at_0(
    gunicorn: Gunicorn, multiproc_dir: Path
) -> None:
    """Before any request but the scrapes, each worker has created every combination the doc
    lists (at import of Django's apps), so the first event is an increase from 0. The scrapes
    (and readiness probes) are requests of the `probe` scope: those series exist, not at 0."""
    gunicorn.wait_until(
        lambda: len(_file_pids(multiproc_dir) - {gunicorn.stale_pid}) >= 2,
        "metric files from 2 workers",
        timeout=20,
    )
    expected = documented_series(include=created_by_web)
    exported = exported_series(gunicorn.scrape())
    probes = {series for series in exported if ("scope", "probe") in series[1]}
    others = {series: value for series, value in exported.items() if series not in probes}

    assert {series for series in expected if ("scope", "probe") in series[1]} <= probes
    assert_exported_at_zero(expected - probes, others)
