"""Writes for accounts: registration, authentication, passwords, MFA, audit and security events.

The API, the admin and Celery tasks all come through here; none of them repeats this logic.
"""

import hmac
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation.trans_real import parse_accept_lang_header
from knox.settings import knox_settings

from assistant.core.errors import ServiceError
from assistant.core.masking import mask_email
from assistant.core.net import client_ip
from assistant.core.unset import UNSET, Unset
from assistant.users import events, metrics, selectors
from assistant.users.backup_codes import (
    BACKUP_CODE_COUNT,
    backup_code_digest,
    backup_code_looks_valid,
    backup_code_matches,
    backup_code_new,
    backup_code_salt,
)
from assistant.users.lockout import (
    Attempt,
    Locked,
    attempt_failed,
    attempt_release,
    attempt_reserve,
    attempt_succeeded,
    login_failures_reset,
    password_reset_refusal,
)
from assistant.users.models import (
    AuditEvent,
    AuthToken,
    Channel,
    MFABackupCode,
    Role,
    SecurityEvent,
    TOTPDevice,
    User,
)
from assistant.users.profile import profile_extensions_update
from assistant.users.roles import STAFF_ROLES

logger = logging.getLogger(__name__)

Action = AuditEvent.Action
Kind = SecurityEvent.Kind
Severity = SecurityEvent.Severity


# --- Audit and security events -----------------------------------------------------------


def audit_event_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    # The action is a metric label too: only the registered, documented set may appear.
    if not events.audit_action_is_registered(action):
        raise ValueError(f"Unregistered audit action {action!r}: see audit_actions_register.")
    event = AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        ip=ip,
        details=details or {},
    )
    transaction.on_commit(lambda: metrics.audit_log_total.labels(action=action).inc())
    logger.info(
        "audit: %s",
        action,
        extra={
            "event": "audit",
            "action": action,
            "actor_id": actor.pk if actor else None,
            "target_type": event.target_type,
            "target_id": event.target_id,
        },
    )
    return event


def security_event_record(
    *,
    kind: str,
    severity: str,
    ip: str | None,
    user: User | None = None,
    details: dict[str, Any] | None = None,
) -> SecurityEvent:
    if not events.security_kind_is_registered(kind):
        raise ValueError(
            f"Unregistered security event kind {kind!r}: register it with security_kinds_register."
        )
    event = SecurityEvent.objects.create(
        kind=kind, severity=severity, ip=ip, user=user, details=details or {}
    )
    transaction.on_commit(lambda: metrics.security_event_total.labels(kind=kind, severity=severity).inc())
    logger.warning(
        "security event: %s",
        kind,
        extra={"event": "security_event", "kind": kind, "severity": severity, "ip": ip},
    )
    return event


# A missing credential is routine; a bad token or a refused action is worth a record.
_DENIAL_EVENTS = {
    "invalid_token": (Kind.INVALID_TOKEN, Severity.INFO),
    "permission_denied": (Kind.ACCESS_DENIED, Severity.WARNING),
}


def access_denied_record(*, request: HttpRequest | None, reason: str) -> None:
    metrics.access_denied_total.labels(reason=reason).inc()
    if request is None or reason not in _DENIAL_EVENTS:
        return
    kind, severity = _DENIAL_EVENTS[reason]
    security_event_record(
        kind=kind,
        severity=severity,
        ip=client_ip(request),
        user=request.user if request.user.is_authenticated else None,
        details={"method": request.method, "path": request.path},
    )


# --- Registration and profile ------------------------------------------------------------


def _password_errors(password: str, user: User) -> list[str]:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        return list(error.messages)
    return []


def _profile_errors(user: User) -> dict[str, list[str]]:
    """Cross-field rules the serializer alone cannot check. A phone number another account
    claims is no error: it is this one's, unverified, until someone proves it (sms)."""
    errors: dict[str, list[str]] = {}
    if user.preferred_channel == Channel.SMS and not user.phone_number:
        errors["preferred_channel"] = ["Add a phone number before choosing SMS."]
    return errors


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ServiceError("validation_error", "Invalid input.", fields=errors)


