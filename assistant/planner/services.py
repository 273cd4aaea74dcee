"""Writes for todos and reminders, and the reminder dispatcher.

The chat engine's intents, the REST API, the admin and the beat task all come through here.
"""

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext
from prometheus_client import Counter

from assistant.core.backoff import retry_delay
from assistant.core.errors import ServiceError
from assistant.core.recurrence import RecurrenceError, next_occurrence, rrule_parse, rrule_validate
from assistant.core.retention import retention_batch
from assistant.core.unset import UNSET, Unset
from assistant.planner import metrics
from assistant.planner.models import Reminder, ReminderDelivery, Todo
from assistant.planner.notifications import (
    FALLBACK_CHANNEL,
    DeliveryError,
    Notification,
    PermanentDeliveryError,
    channel_is_deferred,
    channel_resolve,
    notify_many,
)
from assistant.planner.selectors import (
    Agenda,
    WhatsNext,
    agenda_for_user,
    whats_next,
)
from assistant.planner.selectors import reminder_channel_for as _default_channel
from assistant.planner.selectors import reminder_min_interval as _min_interval
from assistant.users.models import User

logger = logging.getLogger(__name__)


def _on_commit_inc(counter: Counter) -> None:
    transaction.on_commit(counter.inc)


# --- Todos ---------------------------------------------------------------------------------


@transaction.atomic
def todo_create(
    *,
    user: User,
    title: str,
    notes: str = "",
    due_date: date | None = None,
    priority: int = Todo.Priority.NORMAL,
) -> Todo:
    title = title.strip()
    if not title:
        raise ServiceError.invalid("title", "A todo needs a title.")
    last = Todo.objects.filter(user=user).aggregate(last=Max("position"))["last"]
    todo = Todo.objects.create(
        user=user,
        title=title[:200],
        notes=notes,
        due_date=due_date,
        priority=priority,
        position=0 if last is None else last + 1,
    )
    _on_commit_inc(metrics.todo_created_total)
    _on_commit_inc(metrics.feature_usage_total.labels(feature="todos"))
    logger.info("todo created", extra={"event": "todo_created", "todo_id": todo.pk})
    return todo


@transaction.atomic
def todo_update(
    *,
    todo: Todo,
    title: str | Unset = UNSET,
    notes: str | Unset = UNSET,
    due_date: date | Unset | None = UNSET,
    priority: int | Unset = UNSET,
    position: int | Unset = UNSET,
    status: str | Unset = UNSET,
) -> Todo:
    """Change the fields given; one left UNSET (the default) stays as it is, and due_date=None
    clears the date. A status change goes through todo_complete / todo_reopen."""
    if title is not UNSET:
        todo.title = title
    if notes is not UNSET:
        todo.notes = notes
    if due_date is not UNSET:
        todo.due_date = due_date
    if priority is not UNSET:
        todo.priority = priority
    if position is not UNSET:
        todo.position = position
    if title is not UNSET and not todo.title.strip():
        raise ServiceError.invalid("title", "A todo needs a title.")
    todo.save()
    if status == Todo.Status.DONE and todo.status != Todo.Status.DONE:
        todo_complete(todo=todo)
    elif status == Todo.Status.OPEN and todo.status != Todo.Status.OPEN:
        todo_reopen(todo=todo)
    return todo


@transaction.atomic
def todo_complete(*, todo: Todo) -> Todo:
    if todo.status == Todo.Status.DONE:
        return todo
    todo.status = Todo.Status.DONE
    todo.completed_at = timezone.now()
    todo.save(update_fields=["status", "completed_at", "updated_at"])
    _on_commit_inc(metrics.todo_completed_total)
    logger.info("todo completed", extra={"event": "todo_completed", "todo_id": todo.pk})
    return todo


@transaction.atomic
def todo_reopen(*, todo: Todo) -> Todo:
    todo.status = Todo.Status.OPEN
    todo.completed_at = None
    todo.save(update_fields=["status", "completed_at", "updated_at"])
    logger.info("todo reopened", extra={"event": "todo_reopened", "todo_id": todo.pk})
    return todo


