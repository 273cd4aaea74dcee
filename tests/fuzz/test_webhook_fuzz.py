"""Twilio's two webhooks under random and malformed form bodies.

Correctly signed bodies reach the handlers: they must answer 200 TwiML (inbound), 204
(status callback) or a 400 that says what is wrong. Unsigned or mis-signed bodies are 403.
Nothing is ever a 500. Bodies mix Twilio's real field names with random ones, huge and
unicode values, missing required fields, wrong types and repeated keys; MessageSids come
from a small pool so retries of the same message happen within a run.
"""

import os
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from django.conf import settings as django_settings
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

pytestmark = pytest.mark.django_db

INBOUND = "/sms/twilio/inbound"
STATUS = "/sms/twilio/status"
PHONE = "+33612345678"
FORM = "application/x-www-form-urlencoded"

fuzz_settings = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

TWILIO_FIELDS = [
    "MessageSid",
    "SmsSid",
    "AccountSid",
    "From",
    "To",
    "Body",
    "NumMedia",
    "NumSegments",
    "MessageStatus",
    "SmsStatus",
    "ErrorCode",
    "Price",
    "PriceUnit",
    "ApiVersion",
    "OptOutType",
]
# Text as Twilio could never send it, and as it does: NULs, controls, emoji, RTL, huge.
text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["", " ", "STOP", "start", " HELP ", "done", "snooze 10", "\x00", "🙂" * 900]),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(0, 20_000).map(lambda n: "x" * n),
)
phone = st.one_of(st.just(PHONE), st.just("+15005550006"), text)
sid = st.one_of(st.sampled_from(["SM" + "a" * 32, "SM" + "b" * 32, "SMdup"]), text)
status = st.one_of(
    st.sampled_from(["queued", "sent", "delivered", "undelivered", "failed", "read", "receiving"]), text
)


@st.composite
def form_pairs(draw, required: tuple[str, ...]) -> list[tuple[str, str]]:
    """Form fields as (key, value) pairs: some required ones maybe dropped, others repeated."""
    known = {
        "MessageSid": sid,
        "SmsSid": sid,
        "From": phone,
        "To": phone,
        "MessageStatus": status,
        "NumSegments": text,
        "ErrorCode": text,
        "Price": text,
    }
    pairs = [
        (name, draw(known.get(name, text)))
        for name in required
        if draw(st.booleans()) or draw(st.booleans())  # mostly present
    ]
    extras = draw(
        st.lists(st.tuples(st.one_of(st.sampled_from(TWILIO_FIELDS), st.text(max_size=20)), text), max_size=6)
    )
    return draw(st.permutations(pairs + extras))


def _signature(path: str, body: str) -> str:
    params = QueryDict(body, mutable=True)
    return RequestValidator(django_settings.TWILIO_AUTH_TOKEN).compute_signature(
        f"http://testserver{path}", params
    )


def _post(client, path: str, pairs: list[tuple[str, str]], signature: str | None):
    body = urlencode(pairs)
    headers = {} if signature is None else {"HTTP_X_TWILIO_SIGNATURE": signature}
    return client.post(path, body, content_type=FORM, **headers)


def _assert_clear_refusal(response) -> None:
    assert response["Content-Type"].startswith("text/plain")
    message = response.content.decode()
    assert message.startswith(("Missing fields:", "Body longer than", "Fields must not contain NUL")), message


@pytest.fixture
def texter(db):
    from assistant.users.tests.factories import UserFactory

    return UserFactory(phone_number=PHONE, preferred_channel="sms", phone_verified=True)


def test_signed_inbound_messages_never_fail(client, texter):
    seen = set()

    @fuzz_settings
    @given(pairs=form_pairs(("MessageSid", "From", "To", "Body")))
    def fuzz(pairs):
        response = _post(client, INBOUND, pairs, _signature(INBOUND, urlencode(pairs)))

        assert response.status_code in (200, 400), (response.status_code, pairs)
        seen.add(response.status_code)
        if response.status_code == 200:
            assert response["Content-Type"].startswith("text/xml")
            assert ElementTree.fromstring(response.content).tag == "Response"
        else:
            _assert_clear_refusal(response)

    fuzz()
    assert seen == {200, 400}  # both the handler and its refusals were reached


