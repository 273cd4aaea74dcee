"""What the engine makes of real phrasings, in the four languages: one table row per message.

Every row is read at the same instant: Friday 2026-11-27 10:00 UTC, 11:00 in Paris.
"""

from datetime import UTC, datetime

import pytest

from assistant.chat.engine import EngineContext, Intent, IntentName, parse

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
PARIS = EngineContext(now=NOW, timezone="Europe/Paris")
NEW_YORK = EngineContext(now=NOW, timezone="America/New_York")  # 05:00 there

ADD = IntentName.ADD_TODO
LIST = IntentName.LIST_TODOS
COMPLETE = IntentName.COMPLETE_TODO
DELETE = IntentName.DELETE_TODO
REMIND = IntentName.REMIND
REMINDERS = IntentName.LIST_REMINDERS
SNOOZE = IntentName.SNOOZE
CANCEL = IntentName.CANCEL_REMINDER
AGENDA = IntentName.AGENDA
HELP = IntentName.HELP
CLARIFY = IntentName.CLARIFY

DAILY_8 = "FREQ=DAILY;BYHOUR=8;BYMINUTE=0"
WORKDAYS_9 = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0"
MONDAYS_9 = "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0"
EVERY_2_HOURS = "FREQ=HOURLY;INTERVAL=2"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


TONIGHT_8 = utc(2026, 11, 27, 19)  # 20:00 in Paris
TOMORROW_8 = utc(2026, 11, 28, 7)  # 08:00 in Paris
MONDAY_9 = utc(2026, 11, 30, 8)  # 09:00 in Paris
IN_20_MINUTES = utc(2026, 11, 27, 10, 20)
IN_AN_HOUR = utc(2026, 11, 27, 11)
NOON = utc(2026, 11, 27, 11)
TODAY_3PM = utc(2026, 11, 27, 14)
DECEMBER_3_10AM = utc(2026, 12, 3, 9)
IN_2_HOURS = utc(2026, 11, 27, 12)

