"""Applying the engine's intents: each handler calls the planner's services and says what
happened. The engine decided what the user meant; this decides what to do about it."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Model, QuerySet

from assistant.chat.engine import Intent, IntentName
from assistant.chat.models import Conversation
from assistant.chat.replies import day_name, say, when
from assistant.core.errors import ServiceError
from assistant.planner import selectors as planner_selectors
from assistant.planner import services as planner
from assistant.planner.models import Reminder, Todo
from assistant.users.models import User

LIST_LIMIT = 20

Handler = Callable[[User, Conversation, Intent, datetime], str]


def _when(moment: datetime, user: User, now: datetime, intent: Intent) -> str:
    return when(moment, timezone=user.timezone, now=now, language=intent.language)


def _remember_listing(conversation: Conversation, key: str, rows: list[Model]) -> None:
    """Keep the ids behind the numbers just shown, so "done 2" means what the user saw."""
    conversation.last_listing = {**conversation.last_listing, key: [row.pk for row in rows]}
    conversation.save(update_fields=["last_listing", "updated_at"])


def _resolve(conversation: Conversation, key: str, ref: int | str | None, candidates: QuerySet, field: str):
    """A number from the last list shown, or the first candidate whose text contains ref."""
    if isinstance(ref, int):
        shown = conversation.last_listing.get(key) or list(
            candidates.values_list("pk", flat=True)[:LIST_LIMIT]
        )
        return candidates.filter(pk=shown[ref - 1]).first() if 1 <= ref <= len(shown) else None
    if isinstance(ref, str) and ref.strip():
        return candidates.filter(**{f"{field}__icontains": ref.strip()}).first()
    return None


def _numbered(rows: list[str]) -> str:
    return "\n".join(f"{number}. {row}" for number, row in enumerate(rows, start=1))


def add_todo(user: User, conversation: Conversation, intent: Intent, now: datetime) -> str:
    todo = planner.todo_create(user=user, title=intent.text)
    count = planner_selectors.todos_for_user(user=user, status=Todo.Status.OPEN).count()
    return say("todo_added", intent.language, title=todo.title, count=count)


def list_todos(user: User, conversation: Conversation, intent: Intent, now: datetime) -> str:
    todos = list(planner_selectors.todos_for_user(user=user, status=Todo.Status.OPEN)[:LIST_LIMIT])
    _remember_listing(conversation, "todos", todos)
    if not todos:
        return say("todos_empty", intent.language)
    return say("todos_header", intent.language) + "\n" + _numbered([todo.title for todo in todos])


def _act_on_open_todo(
    user: User, conversation: Conversation, intent: Intent, act: Callable, reply: str
) -> str:
    """Find the todo the user means (by number or name), apply act to it, and say so."""
    candidates = planner_selectors.todos_for_user(user=user, status=Todo.Status.OPEN)
    todo = _resolve(conversation, "todos", intent.ref, candidates, "title")
    if todo is None:
        return say("todo_not_found", intent.language)
    act(todo=todo)
    return say(reply, intent.language, title=todo.title)


def complete_todo(user: User, conversation: Conversation, intent: Intent, now: datetime) -> str:
    """ "done 2" completes a todo; a bare "done" answers the reminder just received."""
    recent = now - timedelta(hours=12)
    if intent.ref is None and (reminder := planner_selectors.reminder_last_sent(user=user, since=recent)):
        planner.reminder_acknowledge(reminder=reminder)
        return say("reminder_done", intent.language, text=reminder.text)
    return _act_on_open_todo(user, conversation, intent, planner.todo_complete, "todo_done")


def delete_todo(user: User, conversation: Conversation, intent: Intent, now: datetime) -> str:
    return _act_on_open_todo(user, conversation, intent, planner.todo_delete, "todo_deleted")


def remind(user: User, conversation: Conversation, intent: Intent, now: datetime) -> str:
    try:
        reminder = planner.reminder_create(
            user=user, text=intent.text, due_at=intent.due_at, rrule=intent.rrule or "", now=now
        )
    except ServiceError:
        return say("missing_time", intent.language, text=intent.text)
    key = "reminder_set_recurring" if reminder.rrule else "reminder_set"
    return say(key, intent.language, text=reminder.text, when=_when(reminder.due_at, user, now, intent))


def _scheduled(user: User) -> QuerySet[Reminder]:
    return planner_selectors.reminders_for_user(user=user, status=Reminder.Status.SCHEDULED)


def list_reminders(user: User, conversation: Conversation, intent: Intent, now: datetime) -> str:
    reminders = list(_scheduled(user)[:LIST_LIMIT])
    _remember_listing(conversation, "reminders", reminders)
    if not reminders:
        return say("reminders_empty", intent.language)
    rows = [f"{reminder.text} — {_when(reminder.fire_at, user, now, intent)}" for reminder in reminders]
    return say("reminders_header", intent.language) + "\n" + _numbered(rows)


def snooze(user: User, conversation: Conversation, intent: Intent, now: datetime) -> str:
    reminder = planner_selectors.reminder_last_sent(user=user)
    if reminder is None:
        return say("nothing_to_snooze", intent.language)
    reminder = planner.reminder_snooze(reminder=reminder, minutes=intent.minutes or 10, now=now)
    return say(
        "snoozed", intent.language, text=reminder.text, when=_when(reminder.snoozed_until, user, now, intent)
    )


def cancel_reminder(user: User, conversation: Conversation, intent: Intent, now: datetime) -> str:
    reminder = _resolve(conversation, "reminders", intent.ref, _scheduled(user), "text")
    if reminder is None:
        return say("reminder_not_found", intent.language)
    planner.reminder_cancel(reminder=reminder)
    return say("reminder_cancelled", intent.language, text=reminder.text)


def agenda(user: User, conversation: Conversation, intent: Intent, now: datetime) -> str:
    if intent.period == "next":
        reminder = planner_selectors.next_reminder(user=user, now=now)
        event = planner_selectors.next_event(user=user, now=now)
        if event is not None and (reminder is None or event.starts_at < reminder.fire_at):
            text, at = event.title, event.starts_at
        elif reminder is not None:
            text, at = reminder.text, reminder.fire_at
        else:
            text = at = None
        if at is not None:
            return say("next_reminder", intent.language, text=text, when=_when(at, user, now, intent))
    days_ahead = 1 if intent.period == "tomorrow" else 0
    day = planner.agenda_read(user=user, now=now, days_ahead=days_ahead)
    label = day_name(intent.language, days_ahead)
    timed = [
        (reminder.fire_at, f"{_when(reminder.fire_at, user, now, intent)}: {reminder.text}")
        for reminder in day.reminders
    ]
    for event in day.events:
        row = (
            say("all_day", intent.language, title=event.title)
            if event.all_day
            else f"{_when(event.starts_at, user, now, intent)}: {event.title}"
        )
        timed.append((event.starts_at, row))
    rows = [row for _, row in sorted(timed, key=lambda pair: pair[0])]
    rows += [say("due_todo", intent.language, title=todo.title) for todo in day.todos]
    rows += [say("due_todo", intent.language, title=task.title) for task in day.tasks]
    if not rows:
        return say("agenda_empty", intent.language, day=label)
    return say("agenda_header", intent.language, day=label) + "\n" + "\n".join(f"- {row}" for row in rows)


def clarify(user: User, conversation: Conversation, intent: Intent, now: datetime) -> str:
    if intent.problem == "past_time" and intent.due_at is not None:
        return say(
            "past_time", intent.language, text=intent.text, when=_when(intent.due_at, user, now, intent)
        )
    if intent.problem == "missing_text":
        return say("missing_text", intent.language)
    return say("missing_time", intent.language, text=intent.text)


def show_help(user: User, conversation: Conversation, intent: Intent, now: datetime) -> str:
    return say("help", intent.language)


def unknown(user: User, conversation: Conversation, intent: Intent, now: datetime) -> str:
    return say("unknown", intent.language)


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
    IntentName.HELP: show_help,
    IntentName.UNKNOWN: unknown,
}


def intent_apply(*, user: User, conversation: Conversation, intent: Intent, now: datetime) -> str:
    return HANDLERS[intent.name](user, conversation, intent, now)
