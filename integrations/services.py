"""Connecting, refreshing, syncing and disconnecting integrations.

The API, the callback page, the admin and the Celery tasks all come through here. Provider
specifics stay in `integrations.providers`; this module only sees their small interface.
"""

import hashlib
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as day_start
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from social_core.exceptions import AuthAssociationError, AuthCanceled, SocialAuthBaseException

from assistant.core.backoff import retry_after_seconds, retry_delay
from assistant.core.errors import ServiceError
from assistant.core.masking import mask_email
from assistant.core.unset import UNSET, Unset
from assistant.planner import services as planner
from assistant.planner.models import Reminder
from assistant.planner.notifications import DeliveryError, notify
from assistant.users.models import DEFAULT_LANGUAGE, SecurityEvent, User
from assistant.users.services import audit_event_record, security_event_record, user_authenticate
from integrations import metrics, selectors
from integrations.events import AuditAction, SecurityKind
from integrations.models import (
    EVENT_NUDGE_MINUTES_MAX,
    AuthorizationRequest,
    Event,
    ExternalTask,
    Integration,
    Preferences,
)
from integrations.oauth import backend_for
from integrations.providers import PROVIDERS
from integrations.providers.base import (
    EventData,
    PermanentProviderError,
    Provider,
    ProviderApi,
    ProviderError,
    RateLimited,
    ReauthRequired,
    SyncChanges,
    SyncContext,
    TaskData,
    TransientProviderError,
)

logger = logging.getLogger(__name__)
Status = Integration.Status


def _log(message: str, integration_or_provider: Integration | str, **fields: Any) -> None:
    """One JSON line with event=oauth; never a token, only ids and outcomes."""
    if isinstance(integration_or_provider, Integration):
        fields = {
            "provider": integration_or_provider.provider,
            "integration_id": integration_or_provider.pk,
            **fields,
        }
    else:
        fields = {"provider": integration_or_provider, **fields}
    level = (
        logging.WARNING
        if fields.get("result") not in (None, "success", "connected", "disconnected")
        else logging.INFO
    )
    logger.log(level, message, extra={"event": "oauth", **fields})


def provider_get_or_404(name: str) -> Provider:
    provider = PROVIDERS.get(name)
    if provider is None:
        raise ServiceError("not_found", f"No provider called {name!r}.", status=404)
    return provider


def callback_url(provider: Provider) -> str:
    """The redirect URI registered with the provider: it must match exactly."""
    return f"{settings.PUBLIC_BASE_URL}{reverse('integrations:callback', args=[provider.name])}"


# --- Connect -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizationStart:
    url: str
    expires_at: datetime


# The cookie the consent page sets and the callback requires: it names the authorization the
# browser's owner proved theirs, so a provider URL opened in any other browser goes nowhere.
CONSENT_COOKIE = "integration_consent"
CONSENT_COOKIE_SALT = "integrations.consent"
CONSENT_COOKIE_PATH = "/integrations/"


def _link_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def integration_connect_start(*, user: User, provider: Provider) -> AuthorizationStart:
    """A one-time link to our consent page for this user and provider, good for a while.

    The page asks for the account's password before sending the browser to the provider: a
    link passed to (or taken by) someone else cannot link their provider account to this one."""
    if not provider.is_configured():
        raise ServiceError(
            "provider_not_configured", f"{provider.title} is not set up on this server yet.", status=409
        )
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(seconds=settings.INTEGRATION_AUTHORIZATION_TTL_SECONDS)
    AuthorizationRequest.objects.filter(expires_at__lt=now).delete()
    AuthorizationRequest.objects.create(
        user=user, provider=provider.name, link_hash=_link_hash(token), expires_at=expires_at
    )
    _log("oauth authorization link issued", provider.name, action="link", user_id=user.pk)
    path = reverse("integrations:consent", args=[provider.name, token])
    return AuthorizationStart(url=f"{settings.PUBLIC_BASE_URL}{path}", expires_at=expires_at)


