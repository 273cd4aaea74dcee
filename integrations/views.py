"""The page the provider sends the browser back to after the user said yes (or no)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assistant.core.net import client_ip
from integrations import services
from integrations.providers import PROVIDERS


@never_cache
@require_GET
def authorization_callback(request: HttpRequest, provider: str) -> HttpResponse:
    found = PROVIDERS.get(provider)
    if found is None:
        raise Http404("No such provider.")
    outcome = services.integration_connect_complete(
        provider=found,
        params={key: request.GET.get(key, "") for key in request.GET},
        ip=client_ip(request),
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
    # The URL held an authorization code: keep it out of Referer headers.
    response["Referrer-Policy"] = "no-referrer"
    return response
