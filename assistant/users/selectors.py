"""Reads for accounts. Every selector takes the user whose rows it may return."""

from django.db.models import QuerySet
from django.utils import timezone

from assistant.users.models import AuditEvent, AuthToken, TOTPDevice, User


def user_tokens(*, user: User) -> QuerySet[AuthToken]:
    """The user's live sessions, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


def user_audit_events(*, user: User) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(actor=user).order_by("-created_at")


def user_totp_device(*, user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def user_roles(*, user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))
