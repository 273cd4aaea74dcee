"""Who a request is, for the views and admin pages that only let signed-in people through."""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework import exceptions, permissions
from rest_framework.request import Request

from assistant.users.models import AuthToken, User

if TYPE_CHECKING:  # DRF's settings import this module while rest_framework.views is loading
    from rest_framework.views import APIView


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


class MfaEnrolmentRequired(exceptions.PermissionDenied):
    default_detail = "Set up two-factor authentication again first: POST /api/v1/auth/mfa/totp."
    default_code = "mfa_enrolment_required"


class MfaEnrolled(permissions.BasePermission):
    """After support reset a lost second factor, the person's next sign-in must enrol a new one:
    until then only the methods a view lists in `open_before_mfa_enrolment` (enrol, confirm,
    who am I, sign out) answer, and every other request is a 403 `mfa_enrolment_required`."""

    def has_permission(self, request: Request, view: "APIView") -> bool:
        if getattr(request.user, "mfa_enrolment_required", False) and request.method not in getattr(
            view, "open_before_mfa_enrolment", ()
        ):
            raise MfaEnrolmentRequired
        return True
