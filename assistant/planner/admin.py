from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from assistant.core.errors import ServiceError
from assistant.planner import services
from assistant.planner.models import Reminder, Todo


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin):
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


class ReminderForm(forms.ModelForm):
    """What staff may change, checked by the service that saves it: a rule, or a channel that
    allows fewer repeats, is refused with the reason the API gives."""

    class Meta:
        model = Reminder
        fields = ["text", "channel", "rrule"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            services.reminder_update_validate(reminder=self.instance, changes=self.changes())
        except ServiceError as error:
            for name, reasons in error.fields.items():
                self.add_error(name if name in self.fields else None, reasons)
        return cleaned

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    form = ReminderForm
    list_display = ["text", "user", "status", "channel", "fire_at", "rrule", "sent_at", "attempts"]
    list_filter = ["status", "channel", ("fire_at", admin.DateFieldListFilter)]
    search_fields = ["text", "user__email"]
    list_select_related = ["user"]
    # Schedules change through the services (the API, chat, the actions below), which keep
    # fire_at consistent; here staff can correct the wording, the channel or the rule, saved by
    # reminder_update.
    fields = [
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
        "created_at",
        "updated_at",
    ]
    readonly_fields = [name for name in fields if name not in ReminderForm.Meta.fields]
    actions = ["send_now", "snooze_ten_minutes", "cancel"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Reminder, form: ReminderForm, change: bool) -> None:
        services.reminder_update(reminder=obj, **form.changes())

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
