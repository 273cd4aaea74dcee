"""A local stand-in for Twilio's Messages API, and signed webhooks as Twilio sends them.

FakeTwilio is a real HTTP server on 127.0.0.1 (deploy/local/servers.py: a free port, a daemon
thread) speaking the 2010-04-01 wire format: POST /2010-04-01/Accounts/{AccountSid}/Messages.json
with a form-encoded body and HTTP Basic auth (account SID, auth token); it answers 201 with a
message resource, or Twilio's error JSON ({code, message, more_info, status}).

Like Twilio's test credentials, a few magic numbers fail: +15005550001 is not a valid
number (21211), +15005550004 is unsubscribed (21610), +15005550009 is not a mobile (21614).
Add more with `fake.unsubscribed.add(...)` / `fake.not_mobile.add(...)`, and script
outages with `fake.fail_next(429, retry_after=30)` or `fake.fail_next(500, times=3)`.

The `twilio_fake` fixture starts one, points the settings (and SMS_BACKEND) at it and stops
it afterwards; `status_callback_request` and `inbound_sms_request` build the form fields and
X-Twilio-Signature of Twilio's webhooks, for POSTing to our views with Django's test client.
"""

import base64
import binascii
import contextlib
import json
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

import pytest
from twilio.request_validator import RequestValidator

from deploy.local.servers import LocalServer
from sms.segments import segments_count

API_VERSION = "2010-04-01"
TEST_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TEST_AUTH_TOKEN = "fake-twilio-auth-token-0123456789"
TEST_FROM_NUMBER = "+15005550006"  # Twilio's magic "valid sender" test number
TEST_MESSAGING_SERVICE_SID = "MG" + "fedcba9876543210" * 2

MAGIC_INVALID_NUMBER = "+15005550001"
MAGIC_UNSUBSCRIBED_NUMBER = "+15005550004"
MAGIC_NOT_MOBILE_NUMBER = "+15005550009"

MAX_BODY_CHARACTERS = 1600
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")
_MESSAGE_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json$")

# Twilio's error bodies: {code, message, more_info, status}.
_ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    20503: "Service is unavailable. Please try again",
    21211: "The 'To' number {to} is not a valid phone number.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}
_DEFAULT_CODES = {401: 20003, 404: 20404, 429: 20429, 500: 20500, 502: 20500, 503: 20503, 504: 20500}


def error_body(status: int, code: int | None, message: str | None = None) -> dict[str, Any]:
    """Twilio's JSON error body for a failed 2010-04-01 API request."""
    code = code if code is not None else _DEFAULT_CODES.get(status, status)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {
        "code": code,
        "message": message or _ERROR_MESSAGES.get(code, phrase),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _rfc2822(moment: datetime) -> str:
    return format_datetime(moment)  # "Thu, 24 Aug 2023 05:01:45 +0000"


@dataclass
class ScriptedFailure:
    status: int
    code: int | None = None
    retry_after: float | str | None = None
    message: str | None = None


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]
    auth: tuple[str, str] | None  # the Basic credentials sent, if any
    peer: tuple[str, int] | None = None  # the client's address: the same port means a reused connection
    status: int = 0  # what the fake answered

    def field(self, name: str) -> str | None:
        values = self.form.get(name)
        return values[0] if values else None