def todo_delete(*, todo: Todo) -> None:
    logger.info("todo deleted", extra={"event": "todo_deleted", "todo_id": todo.pk})
    todo.delete()


# --- Reminders -----------------------------------------------------------------------------


# How a channel is named in a refusal: "Reminders can repeat at most every hour on SMS."
_CHANNEL_NAMES: dict[str, str] = {Reminder.Channel.CHAT: "chat", Reminder.Channel.SMS: "SMS"}


def _rrule_next(*, rule: str, channel: str, first: datetime, timezone: str, after: datetime) -> datetime:
    """The rule's first occurrence after `after`, if people may use it on this channel: it parses,
    repeats no more often than the channel allows and occurs within the horizon. Raises
    RecurrenceError, whose message says why not."""
    return rrule_validate(
        rule,
        min_interval=_min_interval(channel),
        first=first,
        timezone=timezone,
        horizon=timedelta(days=settings.REMINDER_RRULE_HORIZON_DAYS),
        after=after,
        channel=_CHANNEL_NAMES.get(channel, channel),
        budget_seconds=settings.REMINDER_RRULE_BUDGET_SECONDS,
    )


def _fire_at(reminder: Reminder) -> datetime:
    if reminder.snoozed_until is not None:
        return min(reminder.snoozed_until, reminder.due_at)
    return reminder.due_at


@transaction.atomic
def reminder_create(
    *,
    user: User,
    text: str,
    due_at: datetime,
    rrule: str = "",
    channel: str | None = None,
    origin: str = Reminder.Origin.USER,
    now: datetime | None = None,
) -> Reminder:
    """Schedule a reminder. due_at is the (first) occurrence; a recurring one repeats per rrule."""
    now = now or timezone.now()
    text = text.strip()
    channel = channel or _default_channel(user)
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = ["A reminder needs something to remind you of."]
    if rrule:
        try:
            upcoming = _rrule_next(
                rule=rrule, channel=channel, first=due_at, timezone=user.timezone, after=now
            )
        except RecurrenceError as error:
            errors["rrule"] = [str(error)]
    elif due_at <= now:
        errors["due_at"] = ["This time has already passed."]
    if errors:
        raise ServiceError("validation_error", "Invalid input.", fields=errors)
    if due_at <= now:  # a recurring series that started in the past: begin at its next occurrence
        due_at = upcoming
    reminder = Reminder.objects.create(
        user=user,
        text=text[:200],
        due_at=due_at,
        starts_at=due_at,
        fire_at=due_at,
        timezone=user.timezone,
        rrule=rrule,
        channel=channel,
        origin=origin,
    )
    if origin == Reminder.Origin.EVENT:
        kind = "event_nudge"  # made by a calendar sync, not a use of the reminders feature
    else:
        kind = "recurring" if rrule else "once"
        feature = "recurring_reminders" if rrule else "reminders"
        _on_commit_inc(metrics.feature_usage_total.labels(feature=feature))
    transaction.on_commit(metrics.reminder_created_total.labels(kind=kind).inc)
    logger.info(
        "reminder created", extra={"event": "reminder_created", "reminder_id": reminder.pk, "kind": kind}
    )
    return reminder


def reminder_update_validate(
    *,
    reminder: Reminder,
    due_at: datetime | Unset = UNSET,
    rrule: str | Unset = UNSET,
    channel: str | Unset = UNSET,
    now: datetime | None = None,
) -> None:
    """Raise ServiceError unless these changes may be made (the admin's form asks before saving);
    a field left UNSET (the default) is not changing.

    A new rule, a new channel (chat to SMS allows fewer repeats) or a new start re-checks the
    series' rule as a new reminder's would be."""
    now = now or timezone.now()
    if due_at is not UNSET and due_at <= now:
        raise ServiceError.invalid("due_at", "This time has already passed.")
    rule = reminder.rrule if rrule is UNSET else rrule
    if rule and not (rrule is UNSET and channel is UNSET and due_at is UNSET):
        try:
            _rrule_next(
                rule=rule,
                channel=reminder.channel if channel is UNSET else channel,
                first=reminder.starts_at if due_at is UNSET else due_at,
                timezone=reminder.timezone,
                after=now,
            )
        except RecurrenceError as error:
            raise ServiceError.invalid("rrule", str(error)) from None


