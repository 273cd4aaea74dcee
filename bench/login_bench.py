"""Sign-ins under a small concurrent load: latency (p50, p95) and the server's CPU per sign-in.

    .venv/bin/python bench/login_bench.py [--duration 20] [--clients 4] [--workers 2]

The bench stack of harness.py (gunicorn, production settings, PostgreSQL, Redis); `--clients`
threads post the bench user's credentials to /api/v1/auth/login for `--duration` seconds. CPU
is that of the gunicorn master and workers (the processes this script started), read from
/proc, so the load generator is not counted. The machine is shared: compare runs made close
together, and read the CPU figure before the latencies.
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import harness

TICKS = os.sysconf("SC_CLK_TCK")


def _descendants_cpu_seconds() -> float:
    """user + system CPU of every process descending from this one."""
    parents, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICKS
    mine, grown = {os.getpid()}, True
    while grown:
        grown = False
        for pid, parent in parents.items():
            if parent in mine and pid not in mine:
                mine.add(pid)
                grown = True
    return sum(cpu[pid] for pid in mine if pid != os.getpid())


def _sign_in(base_url: str) -> float:
    body = json.dumps({"email": harness.EMAIL, "password": harness.PASSWORD}).encode()
    request = urllib.request.Request(
        f"{base_url}/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        response.read()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with harness.server(workers=args.workers) as srv:
        for _ in range(3):  # warm-up; the first also upgrades an older hash
            _sign_in(srv.base_url)
        latencies: list[float] = []
        deadline = time.monotonic() + args.duration

        def client() -> None:
            while time.monotonic() < deadline:
                latencies.append(_sign_in(srv.base_url))

        cpu_before = _descendants_cpu_seconds()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        cpu = _descendants_cpu_seconds() - cpu_before
    cuts = statistics.quantiles(latencies, n=20)
    print(
        f"{len(latencies)} sign-ins in {args.duration} s, {args.clients} clients, {args.workers} workers: "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {cuts[18] * 1000:.0f} ms, "
        f"server CPU {cpu / len(latencies) * 1000:.0f} ms per sign-in"
    )


if __name__ == "__main__":
    main()
