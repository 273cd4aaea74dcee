"""Twilio's webhooks: signed form posts in, TwiML (or an empty 204-like answer) out."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from assistant.core.net import client_ip
from assistant.users.models import SecurityEvent
from assistant.users.services import security_event_record
from sms import metrics, services

logger = logging.getLogger(__name__)

MAX_BODY = 1600
View = Callable[[HttpRequest], HttpResponse]


def _public_url(request: HttpRequest) -> str:
    """The URL as Twilio called it: behind a proxy, from SMS_PUBLIC_BASE_URL."""
    base: str = settings.SMS_PUBLIC_BASE_URL
    if base:
        return base + request.get_full_path()
    return request.build_absolute_uri()


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(text + "\n", status=status, content_type="text/plain")


def twilio_signed(view: View) -> View:
    """403, a security event and a counter for anything Twilio did not sign."""

    @csrf_exempt
    @require_POST
    def wrapper(request: HttpRequest) -> HttpResponse:
        signature = request.headers.get("X-Twilio-Signature", "")
        validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
        if not settings.TWILIO_AUTH_TOKEN or not validator.validate(
            _public_url(request), request.POST, signature
        ):
            metrics.sms_received_total.labels(result="forged").inc()
            security_event_record(
                kind=SecurityEvent.Kind.FORGED_REQUEST,
                severity=SecurityEvent.Severity.WARNING,
                ip=client_ip(request),
                details={"path": request.path, "signature_present": bool(signature)},
            )
            return _plain(403, "Invalid Twilio signature.")
        return view(request)

    return wrapper


def _missing(request: HttpRequest, *fields: str) -> list[str]:
    return [field for field in fields if field not in request.POST]


def _has_nul(request: HttpRequest) -> bool:
    """Twilio never sends NUL characters, and PostgreSQL cannot store (or even compare) them."""
    return any("\x00" in value for _, values in request.POST.lists() for value in values)


@twilio_signed
def inbound(request: HttpRequest) -> HttpResponse:
    if missing := _missing(request, "MessageSid", "From", "To", "Body"):
        metrics.sms_received_total.labels(result="invalid").inc()
        return _plain(400, f"Missing fields: {', '.join(missing)}.")
    if _has_nul(request):
        metrics.sms_received_total.labels(result="invalid").inc()
        return _plain(400, "Fields must not contain NUL characters.")
    body = request.POST["Body"]
    if len(body) > MAX_BODY:
        metrics.sms_received_total.labels(result="invalid").inc()
        return _plain(400, f"Body longer than {MAX_BODY} characters.")
    segments = request.POST.get("NumSegments", "1")
    reply = services.sms_inbound_handle(
        message_sid=request.POST["MessageSid"][:64],
        from_number=request.POST["From"],
        to_number=request.POST["To"],
        body=body,
        segments=int(segments) if segments.isdigit() else 1,
    )
    twiml = MessagingResponse()
    if reply:
        twiml.message(reply)
    # The charset said, not left to the XML declaration: a reply in French or Spanish is UTF-8,
    # and a client reading only the header would take it for Latin-1.
    return HttpResponse(str(twiml), content_type="text/xml; charset=utf-8")


@twilio_signed
def status_callback(request: HttpRequest) -> HttpResponse:
    if missing := _missing(request, "MessageSid", "MessageStatus"):
        return _plain(400, f"Missing fields: {', '.join(missing)}.")
    if _has_nul(request):
        return _plain(400, "Fields must not contain NUL characters.")
    services.sms_status_apply(
        message_sid=request.POST["MessageSid"][:64],
        status=request.POST["MessageStatus"],
        error_code=request.POST.get("ErrorCode", ""),
        price=request.POST.get("Price", ""),
        price_unit=request.POST.get("PriceUnit", ""),
        segments=request.POST.get("NumSegments", ""),
    )
    # Twilio only needs a 2xx; an ignored (unknown or late) callback is not its error.
    return HttpResponse(status=204)
