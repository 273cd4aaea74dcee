"""Caps that keep SMS from being turned into a weapon or a bill.

A code lands on somebody's phone and costs money, so: codes to one number are capped per hour
and per day across all accounts (nobody floods a stranger from throwaway accounts), one account
may ask for a few codes a day, one person gets at most SMS_PER_USER_PER_DAY notifications by SMS
(a reminder repeating every second fails over to chat), and once the day's spend reaches
SMS_DAILY_SPEND_LIMIT_USD every SMS stops but on-call pages and keyword answers; the refusals'
counter fires the SmsDailySpendCapReached alert, which pages ops.

Counting reads the rows themselves (PhoneVerification, OutboundSMS) in windows their indexes
cover: exact, and the same for every process. A check and the insert it allows share one
transaction that holds a lock on what is counted (PostgreSQL advisory locks; SQLite runs one
write transaction at a time already), so parallel requests cannot both take the last slot.
"""

import hashlib
import math
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Func, QuerySet, Subquery, Sum
from django.utils import timezone

from assistant.core.masking import mask_phone
from assistant.users.models import SecurityEvent, User
from assistant.users.services import security_event_record
from sms import metrics
from sms.events import SecurityKind
from sms.metrics import Cap
from sms.models import OutboundSMS, PhoneVerification

HOUR, DAY = timedelta(hours=1), timedelta(days=1)

# What a person asking for a code is told when a cap refuses it (the API's 429 message).
REFUSAL_MESSAGES = {
    Cap.VERIFICATION_NUMBER_HOUR: "Too many codes were sent to this number. Try again later.",
    Cap.VERIFICATION_NUMBER_DAY: "Too many codes were sent to this number today. Try again later.",
    Cap.VERIFICATION_ACCOUNT_DAY: "You asked for too many codes today. Try again later.",
    Cap.DAILY_SPEND: "Text messages are paused for today. Try again later.",
}


class CapReached(Exception):
    def __init__(self, cap: Cap, *, retry_after: int) -> None:
        super().__init__(cap)
        self.cap = cap
        self.retry_after = retry_after


