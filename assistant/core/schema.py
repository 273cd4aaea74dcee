"""OpenAPI descriptions of our authentication classes, loaded by CoreConfig.ready()."""

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from assistant.core.authentication import TokenAuthentication


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "Token from /auth/login."}


class SessionAuthenticationScheme(SessionScheme):
    target_class = "assistant.core.authentication.SessionAuthentication"
