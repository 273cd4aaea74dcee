"""The pages a person's browser sees while connecting: our consent page, which a connect link
opens, and the callback the provider sends the browser back to after they said yes (or no)."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from assistant.core.errors import ServiceError
from assistant.core.masking import mask_email
from assistant.core.net import client_ip
from assistant.users import selectors as users
from integrations import services
from integrations.providers import PROVIDERS
from integrations.providers.base import Provider


def _provider_or_404(name: str) -> Provider:
    found = PROVIDERS.get(name)
    if found is None:
        raise Http404("No such provider.")
    return found


def _private(response: HttpResponse) -> HttpResponse:
    # The URL held a link token or an authorization code: keep it out of Referer headers.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _sign_in_problem(error: ServiceError) -> str:
    """What the consent page says, in the active language, of a refused password or code."""
    if error.code == "account_locked":
        minutes = max(1, ((error.retry_after or 60) + 59) // 60)
        return ngettext(
            "Too many wrong attempts. Try again in %(minutes)d minute.",
            "Too many wrong attempts. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
    if error.code == "mfa_required":
        return gettext("Enter the code from your authenticator app.")
    if error.code == "invalid_otp":
        return gettext("This code is wrong or was already used.")
    return gettext("This password is wrong.")


@never_cache
@require_http_methods(["GET", "POST"])
def consent_page(request: HttpRequest, provider: str, token: str) -> HttpResponse:
    """Shows whose account the link connects and asks that account's password (a browser
    signed in as it only confirms); then sends the browser to the provider with the cookie the
    callback requires."""
    found = _provider_or_404(provider)
    pending = services.integration_consent_pending(provider=found, token=token)
    if pending is None:
        services.integration_consent_link_refused(provider=found, ip=client_ip(request))
        with translation.override(translation.get_language_from_request(request)):
            return _private(
                render(
                    request,
                    "integrations/consent.html",
                    {"provider": found, "gone": services.link_gone_message()},
                    status=410,
                )
            )
    signed_in_user = request.user if request.user.is_authenticated else None
    account = pending.user
    problem, status = "", 200
    if request.method == "POST":
        try:
            granted = services.integration_consent_grant(
                provider=found,
                pending=pending,
                password=request.POST.get("password", ""),
                otp_code=request.POST.get("otp_code", ""),
                signed_in_user=signed_in_user,
                ip=client_ip(request),
            )
        except ServiceError as error:
            with translation.override(account.effective_language):
                problem = (
                    services.link_gone_message() if error.code == "link_used" else _sign_in_problem(error)
                )
            status = error.status
        else:
            to_provider = HttpResponseRedirect(granted.provider_url)
            to_provider.set_signed_cookie(
                services.CONSENT_COOKIE,
                granted.binding,
                salt=services.CONSENT_COOKIE_SALT,
                max_age=granted.max_age,
                path=services.CONSENT_COOKIE_PATH,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return _private(to_provider)
    context = {
        "provider": found,
        "account_email": mask_email(account.email),
        "signed_in_as_account": signed_in_user == account,
        "asks_code": users.user_totp_device(user=account) is not None,
        "problem": problem,
    }
    with translation.override(account.effective_language):
        response = render(request, "integrations/consent.html", context, status=status)
        response["Content-Language"] = account.effective_language
    return _private(response)


@never_cache
@require_GET
def authorization_callback(request: HttpRequest, provider: str) -> HttpResponse:
    found = _provider_or_404(provider)
    outcome = services.integration_connect_complete(
        provider=found,
        params={key: request.GET.get(key, "") for key in request.GET},
        ip=client_ip(request),
        consent_binding=request.get_signed_cookie(
            services.CONSENT_COOKIE,
            default=None,
            salt=services.CONSENT_COOKIE_SALT,
            max_age=settings.INTEGRATION_AUTHORIZATION_TTL_SECONDS,
        ),
        signed_in_user=request.user if request.user.is_authenticated else None,
        browser_language=translation.get_language_from_request(request),
    )
    with translation.override(outcome.language):
        response = render(
            request,
            "integrations/callback.html",
            {"provider": found, "outcome": outcome},
            status=200 if outcome.ok else 400,
        )
        response["Content-Language"] = outcome.language
    # The cookie has done its one job, whatever the outcome.
    response.delete_cookie(services.CONSENT_COOKIE, path=services.CONSENT_COOKIE_PATH, samesite="Lax")
    return _private(response)
