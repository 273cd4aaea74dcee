"""A Celery worker SIGKILLed in the middle of a reminder batch: every reminder still goes out once.

Injected: 2,000 reminders due at once for three users (chat channel); once the dispatcher has
committed some batches and is working on more, SIGKILL to the worker's whole process group
(the pool's children included: no cleanup, no ack, transactions cut mid-way), then a new
worker. Measured: reminders sent before the kill, the time the new worker took to finish, and
the chat messages per reminder: each of the 2,000 texts exactly once, none missing, none doubled.
"""

import re
import time

import pytest

from monitoring.tests.stack_traffic import register
from tests.faults.support import fault_stack, kill_group, report
from tests.services import RedisServer

pytestmark = pytest.mark.processes

REMINDERS = 2000
USERS = 3
BATCH = 50  # rows per dispatcher transaction: many batches, so the kill lands between and inside them
TEXT = re.compile(r"fault reminder (\d{4})")

CREATE = """
from datetime import timedelta
from django.utils import timezone
from assistant.planner.models import Reminder
from assistant.users.models import User
users = list(User.objects.filter(email__startswith="batch-").order_by("email"))
due = timezone.now() + timedelta(seconds=2)
Reminder.objects.bulk_create(
    Reminder(user=users[i % len(users)], text=f"fault reminder {i:04d}", due_at=due, starts_at=due,
             fire_at=due, timezone="UTC", channel="chat")
    for i in range(COUNT)
)
"""


def _sent(stack) -> int:
    return stack.sql("SELECT count(*) FROM planner_reminder WHERE status = 'sent'")[0][0]


def test_every_reminder_is_delivered_once_when_the_worker_is_killed_mid_batch(
    own_redis: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    env_vars = {"REMINDER_DISPATCH_BATCH_SIZE": str(BATCH)}
    with fault_stack(own_redis.url, env=env_vars) as env:
        stack = env.stack
        for index in range(USERS):
            register(env, f"batch-{index}@example.com")
        stack.manage("shell", "-c", CREATE.replace("COUNT", str(REMINDERS)))
        assert stack.sql("SELECT count(*) FROM planner_reminder")[0][0] == REMINDERS

        # Kill once some batches are committed and most are still to come.
        sent_at_kill = stack.wait_until(
            lambda: (n := _sent(stack)) >= 2 * BATCH and n,
            "the dispatcher to commit its first batches",
            timeout=60,
            pause=0.02,
        )
        pid = kill_group(stack, "worker")
        sent_after_kill = _sent(stack)
        assert sent_after_kill < REMINDERS, (
            f"the dispatcher had sent all {REMINDERS} reminders before the kill: nothing was interrupted"
        )
        restarted = time.monotonic()
        stack.services["worker"].spawn()
        stack.wait_until(lambda: _sent(stack) == REMINDERS, f"all {REMINDERS} reminders sent", timeout=120)
        finished = time.monotonic() - restarted

        texts = [row[0] for row in stack.sql("SELECT text FROM chat_message WHERE direction = 'out'")]
        statuses = dict(stack.sql("SELECT status, count(*) FROM planner_reminder GROUP BY status"))

    delivered: dict[str, int] = {}
    for text in texts:
        if match := TEXT.search(text):
            delivered[match.group(1)] = delivered.get(match.group(1), 0) + 1
    missing = [f"{i:04d}" for i in range(REMINDERS) if f"{i:04d}" not in delivered]
    doubled = {k: v for k, v in delivered.items() if v > 1}
    report(
        capsys,
        "Celery worker SIGKILLed mid reminder batch",
        {
            "injected": f"SIGKILL to the worker's process group (pid {pid}) with {sent_at_kill} of "
            f"{REMINDERS} reminders sent (batches of {BATCH})",
            "sent_when_killed": sent_at_kill,
            "sent_after_kill": sent_after_kill,
            "new_worker_finished_s": round(finished, 1),
            "reminder_statuses": statuses,
            "chat_messages_delivered": sum(delivered.values()),
            "missing": len(missing),
            "doubled": len(doubled),
        },
    )
    assert not missing, f"{len(missing)} reminders never delivered, e.g. {missing[:10]}"
    assert not doubled, (
        f"{len(doubled)} reminders delivered more than once, e.g. {list(doubled.items())[:10]}"
    )
    assert statuses == {"sent": REMINDERS}, statuses
