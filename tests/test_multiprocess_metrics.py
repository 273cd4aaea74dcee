"""/metrics under gunicorn: each worker process writes its own metric files, one scrape sums them.

Every test runs Django in separate processes (never in the pytest process), because
prometheus_client chooses between in-memory and file-backed values once, when imported.
"""

import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from tests.services import free_port

pytestmark = pytest.mark.processes

PROJECT_ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
METRICS_TOKEN = "multiprocess-test-metrics-token"

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


def _sample_value(exposition: str, name: str, labels: dict[str, str]) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )


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
    result = subprocess.run(
        [sys.executable, "-c", code, *args, str(output)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
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
    assert _sample_value(_run_django(_SCRAPE, env=env), LOGIN_400, LOGIN_400_LABELS) == 8


def test_counts_of_a_dead_process_neither_vanish_nor_double(multiproc_dir: Path, tmp_path: Path) -> None:
    env = _django_env(multiproc_dir, tmp_path)
    first = _send_logins(3, env)
    _send_logins(5, env)

    multiprocess.mark_process_dead(first, path=str(multiproc_dir))

    assert _sample_value(_run_django(_SCRAPE, env=env), LOGIN_400, LOGIN_400_LABELS) == 8


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


class Gunicorn:
    def __init__(self, process: subprocess.Popen, port: int, log: Path, stale_pid: int) -> None:
        self.process = process
        self.port = port
        self.log = log
        self.stale_pid = stale_pid  # the process of an earlier "run" whose file was left behind

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until(self, condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
        """Poll `condition` while gunicorn runs; fail at once if it dies, or after `seconds`."""
        deadline = time.monotonic() + seconds
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited ({self.process.returncode}) before {what}:\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn: no {what} after {seconds} s:\n{self.output()}")
            # Pauses between polls, but returns at once if gunicorn dies meanwhile.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=0.1)

    def scrape(self) -> str:
        status, body = _http(self.port, "GET", "/metrics", Authorization=f"Bearer {METRICS_TOKEN}")
        assert status == 200, body
        return body.decode()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


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
        DJANGO_SETTINGS_MODULE="config.settings.production",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        PROMETHEUS_MULTIPROC_DIR=str(multiproc_dir),
        SECRET_KEY="gunicorn-test-secret-key",
        ALLOWED_HOSTS="127.0.0.1",
        METRICS_TOKEN=METRICS_TOKEN,
        ALERTMANAGER_WEBHOOK_TOKEN="multiprocess-test-alerts-token",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SECURE_SSL_REDIRECT="False",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # 40 logins from one address would otherwise meet the production throttle (30/min).
        THROTTLE_AUTH="10000/min",
        THROTTLE_ANON="10000/min",
    )
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", "deploy/gunicorn.conf.py"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = Gunicorn(process, port, log, stale_pid)
    try:
        server.wait_until(lambda: _metrics_answer(server), "answer on /metrics")
        yield server
    finally:
        server.stop()


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
        counts[pid] = _sample_value(generate_latest(registry).decode(), LOGIN_400, LOGIN_400_LABELS)
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
        lambda: len(_file_pids(multiproc_dir) - {gunicorn.stale_pid}) >= 2, "metric files from 2 workers"
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
    assert _sample_value(gunicorn.scrape(), LOGIN_400, LOGIN_400_LABELS) == 40
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
    assert _sample_value(generate_latest(registry).decode(), LOGIN_400, LOGIN_400_LABELS) == 40
    assert gunicorn.process.returncode == 0
    assert "Worker exiting" in gunicorn.output()
