"""Data migrations, run on rows inserted the way older code stored them."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from assistant.planner.models import Reminder

pytestmark = pytest.mark.django_db

fail_unsafe_recurrences = import_module(
    "assistant.planner.migrations.0004_fail_unsafe_recurrences"
).fail_unsafe_recurrences


def stored(user, rule, *, channel="chat", status="scheduled", starts_in=timedelta(days=1)):
    starts_at = timezone.now() + starts_in
    return Reminder.objects.create(
        user=user,
        text="x",
        due_at=starts_at,
        starts_at=starts_at,
        fire_at=starts_at,
        timezone=user.timezone,
        rrule=rule,
        channel=channel,
        status=status,
    )


def test_stored_series_whose_rule_breaks_the_rules_are_marked_failed_with_the_reason(user):
    unsafe = {
        stored(user, "DTSTART:20200101T000000\nRRULE:FREQ=DAILY"): "Rules may not contain DTSTART.",
        stored(user, "FREQ=SECONDLY"): "Reminders cannot repeat every second (FREQ=SECONDLY).",
        stored(user, "FREQ=MINUTELY;INTERVAL=1"): "Reminders can repeat at most every 15 minutes on chat.",
        stored(
            user, "FREQ=MINUTELY;INTERVAL=30", channel="sms"
        ): "Reminders can repeat at most every hour on SMS.",
        stored(
            user, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"
        ): "This rule never occurs: no such day in those months.",
        stored(
            user, "EVERY SO OFTEN"
        ): "Not a recurrence rule: write it like FREQ=DAILY;BYHOUR=8;BYMINUTE=0.",
    }
    safe = [
        stored(user, "FREQ=DAILY;BYHOUR=8;BYMINUTE=0"),
        stored(user, "FREQ=MINUTELY;INTERVAL=30"),
        stored(user, "FREQ=HOURLY;INTERVAL=2", channel="sms"),
        stored(user, "FREQ=DAILY;BYHOUR=8;BYMINUTE=0", starts_in=-timedelta(days=400)),  # a long-running one
        stored(user, ""),
    ]
    untouched = stored(user, "FREQ=SECONDLY", status="cancelled")

    fail_unsafe_recurrences(apps, None)

    for reminder, reason in unsafe.items():
        reminder.refresh_from_db()
        assert (reminder.status, reminder.last_error) == ("failed", f"Recurrence refused: {reason}")
    for reminder in [*safe, untouched]:
        before = reminder.status
        reminder.refresh_from_db()
        assert (reminder.status, reminder.last_error) == (before, "")
