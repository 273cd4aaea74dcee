"""Reads for integrations, events and external tasks. Every selector takes the user it reads for,
except the counts across users at the end (the business metrics, for staff)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db.models import F, QuerySet

from assistant.core.compiled import compiled_read
from assistant.planner.agenda import AgendaEntry
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


# What an agenda entry shows, read as values: neither the rows' other columns nor their
# integration's (tokens, settings) but its provider, through the join.
_EVENT_VALUES = ("title", "starts_at", "ends_at", "all_day", "location", "url")
_TASK_VALUES = ("title", "due_date", "url")
_SOURCE = F("integration__provider")


def _entry_values(rows: QuerySet[Any], names: tuple[str, ...]) -> QuerySet[Any, dict[str, Any]]:
    values: QuerySet[Any, dict[str, Any]] = rows.values(*names, source=_SOURCE)
    return values


# Compiled once (assistant/core/compiled.py): they run on every agenda and chat "what's next?".


@compiled_read
def _events_between(user_id: int, start: datetime, end: datetime) -> QuerySet[Any, dict[str, Any]]:
    """Events that overlap start..end."""
    events = Event.objects.filter(user_id=user_id, starts_at__lt=end, ends_at__gt=start)
    return _entry_values(events.order_by("starts_at", "id"), _EVENT_VALUES)


@compiled_read
def _open_tasks_due_by(user_id: int, last_day: date) -> QuerySet[Any, dict[str, Any]]:
    tasks = ExternalTask.objects.filter(user_id=user_id, completed=False, due_date__lte=last_day)
    return _entry_values(tasks.order_by("due_date", "id"), _TASK_VALUES)


@compiled_read
def _next_timed_events(user_id: int, now: datetime) -> QuerySet[Any, dict[str, Any]]:
    events = Event.objects.filter(user_id=user_id, all_day=False, starts_at__gt=now)
    return _entry_values(events.order_by("starts_at", "id"), _EVENT_VALUES)[:1]


class AgendaSource:
    """Synced events and tasks as agenda entries (registered with the planner in apps.py)."""

    def entries(
        self, *, user: User, start: datetime, end: datetime, now: datetime, last_day: date
    ) -> list[AgendaEntry]:
        events = _events_between(user.pk, max(start, now), end)
        tasks = _open_tasks_due_by(user.pk, last_day)
        return [AgendaEntry(kind="event", **event) for event in events] + [
            AgendaEntry(kind="task", **task) for task in tasks
        ]

    def next_event(self, *, user: User, now: datetime) -> AgendaEntry | None:
        events = _next_timed_events(user.pk, now)
        return AgendaEntry(kind="event", **events[0]) if events else None


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
