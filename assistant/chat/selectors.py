from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, QuerySet

from assistant.chat.models import Channel, Message
from assistant.users.models import User


def messages_for_user(*, user: User, channel: str | None = None) -> QuerySet[Message]:
    """The user's conversation history, newest first."""
    messages = Message.objects.filter(conversation__user=user)
    if channel:
        messages = messages.filter(conversation__channel=channel)
    return messages.select_related("conversation").order_by("-created_at", "-id")


@dataclass(frozen=True)
class LastInbound:
    """When each user last wrote to the assistant (user id -> time), per chat channel."""

    api: dict[int, datetime]
    sms: dict[int, datetime]


def inbound_last_by_channel(*, since: datetime) -> LastInbound:
    """Everyone who wrote to the assistant since `since`, by API and by SMS: one query, a row
    per user and channel."""
    by_channel: dict[str, dict[int, datetime]] = {channel: {} for channel in Channel.values}
    rows = (
        Message.objects.filter(direction=Message.Direction.INBOUND, created_at__gte=since)
        .values_list("conversation__user_id", "conversation__channel")
        .annotate(last=Max("created_at"))
    )
    for user, channel, last in rows.order_by():
        by_channel[channel][user] = last
    return LastInbound(api=by_channel[Channel.API], sms=by_channel[Channel.SMS])