def test_signed_status_callbacks_never_fail(client):
    seen = set()

    @fuzz_settings
    @given(pairs=form_pairs(("MessageSid", "MessageStatus")))
    def fuzz(pairs):
        response = _post(client, STATUS, pairs, _signature(STATUS, urlencode(pairs)))

        assert response.status_code in (204, 400), (response.status_code, pairs)
        seen.add(response.status_code)
        if response.status_code == 400:
            _assert_clear_refusal(response)

    fuzz()
    assert seen == {204, 400}


@pytest.mark.parametrize("path", [INBOUND, STATUS])
def test_unsigned_and_missigned_bodies_are_refused(client, texter, path):
    @fuzz_settings
    @given(
        pairs=form_pairs(("MessageSid", "From", "To", "Body", "MessageStatus")),
        signature=st.one_of(st.none(), st.text(max_size=60), st.just("")),
    )
    def fuzz(pairs, signature):
        if signature and signature == _signature(path, urlencode(pairs)):
            return  # a lucky guess is a valid signature
        response = _post(client, path, pairs, signature)

        assert response.status_code == 403, (response.status_code, pairs)

    fuzz()


def test_a_body_signed_for_the_other_webhook_or_another_token_is_refused(client, texter):
    pairs = [("MessageSid", "SM" + "c" * 32), ("From", PHONE), ("To", "+15005550006"), ("Body", "hi")]
    body = urlencode(pairs)
    other_token = RequestValidator("not-our-token").compute_signature(
        f"http://testserver{INBOUND}", QueryDict(body)
    )

    assert _post(client, INBOUND, pairs, _signature(STATUS, body)).status_code == 403
    assert _post(client, INBOUND, pairs, other_token).status_code == 403


RAW_BODIES = [
    (
        b'{"MessageSid": "SM1", "From": "+33612345678", "To": "+15005550006", "Body": "hi"}',
        "application/json",
    ),
    (b"\x00\xff\xfe\x80garbage\x9c" * 50, "application/octet-stream"),
    (b"\x00\xff\xfe\x80garbage\x9c" * 50, FORM),
    (b"MessageSid=%ZZ&From=%&Body=%E2%82", FORM),
    (b"<xml><Body>hi</Body></xml>", "text/xml"),
    (b"MessageSid=SM1&Body=hi", "text/plain"),
    (b'--x\r\nContent-Disposition: form-data; name="Body"\r\n\r\nhi\r\n', "multipart/form-data; boundary=x"),
    (b"--x\r\nbroken", "multipart/form-data"),
    (b"", FORM),
]


@pytest.mark.parametrize("path", [INBOUND, STATUS])
@pytest.mark.parametrize(("body", "content_type"), RAW_BODIES)
@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_raw_non_form_bodies_never_fail(client, texter, path, body, content_type, signed):
    """Signed over no form fields at all (what the view sees of a non-form body), such a body
    reaches the handler and is a 400 naming the missing fields; unsigned, a 403 -- except a
    multipart body without a boundary, which Django itself refuses (400) before any view."""
    headers = {}
    if signed:
        signature = RequestValidator(django_settings.TWILIO_AUTH_TOKEN).compute_signature(
            f"http://testserver{path}", {}
        )
        headers["HTTP_X_TWILIO_SIGNATURE"] = signature
    response = client.post(path, body, content_type=content_type, **headers)

    assert response.status_code in (400, 403), response.status_code
    if not signed and content_type != "multipart/form-data":
        assert response.status_code == 403


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_other_methods_are_405(client, method):
    assert getattr(client, method)(INBOUND).status_code == 405
