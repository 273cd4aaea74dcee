from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from assistant.core.admin import ReadOnlyAdmin
from assistant.core.errors import ServiceError
from assistant.core.unset import UNSET
from assistant.planner import services
from assistant.planner.models import Reminder, ReminderDelivery, Todo

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# A reminder's page lists its latest deliveries; the deliveries list has them all.
INLINE_DELIVERIES = 50


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin[Todo]):
    list_display = ["title", "user", "status", "priority", "due_date", "completed_at", "created_at"]
    list_filter = ["status", "priority", ("due_date", admin.DateFieldListFilter)]
    search_fields = ["title", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    # Status moves only through the actions, which keep completed_at and the metrics right.
    readonly_fields = ["status", "completed_at", "created_at", "updated_at"]
    actions = ["mark_done"]

    @admin.action(description="Mark done")
    def mark_done(self, request: HttpRequest, queryset: QuerySet[Todo]) -> None:
        for todo in queryset.filter(status=Todo.Status.OPEN):
            services.todo_complete(todo=todo)
        self.message_user(request, "Marked done.", messages.SUCCESS)


def _admin_link(obj: Model) -> str:
    opts = obj._meta
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
    except NoReverseMatch:  # not in the admin
        return str(obj)
    return format_html('<a href="{}">{}</a>', url, obj)


def _channel_record_accessors() -> list[str]:
    """What channels keep for a delivery (sms: its OutboundSMS) points at it with a foreign
    key. This app never imports the channels, so it finds those relations on the model."""
    names = (
        relation.get_accessor_name()
        for relation in ReminderDelivery._meta.related_objects
        if relation.related_model is not ReminderDelivery
    )
    return [name for name in names if name is not None]


class _DeliveryDisplay:
    @admin.display(description="channel record")
    def channel_record(self, delivery: ReminderDelivery) -> str:
        records = [record for name in _channel_record_accessors() for record in getattr(delivery, name).all()]
        return format_html_join(", ", "{}", ((_admin_link(record),) for record in records)) or "-"

    @admin.display(description="failed over from")
    def failed_over_from(self, delivery: ReminderDelivery) -> str:
        return _admin_link(delivery.fallback_for) if delivery.fallback_for else "-"


_DELIVERY_FIELDS = (
    "occurrence",
    "channel",
    "outcome",
    "reason",
    "failed_over_from",
    "channel_record",
    "created_at",
    "updated_at",
)


class ReminderDeliveryInline(_DeliveryDisplay, admin.TabularInline[ReminderDelivery, Reminder]):
    model = ReminderDelivery
    fk_name = "reminder"
    fields = readonly_fields = _DELIVERY_FIELDS
    extra = 0
    show_change_link = True
    verbose_name_plural = f"deliveries (the latest {INLINE_DELIVERIES})"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReminderDelivery]:
        return (
            super()
            .get_queryset(request)
            .select_related("fallback_for")
            .prefetch_related(*_channel_record_accessors())
        )

    def has_add_permission(self, request: HttpRequest, obj: Reminder | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Reminder | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Reminder | None = None) -> bool:
        return False


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(_DeliveryDisplay, ReadOnlyAdmin[ReminderDelivery]):
    """Read-only: deliveries change only through the dispatcher and the channels' reports."""

    deletable = False

    list_display = ["occurrence", "reminder", "user", "channel", "outcome", "reason", "updated_at"]
    list_filter = ["outcome", "channel", ("occurrence", admin.DateFieldListFilter)]
    search_fields = ["reminder__text", "reminder__user__email"]
    list_select_related = ["reminder__user"]
    date_hierarchy = "occurrence"
    fields = readonly_fields = ("reminder", *_DELIVERY_FIELDS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReminderDelivery]:
        return super().get_queryset(request).prefetch_related(*_channel_record_accessors())

    @admin.display(ordering="reminder__user__email")
    def user(self, delivery: ReminderDelivery) -> str:
        return str(delivery.reminder.user)


if TYPE_CHECKING:  # WithAnnotations takes its model and fields for the type checker only

    class _LastDelivery(TypedDict):
        last_delivery_outcome: str | None

    # A reminder as ReminderAdmin lists it: with the outcome of its latest delivery.
    ListedReminder: TypeAlias = WithAnnotations[Reminder, _LastDelivery]


class LastDeliveryFilter(admin.SimpleListFilter):
    title = "last delivery"
    parameter_name = "last_delivery"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Reminder]) -> list[tuple[str, str]]:
        return ReminderDelivery.Outcome.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[ListedReminder]) -> QuerySet[ListedReminder]:
        return queryset.filter(last_delivery_outcome=self.value()) if self.value() else queryset


