"""Mixed load on the native stack (deploy/local): per-endpoint throughput, latency and errors,
CPU and peak memory per process, the project's stack with an empty view (/bench/reference) in the
same run, the cost of our own instrumentation (OBSERVABILITY_ENABLED=false), 500 concurrent
connections, and the hygiene of every log line and /metrics exposition (issue 7, items 3 and 6).

    .venv/bin/python bench/load_bench.py [--duration 60] [--reference 15] [--burst 15]
        [--workers 3] [--threads 4] [--no-off-run]

Needs wrk, Prometheus and Alertmanager (deploy/local/README.md), PostgreSQL and Redis
(bench/README.md). About 5 minutes with the defaults on 2 cores. Prints Markdown.
"""

import argparse
import json
import math
import os
import re
import resource
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import harness, hygiene
from bench.api_bench import CHAT_LUA
from bench.common import DATABASE_URL, REDIS_URL
from deploy.local.stack import Stack, StackOptions
from tests.fakes.twilio_server import TEST_FROM_NUMBER, FakeTwilio

KPI_P95_MS, KPI_RPS, KPI_USERS, MAX_COST = 1000, 100, 500, 0.10
# wrk's default (2 s) would count a slow answer as a socket error; a client waits longer.
WRK_TIMEOUT = 10
STATUS_SIDS = 2000  # outbound messages that exist, for the status callbacks
INBOUND_FORMS = 20000  # distinct signed inbound messages (none is a duplicate)

DUE_REMINDERS = 300  # SMS reminders coming due during the mix: beat and the worker send them


def prepare_extra(span: int) -> str:
    """Outbound messages Twilio will report on; reminders due one after another over `span` s."""
    return f"""
from datetime import timedelta
from django.utils import timezone
from assistant.planner.services import reminder_create
from sms.models import OutboundSMS
OutboundSMS.objects.bulk_create(
    OutboundSMS(user=user, to_number="{harness.PHONE}", body="hello", purpose="reply", status="sent",
                provider_sid=f"SM{{i:032x}}")
    for i in range({STATUS_SIDS})
)
start = timezone.now() + timedelta(seconds=20)
for i in range({DUE_REMINDERS}):
    due = start + timedelta(seconds=i * {span} / {DUE_REMINDERS})
    reminder_create(user=user, text=f"due {{i}}", due_at=due, channel="sms")
"""


# Create, rename, delete and list; only rows this thread created, never its first four (so a
# rename and a delete on two connections never meet on one row: no 404 by construction).
CRUD_LUA = """
local ids = {}
local step = 0
request = function()
  step = step + 1
  local phase = step %% 4
  if phase == 1 or #ids < 5 then
    return wrk.format("POST", "%(path)s", nil, '%(create)s')
  elseif phase == 2 then
    return wrk.format("PATCH", "%(path)s/" .. ids[1], nil, '%(update)s')
  elseif phase == 3 then
    return wrk.format("DELETE", "%(path)s/" .. table.remove(ids), nil, nil)
  end
  return wrk.format("GET", "%(path)s", nil, nil)
end
response = function(status, headers, body)
  if status == 201 then
    local id = string.match(body, '"id":%%s*(%%d+)')
    if id then table.insert(ids, id) end
  end
end
"""
GET_LUA = 'request = function() return wrk.format("GET", "%s", nil, nil) end\n'


@dataclass
class Stream:
    """One endpoint of the mix: a wrk process with its share of the connections."""

    name: str
    path: str
    connections: int
    script: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Probe:
    """The periodic requests Python makes itself (health probes, scrapes, sign-ins)."""

    durations: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)

    def timed(
        self, name: str, call: Callable[[], requests.Response], ok: tuple[int, ...] = (200,)
    ) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = call()
        except requests.RequestException:
            response = None
        self.durations.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        self.failures[name] = self.failures.get(name, 0) + (
            response is None or response.status_code not in ok
        )
        return response


@dataclass
class Run:
    stack: Stack
    twilio: FakeTwilio
    token: str
    password_seen: list[str] = field(default_factory=lambda: [harness.PASSWORD])
    expositions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def web(self) -> str:
        return self.stack.url("web")

    def api_headers(self) -> dict[str, str]:
        return {
            **self.stack.proxy_headers,
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
        }


