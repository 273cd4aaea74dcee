"""SMS: the outbox, inbound routing, keywords, phone verification, status callbacks.

Everyone texts one shared number. An inbound message is deduplicated on its MessageSid,
checked for keywords, matched to the one user whose verified phone sent it, and handed to the
same chat engine the API uses. Every outbound SMS is an OutboundSMS row written in its
cause's transaction and sent by a task after commit.
"""

import hashlib
import hmac
import logging
import secrets
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TypedDict

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django_prometheus.models import model_inserts, model_updates

from assistant.chat.models import Channel as ChatChannel
from assistant.chat.services import chat_message_handle
from assistant.core.backoff import retry_delay
from assistant.core.compiled import compiled_read
from assistant.core.errors import ServiceError
from assistant.core.inserts import insert_sql, inserted
from assistant.core.masking import mask_phone
from assistant.core.phone import phone_normalize
from assistant.core.retention import retention_batch
from assistant.planner.notifications import Notification, notify_many
from assistant.planner.services import reminder_deliveries_fail, reminder_delivery_progress
from assistant.users.models import User
from assistant.users.services import user_phone_verified_set
from sms import caps, metrics
from sms.backends import PermanentSmsError, TransientSmsError, get_backend
from sms.keywords import Action, Keyword, keyword_match, stranger_language
from sms.models import InboundSMS, OutboundSMS, PhoneOptOut, PhoneVerification
from sms.segments import fit, segments_count

logger = logging.getLogger(__name__)

OPTED_OUT_CODE = "opted_out"
OPTED_OUT_MESSAGE = "The recipient texted STOP."
NO_VERIFIED_PHONE_MESSAGE = "No verified phone number to text."
ACCOUNT_INACTIVE_CODE = "account_inactive"
ACCOUNT_INACTIVE_MESSAGE = "The account is deactivated: it gets no text messages."
CAP_REACHED_MESSAGE = "SMS cap reached (%(cap)s): sent by chat instead."

Status = OutboundSMS.Status
# A status callback only ever moves a row forward along this order.
_STATUS_RANK: dict[str, int] = {
    Status.QUEUED: 0,
    Status.SENDING: 1,
    Status.SENT: 2,
    Status.DELIVERED: 3,
    Status.UNDELIVERED: 3,
    Status.FAILED: 3,
}
_TWILIO_STATUSES = {
    "accepted": Status.SENT,
    "scheduled": Status.SENT,
    "queued": Status.SENT,
    "sending": Status.SENT,
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "read": Status.DELIVERED,
    "undelivered": Status.UNDELIVERED,
    "failed": Status.FAILED,
    "canceled": Status.FAILED,
}


def is_opted_out(phone_number: str) -> bool:
    return PhoneOptOut.objects.filter(phone_number=phone_number).exists()


def estimate_cost_usd(*, to: str, segments: int) -> Decimal:
    """Segments times the rate of the longest matching country-code prefix."""
    rates = settings.SMS_RATES_USD
    digits = to.lstrip("+")
    prefix = next((digits[:n] for n in range(4, 0, -1) if digits[:n] in rates), "default")
    return (Decimal(str(rates[prefix])) * segments).quantize(Decimal("0.00001"))


# --- Outbox --------------------------------------------------------------------------------


def _outbox_add(
    messages: list[tuple[User | None, str, str, int | None]], *, purpose: str
) -> list[OutboundSMS]:
    """Queue (user, number, text, reminder delivery id) messages for sending after commit, in
    one insert (none for no messages)."""
    from sms.tasks import sms_outbound_send

    if not messages:
        return []
    rows = []
    for user, to, text, delivery_id in messages:
        body = fit(text, settings.SMS_MAX_SEGMENTS)
        segments = segments_count(body)
        rows.append(
            OutboundSMS(
                user=user,
                to_number=to,
                body=body,
                purpose=purpose,
                segments=segments,
                cost_usd=estimate_cost_usd(to=to, segments=segments),
                reminder_delivery_id=delivery_id,
            )
        )
    created = OutboundSMS.objects.bulk_create(rows)
    # robust: with the broker down the rows stay queued and the sweep sends them later; the
    # request that queued them must not fail over it.
    transaction.on_commit(lambda: [sms_outbound_send.delay(row.pk) for row in created], robust=True)
    return created


