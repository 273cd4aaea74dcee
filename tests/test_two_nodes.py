"""Nothing is node-local: two web nodes and two workers behave as one (docs/scaling.md).

Two gunicorn masters (production settings, 2 workers each, their own ports and metrics
folders) and two Celery workers (concurrency 1, their own hostnames) share one database and
one Redis, as replicas behind nginx would (tests/nodes.py). Every request a test sends says
which node it goes to; each check sends part of its requests to each node.
"""

import json
import time
from collections import Counter
from collections.abc import Iterator

import pyotp
import pytest

from tests.metrics import sample_sum
from tests.nodes import Cluster, cluster

pytestmark = pytest.mark.processes

PASSWORD = "correct horse battery staple"
TOTP_SECRET = pyotp.random_base32()
THROTTLE_PER_MINUTE = 10
REMINDERS = 300

# Accounts, the staff member's authenticator and REMINDERS due chat reminders, in one process.
_SETUP = """
import json, sys
from datetime import timedelta
from django.utils import timezone
from assistant.planner.models import Reminder
from assistant.users.models import TOTPDevice, User

password, secret, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for name in ("session", "throttle0", "throttle1", "lockout", "reminders"):
    User.objects.create_user(email=f"{name}@nodes.test", password=password)
staff = User.objects.create_user(email="staff@nodes.test", password=password, is_staff=True)
TOTPDevice.objects.create(user=staff, secret=secret, confirmed_at=timezone.now())
owner = User.objects.get(email="reminders@nodes.test")
due = timezone.now() - timedelta(minutes=5)
Reminder.objects.bulk_create(
    Reminder(user=owner, text=f"nodes reminder {i}", due_at=due, starts_at=due, fire_at=due, timezone="UTC")
    for i in range(count)
)
print(json.dumps({"reminders": Reminder.objects.filter(user=owner).count()}))
"""

# Two runs of the dispatcher queued back to back: with concurrency 1 and prefetch 1 each
# worker can hold one, so both run at once.
_DISPATCH_TWICE = """
from assistant.planner.tasks import reminders_dispatch
import json
print(json.dumps([reminders_dispatch.delay().id, reminders_dispatch.delay().id]))
"""

LIVE_RESPONSES = "django_http_responses_total_by_status_view_method_total"
LIVE_LABELS = {"view": "health-live", "status": "200"}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    directory = tmp_path_factory.mktemp("two-nodes")
    settings = {
        "THROTTLE_USER": f"{THROTTLE_PER_MINUTE}/min",
        "LOGIN_FAILURE_LIMIT": "5",
        # Small batches: each run claims several, so the two workers' claims interleave.
        "REMINDER_DISPATCH_BATCH_SIZE": "20",
    }
    with cluster(directory, settings) as running:
        created = json.loads(running.python(_SETUP, PASSWORD, TOTP_SECRET, str(REMINDERS)))
        assert created == {"reminders": REMINDERS}
        yield running


def _login(nodes: Cluster, node: str, email: str, password: str = PASSWORD) -> tuple[int, dict]:
    response = nodes.request(node, "POST", "/api/v1/auth/login", json={"email": email, "password": password})
    return response.status_code, response.json()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_issued_by_one_node_works_on_the_other(nodes: Cluster) -> None:
    status, body = _login(nodes, "a", "session@nodes.test")
    assert status == 200, body
    token = body["token"]

    me = nodes.request("b", "GET", "/api/v1/auth/me", headers=_bearer(token))
    assert me.status_code == 200, me.text
    assert me.json()["email"] == "session@nodes.test"

    # Signing out on B revokes it for A too: the token lives in the database, not a node.
    assert nodes.request("b", "POST", "/api/v1/auth/logout", headers=_bearer(token)).status_code == 204
    assert nodes.request("a", "GET", "/api/v1/auth/me", headers=_bearer(token)).status_code == 401


def test_an_admin_session_opened_on_one_node_is_valid_on_the_other(nodes: Cluster) -> None:
    """Django's session (database-backed) with the MFA mark production's admin requires."""
    form = nodes.request("a", "GET", "/admin/login/")
    assert form.status_code == 200, form.status_code
    csrf = form.cookies["csrftoken"]
    login = nodes.request(
        "a",
        "POST",
        "/admin/login/?next=/admin/",
        data={
            "csrfmiddlewaretoken": csrf,
            "username": "staff@nodes.test",
            "password": PASSWORD,
            "otp_code": pyotp.TOTP(TOTP_SECRET).now(),
            "next": "/admin/",
        },
        # Secure cookies travel by hand (the client talks plain HTTP; nginx would end TLS).
        headers={"Cookie": f"csrftoken={csrf}", "Referer": f"https://{nodes.web['a'].url[7:]}/admin/login/"},
    )
    assert login.status_code == 302, login.text[-2000:]
    assert login.headers["Location"] == "/admin/"
    session = login.cookies["sessionid"]

    index = nodes.request("b", "GET", "/admin/", headers={"Cookie": f"sessionid={session}"})
    # 200 with the index, not 302 to the login page: B found the session and its MFA mark.
    assert index.status_code == 200, index.status_code
    assert "<title>Site administration" in index.text
    # The API's session authentication accepts it on B as well.
    me = nodes.request("b", "GET", "/api/v1/auth/me", headers={"Cookie": f"sessionid={session}"})
    assert me.status_code == 200, me.text
    assert me.json()["email"] == "staff@nodes.test"


