import re

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django_prometheus.models import ExportModelOperationsMixin

from assistant.core.fields import EncryptedTextField
from assistant.core.masking import mask_phone
from assistant.users.models import User

# How digits hidden from later readers (staff, an export) look.
MASK = "•"
# The length of the codes we text to prove a number: one texted back to us is as good as ours.
VERIFICATION_CODE_DIGITS = 6
_TEXTED_CODE = re.compile(rf"(?<!\d)\d{{{VERIFICATION_CODE_DIGITS}}}(?!\d)")


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class PhoneOptOut(ExportModelOperationsMixin("phone_opt_out"), models.Model):  # type: ignore[misc]
    """A number that texted STOP: nothing is sent to it until it texts START."""

    phone_number = models.CharField(max_length=16, unique=True)
    keyword = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name = "opt-out"

    def __str__(self) -> str:
        return mask_phone(self.phone_number)


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class InboundSMS(ExportModelOperationsMixin("inbound_sms"), models.Model):  # type: ignore[misc]
    class Result(models.TextChoices):
        ROUTED = "routed"
        UNKNOWN_SENDER = "unknown_sender"
        OPTED_OUT = "opted_out"
        KEYWORD = "keyword"
        INACTIVE = "inactive"  # from a deactivated account: told so, not routed

    # Twilio retries a webhook it got no answer to: the SID makes the retry a no-op.
    message_sid = models.CharField(max_length=64, unique=True)
    from_number = models.CharField(max_length=32)
    to_number = models.CharField(max_length=32)
    body = models.TextField(max_length=1600, blank=True)
    segments = models.PositiveSmallIntegerField(default=1)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_sms"
    )
    result = models.CharField(max_length=16, choices=Result, blank=True)
    # What we answered, so a retried delivery gets the same answer.
    reply = models.TextField(blank=True)
    received_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "inbound SMS"
        verbose_name_plural = "inbound SMS"

    def __str__(self) -> str:
        return f"{self.message_sid} from {mask_phone(self.from_number)}"

    @property
    def shown_body(self) -> str:
        """What the person texted as anyone may read it later, with anything shaped like a
        verification code masked: one texted back to us would let its reader claim the number."""
        return _TEXTED_CODE.sub(lambda match: MASK * len(match.group()), self.body)


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class OutboundSMS(ExportModelOperationsMixin("outbound_sms"), models.Model):  # type: ignore[misc]
    class Status(models.TextChoices):
        QUEUED = "queued"  # in our outbox, not yet accepted by the provider
        SENDING = "sending"  # a worker is handing it to the provider right now
        SENT = "sent"  # accepted by the provider / on its way
        DELIVERED = "delivered"
        UNDELIVERED = "undelivered"
        FAILED = "failed"

    class Purpose(models.TextChoices):
        REPLY = "reply"
        REMINDER = "reminder"
        VERIFICATION = "verification"
        NOTICE = "notice"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbound_sms",
    )
    to_number = models.CharField(max_length=16)
    # Encrypted: a verification message holds its code (PhoneVerification keeps only an HMAC of
    # it), and reminders say what a person has to do. Staff see it through the admin, masked.
    body = EncryptedTextField(max_length=1600)
    purpose = models.CharField(max_length=16, choices=Purpose)
    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED)
    provider_sid = models.CharField(max_length=64, unique=True, null=True, blank=True)
    segments = models.PositiveSmallIntegerField(default=1)
    price = models.DecimalField(max_digits=10, decimal_places=5, null=True, blank=True)
    price_unit = models.CharField(max_length=8, blank=True)
    # Twilio's price once known, else an estimate from segments and the rate table.
    cost_usd = models.DecimalField(max_digits=10, decimal_places=5, null=True, blank=True)
    cost_estimated = models.BooleanField(default=True)
    error_code = models.CharField(max_length=16, blank=True, db_index=True)
    error_message = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=now)
    # The reminder occurrence this SMS delivers: its failure fails the delivery over to chat.
    reminder_delivery = models.ForeignKey(
        "planner.ReminderDelivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbound_sms",
    )
    created_at = models.DateTimeField(default=now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outbound SMS"
        verbose_name_plural = "outbound SMS"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # A person's SMS today, counted by the caps (sms/caps.py).
            models.Index(fields=["user", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} to {mask_phone(self.to_number)} ({self.status})"

    @property
    def shown_body(self) -> str:
        """The text as anyone may read it later (staff, an export): never a verification code,
        which would let whoever read it claim the number."""
        if self.purpose == self.Purpose.VERIFICATION:
            return re.sub(r"\d", MASK, self.body)
        return self.body


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class PhoneVerification(ExportModelOperationsMixin("phone_verification"), models.Model):  # type: ignore[misc]
    """A code sent to a number the user claims; the code itself is kept only as a hash."""

    CODE_DIGITS = VERIFICATION_CODE_DIGITS

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_verifications"
    )
    phone_number = models.CharField(max_length=16)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        # The codes sent to a number and asked for by an account, counted by the caps (sms/caps.py).
        indexes = [
            models.Index(fields=["phone_number", "created_at"]),
            models.Index(fields=["user", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{mask_phone(self.phone_number)} for {self.user}"


class PhoneMapping(User):
    """Which user a number routes to: the users with a verified phone, for the admin."""

    class Meta:
        proxy = True
        verbose_name = "phone mapping"
