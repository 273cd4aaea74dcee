"""Request id and one JSON access-log line per request."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from assistant.core import context
from assistant.core.masking import is_secret_key

logger = logging.getLogger("assistant.request")

REQUEST_ID_HEADER = "X-Request-ID"
# A caller-supplied id is kept only if it is short and plain, so logs cannot be forged.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _request_id(request: HttpRequest) -> str:
    supplied = request.headers.get(REQUEST_ID_HEADER, "")
    return supplied if _VALID_REQUEST_ID.match(supplied) else uuid.uuid4().hex


def _loggable_path(request: HttpRequest) -> str:
    """The path, or its route pattern when the URL itself carries a secret (reset links).

    An unmatched path (a link missing its trailing slash, or cut short by a mail client)
    is tried against the routes with a slash added, so its secret is not logged either.
    """
    match = request.resolver_match
    if match is None:
        try:
            match = resolve(request.path_info.rstrip("/") + "/")
        except Resolver404:
            return request.path
    if any(is_secret_key(name) for name in match.kwargs):
        return "/" + match.route
    return request.path


def _level(status: int) -> int:
    """A 503 is an answer given on purpose (a health probe reporting a dependency down, a
    webhook not configured): worth a look, but not a fault of the code as other 5xx are."""
    if status == 503:
        return logging.WARNING
    return logging.ERROR if status >= 500 else logging.INFO


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Off only for bench/load_bench.py's comparison: the request id stays, the line goes.
        self.log_requests = settings.OBSERVABILITY_ENABLED

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = _request_id(request)
        request_token = context.request_id.set(request_id)
        user_token = context.user_id.set(None)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if not self.log_requests:
                return response
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else None
            status = response.status_code
            path = _loggable_path(request)
            logger.log(
                _level(status),
                "%s %s %s",
                request.method,
                path,
                status,
                extra={
                    "event": "http_request",
                    "user_id": user_id,
                    "method": request.method,
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            context.request_id.reset(request_token)
            context.user_id.reset(user_token)
