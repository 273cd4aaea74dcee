"""Todos, reminders and the agenda over REST. Views validate, call a service, shape output."""

from typing import Any, TypeVar, cast

from django.db.models import Model, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assistant.core.api import CheckedInput, ModelOutput, Pagination, error_responses, validated
from assistant.core.unset import UNSET
from assistant.planner import selectors, services
from assistant.planner.agenda import AgendaEntry
from assistant.planner.models import Reminder, ReminderDelivery, Todo
from assistant.planner.selectors import Agenda
from assistant.users.access import request_user

_M = TypeVar("_M", bound=Model)

# --- Todos ---------------------------------------------------------------------------------


class TodoOutput(ModelOutput[Todo]):
    class Meta:
        model = Todo
        fields = [
            "id",
            "title",
            "notes",
            "due_date",
            "priority",
            "status",
            "completed_at",
            "position",
            "created_at",
        ]
        read_only_fields = fields


class TodoInput(serializers.Serializer[None]):
    title = serializers.CharField(max_length=200)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Todo.Priority.choices, required=False)
    status = serializers.ChoiceField(choices=Todo.Status.choices, required=False)
    # The column is a PositiveIntegerField: past its maximum PostgreSQL refuses the write (a 500).
    position = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False)


class TodoFilter(CheckedInput[None]):
    status = serializers.ChoiceField(choices=Todo.Status.choices, required=False)
    due_before = serializers.DateField(required=False, help_text="Due on or before this date.")
    due_after = serializers.DateField(required=False, help_text="Due on or after this date.")


class _OwnRowsViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[_M],
):
    """List, read and delete the caller's own rows; writes go through the app's services."""

    model: type[_M]
    input_serializer: type[serializers.Serializer[None]]

    def get_queryset(self) -> QuerySet[_M]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return self.model._default_manager.none()
        return self.rows()

    def rows(self) -> QuerySet[_M]:
        raise NotImplementedError

    def _valid_input(self, *, partial: bool = False) -> dict[str, Any]:
        return validated(self.input_serializer, self.request.data, partial=partial)

    def _output(self, instance: object, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(instance).data, status=code)


CRUD_ERRORS = {
    "list": error_responses(400, 401, 404),
    "retrieve": error_responses(401, 404),
    "create": error_responses(400, 401),
    "partial_update": error_responses(400, 401, 404),
    "destroy": error_responses(401, 404),
}


