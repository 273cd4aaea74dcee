"""Recurrence rules are checked on every write path: the API (create and change) and chat."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from assistant.chat.services import chat_message_handle
from assistant.planner import services
from assistant.planner.models import Reminder
from assistant.planner.tests.rules import ATTACKS, ORDINARY, tomorrow, weekday

pytestmark = pytest.mark.django_db


def create(client, rule: str, due_at: datetime, **extra):
    return client.post(
        "/api/v1/reminders",
        {"text": "drink water", "due_at": due_at.isoformat(), "rrule": rule, **extra},
        format="json",
    )


def refused_for(response) -> list[str]:
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    return body["fields"]["rrule"]


@pytest.mark.parametrize(("rule", "start", "reason"), ATTACKS)
def test_an_attack_rule_is_a_400_naming_rrule(auth_client, rule, start, reason):
    response = create(auth_client, rule, start(timezone.now()))

    assert refused_for(response) == [reason]
    assert not Reminder.objects.exists()


def test_a_rule_longer_than_the_column_is_a_400_naming_rrule(auth_client):
    response = create(auth_client, "FREQ=DAILY;BYMINUTE=" + ",".join(["1"] * 100), tomorrow(timezone.now()))

    assert refused_for(response)
    assert not Reminder.objects.exists()


@pytest.mark.parametrize(("rule", "start"), ORDINARY)
def test_an_ordinary_rule_is_accepted(auth_client, rule, start):
    due_at = start(timezone.now())

    response = create(auth_client, rule, due_at)

    assert response.status_code == 201, response.content
    assert response.json()["rrule"] == rule
    assert Reminder.objects.get().due_at == due_at


def test_sms_allows_fewer_repeats_than_chat(auth_client):
    due_at = tomorrow(timezone.now())

    every_half_hour = create(auth_client, "FREQ=MINUTELY;INTERVAL=30", due_at, channel="sms")
    every_two_hours = create(auth_client, "FREQ=HOURLY;INTERVAL=2", due_at, channel="sms")

    assert refused_for(every_half_hour) == ["Reminders can repeat at most every hour on SMS."]
    assert every_two_hours.status_code == 201
    assert list(Reminder.objects.values_list("rrule", flat=True)) == ["FREQ=HOURLY;INTERVAL=2"]


def test_the_limits_are_settings(auth_client, settings):
    settings.REMINDER_RRULE_MIN_INTERVAL_SECONDS = {"chat": 2 * 3600, "sms": 3600}
    settings.REMINDER_RRULE_HORIZON_DAYS = 30
    due_at = tomorrow(timezone.now())

    in_three_months = (due_at.month + 2) % 12 + 1

    hourly = create(auth_client, "FREQ=HOURLY", due_at)
    yearly = create(auth_client, f"FREQ=YEARLY;BYMONTH={in_three_months};BYMONTHDAY=1", due_at)

    assert refused_for(hourly) == ["Reminders can repeat at most every 2 hours on chat."]
    assert refused_for(yearly) == ["This rule never occurs in the next 30 days."]


def test_a_change_of_rule_is_checked(auth_client):
    reminder = create(auth_client, "FREQ=DAILY;BYHOUR=8;BYMINUTE=0", tomorrow(timezone.now())).json()

    response = auth_client.patch(
        f"/api/v1/reminders/{reminder['id']}", {"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, format="json"
    )

    assert refused_for(response) == ["This rule never occurs: no such day in those months."]
    assert Reminder.objects.get().rrule == "FREQ=DAILY;BYHOUR=8;BYMINUTE=0"


def test_moving_a_series_from_chat_to_sms_checks_its_rule_again(auth_client):
    reminder = create(auth_client, "FREQ=MINUTELY;INTERVAL=30", tomorrow(timezone.now())).json()

    to_sms = auth_client.patch(f"/api/v1/reminders/{reminder['id']}", {"channel": "sms"}, format="json")
    wording = auth_client.patch(f"/api/v1/reminders/{reminder['id']}", {"text": "stretch"}, format="json")

    assert refused_for(to_sms) == ["Reminders can repeat at most every hour on SMS."]
    assert wording.status_code == 200
    assert Reminder.objects.values_list("channel", "text").get() == ("chat", "stretch")


def test_moving_the_start_of_a_series_checks_its_rule_again(auth_client):
    rule = "FREQ=DAILY;INTERVAL=7;BYDAY=TU"  # fine from a Tuesday, never from a Monday
    reminder = create(auth_client, rule, weekday(1)(timezone.now())).json()

    response = auth_client.patch(
        f"/api/v1/reminders/{reminder['id']}",
        {"due_at": weekday(0)(timezone.now()).isoformat()},
        format="json",
    )

    assert refused_for(response) == ["This rule never occurs in the next 2 years."]


def test_a_series_started_in_the_past_begins_at_its_next_occurrence(user):
    now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)

    reminder = services.reminder_create(
        user=user,
        text="meds",
        due_at=datetime(2026, 1, 5, 7, 0, tzinfo=UTC),  # 08:00 in Paris, long ago
        rrule="FREQ=DAILY;BYHOUR=8;BYMINUTE=0",
        now=now,
    )

    assert reminder.due_at == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)


def test_chat_cannot_make_a_reminder_repeat_faster_than_allowed(user):
    chat_message_handle(user=user, text="remind me every 5 minutes to drink water", channel="api")
    chat_message_handle(user=user, text="remind me every 30 minutes to stretch", channel="api")

    assert list(Reminder.objects.values_list("text", "rrule")) == [("stretch", "FREQ=MINUTELY;INTERVAL=30")]


def test_chat_rules_pass_the_checks(user):
    for text in (
        "remind me every day at 8 to take my meds",
        "remind me every weekday at 9 to stand up",
        "remind me every 2 hours to drink water",
        "remind me every monday to call mom",
        "remind me every month to pay rent",
    ):
        chat_message_handle(user=user, text=text, channel="api")

    assert Reminder.objects.filter(rrule__startswith="FREQ=").count() == 5
    assert all(reminder.due_at > timezone.now() for reminder in Reminder.objects.all())
