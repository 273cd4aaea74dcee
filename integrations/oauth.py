"""social-core wiring: a strategy for flows started from the API, and the pipeline step that
hands the provider's tokens to our services (so they never reach social-auth's extra_data)."""

from collections.abc import Mapping
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from social_core.backends.base import BaseAuth
from social_core.backends.oauth import BaseOAuth2
from social_core.storage import UserProtocol
from social_django.models import DjangoStorage
from social_django.strategy import DjangoStrategy

from integrations.providers import PROVIDERS
from integrations.providers.base import Provider

_R = TypeVar("_R")


class IntegrationStrategy(DjangoStrategy):
    """social-core's Django strategy with two changes.

    Its "session" is the AuthorizationRequest row's JSON: a flow starts from an API call with
    a bearer token, and the browser that returns to the callback has neither that token nor
    our session cookie. And the pipeline runs directly instead of through Django's
    authenticate(): these backends connect accounts to a signed-in user, they never log in.
    """

    def __init__(
        self,
        request: HttpRequest | None = None,
        session: dict[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> None:
        self._data = dict(data or {})
        super().__init__(DjangoStorage, request)
        # A dict stands in for Django's session (see above): the service stores it on the row.
        self.session = session if session is not None else {}  # type: ignore[assignment]

    def get_request_data(self, merge: bool = True) -> dict[str, str]:
        return self._data  # the callback's query parameters, handed over by the service

    def clean_authenticate_args(self, *args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
        kwargs.pop("request", None)  # Django's strategy expects authenticate()'s request first
        return args, kwargs

    def authenticate(self, backend: BaseAuth[_R], *args: Any, **kwargs: Any) -> UserProtocol | _R | None:
        kwargs.update(strategy=self, storage=self.storage, backend=backend)
        kwargs.pop("request", None)
        return backend.authenticate(**kwargs)


def backend_for(
    provider: Provider,
    *,
    redirect_uri: str | None = None,
    session: dict[str, Any] | None = None,
    data: Mapping[str, str] | None = None,
) -> BaseOAuth2[HttpResponse]:
    return provider.backend_class(IntegrationStrategy(session=session, data=data), redirect_uri=redirect_uri)


def provider_for_backend(backend: BaseOAuth2[HttpResponse]) -> Provider:
    return next(provider for provider in PROVIDERS.values() if provider.backend_class.name == backend.name)


def integration_store(
    backend: BaseOAuth2[HttpResponse],
    user: Any,
    social: Any,
    response: dict[str, Any],
    details: dict[str, Any],
    **_: Any,
) -> dict[str, Any]:
    """The last pipeline step: keep the tokens, encrypted, on our Integration row."""
    from integrations.services import integration_tokens_store

    integration = integration_tokens_store(
        user=user,
        provider=provider_for_backend(backend),
        social=social,
        token_response=response,
        account=details.get("email") or details.get("username") or "",
        requested_scopes=backend.get_scope(),
    )
    return {"integration": integration}
