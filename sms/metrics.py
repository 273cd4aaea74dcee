"""SMS metrics (the monitoring guide's SMS dashboard). Labels take the values declared beside
each metric, every combination at 0 from process start on; never a phone number."""

from enum import StrEnum

from prometheus_client import Counter, Gauge, Histogram

from assistant.core.metric_labels import label_values

sms_received_total = Counter(
    "sms_received_total",
    "Inbound SMS webhooks, by result "
    "(routed, unknown_sender, duplicate, forged, opted_out, keyword, invalid, inactive).",
    ["result"],
)
sms_sent_total = Counter(
    "sms_sent_total",
    "Outbound SMS send attempts, by status (sent, retry, failed, refused_opted_out, twiml).",
    ["status"],
)
sms_delivery_status_total = Counter(
    "sms_delivery_status_total",
    "Status callbacks applied, by status (sent, delivered, undelivered, failed, ignored).",
    ["status"],
)
sms_segments_total = Counter(
    "sms_segments_total", "SMS segments, by direction (inbound, outbound).", ["direction"]
)
sms_cost_usd_total = Counter(
    "sms_cost_usd_total", "Cost of outbound SMS in US dollars: Twilio's price, else the rate-table estimate."
)
sms_routing_duration_seconds = Histogram(
    "sms_routing_duration_seconds",
    "Time from an inbound webhook arriving to its TwiML answer.",
    buckets=(0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
sms_outbox_pending = Gauge(
    "sms_outbox_pending",
    "Outbound SMS waiting in the outbox (queued or sending), as last counted by the sweep.",
    multiprocess_mode="mostrecent",
)


class Cap(StrEnum):
    """The caps sms/caps.py enforces: the `cap` label of sms_cap_refused_total."""

    VERIFICATION_NUMBER_HOUR = "verification_number_hour"
    VERIFICATION_NUMBER_DAY = "verification_number_day"
    VERIFICATION_ACCOUNT_DAY = "verification_account_day"
    USER_DAY = "user_day"
    DAILY_SPEND = "daily_spend"


sms_cap_refused_total = Counter(
    "sms_cap_refused_total",
    "SMS refused because a cap was reached, by cap (verification_number_hour, verification_number_day, "
    "verification_account_day, user_day, daily_spend).",
    ["cap"],
)
label_values(sms_cap_refused_total, cap=[cap.value for cap in Cap])
label_values(
    sms_received_total,
    result=("routed", "unknown_sender", "duplicate", "forged", "opted_out", "keyword", "invalid", "inactive"),
)
label_values(sms_sent_total, status=("sent", "retry", "failed", "refused_opted_out", "twiml"))
label_values(sms_delivery_status_total, status=("sent", "delivered", "undelivered", "failed", "ignored"))
label_values(sms_segments_total, direction=("inbound", "outbound"))
