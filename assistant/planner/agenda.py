"""Entries other apps add to the agenda (calendar events, tasks from other tools).

Sources register themselves (integrations does, in its ready()), so the planner shows what
they synced without importing them, as channels do for notifications.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from assistant.users.models import User


@dataclass(frozen=True)
class AgendaEntry:
    kind: Literal["event", "task"]
    source: str  # where it came from: "google", "microsoft", "notion"
    title: str
    starts_at: datetime | None = None  # events (all-day ones: midnight in the user's zone)
    ends_at: datetime | None = None
    all_day: bool = False
    due_date: date | None = None  # tasks
    location: str = ""
    url: str = ""


class AgendaSource(Protocol):
    def entries(
        self, *, user: User, start: datetime, end: datetime, now: datetime, last_day: date
    ) -> list[AgendaEntry]:
        """Events between start and end that have not ended by now, and open tasks due by last_day."""

    def next_event(self, *, user: User, now: datetime) -> AgendaEntry | None:
        """The next timed event to start after now."""


_sources: list[AgendaSource] = []


def agenda_source_register(source: AgendaSource) -> None:
    if not any(type(existing) is type(source) for existing in _sources):
        _sources.append(source)


def agenda_entries(
    *, user: User, start: datetime, end: datetime, now: datetime, last_day: date
) -> list[AgendaEntry]:
    entries = [
        entry
        for source in _sources
        for entry in source.entries(user=user, start=start, end=end, now=now, last_day=last_day)
    ]
    latest = datetime.max.replace(tzinfo=start.tzinfo)
    # Events by start, then tasks by due date.
    return sorted(
        entries,
        key=lambda entry: (entry.kind, entry.starts_at or latest, entry.due_date or date.max, entry.title),
    )


def agenda_next_event(*, user: User, now: datetime) -> AgendaEntry | None:
    upcoming = [entry for source in _sources if (entry := source.next_event(user=user, now=now)) is not None]
    latest = datetime.max.replace(tzinfo=now.tzinfo)  # an entry without a start (none: events have one)
    return min(upcoming, key=lambda entry: entry.starts_at or latest, default=None)
