"""The business gauges: who counts as active, retained, onboarded, and what they use."""

from datetime import datetime, timedelta
from itertools import count
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone
from knox.settings import knox_settings
from prometheus_client import CollectorRegistry, generate_latest
from social_django.models import UserSocialAuth

from assistant.chat.models import Channel, Conversation, Message
from assistant.planner.models import Reminder, Todo
from assistant.users.models import AuthToken, User
from integrations.models import Integration, Provider
from monitoring import business
from monitoring.business import FEATURES, BusinessSnapshot, business_snapshot
from monitoring.metrics import BusinessCollector
from monitoring.tasks import business_metrics_refresh

pytestmark = pytest.mark.django_db

NOW = timezone.now()
_emails = count()


def customer(*, joined: timedelta = timedelta(days=400), **fields: object) -> User:
    return User.objects.create_user(
        email=f"customer{next(_emails)}@example.com", date_joined=NOW - joined, **fields
    )


def wrote(user: User, *, ago: timedelta, channel: str = Channel.API, direction: str = "in") -> None:
    conversation, _ = Conversation.objects.get_or_create(user=user, channel=channel)
    Message.objects.create(conversation=conversation, direction=direction, text="hi", created_at=NOW - ago)


def used_token(user: User, *, ago: timedelta) -> None:
    token, _ = AuthToken.objects.create(user=user)
    # What knox's AUTO_REFRESH leaves behind when the token was last used `ago`.
    AuthToken.objects.filter(pk=token.pk).update(expiry=NOW - ago + knox_settings.TOKEN_TTL)


def todo(user: User, *, ago: timedelta = timedelta(days=1)) -> None:
    Todo.objects.create(user=user, title="call the dentist", created_at=NOW - ago)


def reminder(
    user: User, *, ago: timedelta = timedelta(days=1), rrule: str = "", origin: str = "user"
) -> None:
    Reminder.objects.create(
        user=user,
        text="meds",
        due_at=NOW,
        starts_at=NOW,
        fire_at=NOW,
        timezone="UTC",
        rrule=rrule,
        origin=origin,
        created_at=NOW - ago,
    )


def integration(user: User, *, synced: timedelta | None = timedelta(hours=1)) -> None:
    social = UserSocialAuth.objects.create(user=user, provider="google-oauth2", uid=f"uid-{user.pk}")
    Integration.objects.create(
        user=user,
        provider=Provider.GOOGLE,
        social=social,
        access_token="token",
        last_synced_at=None if synced is None else NOW - synced,
    )


def snapshot(now: datetime = NOW) -> BusinessSnapshot:
    return business_snapshot(now=now)


# --- Active users --------------------------------------------------------------------------


def test_writing_signing_in_or_using_a_token_makes_a_customer_active():
    wrote(customer(), ago=timedelta(hours=2))
    wrote(customer(), ago=timedelta(days=3), channel=Channel.SMS)
    customer(last_login=NOW - timedelta(days=10))
    used_token(customer(), ago=timedelta(hours=5))
    used_token(customer(), ago=timedelta(days=20))

    result = snapshot()

    assert result.daily_active_users == 2  # the message 2 h ago, the token used 5 h ago
    assert result.monthly_active_users == 5


def test_what_the_assistant_does_alone_or_long_ago_is_not_activity():
    wrote(customer(), ago=timedelta(hours=1), direction="out")  # a reminder nobody answered
    wrote(customer(), ago=timedelta(days=31))
    customer(last_login=NOW - timedelta(days=45))
    used_token(customer(), ago=timedelta(days=40))

    result = snapshot()

    assert (result.daily_active_users, result.monthly_active_users) == (0, 0)


def test_staff_and_disabled_accounts_are_not_customers():
    staff = customer(is_staff=True, last_login=NOW)
    wrote(staff, ago=timedelta(hours=1))
    disabled = customer(is_active=False)
    used_token(disabled, ago=timedelta(hours=1))

    result = snapshot()

    assert (result.daily_active_users, result.monthly_active_users) == (0, 0)