def _accept_language_match(header: str) -> str:
    """The first of our languages the browser's Accept-Language header asks for, or ""."""
    for code, quality in parse_accept_lang_header(header):
        if code == "*":
            break
        if quality <= 0:  # "fr;q=0" means "not French"
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return ""


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    display_name: str = "",
    phone_number: str | None = None,
    timezone_name: str = "UTC",
    preferred_channel: str = Channel.CHAT,
    language: str = "",
    accept_language: str = "",
    ip: str | None = None,
) -> User | None:
    """Create an account, or, when the address has one already, create nothing and e-mail its
    owner instead (returning None; at most once per REGISTRATION_NOTICE_INTERVAL_SECONDS).
    Either way the address is e-mailed and the password hashed, so the public sign-up can answer
    the same, in about the same time, whether or not the address was taken. A phone number is
    saved unverified whoever else claims it: it becomes this account's once proven (sms's
    phone verification).

    The language is the one asked for, else the best match of the request's Accept-Language
    header, else unknown ("") until the person's first messages."""
    user = User(
        email=User.objects.normalize_email(email).lower(),
        display_name=display_name,
        phone_number=phone_number or None,
        timezone=timezone_name,
        preferred_channel=preferred_channel,
        language=language or _accept_language_match(accept_language),
    )
    errors = _profile_errors(user)
    if password_errors := _password_errors(password, user):
        errors["password"] = password_errors
    _raise_if(errors)
    user.set_password(password)
    owner = User.objects.filter(email__iexact=user.email).first()
    if owner is None:
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # a simultaneous sign-up took the address first
            owner = User.objects.filter(email__iexact=user.email).first()
            if owner is None:
                raise
    if owner is not None:
        # Once per interval per account: repeated sign-ups must not flood the owner's inbox.
        notice_due = cache.add(
            f"users:registration-notice:{owner.pk}", 1, settings.REGISTRATION_NOTICE_INTERVAL_SECONDS
        )
        if notice_due:
            _registration_email_enqueue(user_id=owner.pk, address_taken=True)
        logger.info(
            "sign-up with an address that has an account",
            extra={
                "event": "registration_address_taken",
                "email": mask_email(owner.email),
                "ip": ip,
                "owner_told": notice_due,
            },
        )
        return None
    user.groups.add(*role_groups([Role.USER]))
    audit_event_record(actor=user, action=Action.REGISTER, target=user, ip=ip)
    _registration_email_enqueue(user_id=user.pk, address_taken=False)
    transaction.on_commit(metrics.user_registration_total.inc)
    return user


def _registration_email_enqueue(*, user_id: int, address_taken: bool) -> None:
    from assistant.users.tasks import registration_email_send

    transaction.on_commit(lambda: registration_email_send.delay(user_id, address_taken))


