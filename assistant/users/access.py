"""Who a request is, for the views and admin pages that only let signed-in people through."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from assistant.users.models import AuthToken, User


def request_user(request: HttpRequest | Request) -> User:
    """The signed-in person. Views behind IsAuthenticated and staff's admin pages always have one;
    anywhere else an anonymous request is refused (403) rather than acted on."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def request_token(request: Request) -> AuthToken | None:
    """The bearer token the request came with (None when it came with a session)."""
    return request.auth if isinstance(request.auth, AuthToken) else None