def test_active_sessions_are_the_unexpired_tokens_of_everyone():
    used_token(customer(), ago=timedelta(hours=1))
    used_token(customer(is_staff=True), ago=timedelta(days=2))
    used_token(customer(), ago=knox_settings.TOKEN_TTL + timedelta(hours=1))  # expired

    assert snapshot().active_sessions == 2


# --- Retention and onboarding --------------------------------------------------------------


def test_retention_is_the_share_of_the_30_to_60_day_cohort_active_this_week():
    wrote(customer(joined=timedelta(days=35)), ago=timedelta(days=2))
    customer(joined=timedelta(days=50), last_login=NOW - timedelta(days=6))
    # Active only in its first weeks: that is onboarding, not retention.
    wrote(customer(joined=timedelta(days=31)), ago=timedelta(days=25))
    customer(joined=timedelta(days=59))
    # Outside the cohort, however active.
    wrote(customer(joined=timedelta(days=10)), ago=timedelta(hours=1))
    wrote(customer(joined=timedelta(days=61)), ago=timedelta(hours=1))

    assert snapshot().retention_rate == pytest.approx(2 / 4)


def test_onboarding_needs_a_way_to_reach_the_user_and_a_first_todo_or_reminder():
    todo(customer(joined=timedelta(days=3), phone_verified=True))
    with_calendar = customer(joined=timedelta(days=20))
    integration(with_calendar, synced=None)
    reminder(with_calendar)
    customer(joined=timedelta(days=5), phone_verified=True)  # reachable, nothing made yet
    todo(customer(joined=timedelta(days=8)))  # made a todo, cannot be nudged
    # Only event nudges (the calendar's, not their own) do not count as a first reminder.
    nudged = customer(joined=timedelta(days=1))
    integration(nudged)
    reminder(nudged, origin="event")
    # Joined before the window: not in the denominator.
    todo(customer(joined=timedelta(days=45), phone_verified=True), ago=timedelta(days=40))

    assert snapshot().onboarding_completion_rate == pytest.approx(2 / 5)


def test_ratios_without_a_denominator_have_no_value():
    result = snapshot()

    assert result.retention_rate is None
    assert result.onboarding_completion_rate is None
    assert result.feature_adoption == {}


# --- Feature adoption ----------------------------------------------------------------------


def test_feature_adoption_is_the_share_of_monthly_active_users_who_used_each_feature():
    everything = customer(last_login=NOW - timedelta(days=1))
    todo(everything)
    reminder(everything, rrule="FREQ=DAILY")
    wrote(everything, ago=timedelta(days=2), channel=Channel.SMS)
    wrote(everything, ago=timedelta(days=2), channel=Channel.API)
    integration(everything, synced=timedelta(days=1))
    once = customer(last_login=NOW - timedelta(days=1))
    reminder(once)
    Todo.objects.create(user=once, title="old", created_at=NOW - timedelta(days=90), completed_at=NOW)
    integration(once, synced=timedelta(days=45))  # connected but not synced this month
    stale = customer(last_login=NOW - timedelta(days=2))
    todo(stale, ago=timedelta(days=40))
    customer(last_login=NOW - timedelta(days=3))
    # Used features but is not a monthly active user: outside numerator and denominator.
    todo(customer(last_login=NOW - timedelta(days=90)))

    assert snapshot().feature_adoption == {
        "todos": pytest.approx(2 / 4),  # created one, or completed an old one
        "reminders": pytest.approx(2 / 4),
        "recurring_reminders": pytest.approx(1 / 4),
        "sms": pytest.approx(1 / 4),
        "integrations": pytest.approx(1 / 4),
        "chat": pytest.approx(1 / 4),
    }


# --- Cost ----------------------------------------------------------------------------------


