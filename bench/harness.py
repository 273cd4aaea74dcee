"""What the HTTP benchmarks share: a production-like server, a signed-in user, wrk, a table.

The server is gunicorn with deploy/gunicorn.conf.py and production settings (plus the
reference endpoint of bench/urls.py, the project's stack with an empty view) on PostgreSQL and
Redis, so every endpoint measured in a run shares the same processes, database and cache.
"""

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from cryptography.fernet import Fernet
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import DATABASE_URL, REDIS_URL, ensure_database
from deploy.local.stack import free_port

EMAIL, PASSWORD, PHONE = "bench@example.com", "bench passphrase 1234", "+33612345678"
TWILIO_AUTH_TOKEN = "bench-twilio-auth-token"
# Prometheus' bearer token for /metrics, and operators' for the detailed /health/ pages.
METRICS_TOKEN = "bench-metrics-" + "m" * 32
# One key for every process of a run: what one server or the preparation encrypts (phone
# numbers), another must read.
FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()

PREPARE = f"""
from assistant.users.models import User
from assistant.users import services
from assistant.planner.models import Todo, Reminder
from sms.models import InboundSMS, OutboundSMS
user = User.objects.filter(email="{EMAIL}").first()
user = user or services.user_register(email="{EMAIL}", password="{PASSWORD}")
User.objects.filter(pk=user.pk).update(phone_number="{PHONE}", phone_verified=True)
Todo.objects.filter(user=user).delete()
Reminder.objects.filter(user=user).delete()
user.conversations.all().delete()
InboundSMS.objects.all().delete()
OutboundSMS.objects.all().delete()
for i in range(10):
    Todo.objects.create(user=user, title=f"todo {{i}}", position=i)
"""


def cpu_seconds(pids: Iterable[int]) -> float:
    """The CPU time of processes so far (every thread of each, exited ones included), in
    seconds, from each process's CPU-time clock (Linux's MAKE_PROCESS_CPUCLOCK(pid,
    CPUCLOCK_SCHED)): to the nanosecond, where /proc's utime + stime count 10 ms ticks, 0.05 ms
    a request over a batch of 200. Any process of this machine: a server's, PostgreSQL's."""
    return sum(time.clock_gettime(((~pid) << 3) | 2) for pid in pids)


# Headers a WSGI environ holds without the HTTP_ prefix.
_UNPREFIXED = {"CONTENT_TYPE", "CONTENT_LENGTH"}


def in_process() -> Callable[[str, str, dict[str, str], bytes], str]:
    """This process's Django application (set up already) as a function of one request:
    method, path, headers and body in, the status line out, the response read to its end as
    a server reads it. No server, socket or HTTP parsing: what is left is the application's."""
    from django.core.handlers.wsgi import WSGIHandler

    application = WSGIHandler()

    def call(method: str, path: str, headers: dict[str, str], body: bytes) -> str:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key in _UNPREFIXED else "HTTP_" + key] = value
        statuses: list[str] = []
        response: Any = application(environ, lambda status, headers, *_: statuses.append(status))
        b"".join(response)
        response.close()
        return statuses[0]

    return call


@dataclass
class Server:
    base_url: str
    token: str  # the bench user's bearer token


def _env(port: int, workers: int, multiproc_dir: str, overrides: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CELERY_BROKER_URL": REDIS_URL,
        "TRUSTED_PROXY_COUNT": "0",
        "SMS_BACKEND": "sms.backends.console.ConsoleSmsBackend",
        "METRICS_TOKEN": METRICS_TOKEN,
        "ALERTMANAGER_WEBHOOK_TOKEN": "bench-alerts-" + "a" * 32,
        "FIELD_ENCRYPTION_KEYS": FIELD_ENCRYPTION_KEY,
        "SECURE_SSL_REDIRECT": "False",
        "THROTTLE_USER": "1000000/min",
        "THROTTLE_ANON": "1000000/min",
        "THROTTLE_AUTH": "1000000/min",
        # A run texts thousands of replies: at the default day's budget (50 USD, about 600
        # replies) every later inbound SMS would measure the cap's refusal, not the answer.
        "SMS_DAILY_SPEND_LIMIT_USD": "1000000",
        "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        "SMS_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "PROMETHEUS_MULTIPROC_DIR": multiproc_dir,
        "LOG_LEVEL": "INFO",
        **overrides,
    }


