"""Reads for todos, reminders and the agenda. Every selector takes the user it reads for."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from assistant.planner.models import Reminder, Todo
from assistant.users.models import User


def todos_for_user(
    *,
    user: User,
    status: str | None = None,
    due_before: date | None = None,
    due_after: date | None = None,
) -> QuerySet[Todo]:
    todos = Todo.objects.filter(user=user)
    if status:
        todos = todos.filter(status=status)
    if due_before:
        todos = todos.filter(due_date__lte=due_before)
    if due_after:
        todos = todos.filter(due_date__gte=due_after)
    return todos.order_by("status", "position", "id")


def reminders_for_user(
    *,
    user: User,
    status: str | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
) -> QuerySet[Reminder]:
    reminders = Reminder.objects.filter(user=user)
    if status:
        reminders = reminders.filter(status=status)
    if due_before:
        reminders = reminders.filter(fire_at__lte=due_before)
    if due_after:
        reminders = reminders.filter(fire_at__gte=due_after)
    return reminders.order_by("fire_at", "id")


def reminder_last_sent(*, user: User, since: datetime | None = None) -> Reminder | None:
    """The reminder the user most recently received: what "snooze" and "done" refer to."""
    reminders = Reminder.objects.filter(user=user, sent_at__isnull=False)
    if since is not None:
        reminders = reminders.filter(sent_at__gte=since)
    return reminders.exclude(status=Reminder.Status.CANCELLED).order_by("-sent_at", "-id").first()


@dataclass(frozen=True)
class Agenda:
    start: datetime
    end: datetime
    reminders: list[Reminder]
    todos: list[Todo]


def _local_day(user: User, now: datetime, days_ahead: int) -> tuple[datetime, datetime, date]:
    zone = ZoneInfo(user.timezone)
    day = now.astimezone(zone).date() + timedelta(days=days_ahead)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end, day


def agenda_for_user(*, user: User, now: datetime, days_ahead: int = 0) -> Agenda:
    """A day in the user's time zone: reminders still to come that day, and open todos due
    by then (overdue ones included, since they still need doing)."""
    start, end, day = _local_day(user, now, days_ahead)
    reminders = list(
        Reminder.objects.filter(
            user=user, status=Reminder.Status.SCHEDULED, fire_at__gte=max(start, now), fire_at__lt=end
        ).order_by("fire_at")
    )
    todos = list(
        Todo.objects.filter(user=user, status=Todo.Status.OPEN)
        .filter(Q(due_date__lte=day))
        .order_by("due_date", "position")
    )
    return Agenda(start=start, end=end, reminders=reminders, todos=todos)


def next_reminder(*, user: User, now: datetime) -> Reminder | None:
    return (
        Reminder.objects.filter(user=user, status=Reminder.Status.SCHEDULED, fire_at__gte=now)
        .order_by("fire_at")
        .first()
    )