# --- the stack ----------------------------------------------------------------------------
def stack_options(args: argparse.Namespace, twilio: FakeTwilio, *, observability: bool) -> StackOptions:
    return StackOptions(
        web_workers=args.workers,
        database_url=DATABASE_URL,
        redis_url=REDIS_URL,
        env={
            "DJANGO_SETTINGS_MODULE": "bench.settings",  # production plus /bench/reference
            "OBSERVABILITY_ENABLED": str(observability).lower(),
            # One machine plays every client: the per-user and per-IP throttles would refuse it.
            "THROTTLE_USER": "1000000/min",
            "THROTTLE_ANON": "1000000/min",
            "THROTTLE_AUTH": "1000000/min",
            # Thousands of TwiML replies would spend the default day's budget (50 USD) within a
            # run, and every phone code after that would measure the cap's 429.
            "SMS_DAILY_SPEND_LIMIT_USD": "1000000",
            # Threads keep idle keep-alive connections open cheaply (500 of them, see --burst);
            # the backlog holds connection bursts while every thread is busy.
            "GUNICORN_WORKER_CLASS": "gthread",
            "GUNICORN_CMD_ARGS": f"--threads {args.threads} --backlog 2048",
            "SMS_BACKEND": "sms.backends.twilio.TwilioSmsBackend",
            "TWILIO_API_BASE_URL": twilio.base_url,
            "TWILIO_ACCOUNT_SID": twilio.account_sid,
            "TWILIO_AUTH_TOKEN": twilio.auth_token,
            "TWILIO_FROM_NUMBER": TEST_FROM_NUMBER,
        },
    )


def start_run(stack: Stack, twilio: FakeTwilio, span: int) -> Run:
    stack.manage("shell", "-c", harness.PREPARE + prepare_extra(span))
    response = requests.post(
        stack.url("web") + "/api/v1/auth/login",
        json={"email": harness.EMAIL, "password": harness.PASSWORD},
        headers=stack.proxy_headers,
        timeout=10,
    )
    response.raise_for_status()
    return Run(stack=stack, twilio=twilio, token=response.json()["token"])


