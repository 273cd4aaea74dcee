"""POST /api/v1/chat/messages against a bare DRF list endpoint, same server, same run.

Starts gunicorn (deploy/gunicorn.conf.py, production settings) on PostgreSQL and Redis,
signs a user in, then drives each endpoint with wrk (16 connections) and prints throughput
and latency percentiles side by side.

    .venv/bin/python bench/api_bench.py [--duration 15] [--connections 16] [--workers 4]

Needs wrk (apt-get install wrk), PostgreSQL (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/assistant_bench, created if missing) and Redis
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/2).
"""

import argparse
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
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import DATABASE_URL, REDIS_URL, ensure_database

EMAIL, PASSWORD = "bench@example.com", "bench passphrase 1234"

CHAT_LUA = """
local texts = {"what's next?", "list", "help", "remind me to stretch in 2 hours", "reminders"}
local i = 0
request = function()
  i = i + 1
  local body = '{"text": "' .. texts[(i % #texts) + 1] .. '"}'
  return wrk.format("POST", "/api/v1/chat/messages", nil, body)
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(port: int, multiproc_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "METRICS_TOKEN": "bench",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SECURE_SSL_REDIRECT": "False",
        "THROTTLE_USER": "1000000/min",
        "THROTTLE_ANON": "1000000/min",
        "THROTTLE_AUTH": "1000000/min",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PROMETHEUS_MULTIPROC_DIR": multiproc_dir,
        "LOG_LEVEL": "INFO",
    }


def prepare(env: dict[str, str]) -> None:
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
    script = f"""
from assistant.users.models import User
from assistant.users import services
from assistant.planner.models import Todo, Reminder
user = User.objects.filter(email="{EMAIL}").first()
user = user or services.user_register(email="{EMAIL}", password="{PASSWORD}")
Todo.objects.filter(user=user).delete()
Reminder.objects.filter(user=user).delete()
user.conversations.all().delete()
for i in range(10):
    Todo.objects.create(user=user, title=f"todo {{i}}", position=i)
"""
    subprocess.run([*manage, "shell", "-c", script], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def wait_ready(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def login(port: int) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/login",
        data=json.dumps({"email": EMAIL, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        return json.load(response)["token"]


def wrk(url: str, token: str, *, connections: int, duration: int, script: str | None) -> dict[str, float]:
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-H",
        f"Authorization: Bearer {token}",
        "-H",
        "Content-Type: application/json",
    ]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percentile in ("50", "90", "99"):
        value, unit = re.search(rf"\s{percentile}%\s+([\d.]+)(us|ms|s)", output).groups()
        figures[f"p{percentile}_ms"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["errors"] = int(non_2xx.group(1)) if non_2xx else 0
    figures["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")

    ensure_database()
    port = free_port()
    multiproc = tempfile.mkdtemp(prefix="bench-prom-")
    env = {**server_env(port, multiproc), "WEB_CONCURRENCY": str(args.workers)}
    prepare(env)
    log = open(os.path.join(multiproc, "..", "bench-gunicorn.log"), "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        wait_ready(port, server)
        token = login(port)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(CHAT_LUA)
        base = f"http://127.0.0.1:{port}"
        wrk(
            f"{base}/bench/reference", token, connections=args.connections, duration=3, script=None
        )  # warm-up
        results = {
            "bare DRF list (GET /bench/reference)": wrk(
                f"{base}/bench/reference",
                token,
                connections=args.connections,
                duration=args.duration,
                script=None,
            ),
            "chat (POST /api/v1/chat/messages)": wrk(
                f"{base}/api/v1/chat/messages",
                token,
                connections=args.connections,
                duration=args.duration,
                script=lua.name,
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    print(
        f"gunicorn {args.workers} sync workers, PostgreSQL + Redis, wrk {args.connections} connections, "
        f"{args.duration} s each, {os.cpu_count()} cores"
    )
    print(f"{'endpoint':42} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, figures in results.items():
        print(
            f"{name:42} {figures['rps']:9.1f} {figures['p50_ms']:8.2f} {figures['p90_ms']:8.2f} "
            f"{figures['p99_ms']:8.2f} {figures['errors']:8d}"
        )
    reference, chat = results.values()
    ratio = chat["rps"] / reference["rps"]
    print(
        f"chat / bare throughput: {ratio:.2f} (target >= 0.50); "
        f"chat p99 {chat['p99_ms']:.1f} ms (target < 50)"
    )


if __name__ == "__main__":
    main()
