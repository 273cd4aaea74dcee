"""SMS cannot be turned into a weapon or a bill: codes aimed at one number from many accounts,
one account asking for codes to many numbers, a reminder repeating faster than anyone should be
texted, and a day's spend past its budget are each refused (429 or a chat failover), recorded as
a SecurityEvent and counted; ordinary use goes through."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import close_old_connections
from django.utils import timezone
from rest_framework.test import APIClient

from assistant.chat.models import Message
from assistant.core.errors import ServiceError
from assistant.planner import services as planner
from assistant.planner.models import ReminderDelivery, Todo
from assistant.planner.notifications import notify
from assistant.users.models import SecurityEvent
from assistant.users.tests.factories import UserFactory
from sms import caps, services
from sms.backends import locmem
from sms.models import OutboundSMS, PhoneVerification
from sms.tests.conftest import PHONE
from sms.tests.helpers import reply_of, text
from sms.tests.test_round_trip import metric

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/phone/verify"
STRANGER = "+33698765432"


@pytest.fixture(autouse=True)
def _caps(settings):
    settings.SMS_VERIFICATION_PER_NUMBER_PER_HOUR = 3
    settings.SMS_VERIFICATION_PER_NUMBER_PER_DAY = 5
    settings.SMS_VERIFICATION_PER_ACCOUNT_PER_DAY = 5
    settings.SMS_PER_USER_PER_DAY = 5
    settings.SMS_DAILY_SPEND_LIMIT_USD = 50


def refused(cap: str) -> float:
    return metric("sms_cap_refused_total", cap=cap)


def cap_events(cap: str) -> list[SecurityEvent]:
    return [e for e in SecurityEvent.objects.filter(kind="sms_cap_reached") if e.details["cap"] == cap]


def ask_code(user, number: str, capture):
    api = APIClient()
    api.force_authenticate(user)
    with capture(execute=True):
        return api.post(VERIFY, {"phone_number": number}, format="json")


def assert_cap_refusal(response, *, max_wait: int) -> None:
    assert response.status_code == 429, response.content
    error = response.json()["error"]
    assert error["code"] == "sms_cap_reached"
    assert error["message"]
    assert error["fields"] == {}
    assert 0 < error["retry_after_seconds"] <= max_wait
    assert response["Retry-After"] == str(error["retry_after_seconds"])


def test_eight_accounts_aiming_codes_at_one_number_are_refused_past_the_hourly_cap(
    django_capture_on_commit_callbacks,
):
    before = refused("verification_number_hour")
    accounts = UserFactory.create_batch(8)

    responses = [ask_code(account, STRANGER, django_capture_on_commit_callbacks) for account in accounts]

    assert [r.status_code for r in responses] == [202] * 3 + [429] * 5
    for response in responses[3:]:
        assert_cap_refusal(response, max_wait=3600)
    assert [sms.to for sms in locmem.outbox] == [STRANGER] * 3
    events = cap_events("verification_number_hour")
    assert {e.user for e in events} == set(accounts[3:])
    assert all(e.severity == "warning" and STRANGER not in e.details["to"] for e in events)
    assert refused("verification_number_hour") - before == 5


def test_codes_to_one_number_spread_over_hours_stop_at_the_daily_cap(django_capture_on_commit_callbacks):
    before = refused("verification_number_day")
    accounts = UserFactory.create_batch(6)
    for account in accounts[:3]:
        assert ask_code(account, STRANGER, django_capture_on_commit_callbacks).status_code == 202
    # Two hours later the hourly cap has room again; the day's has two codes left.
    PhoneVerification.objects.update(created_at=timezone.now() - timedelta(hours=2))

    later = [ask_code(account, STRANGER, django_capture_on_commit_callbacks) for account in accounts[3:]]

    assert [r.status_code for r in later] == [202, 202, 429]
    assert_cap_refusal(later[-1], max_wait=22 * 3600 + 1)
    assert refused("verification_number_day") - before == 1
    assert len(locmem.outbox) == 5


def test_one_account_asking_codes_for_many_numbers_is_refused_past_its_daily_cap(
    settings, django_capture_on_commit_callbacks
):
    settings.PHONE_VERIFICATION_RESEND_SECONDS = 0
    before = refused("verification_account_day")
    account = UserFactory()
    numbers = [f"+3361234560{i}" for i in range(7)]

    responses = [ask_code(account, number, django_capture_on_commit_callbacks) for number in numbers]

    assert [r.status_code for r in responses] == [202] * 5 + [429] * 2
    assert_cap_refusal(responses[-1], max_wait=24 * 3600)
    assert [sms.to for sms in locmem.outbox] == numbers[:5]
    assert len(cap_events("verification_account_day")) == 2
    assert refused("verification_account_day") - before == 2


def test_a_code_to_a_number_with_room_left_still_goes_out(django_capture_on_commit_callbacks):
    """The control: codes refused for one number leave other numbers and accounts alone."""
    for account in UserFactory.create_batch(4):
        ask_code(account, STRANGER, django_capture_on_commit_callbacks)

    response = ask_code(UserFactory(), PHONE, django_capture_on_commit_callbacks)

    assert response.status_code == 202, response.content
    assert locmem.outbox[-1].to == PHONE


def minutely_reminder(user):
    return planner.reminder_create(
        user=user, text="take meds", due_at=timezone.now() + timedelta(minutes=1), rrule="FREQ=MINUTELY"
    )


def test_a_reminder_repeating_every_minute_stops_texting_at_the_daily_cap_and_fails_over_to_chat(
    settings, texter, django_capture_on_commit_callbacks
):
    # The rule repeats faster than the SMS channel allows by default: an operator lowered the
    # limit, or the rule came in before it existed. The daily cap still holds.
    settings.REMINDER_RRULE_MIN_INTERVAL_SECONDS = {"chat": 60, "sms": 60}
    before = refused("user_day")
    reminder = minutely_reminder(texter)

    for tick in range(8):
        with django_capture_on_commit_callbacks(execute=True):
            planner.reminders_dispatch(now=reminder.due_at + timedelta(minutes=tick, seconds=1))

    deliveries = ReminderDelivery.objects.filter(reminder=reminder, channel="sms").order_by("pk")
    assert [d.outcome for d in deliveries] == ["sent"] * 5 + ["failed_over"] * 3
    assert all("user_day" in d.reason for d in deliveries[5:])
    assert OutboundSMS.objects.filter(user=texter, purpose="reminder").count() == 5
    assert [sms.to for sms in locmem.outbox] == [PHONE] * 5
    chat = Message.objects.filter(conversation__user=texter, direction="out", text="Reminder: take meds")
    assert chat.count() == 3
    assert [e.user for e in cap_events("user_day")] == [texter] * 3
    assert refused("user_day") - before == 3


def test_refused_sms_do_not_count_toward_the_cap_and_another_person_is_texted(
    texter, django_capture_on_commit_callbacks
):
    """The control: one person's cap is theirs alone, and refusals are not counted as sent."""
    other = UserFactory(phone_number="+33611112222", phone_verified=True, preferred_channel="sms")
    for _ in range(7):
        notify(user=texter, text="a notice", channel="sms")

    notify(user=other, text="a notice", channel="sms")

    assert OutboundSMS.objects.filter(user=texter).count() == 5
    assert OutboundSMS.objects.filter(user=other).count() == 1
    assert Message.objects.filter(conversation__user=texter, direction="out", text="a notice").count() == 2


