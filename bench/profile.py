"""Where a served endpoint's CPU goes: py-spy's samples of one gunicorn worker under wrk.

    .venv/bin/python bench/profile.py [--endpoint chat] [--connections 16] [--duration 20] [--top 30]

The project as cpu_bench.py serves it (bench.settings, PostgreSQL + Redis, full instrumentation,
deploy/gunicorn.conf.py, one sync worker) under wrk at `--connections` on one endpoint, while
py-spy (`pip install py-spy`; on the PATH or at $PY_SPY) samples the worker at `--rate` Hz.
Only samples of a running thread count (py-spy's default): a wait for PostgreSQL or Redis is
not CPU. Prints, as Markdown, the functions by inclusive share (the samples with the function
anywhere on the stack) and by own share (the samples where it is the innermost frame).
Needs wrk, like cpu_bench.py's throughput pass.
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import harness
from bench.cpu_bench import CHAT_LUA, WRK_TIMEOUT, project, server_pids

ENDPOINTS = {
    "todos": ("/api/v1/todos", {}, None),
    "chat": ("/api/v1/chat/messages", {"Content-Type": "application/json"}, CHAT_LUA),
    "agenda": ("/api/v1/agenda", {}, None),
    "reference": ("/bench/reference", {}, None),
}
# py-spy's raw frame: "function (path:line)"; the line is dropped, so a function is one entry.
_FRAME = re.compile(r"^(?P<function>.*) \((?P<path>.*?)(?::\d+)?\)$")


def _name(frame: str) -> str:
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match["path"]
    for marker in ("site-packages/", "python3.11/", str(harness.ROOT) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match['function']} ({path})"


def shares(raw: str) -> tuple[int, collections.Counter[str], collections.Counter[str]]:
    """Samples in all, then per function: inclusive and own, from py-spy's raw (collapsed)
    output: one line per distinct stack, its frames joined by ';' and its count last."""
    total, inclusive, own = 0, collections.Counter[str](), collections.Counter[str]()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_name(frame) for frame in stack.split(";")]
        total += int(count)
        for name in set(frames):
            inclusive[name] += int(count)
        own[frames[-1]] += int(count)
    return total, inclusive, own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", choices=sorted(ENDPOINTS), default="chat")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=20, help="seconds sampled")
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    py_spy = os.environ.get("PY_SPY") or shutil.which("py-spy")
    if not py_spy or not shutil.which("wrk"):
        raise SystemExit("needs py-spy (pip install py-spy, or PY_SPY=...) and wrk (apt-get install wrk)")

    path, headers, script = ENDPOINTS[args.endpoint]
    harness.prepare(harness.project_env())
    with project("project") as target, tempfile.TemporaryDirectory() as folder:
        url = f"http://127.0.0.1:{target.port}{path}"
        load = {
            "headers": {"Authorization": target.authorization, **headers},
            "connections": args.connections,
            "script": harness.lua_script(script) if script else None,
            "timeout": WRK_TIMEOUT,
        }
        harness.wrk(url, duration=3, **load)  # warm-up
        worker = server_pids(target.process.pid)[-1]
        output = Path(folder) / "samples.txt"
        recorder = subprocess.Popen(
            [
                *(py_spy, "record", "--pid", str(worker), "--rate", str(args.rate), "--format", "raw"),
                *("--duration", str(args.duration + 2), "--output", str(output), "--nonblocking"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1)  # py-spy attached
        figures = harness.wrk(url, duration=args.duration, **load)
        recorder.wait()
        total, inclusive, own = shares(output.read_text())

    print(
        f"{args.endpoint} ({path}) under wrk, {args.connections} connections, {args.duration} s, one "
        f"sync worker: {figures['rps']:.1f} req/s, p50 {figures['p50_ms']:.1f} ms, "
        f"p99 {figures['p99_ms']:.1f} ms; "
        f"{total} samples of the worker running at {args.rate} Hz.\n"
    )
    for title, counter in (("inclusive", inclusive), ("own", own)):
        print(f"| function ({title}) | share of samples |")
        print("| --- | ---: |")
        for name, count in counter.most_common(args.top):
            print(f"| `{name}` | {100 * count / total:.1f}% |")
        print()


if __name__ == "__main__":
    main()