ENGLISH = [
    (
        "remind me to take my meds every day at 8",
        Intent(REMIND, "en", "take my meds", due_at=TOMORROW_8, rrule=DAILY_8),
    ),
    ("remind me to call mom tomorrow at 8", Intent(REMIND, "en", "call mom", due_at=TOMORROW_8)),
    ("remind me in 20 minutes to stretch", Intent(REMIND, "en", "stretch", due_at=IN_20_MINUTES)),
    (
        "remind me to drink water in 1 minute",
        Intent(REMIND, "en", "drink water", due_at=utc(2026, 11, 27, 10, 1)),
    ),
    ("remind me on friday at 3pm to pay rent", Intent(REMIND, "en", "pay rent", due_at=TODAY_3PM)),
    ("remind me next monday 9am to call the bank", Intent(REMIND, "en", "call the bank", due_at=MONDAY_9)),
    (
        "remind me every weekday at 9 to stand up",
        Intent(REMIND, "en", "stand up", due_at=MONDAY_9, rrule=WORKDAYS_9),
    ),
    (
        "remind me every day at 20:00 to write my journal",
        Intent(REMIND, "en", "write my journal", due_at=TONIGHT_8, rrule="FREQ=DAILY;BYHOUR=20;BYMINUTE=0"),
    ),
    (
        "remind me at 18:30 to cook dinner",
        Intent(REMIND, "en", "cook dinner", due_at=utc(2026, 11, 27, 17, 30)),
    ),
    ("remind me tonight to call dad", Intent(REMIND, "en", "call dad", due_at=TONIGHT_8)),
    ("remind me to call mom at 8", Intent(REMIND, "en", "call mom", due_at=TONIGHT_8)),
    ("remind me at 8am to run", Intent(REMIND, "en", "run", due_at=TOMORROW_8)),
    ("remind me at 8 pm to read", Intent(REMIND, "en", "read", due_at=TONIGHT_8)),
    # 11:00 in Paris: of 08:30 and 20:30, only the evening is still ahead today.
    ("remind me at 8:30 to leave", Intent(REMIND, "en", "leave", due_at=utc(2026, 11, 27, 19, 30))),
    ("remind me at noon to eat", Intent(REMIND, "en", "eat", due_at=NOON)),
    ("remind me in an hour to check the oven", Intent(REMIND, "en", "check the oven", due_at=IN_AN_HOUR)),
    (
        "remind me in 3 days to water the plants",
        Intent(REMIND, "en", "water the plants", due_at=utc(2026, 11, 30, 10)),
    ),
    ("remind me this afternoon to email Sam", Intent(REMIND, "en", "email Sam", due_at=TODAY_3PM)),
    (
        "remind me on 3 december at 10 to renew my passport",
        Intent(REMIND, "en", "renew my passport", due_at=DECEMBER_3_10AM),
    ),
    (
        "remind me every 2 hours to drink water",
        Intent(REMIND, "en", "drink water", due_at=IN_2_HOURS, rrule=EVERY_2_HOURS),
    ),
    (
        "remind me every monday and thursday at 7pm to go to the gym",
        Intent(
            REMIND,
            "en",
            "go to the gym",
            due_at=utc(2026, 11, 30, 18),
            rrule="FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=19;BYMINUTE=0",
        ),
    ),
    (
        "remind me every week to clean the fridge",
        Intent(
            REMIND,
            "en",
            "clean the fridge",
            due_at=utc(2026, 12, 4, 8),
            rrule="FREQ=WEEKLY;BYHOUR=9;BYMINUTE=0",
        ),
    ),
    (
        "remind me daily to take vitamins",
        Intent(
            REMIND, "en", "take vitamins", due_at=utc(2026, 11, 28, 8), rrule="FREQ=DAILY;BYHOUR=9;BYMINUTE=0"
        ),
    ),
    (
        "Remind me tomorrow morning to call the school.",
        Intent(REMIND, "en", "call the school", due_at=utc(2026, 11, 28, 8)),
    ),
    (
        "remind me at 8 tonight to take out the trash",
        Intent(REMIND, "en", "take out the trash", due_at=TONIGHT_8),
    ),
    ("reminder: dentist at 4pm", Intent(REMIND, "en", "dentist", due_at=utc(2026, 11, 27, 15))),
    ("remind me to call mom", Intent(CLARIFY, "en", "call mom", problem="missing_time")),
    ("remind me at 8", Intent(CLARIFY, "en", due_at=TONIGHT_8, problem="missing_text")),
    ("remind me today at 8 to stretch", Intent(REMIND, "en", "stretch", due_at=TONIGHT_8)),
    (
        "remind me today at 8am to stretch",
        Intent(CLARIFY, "en", "stretch", due_at=utc(2026, 11, 27, 7), problem="past_time"),
    ),
    (
        "remind me yesterday at 5pm to pay",
        Intent(CLARIFY, "en", "pay", due_at=utc(2026, 11, 26, 16), problem="past_time"),
    ),
    ("add call the dentist", Intent(ADD, "en", "call the dentist")),
    ("todo: buy milk", Intent(ADD, "en", "buy milk")),
    ("todo buy milk", Intent(ADD, "en", "buy milk")),
    ("add buy oat milk to my list", Intent(ADD, "en", "buy oat milk")),
    ("please add call the plumber please", Intent(ADD, "en", "call the plumber")),
    ("add", Intent(CLARIFY, "en", problem="missing_text")),
    ("list", Intent(LIST, "en")),
    ("my todos", Intent(LIST, "en")),
    ("Show my list", Intent(LIST, "en")),
    ("what's on my list?", Intent(LIST, "en")),
    ("done 2", Intent(COMPLETE, "en", ref=2)),
    ("complete 2", Intent(COMPLETE, "en", ref=2)),
    ("finished call the dentist", Intent(COMPLETE, "en", ref="call the dentist")),
    ("did 2", Intent(COMPLETE, "en", ref=2)),
    ("check 3", Intent(COMPLETE, "en", ref=3)),
    ("delete 2", Intent(DELETE, "en", ref=2)),
    ("remove call the dentist", Intent(DELETE, "en", ref="call the dentist")),
    ("snooze", Intent(SNOOZE, "en", minutes=10)),
    ("snooze 20", Intent(SNOOZE, "en", minutes=20)),
    ("snooze 20 minutes", Intent(SNOOZE, "en", minutes=20)),
    ("snooze 1 hour", Intent(SNOOZE, "en", minutes=60)),
    ("later", Intent(SNOOZE, "en", minutes=10)),
    ("cancel reminder 2", Intent(CANCEL, "en", ref=2)),
    ("cancel the dentist reminder", Intent(CANCEL, "en", ref="dentist")),
    ("stop reminding me to drink water", Intent(CANCEL, "en", ref="drink water")),
    ("delete reminder 3", Intent(CANCEL, "en", ref=3)),
    ("reminders", Intent(REMINDERS, "en")),
    ("my reminders", Intent(REMINDERS, "en")),
    ("what's next?", Intent(AGENDA, "en", period="next")),
    ("next", Intent(AGENDA, "en", period="next")),
    ("today", Intent(AGENDA, "en", period="today")),
    ("what do I have today", Intent(AGENDA, "en", period="today")),
    ("tomorrow", Intent(AGENDA, "en", period="tomorrow")),
    ("help", Intent(HELP, "en")),
    ("?", Intent(HELP, "en")),
]

