"""DRF authentication that also puts the user on every log line of the request."""

import binascii
from dataclasses import dataclass
from functools import cache
from hmac import compare_digest
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.db.models.sql.compiler import SQLCompiler
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


class _BindsUserToLogs(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is not None:
            context.user_id.set(result[0].pk)
        return result


def _attnames(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


@dataclass(frozen=True)
class _CompiledRead:
    sql: str
    compiler: SQLCompiler
    converters: dict[int, Any]  # the backend's, applied to the rows (SQLite's dates and booleans)

    def rows(self, params: list[Any]) -> list[list[Any]]:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        return list(self.compiler.apply_converters(rows, self.converters)) if self.converters else rows


@cache
def _token_lookup() -> _CompiledRead:
    """knox's read, the tokens of a key with their user's row, as SQL the ORM writes once.
    The user's columns are all there, so the user is whole, as knox's `select_related` made it."""
    columns = [*_attnames(get_token_model()), *(f"user__{name}" for name in _attnames(get_user_model()))]
    tokens = get_token_model().objects.filter(token_key="").order_by().values_list(*columns)
    compiler = tokens.query.get_compiler(DEFAULT_DB_ALIAS)
    sql, _params = compiler.as_sql()
    return _CompiledRead(sql, compiler, compiler.get_converters([column for column, _, _ in compiler.select]))


def _tokens_with_key(key: str) -> list[AuthToken]:
    token_model, user_model = get_token_model(), get_user_model()
    token_names, user_names = _attnames(token_model), _attnames(user_model)
    tokens = []
    for row in _token_lookup().rows([key]):
        token = token_model.from_db(DEFAULT_DB_ALIAS, token_names, row[: len(token_names)])
        token.user = user_model.from_db(DEFAULT_DB_ALIAS, user_names, row[len(token_names) :])
        tokens.append(token)
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
