"""Reminders sent per second by one dispatcher (one worker process), on PostgreSQL.

    .venv/bin/python bench/dispatch_bench.py [--reminders 5000] [--users 50]

Creates due reminders, runs `reminders_dispatch` once in this process, and prints the rate
for three channels: the in-memory `bench` channel registered here (the far end costs nothing),
the chat channel (message rows) and the SMS channel (outbox rows and their send tasks); then
how fast one process empties the outbox into the locmem SMS backend.
BENCH_DATABASE_URL as for api_bench.py.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import DATABASE_URL, ensure_database

ensure_database()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["SMS_BACKEND"] = "sms.backends.locmem.LocmemSmsBackend"

import django

django.setup()

from django.core.management import call_command
from django.utils import timezone

from assistant.planner import notifications, services
from assistant.planner.models import Reminder
from assistant.users.models import User
from config.celery_app import app as celery_app
from sms import services as sms_services
from sms.backends import locmem
from sms.models import OutboundSMS as OutboxRow

# The dispatcher's part ends when the outbox rows are written and their send tasks enqueued
# (an in-memory broker here, Redis in production); the sending is measured on its own below.
celery_app.conf.task_always_eager = False
celery_app.conf.broker_url = "memory://"

delivered: list[str] = []
notifications.channel_register("bench", lambda batch: delivered.extend(n.text for n in batch))


def run(channel: str, *, reminders: int, users: list[User]) -> float:
    Reminder.objects.filter(user__in=users).delete()
    OutboxRow.objects.filter(user__in=users).delete()
    now = timezone.now()
    Reminder.objects.bulk_create(
        Reminder(
            user=users[i % len(users)],
            text=f"bench {i}",
            due_at=now,
            starts_at=now,
            fire_at=now,
            timezone="UTC",
            channel=channel,
        )
        for i in range(reminders)
    )
    started = time.perf_counter()
    result = services.reminders_dispatch(now=now)
    elapsed = time.perf_counter() - started
    assert result.sent == reminders, result
    return reminders / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reminders", type=int, default=5000)
    parser.add_argument("--users", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    users = []
    for i in range(args.users):
        user = User.objects.get_or_create(email=f"dispatch-bench-{i}@example.com")[0]
        user.phone_number, user.phone_verified = f"+1415555{i:04d}", True
        user.save(update_fields=["phone_number", "phone_verified"])
        users.append(user)
    print(
        f"{args.reminders} due reminders over {args.users} users, one process, "
        f"{django.db.connection.vendor}, batch {django.conf.settings.REMINDER_DISPATCH_BATCH_SIZE}"
    )
    for channel in ("bench", "chat", "sms"):
        rate = run(channel, reminders=args.reminders, users=users)
        print(f"  dispatcher, channel {channel:5} {rate:8.0f} reminders/s (target >= 1000)")
    queued = list(OutboxRow.objects.filter(status="queued").values_list("pk", flat=True))
    started = time.perf_counter()
    for sms_id in queued:
        sms_services.sms_outbound_deliver(sms_id=sms_id)
    rate = len(queued) / (time.perf_counter() - started)
    print(
        f"  outbox sender, one process: {rate:8.0f} SMS/s to the locmem backend "
        f"({len(locmem.outbox)} received)"
    )


if __name__ == "__main__":
    main()
