"""Reminders sent per second by one dispatcher (one worker process), on PostgreSQL.

    .venv/bin/python bench/dispatch_bench.py [--reminders 5000] [--users 50]

Creates due reminders, runs `reminders_dispatch` once in this process, and prints the rate
for two channels: the in-memory `bench` channel registered here (the far end costs nothing,
like the locmem SMS backend) and the real chat channel (one message row per reminder).
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

import django

django.setup()

from django.core.management import call_command
from django.utils import timezone

from assistant.planner import notifications, services
from assistant.planner.models import Reminder
from assistant.users.models import User

delivered: list[str] = []
notifications.channel_register("bench", lambda user, text: delivered.append(text))


def run(channel: str, *, reminders: int, users: list[User]) -> float:
    Reminder.objects.filter(user__in=users).delete()
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
    users = [
        User.objects.get_or_create(email=f"dispatch-bench-{i}@example.com")[0] for i in range(args.users)
    ]
    print(
        f"{args.reminders} due reminders over {args.users} users, one process, "
        f"{django.db.connection.vendor}, batch {django.conf.settings.REMINDER_DISPATCH_BATCH_SIZE}"
    )
    for channel in ("bench", "chat"):
        rate = run(channel, reminders=args.reminders, users=users)
        print(f"  channel {channel:6} {rate:8.0f} reminders/s (target >= 1000)")


if __name__ == "__main__":
    main()