@transaction.atomic
def reminder_update(
    *,
    reminder: Reminder,
    text: str | Unset = UNSET,
    due_at: datetime | Unset = UNSET,
    rrule: str | Unset = UNSET,
    channel: str | Unset = UNSET,
) -> Reminder:
    """Change the fields given; one left UNSET (the default) stays as it is. A new due_at starts
    the reminder (or its series) again from that time."""
    reminder_update_validate(reminder=reminder, due_at=due_at, rrule=rrule, channel=channel)
    if due_at is not UNSET:
        reminder.starts_at = due_at
        reminder.status = Reminder.Status.SCHEDULED
        reminder.attempts = 0
        reminder.due_at = due_at
    if text is not UNSET:
        reminder.text = text
    if rrule is not UNSET:
        reminder.rrule = rrule
    if channel is not UNSET:
        reminder.channel = channel
    reminder.fire_at = _fire_at(reminder)
    reminder.save()
    return reminder


def reminder_acknowledge(*, reminder: Reminder) -> Reminder:
    """The user did it: drop a pending snooze (a series keeps its schedule)."""
    reminder.snoozed_until = None
    if not reminder.rrule and reminder.status == Reminder.Status.SCHEDULED:
        reminder.status = Reminder.Status.SENT
    reminder.fire_at = _fire_at(reminder)
    reminder.save(update_fields=["snoozed_until", "status", "fire_at", "updated_at"])
    logger.info("reminder acknowledged", extra={"event": "reminder_acknowledged", "reminder_id": reminder.pk})
    return reminder


@transaction.atomic
def reminder_reinstate(*, reminder: Reminder, now: datetime | None = None) -> Reminder:
    """Schedule a cancelled reminder again (chat's "undo"), if its time has not passed."""
    now = now or timezone.now()
    if reminder.status != Reminder.Status.CANCELLED:
        return reminder
    if reminder.due_at <= now and not reminder.rrule:
        raise ServiceError.invalid("due_at", "This time has already passed.")
    if reminder.due_at <= now:
        reminder.due_at = _rrule_next(
            rule=reminder.rrule,
            channel=reminder.channel,
            first=reminder.starts_at,
            timezone=reminder.timezone,
            after=now,
        )
    reminder.status = Reminder.Status.SCHEDULED
    reminder.fire_at = _fire_at(reminder)
    reminder.save(update_fields=["status", "due_at", "fire_at", "updated_at"])
    logger.info("reminder reinstated", extra={"event": "reminder_reinstated", "reminder_id": reminder.pk})
    return reminder


def reminder_cancel(*, reminder: Reminder) -> Reminder:
    reminder.status = Reminder.Status.CANCELLED
    reminder.save(update_fields=["status", "updated_at"])
    logger.info("reminder cancelled", extra={"event": "reminder_cancelled", "reminder_id": reminder.pk})
    return reminder


@transaction.atomic
def reminder_snooze(*, reminder: Reminder, minutes: int, now: datetime | None = None) -> Reminder:
    """Bring the reminder back in `minutes`; a recurring series keeps its own schedule."""
    if not 1 <= minutes <= 24 * 60:
        raise ServiceError.invalid("minutes", "Snooze between 1 minute and 24 hours.")
    if reminder.status == Reminder.Status.CANCELLED:
        raise ServiceError("reminder_cancelled", "This reminder was cancelled.", status=409)
    now = now or timezone.now()
    reminder.snoozed_until = now + timedelta(minutes=minutes)
    if not reminder.rrule:  # a one-off simply moves; a series keeps its next occurrence
        reminder.due_at = reminder.snoozed_until
    reminder.status = Reminder.Status.SCHEDULED
    reminder.attempts = 0
    reminder.fire_at = _fire_at(reminder)
    reminder.save(update_fields=["snoozed_until", "due_at", "status", "attempts", "fire_at", "updated_at"])
    _on_commit_inc(metrics.feature_usage_total.labels(feature="snooze"))
    logger.info(
        "reminder snoozed",
        extra={"event": "reminder_snoozed", "reminder_id": reminder.pk, "minutes": minutes},
    )
    return reminder