def sms_send(*, to: str, body: str, purpose: str, user: User | None = None) -> OutboundSMS:
    """Put one SMS in the outbox, in the caller's transaction; it is sent after commit.

    A number that opted out gets a failed row (the refusal is recorded) and nothing is sent.
    """
    if is_opted_out(to):
        transaction.on_commit(metrics.sms_sent_total.labels(status="refused_opted_out").inc)
        body = fit(body, settings.SMS_MAX_SEGMENTS)
        return OutboundSMS.objects.create(
            user=user,
            to_number=to,
            body=body,
            purpose=purpose,
            segments=segments_count(body),
            status=Status.FAILED,
            error_code=OPTED_OUT_CODE,
            error_message=OPTED_OUT_MESSAGE,
        )
    (outbound,) = _outbox_add([(user, to, body, None)], purpose=purpose)
    return outbound


def _claim(sms_id: int) -> OutboundSMS | None:
    """Move a queued row to sending; only one worker can win it."""
    now = timezone.now()
    claimed = OutboundSMS.objects.filter(pk=sms_id, status=Status.QUEUED).update(
        status=Status.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    return OutboundSMS.objects.select_related("user").get(pk=sms_id) if claimed else None


def sms_outbound_deliver(*, sms_id: int) -> float | None:
    """Hand one queued SMS to the backend. Returns the seconds to wait before a retry, or
    None when the row is done with (sent, failed for good, or not ours to send)."""
    outbound = _claim(sms_id)
    if outbound is None:
        return None
    if is_opted_out(outbound.to_number):  # opted out while it waited
        _give_up(outbound, code=OPTED_OUT_CODE, message=OPTED_OUT_MESSAGE, counted_as="refused_opted_out")
        return None
    if outbound.user is not None and not outbound.user.is_active:
        # Deactivated while it waited: nothing reaches them, by chat neither.
        _give_up(outbound, code=ACCOUNT_INACTIVE_CODE, message=ACCOUNT_INACTIVE_MESSAGE, fall_back=False)
        return None
    try:
        result = get_backend().send(
            to=outbound.to_number,
            body=outbound.body,
            status_callback=settings.SMS_STATUS_CALLBACK_URL or None,
        )
    except TransientSmsError as error:
        if outbound.attempts >= settings.SMS_MAX_ATTEMPTS:
            message = f"Gave up after {outbound.attempts} attempts: {error}"
            _give_up(outbound, code=str(error.code or "transient"), message=message)
            return None
        delay = retry_delay(
            attempts=outbound.attempts,
            base_seconds=settings.SMS_RETRY_BASE_SECONDS,
            retry_after=error.retry_after,
            # Messages are nudges due now: after an outage they must catch up within minutes.
            max_seconds=settings.SMS_RETRY_MAX_SECONDS,
        )
        OutboundSMS.objects.filter(pk=outbound.pk).update(
            status=Status.QUEUED,
            next_attempt_at=timezone.now() + delay,
            error_code=str(error.code or ""),
            error_message=str(error)[:500],
            updated_at=timezone.now(),
        )
        metrics.sms_sent_total.labels(status="retry").inc()
        logger.warning(
            "sms send will be retried",
            extra={
                "event": "sms_send_retry",
                "sms_id": outbound.pk,
                "attempts": outbound.attempts,
                "error_code": error.code,
                "delay_s": round(delay.total_seconds(), 1),
            },
        )
        return delay.total_seconds()
    except PermanentSmsError as error:
        _give_up(outbound, code=str(error.code or "permanent"), message=str(error))
        if error.code == 21610:  # the carrier says this number unsubscribed: remember it
            PhoneOptOut.objects.get_or_create(
                phone_number=outbound.to_number, defaults={"keyword": "carrier"}
            )
        return None
    with transaction.atomic():
        _finish(
            outbound,
            status=Status.SENT,
            provider_sid=result.sid,
            segments=result.segments or outbound.segments,
        )
        if outbound.reminder_delivery_id is not None:
            reminder_delivery_progress(delivery_id=outbound.reminder_delivery_id, outcome=Status.SENT)
    metrics.sms_sent_total.labels(status="sent").inc()
    metrics.sms_segments_total.labels(direction="outbound").inc(result.segments or outbound.segments)
    return None


def _give_up(
    outbound: OutboundSMS, *, code: str, message: str, counted_as: str = "failed", fall_back: bool = True
) -> None:
    """The message will not be sent: a reminder it carried goes to chat instead, at once
    (unless not fall_back: its delivery is then only marked failed, with the reason)."""
    with transaction.atomic():
        _finish(outbound, status=Status.FAILED, error_code=code, error_message=message)
        if outbound.reminder_delivery_id is not None:
            reminder_deliveries_fail(
                delivery_ids=[outbound.reminder_delivery_id], reason=message, fall_back=fall_back
            )
    metrics.sms_sent_total.labels(status=counted_as).inc()


def _finish(outbound: OutboundSMS, **fields: object) -> None:
    fields.setdefault("error_code", "")
    fields.setdefault("error_message", "")
    fields["error_message"] = str(fields["error_message"])[:500]
    OutboundSMS.objects.filter(pk=outbound.pk).update(**fields, updated_at=timezone.now())
    logger.info(
        "sms outbound %s",
        fields["status"],
        extra={
            "event": "sms_outbound",
            "sms_id": outbound.pk,
            "status": fields["status"],
            "to": mask_phone(outbound.to_number),
            "error_code": fields["error_code"],
        },
    )


def sms_outbox_sweep() -> int:
    """Re-enqueue queued rows whose task was lost; give up on rows stuck mid-send.

    A row left in `sending` means a worker died during the provider call: it may or may not
    have gone out, and sending it again could send it twice, so it is marked failed for a
    person to look at (the admin's "resend") rather than retried blindly. A reminder it
    carried is marked failed too, not failed over: the person may have it already.
    """
    from sms.tasks import sms_outbound_send

    now = timezone.now()
    stale = now - timedelta(seconds=settings.SMS_SWEEP_GRACE_SECONDS)
    message = "A worker stopped while sending; check before resending."
    with transaction.atomic():
        interrupted = dict(
            OutboundSMS.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, updated_at__lt=now - timedelta(minutes=10))
            .values_list("pk", "reminder_delivery_id")
        )
        OutboundSMS.objects.filter(pk__in=interrupted).update(
            status=Status.FAILED, error_code="unknown_outcome", error_message=message, updated_at=now
        )
        if deliveries := [pk for pk in interrupted.values() if pk is not None]:
            reminder_deliveries_fail(delivery_ids=deliveries, reason=message, fall_back=False)
    lost = list(
        OutboundSMS.objects.filter(status=Status.QUEUED, next_attempt_at__lt=stale).values_list(
            "pk", flat=True
        )[:1000]
    )
    for sms_id in lost:
        sms_outbound_send.delay(sms_id)
    metrics.sms_outbox_pending.set(
        OutboundSMS.objects.filter(status__in=[Status.QUEUED, Status.SENDING]).count()
    )
    return len(lost)


