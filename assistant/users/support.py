"""Support actions staff take on a person's account from the admin: unlock, sign out
everywhere, reset the second factor, deactivate and reactivate, resend the phone code.

Each needs its own permission (User.Meta.permissions, given to the staff role), is refused on
staff and superuser accounts unless the actor outranks them (and on the actor's own account),
is recorded as an AuditEvent naming the staff member, and tells the person in their language.

How the person is told: security notices (unlocked, signed out, second factor reset,
deactivated) go by e-mail, to the address they sign in with. That is where people expect news
about their account, and the only channel sure to reach its owner at that moment: someone
locked out or signed out cannot open the chat, a lost phone takes both the authenticator and
the SMS with it, and a deactivated account gets no chat or SMS at all. Reactivation goes by the
person's own channel (chat or SMS, as their reminders do), since it says their reminders are
back there. A resent phone code is itself the SMS the person waits for.

The channels and the phone code belong to apps above this one: they register here from their
AppConfig.ready() (users imports none of them).
"""

from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from assistant.core.errors import ServiceError
from assistant.users import metrics, selectors
from assistant.users.lockout import account_unlock
from assistant.users.models import AuditEvent, SecurityEvent, TOTPDevice, User
from assistant.users.services import (
    audit_event_record,
    security_event_record,
    user_email_send,
    user_sessions_end,
)

Action = AuditEvent.Action

# --- What the apps above register ---------------------------------------------------------

ChannelNotify = Callable[[User, str], None]
PhoneCodeSend = Callable[[User, str, str | None], None]

_channel_notify: list[ChannelNotify] = []
_phone_code_send: list[PhoneCodeSend] = []


def support_channel_register(notify: ChannelNotify) -> None:
    """How to write to a person on their own channel (the planner's notification service):
    notify(user, text), in the caller's transaction."""
    _channel_notify[:] = [notify]


def support_phone_code_sender_register(send: PhoneCodeSend) -> None:
    """How to text a verification code (sms): send(user, phone_number, ip), which applies the
    same caps as the API and raises ServiceError when one refuses."""
    _phone_code_send[:] = [send]


# --- Who may do what to whom ---------------------------------------------------------------


class SupportAction(StrEnum):
    UNLOCK = "unlock"
    SIGN_OUT = "sign_out"
    MFA_RESET = "mfa_reset"
    DEACTIVATE = "deactivate"
    REACTIVATE = "reactivate"
    PHONE_CODE_RESEND = "phone_code_resend"

    @property
    def codename(self) -> str:
        """The permission's codename (User.Meta.permissions)."""
        return f"support_{self.value}"

    @property
    def permission(self) -> str:
        return f"users.{self.codename}"


def support_refusal(*, actor: User, user: User, action: SupportAction) -> str:
    """Why actor may not take this action on user ("" when they may)."""
    if not (actor.is_active and actor.is_staff and actor.has_perm(action.permission)):
        return "You do not have the permission for this support action."
    if actor.pk == user.pk:
        return "Support actions are for other people's accounts, not your own."
    if user.is_superuser and not actor.is_superuser:
        return "Only a superuser may take support actions on a superuser."
    # As for editing them (UserAdmin.has_change_permission): staff accounts are an administrator's.
    if user.is_staff and not selectors.user_administers_privileges(user=actor):
        return "Only an administrator may take support actions on a staff account."
    return ""


def _check(*, actor: User, user: User, action: SupportAction, ip: str | None) -> None:
    """Refuse (403, with a security event) an action actor may not take on user."""
    if not (refusal := support_refusal(actor=actor, user=user, action=action)):
        return
    security_event_record(
        kind=SecurityEvent.Kind.ACCESS_DENIED,
        severity=SecurityEvent.Severity.WARNING,
        ip=ip,
        user=actor,
        details={"reason": "support_action", "action": action.value, "holder": f"users.user:{user.pk}"},
    )
    metrics.access_denied_total.labels(reason="permission_denied").inc()
    raise ServiceError("permission_denied", refusal, status=403)


