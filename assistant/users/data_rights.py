"""A person's right to take everything we hold about them, and to have it erased.

users keeps the account, its sessions and its audit trail; every app above it keeps its own
rows and registers a DataRightsPart from its AppConfig.ready(): the export asks each part for
its section, the erasure asks each part to erase its rows, and users never imports them. A
part also names the models its export covers and those it leaves out on purpose (with why), so
a test can prove no model holding a person's data is forgotten (see docs/data-export.md).

What must stay for security or accounting stays without the person in it: their audit and
security events keep a one-way hash of their id (`subject_hash`) instead of the link, the
address and the details; the account row itself is deleted (every other link to it either
cascades or is cleared first).
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from assistant.core.errors import ServiceError
from assistant.users import selectors
from assistant.users.lockout import login_failures_reset
from assistant.users.models import AuditEvent, SecurityEvent, User
from assistant.users.services import _owner_prove, audit_event_record

logger = logging.getLogger(__name__)

# The export's layout, named in it: bumped whenever a key changes meaning or disappears.
EXPORT_FORMAT = "assistant-data-export/2"

Section = dict[str, Any]


@dataclass(frozen=True)
class DataRightsPart:
    """One app's share of a person's data.

    export: their rows, as a JSON-ready section of the export, under `name`.
    erase: deletes (or strips of the person) their rows; returns a summary without personal
        data (counts, provider names), kept in the erasure's audit event.
    exported: labels ("app_label.model") of the models whose rows the export holds.
    left_out: labels of models holding the person's data that the export leaves out on purpose,
        each with the reason.
    """

    name: str
    export: Callable[[User], Section]
    erase: Callable[[User], Section]
    exported: tuple[str, ...]
    left_out: Mapping[str, str] = field(default_factory=dict)


_parts: dict[str, DataRightsPart] = {}


def data_rights_register(part: DataRightsPart) -> None:
    """Add an app's part (from its AppConfig.ready(); registering the same name again replaces it)."""
    if part.name in _USERS_SECTIONS:
        raise ImproperlyConfigured(f"The export section {part.name!r} is users' own.")
    _parts[part.name] = part


def data_rights_parts() -> list[DataRightsPart]:
    """Every part, users' own first."""
    return [USERS_PART, *_parts.values()]


def subject_hash(user_id: int) -> str:
    """A one-way, keyed hash of a user id (HMAC-SHA256 keyed from SECRET_KEY): it tells which
    events were about the same erased person, and whether they were about a given id, without
    holding the id. Rotating SECRET_KEY starts new hashes."""
    return salted_hmac("assistant.users.data_rights.subject", str(user_id), algorithm="sha256").hexdigest()


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- users' own part -------------------------------------------------------------------------


def _audit_events_about(user: User) -> "Q":
    user_type = User._meta.label_lower
    return (
        Q(actor=user)
        | Q(target_type=user_type, target_id=str(user.pk))
        # An admin edit of the account: LogEntry's record names it in its details.
        | Q(
            action=AuditEvent.Action.ADMIN_CHANGE,
            details__object_type="user",
            details__object_id=str(user.pk),
        )
    )


def _security_events_about(user: User) -> "Q":
    # Failed sign-ins name the address tried, with or without the account.
    return Q(user=user) | Q(details__email=user.email)


def _users_export(user: User) -> Section:
    return {
        "profile": {
            "email": user.email,
            "display_name": user.display_name,
            "phone_number": user.phone_number,
            "phone_verified": user.phone_verified,
            "timezone": user.timezone,
            "preferred_channel": user.preferred_channel,
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": iso(user.last_login),
            "is_active": user.is_active,
            "roles": selectors.user_roles(user=user),
            "mfa_enabled": selectors.user_totp_device(user=user) is not None,
        },
        "sessions": [
            {"id": token.token_key, "created": token.created.isoformat(), "expiry": iso(token.expiry)}
            for token in selectors.user_tokens(user=user)
        ],
        "activity": [
            {
                "action": event.action,
                "ip": event.ip,
                "at": event.created_at.isoformat(),
                "target": event.target_type,
                # What others did to the account may name them (who verified the number): only
                # the person's own actions come with their details.
                "details": event.details if event.actor_id == user.pk else {},
            }
            for event in AuditEvent.objects.filter(_audit_events_about(user)).order_by("-created_at")
        ],
        "security_events": [
            {
                "kind": event.kind,
                "severity": event.severity,
                "ip": event.ip,
                "at": event.created_at.isoformat(),
                "details": event.details,
            }
            for event in SecurityEvent.objects.filter(_security_events_about(user)).order_by("-created_at")
        ],
    }


def _browser_sessions_delete(user: User) -> int:
    """Django's session rows hold the user id only inside their signed data: each live one is
    read. Erasures are rare; only sessions that have not expired are worth reading."""
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    return Session.objects.filter(pk__in=doomed).delete()[0]


