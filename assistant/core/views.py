from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse


@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request: Request) -> Response:
    """Where to start: the API's main entry points and its documentation."""
    return Response(
        {
            "register": reverse("auth-register", request=request),
            "login": reverse("auth-login", request=request),
            "me": reverse("auth-me", request=request),
            "chat": reverse("chat-messages", request=request),
            "todos": reverse("todo-list", request=request),
            "reminders": reverse("reminder-list", request=request),
            "agenda": reverse("agenda", request=request),
            "schema": reverse("schema", request=request),
            "docs": reverse("api-docs", request=request),
        }
    )
