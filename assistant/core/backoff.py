"""How long to wait before trying again, for every retry loop in the project."""

import random
from datetime import timedelta

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