def integration_consent_pending(*, provider: Provider, token: str) -> AuthorizationRequest | None:
    """The authorization a connect link opens, while the link is unused and unexpired."""
    if not token or len(token) > 128:
        return None
    return (
        AuthorizationRequest.objects.filter(
            provider=provider.name,
            link_hash=_link_hash(token),
            started_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("user")
        .first()
    )


def integration_consent_link_refused(*, provider: Provider, ip: str | None) -> None:
    """A connect link opened again, after it expired, or never issued."""
    _consent_refused_record(provider, ip, reason="link_used_or_expired")


@dataclass(frozen=True)
class ConsentGranted:
    provider_url: str  # where the browser goes next: the provider's consent screen
    binding: str  # what the browser's consent cookie carries back to the callback
    max_age: int  # seconds the cookie (and the authorization) still lives


def _consent_binding(pending: AuthorizationRequest) -> str:
    return f"{pending.pk}:{pending.user_id}"


def integration_consent_grant(
    *,
    provider: Provider,
    pending: AuthorizationRequest,
    password: str,
    otp_code: str,
    signed_in_user: User | None,
    ip: str | None,
) -> ConsentGranted:
    """The link's account proved itself (its password, and code when two-factor is on, or a
    browser already signed in as it): spend the link and make the provider's authorization
    URL. Raises ServiceError for a wrong password (counted into the lockout) or a spent link."""
    if signed_in_user != pending.user:
        user_authenticate(email=pending.user.email, password=password, otp_code=otp_code, ip=ip)
    session: dict[str, Any] = {}
    backend = backend_for(provider, redirect_uri=callback_url(provider), session=session)
    backend.prepare_auth(pending.user)  # binds the state to this user (social-core's association-only flow)
    url = backend.auth_url()
    # Only the request that marks the link started goes on: a simultaneous replay stops here.
    started = AuthorizationRequest.objects.filter(pk=pending.pk, started_at__isnull=True).update(
        started_at=timezone.now(), state=backend.get_association_state(), session=session
    )
    if not started:
        integration_consent_link_refused(provider=provider, ip=ip)
        raise ServiceError("link_used", "This link has expired or was already used.", status=410)
    _log("oauth authorization started", provider.name, action="authorize", user_id=pending.user_id)
    remaining = int((pending.expires_at - timezone.now()).total_seconds())
    return ConsentGranted(provider_url=url, binding=_consent_binding(pending), max_age=max(remaining, 1))


@dataclass(frozen=True)
class ConnectOutcome:
    result: str  # connected, denied, invalid_state, consent_unbound, already_linked, error
    message: str  # in `language`, which the page around it is shown in too
    language: str
    integration: Integration | None = None

    @property
    def ok(self) -> bool:
        return self.result == "connected"


def _claimed_authorization(provider: Provider, state: str) -> AuthorizationRequest | None:
    """The pending authorization this state names, deleted so no one can use it again."""
    if not state or len(state) > 128:
        return None
    pending = (
        AuthorizationRequest.objects.filter(provider=provider.name, state=state)
        .select_related("user")
        .first()
    )
    if pending is None:
        return None
    # Only the request that deletes the row goes on: a replay, even a simultaneous one, stops here.
    claimed = AuthorizationRequest.objects.filter(pk=pending.pk).delete()[0] == 1
    return pending if claimed and pending.expires_at > timezone.now() else None


def integration_connect_complete(
    *,
    provider: Provider,
    params: Mapping[str, str],
    ip: str | None,
    consent_binding: str | None,
    signed_in_user: User | None = None,
    browser_language: str = DEFAULT_LANGUAGE,
) -> ConnectOutcome:
    """The provider sent the browser back: check the state, that this browser is the one whose
    owner proved the account on the consent page (consent_binding, from its signed cookie),
    exchange the code, keep the tokens.

    The outcome is told in the language of the person who started connecting; a refused
    callback, whose person we do not know, in the browser's."""
    pending = _claimed_authorization(provider, params.get("state", ""))
    if pending is None or (signed_in_user is not None and signed_in_user != pending.user):
        with translation.override(browser_language):
            return _connect_refused(
                provider, ip, reason="unknown_state" if pending is None else "user_mismatch"
            )
    if consent_binding != _consent_binding(pending):
        reason = "no_consent_cookie" if consent_binding is None else "consent_cookie_mismatch"
        _consent_refused_record(provider, ip, reason=reason, user=pending.user)
        with translation.override(browser_language):
            return ConnectOutcome(
                "consent_unbound",
                gettext(
                    "This browser is not the one that confirmed the connection, so nothing was connected. "
                    "Open the link from the app in your own browser and sign in there."
                ),
                translation.get_language(),
            )
    with translation.override(pending.user.effective_language):
        return _connect_finish(provider, pending, params)


def _connect_finish(
    provider: Provider, pending: AuthorizationRequest, params: Mapping[str, str]
) -> ConnectOutcome:
    backend = backend_for(provider, redirect_uri=callback_url(provider), session=pending.session, data=params)
    try:
        backend.complete(user=pending.user)
    except AuthCanceled:
        return _connect_failed(
            provider,
            pending.user,
            "denied",
            gettext(
                "You didn't allow access to %(provider)s, so nothing was connected. "
                "You can try again any time."
            )
            % {"provider": provider.title},
        )
    except AuthAssociationError:
        return _connect_failed(
            provider,
            pending.user,
            "already_linked",
            gettext("This %(provider)s account is already connected to another account here.")
            % {"provider": provider.title},
        )
    except SocialAuthBaseException as error:
        later = error.recovery == "retry_later"
        message = (
            gettext("%(provider)s didn't answer properly. Please try again in a few minutes.")
            if later
            else gettext("We couldn't connect %(provider)s. Please start again from the app.")
        ) % {"provider": provider.title}
        return _connect_failed(provider, pending.user, "error", message, code=error.code, stage=error.stage)
    integration = Integration.objects.get(user=pending.user, provider=provider.name)
    # Naming both accounts lets whoever consented see whose assistant now reads their calendar.
    message = gettext(
        "%(provider)s (%(account)s) is connected to the assistant account %(email)s. "
        "Your agenda will show it within a minute."
    ) % {
        "provider": provider.title,
        "account": integration.account or gettext("your account"),
        "email": mask_email(pending.user.email),
    }
    if not integration.refresh_token and integration.token_expires_at is not None:
        message += " " + gettext(
            "%(provider)s did not grant lasting access, so you will be asked to connect again when this "
            "access ends."
        ) % {"provider": provider.title}
    return ConnectOutcome("connected", message, translation.get_language(), integration)


def _connect_refused(provider: Provider, ip: str | None, *, reason: str) -> ConnectOutcome:
    """A callback whose state we did not issue, or issued and saw used: forged, replayed or stale."""
    security_event_record(
        kind=SecurityEvent.Kind.FORGED_REQUEST,
        severity=SecurityEvent.Severity.WARNING,
        ip=ip,
        details={"reason": f"oauth_{reason}", "provider": provider.name},
    )
    metrics.oauth_integration_total.labels(provider=provider.name, result="invalid_state").inc()
    _log("oauth callback refused", provider.name, result="invalid_state", reason=reason)
    return ConnectOutcome(
        "invalid_state",
        link_gone_message(),
        translation.get_language(),
    )


def link_gone_message() -> str:
    """Said, in the active language, of a connect link or callback that no longer works."""
    return gettext("This link has expired or was already used. Start connecting again from the app.")


def _consent_refused_record(
    provider: Provider, ip: str | None, *, reason: str, user: User | None = None
) -> None:
    """A connect link or callback used by a browser that did not prove the account's owner."""
    security_event_record(
        kind=SecurityKind.OAUTH_CONSENT_REFUSED,
        severity=SecurityEvent.Severity.WARNING,
        ip=ip,
        user=user,
        details={"reason": reason, "provider": provider.name},
    )
    metrics.oauth_integration_total.labels(provider=provider.name, result="invalid_state").inc()
    _log("oauth consent refused", provider.name, result="invalid_state", reason=reason)


def _connect_failed(
    provider: Provider, user: User, result: str, message: str, **details: str
) -> ConnectOutcome:
    metrics.oauth_integration_total.labels(provider=provider.name, result=result).inc()
    _log("oauth connect failed", provider.name, result=result, user_id=user.pk, **details)
    return ConnectOutcome(result, message, translation.get_language())


def _expiry(token_response: Mapping[str, Any], now: datetime) -> datetime | None:
    try:
        seconds = int(token_response.get("expires_in") or 0)
    except (TypeError, ValueError):
        seconds = 0
    return now + timedelta(seconds=seconds) if seconds > 0 else None


def _scopes(token_response: Mapping[str, Any], requested: list[str]) -> list[str]:
    granted = token_response.get("scope")
    if isinstance(granted, str) and granted.strip():
        return sorted(set(granted.replace(",", " ").split()))
    return sorted(requested)


@transaction.atomic
def integration_tokens_store(
    *,
    user: User,
    provider: Provider,
    social: Any,
    token_response: Mapping[str, Any],
    account: str,
    requested_scopes: list[str],
) -> Integration:
    """Keep a new grant (the last step of social-auth's pipeline): encrypted tokens on our row,
    none in social-auth's extra_data. Reconnecting keeps the row; another provider account
    replaces what the previous one synced."""
    now = timezone.now()
    integration = Integration.objects.select_for_update().filter(user=user, provider=provider.name).first()
    refresh_token = str(token_response.get("refresh_token") or "")
    if integration is None:
        integration = Integration(user=user, provider=provider.name, social=social)
    elif integration.social_id != social.pk:
        _forget_synced(integration)
        previous = integration.social
        integration.social = social
        integration.sync_state = {}
        integration.save(update_fields=["social", "sync_state"])
        previous.delete()
    elif not refresh_token:
        refresh_token = integration.refresh_token  # Google sends one only on first consent
    integration.access_token = str(token_response["access_token"])
    integration.refresh_token = refresh_token
    integration.token_expires_at = _expiry(token_response, now)
    integration.scopes = _scopes(token_response, requested_scopes)
    integration.account = account[:254]
    integration.status = Status.CONNECTED
    integration.refresh_failures = integration.sync_failures = 0
    integration.refresh_not_before = integration.reauth_notified_at = None
    integration.last_error, integration.last_error_at = "", None
    integration.next_sync_at = now
    integration.save()
    if social.extra_data:
        social.extra_data = {}  # written by an older pipeline; nothing secret may stay there
        social.save(update_fields=["extra_data"])
    audit_event_record(
        actor=user,
        action=AuditAction.INTEGRATION_CONNECTED,
        target=integration,
        details={"provider": provider.name, "scopes": integration.scopes},
    )
    transaction.on_commit(
        metrics.oauth_integration_total.labels(provider=provider.name, result="connected").inc
    )
    # robust: with the broker down, beat's integrations_sync_due picks the integration up later.
    transaction.on_commit(lambda: _enqueue_sync(integration.pk), robust=True)
    _log(
        "oauth connected",
        integration,
        result="connected",
        user_id=user.pk,
        offline_access=bool(refresh_token),
    )
    return integration


def _enqueue_sync(integration_id: int) -> None:
    from integrations.tasks import integration_sync

    integration_sync.delay(integration_id)


# --- Disconnect ----------------------------------------------------------------------------


def integration_disconnect(*, integration: Integration, actor: User | None, ip: str | None) -> bool:
    """Revoke our grant where the provider allows it, then forget the tokens and what was
    synced. Returns whether the provider confirmed the revocation."""
    provider = PROVIDERS[integration.provider]
    revoked = _revoke(provider, integration) == REVOKED
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action=AuditAction.INTEGRATION_DISCONNECTED,
            target=integration,
            ip=ip,
            details={"provider": provider.name, "revoked_at_provider": revoked},
        )
        _forget(integration)
    _log("oauth disconnected", provider.name, result="disconnected", revoked=revoked)
    return revoked


