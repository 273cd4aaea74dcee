from django.db.models import QuerySet

from assistant.chat.models import Message
from assistant.users.models import User


def messages_for_user(*, user: User, channel: str | None = None) -> QuerySet[Message]:
    """The user's conversation history, newest first."""
    messages = Message.objects.filter(conversation__user=user)
    if channel:
        messages = messages.filter(conversation__channel=channel)
    return messages.select_related("conversation").order_by("-created_at", "-id")
