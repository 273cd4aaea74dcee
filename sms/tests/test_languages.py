"""What SMS says is in the reader's language: keyword answers (also to localized keywords),
the stranger's sign-up reply and verification codes; an operator's own text is sent as given."""

import re

import pytest
from django.conf import settings

from assistant.core.translations import catalogue_read
from sms.backends import locmem
from sms.models import PhoneOptOut
from sms.segments import fit
from sms.tests.conftest import PHONE
from sms.tests.helpers import reply_of, text

pytestmark = pytest.mark.django_db

US = "+14155550100"
FRENCH_HELP = "TDAH Assistant garde tes tâches et tes rappels."
SPANISH_HELP = "TDAH Assistant guarda tus tareas y recordatorios."
PORTUGUESE_HELP = "O TDAH Assistant guarda suas tarefas e lembretes."
ENGLISH_HELP = "TDAH Assistant keeps your todos and reminders."
STOPPED = {
    "en": "You're unsubscribed",
    "fr": "Tu ne recevras plus de messages",
    "es": "Ya no recibirás mensajes",
    "pt": "Você não vai mais receber mensagens",
}


def sid(n: int) -> str:
    return f"SM{n:032d}"


def test_a_french_user_gets_help_stop_and_start_in_french(client, texter):
    texter.language = "fr"
    texter.save()

    help_reply = reply_of(text(client, "HELP", sid=sid(1)))
    stop_reply = reply_of(text(client, "STOP", sid=sid(2)))
    start_reply = reply_of(text(client, "START", sid=sid(3)))

    assert help_reply.startswith(FRENCH_HELP)
    assert '"rappelle-moi de prendre mes médicaments tous les jours à 8h"' in help_reply
    assert stop_reply == "Tu ne recevras plus de messages de TDAH Assistant. Réponds START pour te réabonner."
    assert start_reply == "Content de te revoir sur TDAH Assistant. Réponds AIDE pour de l'aide."


def test_a_known_persons_language_wins_over_the_keyword_and_the_number(client, texter):
    assert reply_of(text(client, "AIDE", sid=sid(1))).startswith(ENGLISH_HELP)  # texter reads English

    texter.language = "es"
    texter.save()

    assert reply_of(text(client, "help", sid=sid(2))).startswith(SPANISH_HELP)


@pytest.mark.parametrize(
    ("word", "sender", "answer"),
    [
        ("aide", US, FRENCH_HELP),
        (" Ayuda ", US, SPANISH_HELP),
        ("AJUDA", US, PORTUGUESE_HELP),
        ("help", US, ENGLISH_HELP),
        ("help", "+33612345678", FRENCH_HELP),  # an English keyword: the number's country decides
        ("help", "+5511987654321", PORTUGUESE_HELP),
    ],
)
def test_a_stranger_is_helped_in_the_keywords_language_else_the_numbers(client, db, word, sender, answer):
    assert reply_of(text(client, word, sender=sender)).startswith(answer)


@pytest.mark.parametrize(
    ("word", "sender", "language"),
    [
        ("arrêt", US, "fr"),
        ("ARRET", US, "fr"),
        ("alto", US, "es"),
        ("Baja", US, "es"),
        ("sair", US, "pt"),
        ("PARAR", US, "es"),  # Spanish and Portuguese: Spanish unless the number says Portuguese
        ("PARAR", "+351912345678", "pt"),
        ("STOP", "+33612345678", "fr"),
        ("stop", "+32470123456", "fr"),  # Belgium
        ("stop", "+41781234567", "fr"),  # Switzerland
        ("STOP", "+34612345678", "es"),
        ("STOP", "+525512345678", "es"),  # Mexico
        ("STOP", "+5491123456789", "es"),  # Argentina
        ("STOP", "+5511987654321", "pt"),
        ("STOP", "+351912345678", "pt"),
        ("STOP", "+447400123456", "en"),
        ("STOP", US, "en"),
    ],
)
def test_localized_stop_words_opt_out_and_answer_in_their_language(client, db, word, sender, language):
    reply = reply_of(text(client, word, sender=sender))

    assert reply.startswith(STOPPED[language])
    assert PhoneOptOut.objects.filter(phone_number=sender).exists()


def test_the_signup_reply_to_a_stranger_is_in_the_language_of_the_numbers_country(client, db):
    reply = reply_of(text(client, "bonjour", sender="+33699999999"))

    assert reply == (
        f"Salut ! Ici TDAH Assistant. On ne connait pas encore ce numéro : inscris-toi sur "
        f"{settings.SMS_SIGNUP_URL} et vérifie ton téléphone, puis réécris-nous."
    )


def test_a_stranger_from_elsewhere_is_answered_in_english(client, db):
    assert reply_of(text(client, "hi", sender="+819012345678")).startswith("Hi! This is the TDAH Assistant.")


@pytest.mark.parametrize(
    ("setting", "word"),
    [
        ("SMS_HELP_MESSAGE", "AIDE"),
        ("SMS_STOP_MESSAGE", "ARRET"),
        ("SMS_START_MESSAGE", "START"),
        ("SMS_SIGNUP_MESSAGE", "bonjour"),
    ],
)
def test_an_operators_own_text_is_sent_as_given_in_every_language(client, db, settings, setting, word):
    setattr(settings, setting, "ACME care line: call 0800 000 000 (100% free).")

    reply = reply_of(text(client, word, sender="+33699999999"))

    assert reply == "ACME care line: call 0800 000 000 (100% free)."


def _request_code(client, capture) -> str:
    with capture(execute=True):
        response = client.post("/api/v1/phone/verify", {"phone_number": PHONE}, format="json")
    assert response.status_code == 202, response.content
    return locmem.outbox[-1].body


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Ton code TDAH Assistant est {code}. Il expire dans 10 minutes."),
        ("es", "Tu código de TDAH Assistant es {code}. Vence en 10 minutos."),
        ("pt", "Seu código do TDAH Assistant é {code}. Ele expira em 10 minutos."),
        ("", "Your TDAH Assistant code is {code}. It expires in 10 minutes."),
    ],
)
def test_the_verification_code_is_texted_in_the_persons_language(
    auth_client, user, django_capture_on_commit_callbacks, language, expected
):
    user.language = language
    user.save()

    body = _request_code(auth_client, django_capture_on_commit_callbacks)

    code = re.search(r"\d{6}", body).group(0)
    assert body == expected.format(code=code)


def test_a_one_minute_code_says_minute(auth_client, user, django_capture_on_commit_callbacks, settings):
    settings.PHONE_VERIFICATION_TTL_SECONDS = 60
    user.language = "fr"
    user.save()

    assert _request_code(auth_client, django_capture_on_commit_callbacks).endswith("Il expire dans 1 minute.")


@pytest.mark.parametrize("language", ["en", "fr", "es", "pt"])
def test_every_sms_text_fits_the_segment_budget_whole(language):
    """fit() would cut a text past SMS_MAX_SEGMENTS: none of ours may need cutting."""
    catalog = catalogue_read(settings.BASE_DIR / "sms" / "locale" / language / "LC_MESSAGES" / "django.po")
    values = {"url": settings.SMS_SIGNUP_URL, "code": "123456", "minutes": 10}
    texts = [
        string % values
        for message in catalog
        if message.id
        for string in (message.string if message.pluralizable else [message.string])
    ]

    assert len(texts) == 7
    for sms in texts:
        assert fit(sms, settings.SMS_MAX_SEGMENTS) == sms