# --- Telling the person ----------------------------------------------------------------------


class Notice(StrEnum):
    UNLOCKED = "unlocked"
    SIGNED_OUT = "signed_out"
    MFA_RESET = "mfa_reset"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"


def _reactivated_text() -> str:
    return gettext("Your TDAH Assistant account is active again: your reminders are back on.")


def _notice_email(notice: Notice) -> tuple[str, str]:
    """The subject and body of a notice e-mail, in the active language."""
    signature = gettext("If you did not ask our support team for this, reply to this e-mail at once.")
    texts = {
        Notice.UNLOCKED: (
            gettext("Your TDAH Assistant account is unlocked"),
            gettext(
                "Our support team unlocked your account: you can sign in again now. If you forgot "
                "your password, ask the app for a password-reset link."
            ),
        ),
        Notice.SIGNED_OUT: (
            gettext("You were signed out of TDAH Assistant everywhere"),
            gettext(
                "Our support team signed your account out on every phone, computer and app. "
                "Sign in again with your e-mail address and password."
            ),
        ),
        Notice.MFA_RESET: (
            gettext("Your TDAH Assistant two-factor authentication was reset"),
            gettext(
                "Our support team removed your authenticator app and your backup codes, and "
                "signed you out everywhere. Sign in with your password, then set up two-factor "
                "authentication again with your new phone."
            ),
        ),
        Notice.DEACTIVATED: (
            gettext("Your TDAH Assistant account is deactivated"),
            gettext(
                "Our support team deactivated your account: you are signed out, and you will get "
                "no reminders or text messages from us. Your todos and reminders are kept. To "
                "turn the account back on, reply to this e-mail."
            ),
        ),
        # Only when no channel is installed to say it where the reminders come (_on_channel).
        Notice.REACTIVATED: (gettext("Your TDAH Assistant account is active again"), _reactivated_text()),
    }
    subject, body = texts[notice]
    return subject, f"{body}\n\n{signature}\n"


def support_notice_email_send(*, user_id: int, notice: str) -> None:
    """E-mail a support notice to the person, in their language (a Celery task calls this)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    user_email_send(user=user, compose=lambda: _notice_email(Notice(notice)))


def _email(user: User, notice: Notice) -> None:
    from assistant.users.tasks import support_notice_email_send as task

    transaction.on_commit(lambda: task.delay(user.pk, notice.value))


def _on_channel(user: User, notice: Notice) -> None:
    """Write on the person's channel when one is registered, else e-mail them."""
    if not _channel_notify:
        _email(user, notice)
        return
    with translation.override(user.effective_language):
        text = _reactivated_text()
    _channel_notify[0](user, text)


# --- The actions -------------------------------------------------------------------------------


def _lockout_addresses(user: User) -> set[str | None]:
    """Where this account's recent failed guesses came from: its lockout pairs are there."""
    since = timezone.now() - timedelta(
        seconds=max(settings.LOGIN_FAILURE_WINDOW_SECONDS, settings.LOGIN_LOCKOUT_SECONDS)
    )
    kinds = [SecurityEvent.Kind.LOGIN_FAILED, SecurityEvent.Kind.MFA_FAILED, SecurityEvent.Kind.LOCKOUT]
    rows = SecurityEvent.objects.filter(user=user, kind__in=kinds, created_at__gte=since)
    return set(rows.values_list("ip", flat=True).distinct().order_by())


def support_account_unlock(*, actor: User, user: User, ip: str | None) -> None:
    """Clear every lockout counter of the account (see lockout.account_unlock)."""
    _check(actor=actor, user=user, action=SupportAction.UNLOCK, ip=ip)
    with transaction.atomic():
        addresses = _lockout_addresses(user)
        account_unlock(email=user.email, ips=addresses)
        audit_event_record(
            actor=actor, action=Action.SUPPORT_UNLOCK, target=user, ip=ip, details={"pairs": len(addresses)}
        )
        _email(user, Notice.UNLOCKED)


