"""The app's URLs plus /bench/reference: the project's stack with an empty view.

Not a bare DRF endpoint: every request still goes through the project's middleware,
token authentication, throttles and instrumentation, and only the view does nothing. Its cost
is what the stack adds before any work; the bare anchor is a separate app (bench/anchor).
"""

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as app_urlpatterns


class EmptyView(APIView):
    """The project's defaults (authentication, permission, throttles, renderers); no query."""

    def get(self, request: Request) -> Response:
        return Response([])


urlpatterns = [
    path("bench/reference", EmptyView.as_view(), name="bench-reference"),
    *app_urlpatterns,
]
