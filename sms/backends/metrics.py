"""SMS provider metrics. Label values come from the fixed sets in each help text."""

from prometheus_client import Histogram

twilio_api_request_duration_seconds = Histogram(
    "twilio_api_request_duration_seconds",
    "Duration of one Twilio API call, by operation (messages.create) and outcome "
    "(success, transient_error, permanent_error).",
    ["operation", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30),
)
