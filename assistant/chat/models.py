from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django_prometheus.models import ExportModelOperationsMixin


class Channel(models.TextChoices):
    API = "api", "API"
    SMS = "sms", "SMS"


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class Conversation(ExportModelOperationsMixin("conversation"), models.Model):  # type: ignore[misc]
    """One thread per user and channel; the engine does not care which."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations")
    channel = models.CharField(max_length=8, choices=Channel)
    # The ids behind the numbers of the last list shown ("done 2"): {"todos": [...], "reminders": [...]}.
    last_listing = models.JSONField(default=dict, blank=True)
    # The question the assistant asked last, which the next message may answer (see
    # chat.services._question_asked); forgotten after CHAT_CLARIFICATION_TTL_SECONDS.
    pending = models.JSONField(default=dict, blank=True)
    pending_until = models.DateTimeField(null=True, blank=True)
    # What the assistant did last, so that "undo" can take it back (see chat.intents).
    last_action = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="one_conversation_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.channel}"


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class Message(ExportModelOperationsMixin("message"), models.Model):  # type: ignore[misc]
    class Direction(models.TextChoices):
        INBOUND = "in", "From the user"
        OUTBOUND = "out", "From the assistant"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction)
    text = models.TextField(max_length=5000)
    # A reply points at the message it answers; a reminder sent on its own points nowhere.
    in_reply_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reply"
    )
    intent = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["conversation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.text[:40]}"
