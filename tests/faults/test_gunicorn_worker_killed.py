"""A gunicorn worker SIGKILLed: its counts neither vanish nor double on /metrics.

Injected: SIGKILL to the gunicorn worker (not the master) that served most of the calls; the master
starts a replacement. Measured: the todo list view's request counter on /metrics
(django_http_requests_total_by_view_transport_method_total, summed over the workers'
multiprocess files), before the kill, after the replacement, and after more requests. Only
this test calls that view, so the counter must equal exactly the calls made.
"""

import json
import os
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from monitoring.tests.stack_fixtures import StackClient
from monitoring.tests.stack_traffic import register
from tests.faults.support import children, fault_stack, report
from tests.services import RedisServer

pytestmark = pytest.mark.processes

COUNTER = "django_http_requests_total_by_view_transport_method"
BEFORE, AFTER = 60, 40


def _todo_list_count(client: StackClient) -> float:
    stack = client.stack
    text = requests.get(stack.url("web") + "/metrics", headers=stack.metrics_headers, timeout=10).text
    total = 0.0
    for family in text_string_to_metric_families(text):
        if family.name != COUNTER:
            continue
        for sample in family.samples:
            if (
                sample.name.endswith("_total")
                and sample.labels.get("method") == "GET"
                and ("todo" in sample.labels.get("view", ""))
            ):
                total += sample.value
    return total


def _served_by(multiproc: Path, pid: int) -> float:
    """The todo list calls one worker counted, from its own multiprocess file."""
    path = multiproc / f"counter_{pid}.db"
    if not path.exists():
        return 0.0
    total = 0.0
    for key, value, *_ in MmapedDict.read_all_values_from_file(str(path)):
        _, name, labels, _ = json.loads(key)
        if name == f"{COUNTER}_total" and labels.get("method") == "GET" and "todo" in labels.get("view", ""):
            total += value
    return total


def test_a_killed_gunicorn_worker_keeps_its_counts(
    own_redis: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with fault_stack(own_redis.url) as env:
        stack = env.stack
        client = register(env, "counted@example.com")
        master = stack.services["web"].process
        assert master is not None
        workers = children(master.pid)
        assert len(workers) == stack.options.web_workers, f"gunicorn's workers: {workers}"

        for _ in range(BEFORE):
            client.call("GET", "/api/v1/todos")
        # The victim: the worker that served the most of those calls (read from its own file).
        multiproc = Path(stack.services["web"].env["PROMETHEUS_MULTIPROC_DIR"])
        served = {worker: _served_by(multiproc, worker) for worker in workers}
        victim = max(workers, key=lambda worker: served[worker])
        assert served[victim] > 0, f"no worker served the calls? {served}"
        before = _todo_list_count(client)
        assert before == BEFORE, (
            f"before the kill the counter should read the {BEFORE} calls made, not {before}"
        )

        killed_at = time.monotonic()
        os.kill(victim, 9)
        replaced = stack.wait_until(
            lambda: (now := children(master.pid)) and len(now) == len(workers) and victim not in now and now,
            "gunicorn to replace the killed worker",
            timeout=30,
        )
        replaced_after = time.monotonic() - killed_at
        stack.wait_until(lambda: stack.services["web"].ready(), "gunicorn to answer again", timeout=30)

        after_kill = _todo_list_count(client)
        for _ in range(AFTER):
            client.call("GET", "/api/v1/todos")
        after_more = _todo_list_count(client)
        victim_files = sorted(p.name for p in multiproc.glob(f"*_{victim}.db"))

    report(
        capsys,
        "gunicorn worker SIGKILLed",
        {
            "injected": f"SIGKILL to gunicorn worker {victim} of {len(workers)} after {BEFORE} calls",
            "calls_served_per_worker": {str(w): served[w] for w in workers},
            "counter_before_kill": before,
            "counter_after_replacement": after_kill,
            f"counter_after_{AFTER}_more_calls": after_more,
            "replacement_seconds": round(replaced_after, 2),
            "new_workers": replaced,
            "dead_worker_files_kept": victim_files,
        },
    )
    assert after_kill == before, (
        f"killing worker {victim} changed the counter from {before} to {after_kill} "
        "(its counts vanished or were counted twice)"
    )
    assert after_more == BEFORE + AFTER, (
        f"after {AFTER} more calls the counter reads {after_more}, not {BEFORE + AFTER}"
    )
