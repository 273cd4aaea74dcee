"""Writes for conversations: a message in, the assistant's reply out, whatever the channel."""

import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assistant.chat import metrics
from assistant.chat.engine import EngineContext, parse
from assistant.chat.intents import intent_apply
from assistant.chat.models import Channel, Conversation, Message
from assistant.planner.metrics import feature_usage_total
from assistant.users.models import User

logger = logging.getLogger(__name__)


def conversation_for(*, user: User, channel: str) -> Conversation:
    conversation, _ = Conversation.objects.get_or_create(user=user, channel=channel)
    return conversation


def _count(channel: str, direction: str) -> None:
    transaction.on_commit(metrics.chat_message_total.labels(channel=channel, direction=direction).inc)


@transaction.atomic
def chat_message_handle(*, user: User, text: str, channel: str) -> Message:
    """Store the user's message, act on it, and store and return the assistant's reply."""
    started = time.perf_counter()
    now = timezone.now()
    text = text[: settings.CHAT_MESSAGE_MAX_LENGTH]
    conversation = conversation_for(user=user, channel=channel)
    intent = parse(text, EngineContext(now=now, timezone=user.timezone))
    inbound = Message.objects.create(
        conversation=conversation, direction=Message.Direction.INBOUND, text=text, intent=intent.name
    )
    reply = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUTBOUND,
        text=intent_apply(user=user, conversation=conversation, intent=intent, now=now),
        in_reply_to=inbound,
        intent=intent.name,
    )
    _count(channel, "in")
    _count(channel, "out")
    transaction.on_commit(metrics.assistant_intent_total.labels(intent=intent.name).inc)
    transaction.on_commit(feature_usage_total.labels(feature="chat").inc)
    duration = time.perf_counter() - started
    metrics.chat_message_handle_duration_seconds.observe(duration)
    logger.info(
        "chat message handled",
        extra={
            "event": "chat_message",
            "channel": channel,
            "intent": intent.name,
            "language": intent.language,
            "duration_ms": round(duration * 1000, 2),
        },
    )
    return reply


def chat_notification_deliver(user: User, text: str) -> None:
    """The chat channel of the notification service: the assistant speaks first."""
    conversation = conversation_for(user=user, channel=Channel.API)
    Message.objects.create(conversation=conversation, direction=Message.Direction.OUTBOUND, text=text)
    _count(Channel.API, "out")
