"""Chat metrics. Label values come from the fixed sets in each help text; every combination
exists at 0 from import on, so the first message counts in rate() and increase()."""

from prometheus_client import Counter, Histogram

from assistant.chat.engine.types import IntentName

chat_message_total = Counter(
    "chat_message_total",
    "Chat messages stored, by channel (api, sms) and direction (in, out).",
    ["channel", "direction"],
)
assistant_intent_total = Counter(
    "assistant_intent_total",
    "Messages understood by the command engine, by intent (add_todo, list_todos, complete_todo, "
    "delete_todo, remind, list_reminders, snooze, cancel_reminder, agenda, clarify, undo, help, thanks, "
    "unknown).",
    ["intent"],
)
chat_message_handle_duration_seconds = Histogram(
    "chat_message_handle_duration_seconds",
    "Time to parse a message, apply its intent and store the reply.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
)

for _channel in ("api", "sms"):
    for _direction in ("in", "out"):
        chat_message_total.labels(channel=_channel, direction=_direction)
for _intent in IntentName:
    assistant_intent_total.labels(intent=_intent.value)
