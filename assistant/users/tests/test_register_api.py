import pytest

from assistant.users.models import AuditEvent, User

URL = "/api/v1/auth/register"
VALID = {
    "email": "Ada@Example.com",
    "password": "a long enough passphrase",
    "display_name": "Ada",
    "phone_number": "+33 6 12 34 56 78",
    "timezone": "Europe/Paris",
    "preferred_channel": "sms",
}

pytestmark = pytest.mark.django_db


def test_register_creates_user_with_normalised_email_and_e164_phone(api_client):
    response = api_client.post(URL, VALID, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "ada@example.com"
    assert body["phone_number"] == "+33612345678"
    assert body["phone_verified"] is False
    assert body["roles"] == ["user"]
    assert body["mfa_enabled"] is False
    assert "password" not in body
    user = User.objects.get(email="ada@example.com")
    assert user.check_password(VALID["password"])
    assert AuditEvent.objects.filter(actor=user, action="register").exists()


def _error(response, status=400):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "fields"}
    return error


@pytest.mark.parametrize(
    ("change", "field", "reason_part"),
    [
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"email": 123}, "email", "valid email"),
        ({"password": "short"}, "password", "too short"),
        ({"password": ["a", "list"]}, "password", "Not a valid string"),
        ({"phone_number": "+1 555"}, "phone_number", ""),
        ({"phone_number": "hello"}, "phone_number", "international format"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "IANA"),
        ({"preferred_channel": "pigeon"}, "preferred_channel", "not a valid choice"),
        ({"display_name": "x" * 151}, "display_name", "no more than 150"),
        ({"email": "a" * 250 + "@example.com"}, "email", ""),
    ],
)
def test_bad_field_is_a_400_naming_the_field_and_writes_nothing(api_client, change, field, reason_part):
    response = api_client.post(URL, {**VALID, **change}, format="json")

    error = _error(response)
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert reason_part in " ".join(error["fields"][field])
    assert User.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_missing_fields_are_named(api_client):
    error = _error(api_client.post(URL, {}, format="json"))

    assert error["fields"]["email"] == ["This field is required."]
    assert error["fields"]["password"] == ["This field is required."]


def test_malformed_json_is_a_400_parse_error(api_client):
    response = api_client.post(URL, '{"email": "a@b.c", ', content_type="application/json")

    error = _error(response)
    assert error["code"] == "parse_error"
    assert User.objects.count() == 0


def test_duplicate_email_is_refused_case_insensitively(api_client):
    assert api_client.post(URL, VALID, format="json").status_code == 201

    error = _error(
        api_client.post(URL, {**VALID, "email": "ADA@example.COM", "phone_number": ""}, format="json")
    )

    assert error["fields"]["email"] == ["An account with this email already exists."]
    assert User.objects.count() == 1


def test_duplicate_phone_in_another_format_is_refused(api_client):
    assert api_client.post(URL, VALID, format="json").status_code == 201

    error = _error(
        api_client.post(
            URL, {**VALID, "email": "bob@example.com", "phone_number": "+33612345678"}, format="json"
        )
    )

    assert error["fields"]["phone_number"] == ["This phone number belongs to another account."]
    assert User.objects.count() == 1


def test_sms_channel_needs_a_phone_number(api_client):
    error = _error(api_client.post(URL, {**VALID, "phone_number": ""}, format="json"))

    assert "preferred_channel" in error["fields"]


def test_wrong_content_type_is_a_clear_415(api_client):
    response = api_client.post(URL, "email=a@b.c", content_type="application/x-www-form-urlencoded")

    assert _error(response, 415)["code"] == "unsupported_media_type"
