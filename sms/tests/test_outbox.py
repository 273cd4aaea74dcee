from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assistant.planner import services as planner
from sms import services
from sms.backends import PermanentSmsError, TransientSmsError, locmem
from sms.models import OutboundSMS, PhoneOptOut
from sms.tests.conftest import PHONE
from sms.tests.helpers import STATUS, signed_post

pytestmark = pytest.mark.django_db


def send(django_capture_on_commit_callbacks, **kwargs) -> OutboundSMS:
    with django_capture_on_commit_callbacks(execute=True):
        outbound = services.sms_send(to=PHONE, body="hello", purpose="notice", **kwargs)
    outbound.refresh_from_db()
    return outbound


def test_a_message_is_sent_after_commit(django_capture_on_commit_callbacks):
    outbound = send(django_capture_on_commit_callbacks)

    assert outbound.status == "sent"
    assert outbound.provider_sid == locmem.outbox[0].sid
    assert [(sms.to, sms.body) for sms in locmem.outbox] == [(PHONE, "hello")]
    assert outbound.cost_usd == Decimal("0.07980")  # one segment to France at the default rate


def test_nothing_is_sent_if_the_cause_rolls_back(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012
        services.sms_send(to=PHONE, body="hello", purpose="notice")
        raise RuntimeError("the cause failed")

    assert locmem.outbox == []
    assert not OutboundSMS.objects.exists()


def test_an_opted_out_number_is_refused_and_recorded(django_capture_on_commit_callbacks):
    PhoneOptOut.objects.create(phone_number=PHONE, keyword="STOP")

    outbound = send(django_capture_on_commit_callbacks)

    assert (outbound.status, outbound.error_code) == ("failed", "opted_out")
    assert locmem.outbox == []


def test_a_transient_error_is_retried_with_backoff_then_sent(django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # drive retries by hand, as the worker would
    locmem.failures.extend([TransientSmsError("rate limited", code=20429, http_status=429, retry_after=120)])
    with django_capture_on_commit_callbacks(execute=False):
        outbound = services.sms_send(to=PHONE, body="hello", purpose="notice")

    delay = services.sms_outbound_deliver(sms_id=outbound.pk)
    outbound.refresh_from_db()
    assert delay >= 120  # Retry-After is honoured
    assert (outbound.status, outbound.attempts, outbound.error_code) == ("queued", 1, "20429")
    assert outbound.next_attempt_at >= timezone.now() + timedelta(seconds=119)

    assert services.sms_outbound_deliver(sms_id=outbound.pk) is None
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts) == ("sent", 2)
    assert len(locmem.outbox) == 1


def test_a_permanent_error_stops_at_once(django_capture_on_commit_callbacks):
    locmem.failures.append(PermanentSmsError("not a valid phone number", code=21211, http_status=400))

    outbound = send(django_capture_on_commit_callbacks)

    assert (outbound.status, outbound.error_code, outbound.attempts) == ("failed", "21211", 1)
    assert locmem.outbox == []


def test_the_carriers_unsubscribed_error_opts_the_number_out(django_capture_on_commit_callbacks):
    locmem.failures.append(PermanentSmsError("unsubscribed recipient", code=21610, http_status=400))

    send(django_capture_on_commit_callbacks)

    assert PhoneOptOut.objects.filter(phone_number=PHONE, keyword="carrier").exists()


def test_too_many_transient_errors_give_up(settings):
    settings.SMS_MAX_ATTEMPTS = 2
    locmem.failures.extend([TransientSmsError("boom", http_status=500)] * 2)
    outbound = OutboundSMS.objects.create(to_number=PHONE, body="x", purpose="notice")

    services.sms_outbound_deliver(sms_id=outbound.pk)
    services.sms_outbound_deliver(sms_id=outbound.pk)
    outbound.refresh_from_db()

    assert (outbound.status, outbound.attempts) == ("failed", 2)


def test_a_duplicate_task_does_not_send_twice():
    outbound = OutboundSMS.objects.create(to_number=PHONE, body="x", purpose="notice")

    services.sms_outbound_deliver(sms_id=outbound.pk)
    services.sms_outbound_deliver(sms_id=outbound.pk)

    assert len(locmem.outbox) == 1


def test_the_sweep_requeues_lost_rows_and_flags_interrupted_sends(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    long_ago = timezone.now() - timedelta(hours=1)
    lost = OutboundSMS.objects.create(
        to_number=PHONE, body="lost", purpose="notice", next_attempt_at=long_ago
    )
    interrupted = OutboundSMS.objects.create(
        to_number=PHONE, body="mid-send", purpose="notice", status="sending"
    )
    OutboundSMS.objects.filter(pk=interrupted.pk).update(updated_at=long_ago)

    assert services.sms_outbox_sweep() == 1

    lost.refresh_from_db()
    interrupted.refresh_from_db()
    assert lost.status == "sent"
    assert (interrupted.status, interrupted.error_code) == ("failed", "unknown_outcome")
    assert [sms.body for sms in locmem.outbox] == ["lost"]


def test_resend_queues_failed_rows_again(django_capture_on_commit_callbacks):
    locmem.failures.append(PermanentSmsError("carrier down", code=30008))
    outbound = send(django_capture_on_commit_callbacks)
    assert outbound.status == "failed"

    with django_capture_on_commit_callbacks(execute=True):
        assert services.sms_resend(sms_ids=[outbound.pk]) == 1

    outbound.refresh_from_db()
    assert outbound.status == "sent"


class TestStatusCallbacks:
    @pytest.fixture
    def sent(self, django_capture_on_commit_callbacks):
        return send(django_capture_on_commit_callbacks)

    def callback(self, client, sent, status, **extra):
        params = {"MessageSid": sent.provider_sid, "MessageStatus": status, "AccountSid": "AC", **extra}
        return signed_post(client, STATUS, params)

    def test_delivered_with_price(self, client, sent):
        response = self.callback(
            client, sent, "delivered", Price="-0.07500", PriceUnit="USD", NumSegments="1"
        )

        assert response.status_code == 204
        sent.refresh_from_db()
        assert (sent.status, sent.price, sent.cost_usd, sent.cost_estimated) == (
            "delivered",
            Decimal("-0.07500"),
            Decimal("0.07500"),
            False,
        )

    def test_out_of_order_callbacks_never_move_a_row_backwards(self, client, sent):
        self.callback(client, sent, "delivered")
        self.callback(client, sent, "sent")
        self.callback(client, sent, "queued")

        sent.refresh_from_db()
        assert sent.status == "delivered"

    def test_failure_records_the_error_code(self, client, sent):
        self.callback(client, sent, "undelivered", ErrorCode="30005")

        sent.refresh_from_db()
        assert (sent.status, sent.error_code) == ("undelivered", "30005")

    @pytest.mark.parametrize("status", ["teleported", ""])
    def test_unknown_statuses_are_ignored(self, client, sent, status):
        assert self.callback(client, sent, status).status_code == 204
        sent.refresh_from_db()
        assert sent.status == "sent"

    def test_a_callback_costs_a_read_and_a_write(self, client, sent, django_assert_num_queries):
        """Savepoint (BEGIN in production), the row locked, the row updated, release (COMMIT);
        same on SQLite and PostgreSQL. Neither loads nor writes the encrypted body."""
        with django_assert_num_queries(4) as queries:
            self.callback(client, sent, "delivered", Price="-0.07500", PriceUnit="USD")
        assert not any('"body"' in query["sql"] for query in queries.captured_queries)

        with django_assert_num_queries(3):  # a late callback: nothing to write
            self.callback(client, sent, "sent")

    def test_unknown_sids_are_ignored(self, client, db):
        params = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "delivered"}
        assert signed_post(client, STATUS, params).status_code == 204

    def test_a_nul_character_is_a_400_not_a_500(self, client, sent):
        """Regression (fuzz): PostgreSQL cannot even compare a MessageSid holding NUL (a 500)."""
        response = self.callback(client, sent, "delivered", MessageSid=sent.provider_sid + "\x00")

        assert response.status_code == 400
        assert b"NUL" in response.content
        sent.refresh_from_db()
        assert sent.status == "sent"

    def test_unsigned_callbacks_are_refused(self, client, sent):
        response = client.post(STATUS, {"MessageSid": sent.provider_sid, "MessageStatus": "delivered"})

        assert response.status_code == 403
        sent.refresh_from_db()
        assert sent.status == "sent"

    def test_missing_fields_are_a_400(self, client, sent):
        assert signed_post(client, STATUS, {"MessageSid": sent.provider_sid}).status_code == 400


def test_reminders_for_sms_users_go_through_the_outbox(texter, django_capture_on_commit_callbacks):
    reminder = planner.reminder_create(
        user=texter, text="take meds", due_at=timezone.now() + timedelta(minutes=1)
    )
    assert reminder.channel == "sms"

    with django_capture_on_commit_callbacks(execute=True):
        planner.reminders_dispatch(now=reminder.due_at)

    assert [(sms.to, sms.body) for sms in locmem.outbox] == [(PHONE, "Reminder: take meds")]
    assert OutboundSMS.objects.get().purpose == "reminder"


def test_an_sms_reminder_to_an_opted_out_user_falls_back_to_chat(texter, django_capture_on_commit_callbacks):
    from assistant.chat.models import Message

    PhoneOptOut.objects.create(phone_number=PHONE, keyword="STOP")
    reminder = planner.reminder_create(
        user=texter, text="take meds", due_at=timezone.now() + timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        planner.reminders_dispatch(now=reminder.due_at)

    assert locmem.outbox == []
    assert Message.objects.filter(conversation__user=texter, text="Reminder: take meds").exists()


def test_usage_per_user_per_day_for_staff(client, texter, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group

    send(django_capture_on_commit_callbacks, user=texter)
    send(django_capture_on_commit_callbacks, user=texter)
    texter.groups.add(Group.objects.get(name="staff"))
    client.force_login(texter)

    rows = client.get("/api/v1/sms/usage").json()

    assert len(rows) == 1
    assert (rows[0]["user__email"], rows[0]["messages"], rows[0]["segments"]) == (texter.email, 2, 2)
    assert Decimal(rows[0]["cost_usd"]) == Decimal("0.15960")


def test_usage_is_staff_only(auth_client):
    assert auth_client.get("/api/v1/sms/usage").status_code == 403