def spend_so_far(usd: str) -> None:
    OutboundSMS.objects.create(
        to_number="+15005550006",
        body="earlier today",
        purpose="notice",
        status="delivered",
        cost_usd=Decimal(usd),
    )


def test_past_the_daily_spend_codes_are_refused_and_reminders_go_by_chat(
    settings, texter, django_capture_on_commit_callbacks
):
    settings.SMS_DAILY_SPEND_LIMIT_USD = 1
    spend_so_far("1.00")
    before = refused("daily_spend")

    code = ask_code(UserFactory(), STRANGER, django_capture_on_commit_callbacks)
    reminder = planner.reminder_create(
        user=texter, text="take meds", due_at=timezone.now() + timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        planner.reminders_dispatch(now=reminder.due_at)

    assert_cap_refusal(code, max_wait=24 * 3600)
    delivery = ReminderDelivery.objects.get(reminder=reminder, channel="sms")
    assert delivery.outcome == "failed_over"
    assert "daily_spend" in delivery.reason
    assert locmem.outbox == []
    events = cap_events("daily_spend")
    assert len(events) == 2
    assert {e.severity for e in events} == {"critical"}
    # What SmsDailySpendCapReached pages on (deploy/prometheus/tests/sms.yml).
    assert refused("daily_spend") - before == 2


def test_the_spend_counts_the_messages_queued_in_the_same_batch(settings, django_capture_on_commit_callbacks):
    settings.SMS_DAILY_SPEND_LIMIT_USD = 0.2  # reached by the third French message (0.0798 each)
    people = [
        UserFactory(phone_number=f"+3361111000{i}", phone_verified=True, preferred_channel="sms")
        for i in range(4)
    ]
    reminders = [
        planner.reminder_create(user=p, text="take meds", due_at=timezone.now() + timedelta(minutes=1))
        for p in people
    ]

    with django_capture_on_commit_callbacks(execute=True):
        planner.reminders_dispatch(now=reminders[0].due_at + timedelta(seconds=1))

    outcomes = sorted(ReminderDelivery.objects.filter(channel="sms").values_list("outcome", flat=True))
    assert outcomes == ["failed_over"] + ["sent"] * 3


@pytest.mark.django_db(transaction=True)
def test_eight_accounts_asking_at_the_same_moment_still_get_only_the_hourly_cap_of_codes():
    """The count and the code it allows are one locked step: parallel requests cannot all see
    a free slot and each take it."""
    accounts = UserFactory.create_batch(8)
    start = threading.Barrier(len(accounts))
    outcomes: list[str] = []

    def ask(account) -> None:
        start.wait()
        try:
            services.phone_verification_start(user=account, phone_number=STRANGER)
            outcomes.append("sent")
        except ServiceError as error:
            outcomes.append(error.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=ask, args=(account,)) for account in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["sent"] * 3 + ["sms_cap_reached"] * 5
    assert PhoneVerification.objects.filter(phone_number=STRANGER).count() == 3


def test_past_the_daily_spend_a_texted_message_is_handled_but_only_keywords_are_answered_by_sms(
    client, settings, texter, django_capture_on_commit_callbacks
):
    settings.SMS_DAILY_SPEND_LIMIT_USD = 1
    spend_so_far("1.00")
    before = refused("daily_spend")

    with django_capture_on_commit_callbacks(execute=True):
        answer = reply_of(text(client, "add call the dentist", sid="SM" + "2" * 32))
        help_answer = reply_of(text(client, "HELP", sid="SM" + "3" * 32))

    assert answer == ""
    assert Todo.objects.filter(user=texter, title="call the dentist").exists()
    # The assistant's answer is in the conversation, to read in the app.
    assert Message.objects.filter(conversation__user=texter, direction="out").exists()
    assert "STOP" in help_answer
    assert refused("daily_spend") - before == 1
    assert [e.user for e in cap_events("daily_spend")] == [texter]


def test_just_under_the_daily_spend_a_texted_message_is_answered(client, settings, texter):
    settings.SMS_DAILY_SPEND_LIMIT_USD = 1
    spend_so_far("0.60")
    spend_so_far("0.39")

    assert "call the dentist" in reply_of(text(client, "add call the dentist"))
    assert not cap_events("daily_spend")


def test_the_spend_a_texted_message_is_held_to_is_the_days_not_yesterdays(client, settings, texter):
    # The sender's read is compiled once (sms/services.py) and takes the day's start as a
    # parameter: yesterday's spend must not count, today's must.
    settings.SMS_DAILY_SPEND_LIMIT_USD = 1
    spend_so_far("1.00")
    OutboundSMS.objects.update(created_at=caps.day_start(timezone.now()) - timedelta(minutes=1))

    assert "call the dentist" in reply_of(text(client, "add call the dentist", sid="SM" + "4" * 32))

    spend_so_far("1.00")
    assert reply_of(text(client, "add call the vet", sid="SM" + "5" * 32)) == ""
    assert Todo.objects.filter(user=texter, title="call the vet").exists()


def test_past_the_daily_spend_a_stranger_gets_no_signup_reply(client, settings, db):
    settings.SMS_DAILY_SPEND_LIMIT_USD = 1
    spend_so_far("1.00")

    assert reply_of(text(client, "hello", sender="+14155550100")) == ""
    assert [e.details["cap"] for e in SecurityEvent.objects.filter(kind="sms_cap_reached")] == ["daily_spend"]
