from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from assistant.core.admin import ReadOnlyAdmin
from assistant.core.csv_export import csv_rows_write
from assistant.core.errors import ServiceError
from assistant.core.net import client_ip
from assistant.core.unset import UNSET
from assistant.users import selectors, services
from assistant.users.access import request_user
from assistant.users.admin_activity import ActivityAdminMixin
from assistant.users.admin_erase import AccountEraseAdminMixin
from assistant.users.admin_support import SupportAdmin
from assistant.users.models import AuditEvent, AuthToken, SecurityEvent, TOTPDevice, User

_M = TypeVar("_M", bound=Model)
_Holder = TypeVar("_Holder", bound=User | Group)


class PrivilegesAdmin(admin.ModelAdmin[_Holder]):
    """The page of something that holds privileges (an account, a role's group). Only an
    administrator changes those fields, never their own (see `privileges_change_check`), and the
    change goes through the users services, which audit it as the rest of the code does."""

    privilege_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: _Holder | None = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if selectors.privileges_editable(actor=request_user(request), holder=obj):
            return readonly
        return (*readonly, *self.privilege_fields)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Read-only fields are left out of the form, so Django would drop them from a POST without
        # a word. Whoever is shown them read-only has no such inputs: a POST carrying one was
        # crafted, and is refused and recorded rather than silently half-applied.
        posted = [name for name in self.privilege_fields if name in request.POST]
        if request.method == "POST" and posted:
            holder = self.get_object(request, unquote(object_id)) if object_id else None
            try:
                services.privileges_change_check(
                    actor=request_user(request), holder=holder, fields=posted, ip=client_ip(request)
                )
            except ServiceError as error:
                raise PermissionDenied(error.message) from None
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: _Holder, form: ModelForm[_Holder], change: bool) -> None:
        # Out of the form's own saving (the m2m are saved from cleaned_data after this), into the service's.
        changes = {
            name: form.cleaned_data.pop(name) for name in self.privilege_fields if name in form.changed_data
        }
        for name in changes:
            if not obj._meta.get_field(name).many_to_many:
                setattr(obj, name, form.initial[name])
        super().save_model(request, obj, form, change)
        if not changes:
            return
        try:
            self.privileges_save(request, obj, changes)
        except ServiceError as error:
            raise PermissionDenied(error.message) from None

    def privileges_save(self, request: HttpRequest, obj: _Holder, changes: dict[str, Any]) -> None:
        """Apply the changed privilege fields through the service that audits them."""
        raise NotImplementedError


@admin.register(User)
class UserAdmin(
    SupportAdmin, AccountEraseAdminMixin, ActivityAdminMixin, PrivilegesAdmin[User], DjangoUserAdmin[User]
):
    privilege_fields = ("is_superuser", "is_staff", "groups", "user_permissions")
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
    search_fields = ["email", "display_name"]  # and a phone by its last digits: ActivityAdminMixin
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

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        actor = request_user(request)
        if obj is None or obj.pk == actor.pk or not (obj.is_staff or obj.is_superuser):
            return True
        # Whoever may change an account may set its password or its e-mail, and so take it over:
        # staff and superuser accounts are an administrator's to change.
        return selectors.user_administers_privileges(user=actor)

    def privileges_save(self, request: HttpRequest, obj: User, changes: dict[str, Any]) -> None:
        services.user_privileges_change(
            actor=request_user(request),
            user=obj,
            ip=client_ip(request),
            is_superuser=changes.get("is_superuser", UNSET),
            is_staff=changes.get("is_staff", UNSET),
            groups=changes.get("groups", UNSET),
            user_permissions=changes.get("user_permissions", UNSET),
        )


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PrivilegesAdmin[Group], DjangoGroupAdmin):
    privilege_fields = ("permissions",)

    def privileges_save(self, request: HttpRequest, obj: Group, changes: dict[str, Any]) -> None:
        services.group_permissions_change(
            actor=request_user(request), group=obj, permissions=changes["permissions"], ip=client_ip(request)
        )


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
