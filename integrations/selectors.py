"""Reads for integrations, events and external tasks. Every selector takes the user it reads for,
except the counts across users at the end (the business metrics, for staff)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db.models import DateField, DateTimeField, F, Q, QuerySet, Subquery, Value

from assistant.core.compiled import Deferred, compiled_read
from assistant.planner.agenda import AgendaEntry, SyncedEntries
from assistant.users.models import User
from integrations.models import EVENT_NUDGE_MINUTES_DEFAULT, Event, ExternalTask, Integration, Preferences
from integrations.providers import PROVIDERS
from integrations.providers.base import Provider


@dataclass(frozen=True)
class ProviderStatus:
    provider: Provider
    integration: Integration | None

    @property
    def status(self) -> str:
        return self.integration.status if self.integration else "not_connected"


def integrations_for_user(*, user: User) -> list[ProviderStatus]:
    """Every provider, with the user's integration where there is one."""
    connected = {integration.provider: integration for integration in Integration.objects.filter(user=user)}
    return [ProviderStatus(provider, connected.get(name)) for name, provider in PROVIDERS.items()]


def integration_for_user(*, user: User, provider: str) -> Integration | None:
    return Integration.objects.filter(user=user, provider=provider).select_related("social").first()


def event_nudge_minutes_for_user(*, user: User) -> int:
    """How long before a calendar event to nudge the user; 0: never."""
    chosen = Preferences.objects.filter(user=user).values_list("event_nudge_minutes", flat=True).first()
    return EVENT_NUDGE_MINUTES_DEFAULT if chosen is None else chosen


# What an agenda entry shows, in one row shape for events and tasks (so that both come in one
# statement): neither the rows' other columns nor their integration's (tokens, settings) but its
# provider, through the join. The id orders them, as the ORM would, and is not shown.
_ENTRY_COLUMNS = (
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "all_day",
    "due_date",
    "location",
    "url",
    "source",
    "id",
)
_SOURCE = F("integration__provider")


@compiled_read
def _agenda_rows(
    user_id: int, start: datetime, end: datetime, now: datetime, last_day: date
) -> QuerySet[Any, dict[str, Any]]:
    """In one statement (compiled once, assistant/core/compiled.py: every agenda and "what's
    next?" reads it): the events that overlap start..end, the next timed event to start after
    now wherever it falls, and the open tasks due by last_day; events by start, then tasks."""
    next_timed = Event.objects.filter(user_id=user_id, all_day=False, starts_at__gt=now).order_by(
        "starts_at", "id"
    )
    events = Event.objects.filter(
        Q(starts_at__lt=end, ends_at__gt=start) | Q(pk=Subquery(next_timed.values("pk")[:1])), user_id=user_id
    ).annotate(kind=Value("event"), due_date=Value(None, output_field=DateField()), source=_SOURCE)
    tasks = ExternalTask.objects.filter(user_id=user_id, completed=False, due_date__lte=last_day).annotate(
        kind=Value("task"),
        starts_at=Value(None, output_field=DateTimeField()),
        ends_at=Value(None, output_field=DateTimeField()),
        all_day=Value(False),
        location=Value(""),
        source=_SOURCE,
    )
    rows: QuerySet[Any, dict[str, Any]] = (
        events.order_by()
        .values(*_ENTRY_COLUMNS)
        .union(tasks.order_by().values(*_ENTRY_COLUMNS), all=True)
        .order_by("kind", "starts_at", "due_date", "id")
    )
    return rows


class AgendaSource:
    """Synced events and tasks as agenda entries (registered with the planner in apps.py)."""

    def entries(
        self, *, user: User, start: datetime, end: datetime, now: datetime, last_day: date
    ) -> Deferred[SyncedEntries]:
        start = max(start, now)  # the events that have not ended yet

        def entries(rows: list[dict[str, Any]]) -> SyncedEntries:
            events, tasks, next_event = [], [], None
            for row in rows:
                del row["id"]
                entry = AgendaEntry(**row)
                if entry.kind == "task":
                    tasks.append(entry)
                    continue
                # The next event may fall after end, and an event of the window may not be
                # next: the read's two conditions, told apart.
                starts_at, ends_at = row["starts_at"], row["ends_at"]
                if next_event is None and not entry.all_day and starts_at > now:
                    next_event = entry
                if starts_at < end and ends_at > start:
                    events.append(entry)
            return SyncedEntries(entries=events + tasks, next_event=next_event)

        return _agenda_rows.deferred(user.pk, start, end, now, last_day).then(entries)


# --- Across users --------------------------------------------------------------------------------


class IntegratedUsers(NamedTuple):
    connected: frozenset[int]  # users with a connected integration
    synced: frozenset[int]  # those of them whose integration synced since the time asked about


def integrated_users(*, synced_since: datetime) -> IntegratedUsers:
    """Users with a connected integration, and those whose integration synced since
    `synced_since` (a sync is how a calendar or task list reaches the assistant: its use)."""
    rows = list(
        Integration.objects.filter(status=Integration.Status.CONNECTED).values_list(
            "user_id", "last_synced_at"
        )
    )
    return IntegratedUsers(
        connected=frozenset(user for user, _ in rows),
        synced=frozenset(user for user, synced in rows if synced and synced >= synced_since),
    )