# Data retention purges what an SMS said and who the other party was, but keeps the row: its
# segments, price, cost, status and date are the accounting of what texting cost (the daily
# spend, a month's bill checked against Twilio's), and its SID is what a late retry or status
# callback from Twilio is matched against (a purged inbound SID is still answered as a
# duplicate, not routed again). Our own number (an inbound row's `to_number`) is not personal.
# A person's erasure blanks the same columns of their rows (sms/data_rights.py), and more.
INBOUND_PERSONAL_BLANK = {"from_number": "", "body": "", "reply": ""}
# The provider's error message may quote the number; its code stays.
OUTBOUND_PERSONAL_BLANK = {"body": "", "to_number": "", "error_message": ""}


def inbound_sms_purge(*, before: datetime, limit: int) -> int:
    """Blank a batch of inbound texts received before `before`: body, our reply, the sender."""
    expired = InboundSMS.objects.filter(received_at__lt=before).filter(
        ~Q(from_number="") | ~Q(body="") | ~Q(reply="")
    )
    return retention_batch(expired, limit=limit).update(**INBOUND_PERSONAL_BLANK)


def outbound_sms_purge(*, before: datetime, limit: int) -> int:
    """Blank a batch of texts sent before `before`: body, recipient, and the provider's error
    message (which may quote the number; its code stays). Rows still in the outbox are left to
    finish first."""
    expired = (
        OutboundSMS.objects.filter(created_at__lt=before)
        .exclude(status__in=[Status.QUEUED, Status.SENDING])
        .filter(~Q(to_number="") | ~Q(error_message=""))
    )
    return retention_batch(expired, limit=limit).update(**OUTBOUND_PERSONAL_BLANK, updated_at=timezone.now())


