"""Django's own loggers write JSON lines with their level, through the settings' LOGGING."""

from django.core.servers.basehttp import WSGIRequestHandler
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import log_response

from tests.logs import CapturedLogs


def test_a_runserver_4xx_line_is_json_with_its_level(logs: CapturedLogs) -> None:
    # Django's own method, on a handler with no connection behind it.
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None

    handler.log_message('"%s" %s %s', "GET /missing HTTP/1.1", "404", "179")

    [line] = logs.lines()
    assert (line["logger"], line["level"], line["event"]) == ("django.server", "WARNING", "django.server")
    assert line["message"] == '"GET /missing HTTP/1.1" 404 179'


def test_django_request_keeps_only_tracebacks(logs: CapturedLogs) -> None:
    """Its line for a plain 4xx or 5xx repeats RequestLogMiddleware's; a traceback does not."""
    request = RequestFactory().get("/broken")
    log_response("Service Unavailable: %s", request.path, response=HttpResponse(status=503), request=request)
    try:
        raise RuntimeError("the view broke")
    except RuntimeError as broken:
        log_response(
            "Internal Server Error: %s",
            request.path,
            response=HttpResponse(status=500),
            request=request,
            exception=broken,
        )

    [line] = logs.lines()
    assert (line["logger"], line["level"]) == ("django.request", "ERROR")
    assert "RuntimeError: the view broke" in line["exc_info"]
