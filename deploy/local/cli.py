"""`python -m deploy.local.stack up | status | down`: the native stack for operators.

`up` supervises the stack in the foreground (Ctrl-C stops everything) or, with --detach, in a
background process; either way it records what it started in a state file (mode 0600: it
holds the metrics token) that `status` and `down` read.
"""

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from deploy.local.processes import ROOT, ProcessError
from deploy.local.stack import Stack, StackOptions

STATE_FILE = Path(tempfile.gettempdir()) / f"assistant-stack-{os.getuid()}.json"
DETACHED_LOG = STATE_FILE.with_suffix(".log")
STOP_TIMEOUT_SECONDS = 60


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _state() -> dict[str, Any] | None:
    try:
        return json.loads(STATE_FILE.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _live_state() -> dict[str, Any] | None:
    """The running stack's description, if its supervisor is alive."""
    state = _state()
    return state if state is not None and _alive(state["pid"]) else None


def _describe(stack: Stack) -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "temp_dir": str(stack.temp_dir),
        "database": stack.database.url,
        "redis": stack.redis_url,
        "metrics_token": stack.metrics_token,
        "services": {
            name: {"url": s.url, "ready_path": s.ready_path, "log": str(s.log), "pgid": s.process.pid}
            for name, s in stack.services.items()
            if s.process is not None
        },
        "skipped": stack.skipped,
    }


def _summary(state: dict[str, Any]) -> str:
    lines = [
        f"{name:18} {service['url']:24} log: {service['log']}" for name, service in state["services"].items()
    ]
    lines += [f"{name:18} {'-':24} not started: {reason}" for name, reason in state["skipped"].items()]
    lines += [
        "",
        f"database:      {state['database']}",
        f"redis:         {state['redis'] or '-'}",
        f"metrics token: {state['metrics_token']}  (curl -H 'Authorization: Bearer <token>' <web>/metrics)",
        "               (the same header reads <web>/health/overall and the other detailed health pages)",
        "The API redirects plain HTTP to HTTPS, as production does: send -H 'X-Forwarded-Proto: https'",
        "(what nginx adds), or start with --plain-http.",
    ]
    return "\n".join(lines)


def _options(args: argparse.Namespace) -> StackOptions:
    options = StackOptions.for_tests() if args.fast else StackOptions()
    options.web_workers = args.workers
    options.fixed_ports = args.fixed_ports
    options.exporters = not args.no_exporters
    options.ssl_redirect = not args.plain_http
    options.keep_temp = args.keep_temp
    options.collectstatic = True  # the admin's pages need the manifest under production settings
    return options


def _up(args: argparse.Namespace) -> int:
    if (state := _live_state()) is not None:
        _say(f"a stack is already running (supervisor pid {state['pid']}): `down` it first")
        return 1
    if args.detach:
        return _up_detached(args)

    def stop_on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # `down` sends SIGTERM: unwind through stack.stop() like Ctrl-C

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    stack = Stack(_options(args))
    try:
        stack.start()
        state = _describe(stack)
        STATE_FILE.touch(mode=0o600)
        STATE_FILE.write_text(json.dumps(state, indent=2))
        _say(_summary(state))
        _say("\nEverything is up. Ctrl-C (or `python -m deploy.local.stack down`) stops it all.")
        signal.pause()
    except KeyboardInterrupt:
        _say("stopping...")
    except ProcessError as error:
        _say(f"the stack did not start: {error}")
        return 1
    finally:
        stack.stop()
        with contextlib.suppress(FileNotFoundError):
            STATE_FILE.unlink()
    return 0


def _up_detached(args: argparse.Namespace) -> int:
    """Run `up` as a background supervisor; return once it has written its state (or died)."""
    argv = [arg for arg in args.argv if arg != "--detach"]
    with DETACHED_LOG.open("wb") as output:
        supervisor = subprocess.Popen(  # noqa: S603 - this very command, in the background
            [sys.executable, "-m", "deploy.local.stack", *argv],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    while (state := _live_state()) is None or state["pid"] != supervisor.pid:
        if supervisor.poll() is not None:
            _say(f"the stack did not start; the end of {DETACHED_LOG}:")
            _say(DETACHED_LOG.read_text(errors="replace")[-4000:])
            return 1
        time.sleep(0.5)  # the supervisor writes its state file once everything answers
    _say(_summary(state))
    _say(f"\nRunning in the background (log: {DETACHED_LOG}); `python -m deploy.local.stack down` stops it.")
    return 0


def _status(args: argparse.Namespace) -> int:
    state = _live_state()
    if state is None:
        _say("no stack is running")
        return 1
    headers = {"Authorization": f"Bearer {state['metrics_token']}"}
    for name, service in state["services"].items():
        try:
            response = requests.get(service["url"] + service["ready_path"], headers=headers, timeout=2)
            health = "up" if response.status_code == 200 else f"answers {response.status_code}"
        except requests.RequestException:
            health = "down"
        _say(f"{name:18} {service['url']:24} {health}")
    for name, reason in state["skipped"].items():
        _say(f"{name:18} {'-':24} not started: {reason}")
    return 0


def _down(args: argparse.Namespace) -> int:
    state = _state()
    if state is None:
        _say("no stack is running")
        return 0
    if _alive(state["pid"]):
        os.kill(state["pid"], signal.SIGTERM)  # the supervisor stops what it started
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while _alive(state["pid"]) and time.monotonic() < deadline:
            time.sleep(0.5)
        if _alive(state["pid"]):
            _say(f"the supervisor (pid {state['pid']}) did not stop within {STOP_TIMEOUT_SECONDS} s")
            return 1
        _say("stopped")
        return 0
    # The supervisor was killed outright: end the process groups it left behind.
    for name, service in state["services"].items():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(service["pgid"], signal.SIGKILL)
            _say(f"killed what was left of {name}")
    STATE_FILE.unlink()
    _say(f"the supervisor had died; its database {state['database']} and {state['temp_dir']} remain")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m deploy.local.stack", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the stack (in the foreground unless --detach)")
    up.set_defaults(handler=_up)
    up.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    up.add_argument("--fixed-ports", action="store_true", help="the contract's ports (8000, 9090, ...)")
    up.add_argument("--fast", action="store_true", help="1 s scrapes and evaluations, alerts within seconds")
    up.add_argument("--no-exporters", action="store_true", help="no node, postgres or redis exporter")
    up.add_argument("--plain-http", action="store_true", help="no redirect to HTTPS (for a browser)")
    up.add_argument("--keep-temp", action="store_true", help="keep configs, logs and data after stopping")
    up.add_argument("--detach", action="store_true", help="run in the background")
    commands.add_parser("status", help="whether each service answers").set_defaults(handler=_status)
    commands.add_parser("down", help="stop the stack `up` started").set_defaults(handler=_down)
    args = parser.parse_args(argv)
    args.argv = argv
    return args.handler(args)
