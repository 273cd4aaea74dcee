"""The SMS backends: console (logs), locmem (memory, scripted failures), Twilio (against the fake)."""

import io
import logging
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from prometheus_client import REGISTRY

from assistant.core.logging import JsonFormatter
from sms.backends import PermanentSmsError, SendResult, TransientSmsError, _backend, get_backend, locmem
from sms.backends.console import ConsoleSmsBackend
from sms.backends.locmem import LocmemSmsBackend, SentSms
from sms.backends.twilio import BaseUrlHttpClient, TwilioSmsBackend
from tests.fakes.twilio_server import (
    MAGIC_INVALID_NUMBER,
    MAGIC_NOT_MOBILE_NUMBER,
    MAGIC_UNSUBSCRIBED_NUMBER,
    TEST_FROM_NUMBER,
    TEST_MESSAGING_SERVICE_SID,
    refusing_server,
    silent_server,
)

TO = "+15551234567"
MASKED_TO = "+1******4567"
SID = re.compile(r"^SM[0-9a-f]{32}$")
STATUS_CALLBACK = "https://assistant.example.com/sms/twilio/status"


def twilio_calls(outcome: str) -> float:
    labels = {"operation": "messages.create", "outcome": outcome}
    return REGISTRY.get_sample_value("twilio_api_request_duration_seconds_count", labels) or 0


def rebuilt_backend() -> TwilioSmsBackend:
    """The configured backend, built afresh from the settings as they are now."""
    _backend.cache_clear()
    backend = get_backend()
    assert isinstance(backend, TwilioSmsBackend)
    return backend


# --- console ------------------------------------------------------------------------------
def test_console_prints_the_text_but_logs_only_a_masked_number(caplog):
    body = "Take your meds: the blue pill"
    stream = io.StringIO()
    with caplog.at_level(logging.INFO, logger="sms.backends.console"):
        result = ConsoleSmsBackend(stream=stream).send(to=TO, body=body, status_callback=STATUS_CALLBACK)

    # Like the console email backend, the developer reads the message itself on stdout.
    assert body in stream.getvalue()
    assert TO not in stream.getvalue()

    assert re.fullmatch(r"CONSOLE[0-9a-f]{32}", result.sid)
    assert (result.status, result.segments) == ("sent", 1)
    (record,) = caplog.records
    assert record.getMessage() == "sms sent (console)"
    assert (record.event, record.to, record.segments, record.body_length) == (
        "sms_console",
        MASKED_TO,
        1,
        len(body),
    )
    line = JsonFormatter().format(record)
    for text in (caplog.text, line, repr(record.__dict__)):
        assert TO not in text
        assert "blue pill" not in text
    assert MASKED_TO in line


# --- locmem -------------------------------------------------------------------------------
def test_locmem_records_messages_in_its_outbox(settings):
    settings.SMS_BACKEND = "sms.backends.locmem.LocmemSmsBackend"
    _backend.cache_clear()
    backend = get_backend()
    assert isinstance(backend, LocmemSmsBackend)

    result = backend.send(to=TO, body="hello", status_callback=STATUS_CALLBACK)

    assert SID.match(result.sid)
    assert (result.status, result.segments) == ("queued", 1)
    assert locmem.outbox == [SentSms(to=TO, body="hello", status_callback=STATUS_CALLBACK, sid=result.sid)]
    _backend.cache_clear()


def test_locmem_raises_scripted_failures_in_order_then_sends():
    rate_limited = TransientSmsError("rate limited", code=20429, http_status=429, retry_after=5)
    unsubscribed = PermanentSmsError("unsubscribed", code=21610, http_status=400)
    locmem.failures.extend([rate_limited, unsubscribed])
    backend = LocmemSmsBackend()

    with pytest.raises(TransientSmsError) as first:
        backend.send(to=TO, body="one")
    with pytest.raises(PermanentSmsError) as second:
        backend.send(to=TO, body="two")
    backend.send(to=TO, body="three")

    assert (first.value, second.value) == (rate_limited, unsubscribed)
    assert second.value.code == 21610
    assert [sms.body for sms in locmem.outbox] == ["three"]


def test_locmem_reset_clears_outbox_and_failures():
    LocmemSmsBackend().send(to=TO, body="x")
    locmem.failures.append(TransientSmsError("later"))
    locmem.reset()
    assert (locmem.outbox, locmem.failures) == ([], [])