def integrations_erase(*, user: User) -> dict[str, str]:
    """Revoke every grant the user gave us where the provider allows it, then forget it all:
    tokens, what was synced, pending connections, preferences. A revocation that fails does not
    stop the erasure: returns each provider's outcome (revoked, revocation_failed, not_offered)
    for the erasure's record."""
    outcomes = {}
    for integration in Integration.objects.filter(user=user).select_related("social"):
        outcomes[integration.provider] = _revoke(PROVIDERS[integration.provider], integration)
        _forget(integration)
    # Links to a provider account with no integration left (a connection that failed half-way).
    user.social_auth.all().delete()
    AuthorizationRequest.objects.filter(user=user).delete()
    Preferences.objects.filter(user=user).delete()
    return outcomes


REVOKED, REVOCATION_FAILED, REVOCATION_NOT_OFFERED = "revoked", "revocation_failed", "not_offered"


def _revoke(provider: Provider, integration: Integration) -> str:
    token = integration.refresh_token or integration.access_token
    try:
        confirmed = backend_for(provider).revoke_token(token, integration.social.uid)
    except SocialAuthBaseException as error:
        # The user asked to disconnect: forgetting our tokens must not wait on the provider.
        _log("oauth revoke failed", integration, result="error", code=error.code)
        return REVOCATION_FAILED
    if confirmed is None:  # the provider has no revocation endpoint (Microsoft)
        return REVOCATION_NOT_OFFERED
    return REVOKED if confirmed else REVOCATION_FAILED


