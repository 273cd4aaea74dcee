"""The audit actions and security-event kinds this app records, registered with users' in
IntegrationsConfig.ready() (their values are the stored strings and the metric labels)."""

from django.db import models


class AuditAction(models.TextChoices):
    INTEGRATION_CONNECTED = "integration_connected"
    INTEGRATION_DISCONNECTED = "integration_disconnected"


class SecurityKind(models.TextChoices):
    OAUTH_GRANT_REVOKED = "oauth_grant_revoked"