def agenda_read(*, user: User, now: datetime, days_ahead: int = 0, days: int = 1) -> Agenda:
    """The agenda, counted as a use of the agenda feature (chat and API alike)."""
    metrics.feature_usage_total.labels(feature="agenda").inc()
    return agenda_for_user(user=user, now=now, days_ahead=days_ahead, days=days)


def whats_next_read(*, user: User, now: datetime) -> WhatsNext:
    """What comes next; counted as a use of the agenda feature when the answer is today's agenda."""
    upcoming = whats_next(user=user, now=now)
    if upcoming.today is not None:
        metrics.feature_usage_total.labels(feature="agenda").inc()
    return upcoming


# --- Dispatch ------------------------------------------------------------------------------


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    outcomes: list[tuple[str, str]] = field(default_factory=list, repr=False)
    lags: list[float] = field(default_factory=list, repr=False)
    deliveries: list[tuple[str, str]] = field(default_factory=list, repr=False)  # (channel, outcome)
    # Series stopped because their rule could not be followed, by RecurrenceError.kind.
    stopped_series: list[str] = field(default_factory=list, repr=False)

    def count(self, channel: str, outcome: str, *, lag: float | None = None) -> None:
        self.sent += outcome == "sent"
        self.retried += outcome == "retry"
        self.failed += outcome == "failed"
        self.outcomes.append((channel, outcome))
        if lag is not None:
            self.lags.append(lag)

    def add(self, other: "DispatchResult") -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed


_DISPATCH_FIELDS = ("snoozed_until", "status", "due_at", "sent_at", "attempts", "last_error", "fire_at")


def _dispatch_state(reminder: Reminder) -> tuple[object, ...]:
    return tuple(getattr(reminder, name) for name in _DISPATCH_FIELDS)


def _save_dispatch_changes(
    batch: list[Reminder], before: dict[int, tuple[object, ...]], now: datetime
) -> None:
    """One UPDATE per distinct set of changes: one-off reminders sent together all change the
    same way, so a batch costs a statement, not one per row (nor bulk_update's CASE per row,
    which spends more CPU building SQL than it saves)."""
    groups: dict[tuple[tuple[str, object], ...], list[int]] = {}
    for reminder in batch:
        old_state = before[reminder.pk]
        changes = tuple(
            (name, value)
            for name, value, old in zip(_DISPATCH_FIELDS, _dispatch_state(reminder), old_state, strict=True)
            if value != old
        )
        groups.setdefault(changes, []).append(reminder.pk)
    for changes, ids in groups.items():
        Reminder.objects.filter(pk__in=ids).update(**dict(changes), updated_at=now)


def _series_next(reminder: Reminder, now: datetime) -> datetime | None:
    """A series' next occurrence after now, or None when it is over. Occurrences missed while
    nothing ran are skipped, not sent in a burst. The stored rule is checked again (it may
    predate the checks, or the channel's limit may have changed) and its evaluation is bounded
    in steps and time; RecurrenceError says why the series cannot go on."""
    rule = rrule_parse(reminder.rrule)
    rule.require_gap(
        _min_interval(reminder.channel), channel=_CHANNEL_NAMES.get(reminder.channel, reminder.channel)
    )
    return next_occurrence(
        rule=rule,
        first=reminder.starts_at,
        timezone=reminder.timezone,
        after=now,
        budget_seconds=settings.REMINDER_RRULE_BUDGET_SECONDS,
    )


def _stop_series(reminder: Reminder, error: RecurrenceError, result: "DispatchResult") -> None:
    """This occurrence went out, but the series cannot go on: mark it failed, saying why."""
    reminder.status = Reminder.Status.FAILED
    reminder.last_error = f"Recurrence stopped: {error}"[:500]
    result.stopped_series.append(error.kind)
    logger.warning(
        "reminder recurrence stopped",
        extra={"event": "reminder_recurrence_failed", "reminder_id": reminder.pk, "reason": error.kind},
    )