def _forget(integration: Integration) -> None:
    """Drop the integration with its tokens and what it synced."""
    with transaction.atomic():
        _forget_synced(integration)
        integration.social.delete()  # cascades to the integration, its events and tasks
    metrics.oauth_integration_total.labels(provider=integration.provider, result="disconnected").inc()


def _forget_synced(integration: Integration) -> None:
    """Drop the events and tasks, cancelling event nudges not yet sent."""
    _nudges_cancel(Event.objects.filter(integration=integration))
    Event.objects.filter(integration=integration).delete()
    ExternalTask.objects.filter(integration=integration).delete()


def _nudges_cancel(events: Any) -> None:
    pending = Reminder.objects.filter(event__in=events, status=Reminder.Status.SCHEDULED)
    for reminder in pending:
        planner.reminder_cancel(reminder=reminder)


# --- Re-authorization ----------------------------------------------------------------------


def integration_mark_needs_reauth(
    *, integration: Integration, reason: str, actor: User | None = None
) -> None:
    """The grant is gone: stop using it, tell the user once, and keep a security record."""
    with transaction.atomic():
        locked = Integration.objects.select_for_update().get(pk=integration.pk)
        first_time = locked.status != Status.NEEDS_REAUTH
        locked.status = Status.NEEDS_REAUTH
        locked.last_error, locked.last_error_at = f"Needs reconnecting: {reason}"[:500], timezone.now()
        if first_time:
            security_event_record(
                kind=SecurityKind.OAUTH_GRANT_REVOKED,
                severity=SecurityEvent.Severity.WARNING,
                ip=None,
                user=locked.user,
                details={"provider": locked.provider, "reason": reason, "by_staff": actor is not None},
            )
        if locked.reauth_notified_at is None and _tell_user(locked):
            locked.reauth_notified_at = timezone.now()
        locked.save(
            update_fields=["status", "last_error", "last_error_at", "reauth_notified_at", "updated_at"]
        )
    integration.status, integration.reauth_notified_at = locked.status, locked.reauth_notified_at
    _log("oauth needs reauth", integration, result="needs_reauth", reason=reason)


