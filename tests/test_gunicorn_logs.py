"""gunicorn with the shipped configuration: every line it writes, master's and workers', is JSON
with a `level` and an `event`, so a killed worker reaches the Errors panel; one line per request."""

import http.client
import json
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from deploy.local.processes import Process
from deploy.local.stack import free_port

pytestmark = pytest.mark.processes

GUNICORN = Path(sys.executable).with_name("gunicorn")
_BOOTED = re.compile(r"^Booting worker with pid: (\d+)$")


def _status(port: int, path: str) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def _lines(server: Process) -> list[dict[str, Any]]:
    """Each complete line parsed; one that is not a JSON object fails the test here."""
    complete = server.output().rpartition("\n")[0]
    return [json.loads(line) for line in complete.splitlines() if line]


def _booted_workers(server: Process) -> list[int]:
    return [
        int(match.group(1)) for line in _lines(server) if (match := _BOOTED.match(line.get("message", "")))
    ]


def test_every_line_is_json_with_its_level_and_a_killed_worker_is_an_error(tmp_path: Path) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "GUNICORN_CONTROL_SOCKET"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        LOG_LEVEL="INFO",  # the workers' request lines too
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    )
    with Process(
        "gunicorn", [str(GUNICORN), "-c", "deploy/gunicorn.conf.py"], env=env, log=tmp_path / "log"
    ) as server:
        server.wait_until(lambda: _status(port, "/health/live") == 200, "gunicorn to answer", timeout=30)
        assert _status(port, "/no-such-page") == 404
        [worker] = _booted_workers(server)

        os.kill(worker, signal.SIGKILL)

        server.wait_until(lambda: len(_booted_workers(server)) == 2, "a new worker", timeout=30)
        server.stop()

    lines = _lines(server)
    assert all({"level", "event"} <= line.keys() for line in lines), lines
    master = {line["message"]: line["level"] for line in lines if line["logger"] == "gunicorn.error"}
    assert [
        level
        for message, level in master.items()
        if message.startswith(f"Listening at: http://127.0.0.1:{port} ")
    ] == ["INFO"]
    assert master[f"Worker (pid:{worker}) was sent SIGKILL! Perhaps out of memory?"] == "ERROR"
    assert master["Shutting down: Master"] == "INFO"
    # One line per request, the app's (with its request id): none of gunicorn's own as well.
    requests = [line for line in lines if line["logger"] in ("assistant.request", "gunicorn.access")]
    assert [(line["logger"], line.get("status")) for line in requests] == [
        ("assistant.request", 200),
        ("assistant.request", 404),
    ]
