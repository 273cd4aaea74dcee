from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from assistant.core.admin import ReadOnlyAdmin
from assistant.core.masking import mask_phone
from sms import services
from sms.models import InboundSMS, OutboundSMS, PhoneMapping, PhoneOptOut, PhoneVerification


@admin.register(InboundSMS)
class InboundSMSAdmin(ReadOnlyAdmin[InboundSMS]):
    list_display = ["received_at", "sender", "user", "result", "segments", "message_sid"]
    list_filter = ["result", ("received_at", admin.DateFieldListFilter)]
    search_fields = ["message_sid", "user__email", "from_number"]
    list_select_related = ["user"]
    date_hierarchy = "received_at"
    exclude = ["from_number", "to_number", "body"]
    readonly_fields = ["sender", "text"]

    @admin.display(description="from")
    def sender(self, inbound: InboundSMS) -> str:
        return mask_phone(inbound.from_number)

    @admin.display(description="text")
    def text(self, inbound: InboundSMS) -> str:
        return inbound.shown_body


@admin.register(OutboundSMS)
class OutboundSMSAdmin(ReadOnlyAdmin[OutboundSMS]):
    list_display = [
        "created_at",
        "recipient",
        "user",
        "purpose",
        "status",
        "segments",
        "cost_usd",
        "error_code",
    ]
    list_filter = [
        "status",
        "purpose",
        "error_code",
        "reminder_delivery__outcome",
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["provider_sid", "user__email", "to_number"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    exclude = ["to_number", "body", "reminder_delivery"]
    readonly_fields = ["recipient", "text", "delivery"]
    actions = ["resend"]

    @admin.display(description="to")
    def recipient(self, outbound: OutboundSMS) -> str:
        return mask_phone(outbound.to_number)

    @admin.display(description="text")
    def text(self, outbound: OutboundSMS) -> str:
        return outbound.shown_body

    @admin.display(description="reminder delivery")
    def delivery(self, outbound: OutboundSMS) -> str:
        """The reminder occurrence this message delivers, and what became of it."""
        delivery = outbound.reminder_delivery
        if delivery is None:
            return "-"
        url = reverse("admin:planner_reminderdelivery_change", args=[delivery.pk])
        return format_html('<a href="{}">{}</a> of "{}"', url, delivery, delivery.reminder)

    @admin.action(description="Resend (failed or undelivered only)")
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboundSMS]) -> None:
        count = services.sms_resend(sms_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Queued {count} message(s) again.", messages.SUCCESS)


@admin.register(PhoneOptOut)
class PhoneOptOutAdmin(admin.ModelAdmin[PhoneOptOut]):
    """Staff can lift an opt-out only by deleting it, which they should do only on request."""

    list_display = ["number", "keyword", "created_at"]
    list_filter = ["keyword", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["phone_number"]
    fields = readonly_fields = ("number", "keyword", "created_at")

    @admin.display(description="number")
    def number(self, opt_out: PhoneOptOut) -> str:
        return mask_phone(opt_out.phone_number)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PhoneVerification)
class PhoneVerificationAdmin(ReadOnlyAdmin[PhoneVerification]):
    list_display = ["user", "number", "created_at", "expires_at", "attempts", "verified_at"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter), ("created_at", admin.DateFieldListFilter)]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = readonly_fields = ("user", "number", "created_at", "expires_at", "attempts", "verified_at")

    @admin.display(description="number")
    def number(self, verification: PhoneVerification) -> str:
        return mask_phone(verification.phone_number)


@admin.register(PhoneMapping)
class PhoneMappingAdmin(ReadOnlyAdmin[PhoneMapping]):
    list_display = ["email", "number", "phone_verified", "preferred_channel"]
    list_filter = ["phone_verified", "preferred_channel"]
    search_fields = ["email", "phone_number"]
    fields = readonly_fields = ("email", "number", "phone_verified", "preferred_channel")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PhoneMapping]:
        return super().get_queryset(request).filter(phone_number__isnull=False)

    @admin.display(description="phone")
    def number(self, user: PhoneMapping) -> str:
        return mask_phone(user.phone_number)
