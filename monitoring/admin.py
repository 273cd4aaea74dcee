from django.contrib import admin

from assistant.core.admin import ReadOnlyAdmin
from monitoring.models import AlertEvent


@admin.register(AlertEvent)
class AlertEventAdmin(ReadOnlyAdmin[AlertEvent]):
    """What Alertmanager told us, newest first: the history behind the on-call pages."""

    list_display = ["received_at", "alertname", "severity", "status", "summary", "starts_at", "paged_at"]
    list_filter = ["status", "severity", "alertname"]
    search_fields = ["alertname", "summary", "fingerprint"]
    date_hierarchy = "received_at"
    readonly_fields = [field.name for field in AlertEvent._meta.fields]