def _advance(reminder: Reminder, now: datetime, result: "DispatchResult") -> float:
    """Move a delivered reminder on (in memory; the batch saves it); returns how late it was."""
    reminder.last_error = ""
    if reminder.due_at <= now:
        lag = (now - reminder.due_at).total_seconds()
        try:
            upcoming = _series_next(reminder, now) if reminder.rrule else None
        except RecurrenceError as error:
            _stop_series(reminder, error, result)
        else:
            if upcoming is None:
                reminder.status = Reminder.Status.SENT
            else:
                reminder.due_at = upcoming
    else:  # early: the snooze of a recurring series, or "send now"
        lag = (now - (reminder.snoozed_until or now)).total_seconds()
        if not reminder.rrule:
            reminder.status = Reminder.Status.SENT
    reminder.snoozed_until = None
    reminder.sent_at = now
    reminder.attempts = 0
    reminder.fire_at = _fire_at(reminder)
    return max(lag, 0.0)


def _occurrence(reminder: Reminder, now: datetime) -> datetime:
    """The occurrence a dispatch delivers: the due time or the snooze that fired. "Send now"
    of a reminder not due (or already done with) is an occurrence of its own, at now."""
    if reminder.status == Reminder.Status.SCHEDULED:
        if reminder.due_at <= now:
            return reminder.due_at
        if reminder.snoozed_until is not None and reminder.snoozed_until <= now:
            return reminder.snoozed_until
    return now


def _occurrences_delivered(occurrences: dict[int, datetime]) -> set[tuple[int, datetime]]:
    """Which of these (reminder, occurrence) already have a delivery, on any channel."""
    return set(
        ReminderDelivery.objects.filter(
            reminder_id__in=occurrences, occurrence__in=set(occurrences.values())
        ).values_list("reminder_id", "occurrence")
    )


def _deliver(reminders: list[Reminder], channel: str, now: datetime, result: "DispatchResult") -> None:
    """Deliver reminders that share a channel in one call, each with its delivery record; on
    failure each is retried (its record dropped: nothing went out) or given up (record failed).

    An occurrence that already has a record is never delivered again, only moved on."""
    used = channel_resolve(channel)
    occurrences = {reminder.pk: _occurrence(reminder, now) for reminder in reminders}
    delivered = _occurrences_delivered(occurrences)
    fresh = []
    for reminder in reminders:
        if (reminder.pk, occurrences[reminder.pk]) in delivered:
            _advance(reminder, now, result)
            logger.warning(
                "reminder occurrence already delivered",
                extra={"event": "reminder_duplicate_skipped", "reminder_id": reminder.pk},
            )
        else:
            fresh.append(reminder)
    outcome = (
        ReminderDelivery.Outcome.QUEUED if channel_is_deferred(used) else ReminderDelivery.Outcome.DELIVERED
    )
    deliveries = ReminderDelivery.objects.bulk_create(
        ReminderDelivery(
            reminder=reminder, occurrence=occurrences[reminder.pk], channel=used, outcome=outcome
        )
        for reminder in fresh
    )
    notifications = [
        _notification(reminder, delivery) for reminder, delivery in zip(fresh, deliveries, strict=True)
    ]
    try:
        notify_many(notifications=notifications, channel=used)
    except DeliveryError as error:
        _deliveries_undo(fresh, deliveries, error, now, result)
        return
    for reminder in fresh:
        result.count(used, "sent", lag=_advance(reminder, now, result))
        result.deliveries.append((used, outcome))
        logger.info(
            "reminder sent", extra={"event": "reminder_sent", "reminder_id": reminder.pk, "channel": used}
        )


ACCOUNT_INACTIVE_REASON = "Not sent: the account is deactivated."