def sms_resend(*, sms_ids: list[int]) -> int:
    """Queue failed or undelivered messages again (the admin's "resend"). A reminder that
    already failed over keeps that outcome: resending it tells the person a second time. A
    message purged by data retention has no text or number left to send."""
    from sms.tasks import sms_outbound_send

    resent = 0
    for outbound in OutboundSMS.objects.filter(
        pk__in=sms_ids, status__in=[Status.FAILED, Status.UNDELIVERED]
    ).exclude(to_number=""):
        OutboundSMS.objects.filter(pk=outbound.pk).update(
            status=Status.QUEUED,
            provider_sid=None,
            attempts=0,
            next_attempt_at=timezone.now(),
            error_code="",
            error_message="",
            updated_at=timezone.now(),
        )
        transaction.on_commit(partial(sms_outbound_send.delay, outbound.pk), robust=True)
        resent += 1
    return resent


# What a status callback may change on an outbound row.
_STATUS_FIELDS = ("status", "error_code", "segments", "price", "price_unit", "cost_usd", "cost_estimated")


@transaction.atomic
def sms_status_apply(
    *,
    message_sid: str,
    status: str,
    error_code: str = "",
    price: str = "",
    price_unit: str = "",
    segments: str = "",
) -> str:
    """Apply a provider status callback. Returns what happened: the new status, or "ignored"
    (unknown SID, unknown status, or a callback older than what we know)."""
    new_status = _TWILIO_STATUSES.get(status.lower())
    # Only what a callback reads or writes: the body is encrypted, and loading and saving it
    # would decrypt and encrypt it again for nothing.
    outbound = (
        OutboundSMS.objects.select_for_update()
        .only(*_STATUS_FIELDS, "reminder_delivery_id")
        .filter(provider_sid=message_sid)
        .first()
    )
    if outbound is None or new_status is None or _STATUS_RANK[new_status] <= _STATUS_RANK[outbound.status]:
        logger.info(
            "sms status callback ignored",
            extra={"event": "sms_status_ignored", "status": status[:32], "known": outbound is not None},
        )
        metrics.sms_delivery_status_total.labels(status="ignored").inc()
        return "ignored"
    outbound.status = new_status
    if error_code:
        outbound.error_code = error_code[:16]
    if segments.isdigit():
        outbound.segments = int(segments)
    if price:
        try:
            outbound.price = Decimal(price)
        except ArithmeticError:
            outbound.price = None
        if outbound.price is not None:
            outbound.price_unit = price_unit[:8]
            if price_unit.upper() == "USD":
                outbound.cost_usd, outbound.cost_estimated = abs(outbound.price), False
    outbound.save(update_fields=[*_STATUS_FIELDS, "updated_at"])
    if outbound.reminder_delivery_id is not None:
        _reminder_delivery_follow(outbound, outbound.reminder_delivery_id, status=status.lower())
    if _STATUS_RANK[new_status] == 3 and outbound.cost_usd is not None:
        cost = float(outbound.cost_usd)
        transaction.on_commit(lambda: metrics.sms_cost_usd_total.inc(cost))
    transaction.on_commit(metrics.sms_delivery_status_total.labels(status=new_status).inc)
    return new_status


def _reminder_delivery_follow(outbound: OutboundSMS, delivery_id: int, *, status: str) -> None:
    """Carry a status callback over to the reminder delivery (delivery_id) the message carries."""
    if outbound.status in (Status.UNDELIVERED, Status.FAILED):
        code = f" (error {outbound.error_code})" if outbound.error_code else ""
        reminder_deliveries_fail(
            delivery_ids=[delivery_id], reason=f"Twilio reported the SMS {status}{code}."
        )
    else:
        reminder_delivery_progress(delivery_id=delivery_id, outcome=outbound.status)


class SmsUsageRow(TypedDict):
    user_id: int
    user__email: str
    day: date
    messages: int
    segments: int | None
    cost_usd: Decimal | None


def sms_usage_by_user_day(*, start: datetime, end: datetime) -> list[SmsUsageRow]:
    """Messages, segments and cost per user per day, for staff."""
    return list(
        OutboundSMS.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(status=Status.FAILED, provider_sid__isnull=True)
        .annotate(day=TruncDate("created_at"))
        .values("user_id", "user__email", "day")
        .annotate(messages=Count("id"), segments=Sum("segments"), cost_usd=Sum("cost_usd"))
        .order_by("day", "user_id")
    )


