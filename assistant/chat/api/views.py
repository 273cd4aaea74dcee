from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from assistant.chat import selectors, services
from assistant.chat.models import Channel, Message
from assistant.core.api import CheckedInput, ModelOutput, error_responses, validated
from assistant.users.access import request_user


class MessageInput(CheckedInput[None]):
    text = serializers.CharField(max_length=5000, trim_whitespace=False, allow_blank=True)


class MessageOutput(ModelOutput[Message]):
    channel = serializers.CharField(source="conversation.channel")
    in_reply_to = serializers.PrimaryKeyRelatedField[Message](
        read_only=True,
        allow_null=True,
        help_text="The message this one answers; null for one the user sent "
        "or a reminder the assistant sent on its own.",
    )

    class Meta:
        model = Message
        fields = ["id", "channel", "direction", "text", "intent", "in_reply_to", "created_at"]
        read_only_fields = fields


class ExchangeOutput(serializers.Serializer[dict[str, Message | None]]):
    message = MessageOutput(help_text="What you sent, with the intent it was understood as.")
    reply = MessageOutput(help_text="The assistant's answer.")


class MessageFilter(CheckedInput[None]):
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


class MessagesView(ListAPIView[Message]):
    """Talk to the assistant; read the conversation."""

    serializer_class = MessageOutput

    def get_queryset(self) -> QuerySet[Message]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Message.objects.none()
        filters = validated(MessageFilter, self.request.query_params)
        return selectors.messages_for_user(user=request_user(self.request), channel=filters.get("channel"))

    @extend_schema(
        tags=["chat"],
        summary="Your conversation history, newest first",
        parameters=[MessageFilter],
        responses={200: MessageOutput(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["chat"],
        summary="Send the assistant a message",
        description='Write as you would by SMS: "add call the dentist", "remind me to take my meds '
        'every day at 8", "what\'s next?". English, French, Spanish and Portuguese.',
        request=MessageInput,
        responses={201: ExchangeOutput, **error_responses(400, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        text = validated(MessageInput, request.data)["text"]
        reply = services.chat_message_handle(user=request_user(request), text=text, channel=Channel.API)
        body = ExchangeOutput({"message": reply.in_reply_to, "reply": reply}).data
        return Response(body, status=status.HTTP_201_CREATED)