FRENCH = [
    (
        "rappelle-moi de prendre mes médicaments demain à 8h",
        Intent(REMIND, "fr", "prendre mes médicaments", due_at=TOMORROW_8),
    ),
    ("rappelle moi dans 20 minutes de m'étirer", Intent(REMIND, "fr", "m'étirer", due_at=IN_20_MINUTES)),
    (
        "Rappelle-moi tous les jours à 8h de prendre mes médicaments",
        Intent(REMIND, "fr", "prendre mes médicaments", due_at=TOMORROW_8, rrule=DAILY_8),
    ),
    (
        "rappelle-moi chaque lundi à 9h d'appeler le bureau",
        Intent(REMIND, "fr", "appeler le bureau", due_at=MONDAY_9, rrule=MONDAYS_9),
    ),
    (
        "rappelle-moi en semaine à 9h de me lever",
        Intent(REMIND, "fr", "me lever", due_at=MONDAY_9, rrule=WORKDAYS_9),
    ),
    (
        "rappelle-moi tous les jours de semaine à 7h30 de méditer",
        Intent(
            REMIND,
            "fr",
            "méditer",
            due_at=utc(2026, 11, 30, 6, 30),
            rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=7;BYMINUTE=30",
        ),
    ),
    (
        "rappelle-moi dans une heure de sortir le linge",
        Intent(REMIND, "fr", "sortir le linge", due_at=IN_AN_HOUR),
    ),
    ("rappelle-moi ce soir d'appeler Julie", Intent(REMIND, "fr", "appeler Julie", due_at=TONIGHT_8)),
    (
        "rappelle-moi vendredi à 15h de payer le loyer",
        Intent(REMIND, "fr", "payer le loyer", due_at=TODAY_3PM),
    ),
    (
        "rappelle-moi le 3 décembre à 10h de renouveler mon passeport",
        Intent(REMIND, "fr", "renouveler mon passeport", due_at=DECEMBER_3_10AM),
    ),
    ("rappelle-moi à midi de manger", Intent(REMIND, "fr", "manger", due_at=NOON)),
    ("rappelle-moi à 20h30 de lire", Intent(REMIND, "fr", "lire", due_at=utc(2026, 11, 27, 19, 30))),
    (
        "rappelle-moi lundi prochain à 9h d'appeler la banque",
        Intent(REMIND, "fr", "appeler la banque", due_at=MONDAY_9),
    ),
    (
        "rappelle-moi toutes les 2 heures de boire de l'eau",
        Intent(REMIND, "fr", "boire de l'eau", due_at=IN_2_HOURS, rrule=EVERY_2_HOURS),
    ),
    (
        "rappelle-moi à 8h du soir de sortir les poubelles",
        Intent(REMIND, "fr", "sortir les poubelles", due_at=TONIGHT_8),
    ),
    ("rappelle-moi de rappeler maman", Intent(CLARIFY, "fr", "rappeler maman", problem="missing_time")),
    (
        "rappelle-moi aujourd'hui à 8h de m'étirer",
        Intent(CLARIFY, "fr", "m'étirer", due_at=utc(2026, 11, 27, 7), problem="past_time"),
    ),
    ("ajoute appeler le dentiste", Intent(ADD, "fr", "appeler le dentiste")),
    ("ajouter acheter du pain à ma liste", Intent(ADD, "fr", "acheter du pain")),
    ("S'il te plaît, ajoute appeler le plombier", Intent(ADD, "fr", "appeler le plombier")),
    ("liste", Intent(LIST, "fr")),
    ("mes tâches", Intent(LIST, "fr")),
    ("ma liste", Intent(LIST, "fr")),
    ("fait 2", Intent(COMPLETE, "fr", ref=2)),
    ("terminé 2", Intent(COMPLETE, "fr", ref=2)),
    ("j'ai fini appeler le plombier", Intent(COMPLETE, "fr", ref="appeler le plombier")),
    ("supprime 2", Intent(DELETE, "fr", ref=2)),
    ("supprimer acheter du pain", Intent(DELETE, "fr", ref="acheter du pain")),
    ("reporte", Intent(SNOOZE, "fr", minutes=10)),
    ("plus tard", Intent(SNOOZE, "fr", minutes=10)),
    ("reporte 15 min", Intent(SNOOZE, "fr", minutes=15)),
    ("annule le rappel 2", Intent(CANCEL, "fr", ref=2)),
    ("mes rappels", Intent(REMINDERS, "fr")),
    ("qu'est-ce que j'ai aujourd'hui ?", Intent(AGENDA, "fr", period="today")),
    ("programme", Intent(AGENDA, "fr", period="today")),
    ("aujourd'hui", Intent(AGENDA, "fr", period="today")),
    ("demain", Intent(AGENDA, "fr", period="tomorrow")),
    ("aide", Intent(HELP, "fr")),
]

