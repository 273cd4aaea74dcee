"""Prints each message instead of sending it (the development default), as Django's console
email backend does: the text goes to stdout for the developer to read (a verification code
included), never into the JSON logs, which only get a masked number and the length."""

import logging
import sys
import threading
import uuid
from typing import TextIO

from assistant.core.masking import mask_phone
from sms.backends.base import BaseSmsBackend, SendResult
from sms.segments import segments_count

logger = logging.getLogger(__name__)


class ConsoleSmsBackend(BaseSmsBackend):
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> SendResult:
        segments = segments_count(body)
        with self._lock:
            self.stream.write(f"--- SMS to {mask_phone(to)} ({segments} segment(s)) ---\n{body}\n---\n")
            self.stream.flush()
        logger.info(
            "sms sent (console)",
            extra={
                "event": "sms_console",
                "to": mask_phone(to),
                "segments": segments,
                "body_length": len(body),
            },
        )
        return SendResult(sid=f"CONSOLE{uuid.uuid4().hex}", status="sent", segments=segments)
