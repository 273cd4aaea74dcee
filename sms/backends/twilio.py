"""Sends through Twilio's Messages API with the official client (twilio-python).

Settings: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER or
TWILIO_MESSAGING_SERVICE_SID (the number wins when both are set), TWILIO_API_BASE_URL
(another base URL for the API, e.g. a local fake in tests) and TWILIO_TIMEOUT_SECONDS.

twilio-python builds absolute URLs on https://api.twilio.com (or api.<edge>.<region>.twilio.com
with TWILIO_EDGE / TWILIO_REGION) and hands them to its HttpClient; BaseUrlHttpClient moves
those to TWILIO_API_BASE_URL. The client makes one attempt per call: retrying is the caller's
decision, guided by TransientSmsError and its retry_after.
"""

import json
import threading
import time
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from assistant.core.backoff import retry_after_from_headers
from assistant.core.masking import scrub_text
from sms.backends.base import BaseSmsBackend, PermanentSmsError, SendResult, SmsError, TransientSmsError
from sms.backends.metrics import OPERATION_MESSAGES_CREATE, twilio_api_request_duration_seconds

DEFAULT_API_BASE_URL = "https://api.twilio.com"
DEFAULT_TIMEOUT_SECONDS = 10.0


class BaseUrlHttpClient(TwilioHttpClient):
    """TwilioHttpClient that sends what is meant for *.twilio.com to another base URL.

    It also keeps, per thread, the last response it received: twilio-python's
    TwilioRestException carries neither the response nor its headers (Retry-After).
    """

    def __init__(self, base_url: str = DEFAULT_API_BASE_URL, *, timeout: float | None = None) -> None:
        super().__init__(timeout=timeout)
        base_url = base_url.rstrip("/")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ImproperlyConfigured(f"TWILIO_API_BASE_URL must be an http(s) URL, not {base_url!r}.")
        self._base = None if base_url == DEFAULT_API_BASE_URL else parts
        self._local = threading.local()

    def rebase(self, url: str) -> str:
        """The URL with its scheme and host (https://api.twilio.com) replaced by the base URL's."""
        if self._base is None:
            return url
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host != "twilio.com" and not host.endswith(".twilio.com"):
            return url
        return urlunsplit(
            (self._base.scheme, self._base.netloc, self._base.path + parts.path, parts.query, parts.fragment)
        )

    @property
    def last_response(self) -> Response | None:
        """The response to this thread's last request (None if it raised before one came)."""
        return getattr(self._local, "response", None)

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        self._local.response = None
        response = super().request(
            method,
            self.rebase(url),
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )
        self._local.response = response
        return response


def _segments(value: Any) -> int | None:
    # With a Messaging Service and no From, Twilio answers num_segments "0": not known yet.
    try:
        segments = int(value)
    except (TypeError, ValueError):
        return None
    return segments if segments > 0 else None


def _price(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


class TwilioSmsBackend(BaseSmsBackend):
    def __init__(self) -> None:
        account_sid = getattr(settings, "TWILIO_ACCOUNT_SID", "") or ""
        auth_token = getattr(settings, "TWILIO_AUTH_TOKEN", "") or ""
        self.from_number = getattr(settings, "TWILIO_FROM_NUMBER", "") or ""
        self.messaging_service_sid = getattr(settings, "TWILIO_MESSAGING_SERVICE_SID", "") or ""
        if not account_sid or not auth_token:
            raise ImproperlyConfigured("TwilioSmsBackend needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.")
        if not self.from_number and not self.messaging_service_sid:
            raise ImproperlyConfigured(
                "TwilioSmsBackend needs TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID."
            )
        self.timeout = float(getattr(settings, "TWILIO_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
        base_url = getattr(settings, "TWILIO_API_BASE_URL", "") or DEFAULT_API_BASE_URL
        self.http_client = BaseUrlHttpClient(base_url, timeout=self.timeout)
        # One client (and one pooled requests session) for the life of the backend.
        self.client = Client(account_sid, auth_token, http_client=self.http_client)

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> SendResult:
        options: dict[str, str] = {}
        if self.from_number:
            options["from_"] = self.from_number
        else:
            options["messaging_service_sid"] = self.messaging_service_sid
        if status_callback:
            options["status_callback"] = status_callback

        started = time.perf_counter()
        outcome = "permanent_error"
        try:
            message = self.client.messages.create(to=to, body=body, **options)
            outcome = "success"
        except (TwilioRestException, TwilioServiceException) as error:
            sms_error = self._api_error(error)
            outcome = "transient_error" if isinstance(sms_error, TransientSmsError) else "permanent_error"
            raise sms_error from error
        except requests.Timeout as error:  # connect or read timeout: Twilio may or may not have it
            outcome = "transient_error"
            raise TransientSmsError(f"Twilio did not answer within {self.timeout:g} s") from error
        except requests.RequestException as error:  # connection refused, reset, DNS, broken response
            outcome = "transient_error"
            raise TransientSmsError(f"Twilio could not be reached: {type(error).__name__}") from error
        except json.JSONDecodeError as error:  # a 2xx whose body is not JSON
            outcome = "transient_error"
            raise TransientSmsError("Twilio answered with an unreadable body") from error
        finally:
            twilio_api_request_duration_seconds.labels(OPERATION_MESSAGES_CREATE, outcome).observe(
                time.perf_counter() - started
            )
        assert message.sid is not None  # a message Twilio created has its SID
        return SendResult(
            sid=message.sid,
            status=str(message.status),
            segments=_segments(message.num_segments),
            price=_price(message.price),
            price_unit=message.price_unit or None,
        )

    def _api_error(self, error: TwilioRestException | TwilioServiceException) -> SmsError:
        status = int(error.status) if error.status is not None else None
        # twilio-python puts the HTTP status in .code when the body had no Twilio code.
        code = error.code if isinstance(error.code, int) and error.code != status else None
        detail = error.msg if isinstance(error, TwilioRestException) else error.detail or error.title
        message = scrub_text(f"Twilio error {code} (HTTP {status}): {detail}")
        # 401/403 mean our credentials are wrong (a deployment mistake, not this message's
        # fault): retried, so messages go out once the credentials are fixed.
        if status in (401, 403, 429) or (status is not None and status >= 500):
            retry_after = None
            response = self.http_client.last_response
            if response is not None and response.status_code == status:
                retry_after = retry_after_from_headers(response.headers)
            return TransientSmsError(message, code=code, http_status=status, retry_after=retry_after)
        return PermanentSmsError(message, code=code, http_status=status)
