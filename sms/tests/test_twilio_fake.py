"""The fake Twilio server answers in Twilio's documented wire format.

Success bodies are checked against the message resource of Twilio's own OpenAPI
description (twilio-oai, api_v2010, reduced to the Messages paths) with OpenAPI 3.0's
`nullable` turned into JSON Schema, every declared property required and no other allowed.
The OpenAPI file declares no error responses, so error bodies are checked against the
documented shape of 2010-04-01 errors: {code, message, more_info, status}.
"""

import copy
import json
import re
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import requests
from django.test import RequestFactory
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from twilio.request_validator import RequestValidator

from tests.fakes.twilio_server import (
    MAGIC_INVALID_NUMBER,
    MAGIC_NOT_MOBILE_NUMBER,
    MAGIC_UNSUBSCRIBED_NUMBER,
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    TEST_FROM_NUMBER,
    TEST_MESSAGING_SERVICE_SID,
    FakeTwilio,
    inbound_sms_request,
    status_callback_request,
)
from tests.shared import SCHEMAS

OPENAPI_PATH = SCHEMAS / "twilio" / "messages_v2010.openapi.json"
OPENAPI_URI = "urn:twilio:api_v2010:messages"
MESSAGE_POINTER = "#/components/schemas/api.v2010.account.message"
TO = "+15551234567"
TIMEOUT = 5


