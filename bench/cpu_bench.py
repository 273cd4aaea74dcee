"""CPU per request of the project's hot endpoints against a bare Django + DRF anchor (issue 16).

    .venv/bin/python bench/cpu_bench.py [--rounds 5] [--requests 300] [--no-off] [--no-throughput]
    .venv/bin/python bench/cpu_bench.py --only /api/v1/todos --only /api/v1/agenda   # some endpoints
    .venv/bin/python bench/cpu_bench.py --quick     # one tiny round, no throughput: a smoke run

Side by side, one sync gunicorn worker each, on the same PostgreSQL: the project (production
settings through bench.settings, PostgreSQL + Redis, full instrumentation, deploy/gunicorn.conf.py),
the same build with OBSERVABILITY_ENABLED=false, and the anchor (bench/anchor: DRF's
TokenAuthentication and a 10-row list, no middleware, no instrumentation, none of our apps).

The CPU time of each server's processes (gunicorn master + worker, read from each process's
CPU-time clock in nanoseconds, exited threads included; the load generator and the databases
excluded) over a batch of requests, divided by the
batch's size. Every round measures every endpoint on every server once, in an order rotated
from round to round; each endpoint's ratio to the anchor is taken within its round, and the
medians over rounds are printed with their spread (min-max). SQL statements per request come
from servers of their own serving bench/sql_count.py, never from the measured ones. Then, with
wrk, the chat POST at 16 connections against the anchor's list (throughput and p99).

Needs PostgreSQL and Redis (bench/README.md); wrk for the throughput figure only. Prints Markdown.
"""

import argparse
import http.client
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import harness
from bench.common import DATABASE_URL, ensure_database
from deploy.local.stack import free_port

SQL_HEADER, ROUND_TRIPS_HEADER = "X-Bench-SQL-Statements", "X-Bench-SQL-Round-Trips"  # bench/sql_count.py
ANCHOR_DATABASE_URL = os.environ.get("BENCH_ANCHOR_DATABASE_URL", DATABASE_URL + "_anchor")
NOTICE = (
    "This machine is shared (other sessions' processes run on the same cores): absolute "
    "milliseconds move with the neighbours, and only the ratios taken within interleaved "
    "rounds count."
)
# wrk's default (2 s) counts an answer queued behind 15 others on one loaded worker as an error.
WRK_TIMEOUT = 10
CHAT_TEXT = "what is next?"
TWILIO_TO = "+15005550006"
# Outbound messages for the status callbacks: each callback reports on a message of its own.
STATUS_SID = "SMb{:031x}"
INBOUND_SID = "SMa{:031x}"

ANCHOR_PREPARE = """
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from bench.anchor.models import Item
user, _ = User.objects.get_or_create(username="bench")
Item.objects.filter(owner=user).delete()
Item.objects.bulk_create(Item(owner=user, title=f"todo {i}", position=i) for i in range(10))
print(Token.objects.get_or_create(user=user)[0].key)
"""


def outbound_prepare(count: int) -> str:
    """`count` sent messages whose delivery Twilio will report (harness.PREPARE's `user`)."""
    return f"""
OutboundSMS.objects.bulk_create(
    OutboundSMS(user=user, to_number="{harness.PHONE}", body="hello", purpose="reply", status="sent",
                provider_sid="{STATUS_SID}".format(i))
    for i in range({count})
)
"""


@dataclass(frozen=True)
class Endpoint:
    label: str
    method: str
    path: str
    target: float | None = None  # the most CPU per request it may take, as a ratio to the anchor


ANCHOR = Endpoint(
    "anchor: bare DRF token-authenticated 10-row list (GET /anchor/items)", "GET", "/anchor/items"
)
ENDPOINTS = [
    Endpoint("todo list (GET /api/v1/todos)", "GET", "/api/v1/todos", 1.5),
    Endpoint(f'chat (POST /api/v1/chat/messages, "{CHAT_TEXT}")', "POST", "/api/v1/chat/messages", 2.5),
    Endpoint("inbound SMS, signed, routed (POST /sms/twilio/inbound)", "POST", "/sms/twilio/inbound", 2.5),
    Endpoint("status callback, signed (POST /sms/twilio/status)", "POST", "/sms/twilio/status", 2.0),
    Endpoint("agenda (GET /api/v1/agenda)", "GET", "/api/v1/agenda", 2.0),
    Endpoint("project's stack, empty view (GET /bench/reference)", "GET", "/bench/reference"),
]


@dataclass
class Target:
    """A running server: gunicorn's master process, its port and the Authorization to send."""

    name: str
    process: subprocess.Popen
    port: int
    authorization: str


