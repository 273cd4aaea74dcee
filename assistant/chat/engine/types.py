"""What goes into the engine (a message and a small context) and what comes out (an intent)."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class IntentName(StrEnum):
    ADD_TODO = "add_todo"
    LIST_TODOS = "list_todos"
    COMPLETE_TODO = "complete_todo"
    DELETE_TODO = "delete_todo"
    REMIND = "remind"
    LIST_REMINDERS = "list_reminders"
    SNOOZE = "snooze"
    CANCEL_REMINDER = "cancel_reminder"
    AGENDA = "agenda"
    HELP = "help"
    THANKS = "thanks"
    UNDO = "undo"
    CLARIFY = "clarify"
    UNKNOWN = "unknown"


class Problem(StrEnum):
    """Why a CLARIFY intent needs the user to say more."""

    PAST_TIME = "past_time"
    MISSING_TIME = "missing_time"
    MISSING_TEXT = "missing_text"
    AMBIGUOUS_TIME = "ambiguous_time"  # a bare "8" with both 08:00 and 20:00 still ahead today
    UNCLEAR_TIME = "unclear_time"  # something that looks like a time was left unexplained


class Period(StrEnum):
    """Which slice of the agenda the user asked for."""

    TODAY = "today"
    TOMORROW = "tomorrow"
    WEEK = "week"
    NEXT = "next"


@dataclass(frozen=True)
class Pending:
    """The question the assistant asked last, which the next message may answer."""

    problem: Problem
    text: str = ""
    due_at: datetime | None = None  # the reading proposed (unclear_time) or kept (missing_text)
    rrule: str | None = None
    options: tuple[datetime, ...] = ()  # ambiguous_time: the morning and the evening reading
    day: date | None = None  # the day the question was about ("thursday at 14h70": thursday)


@dataclass(frozen=True)
class EngineContext:
    now: datetime  # aware; the engine's only clock
    timezone: str  # the user's IANA zone, e.g. "Europe/Paris"
    language: str | None = None  # "en" | "fr" | "es" | "pt", used when the text gives no clue
    # Titles of the person's open todos, to complete one by name or by saying it is done
    # ("I paid the rent"); None when the caller did not look them up.
    open_todos: tuple[str, ...] | None = None
    pending: Pending | None = None


@dataclass(frozen=True)
class Intent:
    name: IntentName
    language: str  # detected from the text, else the context's, else "en"; replies use it
    text: str = ""  # todo title or reminder text, cleaned, at most 200 characters
    ref: int | str | None = None  # a 1-based number from the last list, or a name
    due_at: datetime | None = None  # aware UTC; the first occurrence when recurring
    rrule: str | None = None  # RFC 5545 RRULE without DTSTART, in the user's wall time
    minutes: int | None = None  # snooze length
    period: str | None = None  # agenda: a Period
    problem: str | None = None  # CLARIFY only: a Problem
    due_date: date | None = None  # a todo's due day, in the user's zone
    options: tuple[datetime, ...] = ()  # CLARIFY ambiguous_time: the readings to choose from
