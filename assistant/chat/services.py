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
from assistant.planner.notifications import Notification
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


def chat_notifications_deliver(notifications: list[Notification]) -> None:
    """The chat channel of the notification service: the assistant speaks first, to each
    user in their API conversation, in three statements whatever the batch size."""
    user_ids = sorted({notification.user.pk for notification in notifications})
    conversations = Conversation.objects.filter(user_id__in=user_ids, channel=Channel.API)
    by_user = {conversation.user_id: conversation for conversation in conversations}
    if missing := [user_id for user_id in user_ids if user_id not in by_user]:
        # In user order, and tolerant of a concurrent dispatcher creating the same ones.
        Conversation.objects.bulk_create(
            [Conversation(user_id=user_id, channel=Channel.API) for user_id in missing], ignore_conflicts=True
        )
        created = Conversation.objects.filter(user_id__in=missing, channel=Channel.API)
        by_user |= {conversation.user_id: conversation for conversation in created}
    Message.objects.bulk_create(
        Message(conversation=by_user[n.user.pk], direction=Message.Direction.OUTBOUND, text=n.text)
        for n in notifications
    )
    transaction.on_commit(
        lambda: metrics.chat_message_total.labels(channel=Channel.API, direction="out").inc(
            len(notifications)
        )
    )