# --- twilio: success ----------------------------------------------------------------------
def test_twilio_sends_through_the_api(twilio_fake):
    backend = get_backend()
    assert isinstance(backend, TwilioSmsBackend)
    before = twilio_calls("success")

    result = backend.send(to=TO, body="Drink water", status_callback=STATUS_CALLBACK)

    assert isinstance(result, SendResult)
    assert SID.match(result.sid)
    assert (result.status, result.segments, result.price, result.price_unit) == ("queued", 1, None, "USD")
    (message,) = twilio_fake.messages
    assert message["sid"] == result.sid
    assert (message["to"], message["from"], message["body"], message["status_callback"]) == (
        TO,
        TEST_FROM_NUMBER,
        "Drink water",
        STATUS_CALLBACK,
    )
    (request,) = twilio_fake.requests
    assert (request.method, request.path) == (
        "POST",
        f"/2010-04-01/Accounts/{twilio_fake.account_sid}/Messages.json",
    )
    assert request.auth == (twilio_fake.account_sid, twilio_fake.auth_token)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["User-Agent"].startswith("twilio-python/")
    assert request.form == {
        "To": [TO],
        "From": [TEST_FROM_NUMBER],
        "Body": ["Drink water"],
        "StatusCallback": [STATUS_CALLBACK],
    }
    assert twilio_calls("success") == before + 1


def test_twilio_reports_segments_as_an_int(twilio_fake):
    result = get_backend().send(to=TO, body="a" * 161)
    assert result.segments == 2
    assert twilio_fake.messages[0]["num_segments"] == "2"


def test_twilio_omits_status_callback_when_none(twilio_fake):
    get_backend().send(to=TO, body="hi")
    assert "StatusCallback" not in twilio_fake.requests[0].form


def test_twilio_client_and_connection_are_reused(twilio_fake):
    backend = get_backend()
    client = backend.client
    for n in range(3):
        backend.send(to=TO, body=f"message {n}")
    assert backend.client is client
    assert get_backend() is backend
    assert len({request.peer for request in twilio_fake.requests}) == 1  # one kept-alive connection


def test_twilio_uses_the_messaging_service_without_a_from_number(twilio_fake, settings):
    settings.TWILIO_FROM_NUMBER = ""
    settings.TWILIO_MESSAGING_SERVICE_SID = TEST_MESSAGING_SERVICE_SID
    backend = rebuilt_backend()

    result = backend.send(to=TO, body="hi")

    form = twilio_fake.requests[0].form
    assert form["MessagingServiceSid"] == [TEST_MESSAGING_SERVICE_SID]
    assert "From" not in form
    # Twilio has not picked a sender yet: "accepted", and no segment count until it has.
    assert (result.status, result.segments) == ("accepted", None)


