"""Instructions per request (callgrind): cpu_bench.py's endpoints counted, not timed.

    .venv/bin/python bench/instructions.py [--requests 30] [--warmup 10]

cpu_bench.py times the servers' CPU, which moves by several percent from run to run on this
shared machine: too much to tell a 10% instrumentation budget from the noise. An instruction
count does not move with the neighbours. Each of three processes runs under valgrind's
callgrind and drives Django's WSGI handler in process (`harness.in_process`): the project
(bench.settings, PostgreSQL + Redis, full instrumentation), the same build with
OBSERVABILITY_ENABLED=false, and the anchor (bench/anchor). After `--warmup` requests to every
endpoint, each endpoint gets `--requests` more; callgrind writes its counters out whenever
`time.sleep` is entered (`--dump-before=time_sleep`), and a `time.sleep(0)` before and after
each batch makes the batch a part of its own. `PYTHONHASHSEED=0` keeps dict and set layouts the
same from run to run.

No gunicorn here, for any of the three: its parsing and socket work, the same for every
request, is left out, so the ratios to the anchor are higher than cpu_bench.py's. CPU time is
not proportional to instructions either (a cache miss costs hundreds of cycles, a hot loop
several instructions a cycle). About 1-3 min; prints Markdown.
"""

import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import harness
from bench.cpu_bench import (
    ANCHOR,
    ENDPOINTS,
    Client,
    Endpoint,
    anchor_env,
    outbound_prepare,
    prepare_anchor,
)

ON, OFF, BARE = "project", "project, observability off", "anchor"
_SUMMARY = re.compile(r"^summary: (\d+)$", re.MULTILINE)


def _batches(label: str, endpoints: list[Endpoint], authorization: str, args: argparse.Namespace) -> None:
    """In the measured process: every endpoint warmed up, then each batch between two dumps."""
    call = harness.in_process()
    client = Client(first=args.first)
    base_url = os.environ.get("SMS_PUBLIC_BASE_URL", "")

    def send(endpoint: Endpoint) -> None:
        headers, body = client.request(endpoint, base_url, authorization)
        status = call(endpoint.method, endpoint.path, headers, (body or "").encode())
        if not status.startswith("2"):
            raise SystemExit(f"{label} {endpoint.path}: {status}")

    for endpoint in endpoints:
        for _ in range(args.warmup):
            send(endpoint)
    for endpoint in endpoints:
        time.sleep(0)  # callgrind dumps: what came before is not this batch's
        for _ in range(args.requests):
            send(endpoint)
    time.sleep(0)


def child(args: argparse.Namespace) -> None:
    # The project logs a line per request to stdout, as under gunicorn: into a file here.
    with tempfile.TemporaryFile("w") as log, contextlib.redirect_stdout(log):
        import django

        django.setup()
        if args.child == BARE:
            _batches(args.child, [ANCHOR], f"Token {args.token}", args)
            return
        from assistant.users.models import AuthToken, User

        _, token = AuthToken.objects.create(User.objects.get(email=harness.EMAIL))
        _batches(args.child, ENDPOINTS, f"Bearer {token}", args)


def _measure(
    label: str, env: dict[str, str], endpoints: list[Endpoint], extra: list[str], args: argparse.Namespace
) -> Callable[[], dict[str, float]]:
    """Starts `label`'s process under callgrind; the returned function waits for it and gives
    each endpoint's instructions per request."""
    out = Path(tempfile.mkdtemp(prefix="bench-callgrind-"))
    command = [
        "valgrind",
        "--tool=callgrind",
        "--dump-before=time_sleep",
        f"--callgrind-out-file={out}/callgrind.out",
        sys.executable,
        __file__,
        "--child",
        label,
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
        *extra,
    ]
    process = subprocess.Popen(
        command,
        cwd=harness.ROOT,
        env={**env, "PYTHONHASHSEED": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def result() -> dict[str, float]:
        output, _ = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"{label}: exit {process.returncode}\n{output[-3000:]}")
        # Numbered parts: the start-up and warm-up (more than one if they slept), then one per
        # batch; the exit's file has no number.
        parts = sorted(out.glob("callgrind.out.*"), key=lambda path: int(path.suffix[1:]))
        if len(parts) <= len(endpoints):
            raise SystemExit(f"{label}: {len(parts)} dumps for {len(endpoints)} batches")
        counts = [int(_SUMMARY.search(part.read_text()).group(1)) for part in parts[-len(endpoints) :]]
        shutil.rmtree(out)
        return {e.label: count / args.requests for e, count in zip(endpoints, counts, strict=True)}

    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="requests per endpoint, counted")
    parser.add_argument("--warmup", type=int, default=10, help="requests per endpoint before the counts")
    parser.add_argument("--child", choices=(ON, OFF, BARE), help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed: apt-get install valgrind")

    # Each project process sends its own inbound SMS and status callbacks (distinct messages).
    per_process = args.warmup + args.requests
    harness.prepare(harness.project_env(), outbound_prepare(2 * per_process))
    anchor_token = prepare_anchor()
    started = time.monotonic()
    results = {
        ON: _measure(ON, harness.project_env(), ENDPOINTS, [], args),
        OFF: _measure(
            OFF,
            harness.project_env({"OBSERVABILITY_ENABLED": "false"}),
            ENDPOINTS,
            ["--first", str(per_process)],
            args,
        ),
        BARE: _measure(BARE, anchor_env(), [ANCHOR], ["--token", anchor_token], args),
    }
    counts = {label: result() for label, result in results.items()}
    print(f"counted in {time.monotonic() - started:.0f} s", file=sys.stderr)

    bare = counts[BARE][ANCHOR.label]
    print(
        f"Instructions per request (callgrind), in process: Django's WSGI handler without gunicorn for "
        f"every column; {args.requests} requests per endpoint after {args.warmup} to warm up.\n"
    )
    print(
        "| endpoint | instructions/request | vs anchor | with OBSERVABILITY_ENABLED=false | instrumentation |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| {ANCHOR.label} | {bare / 1e6:.3f} M | 1.00x | | |")
    for endpoint in ENDPOINTS:
        on, off = counts[ON][endpoint.label], counts[OFF][endpoint.label]
        print(
            f"| {endpoint.label} | {on / 1e6:.3f} M | {on / bare:.2f}x | {off / 1e6:.3f} M "
            f"| {100 * (on / off - 1):+.1f}% |"
        )


if __name__ == "__main__":
    main()
