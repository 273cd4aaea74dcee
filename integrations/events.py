"""The audit actions and security-event kinds this app records, registered with users' in
IntegrationsConfig.ready() (their values are the stored strings and the metric labels)."""

from django.db import models


class AuditAction(models.TextChoices):
    INTEGRATION_CONNECTED = "integration_connected"
    INTEGRATION_DISCONNECTED = "integration_disconnected"


class SecurityKind(models.TextChoices):
    OAUTH_GRANT_REVOKED = "oauth_grant_revoked"
    # A connect link opened again or after it expired, or a callback reaching a browser that did
    # not prove the account's owner on the consent page (details.reason says which).
    OAUTH_CONSENT_REFUSED = "oauth_consent_refused"
