"""A person's language: chosen or guessed at registration, shown and changed with /auth/me,
exported, and the language of the e-mails we send them."""

import re

import pytest
from django.core import mail

from assistant.users.models import User
from assistant.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"


def register(api_client, **extra):
    body = {"email": "ada@example.com", "password": "a long enough passphrase", **extra.pop("body", {})}
    response = api_client.post(REGISTER, body, format="json", **extra)
    assert response.status_code == 202, response.content
    return User.objects.get(email=body["email"])


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("pt-BR", "pt"),
        ("de-DE,es;q=0.5", "es"),  # the first of ours it accepts
        ("en-US", "en"),
        ("fr;q=0, es;q=0.3", "es"),  # q=0 means "not that one"
        ("de, *", ""),
        ("", ""),
        ("x" * 600, ""),  # oversized: ignored, not a 500
    ],
)
def test_registration_takes_the_best_match_of_accept_language(api_client, header, language):
    assert register(api_client, HTTP_ACCEPT_LANGUAGE=header).language == language


def test_a_language_given_at_registration_wins_over_the_header(api_client):
    assert register(api_client, body={"language": "pt"}, HTTP_ACCEPT_LANGUAGE="fr-FR").language == "pt"


def test_the_welcome_email_is_in_the_language_chosen_at_registration(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(api_client, body={"display_name": "Ana"}, HTTP_ACCEPT_LANGUAGE="pt-BR")

    (message,) = mail.outbox
    assert message.subject == "Boas-vindas ao TDAH Assistant"
    assert message.body.startswith("Olá, Ana,\n\nSua conta no TDAH Assistant está pronta")


def test_registration_refuses_a_language_we_do_not_speak(api_client):
    response = api_client.post(
        REGISTER,
        {"email": "ada@example.com", "password": "a long enough passphrase", "language": "de"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["language"]
    assert not User.objects.exists()


def test_me_shows_and_changes_the_language(auth_client, user):
    assert auth_client.get("/api/v1/auth/me").json()["language"] == ""

    response = auth_client.patch("/api/v1/auth/me", {"language": "es"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["language"] == "es"
    user.refresh_from_db()
    assert (user.language, user.effective_language) == ("es", "es")


@pytest.mark.parametrize("language", ["de", "", "FR", "fr-FR", None, 3])
def test_patching_another_language_is_a_400_naming_language(auth_client, user, language):
    response = auth_client.patch("/api/v1/auth/me", {"language": language}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["language"]
    user.refresh_from_db()
    assert user.language == ""


def test_an_unknown_language_reads_as_english():
    assert User(language="").effective_language == "en"
    assert User(language="pt").effective_language == "pt"


def test_the_export_holds_the_language(auth_client, user):
    user.language = "fr"
    user.save()

    assert auth_client.get("/api/v1/auth/me/export").json()["profile"]["language"] == "fr"


def test_the_schema_documents_the_language(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["components"]

    assert schema["schemas"]["LanguageEnum"]["enum"] == ["en", "fr", "es", "pt"]
    for name in ["RegisterInputRequest", "PatchedMeUpdateInputRequest", "UserOutput"]:
        assert "language" in schema["schemas"][name]["properties"], name


def _reset_email(api_client, user, django_capture_on_commit_callbacks) -> mail.EmailMessage:
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/auth/password/reset", {"email": user.email}, format="json")
    (message,) = mail.outbox
    return message


def test_the_password_reset_email_is_in_the_persons_language(api_client, django_capture_on_commit_callbacks):
    user = UserFactory(language="es", display_name="O'Brien")

    message = _reset_email(api_client, user, django_capture_on_commit_callbacks)

    assert message.subject == "Restablece tu contraseña de TDAH Assistant"
    assert message.body.startswith("Hola, O'Brien:\n\nAlguien (esperamos que tú) pidió restablecer")
    assert "(el enlace funciona durante 60 minutos):\n\nhttp://" in message.body
    assert message.body.endswith("Si no fuiste tú, ignora este correo: tu contraseña no cambia.\n")


def test_the_password_reset_email_is_in_english_when_the_language_is_unknown(
    api_client, user, django_capture_on_commit_callbacks, settings
):
    settings.PASSWORD_RESET_TIMEOUT = 60

    message = _reset_email(api_client, user, django_capture_on_commit_callbacks)

    assert message.subject == "Reset your TDAH Assistant password"
    assert message.body.startswith(f"Hello {user.get_short_name()},\n\nSomeone (hopefully you)")
    assert "(the link works for 1 minute):" in message.body


def test_the_admin_shows_and_filters_by_language(client, user):
    admin = UserFactory(language="fr")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)

    changelist = client.get("/admin/users/user/", {"language__exact": "fr"}).content.decode()
    change = client.get(f"/admin/users/user/{user.pk}/change/").content.decode()

    assert admin.email in changelist
    assert user.email not in changelist
    assert 'name="language"' in change


def test_the_reset_pages_are_in_the_persons_language(client, api_client, django_capture_on_commit_callbacks):
    user = UserFactory(language="fr")
    message = _reset_email(api_client, user, django_capture_on_commit_callbacks)
    link = re.search(r"http://\S+/account/reset/\S+/", message.body).group(0)

    page = client.get(link, follow=True)
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
        follow=True,
    )

    assert page["Content-Language"] == "fr"
    assert "Nouveau mot de passe" in page.content.decode()
    assert done["Content-Language"] == "fr"
    assert "Votre mot de passe a été défini." in done.content.decode()
