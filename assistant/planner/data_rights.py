"""The planner's share of a person's export and erasure (see assistant/users/data_rights.py)."""

from assistant.planner.models import Reminder, ReminderDelivery, Todo
from assistant.users.data_rights import DataRightsPart, Section, iso
from assistant.users.models import User


def _export(user: User) -> Section:
    deliveries: dict[int, list[Section]] = {}
    for delivery in ReminderDelivery.objects.filter(reminder__user=user).order_by("occurrence", "id"):
        deliveries.setdefault(delivery.reminder_id, []).append(
            {
                "occurrence": delivery.occurrence.isoformat(),
                "channel": delivery.channel,
                "outcome": delivery.outcome,
                "reason": delivery.reason,
                "failed_over": delivery.fallback_for_id is not None,
                "created_at": delivery.created_at.isoformat(),
            }
        )
    return {
        "todos": [
            {
                "title": todo.title,
                "notes": todo.notes,
                "due_date": iso(todo.due_date),
                "priority": todo.get_priority_display(),
                "status": todo.status,
                "completed_at": iso(todo.completed_at),
                "created_at": todo.created_at.isoformat(),
            }
            for todo in Todo.objects.filter(user=user).order_by("created_at", "id")
        ],
        "reminders": [
            {
                "text": reminder.text,
                "due_at": reminder.due_at.isoformat(),
                "timezone": reminder.timezone,
                "rrule": reminder.rrule,
                "channel": reminder.channel,
                "origin": reminder.origin,
                "status": reminder.status,
                "sent_at": iso(reminder.sent_at),
                "created_at": reminder.created_at.isoformat(),
                "deliveries": deliveries.get(reminder.pk, []),
            }
            for reminder in Reminder.objects.filter(user=user).order_by("created_at", "id")
        ],
    }


def _erase(user: User) -> Section:
    deleted = Reminder.objects.filter(user=user).delete()[1]  # with their deliveries
    return {
        "todos": Todo.objects.filter(user=user).delete()[0],
        "reminders": deleted.get(Reminder._meta.label, 0),
        "deliveries": deleted.get(ReminderDelivery._meta.label, 0),
    }


PART = DataRightsPart(
    name="planner",
    export=_export,
    erase=_erase,
    exported=("planner.todo", "planner.reminder", "planner.reminderdelivery"),
)
