"""Twilio's inbound webhook, signed with the twilio library, against the project's stack with an empty view.

    .venv/bin/python bench/sms_bench.py [--duration 15] [--connections 16] [--workers 4]

Every request is a distinct, correctly signed inbound SMS (a new MessageSid each time, so
none is short-cut as a duplicate) from the bench user's verified phone: the full path of
signature check, dedup, routing, the chat engine and the TwiML answer.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import harness

TEXTS = ["what's next?", "list", "help", "remind me to stretch in 2 hours", "reminders"]


def signed_requests_lua(base_url: str, count: int, threads: int) -> str:
    """A wrk script cycling through `count` pre-signed requests; thread n takes every n-th."""
    forms = [
        {
            "MessageSid": f"SM{i:032x}",
            "AccountSid": "AC" + "b" * 32,
            "From": harness.PHONE,
            "To": "+15005550006",
            "Body": TEXTS[i % len(TEXTS)],
            "NumSegments": "1",
        }
        for i in range(count)
    ]
    url = f"{base_url}/sms/twilio/inbound"
    return harness.signed_form_lua(url, forms, auth_token=harness.TWILIO_AUTH_TOKEN, threads=threads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=30000, help="distinct signed messages")
    args = parser.parse_args()
    load = {"connections": args.connections, "duration": args.duration}

    with harness.server(workers=args.workers) as srv:
        threads = min(2, args.connections)  # as harness.wrk starts it
        script = harness.lua_script(signed_requests_lua(srv.base_url, args.requests, threads))
        harness.reference(srv, connections=args.connections, duration=3)  # warm-up
        results = {
            "project's stack, empty view (GET /bench/reference)": harness.reference(srv, **load),
            "inbound SMS (POST /sms/twilio/inbound)": harness.wrk(
                f"{srv.base_url}/sms/twilio/inbound", headers={}, script=script, **load
            ),
        }
    harness.report(results, workers=args.workers, **load)
    harness.verdict("inbound", *results.values(), min_ratio=0.4, max_p99_ms=30)


if __name__ == "__main__":
    main()