def support_sign_out_everywhere(*, actor: User, user: User, ip: str | None) -> int:
    """Revoke every API token and browser session of the person; returns the tokens revoked."""
    _check(actor=actor, user=user, action=SupportAction.SIGN_OUT, ip=ip)
    with transaction.atomic():
        revoked = user_sessions_end(user=user)
        audit_event_record(
            actor=actor, action=Action.SUPPORT_SIGN_OUT, target=user, ip=ip, details={"tokens": revoked}
        )
        _email(user, Notice.SIGNED_OUT)
    return revoked


def support_mfa_reset(*, actor: User, user: User, actor_mfa_verified: bool, ip: str | None) -> None:
    """Remove the person's authenticator and backup codes (they enrol again at their next
    sign-in) and sign them out everywhere: a lost phone may still hold a session.

    actor_mfa_verified: whether the staff member's own admin session was opened with a code;
    with SUPPORT_MFA_RESET_REQUIRES_STAFF_MFA, it must have been."""
    _check(actor=actor, user=user, action=SupportAction.MFA_RESET, ip=ip)
    if settings.SUPPORT_MFA_RESET_REQUIRES_STAFF_MFA and not actor_mfa_verified:
        raise ServiceError(
            "staff_mfa_required",
            "Sign in to the admin with your own authenticator code before resetting someone's.",
            status=403,
        )
    with transaction.atomic():
        # The backup codes go with the device (on_delete=CASCADE), an unconfirmed one too.
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        if not removed:
            raise ServiceError("mfa_not_enabled", "This person has no two-factor authentication.", status=409)
        revoked = user_sessions_end(user=user)
        User.objects.filter(pk=user.pk).update(mfa_enrolment_required=True)
        audit_event_record(
            actor=actor, action=Action.SUPPORT_MFA_RESET, target=user, ip=ip, details={"tokens": revoked}
        )
        _email(user, Notice.MFA_RESET)
    metrics.mfa_setup_total.labels(action="disable").inc()


def support_deactivate(*, actor: User, user: User, ip: str | None) -> None:
    """Turn the account off: no sign-in, no token, no reminders, nudges or SMS (the planner and
    sms skip inactive people), inbound SMS answered that it is off. Its data stays."""
    _check(actor=actor, user=user, action=SupportAction.DEACTIVATE, ip=ip)
    if not user.is_active:
        raise ServiceError("already_inactive", "This account is already deactivated.", status=409)
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        revoked = user_sessions_end(user=user)
        audit_event_record(
            actor=actor, action=Action.SUPPORT_DEACTIVATE, target=user, ip=ip, details={"tokens": revoked}
        )
        _email(user, Notice.DEACTIVATED)


def support_reactivate(*, actor: User, user: User, ip: str | None) -> None:
    _check(actor=actor, user=user, action=SupportAction.REACTIVATE, ip=ip)
    if user.is_active:
        raise ServiceError("already_active", "This account is already active.", status=409)
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_event_record(actor=actor, action=Action.SUPPORT_REACTIVATE, target=user, ip=ip)
        _on_channel(user, Notice.REACTIVATED)


def support_phone_code_resend(*, actor: User, user: User, ip: str | None) -> None:
    """Text the person a new code for their unverified number, under the API's caps."""
    _check(actor=actor, user=user, action=SupportAction.PHONE_CODE_RESEND, ip=ip)
    if not _phone_code_send:
        raise ServiceError("unavailable", "Text messages are not installed here.", status=409)
    if not user.is_active:
        raise ServiceError("inactive", "Reactivate the account first: it gets no text messages.", status=409)
    if not user.phone_number or user.phone_verified:
        raise ServiceError(
            "no_unverified_phone", "This person has no phone number waiting for a code.", status=409
        )
    # The sender commits its own work (and keeps a cap's refusal): audit only what went out.
    _phone_code_send[0](user, user.phone_number, ip)
    audit_event_record(actor=actor, action=Action.SUPPORT_PHONE_CODE_RESEND, target=user, ip=ip)
