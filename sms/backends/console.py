"""Writes each message to the log instead of sending it (the development default)."""

import logging
import uuid

from assistant.core.masking import mask_phone
from sms.backends.base import BaseSmsBackend, SendResult
from sms.segments import segments_count

logger = logging.getLogger(__name__)


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, body: str, status_callback: str | None = None) -> SendResult:
        segments = segments_count(body)
        # Never the number in full, never the text: only what tells one message from another.
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
