from django.db import models
from django.utils.timezone import now


class Heartbeat(models.Model):
    """The last sign of life of a process that has no HTTP endpoint of its own to probe
    (Celery beat writes "beat" as it ticks): health checks read its age."""

    name = models.CharField(max_length=64, unique=True)
    beat_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class AlertEvent(models.Model):
    """One alert notification from Alertmanager (firing or resolved), as staff browse them."""

    class Status(models.TextChoices):
        FIRING = "firing"
        RESOLVED = "resolved"

    class Severity(models.TextChoices):
        CRITICAL = "critical"
        WARNING = "warning"
        INFO = "info"

    fingerprint = models.CharField(max_length=64, db_index=True)
    alertname = models.CharField(max_length=200, db_index=True)
    status = models.CharField(max_length=16, choices=Status)
    severity = models.CharField(max_length=16, choices=Severity, blank=True, db_index=True)
    summary = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    labels = models.JSONField(default=dict, blank=True)
    annotations = models.JSONField(default=dict, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    generator_url = models.URLField(max_length=1000, blank=True)
    received_at = models.DateTimeField(default=now, db_index=True)
    # Set when the on-call staff member was texted about it.
    paged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            # Alertmanager repeats a notification until it is resolved: one row per state change.
            models.UniqueConstraint(fields=["fingerprint", "status", "starts_at"], name="alert_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.alertname} {self.status}"
