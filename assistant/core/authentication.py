"""DRF authentication that also puts the user on every log line of the request."""

from typing import Any

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AbstractAuthToken as AuthToken
from rest_framework.authentication import BaseAuthentication
from rest_framework.authentication import SessionAuthentication as DrfSessionAuthentication
from rest_framework.request import Request

from assistant.core import context


class _BindsUserToLogs(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is not None:
            context.user_id.set(result[0].pk)
        return result


class TokenAuthentication(_BindsUserToLogs, KnoxTokenAuthentication):
    """knox's hashed bearer tokens; the user then appears on every log line."""

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        """Whether this token has expired. knox's own version loads every token of the user
        on every request to delete the expired ones; the hourly purge task does that."""
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()


class SessionAuthentication(_BindsUserToLogs, DrfSessionAuthentication):
    """For staff browsing the API from an admin session."""
