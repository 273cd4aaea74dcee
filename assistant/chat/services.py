"""Writes for conversations: a message in, the assistant's reply out, whatever the channel.

The engine reads the message with what the conversation knows: the person's language, and the
question the assistant asked last (kept a few minutes, so that "8am" or "yes" answers it). The
reply is written in the language the message was read in; a person whose language is not known
yet gets it from their first messages.
"""

import logging
import time
from contextlib import nullcontext
from dataclasses import replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django_prometheus.models import model_inserts

from assistant.chat import metrics
from assistant.chat.engine import EngineContext, Intent, IntentName, Pending, Problem, language_of, parse
from assistant.chat.intents import READ_ONLY_INTENTS, Outcome, Turn, intent_apply
from assistant.chat.models import Channel, Conversation, Message
from assistant.core.compiled import compiled_read
from assistant.core.inserts import insert_sql, inserted
from assistant.core.retention import retention_batch
from assistant.planner import selectors as planner_selectors
from assistant.planner.metrics import feature_usage_total
from assistant.planner.models import Todo
from assistant.planner.notifications import Notification
from assistant.users.models import User

logger = logging.getLogger(__name__)
# Open todos the engine may match a name against ("I paid the rent"): the first ones shown.
OPEN_TODOS_FOR_NAMES = 50


@compiled_read
def _conversations(user_id: int, channel: str) -> QuerySet[Conversation]:
    """Read on every message: compiled once (assistant/core/compiled.py)."""
    return Conversation.objects.filter(user_id=user_id, channel=channel)


def conversation_for(*, user: User, channel: str) -> Conversation:
    for conversation in _conversations(user.pk, channel):
        return conversation
    # The first message on this channel; get_or_create, should another request create it first.
    conversation, _ = Conversation.objects.get_or_create(user=user, channel=channel)
    return conversation


def _count(channel: str, direction: str) -> None:
    transaction.on_commit(metrics.chat_message_total.labels(channel=channel, direction=direction).inc)


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment else None


def _question_asked(conversation: Conversation, now: datetime) -> Pending | None:
    """The question still waiting for an answer in this conversation, if it has not expired."""
    data = conversation.pending
    if not data or conversation.pending_until is None or conversation.pending_until <= now:
        return None
    return Pending(
        problem=Problem(data["problem"]),
        text=data.get("text", ""),
        due_at=datetime.fromisoformat(data["due_at"]) if data.get("due_at") else None,
        rrule=data.get("rrule"),
        options=tuple(datetime.fromisoformat(option) for option in data.get("options", ())),
        day=date.fromisoformat(data["day"]) if data.get("day") else None,
    )


def _needs_open_todos(intent: Intent) -> bool:
    """Whether a name in the message may be one of the person's todos ("done with the rent",
    "I paid the rent"): only then are their titles read, and the message read again with them."""
    named = intent.name in (IntentName.COMPLETE_TODO, IntentName.DELETE_TODO) and isinstance(intent.ref, str)
    return named or intent.name == IntentName.UNKNOWN


def _read(user: User, conversation: Conversation, text: str, now: datetime) -> Intent:
    context = EngineContext(
        now=now,
        timezone=user.timezone,
        language=user.language or None,
        pending=_question_asked(conversation, now),
    )
    intent = parse(text, context)
    if _needs_open_todos(intent):
        titles = planner_selectors.todos_for_user(user=user, status=Todo.Status.OPEN).values_list(
            "title", flat=True
        )
        intent = parse(text, replace(context, open_todos=tuple(titles[:OPEN_TODOS_FOR_NAMES])))
    return intent