class Client:
    """Builds and sends one request at a time (gunicorn's sync worker closes every connection);
    every inbound SMS and status callback is a distinct one, signed as Twilio signs. `first`
    numbers its messages from there, so that clients sharing a database never repeat one."""

    def __init__(self, first: int = 0) -> None:
        self.validator = RequestValidator(harness.TWILIO_AUTH_TOKEN)
        self.inbound = itertools.count(first)
        self.status = itertools.count(first)

    def _form(self, endpoint: Endpoint) -> dict[str, str]:
        if endpoint.path == "/sms/twilio/inbound":
            return {
                "MessageSid": INBOUND_SID.format(next(self.inbound)),
                "AccountSid": "AC" + "b" * 32,
                "From": harness.PHONE,
                "To": TWILIO_TO,
                "Body": CHAT_TEXT,
                "NumSegments": "1",
            }
        return {
            "MessageSid": STATUS_SID.format(next(self.status)),
            "AccountSid": "AC" + "b" * 32,
            "MessageStatus": "delivered",
            "NumSegments": "1",
        }

    def request(
        self, endpoint: Endpoint, base_url: str, authorization: str
    ) -> tuple[dict[str, str], str | None]:
        """The headers and body of the next request to `endpoint` on the server at `base_url`
        (the project's SMS_PUBLIC_BASE_URL, which Twilio signs)."""
        if endpoint.path.startswith("/sms/twilio/"):
            form = self._form(endpoint)
            signature = self.validator.compute_signature(base_url + endpoint.path, form)
            headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
            return headers, urlencode(form)
        headers = {"Authorization": authorization}
        if endpoint.method == "GET":
            return headers, None
        return {**headers, "Content-Type": "application/json"}, json.dumps({"text": CHAT_TEXT})

    def send(self, target: Target, endpoint: Endpoint) -> http.client.HTTPResponse:
        # harness: SMS_PUBLIC_BASE_URL
        headers, body = self.request(endpoint, f"http://127.0.0.1:{target.port}", target.authorization)
        connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
        try:
            connection.request(endpoint.method, endpoint.path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        if not 200 <= response.status < 300:
            raise SystemExit(f"{target.name} {endpoint.path}: {response.status} {content[:300]!r}")
        return response


# --- CPU of a server's processes ------------------------------------------------------------
def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat from field 3 (state) on: the command name before it may hold spaces."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def server_pids(master: int) -> tuple[int, ...]:
    """gunicorn's master and its workers (its children)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == master:
                    children.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue  # ended while we looked
    return (master, *sorted(children))


def measure(client: Client, target: Target, endpoint: Endpoint, requests: int) -> float:
    """Milliseconds of the server's CPU per request over `requests` sequential requests."""
    pids = server_pids(target.process.pid)
    before = harness.cpu_seconds(pids)
    for _ in range(requests):
        client.send(target, endpoint)
    after = harness.cpu_seconds(pids)
    if server_pids(target.process.pid) != pids:
        raise SystemExit(f"{target.name}: a gunicorn worker was replaced during a measurement")
    return (after - before) * 1000 / requests


# --- the servers ------------------------------------------------------------------------------
def anchor_env() -> dict[str, str]:
    # Nothing of the project's environment: the anchor reads only these.
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "VIRTUAL_ENV", "PYTHONPATH"}
    return {
        **{key: value for key, value in os.environ.items() if key in keep},
        "DJANGO_SETTINGS_MODULE": "bench.anchor.settings",
        "ANCHOR_DATABASE_URL": ANCHOR_DATABASE_URL,
    }