SPANISH = [
    (
        "recuérdame tomar las pastillas mañana a las 8",
        Intent(REMIND, "es", "tomar las pastillas", due_at=TOMORROW_8),
    ),
    ("recuerdame en 20 minutos estirarme", Intent(REMIND, "es", "estirarme", due_at=IN_20_MINUTES)),
    (
        "recuérdame todos los días a las 8 tomar agua",
        Intent(REMIND, "es", "tomar agua", due_at=TOMORROW_8, rrule=DAILY_8),
    ),
    (
        "recuérdame cada lunes a las 9 llamar a la oficina",
        Intent(REMIND, "es", "llamar a la oficina", due_at=MONDAY_9, rrule=MONDAYS_9),
    ),
    (
        "recuérdame los días laborables a las 9 levantarme",
        Intent(REMIND, "es", "levantarme", due_at=MONDAY_9, rrule=WORKDAYS_9),
    ),
    (
        "recuérdame entre semana a las 9 meditar",
        Intent(REMIND, "es", "meditar", due_at=MONDAY_9, rrule=WORKDAYS_9),
    ),
    ("recuérdame en una hora sacar la ropa", Intent(REMIND, "es", "sacar la ropa", due_at=IN_AN_HOUR)),
    ("recuérdame esta noche llamar a Ana", Intent(REMIND, "es", "llamar a Ana", due_at=TONIGHT_8)),
    (
        "recuérdame el viernes a las 3 de la tarde pagar el alquiler",
        Intent(REMIND, "es", "pagar el alquiler", due_at=TODAY_3PM),
    ),
    (
        "recuérdame el 3 de diciembre a las 10 renovar el pasaporte",
        Intent(REMIND, "es", "renovar el pasaporte", due_at=DECEMBER_3_10AM),
    ),
    ("recuérdame al mediodía comer", Intent(REMIND, "es", "comer", due_at=NOON)),
    ("recuérdame a las 8 llamar a mamá", Intent(REMIND, "es", "llamar a mamá", due_at=TONIGHT_8)),
    (
        "recuérdame cada 2 horas beber agua",
        Intent(REMIND, "es", "beber agua", due_at=IN_2_HOURS, rrule=EVERY_2_HOURS),
    ),
    ("por favor recuérdame comprar pan", Intent(CLARIFY, "es", "comprar pan", problem="missing_time")),
    ("añade llamar al dentista", Intent(ADD, "es", "llamar al dentista")),
    ("agrega comprar leche a mi lista", Intent(ADD, "es", "comprar leche")),
    ("mis tareas", Intent(LIST, "es")),
    ("lista", Intent(LIST, "es")),
    ("hecho 2", Intent(COMPLETE, "es", ref=2)),
    ("completar 2", Intent(COMPLETE, "es", ref=2)),
    ("borra 2", Intent(DELETE, "es", ref=2)),
    ("elimina comprar pan", Intent(DELETE, "es", ref="comprar pan")),
    ("pospón 10 minutos", Intent(SNOOZE, "es", minutes=10)),
    ("más tarde", Intent(SNOOZE, "es", minutes=10)),
    ("cancela el recordatorio 2", Intent(CANCEL, "es", ref=2)),
    ("mis recordatorios", Intent(REMINDERS, "es")),
    ("¿qué tengo hoy?", Intent(AGENDA, "es", period="today")),
    ("hoy", Intent(AGENDA, "es", period="today")),
    ("mañana", Intent(AGENDA, "es", period="tomorrow")),
    ("ayuda", Intent(HELP, "es")),
]

