"""Entries other apps add to the agenda (calendar events, tasks from other tools).

Sources register themselves (integrations does, in its ready()), so the planner shows what
they synced without importing them, as channels do for notifications.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal, Protocol

from assistant.core.compiled import Deferred, all_of
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


@dataclass(frozen=True)
class SyncedEntries:
    entries: list[AgendaEntry]  # events by start, then tasks by due date
    next_event: AgendaEntry | None  # the next timed event to start, wherever it falls


class AgendaSource(Protocol):
    def entries(
        self, *, user: User, start: datetime, end: datetime, now: datetime, last_day: date
    ) -> Deferred[SyncedEntries]:
        """Events between start and end that have not ended by now, open tasks due by
        last_day, and the next timed event to start after now; in one read, since "what's next?"
        needs the next event and, when nothing is next, today's. Deferred, so that the planner
        sends it with its own reads (assistant/core/compiled.py)."""


_sources: list[AgendaSource] = []


def agenda_source_register(source: AgendaSource) -> None:
    if not any(type(existing) is type(source) for existing in _sources):
        _sources.append(source)


def agenda_entries(
    *, user: User, start: datetime, end: datetime, now: datetime, last_day: date
) -> Deferred[SyncedEntries]:
    """Every source's entries, deferred: run them with the planner's reads."""
    reads = [
        source.entries(user=user, start=start, end=end, now=now, last_day=last_day) for source in _sources
    ]
    return all_of(reads).then(_merged)


def _merged(synced: list[SyncedEntries]) -> SyncedEntries:
    latest = datetime.max.replace(tzinfo=UTC)  # an entry without a start: a task
    # Events by start, then tasks by due date.
    entries = sorted(
        (entry for read in synced for entry in read.entries),
        key=lambda entry: (entry.kind, entry.starts_at or latest, entry.due_date or date.max, entry.title),
    )
    upcoming = [read.next_event for read in synced if read.next_event is not None]
    return SyncedEntries(
        entries=entries, next_event=min(upcoming, key=lambda entry: entry.starts_at or latest, default=None)
    )
