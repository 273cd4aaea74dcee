"""Chat's share of a person's export and erasure (see assistant/users/data_rights.py)."""

from assistant.chat.models import Conversation, Message
from assistant.users.data_rights import DataRightsPart, Section
from assistant.users.models import User


def _export(user: User) -> Section:
    messages: dict[int, list[Section]] = {}
    for message in Message.objects.filter(conversation__user=user).order_by("created_at", "id"):
        messages.setdefault(message.conversation_id, []).append(
            {
                "direction": message.direction,
                "text": message.text,
                "intent": message.intent,
                "created_at": message.created_at.isoformat(),
            }
        )
    return {
        "conversations": [
            {
                "channel": conversation.channel,
                "created_at": conversation.created_at.isoformat(),
                "messages": messages.get(conversation.pk, []),
            }
            for conversation in Conversation.objects.filter(user=user).order_by("created_at", "id")
        ]
    }


def _erase(user: User) -> Section:
    deleted = Conversation.objects.filter(user=user).delete()[1]
    return {
        "conversations": deleted.get(Conversation._meta.label, 0),
        "messages": deleted.get(Message._meta.label, 0),
    }


PART = DataRightsPart(
    name="chat",
    export=_export,
    erase=_erase,
    exported=("chat.conversation", "chat.message"),
)
