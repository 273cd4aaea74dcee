"""Reads for accounts. Every selector takes the user whose rows it may return, except the
counts across accounts at the end (the business metrics, for staff)."""

from datetime import datetime, timedelta
from typing import NamedTuple

from django.contrib.auth.models import Group
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from knox.settings import knox_settings

from assistant.users.models import AuditEvent, AuthToken, Role, SecurityEvent, TOTPDevice, User


def user_tokens(*, user: User) -> QuerySet[AuthToken]:
    """The user's live sessions, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


def user_audit_events(*, user: User) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(actor=user).order_by("-created_at")


def user_audit_events_involving(*, user: User) -> QuerySet[AuditEvent]:
    """What the person did and what was done to their account (by staff too), newest first."""
    about = Q(target_type=User._meta.label_lower, target_id=str(user.pk))
    events = AuditEvent.objects.filter(Q(actor=user) | about).select_related("actor")
    return events.order_by("-created_at", "-id")


def user_security_events(*, user: User) -> QuerySet[SecurityEvent]:
    return SecurityEvent.objects.filter(user=user).order_by("-created_at", "-id")


def user_totp_device(*, user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def user_roles(*, user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def user_administers_privileges(*, user: User) -> bool:
    """Whether user may grant and take away roles, permissions and the staff and superuser
    flags: an active superuser or a member of the admin role."""
    return user.is_active and (user.is_superuser or user.groups.filter(name=Role.ADMIN).exists())


def privileges_editable(*, actor: User, holder: User | Group | None) -> bool:
    """Whether actor may change what holder (an account or a role's group; None while it is
    being created) is allowed to do. Nobody changes their own: not their account's, not a group's
    they belong to."""
    if not user_administers_privileges(user=actor):
        return False
    if isinstance(holder, Group):
        return not actor.groups.filter(pk=holder.pk).exists()
    return holder is None or holder.pk != actor.pk


def staff_member_with_phone(*, email: str) -> User | None:
    """The active staff account with this e-mail (in any case) and a verified phone, if any."""
    return User.objects.filter(
        email__iexact=email, is_staff=True, is_active=True, phone_verified=True, phone_number__isnull=False
    ).first()


# --- Across accounts ---------------------------------------------------------------------------
# Each reads its rows in one query and returns at most a row per user, so callers can combine
# several in Python instead of joining them into one large query.


class CustomerActivity(NamedTuple):
    user_id: int
    joined_at: datetime
    last_login: datetime | None
    phone_verified: bool


def customers_joined_or_signed_in(
    *, joined_since: datetime, signed_in_since: datetime
) -> list[CustomerActivity]:
    """Enabled, non-staff accounts that joined since `joined_since` or signed in since
    `signed_in_since`."""
    rows = User.objects.filter(
        Q(date_joined__gte=joined_since) | Q(last_login__gte=signed_in_since), is_active=True, is_staff=False
    ).values_list("pk", "date_joined", "last_login", "phone_verified")
    return [CustomerActivity(*row) for row in rows.order_by()]


def user_ids_not_customers() -> frozenset[int]:
    """Staff and disabled accounts: a handful of ids, for callers to subtract rather than join
    into every query."""
    return frozenset(
        User.objects.filter(Q(is_staff=True) | Q(is_active=False)).values_list("pk", flat=True).order_by()
    )


def token_last_use_by_user(*, since: datetime) -> dict[int, datetime]:
    """When each user last used (or created) an API token, if since `since`.

    knox pushes a token's expiry to now + TOKEN_TTL when it is used (AUTO_REFRESH, at most once
    per MIN_REFRESH_INTERVAL), so a token used or created since `since` has expiry >= since +
    TOKEN_TTL. Tokens that never expire carry no trace of their use: nothing then."""
    ttl: timedelta | None = knox_settings.TOKEN_TTL
    if ttl is None:
        return {}
    rows = (
        AuthToken.objects.filter(expiry__gte=since + ttl).values_list("user_id").annotate(last=Max("expiry"))
    )
    return {user: expiry - ttl for user, expiry in rows.order_by()}


def sessions_open_count(*, now: datetime) -> int:
    """API tokens that still open a session, everyone's (staff sessions are sessions too)."""
    return AuthToken.objects.filter(Q(expiry__isnull=True) | Q(expiry__gt=now)).count()