def test_a_snapshot_costs_one_query_per_source_however_many_users(django_assert_num_queries):
    """Accounts (twice: the members, and the staff and disabled left out), tokens (their use,
    the open sessions), inbound messages, todos, reminders, integrations."""
    for joined in (timedelta(days=3), timedelta(days=40)):
        user = customer(joined=joined, last_login=NOW - timedelta(days=1), phone_verified=True)
        used_token(user, ago=timedelta(hours=2))
        wrote(user, ago=timedelta(hours=3), channel=Channel.SMS)
        todo(user)
        reminder(user, rrule="FREQ=DAILY")
        integration(user)

    with django_assert_num_queries(8):
        result = snapshot()

    assert result.monthly_active_users == 2


# --- Export --------------------------------------------------------------------------------


def scrape() -> tuple[set[str], dict[str, float]]:
    """(the families described, the samples by name and labels as the exposition spells them)."""
    registry = CollectorRegistry()
    registry.register(BusinessCollector())
    lines = generate_latest(registry).decode().splitlines()
    families = {line.split()[2] for line in lines if line.startswith("# TYPE ")}
    samples = dict(line.rsplit(" ", 1) for line in lines if not line.startswith("#"))
    return families, {series: float(value) for series, value in samples.items()}


def test_a_scrape_reads_the_cached_snapshot_without_touching_the_database(django_assert_num_queries):
    cache.set(
        business.CACHE_KEY,
        BusinessSnapshot(
            active_sessions=7,
            daily_active_users=3,
            monthly_active_users=12,
            retention_rate=0.5,
            onboarding_completion_rate=None,
            feature_adoption={"todos": 0.75},
        ),
    )

    with django_assert_num_queries(0):
        families, samples = scrape()

    assert samples == {
        "user_active_sessions": 7,
        "daily_active_users": 3,
        "monthly_active_users": 12,
        "user_retention_rate": 0.5,
        'feature_adoption_rate{feature="todos"}': 0.75,
    }
    # Still described: a ratio with no denominator has no sample, not a misleading 0.
    assert "user_onboarding_completion_rate" in families


def test_a_scrape_with_nothing_cached_computes_once_and_caches():
    wrote(customer(), ago=timedelta(hours=1))

    assert scrape()[1]["daily_active_users"] == 1
    assert isinstance(cache.get(business.CACHE_KEY), BusinessSnapshot)


def test_feature_adoption_exports_only_the_fixed_feature_labels():
    everything = customer(last_login=NOW)
    todo(everything)
    reminder(everything, rrule="FREQ=WEEKLY")
    wrote(everything, ago=timedelta(hours=1), channel=Channel.SMS)
    wrote(everything, ago=timedelta(hours=1), channel=Channel.API)
    integration(everything)

    _, samples = scrape()

    exported = {series.split('"')[1] for series in samples if series.startswith("feature_adoption_rate{")}
    assert exported == set(FEATURES)


def test_a_database_error_leaves_the_gauges_without_samples_and_is_not_retried_at_every_scrape(logs):
    with mock.patch.object(business, "business_snapshot", side_effect=DatabaseError("down")) as compute:
        first, second = scrape(), scrape()

    assert compute.call_count == 1
    for families, samples in (first, second):
        assert samples == {}
        assert {"daily_active_users", "monthly_active_users", "feature_adoption_rate"} <= families
    assert any(line["event"] == "metrics_collect_failed" for line in logs.lines())


def test_the_beat_task_refreshes_the_cached_snapshot():
    wrote(customer(), ago=timedelta(hours=1))
    cache.set(business.CACHE_KEY, "unavailable")

    assert business_metrics_refresh.delay().get() is True

    cached = cache.get(business.CACHE_KEY)
    assert isinstance(cached, BusinessSnapshot)
    assert cached.daily_active_users == 1


def test_beat_runs_the_refresh_every_configured_interval():
    entry = settings.CELERY_BEAT_SCHEDULE["monitoring-business-metrics"]

    assert entry["task"] == "monitoring.tasks.business_metrics_refresh"
    assert entry["schedule"] == timedelta(seconds=settings.BUSINESS_METRICS_REFRESH_SECONDS)
