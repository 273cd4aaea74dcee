"""Applying the engine's intents: each handler calls the planner's services and says what
happened. The engine decided what the person meant; this decides what to do about it.

A handler returns the reply and, when it changed something "undo" can take back, that action
(kept on the conversation). Replies are rendered in the intent's language by the caller.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from assistant.chat import replies
from assistant.chat.engine import Intent, IntentName
from assistant.chat.engine.parser import best_todo
from assistant.chat.models import Conversation
from assistant.core.errors import ServiceError
from assistant.planner import selectors as planner_selectors
from assistant.planner import services as planner
from assistant.planner.models import Reminder, Todo
from assistant.users.models import User

_Row = TypeVar("_Row", bound=Model)

LIST_LIMIT = 20


@dataclass(frozen=True)
class Outcome:
    reply: str
    action: dict[str, Any] | None = None  # what "undo" would take back


@dataclass(frozen=True)
class Turn:
    """One message being answered: who, in which conversation, when."""

    user: User
    conversation: Conversation
    intent: Intent
    now: datetime

    def when(self, moment: datetime) -> str:
        return replies.when_text(moment, timezone=self.user.timezone, now=self.now)


Handler = Callable[[Turn], Outcome]


def _remember_listing(conversation: Conversation, key: str, rows: Sequence[Model]) -> None:
    """Keep the ids behind the numbers just shown, so "done 2" means what the user saw."""
    conversation.last_listing = {**conversation.last_listing, key: [row.pk for row in rows]}
    conversation.save(update_fields=["last_listing", "updated_at"])


def _resolve(turn: Turn, key: str, candidates: QuerySet[_Row], field: str) -> _Row | None:
    """A number from the last list shown, or the candidate a name means (fuzzy, accent- and
    case-insensitive, as the engine matches names)."""
    ref = turn.intent.ref
    if isinstance(ref, int):
        shown = turn.conversation.last_listing.get(key) or list(
            candidates.values_list("pk", flat=True)[:LIST_LIMIT]
        )
        return candidates.filter(pk=shown[ref - 1]).first() if 1 <= ref <= len(shown) else None
    if isinstance(ref, str) and ref.strip():
        names = dict(candidates.values_list(field, "pk")[:200])
        if ref in names:
            return candidates.get(pk=names[ref])
        best = best_todo(ref, names)
        return candidates.get(pk=names[best]) if best else None
    return None


def _numbered(rows: list[str]) -> str:
    return "\n".join(f"{number}. {row}" for number, row in enumerate(rows, start=1))


def _open_todos(user: User) -> QuerySet[Todo]:
    return planner_selectors.todos_for_user(user=user, status=Todo.Status.OPEN)


def add_todo(turn: Turn) -> Outcome:
    todo = planner.todo_create(user=turn.user, title=turn.intent.text, due_date=turn.intent.due_date)
    action = {"kind": "todo_added", "todo": todo.pk}
    if todo.due_date:
        reply = replies.todo_added_due(todo.title, replies.date_text(todo.due_date))
    else:
        reply = replies.todo_added(todo.title, _open_todos(turn.user).count())
    return Outcome(f"{reply} {replies.undo_hint()}", action)


def list_todos(turn: Turn) -> Outcome:
    todos = list(_open_todos(turn.user)[:LIST_LIMIT])
    _remember_listing(turn.conversation, "todos", todos)
    if not todos:
        return Outcome(replies.todos_empty())
    return Outcome(replies.todos_header() + "\n" + _numbered([todo.title for todo in todos]))


def complete_todo(turn: Turn) -> Outcome:
    """ "done 2" completes a todo; a bare "done" answers the reminder just received."""
    recent = turn.now - timedelta(hours=12)
    if turn.intent.ref is None and (
        reminder := planner_selectors.reminder_last_sent(user=turn.user, since=recent)
    ):
        planner.reminder_acknowledge(reminder=reminder)
        return Outcome(replies.reminder_done(reminder.text))
    todo = _resolve(turn, "todos", _open_todos(turn.user), "title")
    if todo is None:
        return Outcome(replies.todo_not_found())
    planner.todo_complete(todo=todo)
    return Outcome(replies.todo_done(todo.title), {"kind": "todo_completed", "todo": todo.pk})


def delete_todo(turn: Turn) -> Outcome:
    todo = _resolve(turn, "todos", _open_todos(turn.user), "title")
    if todo is None:
        return Outcome(replies.todo_not_found())
    kept = {
        "title": todo.title,
        "notes": todo.notes,
        "due_date": todo.due_date.isoformat() if todo.due_date else None,
        "priority": todo.priority,
    }
    planner.todo_delete(todo=todo)
    return Outcome(replies.todo_deleted(todo.title), {"kind": "todo_deleted", "todo": kept})


def _repeat_limit_reply(user: User) -> str:
    limit = planner_selectors.reminder_min_interval(planner_selectors.reminder_channel_for(user))
    return replies.too_often(replies.every_duration(int(limit.total_seconds() // 60)))


def remind(turn: Turn) -> Outcome:
    intent = turn.intent
    assert intent.due_at is not None  # the engine asks when before it says remind
    try:
        reminder = planner.reminder_create(
            user=turn.user, text=intent.text, due_at=intent.due_at, rrule=intent.rrule or "", now=turn.now
        )
    except ServiceError as error:
        if "rrule" in error.fields:  # "every 5 minutes" on a channel that allows fewer
            return Outcome(_repeat_limit_reply(turn.user))
        return Outcome(replies.missing_time(intent.text))
    when = turn.when(reminder.due_at)
    if reminder.rrule:
        rule = replies.rule_text(reminder.rrule, reminder.due_at, timezone=reminder.timezone)
        reply = replies.reminder_set_recurring(reminder.text, rule, when)
    else:
        reply = replies.reminder_set(reminder.text, when)
    return Outcome(f"{reply} {replies.undo_hint()}", {"kind": "reminder_created", "reminder": reminder.pk})


def _scheduled(user: User) -> QuerySet[Reminder]:
    return planner_selectors.reminders_for_user(user=user, status=Reminder.Status.SCHEDULED)


def list_reminders(turn: Turn) -> Outcome:
    reminders = list(_scheduled(turn.user)[:LIST_LIMIT])
    _remember_listing(turn.conversation, "reminders", reminders)
    if not reminders:
        return Outcome(replies.reminders_empty())
    rows = [f"{reminder.text} — {turn.when(reminder.fire_at)}" for reminder in reminders]
    return Outcome(replies.reminders_header() + "\n" + _numbered(rows))


def snooze(turn: Turn) -> Outcome:
    reminder = planner_selectors.reminder_last_sent(user=turn.user)
    if reminder is None:
        return Outcome(replies.nothing_to_snooze())
    reminder = planner.reminder_snooze(reminder=reminder, minutes=turn.intent.minutes or 10, now=turn.now)
    assert reminder.snoozed_until is not None  # just set
    return Outcome(replies.snoozed(reminder.text, turn.when(reminder.snoozed_until)))


def cancel_reminder(turn: Turn) -> Outcome:
    reminder = _resolve(turn, "reminders", _scheduled(turn.user), "text")
    if reminder is None:
        return Outcome(replies.reminder_not_found())
    planner.reminder_cancel(reminder=reminder)
    return Outcome(
        replies.reminder_cancelled(reminder.text), {"kind": "reminder_cancelled", "reminder": reminder.pk}
    )


def agenda(turn: Turn) -> Outcome:
    user, now, period = turn.user, turn.now, turn.intent.period or "today"
    if period == "next":
        upcoming = planner.whats_next_read(user=user, now=now)
        reminder, event = upcoming.reminder, upcoming.event
        if (
            event is not None
            and event.starts_at is not None
            and (reminder is None or event.starts_at < reminder.fire_at)
        ):
            return Outcome(replies.next_item(event.title, turn.when(event.starts_at)))
        if reminder is not None:
            return Outcome(replies.next_item(reminder.text, turn.when(reminder.fire_at)))
        assert upcoming.today is not None  # nothing is next: today's agenda instead
        day, period = upcoming.today, "today"
    else:
        days_ahead, days = {"tomorrow": (1, 1), "week": (0, 7)}.get(period, (0, 1))
        day = planner.agenda_read(user=user, now=now, days_ahead=days_ahead, days=days)
    timed = [
        (reminder.fire_at, f"{turn.when(reminder.fire_at)}: {reminder.text}") for reminder in day.reminders
    ]
    for event in day.events:
        assert event.starts_at is not None  # an event, unlike a task, has a start
        if event.all_day:
            row = replies.all_day(event.title, replies.date_text(event.starts_at.date()))
        else:
            row = f"{turn.when(event.starts_at)}: {event.title}"
        timed.append((event.starts_at, row))
    rows = [row for _, row in sorted(timed, key=lambda pair: pair[0])]
    rows += [replies.due_todo(todo.title) for todo in day.todos]
    rows += [replies.due_todo(task.title) for task in day.tasks]
    if not rows:
        return Outcome(replies.agenda_empty(period))
    return Outcome(replies.agenda_header(period) + "\n" + "\n".join(f"- {row}" for row in rows))


def clarify(turn: Turn) -> Outcome:
    intent = turn.intent
    text = intent.text
    if intent.problem == "ambiguous_time" and len(intent.options) == 2:
        return Outcome(replies.which_time(text, intent.options, timezone=turn.user.timezone, now=turn.now))
    if intent.problem == "unclear_time":
        if intent.due_at is not None:
            return Outcome(replies.confirm_time(text, turn.when(intent.due_at)))
        return Outcome(replies.exact_time(text))
    if intent.problem == "past_time" and intent.due_at is not None:
        return Outcome(replies.past_time(text, turn.when(intent.due_at)))
    if intent.problem == "missing_text":
        if intent.due_at is not None:
            return Outcome(replies.missing_text(turn.when(intent.due_at)))
        return Outcome(replies.missing_text_no_time())
    return Outcome(replies.missing_time(text))


def undo(turn: Turn) -> Outcome:
    """Take back what the assistant did last in this conversation."""
    action = turn.conversation.last_action
    kind = action.get("kind")
    user = turn.user
    if kind in ("todo_added", "todo_completed"):
        todo = planner_selectors.todos_for_user(user=user).filter(pk=action["todo"]).first()
        if todo is None:
            return Outcome(replies.cannot_undo())
        if kind == "todo_added":
            planner.todo_delete(todo=todo)
            return Outcome(replies.undone_todo_added(todo.title))
        planner.todo_reopen(todo=todo)
        return Outcome(replies.undone_todo_completed(todo.title))
    if kind == "todo_deleted":
        kept = action["todo"]
        todo = planner.todo_create(
            user=user,
            title=kept["title"],
            notes=kept["notes"],
            due_date=datetime.fromisoformat(kept["due_date"]).date() if kept["due_date"] else None,
            priority=kept["priority"],
        )
        return Outcome(replies.undone_todo_deleted(todo.title))
    if kind in ("reminder_created", "reminder_cancelled"):
        reminder = planner_selectors.reminders_for_user(user=user).filter(pk=action["reminder"]).first()
        if reminder is None:
            return Outcome(replies.cannot_undo())
        if kind == "reminder_created":
            planner.reminder_cancel(reminder=reminder)
            return Outcome(replies.undone_reminder_created(reminder.text))
        try:
            reminder = planner.reminder_reinstate(reminder=reminder, now=turn.now)
        except ServiceError:
            return Outcome(replies.cannot_undo())
        return Outcome(replies.undone_reminder_cancelled(reminder.text, turn.when(reminder.fire_at)))
    return Outcome(replies.nothing_to_undo())


def show_help(turn: Turn) -> Outcome:
    return Outcome(replies.help_text())


def thanks(turn: Turn) -> Outcome:
    return Outcome(replies.thanks())


def unknown(turn: Turn) -> Outcome:
    return Outcome(replies.unknown())


HANDLERS: dict[IntentName, Handler] = {
    IntentName.ADD_TODO: add_todo,
    IntentName.LIST_TODOS: list_todos,
    IntentName.COMPLETE_TODO: complete_todo,
    IntentName.DELETE_TODO: delete_todo,
    IntentName.REMIND: remind,
    IntentName.LIST_REMINDERS: list_reminders,
    IntentName.SNOOZE: snooze,
    IntentName.CANCEL_REMINDER: cancel_reminder,
    IntentName.AGENDA: agenda,
    IntentName.CLARIFY: clarify,
    IntentName.UNDO: undo,
    IntentName.HELP: show_help,
    IntentName.THANKS: thanks,
    IntentName.UNKNOWN: unknown,
}

# Handlers that only read: the message and its reply are all such a turn writes.
READ_ONLY_INTENTS = frozenset({IntentName.AGENDA, IntentName.HELP, IntentName.THANKS, IntentName.UNKNOWN})


def intent_apply(*, turn: Turn) -> Outcome:
    return HANDLERS[turn.intent.name](turn)
