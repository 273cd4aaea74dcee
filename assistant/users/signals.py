"""Receivers that turn framework events (admin edits, group changes, admin logins,
refused API calls) into audit and security records."""

from django.apps import apps as global_apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from assistant.core.net import client_ip
from assistant.core.signals import access_denied
from assistant.users import services
from assistant.users.admin_site import MFA_SESSION_KEY
from assistant.users.models import AuditEvent, User
from assistant.users.roles import roles_sync


def roles_resync(**_: object) -> None:
    roles_sync(global_apps)


@receiver(access_denied)
def _record_access_denied(request: HttpRequest | None, reason: str, **_: object) -> None:
    services.access_denied_record(request=request, reason=reason)


@receiver(m2m_changed, sender=User.groups.through)
def _record_role_change(instance: User | Group, action: str, pk_set: set[int] | None, **_: object) -> None:
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    added = action == "post_add"
    if isinstance(instance, Group):  # group.user_set changed (reverse): pk_set holds the users
        for user in User.objects.filter(pk__in=pk_set):
            services.user_role_change_record(user=user, roles=[instance.name], added=added)
    else:
        roles = sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        services.user_role_change_record(user=instance, roles=roles, added=added)


@receiver(post_save, sender=LogEntry)
def _record_admin_change(instance: LogEntry, created: bool, **_: object) -> None:
    if not created:
        return
    services.audit_event_record(
        actor=instance.user,
        action=AuditEvent.Action.ADMIN_CHANGE,
        details={
            "operation": {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, "other"),
            "object_type": instance.content_type.model if instance.content_type else "",
            "object_id": str(instance.object_id or ""),
            "object_repr": instance.object_repr,
            "change": instance.get_change_message(),
        },
    )


@receiver(user_logged_in)
def _record_admin_login(request: HttpRequest | None, user: User, **_: object) -> None:
    """Session logins come from the admin form, which has already checked the second factor."""
    if request is None or not hasattr(request, "mfa_verified"):
        return
    request.session[MFA_SESSION_KEY] = request.mfa_verified
    services.user_login_record(
        user=user, channel="admin", mfa_verified=request.mfa_verified, ip=client_ip(request)
    )