PORTUGUESE = [
    (
        "lembre-me de tomar os remédios amanhã às 8",
        Intent(REMIND, "pt", "tomar os remédios", due_at=TOMORROW_8),
    ),
    (
        "me lembra de ligar para o médico em 20 minutos",
        Intent(REMIND, "pt", "ligar para o médico", due_at=IN_20_MINUTES),
    ),
    (
        "me lembra todos os dias às 8 de tomar água",
        Intent(REMIND, "pt", "tomar água", due_at=TOMORROW_8, rrule=DAILY_8),
    ),
    (
        "me lembra toda segunda às 9 de ligar para o escritório",
        Intent(REMIND, "pt", "ligar para o escritório", due_at=MONDAY_9, rrule=MONDAYS_9),
    ),
    (
        "me lembra nos dias úteis às 9 de levantar",
        Intent(REMIND, "pt", "levantar", due_at=MONDAY_9, rrule=WORKDAYS_9),
    ),
    ("lembre-me em uma hora de tirar a roupa", Intent(REMIND, "pt", "tirar a roupa", due_at=IN_AN_HOUR)),
    (
        "lembre-me hoje à noite de ligar para a Ana",
        Intent(REMIND, "pt", "ligar para a Ana", due_at=TONIGHT_8),
    ),
    (
        "lembre-me na sexta-feira às 15h de pagar o aluguel",
        Intent(REMIND, "pt", "pagar o aluguel", due_at=TODAY_3PM),
    ),
    (
        "lembre-me dia 3 de dezembro às 10 de renovar o passaporte",
        Intent(REMIND, "pt", "renovar o passaporte", due_at=DECEMBER_3_10AM),
    ),
    ("lembre-me ao meio-dia de almoçar", Intent(REMIND, "pt", "almoçar", due_at=NOON)),
    (
        "me lembra a cada 2 horas de beber água",
        Intent(REMIND, "pt", "beber água", due_at=IN_2_HOURS, rrule=EVERY_2_HOURS),
    ),
    ("lembre-me às 8 da noite de tirar o lixo", Intent(REMIND, "pt", "tirar o lixo", due_at=TONIGHT_8)),
    ("lembre-me de comprar pão", Intent(CLARIFY, "pt", "comprar pão", problem="missing_time")),
    ("adiciona ligar para o dentista", Intent(ADD, "pt", "ligar para o dentista")),
    ("adicionar comprar leite à minha lista", Intent(ADD, "pt", "comprar leite")),
    ("minhas tarefas", Intent(LIST, "pt")),
    ("feito 2", Intent(COMPLETE, "pt", ref=2)),
    ("concluído 2", Intent(COMPLETE, "pt", ref=2)),
    ("apaga 2", Intent(DELETE, "pt", ref=2)),
    ("remover comprar pão", Intent(DELETE, "pt", ref="comprar pão")),
    ("adiar 10 minutos", Intent(SNOOZE, "pt", minutes=10)),
    ("mais tarde", Intent(SNOOZE, "pt", minutes=10)),
    ("cancela o lembrete 2", Intent(CANCEL, "pt", ref=2)),
    ("meus lembretes", Intent(REMINDERS, "pt")),
    ("o que tenho hoje", Intent(AGENDA, "pt", period="today")),
    ("hoje", Intent(AGENDA, "pt", period="today")),
    ("amanhã", Intent(AGENDA, "pt", period="tomorrow")),
    ("ajuda", Intent(HELP, "pt")),
]


