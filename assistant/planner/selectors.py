"""Reads for todos, reminders and the agenda. Every selector takes the user it reads for,
except the counts across users at the end (the business metrics, for staff)."""

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects

from assistant.core.compiled import CompiledRead, compiled_read, together
from assistant.planner.agenda import AgendaEntry, SyncedEntries, agenda_entries
from assistant.planner.models import Reminder, ReminderDelivery, Todo
from assistant.users.models import Channel as UserChannel
from assistant.users.models import User


def reminder_channel_for(user: User) -> str:
    """The channel a new reminder of this user goes out on."""
    return Reminder.Channel.SMS if user.preferred_channel == UserChannel.SMS else Reminder.Channel.CHAT


def reminder_min_interval(channel: str) -> timedelta:
    """How often a series may repeat on this channel; a channel with no setting of its own gets
    the strictest."""
    limits = settings.REMINDER_RRULE_MIN_INTERVAL_SECONDS
    return timedelta(seconds=limits.get(channel, max(limits.values())))


_TODO_ORDER = ("status", "position", "id")


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
    return todos.order_by(*_TODO_ORDER)


def first_todos(*, user: User, count: int) -> list[Todo]:
    """The first `count` of todos_for_user(user=user): the list as the app opens it, on every
    refresh. Compiled once per count (assistant/core/compiled.py): building and compiling the
    queryset cost a fifth of the request's CPU."""
    return _first_todos(count)(user.pk)


@functools.cache  # per count: the list asks for its page size and one row more, whether a next page exists
def _first_todos(count: int) -> CompiledRead[[int], Todo]:
    @compiled_read
    def first_todos(user_id: int) -> QuerySet[Todo]:
        return Todo.objects.filter(user_id=user_id).order_by(*_TODO_ORDER)[:count]

    return first_todos


def reminders_for_user(
    *,
    user: User,
    status: str | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
) -> QuerySet[Reminder]:
    reminders = Reminder.objects.filter(user=user, origin=Reminder.Origin.USER)
    if status:
        reminders = reminders.filter(status=status)
    if due_before:
        reminders = reminders.filter(fire_at__lte=due_before)
    if due_after:
        reminders = reminders.filter(fire_at__gte=due_after)
    return reminders.order_by("fire_at", "id")


# Newest first; an occurrence has at most two rows (its delivery and a chat fallback).
_DELIVERY_ORDER = ("-occurrence", "-id")


def _recent_deliveries() -> Prefetch[str, QuerySet[ReminderDelivery], str]:
    return Prefetch(
        "deliveries",
        queryset=ReminderDelivery.objects.order_by(*_DELIVERY_ORDER)[:2],
        to_attr="recent_deliveries",
    )


def reminders_with_last_delivery(*, reminders: QuerySet[Reminder]) -> QuerySet[Reminder]:
    """The reminders with what reminder_last_delivery reads, in one more query for them all."""
    return reminders.prefetch_related(_recent_deliveries())


@dataclass(frozen=True)
class LastDelivery:
    delivery: ReminderDelivery  # the latest occurrence, on the reminder's channel
    fallback: ReminderDelivery | None  # the chat delivery it failed over to, if it did


def reminder_last_delivery(*, reminder: Reminder) -> LastDelivery | None:
    """What became of the reminder's latest occurrence (None before its first)."""
    recent = getattr(reminder, "recent_deliveries", None)
    if recent is None:  # not loaded with reminders_with_last_delivery: one query
        recent = list(reminder.deliveries.order_by(*_DELIVERY_ORDER)[:2])
    delivery = next((row for row in recent if row.fallback_for_id is None), None)
    if delivery is None:
        return None
    fallback = next((row for row in recent if row.fallback_for_id == delivery.pk), None)
    return LastDelivery(delivery=delivery, fallback=fallback)


def reminder_deliveries(*, reminder: Reminder) -> QuerySet[ReminderDelivery]:
    """Every delivery of the reminder, newest occurrence first."""
    return reminder.deliveries.order_by(*_DELIVERY_ORDER)


def reminder_deliveries_for_user(*, user: User) -> QuerySet[ReminderDelivery]:
    """Every delivery of the user's reminders, newest occurrence first, with the reminder and
    either side of a failover (the chat delivery it failed over to, or the one it stands in for)."""
    return (
        ReminderDelivery.objects.filter(reminder__user=user)
        .select_related("reminder", "fallback", "fallback_for")
        .order_by(*_DELIVERY_ORDER)
    )


def reminder_owner_ids(*, reminder_id: str) -> QuerySet[Reminder, int]:
    """The owner of the reminder with this id, for staff who have only the id: none if no such."""
    if not reminder_id.isdigit():
        return Reminder.objects.none().values_list("user_id", flat=True)
    return Reminder.objects.filter(pk=int(reminder_id)).values_list("user_id", flat=True)


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
    # Synced from other tools (see agenda.py): calendar events, then their tasks.
    events: list[AgendaEntry] = field(default_factory=list)
    tasks: list[AgendaEntry] = field(default_factory=list)