def _tell_user(integration: Integration) -> bool:
    provider = PROVIDERS[integration.provider]
    with translation.override(integration.user.effective_language):
        text = gettext(
            "Your %(provider)s connection stopped working, so I can't see what's coming up there. "
            "Connect it again in the app to get your event nudges back."
        ) % {"provider": provider.title}
    try:
        notify(user=integration.user, text=text, channel=integration.user.preferred_channel)
    except DeliveryError as error:
        _log("oauth reauth notice not delivered", integration, result="error", error=type(error).__name__)
        return False
    return True


# --- Token refresh -------------------------------------------------------------------------


def _needs_refresh(integration: Integration, now: datetime) -> bool:
    lead = timedelta(seconds=settings.INTEGRATION_REFRESH_LEAD_SECONDS)
    return (
        integration.status == Status.CONNECTED
        and integration.token_expires_at is not None
        and integration.token_expires_at <= now + lead
        and (integration.refresh_not_before is None or integration.refresh_not_before <= now)
    )


def integration_token_refresh(
    *, integration: Integration, only_if_due: bool = False, skip_locked: bool = False
) -> bool:
    """Swap the refresh token for a new access token; returns whether this call refreshed.

    The row stays locked during the call to the provider, so two workers (or a beat run and
    a sync that met a 401) never both spend a rotating refresh token: the second sees the
    first one's new token and stops. Raises ReauthRequired when the grant is gone and
    TransientProviderError when it should be tried again later (the backoff is recorded).
    """
    now = timezone.now()
    error: ProviderError | None = None
    with transaction.atomic():
        locked = (
            Integration.objects.select_for_update(skip_locked=skip_locked)
            .select_related("user")
            .filter(pk=integration.pk)
            .first()
        )
        if locked is None:
            return False  # another worker holds it
        if only_if_due and not _needs_refresh(locked, now):
            return False
        if not only_if_due and locked.access_token != integration.access_token:
            _copy_tokens(locked, integration)  # refreshed by someone else meanwhile
            return False
        error = _refresh_locked(locked, now)
    _copy_tokens(locked, integration)
    if isinstance(error, ReauthRequired):
        integration_mark_needs_reauth(integration=integration, reason=str(error))
    if error is not None:
        raise error
    return True


def _copy_tokens(source: Integration, target: Integration) -> None:
    for name in (
        "access_token",
        "refresh_token",
        "token_expires_at",
        "status",
        "refresh_failures",
        "refresh_not_before",
    ):
        setattr(target, name, getattr(source, name))


def _refresh_locked(integration: Integration, now: datetime) -> ProviderError | None:
    """Call the provider and write the outcome; the error to raise once the row is saved."""
    provider = PROVIDERS[integration.provider]
    fields = ["refresh_failures", "refresh_not_before", "last_error", "last_error_at", "updated_at"]
    error: ProviderError | None = None
    if not integration.refresh_token:
        result, error = "invalid_grant", ReauthRequired("the provider gave no refresh token")
    else:
        try:
            response = backend_for(provider).refresh_token(integration.refresh_token)
        except SocialAuthBaseException as failure:
            result, error = _refresh_failure(failure)
        else:
            result = "success"
            integration.access_token = str(response["access_token"])
            integration.refresh_token = str(response.get("refresh_token") or integration.refresh_token)
            integration.token_expires_at = _expiry(response, now)
            integration.refresh_failures, integration.refresh_not_before = 0, None
            fields += ["access_token", "refresh_token", "token_expires_at"]
    if error is not None and not isinstance(error, ReauthRequired):
        integration.refresh_failures += 1
        integration.refresh_not_before = now + retry_delay(
            attempts=integration.refresh_failures,
            base_seconds=settings.INTEGRATION_RETRY_BASE_SECONDS,
            retry_after=getattr(error, "retry_after", None),
        )
        integration.last_error, integration.last_error_at = f"Token refresh: {error}"[:500], now
    integration.save(update_fields=fields)
    metrics.oauth_token_refresh_total.labels(provider=provider.name, result=result).inc()
    if result != "success":
        metrics.oauth_token_refresh_failures_total.labels(provider=provider.name).inc()
    _log("oauth token refresh", integration, action="refresh", result=result)
    return error


def _refresh_failure(failure: SocialAuthBaseException) -> tuple[str, ProviderError]:
    """social-core's verdict (its `recovery`) as our result label and error type."""
    reason = f"{failure.code} ({failure.provider_code or failure.status_code or 'no code'})"
    if failure.recovery == "reauthenticate":
        return "invalid_grant", ReauthRequired(reason)
    if failure.recovery == "retry_later":
        retry_after = retry_after_seconds(failure.retry_after)
        return "transient_error", TransientProviderError(reason, retry_after=retry_after)
    return "error", PermanentProviderError(reason)


@dataclass
class RefreshRun:
    refreshed: int = 0
    failed: int = 0
    skipped: int = 0


