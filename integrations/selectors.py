"""Reads for integrations, events and external tasks. Every selector takes the user it reads for,
except the counts across users at the end (the business metrics, for staff)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from django.db.models import F

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


class AgendaSource:
    """Synced events and tasks as agenda entries (registered with the planner in apps.py)."""

    def entries(
        self, *, user: User, start: datetime, end: datetime, now: datetime, last_day: date
    ) -> list[AgendaEntry]:
        events = (
            Event.objects.filter(user=user, starts_at__lt=end, ends_at__gt=max(start, now))
            .order_by("starts_at", "id")
            .values(*_EVENT_VALUES, source=_SOURCE)
        )
        tasks = (
            ExternalTask.objects.filter(user=user, completed=False, due_date__lte=last_day)
            .order_by("due_date", "id")
            .values(*_TASK_VALUES, source=_SOURCE)
        )
        return [AgendaEntry(kind="event", **event) for event in events] + [
            AgendaEntry(kind="task", **task) for task in tasks
        ]

    def next_event(self, *, user: User, now: datetime) -> AgendaEntry | None:
        event = (
            Event.objects.filter(user=user, all_day=False, starts_at__gt=now)
            .order_by("starts_at", "id")
            .values(*_EVENT_VALUES, source=_SOURCE)
            .first()
        )
        return AgendaEntry(kind="event", **event) if event else None


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