def _local_days(user: User, now: datetime, days_ahead: int, days: int) -> tuple[datetime, datetime, date]:
    zone = ZoneInfo(user.timezone)
    first = now.astimezone(zone).date() + timedelta(days=days_ahead)
    last = first + timedelta(days=days - 1)
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return start, end, last


# The agenda's and "what's next"'s reads, compiled once (assistant/core/compiled.py): they run
# on every agenda and chat "what's next?", and Django compiling them cost more CPU than the
# database took to answer.


@compiled_read
def _reminders_between(user_id: int, start: datetime, end: datetime) -> QuerySet[Reminder]:
    return Reminder.objects.filter(
        user_id=user_id,
        origin=Reminder.Origin.USER,
        status=Reminder.Status.SCHEDULED,
        fire_at__gte=start,
        fire_at__lt=end,
    ).order_by("fire_at")


@compiled_read
def _open_todos_due_by(user_id: int, last_day: date) -> QuerySet[Todo]:
    return Todo.objects.filter(user_id=user_id, status=Todo.Status.OPEN, due_date__lte=last_day).order_by(
        "due_date", "position"
    )


@compiled_read
def _next_reminders(user_id: int, now: datetime) -> QuerySet[Reminder]:
    return Reminder.objects.filter(
        user_id=user_id, origin=Reminder.Origin.USER, status=Reminder.Status.SCHEDULED, fire_at__gte=now
    ).order_by("fire_at")[:1]


def _agenda(
    start: datetime, end: datetime, reminders: list[Reminder], todos: list[Todo], synced: SyncedEntries
) -> Agenda:
    return Agenda(
        start=start,
        end=end,
        reminders=reminders,
        todos=todos,
        events=[entry for entry in synced.entries if entry.kind == "event"],
        tasks=[entry for entry in synced.entries if entry.kind == "task"],
    )


def agenda_for_user(*, user: User, now: datetime, days_ahead: int = 0, days: int = 1) -> Agenda:
    """Days in the user's time zone: reminders and events still to come, and open todos and
    tasks due by the last day (overdue ones included, since they still need doing)."""
    start, end, last_day = _local_days(user, now, days_ahead, days)
    reminders, todos, synced = together(
        _reminders_between.deferred(user.pk, max(start, now), end),
        _open_todos_due_by.deferred(user.pk, last_day),
        agenda_entries(user=user, start=start, end=end, now=now, last_day=last_day),
    ).run()
    prefetch_related_objects(reminders, _recent_deliveries())
    return _agenda(start, end, reminders, todos, synced)


@dataclass(frozen=True)
class WhatsNext:
    reminder: Reminder | None  # the next reminder to fire
    event: AgendaEntry | None  # the next timed calendar event to start
    today: Agenda | None  # neither coming: today's agenda instead


def whats_next(*, user: User, now: datetime) -> WhatsNext:
    """The next reminder and calendar event or, when neither comes, today's agenda, in one
    round trip: the next reminder, the synced entries (the next event and today's), and today's
    todos, read whatever comes next since a round trip costs more than reading them. No
    reminder is left today when none comes next: none to read for today."""
    start, end, last_day = _local_days(user, now, 0, 1)
    reminders, synced, todos = together(
        _next_reminders.deferred(user.pk, now),
        agenda_entries(user=user, start=start, end=end, now=now, last_day=last_day),
        _open_todos_due_by.deferred(user.pk, last_day),
    ).run()
    reminder = next(iter(reminders), None)
    if reminder is not None or synced.next_event is not None:
        return WhatsNext(reminder=reminder, event=synced.next_event, today=None)
    return WhatsNext(reminder=None, event=None, today=_agenda(start, end, [], todos, synced))


# --- Across users --------------------------------------------------------------------------------


def todo_makers_since(*, since: datetime) -> frozenset[int]:
    """Users who created or completed a todo since `since`."""
    todos = Todo.objects.filter(Q(created_at__gte=since) | Q(completed_at__gte=since))
    return frozenset(todos.values_list("user_id", flat=True).distinct().order_by())


class ReminderMakers(NamedTuple):
    users: frozenset[int]
    recurring: frozenset[int]  # those of them who made a recurring one


def reminder_makers_since(*, since: datetime) -> ReminderMakers:
    """Users who made reminders of their own (not event nudges) since `since`: one query."""
    rows = list(
        Reminder.objects.filter(origin=Reminder.Origin.USER, created_at__gte=since)
        .values_list("user_id")
        # A name Reminder also has (a property): rows are tuples, the model's is never read here.
        .annotate(recurring=Count("pk", filter=~Q(rrule="")))  # type: ignore[no-redef]
        .order_by()
    )
    return ReminderMakers(
        users=frozenset(user for user, _ in rows),
        recurring=frozenset(user for user, recurring in rows if recurring),
    )