def _lock(keys: Iterable[str]) -> None:
    """Hold a lock on each key until the caller's transaction ends (taken in one order, so two
    holders of overlapping keys cannot deadlock)."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises write transactions (transaction_mode IMMEDIATE)
    ids = sorted(
        {int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True) for key in keys}
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(id) FROM (SELECT unnest(%s::bigint[]) AS id ORDER BY 1) AS ids",
            [ids],
        )


def _wait_for_slot(rows: QuerySet[PhoneVerification], *, limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than `limit` of `rows` fall in the rolling window (0: a slot is free)."""
    newest = list(
        rows.filter(created_at__gt=now - window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(newest) < limit:
        return 0
    return max(1, math.ceil((newest[-1] + window - now).total_seconds()))


def _sent(rows: QuerySet[OutboundSMS]) -> QuerySet[OutboundSMS]:
    """Rows that went out or may still go: not those refused before reaching the provider."""
    return rows.exclude(status=OutboundSMS.Status.FAILED, provider_sid__isnull=True)


def _day_bounds(now: datetime) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    today = timezone.localtime(now, zone).date()
    return (
        datetime.combine(today, time.min, tzinfo=zone),
        datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone),
    )


def day_start(now: datetime) -> datetime:
    """When the day of `now` began (the spend cap's day)."""
    return _day_bounds(now)[0]


def _sent_since(start: datetime) -> QuerySet[OutboundSMS]:
    return _sent(OutboundSMS.objects.filter(created_at__gte=start))


def spent_today_usd(now: datetime) -> Decimal:
    """What today's SMS cost: Twilio's price when known, else the estimate (OutboundSMS.cost_usd)."""
    total = _sent_since(day_start(now)).aggregate(total=Sum("cost_usd"))["total"]
    return total or Decimal(0)


def spent_since_subquery(start: datetime) -> Subquery:
    """The spend since `start` (the day_start of today for spent_today_usd) as an expression
    (NULL for nothing spent), for a read that needs it beside other things: a statement fewer
    than asking apart. Its bound is `start` as given, so that a compiled read can take it."""
    # SUM as a plain function, not the Sum aggregate: that would group the rows by id.
    total = Func("cost_usd", function="SUM", output_field=OutboundSMS._meta.get_field("cost_usd"))
    return Subquery(_sent_since(start).order_by().values(total=total))


def _spend_limit() -> Decimal:
    return Decimal(str(settings.SMS_DAILY_SPEND_LIMIT_USD))


def spend_reached(spent_usd: Decimal | None) -> bool:
    """Whether a day's spend (spent_since_subquery's value) reached SMS_DAILY_SPEND_LIMIT_USD."""
    return (spent_usd or Decimal(0)) >= _spend_limit()


def daily_spend_reached(now: datetime) -> bool:
    return spend_reached(spent_today_usd(now))


def _spend_check(now: datetime) -> None:
    if daily_spend_reached(now):
        retry_after = math.ceil((_day_bounds(now)[1] - now).total_seconds())
        raise CapReached(Cap.DAILY_SPEND, retry_after=retry_after)


def verification_caps_check(*, user: User, phone_number: str, now: datetime) -> None:
    """Raise CapReached unless one more code may be texted to phone_number for user. Call it in
    the transaction that records the code: it holds the number's and the account's locks."""
    _lock([f"sms-cap:number:{phone_number}", f"sms-cap:user:{user.pk}"])
    to_number = PhoneVerification.objects.filter(phone_number=phone_number)
    checks = (
        (Cap.VERIFICATION_NUMBER_HOUR, to_number, settings.SMS_VERIFICATION_PER_NUMBER_PER_HOUR, HOUR),
        (Cap.VERIFICATION_NUMBER_DAY, to_number, settings.SMS_VERIFICATION_PER_NUMBER_PER_DAY, DAY),
        (
            Cap.VERIFICATION_ACCOUNT_DAY,
            PhoneVerification.objects.filter(user=user),
            settings.SMS_VERIFICATION_PER_ACCOUNT_PER_DAY,
            DAY,
        ),
    )
    for cap, rows, limit, window in checks:
        if wait := _wait_for_slot(rows, limit=limit, window=window, now=now):
            raise CapReached(cap, retry_after=wait)
    _spend_check(now)


class NotificationBudget:
    """What SMS notifications may still be sent now: per person over the last day, and the day's
    spend. Use it in the transaction that queues them: the first take() locks the people and
    counts (a batch that texts nobody costs no query)."""

    def __init__(self, *, user_ids: set[int], now: datetime) -> None:
        self._user_ids, self._now = user_ids, now
        self._sent_today: Counter[int] | None = None
        self._spent = Decimal(0)

    def _count(self) -> Counter[int]:
        _lock(f"sms-cap:user:{pk}" for pk in self._user_ids)
        notifications = OutboundSMS.objects.filter(
            user_id__in=self._user_ids,
            purpose__in=[OutboundSMS.Purpose.REMINDER, OutboundSMS.Purpose.NOTICE],
            created_at__gt=self._now - DAY,
        )
        self._spent = spent_today_usd(self._now)
        return Counter(
            dict(_sent(notifications).values("user_id").annotate(n=Count("id")).values_list("user_id", "n"))
        )

    def take(self, *, user_id: int, cost_usd: Decimal) -> Cap | None:
        """Count one more SMS to user_id (one of user_ids), or return the cap that refuses it."""
        if self._sent_today is None:
            self._sent_today = self._count()
        if self._spent >= _spend_limit():
            return Cap.DAILY_SPEND
        if self._sent_today[user_id] >= settings.SMS_PER_USER_PER_DAY:
            return Cap.USER_DAY
        self._sent_today[user_id] += 1
        self._spent += cost_usd
        return None


def refusal_record(
    cap: Cap, *, user: User | None, ip: str | None = None, phone_number: str = "", refused: int = 1
) -> None:
    """Count refused SMS and keep a SecurityEvent for them (in the caller's transaction)."""
    details: dict[str, object] = {"cap": str(cap), "refused": refused}
    if phone_number:
        details["to"] = mask_phone(phone_number)
    severity = SecurityEvent.Severity.CRITICAL if cap == Cap.DAILY_SPEND else SecurityEvent.Severity.WARNING
    security_event_record(
        kind=SecurityKind.SMS_CAP_REACHED, severity=severity, ip=ip, user=user, details=details
    )
    transaction.on_commit(lambda: metrics.sms_cap_refused_total.labels(cap=cap).inc(refused))