def _withhold(reminders: list[Reminder], now: datetime, result: "DispatchResult") -> None:
    """A deactivated person gets no reminder or nudge: each occurrence gets a failed delivery
    saying why (so staff can read it), and its reminder moves on as a sent one would: a series
    keeps its schedule for when the account is back (no burst of missed ones then), a one-off is
    over, failed."""
    occurrences = {reminder.pk: _occurrence(reminder, now) for reminder in reminders}
    delivered = _occurrences_delivered(occurrences)
    withheld = [
        reminder for reminder in reminders if (reminder.pk, occurrences[reminder.pk]) not in delivered
    ]
    ReminderDelivery.objects.bulk_create(
        ReminderDelivery(
            reminder=reminder,
            occurrence=occurrences[reminder.pk],
            channel=channel_resolve(reminder.channel),
            outcome=ReminderDelivery.Outcome.FAILED,
            reason=ACCOUNT_INACTIVE_REASON,
        )
        for reminder in withheld
    )
    for reminder in reminders:
        sent_at = reminder.sent_at
        _advance(reminder, now, result)
        reminder.sent_at = sent_at  # nothing went out
        if reminder.status == Reminder.Status.SENT:
            reminder.status = Reminder.Status.FAILED
        reminder.last_error = ACCOUNT_INACTIVE_REASON
        result.count(channel_resolve(reminder.channel), "failed")
    result.deliveries += [
        (channel_resolve(reminder.channel), ReminderDelivery.Outcome.FAILED) for reminder in withheld
    ]


def _notification(reminder: Reminder, delivery: ReminderDelivery) -> Notification:
    """What the person receives: their own words, said to be a reminder, in their language (an
    SMS of just "call mom" from an unknown number reads like a wrong number). An event's nudge
    already says what it is ("In 15 min: Dentist at 10:00")."""
    if reminder.origin == Reminder.Origin.EVENT:
        return Notification(reminder.user, reminder.text, delivery.pk)
    with translation.override(reminder.user.effective_language):
        text = gettext("Reminder: %(text)s") % {"text": reminder.text}
    return Notification(reminder.user, text, delivery.pk)


def _deliveries_undo(
    reminders: list[Reminder],
    deliveries: list[ReminderDelivery],
    error: DeliveryError,
    now: datetime,
    result: "DispatchResult",
) -> None:
    """The channel took none of them: a retried one keeps no record, a given-up one says why."""
    retried: list[ReminderDelivery] = []
    given_up: list[ReminderDelivery] = []
    for reminder, delivery in zip(reminders, deliveries, strict=True):
        outcome = _record_failure(reminder, error, now)
        result.count(reminder.channel, outcome)
        (given_up if outcome == "failed" else retried).append(delivery)
    if retried:
        ReminderDelivery.objects.filter(pk__in=[delivery.pk for delivery in retried]).delete()
    if given_up:
        ReminderDelivery.objects.filter(pk__in=[delivery.pk for delivery in given_up]).update(
            outcome=ReminderDelivery.Outcome.FAILED, reason=_error_text(error), updated_at=timezone.now()
        )
        result.deliveries += [(delivery.channel, ReminderDelivery.Outcome.FAILED) for delivery in given_up]


def _error_text(error: DeliveryError) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def _record_failure(reminder: Reminder, error: DeliveryError, now: datetime) -> str:
    """Schedule a retry with backoff, or give up; returns "retry" or "failed"."""
    reminder.attempts += 1
    reminder.last_error = _error_text(error)
    if isinstance(error, PermanentDeliveryError) or reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
        reminder.status = Reminder.Status.FAILED
        result = "failed"
    else:
        reminder.fire_at = now + retry_delay(
            attempts=reminder.attempts, base_seconds=settings.REMINDER_RETRY_BASE_SECONDS
        )
        result = "retry"
    logger.warning(
        "reminder delivery failed",
        extra={
            "event": "reminder_failed",
            "reminder_id": reminder.pk,
            "result": result,
            "attempts": reminder.attempts,
            "error": type(error).__name__,
        },
    )
    return result


def _count_on_commit(result: DispatchResult) -> None:
    def count() -> None:
        for channel, outcome in result.outcomes:
            # A channel that confirms later (sms) counts its "sent" when the provider takes it.
            if not (outcome == "sent" and channel_is_deferred(channel)):
                metrics.reminder_sent_total.labels(channel=channel, result=outcome).inc()
        for lag in result.lags:
            metrics.reminder_delivery_lag_seconds.observe(lag)
        for channel, outcome in result.deliveries:
            metrics.reminder_delivery_total.labels(channel=channel, outcome=outcome).inc()
        for reason in result.stopped_series:
            metrics.reminder_recurrence_failed_total.labels(reason=reason).inc()

    transaction.on_commit(count)


