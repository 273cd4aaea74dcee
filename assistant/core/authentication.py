"""DRF authentication that also puts the user on every log line of the request."""

import binascii
from hmac import compare_digest
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import AbstractAuthToken as AuthToken
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.authentication import SessionAuthentication as DrfSessionAuthentication
from rest_framework.request import Request

from assistant.core import context
from assistant.core.compiled import compiled_read


class _BindsUserToLogs(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is not None:
            context.user_id.set(result[0].pk)
        return result


@compiled_read
def _tokens_with_key(key: str) -> QuerySet[AuthToken]:
    """knox's read, the tokens of a key with their user, as SQL the ORM writes once."""
    tokens: QuerySet[AuthToken] = get_token_model().objects.filter(token_key=key).select_related("user")
    return tokens


class TokenAuthentication(_BindsUserToLogs, KnoxTokenAuthentication):
    """knox's hashed bearer tokens; the user then appears on every log line."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, AuthToken]:
        """knox's, reading the tokens through SQL compiled once per process: every
        authenticated request reads them, and Django compiling the queryset each time (the
        token and the user's many columns) cost more CPU than the database took to answer."""
        key = token.decode("utf-8")
        for auth_token in _tokens_with_key(key[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(key)
            except (TypeError, binascii.Error):
                break
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                user_and_token: tuple[Any, AuthToken] = self.validate_user(auth_token)  # type: ignore[no-untyped-call]  # knox's, unannotated
                return user_and_token
        # Refused: knox's own read refuses it too, in its words and their translations (a
        # second read, on a request that is refused anyway).
        refused: tuple[Any, AuthToken] = super().authenticate_credentials(token)  # type: ignore[no-untyped-call]
        return refused

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        """Whether this token has expired. knox's own version loads every token of the user
        on every request to delete the expired ones; the hourly purge task does that."""
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()


class SessionAuthentication(_BindsUserToLogs, DrfSessionAuthentication):
    """For staff browsing the API from an admin session."""