def openapi_nullable_to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` -> JSON Schema: null joins the type (and the enum)."""
    if isinstance(node, list):
        return [openapi_nullable_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: openapi_nullable_to_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False) is True:
        if "$ref" in node:
            return {"anyOf": [{"$ref": node.pop("$ref")}, {"type": "null"}], **node}
        if "type" in node:
            types = node["type"] if isinstance(node["type"], list) else [node["type"]]
            node["type"] = [*types, "null"]
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
    return node


def _is_rfc2822(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return parsedate_to_datetime(value).tzinfo is not None
    except (TypeError, ValueError):
        return False


# The formats the Twilio OpenAPI file uses (jsonschema ignores formats it does not know).
FORMATS = FormatChecker()
FORMATS.checks("date-time-rfc-2822")(_is_rfc2822)
FORMATS.checks("phone-number")(lambda v: not isinstance(v, str) or bool(re.fullmatch(r"\+[1-9]\d{7,14}", v)))
FORMATS.checks("currency")(lambda v: not isinstance(v, str) or bool(re.fullmatch(r"[A-Za-z]{3}", v)))
FORMATS.checks("uri-map")(
    lambda v: not isinstance(v, dict) or all(isinstance(u, str) and u.startswith("/") for u in v.values())
)

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "more_info", "status"],
    "properties": {
        "code": {"type": "integer"},
        "message": {"type": "string", "minLength": 1},
        "more_info": {"type": "string", "pattern": r"^https://www\.twilio\.com/docs/errors/\d+$"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
    },
}


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return json.loads(OPENAPI_PATH.read_text())


@pytest.fixture(scope="module")
def message_validator(openapi) -> Draft202012Validator:
    document = openapi_nullable_to_json_schema(openapi)
    registry = Registry().with_resource(
        OPENAPI_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    declared = sorted(document["components"]["schemas"]["api.v2010.account.message"]["properties"])
    schema = {
        "$ref": f"{OPENAPI_URI}{MESSAGE_POINTER}",
        "required": declared,
        "unevaluatedProperties": False,
    }
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry, format_checker=FORMATS)


@pytest.fixture(scope="module")
def error_validator() -> Draft202012Validator:
    return Draft202012Validator(ERROR_SCHEMA, format_checker=FORMATS)


@pytest.fixture
def fake():
    with FakeTwilio() as server:
        yield server


def post(fake: FakeTwilio, data: dict[str, str], auth=None) -> requests.Response:
    return requests.post(
        fake.messages_url,
        data=data,
        auth=auth or (fake.account_sid, fake.auth_token),
        timeout=TIMEOUT,
    )


def created_examples(openapi: dict[str, Any]) -> dict[str, Any]:
    """The 201 examples of "Send a message" in the OpenAPI file."""
    post_op = openapi["paths"]["/2010-04-01/Accounts/{AccountSid}/Messages.json"]["post"]
    return post_op["responses"]["201"]["content"]["application/json"]["examples"]


# --- the schema tooling itself --------------------------------------------------------------
def test_nullable_conversion():
    assert openapi_nullable_to_json_schema({"type": "string", "nullable": True}) == {
        "type": ["string", "null"]
    }
    assert openapi_nullable_to_json_schema({"type": "string", "enum": ["a"], "nullable": True}) == {
        "type": ["string", "null"],
        "enum": ["a", None],
    }
    assert openapi_nullable_to_json_schema({"$ref": "#/x", "nullable": True}) == {
        "anyOf": [{"$ref": "#/x"}, {"type": "null"}]
    }
    assert openapi_nullable_to_json_schema({"type": "integer"}) == {"type": "integer"}


def test_twilios_own_examples_validate(openapi, message_validator):
    examples = created_examples(openapi)
    assert examples
    for example in examples.values():
        message_validator.validate(example["value"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "bogus"),  # the $ref'd enum is enforced
        ("direction", "sideways"),
        ("sid", "XX" + "0" * 32),  # pattern
        ("num_segments", 1),  # a string in Twilio's API, not a number
        ("date_created", "2023-08-24T05:01:45Z"),  # RFC 2822, not ISO 8601
        ("account_sid", None),  # fine by nullable, but...
    ],
)
def test_the_validator_rejects_what_twilio_would_not_send(openapi, message_validator, field, value):
    body = copy.deepcopy(created_examples(openapi)["create"]["value"])
    body[field] = value
    if value is None:
        message_validator.validate(body)  # ...null is allowed where the spec says nullable
        body["surprise"] = "field"
    with pytest.raises(ValidationError):
        message_validator.validate(body)


def test_the_validator_requires_every_declared_field(openapi, message_validator):
    body = copy.deepcopy(created_examples(openapi)["create"]["value"])
    del body["num_segments"]
    with pytest.raises(ValidationError, match="num_segments"):
        message_validator.validate(body)


# --- success --------------------------------------------------------------------------------
def test_create_message_matches_the_message_resource(fake, message_validator):
    response = post(
        fake, {"To": TO, "From": TEST_FROM_NUMBER, "Body": "Hello! 👍", "StatusCallback": "https://x/cb"}
    )

    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    message_validator.validate(body)
    assert body["to"] == TO
    assert body["from"] == TEST_FROM_NUMBER
    assert body["body"] == "Hello! 👍"
    assert (body["status"], body["direction"], body["api_version"]) == (
        "queued",
        "outbound-api",
        "2010-04-01",
    )
    assert (body["num_segments"], body["num_media"], body["price"], body["price_unit"]) == (
        "1",
        "0",
        None,
        "USD",
    )
    assert (body["error_code"], body["error_message"], body["messaging_service_sid"]) == (None, None, None)
    assert re.fullmatch(r"SM[0-9a-f]{32}", body["sid"])
    assert body["uri"] == f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{body['sid']}.json"
    assert fake.messages == [{**body, "status_callback": "https://x/cb"}]


def test_create_with_a_messaging_service_matches_the_message_resource(fake, message_validator):
    response = post(fake, {"To": TO, "MessagingServiceSid": TEST_MESSAGING_SERVICE_SID, "Body": "hi"})
    assert response.status_code == 201
    body = response.json()
    message_validator.validate(body)
    assert (body["status"], body["from"], body["num_segments"]) == ("accepted", None, "0")
    assert body["messaging_service_sid"] == TEST_MESSAGING_SERVICE_SID


def test_num_segments_follows_the_body(fake):
    assert post(fake, {"To": TO, "From": TEST_FROM_NUMBER, "Body": "a" * 161}).json()["num_segments"] == "2"
    assert post(fake, {"To": TO, "From": TEST_FROM_NUMBER, "Body": "ж" * 71}).json()["num_segments"] == "2"


def test_fetch_returns_the_same_resource(fake, message_validator):
    created = post(fake, {"To": TO, "From": TEST_FROM_NUMBER, "Body": "hi"}).json()
    fetched = requests.get(
        f"{fake.base_url}{created['uri']}", auth=(fake.account_sid, fake.auth_token), timeout=TIMEOUT
    )
    assert fetched.status_code == 200
    message_validator.validate(fetched.json())
    assert fetched.json() == created


# --- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "code", "fragment"),
    [
        (
            {"To": "12345", "From": TEST_FROM_NUMBER, "Body": "hi"},
            21211,
            "The 'To' number 12345 is not a valid",
        ),
        (
            {"To": MAGIC_INVALID_NUMBER, "From": TEST_FROM_NUMBER, "Body": "hi"},
            21211,
            "not a valid phone number",
        ),
        ({"To": MAGIC_UNSUBSCRIBED_NUMBER, "From": TEST_FROM_NUMBER, "Body": "hi"}, 21610, "unsubscribed"),
        ({"To": MAGIC_NOT_MOBILE_NUMBER, "From": TEST_FROM_NUMBER, "Body": "hi"}, 21614, "mobile"),
        ({"To": TO, "From": TEST_FROM_NUMBER}, 21602, "body is required"),
        ({"To": TO, "From": TEST_FROM_NUMBER, "Body": ""}, 21602, "body is required"),
        ({"From": TEST_FROM_NUMBER, "Body": "hi"}, 21604, "'To' phone number is required"),
        ({"To": TO, "Body": "hi"}, 21603, "'From' phone number is required"),
        ({"To": TO, "From": TEST_FROM_NUMBER, "Body": "a" * 1601}, 21617, "1600"),
    ],
)
def test_validation_errors_look_like_twilios(fake, error_validator, data, code, fragment):
    response = post(fake, data)

    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    error_validator.validate(body)
    assert (body["code"], body["status"]) == (code, 400)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert fragment in body["message"]
    assert fake.messages == []


def test_numbers_can_be_unsubscribed(fake):
    fake.unsubscribed.add(TO)
    assert post(fake, {"To": TO, "From": TEST_FROM_NUMBER, "Body": "hi"}).json()["code"] == 21610


@pytest.mark.parametrize(
    "auth", [(TEST_ACCOUNT_SID, "wrong-token"), ("AC" + "f" * 32, TEST_AUTH_TOKEN), None]
)
def test_wrong_or_missing_credentials_are_401(fake, error_validator, auth):
    if auth is None:
        response = requests.post(fake.messages_url, data={"To": TO, "Body": "hi"}, timeout=TIMEOUT)
    else:
        response = post(fake, {"To": TO, "From": TEST_FROM_NUMBER, "Body": "hi"}, auth=auth)
    assert response.status_code == 401
    error_validator.validate(response.json())
    assert response.json()["code"] == 20003
    assert fake.messages == []


def test_scripted_429_with_retry_after_then_success(fake, error_validator):
    fake.fail_next(429, retry_after=7, times=2)
    data = {"To": TO, "From": TEST_FROM_NUMBER, "Body": "hi"}

    for _ in range(2):
        response = post(fake, data)
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "7"
        error_validator.validate(response.json())
        assert response.json()["code"] == 20429
    assert post(fake, data).status_code == 201
    assert [request.status for request in fake.requests] == [429, 429, 201]
    assert len(fake.messages) == 1


@pytest.mark.parametrize(("status", "code"), [(500, 20500), (503, 20503), (502, 20500)])
def test_scripted_server_errors(fake, error_validator, status, code):
    fake.fail_next(status)
    response = post(fake, {"To": TO, "From": TEST_FROM_NUMBER, "Body": "hi"})
    assert response.status_code == status
    assert "Retry-After" not in response.headers
    error_validator.validate(response.json())
    assert (response.json()["code"], response.json()["status"]) == (code, status)


def test_scripted_failure_with_an_explicit_code(fake, error_validator):
    fake.fail_next(400, code=21610)
    response = post(fake, {"To": TO, "From": TEST_FROM_NUMBER, "Body": "hi"})
    error_validator.validate(response.json())
    assert (response.status_code, response.json()["code"]) == (400, 21610)


def test_unknown_paths_and_other_accounts_are_404(fake, error_validator):
    auth = (fake.account_sid, fake.auth_token)
    other_account = fake.messages_url.replace(fake.account_sid, "AC" + "f" * 32)
    for url in (f"{fake.base_url}/2010-04-01/Nope.json", other_account):
        response = requests.post(url, data={"To": TO}, auth=auth, timeout=TIMEOUT)
        assert response.status_code == 404
        error_validator.validate(response.json())


def test_every_request_is_recorded(fake):
    post(fake, {"To": TO, "From": TEST_FROM_NUMBER, "Body": "hi"})
    post(fake, {"To": "bad", "From": TEST_FROM_NUMBER, "Body": "hi"})
    assert [(r.method, r.field("To"), r.status) for r in fake.requests] == [
        ("POST", TO, 201),
        ("POST", "bad", 400),
    ]


# --- webhooks as Twilio signs them -----------------------------------------------------------
STATUS_URL = "http://testserver/sms/twilio/status"
INBOUND_URL = "http://testserver/sms/twilio/inbound"
MESSAGE_SID = "SM" + "a" * 32


def test_status_callback_fields_and_signature():
    params, signature = status_callback_request(
        STATUS_URL,
        TEST_AUTH_TOKEN,
        message_sid=MESSAGE_SID,
        status="delivered",
        to=TO,
        from_=TEST_FROM_NUMBER,
    )
    assert params == {
        "MessageSid": MESSAGE_SID,
        "SmsSid": MESSAGE_SID,
        "AccountSid": TEST_ACCOUNT_SID,
        "MessageStatus": "delivered",
        "SmsStatus": "delivered",
        "To": TO,
        "From": TEST_FROM_NUMBER,
        "ApiVersion": "2010-04-01",
    }
    validator = RequestValidator(TEST_AUTH_TOKEN)
    assert validator.validate(STATUS_URL, params, signature)
    assert not RequestValidator("other-token").validate(STATUS_URL, params, signature)
    assert not validator.validate(STATUS_URL, {**params, "MessageStatus": "failed"}, signature)


def test_status_callback_for_a_failure_carries_the_error_code_and_price():
    params, _ = status_callback_request(
        STATUS_URL,
        TEST_AUTH_TOKEN,
        message_sid=MESSAGE_SID,
        status="undelivered",
        to=TO,
        from_=TEST_FROM_NUMBER,
        error_code=30003,
        price="-0.0079",
        num_segments=2,
    )
    assert (params["ErrorCode"], params["Price"], params["PriceUnit"], params["NumSegments"]) == (
        "30003",
        "-0.0079",
        "USD",
        "2",
    )


def test_inbound_sms_fields_and_signature():
    params, signature = inbound_sms_request(
        INBOUND_URL,
        TEST_AUTH_TOKEN,
        message_sid=MESSAGE_SID,
        from_="+14155552671",
        to=TEST_FROM_NUMBER,
        body="STOP",
        opt_out_type="STOP",
    )
    assert {
        "MessageSid",
        "SmsSid",
        "SmsMessageSid",
        "AccountSid",
        "From",
        "To",
        "Body",
        "NumMedia",
        "NumSegments",
        "SmsStatus",
        "FromCountry",
        "ToCountry",
        "ApiVersion",
        "OptOutType",
    } <= params.keys()
    assert (params["Body"], params["NumMedia"], params["NumSegments"], params["FromCountry"]) == (
        "STOP",
        "0",
        "1",
        "US",
    )
    assert RequestValidator(TEST_AUTH_TOKEN).validate(INBOUND_URL, params, signature)


def test_a_signed_webhook_validates_as_django_receives_it():
    """POSTed with Django's test client, the view sees the URL and QueryDict Twilio signed."""
    params, signature = inbound_sms_request(
        INBOUND_URL,
        TEST_AUTH_TOKEN,
        message_sid=MESSAGE_SID,
        from_=TO,
        to=TEST_FROM_NUMBER,
        body="Ça va? 😀 a+b&c=d",
    )
    request = RequestFactory().post("/sms/twilio/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert request.build_absolute_uri() == INBOUND_URL
    assert RequestValidator(TEST_AUTH_TOKEN).validate(
        request.build_absolute_uri(), request.POST, request.headers["X-Twilio-Signature"]
    )