def integrations_refresh_due(*, limit: int = 200) -> RefreshRun:
    """Refresh every connected integration whose token expires within the lead time."""
    now = timezone.now()
    lead = timedelta(seconds=settings.INTEGRATION_REFRESH_LEAD_SECONDS)
    due = (
        Integration.objects.filter(status=Status.CONNECTED, token_expires_at__lte=now + lead)
        .filter(Q(refresh_not_before__isnull=True) | Q(refresh_not_before__lte=now))
        .order_by("token_expires_at")[:limit]
    )
    run = RefreshRun()
    for integration in due:
        try:
            refreshed = integration_token_refresh(integration=integration, only_if_due=True, skip_locked=True)
        except ProviderError:
            run.failed += 1
        else:
            run.refreshed += refreshed
            run.skipped += not refreshed
    return run


# --- Sync ----------------------------------------------------------------------------------


@dataclass
class SyncOutcome:
    result: str  # success, rate_limited, transient_error, needs_reauth, error, skipped
    events: int = 0
    tasks: int = 0
    malformed: int = 0


def _api(integration: Integration, provider: Provider) -> ProviderApi:
    def refresh() -> str:
        integration_token_refresh(integration=integration)
        return integration.access_token

    return ProviderApi(
        provider=provider.name,
        access_token=integration.access_token,
        refresh=refresh,
        headers=provider.api_headers,
    )


def _sync_claim(integration_id: int, now: datetime) -> Integration | None:
    """Take the integration for one sync; a second worker (or a duplicate task) gets None."""
    lease = now + timedelta(seconds=settings.INTEGRATION_SYNC_LEASE_SECONDS)
    claimed = (
        Integration.objects.filter(pk=integration_id, status__in=[Status.CONNECTED, Status.ERROR])
        .filter(Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now))
        .update(next_sync_at=lease)
    )
    return Integration.objects.select_related("user").get(pk=integration_id) if claimed else None


def integration_sync(*, integration_id: int) -> SyncOutcome:
    """Bring one integration's events and tasks up to date, if it is due and no one else is on it."""
    now = timezone.now()
    integration = _sync_claim(integration_id, now)
    if integration is None:
        return SyncOutcome("skipped")
    provider = PROVIDERS[integration.provider]
    outcome = SyncOutcome("success")
    started = time.perf_counter()
    api = _api(integration, provider)
    try:
        if integration.token_expires_at is not None and integration.token_expires_at <= now:
            integration_token_refresh(integration=integration)  # expired: refresh before the first call
            api = _api(integration, provider)
        context = _context(integration, api, now)
        for changes in provider.sync(context):
            _apply(integration, changes, context, outcome)
    except ReauthRequired as error:
        outcome.result = "needs_reauth"
        if integration.status != Status.NEEDS_REAUTH:
            integration_mark_needs_reauth(integration=integration, reason=str(error))
    except ProviderError as error:
        outcome.result = _sync_failed(integration, error, now)
    else:
        _sync_succeeded(integration, now)
    finally:
        api.close()
        metrics.integration_sync_duration_seconds.labels(provider=provider.name).observe(
            time.perf_counter() - started
        )
        metrics.integration_sync_total.labels(provider=provider.name, result=outcome.result).inc()
    _log(
        "integration synced",
        integration,
        action="sync",
        result=outcome.result,
        events=outcome.events,
        tasks=outcome.tasks,
        malformed=outcome.malformed,
    )
    return outcome


def _context(integration: Integration, api: ProviderApi, now: datetime) -> SyncContext:
    return SyncContext(
        api=api,
        cursors=dict(integration.sync_state),
        # From a day back, so today's agenda still has this morning's events in every zone.
        window_start=now - timedelta(days=1),
        window_end=now + timedelta(days=settings.INTEGRATION_SYNC_WINDOW_DAYS),
        timezone=ZoneInfo(integration.user.timezone),
        task_source_id=integration.task_source_id,
    )


def _sync_succeeded(integration: Integration, now: datetime) -> None:
    Integration.objects.filter(pk=integration.pk).update(
        status=Status.CONNECTED,
        last_synced_at=now,
        sync_failures=0,
        last_error="",
        last_error_at=None,
        next_sync_at=now + timedelta(seconds=settings.INTEGRATION_SYNC_INTERVAL_SECONDS),
        updated_at=now,
    )


def _sync_failed(integration: Integration, error: ProviderError, now: datetime) -> str:
    """Record why and when to try again: Retry-After on a 429, backoff otherwise; a sync that
    keeps failing for a reason that is not transient turns the integration to `error`."""
    failures = integration.sync_failures + 1
    retry_after = getattr(error, "retry_after", None)
    if isinstance(error, RateLimited):
        result, wait = (
            "rate_limited",
            timedelta(seconds=retry_after or settings.INTEGRATION_RETRY_BASE_SECONDS),
        )
        failures = integration.sync_failures  # being told to wait is not a failure of ours
    else:
        result = "transient_error" if isinstance(error, TransientProviderError) else "error"
        wait = retry_delay(
            attempts=failures, base_seconds=settings.INTEGRATION_RETRY_BASE_SECONDS, retry_after=retry_after
        )
    status = integration.status
    if result == "error" or failures >= settings.INTEGRATION_SYNC_MAX_FAILURES:
        status = Status.ERROR
    Integration.objects.filter(pk=integration.pk).update(
        status=status,
        sync_failures=failures,
        last_error=f"Sync: {error}"[:500],
        last_error_at=now,
        next_sync_at=now + wait,
        updated_at=now,
    )
    return result