def _dispatch_batch(*, now: datetime, limit: int, ids: list[int] | None = None) -> tuple[DispatchResult, int]:
    """Claim up to `limit` due reminders (rows locked, others skip them) and deliver each.

    Deliveries and the rows' new state commit together: a crash anywhere rolls back both, and
    the next run sends the batch again, so nothing is lost and nothing is sent twice. A
    channel raises DeliveryError before writing anything, so a failed row leaves no trace
    but its retry schedule.
    """
    result = DispatchResult()
    with transaction.atomic():
        if ids is None:
            rows = Reminder.objects.filter(status=Reminder.Status.SCHEDULED, fire_at__lte=now)
        else:
            rows = Reminder.objects.filter(pk__in=ids).exclude(status=Reminder.Status.CANCELLED)
        # skip_locked: a second dispatcher takes the next rows instead of waiting for these.
        batch = list(
            rows.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .order_by("fire_at")[:limit]
        )
        before = {reminder.pk: _dispatch_state(reminder) for reminder in batch}
        by_channel: dict[str, list[Reminder]] = {}
        withheld: list[Reminder] = []
        # In user order, so two dispatchers creating rows for the same users (a first chat
        # message opens a conversation) always wait on each other in one direction: no deadlock.
        for reminder in sorted(batch, key=lambda row: (row.user_id, row.fire_at)):
            if reminder.user.is_active:
                by_channel.setdefault(reminder.channel, []).append(reminder)
            else:
                withheld.append(reminder)
        for channel, reminders in by_channel.items():
            _deliver(reminders, channel, now, result)
        if withheld:
            _withhold(withheld, now, result)
        _save_dispatch_changes(batch, before, now)
        _count_on_commit(result)
    return result, len(batch)


def reminders_dispatch(*, now: datetime | None = None, batch_size: int | None = None) -> DispatchResult:
    """Deliver every due reminder, batch by batch, within the dispatcher's time budget."""
    started = time.monotonic()
    now = now or timezone.now()
    batch_size = batch_size or settings.REMINDER_DISPATCH_BATCH_SIZE
    total = DispatchResult()
    while time.monotonic() - started < settings.REMINDER_DISPATCH_TIME_BUDGET_SECONDS:
        result, claimed = _dispatch_batch(now=now, limit=batch_size)
        total.add(result)
        if claimed < batch_size:
            break
    metrics.reminder_dispatch_duration_seconds.observe(time.monotonic() - started)
    if total.sent or total.retried or total.failed:
        logger.info(
            "reminders dispatched",
            extra={
                "event": "reminders_dispatched",
                "sent": total.sent,
                "retried": total.retried,
                "failed": total.failed,
            },
        )
    return total


def reminders_send_now(*, reminder_ids: list[int]) -> DispatchResult:
    """Deliver these reminders at once, whatever their schedule (the admin's "send now")."""
    result, _ = _dispatch_batch(now=timezone.now(), limit=len(reminder_ids), ids=reminder_ids)
    return result


# --- Deliveries ----------------------------------------------------------------------------
# A deferred channel (sms) reports here what became of the deliveries it queued, in its own
# transaction: forward only (queued -> sent -> delivered), or failed, which tells the person
# by chat at once. Each report is idempotent: a repeated callback or a retried task finds the
# row already past that point (the row lock orders concurrent ones) and changes nothing.

Outcome = ReminderDelivery.Outcome
_PROGRESS_FROM = {
    # `failed` (the outcome was unknown, no fallback) moves on if staff resend the message.
    Outcome.SENT: (Outcome.QUEUED, Outcome.FAILED),
    Outcome.DELIVERED: (Outcome.QUEUED, Outcome.SENT, Outcome.FAILED),
}
_FAIL_FROM = (Outcome.QUEUED, Outcome.SENT, Outcome.FAILED)
_FAIL_FROM_UNKNOWN = (Outcome.QUEUED, Outcome.SENT)  # an unknown outcome cannot undo a known one


def _count_deliveries(counts: Sequence[tuple[str, str]], sent: Sequence[tuple[str, str]]) -> None:
    def count() -> None:
        for channel, outcome in counts:
            metrics.reminder_delivery_total.labels(channel=channel, outcome=outcome).inc()
        for channel, result in sent:
            metrics.reminder_sent_total.labels(channel=channel, result=result).inc()

    transaction.on_commit(count)


