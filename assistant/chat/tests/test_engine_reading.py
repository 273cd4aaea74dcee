"""The engine's reading aids: typo correction, abbreviations, fuzzy todo names, answers to its own
questions, and the user's own spelling kept in what it saves."""

from datetime import UTC, date, datetime

import pytest

from assistant.chat.engine import EngineContext, IntentName, Pending, Problem, parse
from assistant.chat.engine.parser import best_todo
from assistant.chat.engine.spelling import SPELLER
from assistant.chat.engine.text import read

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # Tuesday, 10:00 in Paris
PARIS = EngineContext(now=NOW, timezone="Europe/Paris", language="fr")


@pytest.mark.parametrize(
    ("typed", "read_as"),
    [
        ("tomorow", "tomorrow"),
        ("remnd", "remind"),
        ("recuerdme", "recuerdame"),
        ("juebes", "jueves"),
        ("dnoe", "done"),  # two letters swapped in a four-letter command word
        ("evry", "every"),  # one letter missing from a longer keyword
    ],
)
def test_keyword_typos_are_read_as_the_keyword(typed, read_as):
    assert SPELLER.respell(read(typed)).folded == read_as


@pytest.mark.parametrize(
    "word",
    [
        "turno",  # a Spanish word that is "turn" plus a letter
        "mire",  # four letters: never turned into the weekday "mier"
        "relancer",  # a task's own verb, not the snooze word "relance"
        "souper",  # not "super"
    ],
)
def test_real_words_near_a_keyword_are_left_alone(word):
    assert SPELLER.correct(word) is None


def test_a_word_typed_with_an_accent_the_keyword_lacks_is_not_corrected():
    # "sabão" (soap) is one letter from "sábado" (Saturday), but its accent says it is another word.
    intent = parse("coloca sabão em pó na lista", EngineContext(now=NOW, timezone="America/Sao_Paulo"))

    assert (intent.name, intent.text, intent.due_date) == (IntentName.ADD_TODO, "sabão em pó", None)


def test_respelled_words_keep_the_users_spelling_in_titles():
    message = SPELLER.respell(read("rappelle moi 2m1 de rappeler Léa"))

    assert "demain" in message.folded
    assert message.original() == "rappelle moi 2m1 de rappeler Léa"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("paid the rent", "pay the rent"),
        ("PAYÉ LE LOYER", "payer le loyer"),
        ("le loyer", "payer le loyer"),
        ("pagué la renta", "pagar la renta"),
        ("paid the parking", None),  # the verb alone is not the todo
        ("call", None),  # two todos fit as well: none is chosen
    ],
)
def test_a_todo_is_found_by_a_fuzzy_accent_insensitive_name(name, expected):
    todos = ["pay the rent", "payer le loyer", "pagar la renta", "call mom", "call the bank"]

    assert best_todo(name, todos) == expected


@pytest.mark.parametrize(
    ("pending", "answer", "due_at"),
    [
        (
            Pending(Problem.AMBIGUOUS_TIME, "call mom", options=(NOW.replace(hour=10), NOW.replace(hour=22))),
            "le soir",
            NOW.replace(hour=22),
        ),
        (
            Pending(Problem.AMBIGUOUS_TIME, "call mom", options=(NOW.replace(hour=10), NOW.replace(hour=22))),
            "11am",
            NOW.replace(hour=10),
        ),
        (Pending(Problem.UNCLEAR_TIME, "call mom", due_at=NOW.replace(hour=17)), "oui", NOW.replace(hour=17)),
        (Pending(Problem.MISSING_TIME, "call mom"), "demain à 9h", datetime(2026, 12, 2, 8, tzinfo=UTC)),
        (
            Pending(Problem.UNCLEAR_TIME, "call mom", day=date(2026, 12, 3)),
            "15h10",
            datetime(2026, 12, 3, 14, 10, tzinfo=UTC),
        ),
    ],
)
def test_an_answer_completes_the_reminder_the_question_was_about(pending, answer, due_at):
    context = EngineContext(now=NOW, timezone="Europe/Paris", language="fr", pending=pending)

    intent = parse(answer, context)

    assert (intent.name, intent.text, intent.due_at) == (IntentName.REMIND, "call mom", due_at)


def test_a_new_request_is_not_taken_for_an_answer():
    pending = Pending(Problem.MISSING_TIME, "call mom")

    intent = parse("ma liste", EngineContext(now=NOW, timezone="Europe/Paris", pending=pending))

    assert intent.name == IntentName.LIST_TODOS


def test_a_missing_text_is_completed_by_the_next_message():
    due = datetime(2026, 12, 2, 8, tzinfo=UTC)
    pending = Pending(Problem.MISSING_TEXT, due_at=due)

    intent = parse("appeler le dentiste", EngineContext(now=NOW, timezone="Europe/Paris", pending=pending))

    assert (intent.name, intent.text, intent.due_at) == (IntentName.REMIND, "appeler le dentiste", due)
