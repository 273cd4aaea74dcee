from xml.etree import ElementTree

from django.conf import settings
from twilio.request_validator import RequestValidator

from sms.tests.conftest import PHONE

INBOUND = "/sms/twilio/inbound"
STATUS = "/sms/twilio/status"


def signed_post(client, path: str, params: dict[str, str], *, token: str | None = None):
    """POST form params as Twilio does, signed with the account's auth token."""
    url = f"http://testserver{path}"
    signature = RequestValidator(token or settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def inbound_params(*, sid: str, sender: str, body: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": sender,
        "To": settings.TWILIO_FROM_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
    }


def text(client, body, *, sid="SM" + "1" * 32, sender=PHONE):
    """Twilio posting one inbound SMS to our webhook."""
    return signed_post(client, INBOUND, inbound_params(sid=sid, sender=sender, body=body))


def reply_of(response) -> str:
    """The SMS our TwiML answer sends back ("" for none)."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ElementTree.fromstring(response.content).findtext("Message") or ""