# --- Reminders by SMS ----------------------------------------------------------------------


def sms_notifications_deliver(notifications: list[Notification]) -> None:
    """The notification service's "sms" channel: outbox rows for users SMS can reach (one
    insert for the reminders, one for any other notice, such as an on-call page), chat for the
    others (no verified phone, it texted STOP, or a cap in sms/caps.py: the person's SMS today
    or the day's spend; an essential notification, the on-call page, passes the caps). A
    reminder's delivery is linked to its outbox row, or failed over to chat with the reason."""
    phones = {n.user.phone_number for n in notifications if n.user.phone_number and n.user.phone_verified}
    opted_out = set(
        PhoneOptOut.objects.filter(phone_number__in=phones).values_list("phone_number", flat=True)
    )
    rationed = {
        n.user.pk for n in notifications if n.user.phone_number in phones - opted_out and not n.essential
    }
    budget = caps.NotificationBudget(user_ids=rationed, now=timezone.now())
    # As _outbox_add takes them: (user, number, text, reminder delivery id).
    reminders: list[tuple[User | None, str, str, int | None]] = []
    notices: list[tuple[User | None, str, str, int | None]] = []
    by_chat: list[Notification] = []  # not a reminder: nothing to fail over
    unreachable: dict[str, list[int]] = defaultdict(list)
    refused: dict[metrics.Cap, list[Notification]] = defaultdict(list)
    for notification in notifications:
        phone = notification.user.phone_number
        if not notification.user.is_active:
            reason = ACCOUNT_INACTIVE_MESSAGE
        elif not (notification.user.phone_verified and phone):
            reason = NO_VERIFIED_PHONE_MESSAGE
        elif phone in opted_out:
            reason = OPTED_OUT_MESSAGE
        elif not notification.essential and (
            cap := budget.take(
                user_id=notification.user.pk, cost_usd=_notification_cost(phone, notification.text)
            )
        ):
            refused[cap].append(notification)
            reason = CAP_REACHED_MESSAGE % {"cap": cap}
        else:
            message = (notification.user, phone, notification.text, notification.delivery_id)
            (notices if notification.delivery_id is None else reminders).append(message)
            continue
        if notification.delivery_id is None:
            by_chat.append(notification)
        else:
            unreachable[reason].append(notification.delivery_id)
    notify_many(notifications=by_chat, channel="chat")
    for reason, delivery_ids in unreachable.items():
        reminder_deliveries_fail(delivery_ids=delivery_ids, reason=reason)
    _cap_refusals_record(refused)
    _outbox_add(reminders, purpose=OutboundSMS.Purpose.REMINDER)
    _outbox_add(notices, purpose=OutboundSMS.Purpose.NOTICE)


def _notification_cost(phone: str, text: str) -> Decimal:
    return estimate_cost_usd(to=phone, segments=segments_count(fit(text, settings.SMS_MAX_SEGMENTS)))


def _cap_refusals_record(refused: dict[metrics.Cap, list[Notification]]) -> None:
    """One record per person for their own cap; one for the whole batch for the day's spend."""
    for cap, notifications in refused.items():
        if cap == metrics.Cap.DAILY_SPEND:
            caps.refusal_record(cap, user=None, refused=len(notifications))
            continue
        per_user = Counter(n.user for n in notifications)
        for user, count in per_user.items():
            caps.refusal_record(cap, user=user, refused=count)


# --- Inbound -------------------------------------------------------------------------------


@compiled_read
def _senders(number: str, day_start: datetime) -> QuerySet[User]:
    """The user whose verified phone is number (deactivated or not; at most one), with what the
    webhook needs beside them: `opted_out` (whether the number texted STOP), `spent_today_usd`
    (the SMS spend since day_start, for the cap) and `sms_conversation` (their SMS conversation;
    absent, not None, before their first message, as a reverse relation joined by
    FilteredRelation is). Read on every inbound SMS: compiled once (assistant/core/compiled.py),
    as Django compiling it cost several times what the database took to answer."""
    return (
        User.objects.filter(phone_number=number, phone_verified=True)
        .annotate(
            opted_out=Exists(PhoneOptOut.objects.filter(phone_number=OuterRef("phone_number"))),
            spent_today_usd=caps.spent_since_subquery(day_start),
            sms_conversation=FilteredRelation(
                "conversations", condition=Q(conversations__channel=ChatChannel.SMS)
            ),
        )
        # django-stubs knows no FilteredRelation in select_related.
        .select_related("sms_conversation")  # type: ignore[misc]
        .order_by("pk")[:1]
    )


