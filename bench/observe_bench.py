"""The cost of being watched: a /metrics scrape with every series populated across two gunicorn
workers, and /health/overall warm and with Redis pointed at a dead port.

    .venv/bin/python bench/observe_bench.py

Targets (issue 6): scrape < 50 ms; /health/overall p99 < 20 ms warm, < 2 s with Redis dead.
"""

import json
import socket
import statistics
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import harness

WORKERS = 2
SCRAPES = 200
PROBES = 300
METRICS_AUTH = {"Authorization": f"Bearer {harness.METRICS_TOKEN}"}


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _post(url: str, body: dict, token: str) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def populate(server: harness.Server) -> None:
    """Touch every kind of endpoint from both workers, so each has written its series."""
    auth = {"Authorization": f"Bearer {server.token}"}
    for i in range(40):
        _post(f"{server.base_url}/api/v1/chat/messages", {"text": f"add bench task {i}"}, server.token)
        reminder = {"text": "stretch", "due_at": "2099-01-01T09:00:00Z"}
        _post(f"{server.base_url}/api/v1/reminders", reminder, server.token)
        for path in ("/api/v1/todos", "/api/v1/agenda", "/api/v1/integrations", "/nope"):
            _get(server.base_url + path, auth)
        _get(f"{server.base_url}/health/overall", METRICS_AUTH)


def timed(url: str, count: int, headers: dict[str, str] | None = None) -> tuple[list[float], int, bytes]:
    durations, status, body = [], 0, b""
    for _ in range(count):
        started = time.perf_counter()
        status, body = _get(url, headers)
        durations.append((time.perf_counter() - started) * 1000)
    return durations, status, body


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(label: str, durations: list[float]) -> str:
    return (
        f"{label:44} p50 {statistics.median(durations):7.2f} ms  p95 {percentile(durations, 0.95):7.2f} ms  "
        f"p99 {percentile(durations, 0.99):7.2f} ms  max {max(durations):7.2f} ms"
    )


@contextmanager
def refused_port() -> Iterator[int]:
    """A port bound but never listening: connections are refused at once, as when Redis is stopped."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


def main() -> None:
    with harness.server(workers=WORKERS) as server:
        populate(server)
        scrapes, status, exposition = timed(f"{server.base_url}/metrics", SCRAPES, METRICS_AUTH)
        assert status == 200, status
        series = sum(1 for line in exposition.decode().splitlines() if line and not line.startswith("#"))
        timed(f"{server.base_url}/health/overall", 20, METRICS_AUTH)  # warm both workers' cached results
        warm, status, _ = timed(f"{server.base_url}/health/overall", PROBES, METRICS_AUTH)
        print(f"gunicorn {WORKERS} workers, production settings, PostgreSQL + Redis; sequential requests")
        print(summary(f"/metrics ({series} series, {len(exposition) // 1024} KiB)", scrapes))
        print(summary(f"/health/overall warm (HTTP {status})", warm))

    with refused_port() as port:
        dead_redis = {"REDIS_URL": f"redis://127.0.0.1:{port}/0"}
        with harness.server(workers=WORKERS, env=dead_redis) as server:
            cold, _, _ = timed(
                f"{server.base_url}/health/overall", 1, METRICS_AUTH
            )  # the first probe runs the checks
            dead, status, body = timed(f"{server.base_url}/health/overall", PROBES, METRICS_AUTH)
            overall = json.loads(body)["status"]
            print(summary(f"/health/overall, Redis dead ({overall}, HTTP {status})", cold + dead))

    print(
        f"verdict: scrape p99 {percentile(scrapes, 0.99):.1f} ms (target < 50); "
        f"health warm p99 {percentile(warm, 0.99):.1f} ms (target < 20); "
        f"health with Redis dead max {max(cold + dead):.0f} ms (target < 2000)"
    )


if __name__ == "__main__":
    main()
