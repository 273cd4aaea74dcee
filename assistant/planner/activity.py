"""The planner's part of the user's admin page (assistant/users/activity.py): what became of
each reminder occurrence, and `reminder:<id>` in the user list's search."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from assistant.planner import selectors
from assistant.planner.models import ReminderDelivery
from assistant.users.activity import ActivityLookup, ActivityPanel, Column


def _reminder(delivery: ReminderDelivery) -> SafeString:
    reminder = delivery.reminder
    url = reverse("admin:planner_reminder_change", args=[reminder.pk])
    return format_html('<a href="{}">#{}</a> {}', url, reminder.pk, reminder.text)


def _failover(delivery: ReminderDelivery) -> str:
    """Which way the occurrence went when a channel failed: to chat, and how that went."""
    fallback: ReminderDelivery | None = getattr(delivery, "fallback", None)
    if fallback is not None:
        return f"to {fallback.channel}: {fallback.get_outcome_display()}"
    if delivery.fallback_for is not None:
        return f"from {delivery.fallback_for.channel}"
    return ""


DELIVERIES_PANEL = ActivityPanel(
    key="deliveries",
    title="Reminder deliveries",
    rows=lambda user: selectors.reminder_deliveries_for_user(user=user),
    columns=[
        Column("Occurrence", lambda delivery: delivery.occurrence),
        Column("Reminder", _reminder),
        Column("Channel", lambda delivery: delivery.channel),
        Column("Outcome", lambda delivery: delivery.get_outcome_display()),
        Column("Failed over", _failover),
        Column("Reason", lambda delivery: delivery.reason),
    ],
    position=10,
)

REMINDER_LOOKUP = ActivityLookup(
    prefix="reminder",
    example="reminder:42",
    user_ids=lambda value: selectors.reminder_owner_ids(reminder_id=value),
)
