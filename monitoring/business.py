"""Business gauges: how many people use the assistant and what for, from rows we already store.

Definitions (docs/metrics.md, "Business metrics", says why each was chosen):

- *Active* in a window: an enabled, non-staff account that, within it, wrote to the assistant
  (an inbound chat `Message`, by API or SMS), signed in (`last_login`), or used an API token
  (`token_last_use_by_user` says how a token's use is read).
  Windows are rolling: 24 hours (daily) and 30 days (monthly).
- *Retained*: of the accounts that joined 30-60 days ago, those active in the last 7 days:
  still coming back after their first month. (Active in the last 30 days would count the
  first weeks of the cohort's youngest members, which says nothing about retention.)
- *Onboarded*: of the accounts that joined in the last 30 days, those the assistant can reach
  outside the app (a verified phone, or a connected integration feeding event nudges) that
  also made a todo or a reminder of their own.
- *Adopted* a feature: a monthly active user who used it in the same 30 days.

Read through the apps' selectors (users, chat, planner, integrations), never their models.
Cost: one query per source, each reading only its last 30 days (or a small table) once and
returning at most a row per user; the sets are combined here. Reading the month's inbound
messages dominates, so a beat task computes the snapshot every few minutes and scrapes read
it from the cache (`business_snapshot_cached`).
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import DatabaseError
from django.utils import timezone

from assistant.chat.selectors import inbound_last_by_channel
from assistant.planner.selectors import reminder_makers_since, todo_makers_since
from assistant.users.selectors import (
    customers_joined_or_signed_in,
    sessions_open_count,
    token_last_use_by_user,
    user_ids_not_customers,
)
from integrations.selectors import integrated_users

logger = logging.getLogger(__name__)

FEATURES = ("todos", "reminders", "recurring_reminders", "sms", "integrations", "chat")

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
MONTH = timedelta(days=30)

# Versioned: a deploy that changes the snapshot's shape must not read the old one.
CACHE_KEY = "metrics:business:v1"
_UNAVAILABLE = "unavailable"
# After a failed computation, scrapes wait this long before asking the database again, so a
# dead database costs one connection timeout per interval, not one per scrape.
_RETRY_AFTER_FAILURE_SECONDS = 30

UserIds = frozenset[int]


@dataclass(frozen=True)
class BusinessSnapshot:
    active_sessions: int
    daily_active_users: int
    monthly_active_users: int
    # None when a ratio has no denominator (nobody joined 30-60 days ago, nobody is active):
    # the gauge then has no sample, where a 0 would read as "everybody left".
    retention_rate: float | None
    onboarding_completion_rate: float | None
    feature_adoption: Mapping[str, float]


@dataclass(frozen=True)
class _Signup:
    joined_at: datetime
    phone_verified: bool


# --- Cached for the scrapes ------------------------------------------------------------------


def _snapshot_cache() -> BaseCache:
    """Monitoring's uninstrumented alias: a read at every scrape must not count as the app's."""
    return caches[settings.MONITORING_CACHE_ALIAS]


def business_snapshot_refresh() -> BusinessSnapshot | None:
    """Compute the gauges now and cache them for the scrapes (the beat task; a scrape that
    finds the cache empty). None when the database cannot answer."""
    try:
        snapshot = business_snapshot(now=timezone.now())
    except DatabaseError:
        logger.warning(
            "business metrics not computed",
            extra={"event": "metrics_collect_failed", "collector": "business"},
            exc_info=True,
        )
        _snapshot_cache().set(CACHE_KEY, _UNAVAILABLE, _RETRY_AFTER_FAILURE_SECONDS)
        return None
    # Two refresh periods: one late or failed beat run does not blank the gauges.
    _snapshot_cache().set(CACHE_KEY, snapshot, 2 * settings.BUSINESS_METRICS_REFRESH_SECONDS)
    return snapshot


def business_snapshot_cached() -> BusinessSnapshot | None:
    """The snapshot the beat task cached; computed here only when there is none (no worker,
    or a per-process cache in the embedded setup). None while the database cannot answer."""
    cached = _snapshot_cache().get(CACHE_KEY)
    if cached is None:
        return business_snapshot_refresh()
    return cached if isinstance(cached, BusinessSnapshot) else None


# --- Computed from the database ----------------------------------------------------------------


def business_snapshot(*, now: datetime) -> BusinessSnapshot:
    month_ago = now - MONTH
    signups, last_login = _members(now=now)
    messages = inbound_last_by_channel(since=month_ago)
    last_seen = _latest(
        last_login,
        token_last_use_by_user(since=month_ago),
        messages.api,
        messages.sms,
        exclude=user_ids_not_customers(),
    )
    integrations = integrated_users(synced_since=month_ago)
    reminders = reminder_makers_since(since=month_ago)
    used = {
        "todos": todo_makers_since(since=month_ago),
        "reminders": reminders.users,
        "recurring_reminders": reminders.recurring,
        "sms": frozenset(messages.sms),
        "chat": frozenset(messages.api),
        "integrations": integrations.synced,
    }
    return BusinessSnapshot(
        active_sessions=sessions_open_count(now=now),
        daily_active_users=sum(seen >= now - DAY for seen in last_seen.values()),
        monthly_active_users=len(last_seen),
        retention_rate=_retention(signups, last_seen, now=now),
        # Every todo or reminder of someone who joined in the last 30 days was made in the
        # last 30 days, so the month's sets also answer "made one at all" for them.
        onboarding_completion_rate=_onboarding_completion(
            signups,
            integrated=integrations.connected,
            made_something=used["todos"] | reminders.users,
            now=now,
        ),
        feature_adoption=_adoption(used, monthly=frozenset(last_seen)),
    )


def _retention(
    signups: Mapping[int, _Signup], last_seen: Mapping[int, datetime], *, now: datetime
) -> float | None:
    cohort = [user for user, signup in signups.items() if signup.joined_at < now - MONTH]
    retained = [user for user in cohort if user in last_seen and last_seen[user] >= now - WEEK]
    return _ratio(len(retained), len(cohort))


def _onboarding_completion(
    signups: Mapping[int, _Signup], *, integrated: UserIds, made_something: UserIds, now: datetime
) -> float | None:
    recent = {user: signup for user, signup in signups.items() if signup.joined_at >= now - MONTH}
    onboarded = [
        user
        for user, signup in recent.items()
        if (signup.phone_verified or user in integrated) and user in made_something
    ]
    return _ratio(len(onboarded), len(recent))


def _adoption(used: Mapping[str, UserIds], *, monthly: UserIds) -> dict[str, float]:
    rates = {feature: _ratio(len(used[feature] & monthly), len(monthly)) for feature in FEATURES}
    return {feature: rate for feature, rate in rates.items() if rate is not None}


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _latest(*sources: Mapping[int, datetime], exclude: UserIds) -> dict[int, datetime]:
    """Each user's most recent time across sources."""
    latest: dict[int, datetime] = {}
    for source in sources:
        for user, at in source.items():
            if user not in exclude and (user not in latest or at > latest[user]):
                latest[user] = at
    return latest


def _members(*, now: datetime) -> tuple[dict[int, _Signup], dict[int, datetime]]:
    """Accounts that joined in the last 60 days (the onboarding and retention cohorts), and
    when those that signed in during the last 30 days did so: one pass over users."""
    signups: dict[int, _Signup] = {}
    last_login: dict[int, datetime] = {}
    for row in customers_joined_or_signed_in(joined_since=now - 2 * MONTH, signed_in_since=now - MONTH):
        if row.joined_at >= now - 2 * MONTH:
            signups[row.user_id] = _Signup(joined_at=row.joined_at, phone_verified=row.phone_verified)
        if row.last_login is not None and row.last_login >= now - MONTH:
            last_login[row.user_id] = row.last_login
    return signups, last_login