def integrations_sync_due(*, limit: int = 500) -> list[int]:
    """Ids of integrations whose next sync time has come (each task then claims its own)."""
    now = timezone.now()
    due = Integration.objects.filter(status__in=[Status.CONNECTED, Status.ERROR]).filter(
        Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now)
    )
    return list(due.order_by("next_sync_at").values_list("pk", flat=True)[:limit])


def integration_sync_request(*, integration: Integration) -> None:
    """Sync as soon as a worker can ("sync now" in the API and admin)."""
    if integration.status == Status.NEEDS_REAUTH:
        raise ServiceError("needs_reauth", "Connect this integration again before syncing it.", status=409)
    Integration.objects.filter(pk=integration.pk).update(next_sync_at=timezone.now())
    # robust: with the broker down, beat's integrations_sync_due picks the integration up later.
    transaction.on_commit(lambda: _enqueue_sync(integration.pk), robust=True)


# --- Applying a provider's changes ---------------------------------------------------------


def _apply(
    integration: Integration, changes: SyncChanges, context: SyncContext, outcome: SyncOutcome
) -> None:
    """Write one resource's changes and its new cursor together."""
    with transaction.atomic():
        if changes.kind == "event":
            written = _apply_events(integration, changes, context)
            outcome.events += written
        else:
            written = _apply_tasks(integration, changes)
            outcome.tasks += written
        state = dict(Integration.objects.filter(pk=integration.pk).values_list("sync_state", flat=True)[0])
        if changes.cursor is not None:
            state[changes.resource] = changes.cursor
        else:
            state.pop(changes.resource, None)
        Integration.objects.filter(pk=integration.pk).update(sync_state=state)
        integration.sync_state = state
    outcome.malformed += changes.malformed
    if written:
        metrics.integration_items_synced_total.labels(provider=integration.provider, kind=changes.kind).inc(
            written
        )


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, day_start.min, tzinfo=zone)


def _event_fields(data: EventData, zone: ZoneInfo) -> dict[str, Any]:
    starts_at: datetime | None
    ends_at: datetime | None
    if data.start_date is not None and data.end_date is not None:  # all day (whole_days sets both)
        starts_at, ends_at = _midnight(data.start_date, zone), _midnight(data.end_date, zone)
    else:
        starts_at, ends_at = data.starts_at, data.ends_at
    return {
        "title": data.title,
        "location": data.location,
        "url": data.url,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "all_day": data.all_day,
        "start_date": data.start_date,
        "end_date": data.end_date,
    }