def test_twilio_prefers_the_from_number_when_both_are_set(twilio_fake, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = TEST_MESSAGING_SERVICE_SID
    rebuilt_backend().send(to=TO, body="hi")
    form = twilio_fake.requests[0].form
    assert form["From"] == [TEST_FROM_NUMBER]
    assert "MessagingServiceSid" not in form


def test_twilio_region_from_the_environment_still_reaches_the_base_url(twilio_fake, monkeypatch):
    # twilio-python turns api.twilio.com into api.<edge>.<region>.twilio.com from these.
    monkeypatch.setenv("TWILIO_REGION", "ie1")
    monkeypatch.setenv("TWILIO_EDGE", "dublin")
    rebuilt_backend().send(to=TO, body="hi")
    assert len(twilio_fake.messages) == 1


# --- twilio: errors from the API ------------------------------------------------------------
def test_twilio_429_is_transient_with_retry_after(twilio_fake):
    twilio_fake.fail_next(429, retry_after=30)
    before = twilio_calls("transient_error")

    with pytest.raises(TransientSmsError) as caught:
        get_backend().send(to=TO, body="hi")

    error = caught.value
    assert (error.code, error.http_status, error.retry_after) == (20429, 429, 30.0)
    assert twilio_calls("transient_error") == before + 1
    assert twilio_fake.messages == []


def test_twilio_retry_after_as_an_http_date(twilio_fake):
    twilio_fake.fail_next(503, retry_after=format_datetime(datetime.now(UTC) + timedelta(seconds=90), True))
    with pytest.raises(TransientSmsError) as caught:
        get_backend().send(to=TO, body="hi")
    assert caught.value.http_status == 503
    assert 80 <= caught.value.retry_after <= 90


def test_twilio_500_is_transient_and_the_next_call_succeeds(twilio_fake):
    twilio_fake.fail_next(500)
    backend = get_backend()

    with pytest.raises(TransientSmsError) as caught:
        backend.send(to=TO, body="hi")
    assert (caught.value.code, caught.value.http_status, caught.value.retry_after) == (20500, 500, None)

    assert SID.match(backend.send(to=TO, body="hi").sid)
    assert len(twilio_fake.requests) == 2  # the client itself never retried


def test_twilio_does_not_carry_a_retry_after_from_an_earlier_response(twilio_fake):
    backend = get_backend()
    twilio_fake.fail_next(429, retry_after=30)
    with pytest.raises(TransientSmsError):
        backend.send(to=TO, body="hi")
    twilio_fake.fail_next(500)
    with pytest.raises(TransientSmsError) as caught:
        backend.send(to=TO, body="hi")
    assert caught.value.retry_after is None


@pytest.mark.parametrize(
    ("to", "code"),
    [
        ("12345", 21211),
        (MAGIC_INVALID_NUMBER, 21211),
        (MAGIC_UNSUBSCRIBED_NUMBER, 21610),
        (MAGIC_NOT_MOBILE_NUMBER, 21614),
    ],
)
def test_twilio_4xx_is_permanent_with_the_code(twilio_fake, to, code):
    before = twilio_calls("permanent_error")

    with pytest.raises(PermanentSmsError) as caught:
        get_backend().send(to=to, body="hi")

    assert (caught.value.code, caught.value.http_status, caught.value.retry_after) == (code, 400, None)
    assert twilio_calls("permanent_error") == before + 1


def test_twilio_error_messages_do_not_carry_the_full_number(twilio_fake):
    with pytest.raises(PermanentSmsError) as caught:
        get_backend().send(to=MAGIC_INVALID_NUMBER, body="hi")
    assert MAGIC_INVALID_NUMBER not in str(caught.value)
    assert "+1******0001" in str(caught.value)


def test_twilio_wrong_credentials_are_retried_not_given_up(twilio_fake, settings):
    """Bad credentials are our deployment's mistake: messages wait for the fix."""
    settings.TWILIO_AUTH_TOKEN = "not-the-token"
    with pytest.raises(TransientSmsError) as caught:
        rebuilt_backend().send(to=TO, body="hi")
    assert (caught.value.code, caught.value.http_status) == (20003, 401)
    assert twilio_fake.requests[0].auth == (twilio_fake.account_sid, "not-the-token")


# --- twilio: the network fails --------------------------------------------------------------
def test_twilio_server_that_never_answers_is_transient_within_the_timeout(twilio_fake, settings):
    settings.TWILIO_TIMEOUT_SECONDS = 0.5
    before = twilio_calls("transient_error")
    with silent_server() as base_url:
        settings.TWILIO_API_BASE_URL = base_url
        backend = rebuilt_backend()
        started = time.monotonic()
        with pytest.raises(TransientSmsError) as caught:
            backend.send(to=TO, body="hi")
        elapsed = time.monotonic() - started

    assert 0.4 <= elapsed < 3
    assert "did not answer within 0.5 s" in str(caught.value)
    assert (caught.value.code, caught.value.http_status, caught.value.retry_after) == (None, None, None)
    assert twilio_calls("transient_error") == before + 1


def test_twilio_connection_refused_is_transient(twilio_fake, settings):
    with refusing_server() as base_url:
        settings.TWILIO_API_BASE_URL = base_url
        backend = rebuilt_backend()
        started = time.monotonic()
        with pytest.raises(TransientSmsError) as caught:
            backend.send(to=TO, body="hi")
    assert time.monotonic() - started < 3
    assert "could not be reached" in str(caught.value)
    assert caught.value.http_status is None


# --- twilio: configuration --------------------------------------------------------------------
@pytest.mark.parametrize(
    "missing",
    ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", ("TWILIO_FROM_NUMBER", "TWILIO_MESSAGING_SERVICE_SID")],
)
def test_twilio_backend_refuses_an_incomplete_configuration(twilio_fake, settings, missing):
    for name in missing if isinstance(missing, tuple) else (missing,):
        setattr(settings, name, "")
    with pytest.raises(ImproperlyConfigured):
        TwilioSmsBackend()


def test_twilio_backend_refuses_a_base_url_that_is_not_http(twilio_fake, settings):
    settings.TWILIO_API_BASE_URL = "api.twilio.com"
    with pytest.raises(ImproperlyConfigured):
        TwilioSmsBackend()


def test_base_url_rewrites_only_twilio_hosts():
    client = BaseUrlHttpClient("http://127.0.0.1:9999/prefix/", timeout=1)
    assert (
        client.rebase("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?x=1")
        == "http://127.0.0.1:9999/prefix/2010-04-01/Accounts/AC1/Messages.json?x=1"
    )
    assert client.rebase("https://api.dublin.ie1.twilio.com/2010-04-01/x.json") == (
        "http://127.0.0.1:9999/prefix/2010-04-01/x.json"
    )
    assert client.rebase("https://example.com/2010-04-01/x.json") == "https://example.com/2010-04-01/x.json"
    default = BaseUrlHttpClient(timeout=1)
    assert default.rebase("https://api.twilio.com/x.json") == "https://api.twilio.com/x.json"
