"""JSON log lines: one object per line, every line with its request context, none with secrets."""

import json
import logging
import logging.config
import math
from collections.abc import Callable
from datetime import UTC, datetime
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]  # not in the stubs
from typing import Any

from django.conf import settings
from pythonjsonlogger.json import JsonEncoder
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from assistant.core import context
from assistant.core.masking import REDACTED, is_secret_key, scrub, scrub_text

# Fields that belong to the line itself and are never redacted by name.
_STRUCTURAL = ("timestamp", "level", "logger", "service", "event", "request_id", "user_id")


def configure(config: dict[str, Any]) -> None:
    """LOGGING_CONFIG: Django's dictConfig, then no caller (file, function, line) and no
    thread or process looked up for each record. Every handler writes through JsonFormatter,
    whose lines leave those attributes out (python-json-logger's reserved fields), and the
    caller's lookup walks the stack on every call: the logging HOWTO's "Optimization" switches,
    for one access line per request."""
    logging.config.dictConfig(config)
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def _one_shot(encoder: json.JSONEncoder) -> Callable[[Any], str]:
    """`encoder.encode` with the C encoder made once: `JSONEncoder.encode` makes it again (and a
    closure) for every line. No circular-reference check: a line's fields come from `scrub()`,
    which would have recursed without end on one already."""
    if c_make_encoder is None:  # an interpreter without the C accelerator
        return encoder.encode
    encode = c_make_encoder(
        None, encoder.default, encode_basestring_ascii, None, ": ", ", ", False, False, True
    )
    return lambda value: "".join(encode(value, 0))


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
    """python-json-logger's formatter for its reserved attributes, traceback formatting and
    encoder; `format` is our own (so the library's rename, static-field and prefix options do
    nothing here): it runs for every request (the access line), and the library's merges the
    record in several passes, renames every key and builds a JSON encoder per line."""

    def __init__(self, *args: Any, service: str | None = None, **kwargs: Any) -> None:
        """`service` is for a process without Django settings (the gunicorn master): read
        from them otherwise."""
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)
        self.service = service
        self._encode = _one_shot(JsonEncoder(ensure_ascii=True))
        self._second = math.nan
        self._second_text = ""

    def _timestamp(self, created: float) -> str:
        """`datetime.fromtimestamp(created, tz=UTC).isoformat()`, its date and time of day
        made once per second: its microseconds rounded as it rounds them (half to even)."""
        fraction, whole = math.modf(created)
        micros = round(fraction * 1e6)
        if micros >= 1_000_000:
            whole += 1
            micros -= 1_000_000
        if whole != self._second:
            self._second = whole
            self._second_text = datetime.fromtimestamp(whole, tz=UTC).isoformat()[:-6]
        if micros:
            return f"{self._second_text}.{micros:06d}+00:00"
        return self._second_text + "+00:00"

    def format(self, record: logging.LogRecord) -> str:
        """The context first (`_STRUCTURAL`), then the message, any traceback and the extra
        fields in the order given, every one of them scrubbed."""
        fields: dict[str, Any]
        if isinstance(record.msg, dict):
            fields = {"message": "", **record.msg}
            record.message = ""
        else:
            record.message = record.getMessage()
            fields = {"message": record.message}
        if record.exc_info:
            fields["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            fields["exc_info"] = record.exc_text
        if record.stack_info:
            fields["stack_info"] = self.formatStack(record.stack_info)
        skip = self._skip_fields
        # One comprehension, not a generator fed to update(): this runs for every line.
        fields.update(
            {
                key: value
                for key, value in record.__dict__.items()
                if key not in skip and not key.startswith("_")
            }
        )
        line = {
            "timestamp": self._timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "service": self.service or getattr(settings, "SERVICE_NAME", "assistant"),
            "event": fields.pop("event", record.name),
        }
        # An extra field named like one of the line's own is dropped (timestamp, level, logger,
        # service: the record's win) or moved to its place (request_id, user_id).
        for key in _STRUCTURAL:
            if key in fields:
                value = fields.pop(key)
                line.setdefault(key, value)
        # scrub()'s answers for a line's usual values, without a call per field.
        for key, value in fields.items():
            if is_secret_key(key):
                line[key] = REDACTED
            elif type(value) is str:
                line[key] = scrub_text(value)
            elif value is None or type(value) is int or type(value) is float:
                line[key] = value
            else:
                line[key] = scrub(value)
        return self._encode(line)