# --- the workload -------------------------------------------------------------------------
def streams(run: Run) -> list[Stream]:
    due = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")  # edited, never due
    twilio_headers = dict(run.stack.proxy_headers)
    public = "https://" + run.web.removeprefix("http://")  # as the app rebuilds it behind the proxy
    inbound = [
        {
            "MessageSid": f"SM{i:032x}",
            "AccountSid": run.twilio.account_sid,
            "From": harness.PHONE,
            "To": TEST_FROM_NUMBER,
            "Body": ("what's next?", "list", "help", "remind me to stretch in 2 hours")[i % 4],
            "NumSegments": "1",
        }
        for i in range(INBOUND_FORMS)
    ]
    status = [
        {
            "MessageSid": f"SM{i % STATUS_SIDS:032x}",
            "AccountSid": run.twilio.account_sid,
            "MessageStatus": ("sent", "delivered")[(i // STATUS_SIDS) % 2],
            "NumSegments": "1",
        }
        for i in range(2 * STATUS_SIDS)
    ]

    def signed(path: str, forms: list[dict[str, str]]) -> str:
        return harness.signed_form_lua(public + path, forms, auth_token=run.twilio.auth_token, threads=2)

    return [
        Stream("chat message (POST /api/v1/chat/messages)", "/api/v1/chat/messages", 6, CHAT_LUA),
        Stream(
            "todo CRUD (/api/v1/todos)",
            "/api/v1/todos",
            4,
            CRUD_LUA
            % {"path": "/api/v1/todos", "create": '{"title": "load"}', "update": '{"title": "renamed"}'},
        ),
        Stream(
            "reminder CRUD (/api/v1/reminders)",
            "/api/v1/reminders",
            2,
            CRUD_LUA
            % {
                "path": "/api/v1/reminders",
                "create": f'{{"text": "stretch", "due_at": "{due}"}}',
                "update": '{"text": "stretch again"}',
            },
        ),
        Stream("agenda (GET /api/v1/agenda)", "/api/v1/agenda", 4, GET_LUA % "/api/v1/agenda"),
        Stream(
            "inbound SMS, signed (POST /sms/twilio/inbound)",
            "/sms/twilio/inbound",
            3,
            signed("/sms/twilio/inbound", inbound),
            twilio_headers,
        ),
        Stream(
            "status callback, signed (POST /sms/twilio/status)",
            "/sms/twilio/status",
            1,
            signed("/sms/twilio/status", status),
            twilio_headers,
        ),
    ]


def run_wrk(run: Run, stream: Stream, duration: int) -> dict:
    return harness.wrk(
        run.web + stream.path,
        headers=stream.headers or run.api_headers(),
        connections=stream.connections,
        duration=duration,
        script=harness.lua_script(stream.script + harness.P95_LUA),
        timeout=WRK_TIMEOUT,
    )


def periodic(stop: threading.Event, every: float, action: Callable[[], None]) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            action()
            stop.wait(every)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def background(run: Run, probe: Probe, stop: threading.Event) -> list[threading.Thread]:
    """Health probes every 2 s, a scrape of every exporter every 15 s (as Prometheus, which
    also runs), a sign-in (right and wrong password) every 5 s, a new user verifying a phone
    every 10 s (its code goes through the outbox to the Twilio fake)."""
    session = requests.Session()
    proxy = run.stack.proxy_headers

    def health() -> None:
        for path in ("/health/live", "/health/ready"):
            probe.timed(f"GET {path} (every 2 s)", lambda path=path: session.get(run.web + path, timeout=10))

    def scrape() -> None:
        for service in ("web", "worker", "beat"):
            url, headers = run.stack.url(service) + "/metrics", run.stack.metrics_headers
            response = probe.timed(
                f"GET /metrics of {service} (every 15 s)",
                lambda url=url, headers=headers: session.get(url, headers=headers, timeout=15),
            )
            if response is not None:
                run.expositions.append((f"{service} /metrics at {time.strftime('%H:%M:%S')}", response.text))

    def sign_in() -> None:
        url = run.web + "/api/v1/auth/login"
        good = {"email": harness.EMAIL, "password": harness.PASSWORD}
        bad = {"email": harness.EMAIL, "password": "wrong " + harness.PASSWORD}
        probe.timed(
            "POST /api/v1/auth/login (every 5 s)", lambda: session.post(url, json=good, headers=proxy)
        )
        probe.timed(
            "POST /api/v1/auth/login, wrong (every 5 s)",
            lambda: session.post(url, json=bad, headers=proxy),
            ok=(400, 401, 403),
        )
        run.password_seen.append(bad["password"])

    counter = iter(range(10**6))

    def verify_phone() -> None:
        n = next(counter)
        email, password = f"load{n}@example.com", f"load passphrase {n} 1234"
        run.password_seen.append(password)
        api = run.web + "/api/v1"
        register = probe.timed(
            "POST /api/v1/auth/register (every 10 s)",
            lambda: session.post(
                f"{api}/auth/register", json={"email": email, "password": password}, headers=proxy, timeout=10
            ),
            ok=(202,),
        )
        if register is None or not register.ok:
            return
        login = session.post(
            f"{api}/auth/login", json={"email": email, "password": password}, headers=proxy, timeout=10
        )
        token = login.json().get("token") if login.ok else None
        if not token:
            return
        probe.timed(
            "POST /api/v1/phone/verify, new user (every 10 s)",
            lambda: session.post(
                f"{api}/phone/verify",
                json={"phone_number": f"+3361{n:07d}"},
                headers={**proxy, "Authorization": f"Bearer {token}"},
                timeout=10,
            ),
            ok=(200, 201, 202),
        )

    return [
        periodic(stop, 2, health),
        periodic(stop, 15, scrape),
        periodic(stop, 5, sign_in),
        periodic(stop, 10, verify_phone),
    ]


def mixed(run: Run, mix: list[Stream], duration: int) -> tuple[dict[str, dict], Probe, dict[str, dict]]:
    """Every stream at once, with the periodic requests; per-process CPU and memory."""
    probe, stop = Probe(), threading.Event()
    before = process_snapshot(run.stack)
    threads = background(run, probe, stop)
    with ThreadPoolExecutor(len(mix)) as pool:
        futures = {stream.name: pool.submit(run_wrk, run, stream, duration) for stream in mix}
        results = {name: future.result() for name, future in futures.items()}
    stop.set()
    for thread in threads:
        thread.join()
    return results, probe, process_usage(before, process_snapshot(run.stack), duration)


# --- processes ----------------------------------------------------------------------------
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def process_snapshot(stack: Stack) -> dict[str, tuple[float, int]]:
    """Role -> (CPU seconds so far, peak RSS in KiB) for every process of web, worker, beat,
    Prometheus; gunicorn's master and Celery's parent apart from their children."""
    children = _children()
    snapshot = {}
    for service in ("web", "worker", "beat", "prometheus"):
        process = stack.services[service].process
        assert process is not None
        roles = {f"{service} (main)": [process.pid]}
        if kids := children.get(process.pid):
            roles[f"{service} ({len(kids)} children)"] = kids
        for role, pids in roles.items():
            cpu, peak = 0.0, 0
            for pid in pids:
                try:
                    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                cpu += (int(stat[11]) + int(stat[12])) / CLOCK_TICKS
                peak = max(peak, int(re.search(r"VmHWM:\s+(\d+)", status).group(1)))
            snapshot[role] = (cpu, peak)
    return snapshot


def process_usage(before: dict, after: dict, duration: float) -> dict[str, dict]:
    return {
        role: {"cpu_percent": 100 * (cpu - before.get(role, (0, 0))[0]) / duration, "peak_mib": peak / 1024}
        for role, (cpu, peak) in after.items()
    }


# --- reporting ----------------------------------------------------------------------------
def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def wrk_row(name: str, figures: dict, duration: int) -> str:
    failed = figures["errors"] + figures["socket_errors"]
    rate = 100 * failed / max(1, figures["requests"])
    return (
        f"| {name} | {figures['rps']:.1f} | {figures['p50_ms']:.1f} | {figures.get('p95_ms', math.nan):.1f} "
        f"| {figures['p99_ms']:.1f} | {figures['errors']} + {figures['socket_errors']} ({rate:.2f}%) |"
    )


def probe_rows(probe: Probe, duration: int) -> list[str]:
    rows = []
    for name, durations in probe.durations.items():
        failed = probe.failures.get(name, 0)
        rows.append(
            f"| {name} | {len(durations) / duration:.2f} | {statistics.median(durations):.1f} "
            f"| {percentile(durations, 0.95):.1f} | {percentile(durations, 0.99):.1f} "
            f"| {failed} ({100 * failed / len(durations):.1f}%) |"
        )
    return rows


TABLE_HEAD = "\n".join(
    (
        "| endpoint | req/s | p50 ms | p95 ms | p99 ms | non-2xx + socket errors |",
        "|---|---:|---:|---:|---:|---:|",
    )
)


@dataclass
class Mixed:
    rps: float  # the wrk streams' total
    web_cpu_ms: float  # CPU the gunicorn workers spent per request (streams and probes)


def report_mixed(
    label: str, reference: dict, results: dict, probe: Probe, usage: dict, duration: int
) -> Mixed:
    total = sum(figures["rps"] for figures in results.values())
    served = total + sum(len(durations) for durations in probe.durations.values()) / duration
    web_cpu = sum(f["cpu_percent"] for role, f in usage.items() if role.startswith("web")) * 10 / served
    print(f"\n### {label}\n\n{TABLE_HEAD}")
    print(
        wrk_row("project's stack, empty view, same connections (GET /bench/reference)", reference, duration)
    )
    for name, figures in results.items():
        print(wrk_row(name, figures, duration))
    print("\n".join(probe_rows(probe, duration)))
    p95 = max(figures.get("p95_ms", 0) for figures in results.values())
    failed = sum(f["errors"] + f["socket_errors"] for f in results.values()) + sum(probe.failures.values())
    print(
        f"\nMixed total: **{total:.1f} req/s** ({total / reference['rps']:.2f} x the empty view alone), "
        f"worst endpoint p95 {p95:.0f} ms, {failed} failed requests, {web_cpu:.1f} ms of gunicorn CPU per "
        "request. "
        f"KPIs: > {KPI_RPS} req/s {'met' if total > KPI_RPS else 'MISSED'}, "
        f"p95 < {KPI_P95_MS} ms {'met' if p95 < KPI_P95_MS else 'MISSED'}.\n"
    )
    print("| process | CPU % of one core | peak RSS MiB (VmHWM, max of the group) |\n|---|---:|---:|")
    for role, figures in usage.items():
        print(f"| {role} | {figures['cpu_percent']:.0f} | {figures['peak_mib']:.0f} |")
    return Mixed(total, web_cpu)


def report_statuses(run: Run) -> None:
    """What the request log saw, per route and status: wrk counts a 3xx as a success."""
    seen: Counter[tuple[str, str, int]] = Counter()
    for line in run.stack.log("web").read_text(errors="replace").splitlines():
        if '"http_request"' in line:
            entry = json.loads(line)
            seen[entry["method"], re.sub(r"/\d+", "/{id}", entry["path"]), entry["status"]] += 1
    print("\n### Responses in the request log (whole run)\n")
    print("| method | path | status | count |\n|---|---|---:|---:|")
    for (method, path, status), count in sorted(seen.items()):
        print(f"| {method} | {path} | {status} | {count} |")
    print(f"\nSMS the worker handed to the Twilio fake (due reminders, codes): {len(run.twilio.messages)}.")


def report_hygiene(run: Run) -> None:
    logs = {
        path.name: path.read_text(errors="replace")
        for path in sorted((run.stack.temp_dir / "logs").glob("*"))
    }
    codes = {
        m for message in run.twilio.messages for m in re.findall(r"\b\d{6}\b", str(message.get("body", "")))
    }
    secrets = {
        "bench user's password": harness.PASSWORD,
        **{f"password {i}": password for i, password in enumerate(run.password_seen[1:4])},
        "bench user's API token": run.token,
        "METRICS_TOKEN": run.stack.metrics_token,
        "ALERTMANAGER_WEBHOOK_TOKEN": run.stack.webhook_token,
        "SECRET_KEY": run.stack.app_env["SECRET_KEY"],
        "FIELD_ENCRYPTION_KEYS": run.stack.app_env["FIELD_ENCRYPTION_KEYS"],
        "Twilio auth token": run.twilio.auth_token,
        **{f"OTP code {code}": code for code in sorted(codes)},
    }
    documents = {**logs, **dict(run.expositions)}
    leaks = hygiene.leaks(documents, secrets)
    labels = hygiene.unbounded_labels(run.expositions)
    lines = sum(text.count("\n") for text in logs.values())
    series = max((hygiene.series_count(text) for _, text in run.expositions), default=0)
    print(
        f"\n### Hygiene\n\nScanned {lines} log lines in {len(logs)} files ({', '.join(logs)}) and "
        f"{len(run.expositions)} /metrics expositions (up to {series} series) for {len(secrets)} secrets "
        f"({len(codes)} OTP codes texted during the run), email addresses and full phone numbers; "
        f"labels checked for > {hygiene.MAX_LABEL_VALUES} values or id-like values.\n"
    )
    for finding in leaks + labels:
        print(f"- **{finding.where}**: {finding.what}: `{finding.sample[:200]}`")
    if not leaks and not labels:
        print("- nothing found")
    values = hygiene.label_values(run.expositions)
    last_web = next(text for name, text in reversed(run.expositions) if name.startswith("web"))
    routed = re.findall(r'^sms_received_total\{result="(\w+)"\} ([\d.e+]+)', last_web, re.MULTILINE)
    print(
        "- inbound SMS by result at the last scrape: " + ", ".join(f"{r} {float(n):.0f}" for r, n in routed)
    )
    widest = sorted(values.items(), key=lambda item: -len(item[1]))[:5]
    print("- widest labels: " + ", ".join(f"{family}{{{label}}} {len(v)}" for (family, label), v in widest))


# --- main ---------------------------------------------------------------------------------
def raise_open_files() -> int:
    """wrk's 500 connections and gunicorn's 500 accepted sockets (inherited by the stack)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def measure(args: argparse.Namespace, *, observability: bool, full: bool) -> Mixed:
    """One stack, the reference then the mix; with `full`, the 500 connections and hygiene too."""
    with FakeTwilio() as twilio, Stack(stack_options(args, twilio, observability=observability)) as stack:
        run = start_run(stack, twilio, span=args.reference + args.duration)
        mix = streams(run)
        connections = sum(stream.connections for stream in mix)
        headers = run.api_headers()
        harness.wrk(
            run.web + "/bench/reference", headers=headers, connections=connections, duration=3
        )  # warm
        reference = harness.wrk(
            run.web + "/bench/reference",
            headers=headers,
            connections=connections,
            duration=args.reference,
            script=harness.lua_script(GET_LUA % "/bench/reference" + harness.P95_LUA),
            timeout=WRK_TIMEOUT,
        )
        results, probe, usage = mixed(run, mix, args.duration)
        label = f"Mixed, OBSERVABILITY_ENABLED={str(observability).lower()}, {connections} wrk connections"
        figures = report_mixed(label, reference, results, probe, usage, args.duration)
        if full:
            burst(run, args)
            report_statuses(run)
            report_hygiene(run)
        return figures


def burst(run: Run, args: argparse.Namespace) -> None:
    print(f"\n### {KPI_USERS} concurrent connections ({args.burst} s each, wrk --timeout {WRK_TIMEOUT}s)\n")
    print(TABLE_HEAD)
    time.sleep(10)  # the mix's last queued requests drain first
    for name, path in (
        ("todo list, authenticated (GET /api/v1/todos)", "/api/v1/todos"),
        ("project's stack, empty view (GET /bench/reference)", "/bench/reference"),
    ):
        figures = harness.wrk(
            run.web + path,
            headers=run.api_headers(),
            connections=KPI_USERS,
            duration=args.burst,
            script=harness.lua_script(GET_LUA % path + harness.P95_LUA),
            timeout=WRK_TIMEOUT,
        )
        print(wrk_row(name, figures, args.burst))
        time.sleep(10)  # requests gunicorn accepted but wrk stopped waiting for, drained


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of mixed load per run")
    parser.add_argument("--reference", type=int, default=15, help="seconds of /bench/reference")
    parser.add_argument("--burst", type=int, default=15, help="seconds of each 500-connection run")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--no-off-run", action="store_true", help="skip the OBSERVABILITY_ENABLED=false run")
    parser.add_argument(
        "--rounds", type=int, default=1, help="on/off pairs, alternated (a shared machine is noisy)"
    )
    args = parser.parse_args()
    files = raise_open_files()
    print(
        f"## Load ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n\n"
        f"`.venv/bin/python bench/load_bench.py {' '.join(sys.argv[1:])}`: native stack (deploy/local) "
        f"with bench.settings, gunicorn {args.workers} gthread workers x {args.threads} threads, "
        f"backlog 2048, Celery worker (2) and beat, Prometheus scraping every 15 s, PostgreSQL + Redis, "
        f"Twilio fake; {os.cpu_count()} shared cores (wrk and every process share them); "
        f"open files limit {files}."
    )
    lost, cpu = [], []
    for round_ in range(args.rounds):
        on = measure(args, observability=True, full=round_ == 0)
        if args.no_off_run:
            continue
        off = measure(args, observability=False, full=False)
        lost.append(1 - on.rps / off.rps)
        cpu.append(on.web_cpu_ms / off.web_cpu_ms - 1)
        print(
            f"\n### Instrumentation cost, round {round_ + 1}\n\n"
            f"Mixed throughput {on.rps:.1f} req/s with our metrics and request logs, {off.rps:.1f} without: "
            f"**{100 * lost[-1]:.1f}% lost** (target <= {100 * MAX_COST:.0f}%); gunicorn CPU per request "
            f"{on.web_cpu_ms:.1f} ms against {off.web_cpu_ms:.1f} ms ({100 * cpu[-1]:+.1f}%)."
        )
    if len(lost) > 1:
        print(
            f"\nMedian over {len(lost)} rounds: **{100 * statistics.median(lost):.1f}%** throughput lost, "
            f"{100 * statistics.median(cpu):+.1f}% CPU per request."
        )


if __name__ == "__main__":
    main()
