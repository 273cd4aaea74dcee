"""JsonFormatter writes its own lines (python-json-logger's `format` was too slow for one line
per request): the lines it wrote before, field for field and in the same order."""

import json
import logging
import logging.config
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pythonjsonlogger.json import JsonEncoder

from assistant.core.logging import JsonFormatter, _one_shot, configure


def _record(msg: object, args: tuple[object, ...] = (), **extra: Any) -> logging.LogRecord:
    record = logging.LogRecord("assistant.request", logging.INFO, "x.py", 1, msg, args, None)
    record.created = 1700000000.123456
    record.__dict__.update(extra)
    return record


def test_an_access_line_has_its_context_first_then_the_message_and_fields_in_order() -> None:
    record = _record(
        "%s %s %s",
        ("GET", "/p", 200),
        event="http_request",
        request_id="abc",
        user_id=7,
        method="GET",
        path="/p",
        status=200,
        duration_ms=1.5,
    )

    assert JsonFormatter(service="api").format(record) == (
        '{"timestamp": "2023-11-14T22:13:20.123456+00:00", "level": "INFO", "logger": "assistant.request", '
        '"service": "api", "event": "http_request", "request_id": "abc", "user_id": 7, '
        '"message": "GET /p 200", "method": "GET", "path": "/p", "status": 200, "duration_ms": 1.5}'
    )


def test_fields_are_scrubbed_and_cannot_replace_the_lines_own() -> None:
    record = _record(
        "text +33612345678 a@example.org",
        token="s3cret",
        level="forged",
        timestamp="forged",
        nested={"password": "p", "k": ["+33612345678"]},
        _private=1,
    )

    assert JsonFormatter(service="api").format(record) == (
        '{"timestamp": "2023-11-14T22:13:20.123456+00:00", "level": "INFO", "logger": "assistant.request", '
        '"service": "api", "event": "assistant.request", "message": "text +3******5678 a***@example.org", '
        '"token": "[REDACTED]", "nested": {"password": "[REDACTED]", "k": ["+3******5678"]}}'
    )


def test_a_dict_message_is_merged_and_a_traceback_follows_the_message() -> None:
    assert JsonFormatter(service="api").format(_record({"a": 1, "event": "d"}, request_id=None)) == (
        '{"timestamp": "2023-11-14T22:13:20.123456+00:00", "level": "INFO", "logger": "assistant.request", '
        '"service": "api", "event": "d", "request_id": null, "message": "", "a": 1}'
    )
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record("failed", user_id=None)
        record.exc_info = sys.exc_info()
    record.stack_info = "Stack (most recent call last):\n  x"

    line = JsonFormatter(service="api").format(record)

    assert line.startswith(
        '{"timestamp": "2023-11-14T22:13:20.123456+00:00", "level": "INFO", "logger": "assistant.request", '
        '"service": "api", "event": "assistant.request", "user_id": null, "message": "failed", '
        '"exc_info": "Traceback (most recent call last):'
    )
    assert line.endswith('ValueError: boom", "stack_info": "Stack (most recent call last):\\n  x"}')


def test_records_skip_the_caller_and_thread_lookups_the_lines_never_show(monkeypatch) -> None:
    """LOGGING_CONFIG (assistant.core.logging.configure, in every settings but the tests'):
    findCaller's stack walk and the thread and process names cost every record, and
    JsonFormatter leaves them out (the exact lines above)."""
    for switch in ("_srcfile", "logThreads", "logProcesses", "logMultiprocessing"):
        monkeypatch.setattr(logging, switch, getattr(logging, switch))  # put back afterwards
    configured = []
    monkeypatch.setattr(logging.config, "dictConfig", configured.append)  # the handlers stay pytest's
    configure({"version": 1})

    assert configured == [{"version": 1}]
    assert logging._srcfile is None
    assert (logging.logThreads, logging.logProcesses, logging.logMultiprocessing) == (False, False, False)


@pytest.mark.parametrize(
    "created",
    [
        1700000000.0,  # no microseconds: isoformat leaves them out
        1700000000.0000005,  # half a microsecond: rounded to even (0)
        1700000000.0000015,  # rounded to even (2)
        1700000000.9999995,  # rounds up into the next second
        1700000000.999999,
        1700000001.25,  # the next second, after the one remembered
        1699999999.5,  # and back
    ],
)
def test_the_timestamp_is_datetimes_isoformat_to_the_microsecond(created: float) -> None:
    formatter = JsonFormatter(service="api")
    formatter.format(_record("warm", created=1700000000.5))  # a second remembered

    line = json.loads(formatter.format(_record("m", created=created)))

    assert line["timestamp"] == datetime.fromtimestamp(created, tz=UTC).isoformat()


def test_a_line_is_encoded_as_the_libraries_encoder_encodes_it() -> None:
    """The C encoder made once writes what JSONEncoder.encode writes: floats out of range,
    non-ASCII text, and what python-json-logger's default turns into text."""
    encoder = JsonEncoder(ensure_ascii=True)
    line = {
        "float": 1.5,
        "nan": float("nan"),
        "infinite": [float("inf"), None, True],
        "text": 'é\n"',
        "moment": datetime(2026, 1, 1, tzinfo=UTC),
        "id": uuid.UUID(int=5),
        "nested": {"ratio": 0.1},
    }

    assert _one_shot(encoder)(line) == encoder.encode(line)
