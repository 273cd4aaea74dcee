from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django_prometheus.models import ExportModelOperationsMixin


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class Todo(ExportModelOperationsMixin("todo"), models.Model):  # type: ignore[misc]
    class Status(models.TextChoices):
        OPEN = "open"
        DONE = "done"

    class Priority(models.IntegerChoices):
        LOW = 1
        NORMAL = 2
        HIGH = 3

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="todos")
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True, max_length=5000)
    due_date = models.DateField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority, default=Priority.NORMAL)
    status = models.CharField(max_length=8, choices=Status, default=Status.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order in the user's list")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["user", "status", "position"])]

    def __str__(self) -> str:
        return self.title


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class Reminder(ExportModelOperationsMixin("reminder"), models.Model):  # type: ignore[misc]
    class Status(models.TextChoices):
        SCHEDULED = "scheduled"
        SENT = "sent"
        CANCELLED = "cancelled"
        FAILED = "failed"

    class Channel(models.TextChoices):
        CHAT = "chat"
        SMS = "sms"

    class Origin(models.TextChoices):
        USER = "user"  # asked for by the user
        EVENT = "event"  # the "in N minutes" nudge for a synced calendar event

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    text = models.CharField(max_length=200)
    # The occurrence being waited for, in UTC; with a recurrence, the series' next one.
    due_at = models.DateTimeField()
    # The user's zone when the reminder was made: recurrences keep that wall-clock time.
    timezone = models.CharField(max_length=64)
    rrule = models.CharField(max_length=200, blank=True, help_text="RFC 5545 RRULE, local wall time")
    # The first occurrence of a recurring series: its DTSTART.
    starts_at = models.DateTimeField()
    channel = models.CharField(max_length=8, choices=Channel, default=Channel.CHAT)
    # Event nudges are delivered like any reminder but listed with their event, not here.
    origin = models.CharField(max_length=8, choices=Origin, default=Origin.USER)
    status = models.CharField(max_length=16, choices=Status, default=Status.SCHEDULED)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    # When the dispatcher should act next: due_at, a snooze, or a retry after a failure.
    fire_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["fire_at", "id"]
        indexes = [
            # The dispatcher's query: scheduled rows by fire time.
            models.Index(fields=["fire_at"], condition=Q(status="scheduled"), name="reminder_due_idx"),
            models.Index(fields=["user", "status", "fire_at"]),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def recurring(self) -> bool:
        return bool(self.rrule)


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class ReminderDelivery(ExportModelOperationsMixin("reminder_delivery"), models.Model):  # type: ignore[misc]
    """What became of one occurrence of a reminder on one channel.

    Written by the dispatcher in the transaction that hands the reminder to its channel: chat
    takes it at once (delivered); SMS queues it, and the sms app reports what Twilio did
    (sent, delivered) or that it failed for good, which fails it over to chat at once (a second
    row, channel chat, `fallback_for` this one). One row per (reminder, occurrence, channel):
    the constraint is also what keeps a late or repeated failure from telling the person twice.
    """

    class Outcome(models.TextChoices):
        QUEUED = "queued"  # handed to a channel that confirms later (SMS: in the outbox)
        SENT = "sent"  # the provider accepted it
        DELIVERED = "delivered"  # in the chat conversation, or the carrier confirmed the SMS
        FAILED = "failed"  # not delivered on this channel and not failed over (see reason)
        FAILED_OVER = "failed_over", "Failed over"  # not delivered here; sent by chat instead

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    # The due time or snooze that fired (for "send now" before it was due: when it was sent).
    occurrence = models.DateTimeField()
    channel = models.CharField(max_length=8, choices=Reminder.Channel)
    outcome = models.CharField(max_length=16, choices=Outcome)
    reason = models.CharField(max_length=500, blank=True)
    fallback_for = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="fallback"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurrence", "-id"]
        verbose_name_plural = "reminder deliveries"
        constraints = [
            # Also the reminder's detail: its deliveries by occurrence.
            models.UniqueConstraint(
                fields=["reminder", "occurrence", "channel"], name="reminder_delivery_once"
            ),
        ]
        indexes = [models.Index(fields=["outcome", "created_at"])]  # the admin's outcome filter

    def __str__(self) -> str:
        return f"{self.channel} {self.get_outcome_display()} at {self.occurrence:%Y-%m-%d %H:%M}"