def _rows(rows: list[tuple[str, Intent]]) -> list:
    return [pytest.param(text, expected, id=text) for text, expected in rows]


@pytest.mark.parametrize(("text", "expected"), _rows(ENGLISH))
def test_english(text, expected):
    assert parse(text, PARIS) == expected


@pytest.mark.parametrize(("text", "expected"), _rows(FRENCH))
def test_french(text, expected):
    assert parse(text, PARIS) == expected


@pytest.mark.parametrize(("text", "expected"), _rows(SPANISH))
def test_spanish(text, expected):
    assert parse(text, PARIS) == expected


@pytest.mark.parametrize(("text", "expected"), _rows(PORTUGUESE))
def test_portuguese(text, expected):
    assert parse(text, PARIS) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _rows(
        [
            # 05:00 in New York: 08:00 and 20:00 are both still ahead today, so it asks.
            (
                "remind me at 8 to walk the dog",
                Intent(
                    CLARIFY,
                    "en",
                    "walk the dog",
                    problem="ambiguous_time",
                    options=(utc(2026, 11, 27, 13), utc(2026, 11, 28, 1)),
                ),
            ),
            (
                "remind me tomorrow at 8 to call mom",
                Intent(REMIND, "en", "call mom", due_at=utc(2026, 11, 28, 13)),
            ),
            # Americans write the month first.
            (
                "remind me on 12/3 at 10 to renew my passport",
                Intent(REMIND, "en", "renew my passport", due_at=utc(2026, 12, 3, 15)),
            ),
            (
                "remind me every day at 8 to take my meds",
                Intent(REMIND, "en", "take my meds", due_at=utc(2026, 11, 27, 13), rrule=DAILY_8),
            ),
        ]
    ),
)
def test_new_york(text, expected):
    assert parse(text, NEW_YORK) == expected


def test_numeric_dates_put_the_day_first_outside_the_americas():
    intent = parse("remind me on 3/12 at 10 to renew my passport", PARIS)

    assert intent.due_at == DECEMBER_3_10AM


@pytest.mark.parametrize(
    ("text", "variant"),
    [
        ("Rappelle-moi de boire demain à 8h", "rappelle moi de boire demain a 8h"),
        ("RAPPELLE-MOI DE BOIRE DEMAIN À 8H", "rappelle-moi de boire demain à 8h"),
        ("recuérdame beber mañana a las 8", "Recuerdame beber manana a las 8"),
        ("  list  ", "list!!!"),
        ("what's next?", "whats next"),
        ("o que tenho hoje?", "O QUE TENHO HOJE"),
    ],
)
def test_case_accents_punctuation_and_spacing_do_not_matter(text, variant):
    assert parse(text, PARIS).name == parse(variant, PARIS).name
    assert parse(text, PARIS).due_at == parse(variant, PARIS).due_at


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # Words two languages share answer in the language the user prefers...
        ("lista", "pt", Intent(LIST, "pt")),
        ("terminé 2", "es", Intent(COMPLETE, "es", ref=2)),
        ("próximo", "pt", Intent(AGENDA, "pt", period="next")),
        ("snooze", "fr", Intent(SNOOZE, "fr", minutes=10)),
        ("agenda", "es", Intent(AGENDA, "es", period="today")),
        # ...unless the rest of the message says otherwise.
        ("cancela o lembrete 2", "es", Intent(CANCEL, "pt", ref=2)),
        # The text wins over the preference.
        ("remind me at 8pm to read", "fr", Intent(REMIND, "en", "read", due_at=TONIGHT_8)),
        # Nothing to go on: the preference, then the common words of the message.
        ("", "es", Intent(HELP, "es")),
        ("blorp", "fr", Intent(IntentName.UNKNOWN, "fr")),
        # A greeting alone is answered with what the assistant can do, in its language.
        ("hola que tal", None, Intent(HELP, "es")),
        ("bonjour", None, Intent(HELP, "fr")),
        ("blorp", None, Intent(IntentName.UNKNOWN, "en")),
    ],
)
def test_language(text, language, expected):
    assert parse(text, EngineContext(now=NOW, timezone="Europe/Paris", language=language)) == expected
