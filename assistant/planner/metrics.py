"""Todo and reminder metrics. Labels take the values declared beside each metric; every
combination exists at 0 from process start on (assistant/core/metric_labels.py)."""

from prometheus_client import Counter, Histogram

from assistant.core.metric_labels import label_values
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
label_values(reminder_delivery_total, channel=DELIVERY_CHANNELS, outcome=DELIVERY_OUTCOMES)
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
label_values(
    reminder_recurrence_failed_total,
    reason=[error.kind for error in (RecurrenceError, RecurrenceNeverOccurs, RecurrenceBudgetExceeded)],
)
label_values(reminder_created_total, kind=("once", "recurring", "event_nudge"))
label_values(reminder_sent_total, channel=DELIVERY_CHANNELS, result=("sent", "retry", "failed"))
label_values(
    feature_usage_total, feature=("todos", "reminders", "recurring_reminders", "snooze", "agenda", "chat")
)
