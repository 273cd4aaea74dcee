"""How long to wait before trying again, for every retry loop in the project."""

import math
import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

MAX_DELAY_SECONDS = 3600


def retry_delay(
    *,
    attempts: int,
    base_seconds: float,
    retry_after: float | None = None,
    max_seconds: float = MAX_DELAY_SECONDS,
) -> timedelta:
    """Exponential backoff with jitter (base, 2x, 4x ... capped at max_seconds, each +-50%),
    never shorter than what the far end asked for with Retry-After."""
    backoff = min(base_seconds * 2 ** (max(attempts, 1) - 1), max_seconds)
    jittered = backoff * random.uniform(0.5, 1.5)  # noqa: S311 - jitter, not crypto
    return timedelta(seconds=max(jittered, retry_after or 0))


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After value (delay-seconds or an HTTP date), never negative;
    None when there is none or it cannot be read."""
    if value is None:
        return None
    value = str(value).strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def retry_after_from_headers(headers: Mapping[str, str] | None) -> float | None:
    """retry_after_seconds of a response's Retry-After header, found whatever its case."""
    if not headers:
        return None
    value = headers.get("Retry-After")
    if value is None:  # a plain dict, not requests' case-insensitive one
        value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    return retry_after_seconds(value)
