"""Chat metrics. Labels take the values declared at the end of this module; every combination
exists at 0 from process start on, so the first message counts in rate() and increase()."""

from prometheus_client import Counter, Histogram

from assistant.chat.engine.types import IntentName
from assistant.core.metric_labels import label_values

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

label_values(chat_message_total, channel=("api", "sms"), direction=("in", "out"))
label_values(assistant_intent_total, intent=[intent.value for intent in IntentName])
