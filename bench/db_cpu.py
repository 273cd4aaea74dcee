"""What PostgreSQL spends per request: the CPU of the server backend that answers the project.

    BENCH_DATABASE_URL=... BENCH_REDIS_URL=... .venv/bin/python bench/db_cpu.py [--requests 1000] [--rounds 3]
    DATABASE_PREPARED_READS=false .venv/bin/python bench/db_cpu.py      # the compiled reads unprepared

`cpu_bench.py` measures the project's processes and leaves the databases out. This one drives
the project's WSGI handler in its own process (bench.settings, PostgreSQL and Redis, the bench
user signed in with a token of its own) and reads, over a batch of requests, the CPU time of
that process, of the PostgreSQL backends of the bench database (`harness.cpu_seconds`: the
server must run on this machine) and the wall time. For the todo list, the chat question and
the agenda, rounds alternating between them. Prints Markdown.
"""

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import harness

ENDPOINTS = {
    "todo list (GET /api/v1/todos)": ("GET", "/api/v1/todos", b""),
    'chat (POST /api/v1/chat/messages, "what is next?")': (
        "POST",
        "/api/v1/chat/messages",
        json.dumps({"text": "what is next?"}).encode(),
    ),
    "agenda (GET /api/v1/agenda)": ("GET", "/api/v1/agenda", b""),
}


def _caller(token: str) -> Callable[[str, str, bytes], None]:
    call = harness.in_process()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def checked(method: str, path: str, body: bytes) -> None:
        status = call(method, path, headers, body)
        if not status.startswith(("200", "201")):
            raise SystemExit(f"{method} {path}: {status}")

    return checked


def _backend_pids() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [pid for (pid,) in cursor.fetchall()]


def measure(requests: int, rounds: int) -> tuple[dict[str, list[tuple[float, ...]]], bool]:
    """Per endpoint and round: our CPU, PostgreSQL's and the wall time, ms a request; and
    whether the compiled reads were prepared."""
    env = harness.project_env()
    harness.prepare(env)
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    from assistant.users.models import AuthToken, User

    _, token = AuthToken.objects.create(User.objects.get(email=harness.EMAIL))
    call = _caller(token)
    for method, path, body in ENDPOINTS.values():
        for _ in range(20):  # connections, compiled and prepared reads, caches
            call(method, path, body)

    figures: dict[str, list[tuple[float, ...]]] = {label: [] for label in ENDPOINTS}
    for _ in range(rounds):
        for label, (method, path, body) in ENDPOINTS.items():
            call(method, path, body)
            backends = _backend_pids()  # the pool's, as the request left them
            database, ours, wall = harness.cpu_seconds(backends), time.thread_time(), time.perf_counter()
            for _ in range(requests):
                call(method, path, body)
            ours, database, wall = (
                time.thread_time() - ours,
                harness.cpu_seconds(backends) - database,
                time.perf_counter() - wall,
            )
            figures[label].append(tuple(seconds / requests * 1000 for seconds in (ours, database, wall)))
    return figures, settings.DATABASE_PREPARED_READS


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000, help="requests per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    # The project logs a line per request to stdout, as under gunicorn: into a file here.
    with tempfile.TemporaryFile("w") as log, contextlib.redirect_stdout(log):
        figures, prepared = measure(args.requests, args.rounds)

    print(
        f"In one process, {args.rounds} rounds of {args.requests} requests per endpoint, medians "
        f"(min-max); compiled reads {'prepared' if prepared else 'not prepared'} (DATABASE_PREPARED_READS).\n"
    )
    print("| endpoint | our CPU ms/request | PostgreSQL CPU ms/request | wall ms/request |")
    print("| --- | ---: | ---: | ---: |")
    for label, runs in figures.items():
        cells = []
        for column in zip(*runs, strict=True):
            cells.append(f"{statistics.median(column):.3f} ({min(column):.3f}-{max(column):.3f})")
        print(f"| {label} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