def _verified_user(number: str, now: datetime) -> User | None:
    """The sender as _senders reads them, in one statement."""
    return next(iter(_senders(number, caps.day_start(now))), None)


def _daily_spend_reached(sender: User | None, now: datetime) -> bool:
    """The spend cap, as read with a known sender by _verified_user, else read now."""
    if sender is None:
        return caps.daily_spend_reached(now)
    return caps.spend_reached(sender.spent_today_usd)


# The answers below are rendered in the active language. An operator's SMS_*_MESSAGE setting
# replaces ours as given, in every language.


def _signup_reply(number: str) -> str:
    """Tell a stranger how to sign up, once a day per number, so nobody can make us spend."""
    if not cache.add(f"sms:signup-reply:{hashlib.sha256(number.encode()).hexdigest()[:32]}", 1, 86400):
        return ""
    return settings.SMS_SIGNUP_MESSAGE or gettext(
        "Hi! This is the TDAH Assistant. We don't know this number yet: sign up at %(url)s "
        "and verify your phone, then text us again."
    ) % {"url": settings.SMS_SIGNUP_URL}


def _keyword_answer(keyword: Keyword, sender: str) -> str:
    """Act on a keyword; returns its answer."""
    if keyword.action == Action.STOP:
        PhoneOptOut.objects.get_or_create(phone_number=sender, defaults={"keyword": keyword.word})
        return settings.SMS_STOP_MESSAGE or gettext(
            "You're unsubscribed from TDAH Assistant. Reply START to resubscribe."
        )
    if keyword.action == Action.START:
        PhoneOptOut.objects.filter(phone_number=sender).delete()
        return settings.SMS_START_MESSAGE or gettext("Welcome back to TDAH Assistant. Reply HELP for help.")
    # Carriers expect HELP answered even after STOP.
    return settings.SMS_HELP_MESSAGE or gettext(
        'TDAH Assistant keeps your todos and reminders. Try: "add call the dentist", '
        '"remind me to take my meds every day at 8", "what\'s next". Reply STOP to unsubscribe.'
    )


def _route(*, inbound: InboundSMS, sender: str | None, now: datetime) -> tuple[str, str]:
    """Decide the answer to one new inbound message; returns (result, reply)."""
    if sender is None:
        return InboundSMS.Result.UNKNOWN_SENDER, ""
    known = _verified_user(sender, now)
    if (keyword := keyword_match(inbound.body)) is not None:
        # Answered in the sender's language; a stranger's is guessed from the word and the number.
        language = (known and known.language) or stranger_language(number=sender, keyword=keyword)
        with translation.override(language):
            return InboundSMS.Result.KEYWORD, _keyword_answer(keyword, sender)
    if known.opted_out if known is not None else is_opted_out(sender):
        return InboundSMS.Result.OPTED_OUT, ""
    if known is None:
        with translation.override(stranger_language(number=sender)):
            return InboundSMS.Result.UNKNOWN_SENDER, _signup_reply(sender)
    inbound.user = known
    if not known.is_active:
        # Support deactivated the account: nobody reads this, and the person must not think
        # their todo or reminder was saved.
        with translation.override(known.effective_language):
            return InboundSMS.Result.INACTIVE, gettext(
                "Your TDAH Assistant account is deactivated: this message was not read or saved, "
                "and you get no reminders. To turn it back on, reply to the e-mail we sent you "
                "about it."
            )
    reply = chat_message_handle(
        user=known,
        text=inbound.body,
        channel=ChatChannel.SMS,
        conversation=getattr(known, "sms_conversation", None),
    )
    return InboundSMS.Result.ROUTED, reply.text


def _inbound_claim(inbound: InboundSMS) -> bool:
    """Insert the unsaved row unless its MessageSid is known already; True when this call
    inserted it (its id is then set), False for a retried delivery.

    One statement, `INSERT ... ON CONFLICT (message_sid) DO NOTHING RETURNING id`, on
    PostgreSQL and SQLite (3.35+) alike: Django's bulk_create(ignore_conflicts=True) cannot say
    whether it inserted. Exactly once under concurrent retries: on PostgreSQL an INSERT that
    meets the SID of a transaction still in progress waits for it, then inserts nothing if it
    committed (or the row if it rolled back); SQLite runs one write transaction at a time.
    """
    insert, params = insert_sql(inbound)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"{insert} ON CONFLICT ({quote('message_sid')}) DO NOTHING RETURNING {quote('id')}", params
        )
        row = cursor.fetchone()
    if row is None:
        return False
    inserted(inbound, row[0])
    # What the model's ExportModelOperationsMixin counts for an insert made through the ORM.
    model_inserts.labels("inbound_sms").inc()
    return True