class ReminderForm(forms.ModelForm[Reminder]):
    """What staff may change, checked by the service that saves it: a rule, or a channel that
    allows fewer repeats, is refused with the reason the API gives."""

    class Meta:
        model = Reminder
        fields = ["text", "channel", "rrule"]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        try:
            services.reminder_update_validate(
                reminder=self.instance, rrule=self.changed("rrule"), channel=self.changed("channel")
            )
        except ServiceError as error:
            for name, reasons in error.fields.items():
                self.add_error(name if name in self.fields else None, reasons)
        return cleaned

    def changed(self, name: str) -> Any:
        """The new value of a field staff changed (and that is valid), else UNSET."""
        return self.cleaned_data[name] if name in self.changed_data and name in self.cleaned_data else UNSET


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin[Reminder]):
    form = ReminderForm
    list_display = [
        "text",
        "user",
        "status",
        "channel",
        "fire_at",
        "rrule",
        "sent_at",
        "attempts",
        "last_delivery",
    ]
    list_filter = ["status", "channel", LastDeliveryFilter, ("fire_at", admin.DateFieldListFilter)]
    search_fields = ["text", "user__email"]
    list_select_related = ["user"]
    # Schedules change through the services (the API, chat, the actions below), which keep
    # fire_at consistent; here staff can correct the wording, the channel or the rule, saved by
    # reminder_update.
    fields = (
        "user",
        "text",
        "channel",
        "status",
        "due_at",
        "timezone",
        "rrule",
        "starts_at",
        "snoozed_until",
        "fire_at",
        "sent_at",
        "attempts",
        "last_error",
        "all_deliveries",
        "created_at",
        "updated_at",
    )
    readonly_fields = tuple(name for name in fields if name not in ReminderForm.Meta.fields)
    inlines = [ReminderDeliveryInline]
    actions = ["send_now", "snooze_ten_minutes", "cancel"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ListedReminder]:
        # The outcome of the latest occurrence on the reminder's channel (not its chat fallback).
        last = ReminderDelivery.objects.filter(reminder=OuterRef("pk"), fallback_for__isnull=True)
        outcome = Subquery(last.order_by("-occurrence", "-id").values("outcome")[:1])
        return super().get_queryset(request).annotate(last_delivery_outcome=outcome)

    def get_formset_kwargs(
        self,
        request: HttpRequest,
        obj: Reminder,
        inline: admin.options.InlineModelAdmin[Any, Reminder],
        prefix: str,
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, ReminderDeliveryInline):
            latest = ReminderDelivery.objects.filter(reminder=obj).order_by("-occurrence", "-id")
            kwargs["queryset"] = kwargs["queryset"].filter(pk__in=latest.values("pk")[:INLINE_DELIVERIES])
        return kwargs

    @admin.display(description="last delivery", ordering="last_delivery_outcome")
    def last_delivery(self, reminder: ListedReminder) -> str:
        outcome = reminder.last_delivery_outcome
        return ReminderDelivery.Outcome(outcome).label if outcome else "-"

    @admin.display(description="deliveries")
    def all_deliveries(self, reminder: Reminder) -> str:
        url = reverse("admin:planner_reminderdelivery_changelist") + f"?reminder__id__exact={reminder.pk}"
        return format_html('<a href="{}">All deliveries of this reminder</a>', url)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Reminder, form: ReminderForm, change: bool) -> None:
        services.reminder_update(
            reminder=obj,
            text=form.changed("text"),
            channel=form.changed("channel"),
            rrule=form.changed("rrule"),
        )

    @admin.action(description="Send now")
    def send_now(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> None:
        result = services.reminders_send_now(reminder_ids=list(queryset.values_list("pk", flat=True)))
        level = messages.SUCCESS if not (result.retried or result.failed) else messages.WARNING
        self.message_user(
            request, f"Sent {result.sent}; to retry {result.retried}; failed {result.failed}.", level
        )

    @admin.action(description="Snooze 10 minutes")
    def snooze_ten_minutes(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> None:
        snoozed = 0
        for reminder in queryset.exclude(status=Reminder.Status.CANCELLED):
            services.reminder_snooze(reminder=reminder, minutes=10)
            snoozed += 1
        self.message_user(request, f"Snoozed {snoozed} reminder(s) for 10 minutes.", messages.SUCCESS)

    @admin.action(description="Cancel")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> None:
        for reminder in queryset.exclude(status=Reminder.Status.CANCELLED):
            services.reminder_cancel(reminder=reminder)
        self.message_user(request, "Cancelled.", messages.SUCCESS)