def test_requests_split_across_nodes_share_one_throttle(nodes: Cluster) -> None:
    # The throttle counts in fixed minutes of the clock: a burst that straddled the turn of a
    # minute is run again by another user, and the next turn is a minute away.
    for attempt in range(2):
        status, body = _login(nodes, "a", f"throttle{attempt}@nodes.test")
        assert status == 200, body
        headers = _bearer(body["token"])
        minute = time.time() // 60
        statuses = [
            nodes.request("ab"[i % 2], "GET", "/api/v1/auth/me", headers=headers).status_code
            for i in range(THROTTLE_PER_MINUTE + 2)
        ]
        if time.time() // 60 == minute:
            break

    # Each node saw at most 6: a per-node count would have let all 12 through.
    assert statuses == [200] * THROTTLE_PER_MINUTE + [429, 429], statuses


def test_failed_logins_split_across_nodes_lock_the_account_on_both(nodes: Cluster) -> None:
    email = "lockout@nodes.test"
    failures = [_login(nodes, "ab"[i % 2], email, "wrong password")[0] for i in range(5)]
    # The 5th failure, whichever node counts it, triggers the lockout and answers with it.
    assert failures == [401] * 4 + [429], failures

    for node in ("a", "b"):
        status, body = _login(nodes, node, email)  # the right password, too late
        assert status == 429, (node, body)
        assert body["error"]["code"] == "account_locked", body


def test_two_workers_deliver_each_due_reminder_exactly_once(nodes: Cluster) -> None:
    started = time.monotonic()
    runs = json.loads(nodes.python(_DISPATCH_TWICE))

    def finished(run: str) -> str | None:
        """The worker whose log says this run succeeded, if any yet."""
        done = f"reminders_dispatch[{run}] succeeded"
        return next((name for name, worker in nodes.workers.items() if done in worker.output()), None)

    nodes.wait_until(lambda: all(finished(run) for run in runs), "both dispatch runs finished")
    elapsed = time.monotonic() - started
    # One run on each worker: the claims really were concurrent, not one worker's alone.
    assert sorted(finished(run) for run in runs) == ["a", "b"]

    texts = [
        row[0]
        for row in nodes.database.query(
            "SELECT m.text FROM chat_message m JOIN chat_conversation c ON c.id = m.conversation_id "
            "JOIN users_user u ON u.id = c.user_id WHERE u.email = %s AND m.direction = %s",
            ["reminders@nodes.test", "out"],
        )
    ]
    copies = Counter(texts)
    assert len(texts) == REMINDERS, f"{len(texts)} messages for {REMINDERS} reminders"
    assert set(copies) == {f"Reminder: nodes reminder {i}" for i in range(REMINDERS)}
    assert max(copies.values()) == 1, copies.most_common(3)
    remaining = nodes.database.query(
        "SELECT count(*) FROM planner_reminder WHERE status <> %s AND text LIKE %s",
        ["sent", "nodes reminder %"],
    )
    assert remaining == [(0,)]
    sent_by = {
        name: worker.output().count('"event": "reminder_sent"') for name, worker in nodes.workers.items()
    }
    assert sum(sent_by.values()) == REMINDERS, sent_by
    print(f"dispatch: {elapsed:.1f} s, sent by worker {sent_by}")  # noqa: T201


def test_each_node_counts_its_own_requests_and_the_sum_is_the_total(nodes: Cluster) -> None:
    before = {node: sample_sum(nodes.scrape(node), LIVE_RESPONSES, **LIVE_LABELS) for node in ("a", "b")}
    sent = {"a": 7, "b": 4}
    for node, count in sent.items():
        for _ in range(count):
            assert nodes.request(node, "GET", "/health/live").status_code == 200

    counted = {
        node: sample_sum(nodes.scrape(node), LIVE_RESPONSES, **LIVE_LABELS) - before[node]
        for node in ("a", "b")
    }

    # What Prometheus scrapes from each target, and what sum() over the targets gives.
    assert counted == sent
    assert sum(counted.values()) == sum(sent.values())