def registration_email_send(*, user_id: int, address_taken: bool) -> None:
    """The e-mail every sign-up sends its address: a welcome to a new account, or, to the
    owner of an address someone signed up with again, what happened and what to do."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    context = {"user": user}

    def compose() -> tuple[str, str]:
        if address_taken:
            return (
                gettext("Someone tried to sign up with your e-mail address"),
                render_to_string("users/registration_address_taken_email.txt", context),
            )
        return (
            gettext("Welcome to TDAH Assistant"),
            render_to_string("users/registration_welcome_email.txt", context),
        )

    user_email_send(user=user, compose=compose)


def user_email_send(*, user: User, compose: Callable[[], tuple[str, str]]) -> None:
    """E-mail the person in their language: compose() runs with it active and gives the
    subject and the body."""
    with translation.override(user.effective_language):
        subject, message = compose()
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[user.email])


@transaction.atomic
def user_update(
    *,
    user: User,
    ip: str | None,
    display_name: str | Unset = UNSET,
    phone_number: str | Unset | None = UNSET,
    timezone_name: str | Unset = UNSET,
    preferred_channel: str | Unset = UNSET,
    language: str | Unset = UNSET,
    extension_changes: Mapping[str, Any] | None = None,
) -> User:
    """Change the profile fields given; one left UNSET (the default) stays as it is. An empty
    phone number (None or "") removes it, and a new one must be verified again.
    extension_changes: checked values of fields other apps keep (see profile.py)."""
    changes = {
        name: value
        for name, value in (
            ("display_name", display_name),
            ("phone_number", phone_number),
            ("timezone", timezone_name),
            ("preferred_channel", preferred_channel),
            ("language", language),
        )
        if value is not UNSET
    }
    changed = sorted(name for name in changes if getattr(user, name) != changes[name])
    if changed:
        empty = {"phone_number": None}
        for name in changed:
            setattr(user, name, changes[name] or empty.get(name, ""))
        if "phone_number" in changed:
            user.phone_verified = False
        _raise_if(_profile_errors(user))
        # Cannot break the verified-number constraint: a changed number is unverified.
        user.save(update_fields=[*changed, "phone_verified"])
    changed += profile_extensions_update(user=user, changes=extension_changes or {})
    if changed:
        audit_event_record(
            actor=user, action=Action.PROFILE_UPDATED, target=user, ip=ip, details={"fields": sorted(changed)}
        )
    return user


PHONE_VERIFIED_ELSEWHERE = "This phone number is verified on another account: remove it there first."


@transaction.atomic
def user_phone_verified_set(*, user: User, phone_number: str, ip: str | None) -> User:
    """Make a number the user just proved theirs: verified on their account, and cleared from
    every other account that claimed it unverified (each change audited), so a claim can never
    keep a number from whoever holds it. A number already verified on another account stays
    there; only someone who proved the number is told so."""
    # Every account involved, this one included, locked in one order: two people confirming the
    # same number at once take turns instead of deadlocking, and the second sees the first's.
    locked = User.objects.select_for_update().filter(
        models.Q(phone_number=phone_number) | models.Q(pk=user.pk)
    )
    claims = [claim for claim in locked.order_by("pk") if claim.pk != user.pk]
    if any(claim.phone_verified for claim in claims):
        raise ServiceError.invalid("phone_number", PHONE_VERIFIED_ELSEWHERE)
    for claim in claims:
        fields = ["phone_number"]
        claim.phone_number = None
        if claim.preferred_channel == Channel.SMS:  # SMS needs a number: chat until there is one
            claim.preferred_channel = Channel.CHAT
            fields.append("preferred_channel")
        claim.save(update_fields=fields)
        audit_event_record(
            actor=None,
            action=Action.PROFILE_UPDATED,
            target=claim,
            ip=ip,
            details={"fields": fields, "reason": "phone_verified_by_another_account", "by_user_id": user.pk},
        )
    user.phone_number, user.phone_verified = phone_number, True
    user.save(update_fields=["phone_number", "phone_verified"])
    audit_event_record(
        actor=user,
        action=Action.PROFILE_UPDATED,
        target=user,
        ip=ip,
        details={"fields": ["phone_number", "phone_verified"]},
    )
    return user


def role_groups(roles: list[str]) -> list[Group]:
    """The groups of these roles, created if a database was set up without the migration."""
    return [Group.objects.get_or_create(name=role)[0] for role in roles]


# Group changes reach user_role_change_record through m2m_changed, which cannot say who made
# them: a service that changes groups on someone's behalf names them here for the audit record.
_role_change_by: ContextVar[tuple[User | None, str | None]] = ContextVar(
    "role_change_by", default=(None, None)
)


@contextmanager
def _role_changes_made_by(actor: User, ip: str | None) -> Iterator[None]:
    token = _role_change_by.set((actor, ip))
    try:
        yield
    finally:
        _role_change_by.reset(token)


def user_role_change_record(*, user: User, roles: list[str], added: bool) -> None:
    """Audit a group change (from anywhere, the admin included) and keep is_staff in step."""
    action = Action.ROLE_ADDED if added else Action.ROLE_REMOVED
    for role in roles:
        label = role if role in Role.values else metrics.ROLE_OTHER
        metrics.role_assignment_total.labels(role=label, action="added" if added else "removed").inc()
    actor, ip = _role_change_by.get()
    audit_event_record(actor=actor, action=action, target=user, ip=ip, details={"roles": roles})
    is_staff = user.is_superuser or user.groups.filter(name__in=STAFF_ROLES).exists()
    if is_staff != user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=is_staff)
        user.is_staff = is_staff


def privileges_change_check(
    *, actor: User, holder: User | Group | None, fields: Iterable[str], ip: str | None
) -> None:
    """Refuse (403, with a security event) a change to what holder may do unless actor may make
    it: only administrators, and never to their own account or to a group they belong to."""
    if selectors.privileges_editable(actor=actor, holder=holder):
        return
    security_event_record(
        kind=Kind.ACCESS_DENIED,
        severity=Severity.WARNING,
        ip=ip,
        user=actor,
        details={
            "reason": "privilege_change",
            "holder": f"{holder._meta.label_lower}:{holder.pk}" if holder is not None else "",
            "fields": sorted(fields),
        },
    )
    metrics.access_denied_total.labels(reason="permission_denied").inc()
    raise ServiceError(
        "permission_denied",
        "Only an administrator may change roles, permissions or the staff and superuser flags, "
        "and never their own.",
        status=403,
    )


def _permission_label(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def _permissions_set(
    *,
    actor: User,
    holder: User | Group,
    permissions: Iterable[Permission],
    ip: str | None,
) -> None:
    relation = holder.user_permissions if isinstance(holder, User) else holder.permissions
    current = set(relation.select_related("content_type"))
    wanted = set(permissions)
    added, removed = wanted - current, current - wanted
    relation.add(*added)
    relation.remove(*removed)
    for action, changed in ((Action.PERMISSION_ADDED, added), (Action.PERMISSION_REMOVED, removed)):
        if changed:
            labels = sorted(_permission_label(permission) for permission in changed)
            audit_event_record(
                actor=actor, action=action, target=holder, ip=ip, details={"permissions": labels}
            )


def user_privileges_change(
    *,
    actor: User,
    user: User,
    ip: str | None,
    is_superuser: bool | Unset = UNSET,
    is_staff: bool | Unset = UNSET,
    groups: Iterable[Group] | Unset = UNSET,
    user_permissions: Iterable[Permission] | Unset = UNSET,
) -> None:
    """Change what user may do, as actor (see privileges_change_check), every change audited:
    roles as role_added/role_removed like any other group change, permissions as
    permission_added/permission_removed, the flags as privilege_flag_changed."""
    given = {
        "is_superuser": is_superuser,
        "is_staff": is_staff,
        "groups": groups,
        "user_permissions": user_permissions,
    }
    privileges_change_check(
        actor=actor, holder=user, fields=[name for name, value in given.items() if value is not UNSET], ip=ip
    )
    with transaction.atomic():
        # Roles first: a role change sets is_staff from the roles, a flag given here has the last word.
        if groups is not UNSET:
            with _role_changes_made_by(actor, ip):
                user.groups.set(list(groups))
        flags = {
            name: value
            for name, value in (("is_superuser", is_superuser), ("is_staff", is_staff))
            if isinstance(value, bool) and getattr(user, name) != value
        }
        if flags:
            for name, value in flags.items():
                setattr(user, name, value)
            user.save(update_fields=list(flags))
            audit_event_record(
                actor=actor, action=Action.PRIVILEGE_FLAG_CHANGED, target=user, ip=ip, details=flags
            )
        if user_permissions is not UNSET:
            _permissions_set(actor=actor, holder=user, permissions=user_permissions, ip=ip)


def group_permissions_change(
    *, actor: User, group: Group, permissions: Iterable[Permission], ip: str | None
) -> None:
    """Set a group's permissions, as actor (see privileges_change_check), each change audited."""
    privileges_change_check(actor=actor, holder=group, fields=["permissions"], ip=ip)
    with transaction.atomic():
        _permissions_set(actor=actor, holder=group, permissions=permissions, ip=ip)