def _inbound_record(inbound: InboundSMS, reply: OutboundSMS | None) -> None:
    """Save the claimed row's outcome (user, result, reply) and insert the reply's outbound
    record, if any: on PostgreSQL in one statement (the UPDATE in a WITH: the two writes are a
    round trip each otherwise), elsewhere in two."""
    meta, quote = InboundSMS._meta, connection.ops.quote_name
    columns = [
        (quote(f.column), f)
        for f in meta.concrete_fields
        if f.column and f.name in ("user", "result", "reply")
    ]
    assignments = ", ".join(f"{name} = %s" for name, _ in columns)
    update = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    params = [field.get_db_prep_save(getattr(inbound, field.attname), connection) for _, field in columns]
    statements = [(update, [*params, inbound.pk])]
    if reply is not None:
        insert, insert_params = insert_sql(reply)
        if connection.vendor == "postgresql":
            statements = [(f"WITH routed AS ({update}) {insert}", [*statements[0][1], *insert_params])]
        else:
            statements.append((insert, insert_params))
    with connection.cursor() as cursor:
        for sql, sql_params in statements:
            cursor.execute(sql, sql_params)
    # What the models' ExportModelOperationsMixin counts for writes made through the ORM.
    model_updates.labels("inbound_sms").inc()
    if reply is not None:
        model_inserts.labels("outbound_sms").inc()


@transaction.atomic
def sms_inbound_handle(
    *, message_sid: str, from_number: str, to_number: str, body: str, segments: int = 1
) -> str:
    """Process one inbound SMS once; returns the reply text ("" for none). A retried
    delivery of the same MessageSid returns the first answer and changes nothing."""
    started, now = time.perf_counter(), timezone.now()
    inbound = InboundSMS(
        message_sid=message_sid,
        from_number=from_number[:32],
        to_number=to_number[:32],
        body=body,
        segments=segments,
    )
    if not _inbound_claim(inbound):
        metrics.sms_received_total.labels(result="duplicate").inc()
        first_reply = InboundSMS.objects.filter(message_sid=message_sid).values_list("reply", flat=True)
        return first_reply.first() or ""
    try:
        sender = phone_normalize(from_number)
    except ValueError:
        sender = None
    result, reply = _route(inbound=inbound, sender=sender, now=now)
    reply = fit(reply, settings.SMS_MAX_SEGMENTS) if reply else ""
    if reply and result != InboundSMS.Result.KEYWORD and _daily_spend_reached(inbound.user, now):
        # Past the day's spend only keyword answers (which carriers require) are texted; a
        # routed message's answer stays in the person's conversation, to read in the app.
        caps.refusal_record(metrics.Cap.DAILY_SPEND, user=inbound.user, phone_number=sender or "")
        reply = ""
    inbound.result, inbound.reply = result, reply
    record = None
    if reply:
        # The answer goes back in the TwiML response; it is recorded like any outbound SMS.
        reply_segments = segments_count(reply)
        record = OutboundSMS(
            user=inbound.user,
            to_number=sender or from_number[:16],
            body=reply,
            purpose=OutboundSMS.Purpose.REPLY,
            status=Status.SENT,
            segments=reply_segments,
            cost_usd=estimate_cost_usd(to=sender or from_number, segments=reply_segments),
        )
        transaction.on_commit(metrics.sms_sent_total.labels(status="twiml").inc)
        transaction.on_commit(
            lambda: metrics.sms_segments_total.labels(direction="outbound").inc(reply_segments)
        )
    _inbound_record(inbound, record)
    transaction.on_commit(metrics.sms_received_total.labels(result=result).inc)
    transaction.on_commit(lambda: metrics.sms_segments_total.labels(direction="inbound").inc(segments))
    duration = time.perf_counter() - started
    metrics.sms_routing_duration_seconds.observe(duration)
    logger.info(
        "sms routed",
        extra={
            "event": "sms_routing",
            "from": mask_phone(sender or from_number),
            "result": result,
            "user_id": inbound.user_id,
            "duration_ms": round(duration * 1000, 2),
        },
    )
    return reply


