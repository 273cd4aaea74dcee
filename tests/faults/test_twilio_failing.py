"""The Twilio fake failing every request with 500 and 429 for a minute.

Injected: for 60 s every request to the Twilio fake is answered 500 (code 20500) or 429 (code
20429, Retry-After: 1), alternately; meanwhile three users with verified phones get SMS-channel
reminders and a fourth asks for a phone verification code. Then Twilio recovers. Measured:
failed API calls during the outage, whether every OutboundSMS row ends sent/delivered (nothing
lost), how often each (recipient, body) reached the fake (nothing doubled), how long recovery
took, and when the TwilioApiErrors alert fired (the shipped warning rule's expression, loaded
with a 5 s `for` instead of 10 min).
"""

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import yaml

from monitoring.tests.stack_traffic import register, verify_phone
from tests.fakes.twilio_server import ScriptedFailure
from tests.faults.support import fault_stack, report
from tests.services import RedisServer

pytestmark = pytest.mark.processes

OUTAGE_SECONDS = 60
PHONES = ["+33612345101", "+33612345102", "+33612345103"]
LATE_PHONE = "+33612345104"
REMINDERS_EACH = 3
RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "rules" / "warning.yml"
ALERT = "TwilioApiErrors"
# Production retries 8 times from a 30 s base: >= 30 min of retries. The test's 1 s base makes
# 8 attempts span only ~64 s at the least, too close to the 60 s outage; 10 keep the margin.
ENV = {"SMS_MAX_ATTEMPTS": "10"}


def _shipped_rule(name: str) -> dict:
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == name:
                return rule
    raise AssertionError(f"{name} is not in {RULES}")


def _firing(prometheus: str, name: str) -> bool:
    alerts = requests.get(prometheus + "/api/v1/alerts", timeout=5).json()["data"]["alerts"]
    return any(a["labels"]["alertname"] == name and a["state"] == "firing" for a in alerts)


def test_sms_survive_a_minute_of_twilio_500_and_429(
    own_redis: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with fault_stack(own_redis.url, env=ENV) as env:
        stack, twilio = env.stack, env.twilio
        shipped = _shipped_rule(ALERT)
        fast_alert = f"Fault{ALERT}"
        stack.add_rules(
            "fault-twilio",
            [{"name": "fault-twilio", "rules": [{**shipped, "alert": fast_alert, "for": "5s"}]}],
        )
        users = []
        for index, phone in enumerate(PHONES):
            user = register(env, f"sms-{index}@example.com", phone_number=phone, preferred_channel="sms")
            verify_phone(env, user, phone)
            users.append(user)
        late = register(env, "late@example.com", phone_number=LATE_PHONE)
        before = len(twilio.messages)

        # Every request fails until the outage ends: 500, 429, 500, 429...
        until = time.monotonic() + OUTAGE_SECONDS
        statuses = itertools.cycle([ScriptedFailure(500), ScriptedFailure(429, retry_after=1)])
        lock = threading.Lock()

        def failure() -> ScriptedFailure | None:
            with lock:
                return next(statuses) if time.monotonic() < until else None

        twilio._next_failure = failure  # type: ignore[method-assign]
        began = time.monotonic()
        expected: list[tuple[str, str]] = []
        for user, phone in zip(users, PHONES, strict=True):
            for n in range(REMINDERS_EACH):
                text = f"outage reminder {phone[-3:]}-{n}"
                due = (datetime.now(UTC) + timedelta(seconds=3)).isoformat(timespec="seconds")
                user.call("POST", "/api/v1/reminders", json={"text": text, "due_at": due}, expect=201)
                expected.append((phone, text))
        late.call("POST", "/api/v1/phone/verify", json={"phone_number": LATE_PHONE}, expect=202)

        alert_after = stack.wait_until(
            lambda: _firing(stack.url("prometheus"), fast_alert) and time.monotonic() - began,
            f"{fast_alert} to fire",
            timeout=OUTAGE_SECONDS + 30,
            pause=0.5,
        )
        failed_requests = sum(1 for r in twilio.requests if r.status in (429, 500))
        time.sleep(max(0.0, until - time.monotonic()))  # the rest of the minute
        recovered = time.monotonic()
        stack.wait_until(
            lambda: not stack.sql("SELECT 1 FROM sms_outboundsms WHERE status IN ('queued', 'sending')"),
            "the SMS outbox to drain after Twilio recovered",
            timeout=180,
            pause=0.5,
        )
        drained_after = time.monotonic() - recovered
        rows = dict(stack.sql("SELECT status, count(*) FROM sms_outboundsms GROUP BY status"))
        attempts = stack.sql("SELECT max(attempts), sum(attempts) FROM sms_outboundsms")[0]
        failed_total = sum(1 for r in twilio.requests if r.status in (429, 500))
        sent = twilio.messages[before:]

    per_message: dict[tuple[str, str], int] = {}
    for message in sent:
        for phone, text in expected:
            if message["to"] == phone and text in message["body"]:
                per_message[(phone, text)] = per_message.get((phone, text), 0) + 1
    codes = [m for m in sent if m["to"] == LATE_PHONE]
    report(
        capsys,
        "Twilio 500/429 for 60 s",
        {
            "injected": f"every Twilio request answered 500 or 429 (Retry-After 1) for {OUTAGE_SECONDS} s",
            "sms_intended": len(expected) + 1,
            "twilio_requests_failed": failed_total,
            "alert": fast_alert + f" (expr of {ALERT}, for 5s)",
            "alert_fired_after_s": round(alert_after, 1),
            "failed_requests_when_alert_fired": failed_requests,
            "outbox_drained_after_recovery_s": round(drained_after, 1),
            "outbox_rows": rows,
            "attempts_max_sum": attempts,
            "delivered_per_reminder": sorted(set(per_message.values())),
            "verification_codes_sent": len(codes),
        },
    )
    assert set(rows) <= {"sent", "delivered"}, f"SMS lost: outbox rows ended {rows}"
    missing = [key for key in expected if key not in per_message]
    doubled = {key: n for key, n in per_message.items() if n > 1}
    assert not missing, f"reminder SMS never reached Twilio: {missing}"
    assert not doubled, f"reminder SMS sent more than once: {doubled}"
    assert len(codes) == 1, f"the verification code reached Twilio {len(codes)} times"
