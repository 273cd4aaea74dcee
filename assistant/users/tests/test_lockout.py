"""Attacks on the sign-in lockout: racing it, and turning it against the account's owner."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection
from rest_framework.test import APIClient

from assistant.users.models import SecurityEvent
from assistant.users.tests.factories import UserFactory

LOGIN = "/api/v1/auth/login"
RESET = "/api/v1/auth/password/reset"

pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post(LOGIN, {"email": email, "password": password}, format="json")


def from_address(address: str) -> APIClient:
    return APIClient(REMOTE_ADDR=address)


@pytest.mark.django_db(transaction=True)
def test_nine_parallel_wrong_guesses_get_at_most_five_evaluated(settings, password):
    """Checked against the configured cache (local memory, or Redis with REDIS_URL): its add
    and incr are what make the count atomic across threads and processes."""
    settings.LOGIN_FAILURE_LIMIT = 5
    user = UserFactory(password=password)
    barrier = threading.Barrier(9)
    statuses: list[int] = []

    def guess() -> None:
        try:
            barrier.wait()
            statuses.append(login(APIClient(), user.email, "wrong password").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(statuses) == 9
    # Each evaluated guess leaves one login_failed event; the others were refused unseen.
    assert SecurityEvent.objects.filter(kind="login_failed", user=user).count() == 5
    assert statuses.count(401) == 4
    assert statuses.count(429) == 5
    assert login(APIClient(), user.email, password).status_code == 429


def test_a_strangers_failures_from_one_address_do_not_lock_the_owner_at_another(user, password, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    stranger, owner = from_address("203.0.113.9"), from_address("198.51.100.7")

    statuses = [login(stranger, user.email, "guess").status_code for _ in range(6)]

    assert statuses == [401] * 4 + [429] * 2
    assert login(stranger, user.email, password).status_code == 429
    assert login(owner, user.email, password).status_code == 200


def test_refused_guesses_at_a_locked_pair_do_not_add_up_on_the_account(user, password, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 10
    stranger = from_address("203.0.113.9")

    statuses = [login(stranger, user.email, "guess").status_code for _ in range(50)]

    assert statuses.count(401) == 1
    assert login(from_address("198.51.100.7"), user.email, password).status_code == 200


def test_the_account_as_a_whole_locks_only_at_its_higher_limit_for_a_delay_that_doubles(
    user, password, settings, monkeypatch
):
    """Guesses spread over many addresses: no pair reaches its limit, the account does. The
    clock is the local-memory cache's, moved forward to let each lock run out."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 12
    settings.LOGIN_ACCOUNT_LOCKOUT_SECONDS = 60
    settings.LOGIN_ACCOUNT_LOCKOUT_MAX_SECONDS = 200
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])

    def spray(count: int, first: int) -> list[int]:
        return [
            login(from_address(f"192.0.2.{first + n}"), user.email, "guess").status_code for n in range(count)
        ]

    delays = []
    for first in (1, 50, 100, 150):
        statuses = spray(12, first)
        assert statuses == [401] * 11 + [429], statuses
        owner = login(from_address("198.51.100.7"), user.email, password)
        assert owner.status_code == 429
        delays.append(owner.json()["error"]["retry_after_seconds"])
        now[0] += delays[-1] + 1

    assert delays == [60, 120, 200, 200]
    assert login(from_address("198.51.100.7"), user.email, password).status_code == 200
    assert SecurityEvent.objects.filter(kind="lockout", user=user).count() == 4


def test_a_new_password_clears_the_accounts_lock(user, password, settings):
    from assistant.users import services

    settings.LOGIN_FAILURE_LIMIT = 2
    address = "198.51.100.7"
    for _ in range(2):
        login(from_address(address), user.email, "guess")
    assert login(from_address(address), user.email, password).status_code == 429

    services.password_reset_complete(user=user, new_password="a brand new passphrase", ip=address)

    assert login(from_address(address), user.email, "a brand new passphrase").status_code == 200


class TestPasswordResetLimits:
    def test_one_account_gets_a_few_reset_emails_however_many_addresses_ask(
        self, user, settings, django_capture_on_commit_callbacks
    ):
        settings.PASSWORD_RESET_ACCOUNT_LIMIT = 3
        with django_capture_on_commit_callbacks(execute=True):
            statuses = [
                from_address(f"192.0.2.{n}").post(RESET, {"email": user.email}, format="json").status_code
                for n in range(6)
            ]

        # Always the same answer: a refusal must not tell whether the account exists.
        assert statuses == [202] * 6
        assert len(mail.outbox) == 3
        event = SecurityEvent.objects.filter(kind="password_reset_limited", user=user).first()
        assert event is not None
        assert event.details["limit"] == "account"

    def test_one_address_asking_for_many_accounts_is_refused_with_a_429(self, settings, db):
        settings.PASSWORD_RESET_IP_LIMIT = 4
        client = from_address("203.0.113.9")

        responses = [client.post(RESET, {"email": f"victim{n}@example.com"}, format="json") for n in range(5)]

        assert [response.status_code for response in responses] == [202] * 4 + [429]
        error = responses[-1].json()["error"]
        assert error["code"] == "throttled"
        assert error["retry_after_seconds"] > 0
        assert (
            SecurityEvent.objects.filter(kind="password_reset_limited", details__limit="address").count() == 1
        )
        assert (
            from_address("198.51.100.7").post(RESET, {"email": "x@example.com"}, format="json").status_code
            == 202
        )


def test_a_stolen_token_cannot_guess_the_password_through_password_change(
    auth_client, user, password, settings
):
    settings.LOGIN_FAILURE_LIMIT = 3
    change = "/api/v1/auth/password/change"

    statuses = [
        auth_client.post(
            change,
            {"current_password": f"guess {n}", "new_password": "a brand new passphrase"},
            format="json",
        ).status_code
        for n in range(5)
    ]
    right = auth_client.post(
        change, {"current_password": password, "new_password": "a brand new passphrase"}, format="json"
    )

    assert statuses == [400, 400, 429, 429, 429]
    assert right.status_code == 429
    assert (
        SecurityEvent.objects.filter(
            kind="login_failed", user=user, details__action="password_change"
        ).count()
        == 3
    )
    assert SecurityEvent.objects.filter(kind="lockout", user=user).count() == 1
