"""Redaction of personal data and secrets before it reaches a log line."""

import functools
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[REDACTED]"

# Keys whose values are never logged, whatever they hold.
_SECRET_KEY_PARTS = ("password", "secret", "token", "authorization", "cookie", "otp", "api_key")
_SECRET_KEYS = {"code", "key", "digest", "signature", "csrfmiddlewaretoken"}

# "+" then 8 to 15 digits, optionally grouped by spaces, dots, dashes or brackets.
_PHONE = re.compile(r"(?<![\w+])\+\d(?:[ .()-]{0,2}\d){7,14}\b")
_CREDENTIAL = re.compile(r"(?i)\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")


def mask_phone(phone: str | None) -> str:
    """'+15551234567' -> '+1******4567': enough to tell numbers apart, not to call one."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if len(digits) <= 5:
        return "+" + "*" * len(digits)
    return f"+{digits[0]}{'*' * (len(digits) - 5)}{digits[-4:]}"


def mask_email(email: str | None) -> str:
    if not email:
        return ""
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", email)


def scrub_text(text: str) -> str:
    """Run on every string of every log line: a pattern whose mandatory character (the
    phone's "+", the email's "@") is absent is not scanned for."""
    text = _CREDENTIAL.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    if "+" in text:
        text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    return mask_email(text) if "@" in text else text


@functools.lru_cache(maxsize=1024)
def is_secret_key(key: str) -> bool:
    """Asked for every field of every log line, of a few dozen names: remembered."""
    lowered = key.lower()
    return lowered in _SECRET_KEYS or any(part in lowered for part in _SECRET_KEY_PARTS)


def scrub(value: Any) -> Any:
    """Return a copy of value with secret-named keys redacted and phones/emails masked."""
    if isinstance(value, str):
        return scrub_text(value)
    if value is None or isinstance(value, int | float):
        return value  # most fields of a line: answered before the slower Mapping check
    if isinstance(value, Mapping):
        return {
            key: REDACTED if isinstance(key, str) and is_secret_key(key) else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set):
        return [scrub(item) for item in value]
    return value