# --- Phone verification --------------------------------------------------------------------


def _code_hash(verification_user_id: int, phone: str, code: str) -> str:
    message = f"{verification_user_id}:{phone}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def phone_verification_start(*, user: User, phone_number: str, ip: str | None = None) -> PhoneVerification:
    """Text a 6-digit code to the number; it becomes the user's once confirmed. A code beyond a
    cap (sms/caps.py) is a 429 that says when to try again, and is recorded as a refusal."""
    try:
        return _phone_verification_send(user=user, phone_number=phone_number)
    except caps.CapReached as reached:
        # After the rollback of the code's transaction, so that the refusal is kept.
        caps.refusal_record(reached.cap, user=user, ip=ip, phone_number=phone_number)
        raise ServiceError(
            "sms_cap_reached", caps.REFUSAL_MESSAGES[reached.cap], status=429, retry_after=reached.retry_after
        ) from None


def phone_verification_resend(user: User, phone_number: str, ip: str | None) -> None:
    """Support's resend from the admin (assistant/users/support.py): the API's path and caps."""
    phone_verification_start(user=user, phone_number=phone_number, ip=ip)


@transaction.atomic
def _phone_verification_send(*, user: User, phone_number: str) -> PhoneVerification:
    now = timezone.now()
    # Whether another account has the number verified is said only to whoever proves it holds
    # the number (at confirmation): asking here must not tell who is registered.
    if is_opted_out(phone_number):
        raise ServiceError.invalid("phone_number", "This number texted STOP; text START to us first.")
    last = PhoneVerification.objects.filter(user=user).order_by("-created_at").first()
    if (
        last is not None
        and (wait := settings.PHONE_VERIFICATION_RESEND_SECONDS - (now - last.created_at).total_seconds()) > 0
    ):
        raise ServiceError(
            "resend_too_soon",
            f"Wait {int(wait) + 1} seconds before asking for a new code.",
            status=429,
            retry_after=int(wait) + 1,
        )
    caps.verification_caps_check(user=user, phone_number=phone_number, now=now)
    digits = PhoneVerification.CODE_DIGITS
    code = f"{secrets.randbelow(10**digits):0{digits}d}"
    verification = PhoneVerification.objects.create(
        user=user,
        phone_number=phone_number,
        code_hash=_code_hash(user.pk, phone_number, code),
        expires_at=now + timedelta(seconds=settings.PHONE_VERIFICATION_TTL_SECONDS),
    )
    minutes = max(settings.PHONE_VERIFICATION_TTL_SECONDS // 60, 1)
    with translation.override(user.effective_language):
        body = ngettext(
            "Your TDAH Assistant code is %(code)s. It expires in %(minutes)d minute.",
            "Your TDAH Assistant code is %(code)s. It expires in %(minutes)d minutes.",
            minutes,
        ) % {"code": code, "minutes": minutes}
    sms_send(to=phone_number, body=body, purpose=OutboundSMS.Purpose.VERIFICATION, user=user)
    logger.info(
        "phone verification sent", extra={"event": "phone_verification_sent", "to": mask_phone(phone_number)}
    )
    return verification


def phone_verification_confirm(*, user: User, code: str, ip: str | None) -> User:
    """Check the code; on success the number is the user's, verified."""
    with transaction.atomic():
        verification = (
            PhoneVerification.objects.select_for_update()
            .filter(user=user, verified_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if verification is None or verification.expires_at <= timezone.now():
            raise ServiceError.invalid("code", "This code has expired. Ask for a new one.")
        if verification.attempts >= settings.PHONE_VERIFICATION_MAX_ATTEMPTS:
            raise ServiceError("too_many_attempts", "Too many wrong codes. Ask for a new one.", status=429)
        verification.attempts += 1
        verification.save(update_fields=["attempts"])
        expected = _code_hash(user.pk, verification.phone_number, code.strip())
        valid = hmac.compare_digest(expected, verification.code_hash)
    # Outside the block above: a wrong code's attempt must stay counted.
    if not valid:
        raise ServiceError.invalid("code", "This code is wrong.")
    with transaction.atomic():
        PhoneVerification.objects.filter(pk=verification.pk).update(verified_at=timezone.now())
        return user_phone_verified_set(user=user, phone_number=verification.phone_number, ip=ip)