def prepare_anchor() -> str:
    """Migrate the anchor's database, reset its 10 rows; its user's token."""
    ensure_database(ANCHOR_DATABASE_URL)
    django = [sys.executable, "-m", "django"]
    env = anchor_env()
    subprocess.run(
        [*django, "migrate", "--noinput", "--verbosity", "0"], cwd=harness.ROOT, env=env, check=True
    )
    shell = subprocess.run(
        [*django, "shell", "-c", ANCHOR_PREPARE],
        cwd=harness.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return shell.stdout.split()[-1]


@contextmanager
def anchor(token: str, app: str = "bench.anchor.wsgi:application", workers: int = 1) -> Iterator[Target]:
    port = free_port()
    arguments = [app, "--workers", str(workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}"]
    log = Path(tempfile.mkdtemp(prefix="bench-anchor-")) / "gunicorn.log"
    with harness.gunicorn(anchor_env(), port, arguments, log) as process:
        yield Target("anchor", process, port, f"Token {token}")


@contextmanager
def project(
    name: str, env: dict[str, str] | None = None, app: str | None = None, workers: int = 1
) -> Iterator[Target]:
    with harness.project(workers=workers, env=env, app=app) as (srv, process):
        yield Target(name, process, int(srv.base_url.rsplit(":", 1)[1]), f"Bearer {srv.token}")


# --- the passes -------------------------------------------------------------------------------
def count_statements(client: Client, anchor_token: str, samples: int) -> dict[str, str]:
    """Each endpoint's SQL statements per request and, in brackets, the round trips that sent
    them, as "n" or "min-max" over `samples` requests after two to warm up, from servers of
    their own answering through bench/sql_count.py."""
    counts: dict[str, str] = {}
    app = "bench.sql_count:application"
    with project("project, counting", app=app) as counted, anchor(anchor_token, app=app) as anchor_counted:
        for target, endpoint in [(anchor_counted, ANCHOR), *((counted, e) for e in ENDPOINTS)]:
            answers = [client.send(target, endpoint).headers for _ in range(2 + samples)][2:]
            statements = _range([int(headers[SQL_HEADER]) for headers in answers])
            round_trips = _range([int(headers[ROUND_TRIPS_HEADER]) for headers in answers])
            counts[endpoint.label] = f"{statements} ({round_trips})"
    return counts


def _range(seen: list[int]) -> str:
    low, high = min(seen), max(seen)
    return str(low) if low == high else f"{low}-{high}"


def rounds(
    client: Client, targets: list[tuple[Target, Endpoint]], *, rounds: int, requests: int, warmup: int
) -> list[dict[tuple[str, str], float]]:
    """Every (server, endpoint) once per round, the order rotated by one each round."""
    for target, endpoint in targets:
        for _ in range(warmup):
            client.send(target, endpoint)
    results = []
    started = time.monotonic()
    for number in range(rounds):
        shift = number % len(targets)
        order = targets[shift:] + targets[:shift]
        results.append({(t.name, e.label): measure(client, t, e, requests) for t, e in order})
        print(f"round {number + 1}/{rounds} done ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return results


def spread(values: list[float], form: str) -> tuple[str, str]:
    return format(
        statistics.median(values), form
    ), f"{format(min(values), form)} to {format(max(values), form)}"


def report_cpu(results: list[dict[tuple[str, str], float]], sql: dict[str, str], *, off: bool) -> None:
    anchor_ms = [r[("anchor", ANCHOR.label)] for r in results]
    median, ranged = spread(anchor_ms, ".2f")
    print(
        "| endpoint | CPU ms/request | spread | vs anchor | spread | target | SQL statements (round trips) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {ANCHOR.label} | {median} | {ranged} | 1.00x | | | {sql[ANCHOR.label]} |")
    for endpoint in ENDPOINTS:
        ms = [r[("project", endpoint.label)] for r in results]
        ratios = [r[("project", endpoint.label)] / r[("anchor", ANCHOR.label)] for r in results]
        ratio, ratio_range = spread(ratios, ".2f")
        target = f"<= {endpoint.target}x" if endpoint.target else ""
        cpu = " | ".join(spread(ms, ".2f"))
        print(f"| {endpoint.label} | {cpu} | {ratio}x | {ratio_range} | {target} | {sql[endpoint.label]} |")
    if not off:
        return
    print("\nInstrumentation cost: the same build with OBSERVABILITY_ENABLED=false, same rounds")
    print("(target <= 10%):\n")
    print("| endpoint | on ms | off ms | on / off - 1 | spread |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for endpoint in ENDPOINTS:
        on = [r[("project", endpoint.label)] for r in results]
        off_ms = [r[("project, observability off", endpoint.label)] for r in results]
        cost = [100 * (a / b - 1) for a, b in zip(on, off_ms, strict=True)]
        median, ranged = spread(cost, "+.0f")
        print(
            f"| {endpoint.label} | {statistics.median(on):.2f} | {statistics.median(off_ms):.2f} "
            f"| {median}% | {ranged}% |"
        )


CHAT_LUA = f"""
request = function()
  return wrk.format("POST", "/api/v1/chat/messages", nil, '{json.dumps({"text": CHAT_TEXT})}')
end
"""


def throughput(
    anchor_target: Target, project_target: Target, *, rounds: int, duration: int, workers: int = 1
) -> None:
    """wrk at 16 connections: the anchor's list and the chat POST, alternating."""
    if not shutil.which("wrk"):
        print("\nThroughput: skipped, wrk is not installed (apt-get install wrk).")
        return
    chat_script = harness.lua_script(CHAT_LUA)
    load = {
        "anchor": (ANCHOR.path, anchor_target, {}, None),
        "chat": ("/api/v1/chat/messages", project_target, {"Content-Type": "application/json"}, chat_script),
    }
    runs: dict[str, list[dict]] = {name: [] for name in load}
    for number in range(rounds):
        for name in list(load) if number % 2 == 0 else list(load)[::-1]:
            path, target, headers, script = load[name]
            figures = harness.wrk(
                f"http://127.0.0.1:{target.port}{path}",
                headers={"Authorization": target.authorization, **headers},
                connections=16,
                duration=duration,
                script=script,
                timeout=WRK_TIMEOUT,
            )
            runs[name].append(figures)
    rps = {name: [r["rps"] for r in figures] for name, figures in runs.items()}
    ratios = [c / a for c, a in zip(rps["chat"], rps["anchor"], strict=True)]
    print(f"\nThroughput: wrk, 16 connections, {duration} s each, {rounds} alternating rounds,")
    print(f"{workers} sync worker{'s' if workers > 1 else ''} each:\n")
    print("| | req/s (median) | spread | p50 ms | p99 ms (median) | p99 spread | non-2xx | socket errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, figures in runs.items():
        p99 = [r["p99_ms"] for r in figures]
        p50 = statistics.median(r["p50_ms"] for r in figures)
        errors = sum(r["errors"] for r in figures)
        socket_errors = sum(r["socket_errors"] for r in figures)
        rate, latency = " | ".join(spread(rps[name], ".1f")), " | ".join(spread(p99, ".1f"))
        print(f"| {name} | {rate} | {p50:.1f} | {latency} | {errors} | {socket_errors} |")
    median, ranged = spread(ratios, ".2f")
    print(f"\nchat / anchor throughput: {median}x ({ranged}; target >= 0.5x); chat p99 target <= 50 ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300, help="requests per endpoint per round")
    parser.add_argument("--warmup", type=int, default=30, help="requests per endpoint before the rounds")
    parser.add_argument("--sql-samples", type=int, default=5, help="requests counted per endpoint")
    parser.add_argument("--no-off", action="store_true", help="skip the OBSERVABILITY_ENABLED=false build")
    parser.add_argument("--no-throughput", action="store_true", help="skip the wrk figure")
    parser.add_argument("--throughput-rounds", type=int, default=3)
    parser.add_argument("--throughput-duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument(
        "--throughput-workers",
        type=int,
        default=1,
        help="also under wrk with this many workers per server (deploy/gunicorn.conf.py ships 2 x cores + 1)",
    )
    parser.add_argument("--quick", action="store_true", help="1 round of 10 requests, no throughput")
    parser.add_argument(
        "--only",
        action="append",
        metavar="PATH",
        help="measure only the endpoints at these paths (repeatable), beside the anchor",
    )
    args = parser.parse_args()
    if args.only:
        ENDPOINTS[:] = [endpoint for endpoint in ENDPOINTS if endpoint.path in args.only]
        if not ENDPOINTS:
            parser.error(f"--only: none of {args.only} is measured here")
    if args.quick:
        args.rounds, args.requests, args.warmup, args.sql_samples, args.no_throughput = 1, 10, 2, 1, True
    print(NOTICE, file=sys.stderr)

    measured = 1 if args.no_off else 2  # project servers
    status_callbacks = 2 + args.sql_samples + measured * (args.warmup + args.rounds * args.requests)
    harness.prepare(harness.project_env(), outbound_prepare(status_callbacks))
    anchor_token = prepare_anchor()
    client = Client()
    sql = count_statements(client, anchor_token, args.sql_samples)
    with ExitStack() as stack:
        anchor_target = stack.enter_context(anchor(anchor_token))
        project_target = stack.enter_context(project("project"))
        servers = [project_target]
        if not args.no_off:
            off = {"OBSERVABILITY_ENABLED": "false"}
            servers.append(stack.enter_context(project("project, observability off", off)))
        # Each endpoint on and off one after the other: the pair sees the same neighbours.
        targets = [(anchor_target, ANCHOR), *((server, e) for e in ENDPOINTS for server in servers)]
        results = rounds(client, targets, rounds=args.rounds, requests=args.requests, warmup=args.warmup)
        print(
            f"CPU per request of the server processes (gunicorn master + one sync worker; the load generator "
            f"and the databases excluded): medians of {args.rounds} interleaved rounds of {args.requests} "
            f"sequential requests per endpoint, ratios to the anchor taken within each round, spread = "
            f"min-max over rounds; {os.cpu_count()} cores.\n"
        )
        report_cpu(results, sql, off=not args.no_off)
        if not args.no_throughput:
            throughput(
                anchor_target,
                project_target,
                rounds=args.throughput_rounds,
                duration=args.throughput_duration,
            )
    if not args.no_throughput and args.throughput_workers > 1:
        workers = args.throughput_workers
        with (
            anchor(anchor_token, workers=workers) as many_anchor,
            project("project", workers=workers) as many,
        ):
            throughput(
                many_anchor,
                many,
                rounds=args.throughput_rounds,
                duration=args.throughput_duration,
                workers=workers,
            )
    print(f"\n{NOTICE}")


if __name__ == "__main__":
    main()
