from typing import TypeVar

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from assistant.core.admin import ReadOnlyAdmin
from assistant.users.access import request_user
from integrations import services, tasks
from integrations.models import Event, ExternalTask, Integration

_M = TypeVar("_M", bound=Model)


@admin.register(Integration)
class IntegrationAdmin(ReadOnlyAdmin[Integration]):
    # Made by their owner's consent, never by hand, and never edited by hand: the actions below go
    # through services. Tokens are never shown: they are not in any list, form or read-only field.
    list_display = [
        "user",
        "provider",
        "status",
        "account",
        "token_expires_at",
        "last_synced_at",
        "next_sync_at",
        "last_error",
    ]
    list_filter = ["provider", "status"]
    search_fields = ["user__email", "account"]
    list_select_related = ["user"]
    fields = readonly_fields = (
        "user",
        "provider",
        "status",
        "account",
        "scopes",
        "connected_at",
        "token_expires_at",
        "refresh_failures",
        "refresh_not_before",
        "task_source_id",
        "last_synced_at",
        "next_sync_at",
        "sync_failures",
        "last_error",
        "last_error_at",
        "reauth_notified_at",
    )
    actions = ["refresh_now", "sync_now", "mark_needs_reauth"]

    def has_operate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("integrations.change_integration")

    @admin.action(description="Refresh the access token now", permissions=["operate"])
    def refresh_now(self, request: HttpRequest, queryset: QuerySet[Integration]) -> None:
        for integration in queryset:
            tasks.integration_token_refresh.delay(integration.pk)
        self.message_user(request, f"Refresh queued for {queryset.count()} integration(s).")

    @admin.action(description="Sync now", permissions=["operate"])
    def sync_now(self, request: HttpRequest, queryset: QuerySet[Integration]) -> None:
        queued = 0
        for integration in queryset.exclude(status=Integration.Status.NEEDS_REAUTH):
            services.integration_sync_request(integration=integration)
            queued += 1
        self.message_user(
            request, f"Sync queued for {queued} integration(s); those needing re-auth were skipped."
        )

    @admin.action(description="Mark as needing re-authorization", permissions=["operate"])
    def mark_needs_reauth(self, request: HttpRequest, queryset: QuerySet[Integration]) -> None:
        for integration in queryset.select_related("user"):
            services.integration_mark_needs_reauth(
                integration=integration, reason="marked by staff", actor=request_user(request)
            )
        self.message_user(request, f"{queryset.count()} integration(s) marked.", messages.WARNING)


class _SyncedAdmin(ReadOnlyAdmin[_M]):
    """A copy of the provider's data: the next sync would overwrite any edit."""

    list_filter = ["integration__provider"]
    search_fields = ["user__email", "title"]
    list_select_related = ["user", "integration"]


@admin.register(Event)
class EventAdmin(_SyncedAdmin[Event]):
    list_display = ["title", "user", "starts_at", "ends_at", "all_day", "nudge"]
    date_hierarchy = "starts_at"


@admin.register(ExternalTask)
class ExternalTaskAdmin(_SyncedAdmin[ExternalTask]):
    list_display = ["title", "user", "due_date", "completed"]