# --- Authentication ----------------------------------------------------------------------


@dataclass(frozen=True)
class AuthResult:
    user: User
    mfa_verified: bool


def _locked(seconds: int) -> ServiceError:
    minutes = max(1, (seconds + 59) // 60)
    return ServiceError(
        "account_locked",
        f"Too many failed sign-in attempts. Try again in {minutes} minute(s).",
        status=429,
        retry_after=seconds,
    )


def _attempt_reserve(*, email: str, ip: str | None) -> Attempt:
    """Count a guess at this account's password or second factor before checking it."""
    try:
        return attempt_reserve(email=email, ip=ip)
    except Locked as locked:
        metrics.authentication_failures_total.labels(reason="locked_out").inc()
        raise _locked(locked.seconds) from None


def _attempt_failure(
    *,
    attempt: Attempt,
    reason: str,
    kind: str,
    email: str,
    ip: str | None,
    user: User | None,
    action: str = "login",
) -> None:
    """Record one failed guess; raises the lockout if this one triggered it."""
    metrics.authentication_failures_total.labels(reason=reason).inc()
    details = {"email": email, "reason": reason, "action": action}
    security_event_record(kind=kind, severity=Severity.WARNING, ip=ip, user=user, details=details)
    if locked_for := attempt_failed(attempt):
        security_event_record(
            kind=Kind.LOCKOUT,
            severity=Severity.CRITICAL,
            ip=ip,
            user=user,
            details={**details, "locked_seconds": locked_for},
        )
        logger.warning(
            "login locked out",
            extra={"event": "login_lockout", "email": mask_email(email), "ip": ip},
        )
        raise _locked(locked_for)


def user_authenticate(
    *, email: str, password: str, otp_code: str, ip: str | None, require_mfa: bool = False
) -> AuthResult:
    """Check password and (when enrolled) a TOTP or backup code, with lockout. Raises ServiceError."""
    email = email.strip().lower()
    attempt = _attempt_reserve(email=email, ip=ip)

    user = authenticate(request=None, email=email, password=password)
    if user is None:
        known = User.objects.filter(email=email).first()
        _attempt_failure(
            attempt=attempt,
            reason="invalid_credentials",
            kind=Kind.LOGIN_FAILED,
            email=email,
            ip=ip,
            user=known,
        )
        raise ServiceError("invalid_credentials", "Email or password is incorrect.", status=401)

    device = selectors.user_totp_device(user=user)
    if device is None:
        if require_mfa:
            attempt_release(attempt)
            metrics.authentication_failures_total.labels(reason="mfa_not_enrolled").inc()
            raise ServiceError(
                "mfa_not_enrolled",
                "Set up an authenticator app (POST /api/v1/auth/mfa/totp) before signing in here.",
                status=403,
            )
        attempt_succeeded(attempt)
        return AuthResult(user=user, mfa_verified=False)

    if not otp_code:
        # The right password, asking for the second step: neither a failure nor a success yet.
        attempt_release(attempt)
        metrics.authentication_failures_total.labels(reason="mfa_required").inc()
        raise ServiceError("mfa_required", "Enter the code from your authenticator app.", status=401)
    if not mfa_code_accept(device=device, code=otp_code, ip=ip):
        _attempt_failure(
            attempt=attempt, reason="invalid_otp", kind=Kind.MFA_FAILED, email=email, ip=ip, user=user
        )
        raise ServiceError("invalid_otp", "The authenticator code is wrong or was already used.", status=401)
    attempt_succeeded(attempt)
    return AuthResult(user=user, mfa_verified=True)


def _owner_prove(
    *,
    user: User,
    ip: str | None,
    action: str,
    password: str | None = None,
    error_field: str = "password",
    device: TOTPDevice | None = None,
    code: str = "",
) -> None:
    """Check the current password and/or a second-factor code before a change to the password
    or MFA. A stolen token alone is not enough, and its guesses count in the same lockout as
    sign-in's (outside any transaction: the record of a failure must survive its error)."""
    attempt = _attempt_reserve(email=user.email, ip=ip)
    if password is not None and not user.check_password(password):
        _attempt_failure(
            attempt=attempt,
            reason="invalid_credentials",
            kind=Kind.LOGIN_FAILED,
            email=user.email,
            ip=ip,
            user=user,
            action=action,
        )
        raise ServiceError.invalid(error_field, "The current password is incorrect.")
    if device is not None and not mfa_code_accept(device=device, code=code, ip=ip):
        _attempt_failure(
            attempt=attempt,
            reason="invalid_otp",
            kind=Kind.MFA_FAILED,
            email=user.email,
            ip=ip,
            user=user,
            action=action,
        )
        raise ServiceError.invalid("code", "This code is wrong or expired.")
    attempt_succeeded(attempt)


def user_login_record(*, user: User, channel: str, mfa_verified: bool, ip: str | None) -> None:
    user.last_login = timezone.now()
    User.objects.filter(pk=user.pk).update(last_login=user.last_login)
    audit_event_record(
        actor=user,
        action=Action.LOGIN,
        target=user,
        ip=ip,
        details={"channel": channel, "mfa": mfa_verified},
    )
    metrics.user_login_total.labels(channel=channel, mfa=str(mfa_verified).lower()).inc()


def user_login(*, email: str, password: str, otp_code: str, ip: str | None) -> tuple[AuthToken, str]:
    """Authenticate and issue a bearer token; returns the token row and the token itself."""
    # Not one transaction: the security events of a failed attempt must survive its error.
    result = user_authenticate(email=email, password=password, otp_code=otp_code, ip=ip)
    with transaction.atomic():
        tokens = selectors.user_tokens(user=result.user)
        # Keep at most TOKEN_LIMIT_PER_USER sessions: the oldest make room for the new one.
        stale = list(tokens.values_list("pk", flat=True)[knox_settings.TOKEN_LIMIT_PER_USER - 1 :])
        AuthToken.objects.filter(pk__in=stale).delete()
        instance, token = AuthToken.objects.create(user=result.user, expiry=knox_settings.TOKEN_TTL)
        user_login_record(user=result.user, channel="api", mfa_verified=result.mfa_verified, ip=ip)
    return instance, token


def user_logout(*, user: User, token: AuthToken | None, ip: str | None) -> None:
    if token is not None:
        token.delete()
    audit_event_record(actor=user, action=Action.LOGOUT, target=user, ip=ip)


def auth_token_revoke(*, user: User, token_id: str, ip: str | None) -> None:
    deleted, _ = selectors.user_tokens(user=user).filter(token_key=token_id).delete()
    if not deleted:
        raise ServiceError("not_found", "No such session.", status=404)
    audit_event_record(
        actor=user, action=Action.TOKEN_REVOKED, target=user, ip=ip, details={"token_id": token_id}
    )


def user_sessions_end(*, user: User, keep_token: AuthToken | None = None) -> int:
    """Sign the user out everywhere but keep_token's session: every API token, and every browser
    session (each checks the user's auth hash, which the session generation is part of).
    Returns how many tokens were revoked."""
    tokens = AuthToken.objects.filter(user=user)
    if keep_token is not None:
        tokens = tokens.exclude(pk=keep_token.pk)
    revoked = tokens.delete()[0]
    User.objects.filter(pk=user.pk).update(session_generation=models.F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    return revoked


def auth_tokens_purge_expired() -> int:
    """knox never deletes expired tokens itself; they would pile up forever."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


# --- Passwords -----------------------------------------------------------------------------


def _password_set(
    *, user: User, password: str, action: str, ip: str | None, keep_token: AuthToken | None = None
) -> None:
    """Set a new password and sign every other session out."""
    if errors := _password_errors(password, user):
        raise ServiceError("validation_error", "Invalid input.", fields={"new_password": errors})
    user.set_password(password)
    user.save(update_fields=["password"])
    sessions = selectors.user_tokens(user=user)
    if keep_token is not None:
        sessions = sessions.exclude(pk=keep_token.pk)
    sessions.delete()
    login_failures_reset(email=user.email, ip=ip)
    audit_event_record(actor=user, action=action, target=user, ip=ip)


def user_password_change(
    *,
    user: User,
    current_password: str,
    new_password: str,
    current_token: AuthToken | None,
    ip: str | None,
) -> None:
    _owner_prove(
        user=user,
        ip=ip,
        action="password_change",
        password=current_password,
        error_field="current_password",
    )
    with transaction.atomic():
        _password_set(
            user=user, password=new_password, action=Action.PASSWORD_CHANGED, ip=ip, keep_token=current_token
        )


def password_reset_request(*, email: str, ip: str | None) -> None:
    """Email a reset link if the account exists; the caller never learns whether it does.

    Limited per client address (a 429: the same answer for every e-mail address) and per
    account (silently: a refusal must not tell whether the account exists)."""
    from assistant.users.tasks import password_reset_email_send

    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if refusal := password_reset_refusal(email=email, ip=ip):
        metrics.password_reset_total.labels(stage="limited").inc()
        security_event_record(
            kind=Kind.PASSWORD_RESET_LIMITED,
            severity=Severity.WARNING,
            ip=ip,
            user=user,
            details={"email": mask_email(email), "limit": refusal},
        )
        if refusal == "address":
            window = settings.PASSWORD_RESET_WINDOW_SECONDS
            raise ServiceError(
                "throttled",
                "Too many password-reset requests from this address. Try again later.",
                status=429,
                retry_after=window,
            )
        return
    metrics.password_reset_total.labels(stage="requested").inc()
    if user is not None:
        transaction.on_commit(lambda: password_reset_email_send.delay(user.pk))


def password_reset_email_send(*, user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "link": f"{settings.PUBLIC_BASE_URL}{path}",
        "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
    }
    user_email_send(
        user=user,
        compose=lambda: (
            gettext("Reset your TDAH Assistant password"),
            render_to_string("users/password_reset_email.txt", context),
        ),
    )


def password_reset_user(*, uid: str, token: str) -> User | None:
    """The user a reset link belongs to, if the link is genuine and unexpired."""
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uid)), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist, ValidationError):
        return None
    return user if default_token_generator.check_token(user, token) else None


@transaction.atomic
def password_reset_complete(*, user: User, new_password: str, ip: str | None) -> None:
    _password_set(user=user, password=new_password, action=Action.PASSWORD_RESET, ip=ip)
    transaction.on_commit(lambda: metrics.password_reset_total.labels(stage="completed").inc())


def password_reset_confirm(*, uid: str, token: str, new_password: str, ip: str | None) -> None:
    user = password_reset_user(uid=uid, token=token)
    if user is None:
        raise ServiceError.invalid("token", "This reset link is invalid or has expired.")
    password_reset_complete(user=user, new_password=new_password, ip=ip)


# --- Second factor: TOTP and backup codes -------------------------------------------------


def totp_code_accept(*, device: TOTPDevice, code: str) -> bool:
    """True for a current code not used before (one step of clock drift either way)."""
    code = "".join(code.split())
    totp = pyotp.TOTP(device.secret)
    current = totp.timecode(timezone.now())
    for step in (current - 1, current, current + 1):
        if step <= device.last_used_step or not hmac.compare_digest(totp.generate_otp(step), code):
            continue
        # The conditional update is the replay guard: two requests with one code, one wins.
        if TOTPDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(last_used_step=step):
            device.last_used_step = step
            metrics.mfa_verification_total.labels(result="success").inc()
            return True
    metrics.mfa_verification_total.labels(result="failure").inc()
    return False


def backup_code_consume(*, device: TOTPDevice, code: str, ip: str | None) -> bool:
    """True, once, for one of the device's unused backup codes."""
    if backup_code_looks_valid(code):
        for row in device.backup_codes.filter(used_at__isnull=True):
            if not backup_code_matches(code=code, salt=row.salt, digest=row.digest):
                continue
            # The conditional update makes the code single-use even for two requests at once.
            if MFABackupCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now()):
                metrics.mfa_verification_total.labels(result="success").inc()
                left = device.backup_codes.filter(used_at__isnull=True).count()
                audit_event_record(
                    actor=device.user,
                    action=Action.MFA_BACKUP_CODE_USED,
                    target=device.user,
                    ip=ip,
                    details={"left": left},
                )
                return True
    metrics.mfa_verification_total.labels(result="failure").inc()
    return False


def mfa_code_accept(*, device: TOTPDevice, code: str, ip: str | None) -> bool:
    """A code from the authenticator app (6 digits), or else one of the backup codes."""
    if "".join(code.split()).isdigit():
        return totp_code_accept(device=device, code=code)
    return backup_code_consume(device=device, code=code, ip=ip)


def _backup_codes_issue(*, device: TOTPDevice) -> list[str]:
    """Replace the device's backup codes with new ones; the codes are returned, only once."""
    device.backup_codes.all().delete()
    codes = [backup_code_new() for _ in range(BACKUP_CODE_COUNT)]
    rows = []
    for code in codes:
        salt = backup_code_salt()
        rows.append(MFABackupCode(device=device, salt=salt, digest=backup_code_digest(code=code, salt=salt)))
    MFABackupCode.objects.bulk_create(rows)
    return codes


def mfa_totp_enrol(*, user: User, password: str, ip: str | None) -> tuple[str, str]:
    """Start (or restart) enrolment; returns the secret and its otpauth:// URI, shown once."""
    if selectors.user_totp_device(user=user) is not None:
        raise ServiceError("mfa_already_enabled", "Two-factor authentication is already on.", status=409)
    _owner_prove(user=user, ip=ip, action="mfa_enrol", password=password)
    secret = pyotp.random_base32()
    TOTPDevice.objects.update_or_create(
        user=user,
        defaults={"secret": secret, "confirmed_at": None, "last_used_step": 0},
    )
    metrics.mfa_setup_total.labels(action="enrol").inc()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=settings.MFA_ISSUER_NAME)
    return secret, uri


