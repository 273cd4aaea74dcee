"""Capturing what the application logs, as the production formatter writes it."""

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from assistant.core.logging import JsonFormatter, RequestContextFilter


class CapturedLogs:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def lines(self) -> list[dict[str, Any]]:
        """Every line parsed; a line that is not one JSON object fails the test here."""
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def searchable(self) -> str:
        """Every key and decoded value, so an escaped newline or accent is still found."""
        # The timestamp is left out: its microseconds could match a 6-digit code by chance.
        return "\x00".join(
            text
            for line in self.lines()
            for key, value in line.items()
            if key != "timestamp"
            for text in (key, *_strings(value))
        )

    def requests(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["event"] == "http_request"]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    else:
        yield str(value)


@contextmanager
def captured_logs() -> Iterator[CapturedLogs]:
    """Everything logged anywhere during the test, through the production formatter and filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield CapturedLogs(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)