def _wait_ready(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120  # the system checks alone can take 30 s on a loaded machine
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def _login(base_url: str) -> str:
    request = urllib.request.Request(
        f"{base_url}/api/v1/auth/login",
        data=json.dumps({"email": EMAIL, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["token"]


def project_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the project's management commands (no server: port 0)."""
    return _env(0, 1, tempfile.mkdtemp(prefix="bench-prom-"), env or {})


def prepare(env: dict[str, str], extra: str = "") -> None:
    """Migrate and reset the bench user's data (PREPARE, then `extra` in the same shell, where
    `user` is the bench user)."""
    ensure_database()
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "shell", "-c", PREPARE + extra], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


@contextmanager
def gunicorn(env: dict[str, str], port: int, arguments: list[str], log: Path) -> Iterator[subprocess.Popen]:
    """gunicorn with `arguments`, started with `env` and its output in `log`; stopped afterwards."""
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *arguments], cwd=ROOT, env=env, stdout=output, stderr=output
        )
        try:
            _wait_ready(port, process)
            yield process
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def project(
    *, workers: int, env: dict[str, str] | None = None, app: str | None = None
) -> Iterator[tuple[Server, subprocess.Popen]]:
    """The project's gunicorn (deploy/gunicorn.conf.py, bench.settings) on a prepared database,
    and its master process; `app` replaces the WSGI application (as gunicorn's argument)."""
    port = free_port()
    multiproc = tempfile.mkdtemp(prefix="bench-prom-")
    arguments = ["-c", "deploy/gunicorn.conf.py", *([app] if app else [])]
    with gunicorn(
        _env(port, workers, multiproc, env or {}), port, arguments, Path(multiproc).with_suffix(".log")
    ) as process:
        base_url = f"http://127.0.0.1:{port}"
        yield Server(base_url=base_url, token=_login(base_url)), process


@contextmanager
def server(*, workers: int, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Migrate, reset the bench user's data, start gunicorn, sign in; stop it afterwards.
    `env` overrides the environment (a dead REDIS_URL, a setting switched off)."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    prepare(project_env(env))
    with project(workers=workers, env=env) as (srv, _):
        yield srv


def lua_script(source: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(source)
    return script.name


# Appended to a wrk script, prints the 95th percentile, which `--latency` leaves out.
P95_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\\n", latency:percentile(95)))
end
"""


def wrk(
    url: str,
    *,
    headers: dict[str, str],
    connections: int,
    duration: int,
    script: str | None = None,
    timeout: int | None = None,
) -> dict:
    """Figures of one wrk run. `errors` counts non-2xx/3xx answers, `socket_errors` connects,
    reads, writes and timeouts (wrk's own default timeout is 2 s); `p95_ms` only when the
    script ends with P95_LUA."""
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if timeout:
        command += ["--timeout", f"{timeout}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percentile in ("50", "90", "99"):
        value, unit = re.search(rf"\s{percentile}%\s+([\d.]+)(us|ms|s)", output).groups()
        figures[f"p{percentile}_ms"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["errors"] = int(non_2xx.group(1)) if non_2xx else 0
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    figures["socket_errors"] = sum(map(int, sockets.groups())) if sockets else 0
    figures["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    if p95 := re.search(r"^p95_us (\d+)$", output, re.MULTILINE):
        figures["p95_ms"] = int(p95.group(1)) / 1000
    return figures


def signed_form_lua(url: str, forms: list[dict[str, str]], *, auth_token: str, threads: int) -> str:
    """A wrk script cycling through form posts to `url`, each signed as Twilio signs its
    webhooks (with the twilio library); thread n of `threads` takes every n-th form."""
    validator = RequestValidator(auth_token)
    rows = [f'{{"{urlencode(form)}", "{validator.compute_signature(url, form)}"}}' for form in forms]
    return (
        f"local stride = {threads}\n"
        "local requests = {\n" + ",\n".join(rows) + "\n}\n"
        f'local path = "{urlsplit(url).path}"\n'
        """
local counter = 1
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  counter = id
end
request = function()
  local r = requests[(counter - 1) % #requests + 1]
  counter = counter + stride
  -- wrk.format replaces wrk.headers (the -H ones) with a table given: keep them.
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["X-Twilio-Signature"] = r[2]
  return wrk.format("POST", path, headers, r[1])
end
"""
    )


def reference(srv: Server, *, connections: int, duration: int) -> dict:
    """The project's stack with an empty view (bench/urls.py): what every request through our
    middleware, authentication, throttles and instrumentation costs before any work. Not bare
    DRF: that is the anchor app (bench/anchor, measured by bench/cpu_bench.py)."""
    return wrk(
        f"{srv.base_url}/bench/reference",
        headers={"Authorization": f"Bearer {srv.token}"},
        connections=connections,
        duration=duration,
    )


def report(results: dict[str, dict], *, workers: int, connections: int, duration: int) -> None:
    print(
        f"gunicorn {workers} sync workers, PostgreSQL + Redis, wrk {connections} connections, "
        f"{duration} s each, {os.cpu_count()} cores (wrk, gunicorn and the databases share them)"
    )
    print(f"{'endpoint':44} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, figures in results.items():
        print(
            f"{name:44} {figures['rps']:9.1f} {figures['p50_ms']:8.2f} {figures['p90_ms']:8.2f} "
            f"{figures['p99_ms']:8.2f} {figures['errors']:8d}"
        )


def verdict(label: str, empty: dict, measured: dict, *, min_ratio: float, max_p99_ms: float) -> None:
    print(
        f"{label} / empty view throughput: {measured['rps'] / empty['rps']:.2f} (target >= {min_ratio:.2f}); "
        f"{label} p99 {measured['p99_ms']:.1f} ms (target < {max_p99_ms:g})"
    )
