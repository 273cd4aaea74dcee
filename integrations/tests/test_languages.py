"""What the integrations tell a person is in their language: calendar nudges, the "connection
stopped working" notice, and the page the browser lands on after connecting."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from assistant.chat.models import Message
from assistant.planner.models import Reminder
from integrations import services
from integrations.models import Integration
from integrations.tests.conftest import connect, connect_link, consent, follow_callback

pytestmark = pytest.mark.django_db


def speaks(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def test_a_calendar_nudge_is_in_the_persons_language(
    user, auth_client, google, django_capture_on_commit_callbacks
):
    speaks(user, "pt")
    auth_client.patch("/api/v1/auth/me", {"event_nudge_minutes": 30}, format="json")
    start = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    google.add_event("Dentista", start, start + timedelta(hours=1), location="Rua Augusta")

    connect(auth_client, google, "google", django_capture_on_commit_callbacks)

    at = start.astimezone(ZoneInfo(user.timezone)).strftime("%H:%M")
    assert (
        Reminder.objects.get(origin=Reminder.Origin.EVENT).text
        == f"Em 30 min: Dentista às {at} (Rua Augusta)"
    )


def test_the_connection_stopped_notice_is_in_the_persons_language(
    user, auth_client, google, django_capture_on_commit_callbacks
):
    speaks(user, "fr")
    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    google.revoke_grants()
    Integration.objects.filter(pk=integration.pk).update(
        token_expires_at=timezone.now() + timedelta(minutes=5)
    )

    services.integrations_refresh_due()

    notice = Message.objects.get(conversation__user=user, text__contains="Google Calendar")
    assert notice.text.startswith("Ta connexion Google Calendar ne marche plus, donc je ne vois plus")


def test_the_consent_page_is_in_the_language_of_the_account_it_connects(user, auth_client, google):
    speaks(user, "fr")

    page = Client(HTTP_ACCEPT_LANGUAGE="es").get(connect_link(auth_client, "google"))

    html = page.content.decode()
    assert page["Content-Language"] == "fr"
    assert '<html lang="fr">' in html
    assert "Connecter Google Calendar" in html
    assert "Seule la personne à qui appartient ce compte peut continuer." in html


def test_the_callback_page_is_in_the_language_of_the_person_connecting(
    user, auth_client, google, django_capture_on_commit_callbacks
):
    speaks(user, "fr")
    callback = consent(auth_client, google, "google", browser=Client(HTTP_ACCEPT_LANGUAGE="es"))

    with django_capture_on_commit_callbacks(execute=True):
        page = follow_callback(callback)

    html = page.content.decode()
    assert page.status_code == 200
    assert page["Content-Language"] == "fr"
    assert '<html lang="fr">' in html
    assert "Google Calendar connecté" in html
    assert "est connecté au compte de l&#x27;assistant" in html
    assert "Tu peux fermer cette fenêtre et revenir à l'assistant." in html


def test_a_declined_connection_is_told_in_the_persons_language(user, auth_client, google):
    speaks(user, "es")
    google.deny_next_consent = True

    html = follow_callback(consent(auth_client, google, "google")).content.decode()

    assert "Google Calendar no conectado" in html
    assert "No permitiste el acceso a Google Calendar, así que no se conectó nada." in html


def test_a_refused_callback_is_told_in_the_browsers_language(auth_client, google):
    browser = Client(HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9")
    forged = consent(auth_client, google, "google", browser=browser).url.replace("state=", "state=x")

    page = follow_callback(forged, browser=browser)

    assert page.status_code == 400
    assert page["Content-Language"] == "pt"
    assert "Este link expirou ou já foi usado." in page.content.decode()
