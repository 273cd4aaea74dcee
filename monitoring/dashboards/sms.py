"""SMS: delivery, Twilio's API, cost, the inbound routing engine, and phone numbers."""

from assistant.core import thresholds
from monitoring.dashboards.base import DashboardSpec, Section
from monitoring.dashboards.panels import NO_TRAFFIC_NO_RATIO, THIRD, Prom, stat_panel, timeseries_panel
from monitoring.dashboards.promql import aggregate, quantile, sum_increase, sum_rate
from monitoring.promql import ratio

TWILIO = "twilio_api_request_duration_seconds"
# Statuses Twilio ends a message's life with (sent and queued may still move on).
FINAL_STATUSES = 'status=~"delivered|undelivered|failed"'

FAILURE_RATIO = ratio(
    sum_rate("sms_sent_total", 'status="failed"', window="15m"), sum_rate("sms_sent_total", window="15m")
)
DELIVERED_SHARE = ratio(
    sum_rate("sms_delivery_status_total", 'status="delivered"', window="1h"),
    sum_rate("sms_delivery_status_total", FINAL_STATUSES, window="1h"),
)
MATCHED_SENDERS = ratio(
    sum_rate("sms_received_total", 'result="routed"', window="1h"),
    sum_rate("sms_received_total", 'result=~"routed|unknown_sender"', window="1h"),
)
OUTBOX_BACKLOG = aggregate("max", "sms_outbox_pending")
COST_PER_DAY = sum_increase("sms_cost_usd_total", window="1d")


