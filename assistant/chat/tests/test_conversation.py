"""A conversation as a person lives it: what is saved is said back with its date, a time the
assistant is not sure of becomes one short question, the answer completes it, "undo" takes the
last action back, and every reply is in the person's language."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from assistant.chat import replies
from assistant.chat.intents import READ_ONLY_INTENTS
from assistant.chat.models import Conversation, Message
from assistant.chat.services import chat_message_handle
from assistant.planner import services as planner
from assistant.planner.models import Reminder, Todo
from tests import sql

pytestmark = pytest.mark.django_db
WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}


def say(user, text, channel="api"):
    return chat_message_handle(user=user, text=text, channel=channel).text


def zone_where_it_is(hour: int) -> str:
    """A fixed-offset zone where the local time is now between `hour`:00 and `hour`:59, so that
    a test about "both 08:00 and 20:00 are still ahead" does not depend on when it runs."""
    now = datetime.now(UTC)
    for offset in range(-12, 15):
        name = f"Etc/GMT{'-' if offset >= 0 else '+'}{abs(offset)}"  # Etc/GMT-5 is UTC+5
        if now.astimezone(ZoneInfo(name)).hour == hour:
            return name
    raise AssertionError("every hour of the day exists in some zone")


@pytest.fixture
def early_user(user):
    user.timezone, user.language = zone_where_it_is(5), "en"
    user.save()
    return user


def test_a_saved_reminder_is_said_back_with_its_absolute_local_date_and_time(user):
    reply = say(user, "remind me to call the bank tomorrow at 7.30am")

    reminder = Reminder.objects.get()
    local = reminder.due_at.astimezone(ZoneInfo(user.timezone))
    assert (local.hour, local.minute, reminder.text) == (7, 30, "call the bank")
    assert f"{WEEKDAYS['en'][local.weekday()]} {local.day} " in reply
    assert "at 07:30" in reply
    assert "tomorrow" in reply
    assert "call the bank" in reply


def test_a_recurring_reminder_says_how_often_and_when_first(user):
    reply = say(user, "every monday at 8 remind me to put the bins out")

    assert "on Mondays at 08:00" in reply
    assert "First: " in reply
    assert Reminder.objects.get().rrule == "FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=0"


def test_a_todo_with_a_day_is_saved_due_that_day_and_said_back(user):
    reply = say(user, "add call the plumber tomorrow")

    todo = Todo.objects.get()
    assert todo.title == "call the plumber"
    assert todo.due_date == timezone.now().astimezone(ZoneInfo(user.timezone)).date() + timedelta(days=1)
    assert "due " in reply


def test_a_bare_hour_with_both_readings_ahead_is_asked_and_the_answer_saves_it(early_user):
    question = say(early_user, "remind me at 8 to walk the dog")

    assert not Reminder.objects.exists()
    assert "08:00" in question
    assert "20:00" in question
    assert question.endswith("?")

    answer = say(early_user, "8pm")

    reminder = Reminder.objects.get()
    local = reminder.due_at.astimezone(ZoneInfo(early_user.timezone))
    assert (reminder.text, local.hour) == ("walk the dog", 20)
    assert "20:00" in answer
    assert Conversation.objects.get().pending == {}


@pytest.mark.parametrize(
    ("language", "local_now", "question"),
    [
        # Both readings today: the day is said once.
        ("en", "2026-12-03 05:10", "walk the dog: today, Thursday 3 December, at 08:00 or at 20:00?"),
        ("fr", "2026-12-03 05:10", "promener le chien : aujourd'hui, jeudi 3 décembre, à 08:00 ou à 20:00 ?"),
        # 08:00 has passed: this evening or tomorrow morning, soonest first.
        (
            "en",
            "2026-12-03 10:00",
            "walk the dog: today, Thursday 3 December at 20:00 or tomorrow, Friday 4 December at 08:00?",
        ),
    ],
)
def test_the_question_for_a_bare_hour_names_both_readings_plainly(language, local_now, question):
    zone = "Europe/Paris"
    now = datetime.fromisoformat(local_now).replace(tzinfo=ZoneInfo(zone))
    day = now.date() if now.hour < 8 else now.date() + timedelta(days=1)
    morning = datetime.combine(day, time(8), ZoneInfo(zone))
    evening = datetime.combine(now.date(), time(20), ZoneInfo(zone))
    text = "promener le chien" if language == "fr" else "walk the dog"

    with translation.override(language):
        asked = replies.which_time(text, (morning, evening), timezone=zone, now=now)

    assert asked == question


def test_a_rough_time_is_confirmed_with_yes(user):
    question = say(user, "remind me to call the bank at 6pmish")

    assert not Reminder.objects.exists()
    assert "18:00" in question
    assert "yes" in question

    say(user, "yes")

    reminder = Reminder.objects.get()
    assert reminder.text == "call the bank"
    assert reminder.due_at.astimezone(ZoneInfo(user.timezone)).hour == 18


def test_a_question_never_answered_expires_without_side_effects(user):
    say(user, "remind me to call the bank at 6pmish")
    Conversation.objects.update(pending_until=timezone.now() - timedelta(seconds=1))

    reply = say(user, "yes")

    assert not Reminder.objects.exists()
    assert "remind you" not in reply  # read as a new message, which says nothing to save


def test_a_missing_time_is_asked_then_given(user):
    say(user, "remind me to call mom")
    say(user, "tomorrow at 9am")

    reminder = Reminder.objects.get()
    assert reminder.text == "call mom"
    assert reminder.due_at.astimezone(ZoneInfo(user.timezone)).hour == 9


def test_a_new_request_after_a_question_is_not_taken_for_its_answer(user):
    say(user, "remind me to call mom")
    say(user, "add buy milk")

    assert not Reminder.objects.exists()
    assert Todo.objects.get().title == "buy milk"
    assert Conversation.objects.get().pending == {}


@pytest.mark.parametrize(
    ("first", "check"),
    [
        ("add buy milk", lambda: not Todo.objects.exists()),
        (
            "remind me to call mom tomorrow at 9am",
            lambda: Reminder.objects.get().status == Reminder.Status.CANCELLED,
        ),
    ],
)
def test_undo_takes_back_what_was_just_saved(user, first, check):
    say(user, first)

    reply = say(user, "undo")

    assert reply.startswith("Undone")
    assert check()


def test_undo_reopens_a_completed_todo_and_brings_back_a_deleted_one(user):
    planner.todo_create(user=user, title="pay the rent")
    planner.todo_create(user=user, title="buy stamps")

    say(user, "I paid the rent")
    assert Todo.objects.get(title="pay the rent").status == Todo.Status.DONE
    say(user, "undo")
    assert Todo.objects.get(title="pay the rent").status == Todo.Status.OPEN

    say(user, "delete buy stamps")
    assert not Todo.objects.filter(title="buy stamps").exists()
    say(user, "annule")
    assert Todo.objects.filter(title="buy stamps", status=Todo.Status.OPEN).exists()


def test_undo_reschedules_a_cancelled_reminder(user):
    reminder = planner.reminder_create(user=user, text="stretch", due_at=timezone.now() + timedelta(hours=2))
    say(user, "cancel the stretch reminder")
    assert Reminder.objects.get().status == Reminder.Status.CANCELLED

    say(user, "undo")

    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SCHEDULED


def test_there_is_nothing_to_undo_twice(user):
    say(user, "add buy milk")
    say(user, "undo")

    assert say(user, "undo") == "There is nothing to undo."


def test_a_new_persons_language_comes_from_their_first_message(user):
    user.language = ""
    user.save()

    reply = say(user, "rapel moi demain a 8h d'appeler maman")

    user.refresh_from_db()
    assert user.language == "fr"
    assert "je te rappellerai" in reply
    assert (
        WEEKDAYS["fr"][Reminder.objects.get().due_at.astimezone(ZoneInfo(user.timezone)).weekday()] in reply
    )


def test_an_answer_with_no_words_of_a_language_gets_the_persons_language(user):
    user.timezone, user.language = zone_where_it_is(5), "es"
    user.save()

    say(user, "recuérdame a las 8 sacar al perro")
    reply = say(user, "8am")

    assert Reminder.objects.get().text == "sacar al perro"
    assert reply.startswith("Vale")


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "blorp zzz", "Sorry, I didn't get that"),
        ("fr", "blorp zzz", "je n'ai pas compris"),
        ("es", "blorp zzz", "no lo he entendido"),
        ("pt", "blorp zzz", "não entendi"),
    ],
)
def test_what_is_not_understood_is_answered_in_the_persons_language_with_examples(
    user, language, text, expected
):
    user.language = language
    user.save()

    reply = say(user, text)

    assert expected in reply
    assert sum(reply.count(mark) for mark in "“«") >= 2  # two examples of what works


@pytest.mark.parametrize(
    "text", ["remind me to drink water every second", "remind me every 5 minutes to blink"]
)
def test_a_reminder_repeating_too_often_is_refused_in_plain_words(user, text):
    reply = say(user, text)

    assert not Reminder.objects.exists()
    assert "at most every 15 minutes" in reply


def test_a_past_tense_that_names_no_open_todo_completes_nothing(user):
    planner.todo_create(user=user, title="pay the rent")

    say(user, "I paid the parking")

    assert Todo.objects.get().status == Todo.Status.OPEN


def test_reading_the_agenda_costs_a_fixed_number_of_statements(user, django_assert_num_queries):
    say(user, "help")  # the conversation exists, as it does for someone who talks to the assistant

    # conversation; next reminder, synced entries (the next event, and today's events and tasks,
    # in one read) and today's todos, sent together on PostgreSQL; the message with its reply,
    # in one INSERT on PostgreSQL. Elsewhere the reads go one by one and the INSERTs are two.
    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 6):
        say(user, "what's next?")


@pytest.mark.parametrize(
    "text", ["what's next?", "what's on today?", "help", "thanks", "purple elephants dancing"]
)
def test_a_question_writes_its_two_messages_and_nothing_else(user, text):
    """A turn of READ_ONLY_INTENTS runs outside a transaction (chat.services): its handler
    must write nothing, or a failure halfway would leave half a turn behind."""
    say(user, "help")  # the conversation exists
    with CaptureQueriesContext(connection) as statements:
        reply = chat_message_handle(user=user, text=text, channel="api")

    assert reply.intent in READ_ONLY_INTENTS
    writes = sql.writes(statements.captured_queries)
    assert len(writes) == (1 if connection.vendor == "postgresql" else 2), writes
    assert all(write.startswith(('INSERT INTO "chat_message"', "WITH")) for write in writes), writes
    assert reply.in_reply_to.text == text
    assert Message.objects.get(pk=reply.pk).in_reply_to_id == reply.in_reply_to.pk
