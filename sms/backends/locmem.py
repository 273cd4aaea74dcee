"""Keeps messages in memory for tests, like Django's locmem email backend.

`outbox` collects every message sent; `failures` scripts errors: while it holds any, each
send() pops the first and raises it instead of sending. `reset()` empties both.
"""

import uuid
from dataclasses import dataclass

from sms.backends.base import BaseSmsBackend, SendResult, SmsError
from sms.segments import segments_count


@dataclass(frozen=True)
class SentSms:
    to: str
    body: str
    status_callback: str | None
    sid: str


outbox: list[SentSms] = []
failures: list[SmsError] = []


def reset() -> None:
    outbox.clear()
    failures.clear()


class LocmemSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, body: str, status_callback: str | None = None) -> SendResult:
        if failures:
            raise failures.pop(0)
        sid = f"SM{uuid.uuid4().hex}"
        outbox.append(SentSms(to=to, body=body, status_callback=status_callback, sid=sid))
        return SendResult(sid=sid, status="queued", segments=segments_count(body))