def sections() -> list[Section]:
    return [
        Section(
            "Overview",
            [
                stat_panel(
                    "Outbound failure ratio",
                    "Share of outbound SMS attempts given up as failed, last 15 minutes. "
                    f"{NO_TRAFFIC_NO_RATIO}",
                    Prom(FAILURE_RATIO),
                    threshold=thresholds.SMS_FAILURE_RATIO,
                ),
                stat_panel(
                    "Delivered share",
                    "Share of messages that reached a final status last hour that Twilio "
                    "reported delivered (the rest: undelivered or failed).",
                    Prom(DELIVERED_SHARE),
                    unit="percentunit",
                ),
                stat_panel(
                    "Outbox backlog",
                    "Outbound SMS queued or sending (sms_outbox_pending, counted every minute).",
                    Prom(OUTBOX_BACKLOG),
                    threshold=thresholds.SMS_OUTBOX_BACKLOG,
                ),
                stat_panel(
                    "Cost today",
                    "What messages that reached a final status cost over the last 24 hours, in USD "
                    "(Twilio's price, else the SMS_RATES_USD estimate).",
                    Prom(COST_PER_DAY),
                    unit="currencyUSD",
                ),
            ],
        ),
        Section(
            "Delivery",
            [
                timeseries_panel(
                    "Outbound failure ratio over time",
                    "Share of outbound attempts given up as failed, last 15 minutes at each point. "
                    f"{NO_TRAFFIC_NO_RATIO}",
                    Prom(FAILURE_RATIO, "failed share"),
                    threshold=thresholds.SMS_FAILURE_RATIO,
                    width=THIRD,
                ),
                timeseries_panel(
                    "Outbound SMS by status",
                    "Outbound attempts per hour: sent (accepted by Twilio), retry, failed, "
                    "refused_opted_out, twiml (answered inline).",
                    Prom(sum_increase("sms_sent_total", by=("status",)), "{{status}}"),
                    unit="short",
                    stacked=True,
                    width=THIRD,
                ),
                timeseries_panel(
                    "Delivery status callbacks",
                    "Twilio status callbacks applied per hour: delivered, undelivered, failed...",
                    Prom(sum_increase("sms_delivery_status_total", by=("status",)), "{{status}}"),
                    unit="short",
                    stacked=True,
                    width=THIRD,
                ),
                timeseries_panel(
                    "Outbox backlog over time",
                    "Outbound SMS queued or sending.",
                    Prom(OUTBOX_BACKLOG, "pending"),
                    threshold=thresholds.SMS_OUTBOX_BACKLOG,
                    width=THIRD,
                ),
                timeseries_panel(
                    "Twilio API response time",
                    "p50 and p95 of each call to Twilio's REST API, by operation.",
                    Prom(quantile(0.5, TWILIO, by=("operation",)), "p50 {{operation}}"),
                    Prom(quantile(0.95, TWILIO, by=("operation",)), "p95 {{operation}}"),
                    unit="s",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Twilio API errors",
                    "Calls to Twilio that failed, per second, by outcome (transient errors are "
                    "retried, permanent ones are not).",
                    Prom(sum_rate(f"{TWILIO}_count", 'outcome!="success"', by=("outcome",)), "{{outcome}}"),
                    threshold=thresholds.TWILIO_ERRORS_PER_SECOND,
                    stacked=True,
                    width=THIRD,
                ),
            ],
        ),
        Section(
            "Cost",
            [
                timeseries_panel(
                    "SMS cost per day",
                    "USD spent over the 24 hours before each point.",
                    Prom(COST_PER_DAY, "USD"),
                    unit="currencyUSD",
                ),
                timeseries_panel(
                    "Billable segments per hour",
                    "Segments billed per hour, inbound and outbound (GSM-7: 153 characters per "
                    "segment, UCS-2: 67).",
                    Prom(sum_increase("sms_segments_total", by=("direction",)), "{{direction}}"),
                    unit="short",
                    stacked=True,
                ),
            ],
        ),
        Section(
            "Routing",
            [
                timeseries_panel(
                    "Inbound routing time",
                    "p50, p95 and p99 of the inbound webhook: dedup, keywords, routing, the "
                    "engine, the answer (sms_routing_duration_seconds).",
                    Prom(quantile(0.5, "sms_routing_duration_seconds"), "p50"),
                    Prom(quantile(0.95, "sms_routing_duration_seconds"), "p95"),
                    Prom(quantile(0.99, "sms_routing_duration_seconds"), "p99"),
                    unit="s",
                    width=THIRD,
                ),
                timeseries_panel(
                    "Inbound SMS by result",
                    "Inbound webhooks per hour by outcome: routed, unknown_sender, duplicate, "
                    "forged, opted_out, keyword, invalid.",
                    Prom(sum_increase("sms_received_total", by=("result",)), "{{result}}"),
                    unit="short",
                    stacked=True,
                    width=THIRD,
                ),
                timeseries_panel(
                    "Forged requests",
                    "Requests refused for a bad signature per second: Twilio webhooks with a wrong "
                    "X-Twilio-Signature and forged OAuth callbacks (security_event_total).",
                    Prom(sum_rate("security_event_total", 'kind="forged_request"'), "forged"),
                    threshold=thresholds.FORGED_REQUESTS_PER_SECOND,
                    width=THIRD,
                ),
            ],
        ),
        Section(
            "Phone numbers",
            [
                timeseries_panel(
                    "Senders matched to a user",
                    "Share of inbound messages last hour whose phone number mapped to a verified "
                    "user (routed) rather than to nobody (unknown_sender).",
                    Prom(MATCHED_SENDERS, "matched"),
                    unit="percentunit",
                ),
                timeseries_panel(
                    "Phone verifications and opt-outs",
                    "Phone verification codes sent and numbers that texted STOP, per hour.",
                    Prom(
                        sum_increase("django_model_inserts_total", 'model="phone_verification"'),
                        "verifications started",
                    ),
                    Prom(sum_increase("django_model_inserts_total", 'model="phone_opt_out"'), "opt-outs"),
                    unit="short",
                ),
            ],
        ),
    ]


DASHBOARD = DashboardSpec(
    slug="sms",
    title="SMS",
    description="SMS routing and Twilio: delivery, API latency and errors, cost, phone numbers.",
    guide_section="SMS Dashboard",
    jobs="assistant-api|celery-worker",
    key_metrics={
        "SMS delivery rates": (
            "Outbound failure ratio",
            "Delivered share",
            "Outbox backlog",
            "Outbound failure ratio over time",
            "Outbound SMS by status",
            "Delivery status callbacks",
            "Outbox backlog over time",
        ),
        "Twilio API response times": ("Twilio API response time", "Twilio API errors"),
        "SMS cost tracking": ("Cost today", "SMS cost per day", "Billable segments per hour"),
        "Routing engine performance": ("Inbound routing time", "Inbound SMS by result", "Forged requests"),
        "Phone number mapping statistics": ("Senders matched to a user", "Phone verifications and opt-outs"),
    },
    sections=sections,
)
