import pytest
from django.core import mail

from assistant.users.models import AuditEvent, User
from assistant.users.tests.factories import UserFactory

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


def register(api_client, capture, body):
    """Sign up, running what the sign-up does after commit (its e-mail) as the worker would."""
    with capture(execute=True):
        return api_client.post(URL, body, format="json")


def test_register_creates_user_with_normalised_email_and_e164_phone(
    api_client, django_capture_on_commit_callbacks
):
    response = register(api_client, django_capture_on_commit_callbacks, VALID)

    assert response.status_code == 202, response.content
    assert set(response.json()) == {"detail"}
    user = User.objects.get(email="ada@example.com")
    assert (user.phone_number, user.phone_verified) == ("+33612345678", False)
    assert list(user.groups.values_list("name", flat=True)) == ["user"]
    assert user.check_password(VALID["password"])
    assert AuditEvent.objects.filter(actor=user, action="register").exists()
    (welcome,) = mail.outbox
    assert welcome.to == ["ada@example.com"]
    assert welcome.subject == "Welcome to TDAH Assistant"


def test_a_new_account_signs_in_with_its_password(api_client, django_capture_on_commit_callbacks):
    register(api_client, django_capture_on_commit_callbacks, VALID)

    response = api_client.post(
        "/api/v1/auth/login", {"email": VALID["email"], "password": VALID["password"]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["user"]["phone_number"] == "+33612345678"


class TestNobodyLearnsWhoHasAnAccount:
    """Signing up with an address or a number someone has answers exactly as a fresh sign-up."""

    def test_a_taken_email_answers_like_a_new_one_and_tells_its_owner(
        self, api_client, django_capture_on_commit_callbacks
    ):
        owner = UserFactory(email="ada@example.com", language="fr", display_name="Ada")
        fresh = register(
            api_client, django_capture_on_commit_callbacks, {**VALID, "email": "new@example.com"}
        )
        mail.outbox.clear()

        taken = register(
            api_client,
            django_capture_on_commit_callbacks,
            {**VALID, "email": "ADA@example.COM", "password": "an attacker's passphrase"},
        )

        assert (taken.status_code, taken.json()) == (fresh.status_code, fresh.json())
        assert taken.headers.keys() == fresh.headers.keys()
        assert User.objects.filter(email="ada@example.com").count() == 1
        owner.refresh_from_db()
        assert owner.check_password("correct horse battery staple")  # nothing of the owner's changed
        assert AuditEvent.objects.filter(action="register").count() == 2  # the owner's and the fresh one
        (notice,) = mail.outbox
        assert notice.to == ["ada@example.com"]
        assert notice.subject == "Quelqu'un a essayé de s'inscrire avec ton adresse e-mail"
        assert notice.body.startswith("Bonjour Ada,")

    def test_repeated_sign_ups_with_a_taken_email_tell_its_owner_once_an_interval(
        self, api_client, django_capture_on_commit_callbacks
    ):
        UserFactory(email="ada@example.com")
        mail.outbox.clear()

        answers = {
            register(api_client, django_capture_on_commit_callbacks, VALID).status_code for _ in range(3)
        }

        assert answers == {202}
        assert len(mail.outbox) == 1

    def test_a_phone_number_another_account_claims_answers_like_a_free_one(
        self, api_client, django_capture_on_commit_callbacks
    ):
        verified = UserFactory(phone_number="+33612345678", phone_verified=True)
        fresh = register(
            api_client, django_capture_on_commit_callbacks, {**VALID, "phone_number": "+33699999999"}
        )

        taken = register(
            api_client, django_capture_on_commit_callbacks, {**VALID, "email": "bob@example.com"}
        )

        assert (taken.status_code, taken.json()) == (fresh.status_code, fresh.json())
        bob = User.objects.get(email="bob@example.com")
        assert (bob.phone_number, bob.phone_verified) == ("+33612345678", False)
        verified.refresh_from_db()
        assert (verified.phone_number, verified.phone_verified) == ("+33612345678", True)


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


def test_sms_channel_needs_a_phone_number(api_client):
    error = _error(api_client.post(URL, {**VALID, "phone_number": ""}, format="json"))

    assert "preferred_channel" in error["fields"]


def test_wrong_content_type_is_a_clear_415(api_client):
    response = api_client.post(URL, "email=a@b.c", content_type="application/x-www-form-urlencoded")

    assert _error(response, 415)["code"] == "unsupported_media_type"