def mfa_totp_confirm(*, user: User, code: str, current_token: AuthToken | None, ip: str | None) -> list[str]:
    """Turn two-factor on with a first code; every other session is signed out (a stolen token
    must not outlive the new factor). Returns the backup codes, shown only now."""
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None:
        raise ServiceError("mfa_not_started", "Start with POST /api/v1/auth/mfa/totp.", status=409)
    if device.confirmed:
        raise ServiceError("mfa_already_enabled", "Two-factor authentication is already on.", status=409)
    # Outside the transaction: the record of a wrong code must survive its error.
    code = "".join(code.split())
    _owner_prove(user=user, ip=ip, action="mfa_confirm", device=device, code=code)
    with transaction.atomic():
        if not TOTPDevice.objects.filter(pk=device.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now()
        ):
            raise ServiceError("mfa_already_enabled", "Two-factor authentication is already on.", status=409)
        codes = _backup_codes_issue(device=device)
        User.objects.filter(pk=user.pk).update(mfa_enrolment_required=False)
        signed_out = user_sessions_end(user=user, keep_token=current_token)
        audit_event_record(
            actor=user,
            action=Action.MFA_ENABLED,
            target=user,
            ip=ip,
            details={"sessions_signed_out": signed_out},
        )
    metrics.mfa_setup_total.labels(action="confirm").inc()
    return codes


