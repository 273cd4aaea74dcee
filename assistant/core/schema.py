"""OpenAPI extensions, loaded by CoreConfig.ready()."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from assistant.core.authentication import TokenAuthentication


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return {"type": "http", "scheme": "bearer", "description": "Token from /auth/login."}
