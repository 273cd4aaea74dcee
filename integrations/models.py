"""Connections to Google, Microsoft and Notion, and what we copied from them.

Tokens live only in Integration's encrypted fields: social-auth's UserSocialAuth row keeps
the provider account id (so one provider account links to one user) and no token at all.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django_prometheus.models import ExportModelOperationsMixin

from assistant.core.fields import EncryptedTextField


class Provider(models.TextChoices):
    GOOGLE = "google", "Google Calendar"
    MICROSOFT = "microsoft", "Microsoft Outlook and To Do"
    NOTION = "notion", "Notion"


EVENT_NUDGE_MINUTES_DEFAULT = 15
EVENT_NUDGE_MINUTES_MAX = 240


class Preferences(models.Model):
    """What a person chose about what the integrations do for them; without a row, the defaults.

    Shown and changed on /auth/me beside the profile (see integrations/api/profile.py).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="integration_preferences",
    )
    # How long before a calendar event the "in N minutes" nudge comes; 0 turns it off.
    event_nudge_minutes = models.PositiveSmallIntegerField(
        default=EVENT_NUDGE_MINUTES_DEFAULT,
        validators=[MaxValueValidator(EVENT_NUDGE_MINUTES_MAX)],
        help_text="Minutes before an event to nudge (0: never)",
    )

    class Meta:
        verbose_name = verbose_name_plural = "integration preferences"

    def __str__(self) -> str:
        return f"Integration preferences of user {self.user_id}"


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class Integration(ExportModelOperationsMixin("integration"), models.Model):  # type: ignore[misc]
    class Status(models.TextChoices):
        CONNECTED = "connected"
        NEEDS_REAUTH = "needs_reauth"  # the provider refused our grant: the user must connect again
        ERROR = "error"  # syncs keep failing for another reason (retried with backoff)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="integrations")
    provider = models.CharField(max_length=16, choices=Provider)
    social = models.OneToOneField(
        "social_django.UserSocialAuth", on_delete=models.CASCADE, related_name="integration"
    )
    status = models.CharField(max_length=16, choices=Status, default=Status.CONNECTED)
    account = models.CharField(max_length=254, blank=True, help_text="The provider account, as it names it")
    scopes = models.JSONField(default=list, blank=True)
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField(blank=True, default="")
    # NULL: the provider's access tokens do not expire (Notion).
    token_expires_at = models.DateTimeField(null=True, blank=True)
    # Refreshes are claimed by moving this forward; after a failure it is the backoff's end.
    refresh_not_before = models.DateTimeField(null=True, blank=True)
    refresh_failures = models.PositiveIntegerField(default=0)
    # The Notion data source (database) the user picked for tasks.
    task_source_id = models.CharField(max_length=64, blank=True)
    # Per resource (a calendar, a task list): the sync token or delta link for the next sync.
    sync_state = models.JSONField(default=dict, blank=True)
    next_sync_at = models.DateTimeField(null=True, blank=True)
    sync_failures = models.PositiveIntegerField(default=0)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    reauth_notified_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "provider"], name="integration_user_provider")]
        indexes = [
            models.Index(
                fields=["token_expires_at"], condition=Q(status="connected"), name="integration_expiry_idx"
            ),
            models.Index(
                fields=["next_sync_at"], condition=Q(status="connected"), name="integration_sync_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} for user {self.user_id}"


class AuthorizationRequest(models.Model):
    """A connection asked for from the API and not yet completed, bound to the user who asked.

    The API answers a one-time link to our consent page (its token kept only as a hash), where
    the account's owner proves who they are before the browser goes to the provider; only then
    is the OAuth state made, with social-core's per-flow session values, kept here because the
    browser that comes back to the callback carries no API token. The callback deletes the row
    before talking to the provider, so each link and each state works once.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=16, choices=Provider)
    link_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the link's token")
    # Set when the owner confirmed on the consent page and the browser left for the provider.
    started_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=128, unique=True, null=True, blank=True)
    session = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.provider} authorization for user {self.user_id}"


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class Event(ExportModelOperationsMixin("integration_event"), models.Model):  # type: ignore[misc]
    """A calendar event copied from a provider, for the agenda and the "event soon" nudge."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="events")
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="events")
    resource = models.CharField(max_length=200, help_text="The calendar it came from")
    external_id = models.CharField(max_length=255)
    title = models.CharField(max_length=300)
    location = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    # Timed events: the instants. All-day events: midnight of their dates in the user's zone
    # (end exclusive), and the dates themselves, which no time zone may shift.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    all_day = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # The reminder that says "in N minutes", and the start time it was made for.
    nudge = models.OneToOneField(
        "planner.Reminder", null=True, blank=True, on_delete=models.SET_NULL, related_name="event"
    )
    nudge_for = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "external_id"], name="event_integration_external_id"
            )
        ]
        indexes = [models.Index(fields=["user", "starts_at"])]

    def __str__(self) -> str:
        return self.title


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class ExternalTask(ExportModelOperationsMixin("external_task"), models.Model):  # type: ignore[misc]
    """A task copied from Microsoft To Do or the user's Notion database."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_tasks"
    )
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="tasks")
    resource = models.CharField(max_length=200, help_text="The task list or database it came from")
    external_id = models.CharField(max_length=255)
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=1000, blank=True)
    due_date = models.DateField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    completed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "external_id"], name="task_integration_external_id"
            )
        ]
        indexes = [models.Index(fields=["user", "completed", "due_date"])]

    def __str__(self) -> str:
        return self.title
