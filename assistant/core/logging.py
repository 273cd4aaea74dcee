"""JSON log lines: one object per line, every line with its request context, none with secrets."""

import logging
from typing import Any

from django.conf import settings
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from assistant.core import context
from assistant.core.masking import scrub

# Fields that belong to the line itself and are never redacted by name.
_STRUCTURAL = ("timestamp", "level", "logger", "service", "event", "request_id", "user_id")


class RequestContextFilter(logging.Filter):
    """Stamps each record with the request id and user of the request (or task) running."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = context.request_id.get()
        if getattr(record, "user_id", None) is None:
            record.user_id = context.user_id.get()
        return True


class OnlyTracebacks(logging.Filter):
    """For django.request: its line for a 4xx or 5xx answer repeats RequestLogMiddleware's at
    another level; only the traceback of an unhandled exception adds something."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.exc_info is not None


class JsonFormatter(_JsonFormatter):
    def __init__(self, *args: Any, service: str | None = None, **kwargs: Any) -> None:
        """`service` is for a process without Django settings (the gunicorn master): read
        from them otherwise."""
        kwargs.setdefault("timestamp", True)
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)
        self.service = service

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        log_data["level"] = log_data.pop("levelname", None)
        log_data["logger"] = log_data.pop("name", None)
        log_data["service"] = self.service or getattr(settings, "SERVICE_NAME", "assistant")
        log_data.setdefault("event", log_data["logger"])
        structural = {key: log_data.pop(key) for key in _STRUCTURAL if key in log_data}
        return {**structural, **scrub(log_data)}