@transaction.atomic
def reminder_delivery_progress(*, delivery_id: int, outcome: str) -> bool:
    """The channel's provider took the message (sent) or confirmed it (delivered). Returns
    whether the delivery moved: never backwards, and never out of failed_over."""
    delivery = ReminderDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None or delivery.outcome not in _PROGRESS_FROM[Outcome(outcome)]:
        return False
    first_taken = delivery.outcome in (Outcome.QUEUED, Outcome.FAILED)
    delivery.outcome, delivery.reason = outcome, ""
    delivery.save(update_fields=["outcome", "reason", "updated_at"])
    _count_deliveries([(delivery.channel, outcome)], [(delivery.channel, "sent")] if first_taken else [])
    _log_delivery(delivery, outcome, logging.INFO)
    return True


def _log_delivery(delivery: ReminderDelivery, outcome: str, level: int) -> None:
    logger.log(
        level,
        "reminder delivery %s",
        outcome,
        extra={
            "event": "reminder_delivery",
            "delivery_id": delivery.pk,
            "reminder_id": delivery.reminder_id,
            "channel": delivery.channel,
            "outcome": outcome,
        },
    )


@transaction.atomic
def reminder_deliveries_fail(*, delivery_ids: list[int], reason: str, fall_back: bool = True) -> int:
    """These deliveries will not reach the person on their channel. With fall_back (a refusal,
    retries exhausted, an undelivered callback, an opted-out or unverified number) each is
    failed_over and its reminder's text is delivered by chat now, in the caller's transaction;
    without (the outcome is unknown: it may have gone out) each is only marked failed.

    Deliveries already delivered or failed over are left alone, so the person is told once
    however often the failure is reported. Returns how many deliveries failed."""
    deliveries = list(
        ReminderDelivery.objects.select_for_update(of=("self",))
        .filter(pk__in=delivery_ids, outcome__in=_FAIL_FROM if fall_back else _FAIL_FROM_UNKNOWN)
        .select_related("reminder__user")
        .order_by("reminder__user_id", "pk")
    )
    if not deliveries:
        return 0
    outcome = Outcome.FAILED_OVER if fall_back else Outcome.FAILED
    reason = reason[:500]
    ReminderDelivery.objects.filter(pk__in=[delivery.pk for delivery in deliveries]).update(
        outcome=outcome, reason=reason, updated_at=timezone.now()
    )
    counts = [(delivery.channel, outcome) for delivery in deliveries]
    sent = [(delivery.channel, "failed") for delivery in deliveries]
    if fall_back:
        fallbacks = ReminderDelivery.objects.bulk_create(
            ReminderDelivery(
                reminder=delivery.reminder,
                occurrence=delivery.occurrence,
                channel=FALLBACK_CHANNEL,
                outcome=Outcome.DELIVERED,
                fallback_for=delivery,
            )
            for delivery in deliveries
        )
        notify_many(
            notifications=[
                _notification(delivery.reminder, fallback)
                for delivery, fallback in zip(deliveries, fallbacks, strict=True)
            ],
            channel=FALLBACK_CHANNEL,
        )
        counts += [(FALLBACK_CHANNEL, Outcome.DELIVERED)] * len(fallbacks)
        sent += [(FALLBACK_CHANNEL, "sent")] * len(fallbacks)
    _count_deliveries(counts, sent)
    for delivery in deliveries:
        _log_delivery(delivery, outcome, logging.WARNING)
    return len(deliveries)


def reminder_deliveries_purge(*, before: datetime, limit: int) -> int:
    """Delete a batch of delivery records written before `before` (data retention). The row is
    only history ("sent by SMS, failed over to chat"): the once-per-occurrence guard it carries
    matters while an occurrence can still be dispatched, minutes after it was due, not a year
    later, and the reminder itself stays as the person left it. An SMS that carried it keeps
    its row, pointing nowhere; a chat fallback goes with the record it stood in for."""
    _, deleted = retention_batch(ReminderDelivery.objects.filter(created_at__lt=before), limit=limit).delete()
    return deleted.get(ReminderDelivery._meta.label, 0)
