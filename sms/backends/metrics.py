"""SMS provider metrics. Labels take the values declared below, every combination at 0 from
process start on (SmsConfig.ready() loads this module)."""

from prometheus_client import Histogram

from assistant.core.metric_labels import label_values

OPERATION_MESSAGES_CREATE = "messages.create"

twilio_api_request_duration_seconds = Histogram(
    "twilio_api_request_duration_seconds",
    "Duration of one Twilio API call, by operation (messages.create) and outcome "
    "(success, transient_error, permanent_error).",
    ["operation", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30),
)
label_values(
    twilio_api_request_duration_seconds,
    operation=(OPERATION_MESSAGES_CREATE,),
    outcome=("success", "transient_error", "permanent_error"),
)
