"""The synced entries of the agenda and of "what's next?" in one read: the events of the window,
the next timed event wherever it falls, the open tasks due. Run on SQLite and on PostgreSQL
(DATABASE_URL): the read is one UNION, whose row types each backend resolves its own way."""

from datetime import UTC, date, datetime, timedelta

import pytest
from social_django.models import UserSocialAuth

from assistant.planner.agenda import AgendaEntry, agenda_entries
from assistant.users.tests.factories import UserFactory
from integrations.models import Event, ExternalTask, Integration

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
TODAY = NOW.date()
MIDNIGHT = datetime(2026, 12, 3, tzinfo=UTC)


@pytest.fixture
def google() -> Integration:
    user = UserFactory()
    social = UserSocialAuth.objects.create(user=user, provider="google-oauth2", uid=f"uid-{user.pk}")
    return Integration.objects.create(user=user, provider="google", social=social, access_token="token")


def event(
    integration: Integration, title: str, starts_at: datetime, *, hours: int = 1, all_day: bool = False
) -> None:
    Event.objects.create(
        user=integration.user,
        integration=integration,
        resource="primary",
        external_id=title,
        title=title,
        location="Rue de Rivoli",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        all_day=all_day,
    )


def task(integration: Integration, title: str, due: date, *, completed: bool = False) -> None:
    ExternalTask.objects.create(
        user=integration.user,
        integration=integration,
        resource="tasks",
        external_id=title,
        title=title,
        due_date=due,
        completed=completed,
    )


def read(integration: Integration, django_assert_num_queries):
    with django_assert_num_queries(1):
        return agenda_entries(
            user=integration.user, start=MIDNIGHT, end=MIDNIGHT + timedelta(days=1), now=NOW, last_day=TODAY
        ).run()


def titles(entries: list[AgendaEntry], kind: str) -> list[str]:
    return [entry.title for entry in entries if entry.kind == kind]


def test_the_days_events_the_next_one_after_it_and_the_tasks_due(google, django_assert_num_queries):
    event(google, "ongoing", NOW - timedelta(hours=1), hours=2)
    event(google, "ended", NOW - timedelta(hours=3))
    event(google, "all day", MIDNIGHT, hours=24, all_day=True)
    event(google, "tomorrow", NOW + timedelta(days=1))
    event(google, "later tomorrow", NOW + timedelta(days=1, hours=2))
    event(google, "all day tomorrow", MIDNIGHT + timedelta(days=1), hours=24, all_day=True)
    task(google, "due today", TODAY)
    task(google, "overdue", TODAY - timedelta(days=1))
    task(google, "done", TODAY, completed=True)
    task(google, "next week", TODAY + timedelta(days=7))

    synced = read(google, django_assert_num_queries)

    assert titles(synced.entries, "event") == ["all day", "ongoing"]
    assert titles(synced.entries, "task") == ["overdue", "due today"]
    assert synced.next_event == AgendaEntry(
        kind="event",
        source="google",
        title="tomorrow",
        starts_at=NOW + timedelta(days=1),
        ends_at=NOW + timedelta(days=1, hours=1),
        location="Rue de Rivoli",
    )
    assert synced.entries[0].all_day is True
    assert synced.entries[-1] == AgendaEntry(kind="task", source="google", title="due today", due_date=TODAY)


def test_a_timed_event_later_today_is_both_next_and_the_days(google, django_assert_num_queries):
    event(google, "tomorrow", NOW + timedelta(days=1))
    event(google, "soon", NOW + timedelta(minutes=30))
    event(google, "ongoing", NOW - timedelta(minutes=30))

    synced = read(google, django_assert_num_queries)

    assert titles(synced.entries, "event") == ["ongoing", "soon"]
    assert synced.next_event is not None
    assert synced.next_event.title == "soon"


def test_nothing_next_leaves_the_days_entries(google, django_assert_num_queries):
    event(google, "all day", MIDNIGHT, hours=24, all_day=True)
    event(google, "all day tomorrow", MIDNIGHT + timedelta(days=1), hours=24, all_day=True)
    task(google, "due today", TODAY)

    synced = read(google, django_assert_num_queries)

    assert synced.next_event is None
    assert [(entry.kind, entry.title) for entry in synced.entries] == [
        ("event", "all day"),
        ("task", "due today"),
    ]
