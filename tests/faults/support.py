"""What the fault tests share: a stack on a Redis (and database) of the test's own, a light
load that records every answer, and a one-line measurement report per test."""

import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from deploy.local.processes import WaitTimeout
from deploy.local.stack import Stack, StackOptions
from monitoring.tests.stack_fixtures import StackClient, StackWithFakes, stack_with_fakes

# Timings that make a fault test take seconds, not minutes (production: 30 s, 30 s, 300 s...).
FAST_ENV = {
    "REMINDER_DISPATCH_INTERVAL_SECONDS": "1",
    "SMS_RETRY_BASE_SECONDS": "1",
    "CELERY_QUEUE_LENGTH_INTERVAL_SECONDS": "1",
    "BUSINESS_METRICS_REFRESH_SECONDS": "5",
}


@contextmanager
def fault_stack(
    redis_url: str, *, database_url: str | None = None, env: dict[str, str] | None = None, **options_: Any
) -> Iterator[StackWithFakes]:
    """The native stack with the Twilio and Google fakes, on the test's own Redis. Its database
    is the one named (the test's own PostgreSQL), else the suite's DATABASE_URL server (CI),
    else SQLite. `options_` override StackOptions.for_tests()'s (scrape_interval...)."""
    options = StackOptions.for_tests(
        redis_url=redis_url,
        database_url=database_url or os.environ.get("DATABASE_URL") or None,
        env={**FAST_ENV, **(env or {})},
        keep_temp=bool(os.environ.get("STACK_KEEP_TEMP")),
        **options_,
    )
    with stack_with_fakes(options) as env_:
        yield env_


def report(capsys: pytest.CaptureFixture[str], scenario: str, figures: dict[str, Any]) -> None:
    """One line per test, shown whether it passes or not; appended to $FAULT_RESULTS if set."""
    line = json.dumps({"scenario": scenario, **figures}, sort_keys=False, default=str)
    with capsys.disabled():
        sys.stdout.write(f"\nFAULT {line}\n")
    if path := os.environ.get("FAULT_RESULTS"):
        with open(path, "a") as results:
            results.write(line + "\n")


@dataclass
class Sample:
    at: float  # seconds since the load started
    status: int | None  # None: no HTTP answer at all
    seconds: float
    error: str = ""


@dataclass
class LightLoad:
    """A thread doing one authenticated API call every `interval` seconds, recording each."""

    client: StackClient
    path: str = "/api/v1/todos"
    interval: float = 0.1
    timeout: float = 35.0  # past gunicorn's 30 s timeout: a hang shows as a hang
    samples: list[Sample] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="light-load", daemon=True)
        self._started = 0.0

    def __enter__(self) -> "LightLoad":
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.timeout + 5)

    def now(self) -> float:
        return time.monotonic() - self._started

    def _run(self) -> None:
        session = requests.Session()
        session.headers.update(self.client.session.headers)
        url = self.client.stack.url("web") + self.path
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                response = session.get(url, timeout=self.timeout, allow_redirects=False)
                sample = Sample(began - self._started, response.status_code, time.monotonic() - began)
            except requests.RequestException as error:
                sample = Sample(began - self._started, None, time.monotonic() - began, type(error).__name__)
            self.samples.append(sample)
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - began)))

    def between(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start <= s.at < end]

    @staticmethod
    def summary(samples: list[Sample]) -> dict[str, Any]:
        statuses: dict[str, int] = {}
        for sample in samples:
            key = str(sample.status) if sample.status is not None else f"no answer ({sample.error})"
            statuses[key] = statuses.get(key, 0) + 1
        latencies = sorted(s.seconds for s in samples)
        return {
            "requests": len(samples),
            "statuses": statuses,
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None,
            "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        }


@dataclass
class Restart:
    service: str
    at: float  # monotonic
    exit_code: int | None
    last_error: str  # the last CRITICAL/ERROR line of its log, shortened


@dataclass
class Supervisor:
    """Restarts a stack process that exits, as `restart: unless-stopped` does in
    deploy/docker-compose.yml, and records each restart: a test reports them as findings."""

    stack: Stack
    services: tuple[str, ...]
    restarts: list[Restart] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="supervisor", daemon=True)

    def __enter__(self) -> "Supervisor":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            for name in self.services:
                service = self.stack.services[name]
                if service.process is not None and service.process.poll() is not None:
                    code = service.process.returncode
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(service.process.pid, signal.SIGKILL)  # its pool's children too
                    self.restarts.append(Restart(name, time.monotonic(), code, _last_error(service.log)))
                    service.spawn()


def _last_error(log: Path) -> str:
    for line in reversed(log.read_text(errors="replace").splitlines()):
        if '"level": "CRITICAL"' in line or '"level": "ERROR"' in line:
            try:
                return str(json.loads(line).get("message", ""))[:200]
            except ValueError:
                return line[:200]
    return ""


def health(stack: Stack, page: str = "overall") -> tuple[int, str]:
    """A probe from inside the network (no proxy headers, the metrics token that the detailed
    pages ask for): its HTTP status and "status" field."""
    try:
        # Generous: with the database down, the two sync workers may each be waiting out the
        # pool's timeout, and a probe queues behind them.
        response = requests.get(
            f"{stack.url('web')}/health/{page}", headers=stack.metrics_headers, timeout=30
        )
    except requests.RequestException as error:
        return 0, type(error).__name__
    try:
        return response.status_code, response.json().get("status", "")
    except ValueError:
        return response.status_code, response.text[:80]


def wait_for_health(
    stack: Stack, status: str, *, timeout: float, code: int = 200, supervised: Supervisor | None = None
) -> float:
    """Seconds until /health/overall answers `code` with `status`."""
    began = time.monotonic()
    seen: list[tuple[int, str]] = []

    def reached() -> bool:
        seen.append(health(stack))
        return seen[-1] == (code, status)

    try:
        stack.wait_until(
            reached,
            f"/health/overall to answer {code} {status!r}",
            timeout=timeout,
            pause=0.5,
            supervised=supervised.services if supervised else (),
        )
    except WaitTimeout as error:
        error.add_note(f"its last answers: {seen[-3:]}")
        raise
    return time.monotonic() - began


def kill_group(stack: Stack, service: str) -> int:
    """SIGKILL a stack service's whole process group (no cleanup, no goodbye); returns its pid."""
    process = stack.services[service].process
    assert process is not None
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    return process.pid


def children(pid: int) -> list[int]:
    """The direct children of a process, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                # pid (comm) state ppid ...: comm may hold spaces, so split after its ')'.
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            found.append(int(entry))
    return sorted(found)
