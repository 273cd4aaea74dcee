"""Login lockout: too many failures for one email, or from one address, block for a while.

Counters live in the cache (Redis in production), which is shared by every web process;
losing them only forgets recent failures, which is acceptable.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    return f"lockout:{kind}:{hashlib.sha256(value.lower().encode()).hexdigest()[:32]}"


def _subjects(email: str, ip: str | None) -> list[tuple[str, int]]:
    subjects = [(_key("email", email), settings.LOGIN_FAILURE_LIMIT)]
    if ip:
        subjects.append((_key("ip", ip), settings.LOGIN_IP_FAILURE_LIMIT))
    return subjects


def lockout_remaining_seconds(*, email: str, ip: str | None) -> int:
    """Seconds until this email or address may try again; 0 when not locked."""
    now = time.time()
    deadlines = cache.get_many([f"{key}:until" for key, _ in _subjects(email, ip)]).values()
    return max([int(until - now + 0.999) for until in deadlines if until > now], default=0)


def login_failure_register(*, email: str, ip: str | None) -> int:
    """Count one failure; returns the lockout in seconds it triggered (0 if none)."""
    locked_for = 0
    for key, limit in _subjects(email, ip):
        cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
        try:
            failures = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
            failures = 1
        if failures is None:  # cache unreachable: degrade to no lockout rather than fail
            continue
        if failures >= limit:
            locked_for = settings.LOGIN_LOCKOUT_SECONDS
            cache.set(f"{key}:until", time.time() + locked_for, timeout=locked_for)
            cache.delete(key)
    return locked_for


def login_failures_reset(*, email: str) -> None:
    key = _key("email", email)
    cache.delete_many([key, f"{key}:until"])
