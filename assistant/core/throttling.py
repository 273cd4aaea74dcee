"""Request throttles as fixed-window counters: one atomic increment per request and throttle.

DRF's rate throttles keep the list of every request time in the window for each client and
read, trim, pickle and write it back on every request (at 1200/min, a list of up to 1200
floats). Here a client's requests in the current window are one integer in the cache
(assistant/core/counters.py): the window is the rate's period aligned on the clock (the
current minute for "120/min"), the request is allowed while the count is within the rate, and a
refused one is told to come back when the window ends (429 with Retry-After). The same settings
(DEFAULT_THROTTLE_RATES, the `auth` scope of the views that set `throttle_scope`) and the same
cache keys' idents (user id, or client address behind TRUSTED_PROXY_COUNT proxies) as DRF's.

Like any fixed window, a client can get up to twice the rate across a window's boundary (the
end of one minute and the start of the next): the price of one integer per client, accepted
for limits that are there to stop floods and guessing, not to meter.
"""

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.throttling import (
    AnonRateThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from assistant.core.counters import counter_incr

if TYPE_CHECKING:  # DRF's views import this module (DEFAULT_THROTTLE_CLASSES) as they load
    from rest_framework.views import APIView


class FixedWindowThrottle(SimpleRateThrottle):
    """SimpleRateThrottle's rate and key, counted in a fixed window instead of a history."""

    # The clock, as DRF's throttles have it; tests give another.
    timer: Callable[[], float] = time.time
    # Set from the rate by SimpleRateThrottle (None without one); missing from the stubs.
    num_requests: int | None
    duration: int | None
    window_end: float = 0.0

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        # Both set with the rate.
        assert self.num_requests is not None
        assert self.duration is not None
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = float((window + 1) * self.duration)
        count = counter_incr(f"{key}:{window}", window_seconds=self.duration)
        # An unreachable cache (configured to degrade) throttles nobody rather than everybody.
        return count is None or count <= self.num_requests

    def wait(self) -> float:
        """Seconds until the window ends: when a refused client will be allowed again."""
        return max(math.ceil(self.window_end - self.now), 1)


# DRF's class first: its key (and, for the scoped one, the scope read from the view before its
# allow_request hands over to super()) in front of the fixed window's counting.


class AnonThrottle(AnonRateThrottle, FixedWindowThrottle):
    """Unauthenticated requests, per client address (the `anon` rate)."""


class UserThrottle(UserRateThrottle, FixedWindowThrottle):
    """Each signed-in user (the `user` rate), or the client address before sign-in."""


class ScopedThrottle(ScopedRateThrottle, FixedWindowThrottle):
    """Views with a `throttle_scope` (the `auth` rate on the endpoints that guess at secrets)."""