def _apply_events(integration: Integration, changes: SyncChanges, context: SyncContext) -> int:
    nudge_minutes = selectors.event_nudge_minutes_for_user(user=integration.user)
    existing = {
        event.external_id: event
        for event in Event.objects.filter(integration=integration, resource=changes.resource).select_related(
            "nudge"
        )
    }
    seen: set[str] = set()
    outside: set[str] = set()
    created: list[Event] = []
    written = 0
    for data in changes.upserts:
        assert isinstance(data, EventData)
        fields = _event_fields(data, context.timezone)
        if fields["ends_at"] < context.window_start or fields["starts_at"] >= context.window_end:
            outside.add(data.external_id)  # an incremental sync reports changes anywhere in time
            continue
        seen.add(data.external_id)
        event = existing.get(data.external_id)
        if event is None:
            event = Event(
                user=integration.user,
                integration=integration,
                resource=changes.resource,
                external_id=data.external_id,
                **fields,
            )
            _nudge_schedule(event, integration.user, nudge_minutes)
            created.append(event)
            written += 1
        elif any(getattr(event, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(event, name, value)
            _nudge_schedule(event, integration.user, nudge_minutes)
            event.save()
            written += 1
    Event.objects.bulk_create(created)
    gone = set(changes.removed) | outside | (set(existing) - seen if changes.full else set())
    removed = [existing[external_id].pk for external_id in gone if external_id in existing]
    if removed:
        _nudges_cancel(Event.objects.filter(pk__in=removed))
        Event.objects.filter(pk__in=removed).delete()
    return written + len(removed)


def _apply_tasks(integration: Integration, changes: SyncChanges) -> int:
    existing = {
        task.external_id: task
        for task in ExternalTask.objects.filter(integration=integration, resource=changes.resource)
    }
    seen: set[str] = set()
    created: list[ExternalTask] = []
    updated: list[ExternalTask] = []
    names = ["title", "url", "due_date", "due_at", "completed"]
    for data in changes.upserts:
        assert isinstance(data, TaskData)
        seen.add(data.external_id)
        fields = {name: getattr(data, name) for name in names}
        task = existing.get(data.external_id)
        if task is None:
            created.append(
                ExternalTask(
                    user=integration.user,
                    integration=integration,
                    resource=changes.resource,
                    external_id=data.external_id,
                    **fields,
                )
            )
        elif any(getattr(task, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(task, name, value)
            updated.append(task)
    ExternalTask.objects.bulk_create(created)
    ExternalTask.objects.bulk_update(updated, [*names, "updated_at"])
    gone = set(changes.removed) | (set(existing) - seen if changes.full else set())
    removed = [existing[external_id].pk for external_id in gone if external_id in existing]
    ExternalTask.objects.filter(pk__in=removed).delete()
    return len(created) + len(updated) + len(removed)


# --- "Event in N minutes" ------------------------------------------------------------------


def _nudge_text(event: Event, fire_at: datetime, user: User) -> str:
    """The nudge ("In 15 min: Dentist at 10:00 (Main St)") in the user's language."""
    minutes = max(round((event.starts_at - fire_at).total_seconds() / 60), 1)
    at = event.starts_at.astimezone(ZoneInfo(user.timezone)).strftime("%H:%M")
    with translation.override(user.effective_language):
        text = ngettext(
            "In %(minutes)d min: %(title)s at %(time)s", "In %(minutes)d min: %(title)s at %(time)s", minutes
        ) % {"minutes": minutes, "title": event.title, "time": at}
    where = f" ({event.location})" if event.location else ""
    return f"{text}{where}"[:200]


def _nudge_schedule(event: Event, user: User, minutes: int) -> None:
    """Keep the event's nudge, `minutes` before it (0: none), in step with it, through the
    reminder dispatcher, which sends it exactly once. A nudge already sent is not repeated
    unless the event moved."""
    now = timezone.now()
    reminder = event.nudge
    pending = reminder if reminder is not None and reminder.status == Reminder.Status.SCHEDULED else None
    if event.all_day or minutes == 0 or event.starts_at <= now:
        if pending is not None:
            planner.reminder_cancel(reminder=pending)
        return
    # Synced later than the nudge time: nudge now, with the minutes that are really left.
    fire_at = max(event.starts_at - timedelta(minutes=minutes), now + timedelta(seconds=1))
    text = _nudge_text(event, fire_at, user)
    if pending is not None:
        if pending.due_at != fire_at or pending.text != text:
            planner.reminder_update(reminder=pending, text=text, due_at=fire_at)
    elif reminder is None or event.nudge_for != event.starts_at:
        event.nudge = planner.reminder_create(
            user=user, text=text, due_at=fire_at, origin=Reminder.Origin.EVENT, now=now
        )
    event.nudge_for = event.starts_at


def integration_preferences_update(*, user: User, event_nudge_minutes: int | Unset = UNSET) -> list[str]:
    """Change the preferences given (UNSET: left as they are); returns the names that changed.
    A new nudge delay applies to events synced from now on, as before the preference moved
    here: nudges already scheduled keep their time until their event changes."""
    if event_nudge_minutes is UNSET:
        return []
    if not 0 <= event_nudge_minutes <= EVENT_NUDGE_MINUTES_MAX:
        raise ServiceError.invalid(
            "event_nudge_minutes", f"Between 0 (never) and {EVENT_NUDGE_MINUTES_MAX} minutes."
        )
    if event_nudge_minutes == selectors.event_nudge_minutes_for_user(user=user):
        return []
    Preferences.objects.update_or_create(user=user, defaults={"event_nudge_minutes": event_nudge_minutes})
    return ["event_nudge_minutes"]


# --- Notion's database ---------------------------------------------------------------------


def integration_sources_list(*, integration: Integration) -> list[dict[str, str]]:
    """What the user can pick to sync tasks from (Notion's shared databases)."""
    provider = PROVIDERS[integration.provider]
    api = _api(integration, provider)
    try:
        return provider.sources(api)
    except ReauthRequired as error:
        integration_mark_needs_reauth(integration=integration, reason=str(error))
        raise ServiceError("needs_reauth", f"Connect {provider.title} again first.", status=409) from None
    except ProviderError as error:
        raise ServiceError(
            "provider_unavailable", f"{provider.title} did not answer: {error}", status=502
        ) from None
    finally:
        api.close()


@transaction.atomic
def integration_task_source_select(*, integration: Integration, source_id: str) -> Integration:
    """Sync tasks from this database from now on (its tasks replace the previous one's)."""
    choices = {source["id"] for source in integration_sources_list(integration=integration)}
    if source_id not in choices:
        raise ServiceError.invalid("database_id", "Not one of the databases you shared with the assistant.")
    if source_id != integration.task_source_id:
        ExternalTask.objects.filter(integration=integration).delete()
        integration.task_source_id = source_id
        integration.sync_state = {}
        integration.save(update_fields=["task_source_id", "sync_state", "updated_at"])
    integration_sync_request(integration=integration)
    return integration