def _remember(conversation: Conversation, intent: Intent, outcome: Outcome, now: datetime) -> None:
    """Keep the question just asked (or forget the one answered) and what "undo" would take
    back, in one write, and only when one of them changed."""
    changed: list[str] = []
    if intent.name == IntentName.CLARIFY:
        conversation.pending = {
            "problem": intent.problem,
            "text": intent.text,
            "due_at": _iso(intent.due_at),
            "rrule": intent.rrule,
            "options": [option.isoformat() for option in intent.options],
            "day": _iso(intent.due_date),
        }
        conversation.pending_until = now + timedelta(seconds=settings.CHAT_CLARIFICATION_TTL_SECONDS)
        changed += ["pending", "pending_until"]
    elif conversation.pending:
        conversation.pending, conversation.pending_until = {}, None
        changed += ["pending", "pending_until"]
    if outcome.action is not None or (intent.name == IntentName.UNDO and conversation.last_action):
        conversation.last_action = outcome.action or {}  # an undo cannot itself be undone
        changed.append("last_action")
    if changed:
        conversation.save(update_fields=[*changed, "updated_at"])


def _exchange_insert(inbound: Message, reply: Message) -> None:
    """Insert the message and the reply to it: on PostgreSQL in one statement (the reply takes
    the message's id from the WITH's RETURNING), elsewhere in two."""
    if connection.vendor != "postgresql":
        inbound.save(force_insert=True)
        reply.in_reply_to = inbound
        reply.save(force_insert=True)
        return
    quote = connection.ops.quote_name
    message_sql, message_params = insert_sql(inbound)
    reply_sql, reply_params = insert_sql(
        reply,
        expressions={"in_reply_to_id": f"(SELECT {quote('id')} FROM sent)"},  # noqa: S608 (no value in it)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH sent AS ({message_sql} RETURNING {quote('id')}) "
            f"{reply_sql} RETURNING {quote('in_reply_to_id')}, {quote('id')}",
            [*message_params, *reply_params],
        )
        message_id, reply_id = cursor.fetchone()
    inserted(inbound, message_id)
    inserted(reply, reply_id)
    reply.in_reply_to = inbound
    # What the model's ExportModelOperationsMixin counts for inserts made through the ORM.
    model_inserts.labels("message").inc(2)


def _answer(
    user: User, conversation: Conversation, intent: Intent, inbound: Message, now: datetime
) -> Message:
    if not user.language and (language := language_of(inbound.text)):  # a new person's, from their words
        user.language = language
        user.save(update_fields=["language"])
    with translation.override(intent.language):
        outcome = intent_apply(turn=Turn(user=user, conversation=conversation, intent=intent, now=now))
    _remember(conversation, intent, outcome, now)
    reply = Message(
        conversation=conversation,
        direction=Message.Direction.OUTBOUND,
        text=outcome.reply,
        intent=intent.name,
    )
    _exchange_insert(inbound, reply)
    return reply


def chat_message_handle(
    *, user: User, text: str, channel: str, conversation: Conversation | None = None
) -> Message:
    """Store the user's message, act on it, and store and return the assistant's reply.
    `conversation`: the user's on `channel`, when the caller read it already (a statement fewer)."""
    started = time.perf_counter()
    now = timezone.now()
    text = text[: settings.CHAT_MESSAGE_MAX_LENGTH]
    if conversation is None:
        conversation = conversation_for(user=user, channel=channel)
    intent = _read(user, conversation, text, now)
    inbound = Message(
        conversation=conversation, direction=Message.Direction.INBOUND, text=text, intent=intent.name
    )
    # A question ("what is next?") writes nothing but its two messages, in one statement on
    # PostgreSQL: it needs no transaction, whose BEGIN and COMMIT would be two round trips more.
    # Anything else keeps the message, what it did and the reply together. No savepoint: no
    # caller catches its errors to go on in the same transaction (the SMS webhook's rolls back
    # whole), and a savepoint costs two statements.
    only_reads = intent.name in READ_ONLY_INTENTS and not conversation.pending and user.language
    with nullcontext() if only_reads else transaction.atomic(savepoint=False):
        reply = _answer(user, conversation, intent, inbound, now)
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


def chat_messages_purge(*, before: datetime, limit: int) -> int:
    """Delete a batch of messages written before `before` (data retention). A message is what a
    person told us about their days, or our answer: nothing needs it once it is old, so the row
    goes rather than its text alone. A newer reply to it stays, answering nothing; the
    conversation stays too, as it holds only what the next message needs."""
    _, deleted = retention_batch(Message.objects.filter(created_at__lt=before), limit=limit).delete()
    return deleted.get(Message._meta.label, 0)
