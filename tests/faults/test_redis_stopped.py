"""Redis (the cache and the Celery broker) stopped for 30 s under light load.

Injected: the stack's Redis (a redis-server of this test's own, no persistence) terminated
while a thread calls the API every 100 ms, kept down 30 s, then started again on the same
port, empty, as a Redis that crashed without persistence comes back. During the outage a chat
user and an SMS user each get a reminder due within seconds, and a third user asks for a phone
verification code (an SMS enqueued on commit while the broker is down). Measured: the API's
answers during the outage (no 5xx), /health/overall during (200 degraded) and after (200
healthy), and the time after the restart until the work queued meanwhile was done.

The worker and beat run under a supervisor that restarts them if they exit, as
`restart: unless-stopped` does in deploy/docker-compose.yml: kombu 5.7.0's Redis transport can
crash the worker when the broker connection drops ("Unrecoverable error: AttributeError:
'NoneType' object has no attribute 'hostname'", raised from restore_unacked while the consumer
closes its channel). Every restart is reported in the measurement line.
"""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from monitoring.tests.stack_traffic import register, verify_phone
from tests.faults.support import LightLoad, Supervisor, fault_stack, health, report, wait_for_health
from tests.services import RedisServer

pytestmark = pytest.mark.processes

OUTAGE_SECONDS = 30
SMS_PHONE = "+33612345201"
LATE_PHONE = "+33612345202"
# The outbox sweep (beat, every minute) re-enqueues queued rows this long past their time.
ENV = {"SMS_SWEEP_GRACE_SECONDS": "5"}
CODE = re.compile(r"\b\d{6}\b")
# An SMS enqueued while the broker is down is committed as a queued OutboundSMS row; the
# publish that follows the commit fails and is only logged (on_commit robust=True), so the
# request still answers 202, and the outbox sweep sends the row once Redis is back.
VERIFY_ANSWERS_DURING_OUTAGE = (202,)


def test_api_keeps_answering_and_queued_work_is_done_after_redis_comes_back(
    own_redis: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with fault_stack(own_redis.url, env=ENV) as env:
        stack, twilio = env.stack, env.twilio
        chat = register(env, "chat@example.com")
        sms = register(env, "sms@example.com", phone_number=SMS_PHONE, preferred_channel="sms")
        verify_phone(env, sms, SMS_PHONE)
        late = register(env, "late@example.com", phone_number=LATE_PHONE)
        wait_for_health(stack, "healthy", timeout=60)

        with Supervisor(stack, ("worker", "beat")) as supervisor, LightLoad(chat) as load:
            stack.wait_until(lambda: len(load.samples) >= 10, "the load to start", timeout=20)
            stopped = load.now()
            down_at = time.monotonic()
            own_redis.stop()
            degraded_after = wait_for_health(
                stack, "degraded", timeout=OUTAGE_SECONDS - 5, supervised=supervisor
            )

            due = (datetime.now(UTC) + timedelta(seconds=2)).isoformat(timespec="seconds")
            during_calls = {
                "chat reminder": chat.call(
                    "POST",
                    "/api/v1/reminders",
                    json={"text": "chat during outage", "due_at": due},
                    expect=(201, 500, 503),
                ).status_code,
                "sms reminder": sms.call(
                    "POST",
                    "/api/v1/reminders",
                    json={"text": "sms during outage", "due_at": due},
                    expect=(201, 500, 503),
                ).status_code,
                "phone verify": late.call(
                    "POST",
                    "/api/v1/phone/verify",
                    json={"phone_number": LATE_PHONE},
                    expect=(202, 429, 500, 503),
                ).status_code,
            }
            time.sleep(max(0.0, down_at + OUTAGE_SECONDS - time.monotonic()))  # the 30 s outage
            still = health(stack)
            restarted_at = time.monotonic()
            restarted = load.now()
            own_redis.start()

            healthy_after = wait_for_health(stack, "healthy", timeout=60, supervised=supervisor)
            chat_done = (
                stack.wait_until(
                    lambda: stack.sql(
                        "SELECT 1 FROM chat_message WHERE direction = 'out' AND text LIKE %s",
                        ("%chat during outage%",),
                    ),
                    "the chat reminder due during the outage",
                    timeout=90,
                    supervised=supervisor.services,
                )
                and time.monotonic() - restarted_at
            )
            sms_done = (
                stack.wait_until(
                    lambda: any(
                        "sms during outage" in m["body"] for m in twilio.messages if m["to"] == SMS_PHONE
                    ),
                    "the SMS reminder due during the outage",
                    timeout=90,
                    supervised=supervisor.services,
                )
                and time.monotonic() - restarted_at
            )
            code_done = (
                stack.wait_until(
                    lambda: any(CODE.search(m["body"]) for m in twilio.messages if m["to"] == LATE_PHONE),
                    "the verification code asked for during the outage",
                    timeout=90,
                    supervised=supervisor.services,
                )
                and time.monotonic() - restarted_at
            )
            ended = load.now()
        during = load.between(stopped, restarted)
        after = load.between(restarted, ended)
        outbox = dict(stack.sql("SELECT status, count(*) FROM sms_outboundsms GROUP BY status"))
        sms_copies = sum("sms during outage" in m["body"] for m in twilio.messages)
        code_copies = sum(1 for m in twilio.messages if m["to"] == LATE_PHONE)

    report(
        capsys,
        "Redis stopped 30 s",
        {
            "injected": f"redis-server (cache + broker) terminated for {OUTAGE_SECONDS} s, "
            "restarted empty on the same port",
            "during": LightLoad.summary(during),
            "after": LightLoad.summary(after),
            "health_degraded_after_s": round(degraded_after, 1),
            "health_at_end_of_outage": still,
            "writes_during_outage": during_calls,
            "health_healthy_after_restart_s": round(healthy_after, 1),
            "chat_reminder_done_after_restart_s": round(chat_done, 1),
            "sms_reminder_done_after_restart_s": round(sms_done, 1),
            "verification_code_sent_after_restart_s": round(code_done, 1),
            "outbox_rows": outbox,
            "copies_sent": {"sms reminder": sms_copies, "verification code": code_copies},
            "processes_restarted": [
                {"service": r.service, "exit_code": r.exit_code, "error": r.last_error}
                for r in supervisor.restarts
            ],
        },
    )
    server_errors = [s for s in during + after if s.status is None or s.status >= 500]
    assert not server_errors, (
        f"the API failed while Redis was down or after: {LightLoad.summary(server_errors)}"
    )
    assert during_calls["chat reminder"] == 201, f"writes during the Redis outage: {during_calls}"
    assert during_calls["sms reminder"] == 201, f"writes during the Redis outage: {during_calls}"
    assert during_calls["phone verify"] in VERIFY_ANSWERS_DURING_OUTAGE, (
        f"writes during the Redis outage: {during_calls}"
    )
    assert still == (200, "degraded"), f"/health/overall at the end of the outage: {still}"
    assert sms_copies == 1, f"the SMS reminder was sent {sms_copies} times"
    assert code_copies == 1, f"the verification code was sent {code_copies} times"