def mfa_backup_codes_regenerate(*, user: User, password: str, ip: str | None) -> list[str]:
    """New backup codes (the old ones stop working); returned only now."""
    device = selectors.user_totp_device(user=user)
    if device is None:
        raise ServiceError("mfa_not_enabled", "Two-factor authentication is off.", status=409)
    _owner_prove(user=user, ip=ip, action="mfa_backup_codes", password=password)
    with transaction.atomic():
        codes = _backup_codes_issue(device=device)
        audit_event_record(actor=user, action=Action.MFA_BACKUP_CODES_REGENERATED, target=user, ip=ip)
    metrics.mfa_setup_total.labels(action="backup_codes").inc()
    return codes


def mfa_totp_disable(*, user: User, password: str, code: str, ip: str | None) -> None:
    """Turn two-factor off: needs the password and a current code (or a backup code)."""
    device = selectors.user_totp_device(user=user)
    if device is None:
        raise ServiceError("mfa_not_enabled", "Two-factor authentication is off.", status=409)
    _owner_prove(user=user, ip=ip, action="mfa_disable", password=password, device=device, code=code)
    with transaction.atomic():
        device.delete()
        audit_event_record(actor=user, action=Action.MFA_DISABLED, target=user, ip=ip)
    metrics.mfa_setup_total.labels(action="disable").inc()