def _users_erase(user: User) -> Section:
    """Runs last, before the account row goes: its deletion unlinks the events (SET_NULL)."""
    hashed = subject_hash(user.pk)
    # The person's own address; a staff member's, on what they did to the account, stays.
    AuditEvent.objects.filter(actor=user).update(ip=None)
    audit = AuditEvent.objects.filter(_audit_events_about(user)).update(
        subject_hash=hashed, target_id="", target_repr="", details={}
    )
    security = SecurityEvent.objects.filter(_security_events_about(user)).update(
        subject_hash=hashed, ip=None, details={}
    )
    sessions = _browser_sessions_delete(user)
    tokens = selectors.user_tokens(user=user).delete()[0]
    return {
        "audit_events_anonymised": audit,
        "security_events_anonymised": security,
        "browser_sessions": sessions,
        "tokens": tokens,
    }


def _admin_edits_forget(user: User) -> int:
    """Staff edits of the account and of its rows in every app: the admin's log names what was
    edited (its object_repr: an e-mail, a todo's title), and so does each edit's audit event.
    Runs before the apps erase their rows, while their ids can still be found; rows linked to
    the account only through another row (a reminder's deliveries) are not looked for."""
    hashed = subject_hash(user.pk)
    forgotten = 0
    for model in apps.get_models():
        if model is LogEntry or model._meta.proxy:
            continue
        if model is User:
            ids = [str(user.pk)]
        else:
            links = [field.name for field in model._meta.concrete_fields if field.related_model is User]
            if not links:
                continue
            owned = Q()
            for link in links:
                owned |= Q(**{link: user})
            ids = [str(pk) for pk in model._default_manager.filter(owned).values_list("pk", flat=True)]
        if not ids:
            continue
        content_type = ContentType.objects.get_for_model(model)
        forgotten += LogEntry.objects.filter(content_type=content_type, object_id__in=ids).delete()[0]
        AuditEvent.objects.filter(
            action=AuditEvent.Action.ADMIN_CHANGE,
            details__object_type=content_type.model,
            details__object_id__in=ids,
        ).update(subject_hash=hashed, details={})
    return forgotten


_USERS_SECTIONS = ("profile", "sessions", "activity", "security_events")

USERS_PART = DataRightsPart(
    name="users",
    export=_users_export,
    erase=_users_erase,
    exported=("users.user", "users.authtoken", "users.totpdevice", "users.auditevent", "users.securityevent"),
    left_out={
        "users.mfabackupcode": "Only salted hashes of one-time codes: nothing a person could read.",
        "admin.logentry": "The admin's own history of a staff account's edits; each edit is also an "
        "audit event, which is exported.",
    },
)


# --- Services --------------------------------------------------------------------------------


def user_data_export(*, user: User, ip: str | None) -> dict[str, Any]:
    """Everything we hold about the user, for them to download (layout: docs/data-export.md)."""
    users = _users_export(user)
    export: dict[str, Any] = {"format": EXPORT_FORMAT, "exported_at": timezone.now().isoformat(), **users}
    for part in _parts.values():
        export[part.name] = part.export(user)
    audit_event_record(actor=user, action=AuditEvent.Action.DATA_EXPORT, target=user, ip=ip)
    return export


def user_erase(*, user: User, password: str, code: str, ip: str | None) -> dict[str, Any]:
    """The person erases their own account: the current password, and a current or backup
    code when two-factor is on. Wrong ones are a 400 naming the field and count in the sign-in
    lockout, like every other check of the owner."""
    device = selectors.user_totp_device(user=user)
    if device is not None and not code.strip():
        # The second step asked for, as at sign-in: not a wrong guess.
        raise ServiceError.invalid("code", "Enter a code from your authenticator app, or a backup code.")
    _owner_prove(user=user, ip=ip, action="account_erase", password=password, device=device, code=code)
    return account_erase(user=user, actor=None, reason="", ip=ip)


def account_erase(*, user: User, actor: User | None, reason: str, ip: str | None) -> dict[str, Any]:
    """Erase a person's account: each app's rows, then their sessions, their audit trail's
    links to them, and the account row. actor: the staff member acting on the person's written
    request (with its reason), or None when the person asked themselves. Returns the summary
    kept in the erasure's audit event (no personal data)."""
    hashed = subject_hash(user.pk)
    email = user.email
    summary: dict[str, Any] = {}
    with transaction.atomic():
        # Two requests at once (a double click, the person and staff): one erases, the other
        # finds nothing left to do.
        if not User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True):
            return {}
        admin_edits = _admin_edits_forget(user)
        for part in _parts.values():
            summary[part.name] = part.erase(user)
        summary["users"] = {**_users_erase(user), "admin_log_entries": admin_edits}
        user.delete()
        details: dict[str, Any] = {"summary": summary, "by": "staff" if actor else "self"}
        if reason:
            details["reason"] = reason
        # The person's own address would be kept with the hash of their id: only staff's is.
        event = audit_event_record(
            actor=actor, action=AuditEvent.Action.ACCOUNT_ERASED, ip=ip if actor else None, details=details
        )
        AuditEvent.objects.filter(pk=event.pk).update(subject_hash=hashed)
    login_failures_reset(email=email, ip=ip)
    logger.info("account erased", extra={"event": "account_erased", "by": details["by"]})
    return summary