@dataclass
class FakeTwilio(LocalServer):
    account_sid: str = TEST_ACCOUNT_SID
    auth_token: str = TEST_AUTH_TOKEN
    host: str = "127.0.0.1"
    messages: list[dict[str, Any]] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    unsubscribed: set[str] = field(default_factory=lambda: {MAGIC_UNSUBSCRIBED_NUMBER})
    not_mobile: set[str] = field(default_factory=lambda: {MAGIC_NOT_MOBILE_NUMBER})
    invalid: set[str] = field(default_factory=lambda: {MAGIC_INVALID_NUMBER})

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[ScriptedFailure] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_Handler,), {"twilio": self})

    @property
    def messages_url(self) -> str:
        return f"{self.base_url}/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"

    # --- scripting --------------------------------------------------------------------
    def fail_next(
        self,
        status: int,
        code: int | None = None,
        retry_after: float | str | None = None,
        times: int = 1,
        message: str | None = None,
    ) -> None:
        """Answer the next `times` requests with this error (429 -> code 20429, 500 -> 20500...)."""
        with self._lock:
            self._failures.extend(ScriptedFailure(status, code, retry_after, message) for _ in range(times))

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()
            self.messages.clear()
            self.requests.clear()

    def _next_failure(self) -> ScriptedFailure | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    # --- the API ----------------------------------------------------------------------
    def _create_message(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        def value(name: str) -> str | None:
            values = form.get(name)
            return values[0] if values else None

        to, from_, service = value("To"), value("From"), value("MessagingServiceSid")
        body = value("Body")
        if not to:
            return 400, error_body(400, 21604)
        if not _E164.match(to) or to in self.invalid:
            return 400, error_body(400, 21211, _ERROR_MESSAGES[21211].format(to=to))
        if not from_ and not service:
            return 400, error_body(400, 21603)
        if not body and not form.get("MediaUrl") and not value("ContentSid"):
            return 400, error_body(400, 21602)
        if body and len(body) > MAX_BODY_CHARACTERS:
            return 400, error_body(400, 21617)
        if to in self.unsubscribed:
            return 400, error_body(400, 21610)
        if to in self.not_mobile:
            return 400, error_body(400, 21614)

        sid = f"SM{uuid.uuid4().hex}"
        now = _rfc2822(datetime.now(UTC))
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json"
        # With a Messaging Service and no From, Twilio picks the sender later: the message is
        # "accepted", with no from and num_segments "0" until then.
        pooled = not from_
        message = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body or "",
            "date_created": now,
            "date_sent": now,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": service,
            "num_media": str(len(form.get("MediaUrl", []))),
            "num_segments": "0" if pooled else str(segments_count(body or "")),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if pooled else "queued",
            "subresource_uris": {"media": uri.removesuffix(".json") + "/Media.json"},
            "to": to,
            "uri": uri,
        }
        with self._lock:
            self.messages.append({**message, "status_callback": value("StatusCallback")})
        return 201, message

    def _fetch_message(self, sid: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            for message in self.messages:
                if message["sid"] == sid:
                    return 200, {k: v for k, v in message.items() if k != "status_callback"}
        return 404, error_body(404, 20404)


class _Handler(BaseHTTPRequestHandler):
    twilio: FakeTwilio
    protocol_version = "HTTP/1.1"  # keep-alive, as requests' pooled session expects
    server_version = "FakeTwilio/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests read fake.requests instead

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _credentials(self) -> tuple[str, str] | None:
        header = self.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            username, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return username, password

    def _handle(self, method: str) -> None:
        fake = self.twilio
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        path, _, query = self.path.partition("?")
        form = parse_qs(raw if method == "POST" else query, keep_blank_values=True)
        record = RecordedRequest(
            method=method,
            path=path,
            headers=dict(self.headers.items()),
            form=form,
            auth=self._credentials(),
            peer=self.client_address[:2],
        )
        with fake._lock:
            fake.requests.append(record)

        extra_headers: dict[str, str] = {}
        failure = fake._next_failure()
        if failure is not None:
            status, payload = failure.status, error_body(failure.status, failure.code, failure.message)
            if failure.retry_after is not None:
                extra_headers["Retry-After"] = str(failure.retry_after)
        elif record.auth != (fake.account_sid, fake.auth_token):
            status, payload = 401, error_body(401, 20003)
            extra_headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
        else:
            status, payload = self._route(method, path, form)
        record.status = status
        self._respond(status, payload, extra_headers)

    def _route(self, method: str, path: str, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        fake = self.twilio
        if (match := _MESSAGES_PATH.match(path)) and match["account"] == fake.account_sid:
            if method == "POST":
                return fake._create_message(form)
        elif (match := _MESSAGE_PATH.match(path)) and match["account"] == fake.account_sid:
            if method == "GET":
                return fake._fetch_message(match["sid"])
        else:
            return 404, error_body(404, 20404, f"The requested resource {path} was not found")
        return 405, error_body(405, 20004, "Method not allowed")

    def _respond(self, status: int, payload: dict[str, Any], extra_headers: dict[str, str]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Twilio-Request-Id", f"RQ{uuid.uuid4().hex}")
        for name, value in extra_headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


# --- endpoints that fail at the socket level ------------------------------------------
@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A base URL whose server accepts connections (the kernel completes them) but never answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


@contextlib.contextmanager
def refusing_server() -> Iterator[str]:
    """A base URL on a port that is held (so nothing else takes it) but refuses connections."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        holder.bind(("127.0.0.1", 0))  # bound, never listening: connecting gets a RST
        yield f"http://127.0.0.1:{holder.getsockname()[1]}"
    finally:
        holder.close()


# --- webhooks as Twilio sends them --------------------------------------------------------
def _signed(url: str, auth_token: str, params: dict[str, str]) -> tuple[dict[str, str], str]:
    return params, RequestValidator(auth_token).compute_signature(url, params)


def _country(number: str) -> str:
    import phonenumbers

    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number)) or ""
    except phonenumbers.NumberParseException:
        return ""


def status_callback_request(
    url: str,
    auth_token: str = TEST_AUTH_TOKEN,
    *,
    message_sid: str,
    status: str,
    to: str,
    from_: str,
    error_code: int | str | None = None,
    price: str | None = None,
    price_unit: str = "USD",
    num_segments: int | None = None,
    account_sid: str = TEST_ACCOUNT_SID,
    messaging_service_sid: str | None = None,
) -> tuple[dict[str, str], str]:
    """The form fields Twilio POSTs to a message's StatusCallback, and their X-Twilio-Signature.

    `url` must be the full URL the view sees (with the test client: "http://testserver/...").
    ErrorCode is sent for failed/undelivered messages (pass error_code); Price/PriceUnit and
    NumSegments only when given.
    """
    params = {
        "MessageSid": message_sid,
        "SmsSid": message_sid,
        "AccountSid": account_sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "To": to,
        "From": from_,
        "ApiVersion": API_VERSION,
    }
    if messaging_service_sid:
        params["MessagingServiceSid"] = messaging_service_sid
    if error_code is not None:
        params["ErrorCode"] = str(error_code)
    if price is not None:
        params["Price"] = str(price)
        params["PriceUnit"] = price_unit
    if num_segments is not None:
        params["NumSegments"] = str(num_segments)
    return _signed(url, auth_token, params)


def inbound_sms_request(
    url: str,
    auth_token: str = TEST_AUTH_TOKEN,
    *,
    message_sid: str,
    from_: str,
    to: str,
    body: str,
    num_segments: int = 1,
    account_sid: str = TEST_ACCOUNT_SID,
    messaging_service_sid: str | None = None,
    opt_out_type: str | None = None,
) -> tuple[dict[str, str], str]:
    """The form fields Twilio POSTs to a number's incoming-message webhook, and their signature.

    OptOutType (STOP, START, HELP) is only sent by Messaging Services with Advanced Opt-Out.
    """
    params = {
        "MessageSid": message_sid,
        "SmsSid": message_sid,
        "SmsMessageSid": message_sid,
        "AccountSid": account_sid,
        "From": from_,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": str(num_segments),
        "SmsStatus": "received",
        "FromCountry": _country(from_),
        "FromState": "",
        "FromCity": "",
        "FromZip": "",
        "ToCountry": _country(to),
        "ToState": "",
        "ToCity": "",
        "ToZip": "",
        "ApiVersion": API_VERSION,
    }
    if messaging_service_sid:
        params["MessagingServiceSid"] = messaging_service_sid
    if opt_out_type:
        params["OptOutType"] = opt_out_type
    return _signed(url, auth_token, params)


# --- the pytest fixture (re-exported by sms/tests/conftest.py) ----------------------------
@pytest.fixture
def twilio_fake(settings) -> Iterator[FakeTwilio]:
    """A running FakeTwilio, with SMS_BACKEND and the TWILIO_* settings pointing at it."""
    from sms.backends import _backend

    with FakeTwilio() as fake:
        settings.TWILIO_API_BASE_URL = fake.base_url
        settings.TWILIO_ACCOUNT_SID = fake.account_sid
        settings.TWILIO_AUTH_TOKEN = fake.auth_token
        settings.TWILIO_FROM_NUMBER = TEST_FROM_NUMBER
        settings.TWILIO_MESSAGING_SERVICE_SID = ""
        settings.TWILIO_TIMEOUT_SECONDS = 5
        settings.SMS_BACKEND = "sms.backends.twilio.TwilioSmsBackend"
        _backend.cache_clear()  # backends read their settings once, when first built
        try:
            yield fake
        finally:
            _backend.cache_clear()
