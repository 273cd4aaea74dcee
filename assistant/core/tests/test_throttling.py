"""The fixed-window throttles: exact at the rate, Retry-After to the window's end, atomic under
parallel requests. Run against the configured cache: local memory by default, Redis in CI
(REDIS_URL), where the count is one MULTI/EXEC of SET NX EX and INCR."""

import threading
import time

import pytest
from django.core.cache import cache, caches
from django.db import connection
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from assistant.core.counters import counter_incr
from assistant.core.throttling import FixedWindowThrottle

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"
# The start of an hour (so of a minute too), as seconds since the epoch.
MINUTE = 3600 * 491_700


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(MINUTE + 20.4)
    monkeypatch.setattr(FixedWindowThrottle, "timer", staticmethod(clock))
    return clock


@pytest.fixture
def rates(monkeypatch) -> dict[str, str]:
    # DRF reads the rates once, into the throttle class, when it is imported.
    rates = {"anon": "1000/min", "user": "5/min", "auth": "1000/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    return rates


def test_a_user_gets_exactly_the_rate_then_a_429_until_the_window_ends(auth_client, user, clock, rates):
    allowed = [auth_client.get(ME).status_code for _ in range(5)]
    refused = auth_client.get(ME)

    assert allowed == [200] * 5
    assert refused.status_code == 429
    # 20.4 s into the minute: allowed again in 39.6 s, rounded up.
    assert refused["Retry-After"] == "40"
    assert refused.json()["error"]["code"] == "throttled"
    assert refused.json()["error"]["retry_after_seconds"] == 40
    # One integer per user and window in the cache, refusals counted too.
    assert cache.get(f"throttle_user_{user.pk}:{int(clock.now // 60)}") == 6

    clock.now = MINUTE + 59.9
    assert auth_client.get(ME)["Retry-After"] == "1"
    clock.now = MINUTE + 60
    assert [auth_client.get(ME).status_code for _ in range(6)] == [200] * 5 + [429]


def test_each_user_has_a_window_of_their_own(auth_client, clock, rates):
    from assistant.users.tests.factories import UserFactory
    from assistant.users.tests.helpers import DEFAULT_PASSWORD, sign_in

    other = sign_in(UserFactory(password=DEFAULT_PASSWORD).email, DEFAULT_PASSWORD)
    [auth_client.get(ME) for _ in range(5)]

    assert auth_client.get(ME).status_code == 429
    assert other.get(ME).status_code == 200


def test_the_auth_scope_counts_per_client_address_with_the_time_left(clock, rates):
    rates["auth"] = "3/hour"
    clock.now = MINUTE + 600  # ten minutes into an hour
    client, elsewhere = APIClient(REMOTE_ADDR="203.0.113.9"), APIClient(REMOTE_ADDR="198.51.100.7")

    responses = [
        client.post("/api/v1/auth/password/reset", {"email": "a@b.co"}, format="json") for _ in range(4)
    ]

    assert [response.status_code for response in responses] == [202, 202, 202, 429]
    assert responses[-1]["Retry-After"] == "3000"
    assert (
        elsewhere.post("/api/v1/auth/password/reset", {"email": "a@b.co"}, format="json").status_code == 202
    )


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_never_get_past_the_rate(auth_client, clock, rates):
    barrier = threading.Barrier(12)
    statuses: list[int] = []

    def request() -> None:
        client = APIClient()
        client.credentials(**auth_client._credentials)  # the signed-in user's token
        try:
            barrier.wait()
            statuses.append(client.get(ME).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] * 5 + [429] * 7


def test_parallel_counts_are_each_counted_once():
    barrier = threading.Barrier(16)
    counts: list[int | None] = []

    def count() -> None:
        barrier.wait()
        counts.extend(counter_incr("test:parallel", window_seconds=60) for _ in range(25))

    threads = [threading.Thread(target=count) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(counts) == list(range(1, 16 * 25 + 1))  # type: ignore[type-var]
    assert cache.get("test:parallel") == 400


def _seconds_left(key: str) -> float:
    backend = caches["default"]
    if hasattr(backend, "ttl"):  # django-redis: the key's TTL in Redis
        return float(backend.ttl(key))
    return float(backend._expire_info[backend.make_key(key)] - time.time())  # local memory


def test_a_counter_is_born_with_its_expiry_and_keeps_it():
    assert counter_incr("test:expiry", window_seconds=60) == 1
    assert counter_incr("test:expiry", window_seconds=3600) == 2

    assert 0 < _seconds_left("test:expiry") <= 60  # the second count left the expiry alone
    cache.delete("test:expiry")
    assert counter_incr("test:expiry", window_seconds=60) == 1
