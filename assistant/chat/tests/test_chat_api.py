from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from prometheus_client import REGISTRY

from assistant.planner import services as planner
from assistant.planner.models import Reminder, Todo
from assistant.users.tests.factories import UserFactory
from assistant.users.tests.helpers import sign_in

pytestmark = pytest.mark.django_db
URL = "/api/v1/chat/messages"


def say(client, text):
    response = client.post(URL, {"text": text}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def metric(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0


def test_a_message_gets_a_reply_linked_to_it(auth_client):
    body = say(auth_client, "add call the dentist")

    assert body["message"]["direction"] == "in"
    assert body["message"]["intent"] == "add_todo"
    assert body["reply"]["direction"] == "out"
    assert body["reply"]["in_reply_to"] == body["message"]["id"]
    assert "call the dentist" in body["reply"]["text"]
    assert Todo.objects.get().title == "call the dentist"


def test_list_then_complete_by_number(auth_client):
    for title in ("buy milk", "call mom", "pay rent"):
        say(auth_client, f"add {title}")

    listing = say(auth_client, "list")["reply"]["text"]
    done = say(auth_client, "done 2")["reply"]["text"]

    assert "1. buy milk" in listing
    assert "2. call mom" in listing
    assert "call mom" in done
    assert list(Todo.objects.filter(status="done").values_list("title", flat=True)) == ["call mom"]


def test_the_new_user_flow_remind_deliver_snooze(auth_client, user, django_capture_on_commit_callbacks):
    """Register, ask for a reminder in a minute, get it as a chat message, snooze it."""
    sent_before = metric("reminder_sent_total", channel="chat", result="sent")

    reply = say(auth_client, "remind me to drink water in 1 minute")["reply"]["text"]
    reminder = Reminder.objects.get()
    assert "drink water" in reply
    assert timedelta(seconds=50) < reminder.due_at - timezone.now() <= timedelta(minutes=1)

    with django_capture_on_commit_callbacks(execute=True):  # metrics count on commit
        planner.reminders_dispatch(now=reminder.due_at + timedelta(seconds=1))
    history = auth_client.get(URL).json()["results"]
    assert history[0]["text"] == "Reminder: drink water"
    assert history[0]["in_reply_to"] is None
    assert metric("reminder_sent_total", channel="chat", result="sent") == sent_before + 1

    snoozed = say(auth_client, "snooze")["reply"]["text"]
    reminder.refresh_from_db()
    assert "drink water" in snoozed
    assert reminder.status == "scheduled"
    assert timedelta(minutes=9) < reminder.snoozed_until - timezone.now() <= timedelta(minutes=10)


def test_messages_are_counted(auth_client, django_capture_on_commit_callbacks):
    before = metric("chat_message_total", channel="api", direction="in")
    intents_before = metric("assistant_intent_total", intent="help")

    with django_capture_on_commit_callbacks(execute=True):
        say(auth_client, "help")

    assert metric("chat_message_total", channel="api", direction="in") == before + 1
    assert metric("assistant_intent_total", intent="help") == intents_before + 1


@pytest.mark.parametrize("text", ["", "   ", "🙂🙃", "\x01garbage\x7f\u202e", "x" * 5000, "asdkjh qwe zxc"])
def test_odd_input_gets_a_short_answer_never_a_500(auth_client, text):
    body = say(auth_client, text)

    assert body["reply"]["text"]
    assert body["message"]["intent"] in {"help", "unknown"}


def test_an_overlong_message_is_a_400(auth_client):
    response = auth_client.post(URL, {"text": "x" * 5001}, format="json")

    assert response.status_code == 400
    assert "text" in response.json()["error"]["fields"]


def test_a_null_character_is_a_400_naming_the_field(auth_client):
    response = auth_client.post(URL, {"text": "hi\x00"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"text": ["Null characters are not allowed."]}


def test_a_missing_text_field_is_a_400(auth_client):
    response = auth_client.post(URL, {"message": "hi"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"text": ["This field is required."]}


def test_history_is_paginated_and_private(auth_client, password):
    other = sign_in(UserFactory(password=password).email, password)
    say(other, "add their secret")
    for _ in range(3):
        say(auth_client, "help")

    page = auth_client.get(URL, {"page_size": 4}).json()

    assert page["count"] == 6
    assert len(page["results"]) == 4
    assert all("secret" not in item["text"] for item in page["results"])


def test_a_time_in_the_past_is_answered_with_a_question(auth_client):
    body = say(auth_client, "remind me to call mom yesterday at 8")

    assert body["message"]["intent"] == "clarify"
    assert "?" in body["reply"]["text"]
    assert not Reminder.objects.exists()


def test_french_gets_a_french_answer(auth_client):
    body = say(auth_client, "rappelle-moi de prendre mes médicaments demain à 8h")

    assert body["message"]["intent"] == "remind"
    assert "je te rappellerai" in body["reply"]["text"]
    assert Reminder.objects.get().text == "prendre mes médicaments"


def test_the_history_filters_by_channel_and_refuses_an_unknown_one(auth_client):
    auth_client.post(URL, {"text": "add water the plants"}, format="json")

    by_api = auth_client.get(URL, {"channel": "api"})
    unknown = auth_client.get(URL, {"channel": "sms\x00"})  # PostgreSQL cannot even compare a NUL

    assert by_api.status_code == 200
    assert {message["channel"] for message in by_api.json()["results"]} == {"api"}
    assert unknown.status_code == 400
    assert list(unknown.json()["error"]["fields"]) == ["channel"]


class TestQueryCounts:
    """The chat's hottest message pins its SQL statements: a regression fails here."""

    def test_what_is_next_with_a_reminder_coming(self, auth_client, user, django_assert_num_queries):
        say(auth_client, "remind me to stretch in 2 hours")

        # Four round trips on PostgreSQL: the token with its user; the conversation; the next
        # reminder, the synced entries (the next calendar event, in the read that also has
        # today's) and today's todos, three statements sent together; the message with its
        # reply, one INSERT. A question opens no transaction: no BEGIN and COMMIT either, which
        # Django would not count. Elsewhere, the reads go one by one and the INSERTs are two.
        with django_assert_num_queries(4 if connection.vendor == "postgresql" else 7):
            body = say(auth_client, "what is next?")
        assert "stretch" in body["reply"]["text"]

    def test_what_is_next_with_nothing_coming_reads_the_day(
        self, auth_client, user, django_assert_num_queries
    ):
        for n in range(10):
            Todo.objects.create(user=user, title=f"todo {n}", position=n)
        say(auth_client, "hello")  # the conversation exists, as it does after the first message

        # The same four: today's todos were read with the next reminder and event, today's
        # calendar events and external tasks with the synced entries, and no reminder fires
        # from now on.
        with django_assert_num_queries(4 if connection.vendor == "postgresql" else 7):
            body = say(auth_client, "what is next?")
        assert body["reply"]["intent"] == "agenda"
