from typing import TypeVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from assistant.core.admin import ReadOnlyAdmin
from assistant.core.csv_export import csv_rows_write
from assistant.core.net import client_ip
from assistant.users import services
from assistant.users.access import request_user
from assistant.users.models import AuditEvent, AuthToken, SecurityEvent, TOTPDevice, User

_M = TypeVar("_M", bound=Model)


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    ordering = ["-date_joined"]
    list_display = [
        "email",
        "display_name",
        "phone_number",
        "phone_verified",
        "preferred_channel",
        "language",
        "timezone",
        "is_staff",
        "is_active",
        "date_joined",
        "last_login",
    ]
    list_filter = [
        "is_staff",
        "is_superuser",
        "is_active",
        "phone_verified",
        "preferred_channel",
        "language",
        "groups",
    ]
    search_fields = ["email", "display_name", "phone_number"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Profile",
            {
                "fields": [
                    "display_name",
                    "phone_number",
                    "phone_verified",
                    "timezone",
                    "preferred_channel",
                    "language",
                ]
            },
        ),
        ("Roles", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = ["groups", "user_permissions"]


@admin.action(description="Export selected rows as CSV")
def export_csv(
    modeladmin: admin.ModelAdmin[_M], request: HttpRequest, queryset: QuerySet[_M]
) -> HttpResponse:
    fields = [field.name for field in queryset.model._meta.fields]
    response = HttpResponse(content_type="text/csv")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{queryset.model._meta.model_name}-{stamp}.csv"'
    csv_rows_write(response, header=fields, rows=queryset.values_list(*fields))
    services.audit_event_record(
        actor=request_user(request),
        action=AuditEvent.Action.DATA_EXPORT,
        ip=client_ip(request),
        details={"model": queryset.model._meta.label_lower, "rows": queryset.count()},
    )
    return response


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    deletable = False  # evidence: staff may read and export it, never edit or delete it
    list_display = ["created_at", "action", "actor", "target_type", "target_repr", "ip"]
    list_filter = ["action", "target_type", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["actor__email", "target_repr", "target_id", "ip"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    actions = [export_csv]


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin[SecurityEvent]):
    deletable = False  # evidence, as above
    list_display = ["created_at", "severity", "kind", "user", "ip"]
    list_filter = ["severity", "kind", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["user__email", "ip"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    actions = [export_csv]


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin[TOTPDevice]):
    """Staff can see who has a second factor and remove a lost one; the seed is never shown."""

    list_display = ["user", "confirmed_at", "created_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = readonly_fields = ("user", "confirmed_at", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin[AuthToken]):
    """Sessions: staff can revoke one (delete) but never see more than its public prefix."""

    list_display = ["token_key", "user", "created", "expiry"]
    list_filter = [("expiry", admin.DateFieldListFilter)]
    search_fields = ["user__email", "token_key"]
    list_select_related = ["user"]
    fields = readonly_fields = ("token_key", "user", "created", "expiry")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
