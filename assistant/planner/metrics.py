"""Todo and reminder metrics. Label values come from the fixed sets in each help text."""

from prometheus_client import Counter, Histogram

from assistant.core.recurrence import RecurrenceBudgetExceeded, RecurrenceError, RecurrenceNeverOccurs

todo_created_total = Counter("todo_created_total", "Todos created (API, chat, admin).")
todo_completed_total = Counter("todo_completed_total", "Todos marked done.")
reminder_created_total = Counter(
    "reminder_created_total", "Reminders created, by kind (once, recurring, event_nudge).", ["kind"]
)
reminder_sent_total = Counter(
    "reminder_sent_total",
    "Reminders handed over, by channel (chat, sms) and result (sent, retry, failed): sent when the "
    "channel took it (chat: stored; sms: accepted by Twilio), failed when it never will.",
    ["channel", "result"],
)
DELIVERY_CHANNELS = ("chat", "sms")
DELIVERY_OUTCOMES = ("queued", "sent", "delivered", "failed", "failed_over")
reminder_delivery_total = Counter(
    "reminder_delivery_total",
    "Reminder deliveries (one per occurrence and channel) reaching an outcome, by channel "
    "(chat, sms) and outcome (queued, sent, delivered, failed, failed_over).",
    ["channel", "outcome"],
)
for _channel in DELIVERY_CHANNELS:
    for _outcome in DELIVERY_OUTCOMES:
        reminder_delivery_total.labels(channel=_channel, outcome=_outcome)
reminder_delivery_lag_seconds = Histogram(
    "reminder_delivery_lag_seconds",
    "How late a reminder went out: sent_at minus the time it was due (or snoozed to).",
    buckets=(0.5, 1, 2.5, 5, 10, 15, 30, 45, 60, 120, 300, 600, 1800, 3600),
)
reminder_dispatch_duration_seconds = Histogram(
    "reminder_dispatch_duration_seconds",
    "Duration of one dispatcher run (claiming and delivering due reminders).",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
feature_usage_total = Counter(
    "feature_usage_total",
    "Uses of a product feature, by feature (todos, reminders, recurring_reminders, snooze, agenda, chat).",
    ["feature"],
)
reminder_recurrence_failed_total = Counter(
    "reminder_recurrence_failed_total",
    "Recurring reminders stopped (marked failed) by the dispatcher because their rule could not be "
    "followed, by reason (invalid, never_occurs, budget).",
    ["reason"],
)
for _error in (RecurrenceError, RecurrenceNeverOccurs, RecurrenceBudgetExceeded):
    reminder_recurrence_failed_total.labels(reason=_error.kind)