@extend_schema_view(
    list=extend_schema(
        summary="Your todos",
        parameters=[TodoFilter],
        responses={200: TodoOutput(many=True), **CRUD_ERRORS["list"]},
    ),
    retrieve=extend_schema(summary="One todo", responses={200: TodoOutput, **CRUD_ERRORS["retrieve"]}),
    create=extend_schema(
        summary="Add a todo", request=TodoInput, responses={201: TodoOutput, **CRUD_ERRORS["create"]}
    ),
    partial_update=extend_schema(
        summary="Change a todo (status=done completes it)",
        request=TodoInput(partial=True),
        responses={200: TodoOutput, **CRUD_ERRORS["partial_update"]},
    ),
    destroy=extend_schema(summary="Delete a todo", responses={204: None, **CRUD_ERRORS["destroy"]}),
)
@extend_schema(tags=["todos"])
class TodoViewSet(_OwnRowsViewSet[Todo]):
    model = Todo
    serializer_class = TodoOutput
    input_serializer = TodoInput
    http_method_names = ["get", "post", "patch", "delete"]

    def rows(self) -> QuerySet[Todo]:
        filters = validated(TodoFilter, self.request.query_params) if self.action == "list" else {}
        return selectors.todos_for_user(user=request_user(self.request), **filters)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The list as the app opens it, on every refresh: its first page through a compiled read.
        user = request_user(request)
        paginator = cast(Pagination, self.paginator)
        rows = paginator.first_page(
            request, lambda count: selectors.first_todos(user=user, count=count), self.get_queryset
        )
        if rows is None:
            return super().list(request, *args, **kwargs)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def create(self, request: Request) -> Response:
        data = self._valid_input()
        data.pop("position", None)
        todo_status = data.pop("status", None)
        todo = services.todo_create(user=request_user(request), **data)
        if todo_status == Todo.Status.DONE:
            services.todo_complete(todo=todo)
        return self._output(todo, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        todo = self.get_object()
        changes = self._valid_input(partial=True)
        todo = services.todo_update(
            todo=todo,
            title=changes.get("title", UNSET),
            notes=changes.get("notes", UNSET),
            due_date=changes.get("due_date", UNSET),
            priority=changes.get("priority", UNSET),
            position=changes.get("position", UNSET),
            status=changes.get("status", UNSET),
        )
        return self._output(todo)

    def perform_destroy(self, instance: Todo) -> None:
        services.todo_delete(todo=instance)


# --- Reminders -----------------------------------------------------------------------------


class ReminderDeliveryOutput(ModelOutput[ReminderDelivery]):
    occurrence = serializers.DateTimeField(read_only=True, help_text="The due time or snooze it was for.")
    outcome = serializers.ChoiceField(
        choices=ReminderDelivery.Outcome.choices,
        read_only=True,
        help_text="queued (SMS in our outbox), sent (Twilio took it), delivered, failed (see reason), "
        "failed_over (not delivered on this channel: sent by chat instead).",
    )
    reason = serializers.CharField(read_only=True, help_text="Why it failed, when it did.")
    fallback_for = serializers.PrimaryKeyRelatedField[ReminderDelivery](
        read_only=True, allow_null=True, help_text="For a chat fallback: the delivery that failed over to it."
    )

    class Meta:
        model = ReminderDelivery
        fields = [
            "id",
            "occurrence",
            "channel",
            "outcome",
            "reason",
            "fallback_for",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LastDeliveryOutput(ReminderDeliveryOutput):
    fallback = ReminderDeliveryOutput(
        allow_null=True, help_text="The chat delivery it failed over to (outcome failed_over), else null."
    )

    class Meta(ReminderDeliveryOutput.Meta):
        fields = [*ReminderDeliveryOutput.Meta.fields, "fallback"]
        read_only_fields = fields


class ReminderOutput(ModelOutput[Reminder]):
    last_delivery = serializers.SerializerMethodField(
        help_text="What became of the latest occurrence (null before the first)."
    )

    class Meta:
        model = Reminder
        fields = [
            "id",
            "text",
            "due_at",
            "timezone",
            "rrule",
            "channel",
            "status",
            "snoozed_until",
            "sent_at",
            "attempts",
            "last_error",
            "last_delivery",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(LastDeliveryOutput(allow_null=True))
    def get_last_delivery(self, reminder: Reminder) -> dict[str, Any] | None:
        last = selectors.reminder_last_delivery(reminder=reminder)
        if last is None:
            return None
        fallback = ReminderDeliveryOutput(last.fallback).data if last.fallback else None
        return {**ReminderDeliveryOutput(last.delivery).data, "fallback": fallback}


class ReminderInput(serializers.Serializer[None]):
    text = serializers.CharField(max_length=200)
    due_at = serializers.DateTimeField(help_text="When (the first time), with its UTC offset.")
    rrule = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=(
            "RFC 5545 RRULE in your local time, e.g. FREQ=DAILY;BYHOUR=8;BYMINUTE=0. The rule only: no "
            "DTSTART or other property; FREQ from MINUTELY to YEARLY with INTERVAL, COUNT, UNTIL, BYDAY, "
            "BYMONTHDAY, BYMONTH, BYHOUR, BYMINUTE, BYSETPOS, WKST. It may repeat at most every 15 minutes "
            "on chat and every hour by SMS (configurable) and must occur within two years of due_at."
        ),
    )
    channel = serializers.ChoiceField(choices=Reminder.Channel.choices, required=False)


class ReminderFilter(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=Reminder.Status.choices, required=False)
    due_before = serializers.DateTimeField(required=False)
    due_after = serializers.DateTimeField(required=False)


class SnoozeInput(serializers.Serializer[None]):
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, default=10)


@extend_schema_view(
    list=extend_schema(
        summary="Your reminders",
        parameters=[ReminderFilter],
        responses={200: ReminderOutput(many=True), **CRUD_ERRORS["list"]},
    ),
    retrieve=extend_schema(
        summary="One reminder", responses={200: ReminderOutput, **CRUD_ERRORS["retrieve"]}
    ),
    create=extend_schema(
        summary="Schedule a reminder",
        request=ReminderInput,
        responses={201: ReminderOutput, **CRUD_ERRORS["create"]},
    ),
    partial_update=extend_schema(
        summary="Change a reminder",
        request=ReminderInput(partial=True),
        responses={200: ReminderOutput, **CRUD_ERRORS["partial_update"]},
    ),
    destroy=extend_schema(summary="Cancel a reminder", responses={204: None, **CRUD_ERRORS["destroy"]}),
)
@extend_schema(tags=["reminders"])
class ReminderViewSet(_OwnRowsViewSet[Reminder]):
    model = Reminder
    serializer_class = ReminderOutput
    input_serializer = ReminderInput
    http_method_names = ["get", "post", "patch", "delete"]

    def rows(self) -> QuerySet[Reminder]:
        filters = validated(ReminderFilter, self.request.query_params) if self.action == "list" else {}
        reminders = selectors.reminders_for_user(user=request_user(self.request), **filters)
        return selectors.reminders_with_last_delivery(reminders=reminders)

    def create(self, request: Request) -> Response:
        reminder = services.reminder_create(user=request_user(request), **self._valid_input())
        return self._output(reminder, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        reminder = self.get_object()
        changes = self._valid_input(partial=True)
        reminder = services.reminder_update(
            reminder=reminder,
            text=changes.get("text", UNSET),
            due_at=changes.get("due_at", UNSET),
            rrule=changes.get("rrule", UNSET),
            channel=changes.get("channel", UNSET),
        )
        return self._output(reminder)

    def perform_destroy(self, instance: Reminder) -> None:
        services.reminder_cancel(reminder=instance)

    @extend_schema(
        summary="Snooze a reminder",
        request=SnoozeInput,
        responses={200: ReminderOutput, **error_responses(400, 401, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def snooze(self, request: Request, pk: str) -> Response:
        minutes = validated(SnoozeInput, request.data)["minutes"]
        reminder = services.reminder_snooze(reminder=self.get_object(), minutes=minutes)
        return self._output(reminder)

    @extend_schema(
        summary="What became of each occurrence of a reminder, on each channel",
        responses={200: ReminderDeliveryOutput(many=True), **error_responses(401, 404)},
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        page = self.paginate_queryset(selectors.reminder_deliveries(reminder=self.get_object()))
        return self.get_paginated_response(ReminderDeliveryOutput(page, many=True).data)


# --- Agenda --------------------------------------------------------------------------------


class AgendaEventOutput(serializers.Serializer[AgendaEntry]):
    # A field named like Field.source: the serializer's metaclass takes it off the class.
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="The connected calendar it comes from (google, microsoft)."
    )
    title = serializers.CharField()
    starts_at = serializers.DateTimeField(help_text="All-day events: midnight of their first day, your time.")
    ends_at = serializers.DateTimeField()
    all_day = serializers.BooleanField()
    location = serializers.CharField()
    url = serializers.CharField(help_text="The event at the provider (may be empty).")


class AgendaTaskOutput(serializers.Serializer[AgendaEntry]):
    source = serializers.CharField(help_text="The tool it comes from (microsoft, notion).")  # type: ignore[assignment]
    title = serializers.CharField()
    due_date = serializers.DateField()
    url = serializers.CharField()


class AgendaOutput(serializers.Serializer[Agenda]):
    start = serializers.DateTimeField(help_text="Start of the first day in your time zone.")
    end = serializers.DateTimeField()
    reminders = ReminderOutput(many=True)
    todos = TodoOutput(many=True, help_text="Open todos due by the last day, or overdue.")
    events = AgendaEventOutput(many=True, help_text="Calendar events not yet over, from connected calendars.")
    tasks = AgendaTaskOutput(many=True, help_text="Open tasks from connected tools, due by the last day.")


# day: (days ahead, number of days)
_AGENDA_SPANS = {"today": (0, 1), "tomorrow": (1, 1), "week": (0, 7)}


class AgendaFilter(serializers.Serializer[None]):
    day = serializers.ChoiceField(
        choices=list(_AGENDA_SPANS), default="today", help_text="today, tomorrow, or the 7 days from today"
    )


class AgendaView(APIView):
    @extend_schema(
        tags=["agenda"],
        summary="What's on today, tomorrow or this week, in your time zone",
        parameters=[AgendaFilter],
        responses={200: AgendaOutput, **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        days_ahead, days = _AGENDA_SPANS[validated(AgendaFilter, request.query_params)["day"]]
        agenda = services.agenda_read(
            user=request_user(request), now=timezone.now(), days_ahead=days_ahead, days=days
        )
        return Response(AgendaOutput(agenda).data)
