from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from assistant.chat.models import Message
from assistant.chat.services import chat_message_handle
from assistant.planner import services
from assistant.planner.models import Reminder, Todo
from assistant.planner.tests.rules import ATTACKS, ORDINARY, tomorrow
from assistant.planner.tests.test_api import DUE
from assistant.planner.tests.test_dispatch import make

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, user):
    user.groups.add(Group.objects.get(name="admin"))
    client.force_login(user)
    return client


def action(client, model, name, ids):
    return client.post(
        reverse(f"admin:planner_{model}_changelist"), {"action": name, "_selected_action": ids}, follow=True
    )


def test_send_now_delivers_the_reminder_as_a_chat_message(staff_client, user):
    reminder = services.reminder_create(user=user, text="stretch", due_at=timezone.now() + timedelta(days=1))

    response = action(staff_client, "reminder", "send_now", [reminder.pk])

    assert response.status_code == 200
    assert b"Sent 1" in response.content
    assert (
        Message.objects.filter(conversation__user=user, direction="out", text="Reminder: stretch").count()
        == 1
    )
    reminder.refresh_from_db()
    assert reminder.status == "sent"


def test_snooze_ten_minutes(staff_client, user):
    reminder = services.reminder_create(
        user=user, text="stretch", due_at=timezone.now() + timedelta(minutes=1)
    )

    action(staff_client, "reminder", "snooze_ten_minutes", [reminder.pk])

    reminder.refresh_from_db()
    assert timedelta(minutes=9) < reminder.snoozed_until - timezone.now() <= timedelta(minutes=10)


def test_mark_done_completes_todos(staff_client, user):
    todo = services.todo_create(user=user, title="pay rent")

    action(staff_client, "todo", "mark_done", [todo.pk])

    todo.refresh_from_db()
    assert (todo.status, bool(todo.completed_at)) == ("done", True)


def test_conversation_page_shows_its_messages(staff_client, user):
    chat_message_handle(user=user, text="add water the plants", channel="api")
    conversation = user.conversations.get()

    page = staff_client.get(reverse("admin:chat_conversation_change", args=[conversation.pk]))

    assert page.status_code == 200
    assert b"add water the plants" in page.content
    assert b"Added to your list" in page.content


def test_planner_and_chat_lists_open_with_filters(staff_client, user):
    services.todo_create(user=user, title="x")
    services.reminder_create(user=user, text="y", due_at=timezone.now() + timedelta(hours=1))
    chat_message_handle(user=user, text="help", channel="api")

    for name in ("planner_todo", "planner_reminder", "chat_conversation", "chat_message"):
        assert staff_client.get(reverse(f"admin:{name}_changelist") + "?q=x").status_code == 200
    assert Todo.objects.count() == 1
    assert Reminder.objects.count() == 1


class TestDeliveries:
    def test_the_reminder_page_lists_its_deliveries_read_only(self, staff_client, failed_over):
        page = staff_client.get(reverse("admin:planner_reminder_change", args=[failed_over.pk]))

        assert page.status_code == 200
        content = page.content.decode()
        assert "Failed over" in content
        assert "number refused" in content
        assert "All deliveries of this reminder" in content
        assert 'name="deliveries-0-outcome"' not in content  # shown, not editable

    def test_the_reminder_list_shows_and_filters_by_the_last_outcome(self, staff_client, user, failed_over):
        delivered = make(user, text="stretch")
        services.reminders_dispatch(now=DUE)
        changelist = reverse("admin:planner_reminder_changelist")

        everything = staff_client.get(changelist).content.decode()
        only_failed_over = staff_client.get(changelist + "?last_delivery=failed_over").content.decode()

        assert "Failed over" in everything
        assert "delivered" in everything
        assert "take meds" in only_failed_over
        assert delivered.text not in only_failed_over

    def test_the_deliveries_list_filters_by_outcome_and_reminder(self, staff_client, user, failed_over):
        make(user, text="stretch")
        services.reminders_dispatch(now=DUE)
        changelist = reverse("admin:planner_reminderdelivery_changelist")

        by_outcome = staff_client.get(changelist + "?outcome__exact=failed_over")
        by_reminder = staff_client.get(changelist + f"?reminder__id__exact={failed_over.pk}")

        assert by_outcome.status_code == by_reminder.status_code == 200
        assert by_outcome.context["cl"].result_count == 1
        assert by_reminder.context["cl"].result_count == 2  # the failed one and its chat fallback


def change_reminder(client, reminder, **fields):
    data = {
        "text": reminder.text,
        "channel": reminder.channel,
        "rrule": reminder.rrule,
        "_save": "Save",
        # The read-only deliveries inline still sends its (empty) management form.
        "deliveries-TOTAL_FORMS": "0",
        "deliveries-INITIAL_FORMS": "0",
        **fields,
    }
    return client.post(reverse("admin:planner_reminder_change", args=[reminder.pk]), data)


@pytest.mark.parametrize(("rule", "start", "reason"), ATTACKS)
def test_the_reminder_form_refuses_an_attack_rule_with_the_apis_reason(
    staff_client, user, rule, start, reason
):
    reminder = services.reminder_create(user=user, text="stretch", due_at=start(timezone.now()))

    response = change_reminder(staff_client, reminder, rrule=rule)

    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors == {"rrule": [reason]}
    reminder.refresh_from_db()
    assert reminder.rrule == ""


def test_the_reminder_form_refuses_moving_a_frequent_series_to_sms(staff_client, user):
    reminder = services.reminder_create(
        user=user, text="stretch", due_at=tomorrow(timezone.now()), rrule="FREQ=MINUTELY;INTERVAL=30"
    )

    response = change_reminder(staff_client, reminder, channel="sms")

    assert response.context["adminform"].form.errors == {
        "rrule": ["Reminders can repeat at most every hour on SMS."]
    }
    reminder.refresh_from_db()
    assert reminder.channel == "chat"


@pytest.mark.parametrize(("rule", "start"), ORDINARY)
def test_the_reminder_form_saves_an_ordinary_rule_through_the_service(staff_client, user, rule, start):
    reminder = services.reminder_create(user=user, text="stretch", due_at=start(timezone.now()))

    response = change_reminder(staff_client, reminder, rrule=rule, text="stretch twice")

    assert response.status_code == 302
    reminder.refresh_from_db()
    assert (reminder.rrule, reminder.text, reminder.fire_at) == (rule, "stretch twice", reminder.due_at)
