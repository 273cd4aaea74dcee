from datetime import timedelta

import pytest

from assistant.planner import notifications


class FlakyChannel:
    """A channel whose far end fails the first `failures` times, then takes messages."""

    def __init__(self) -> None:
        self.failures = 0
        self.permanent = False
        self.delivered: list[tuple[int, str]] = []

    def __call__(self, batch: list[notifications.Notification]) -> None:
        if self.failures:
            self.failures -= 1
            error = notifications.PermanentDeliveryError if self.permanent else notifications.DeliveryError
            raise error("far end refused")
        self.delivered.extend((n.user.pk, n.text) for n in batch)


@pytest.fixture
def flaky_channel(monkeypatch):
    """Registered as the "flaky" channel for the test only (the registry is restored after)."""
    channel = FlakyChannel()
    monkeypatch.setitem(notifications._channels, "flaky", channel)
    return channel


class PagerChannel:
    """A deferred channel, like sms: it only queues what it is given and reports back later."""

    def __init__(self) -> None:
        self.queued: list[notifications.Notification] = []

    def __call__(self, batch: list[notifications.Notification]) -> None:
        self.queued.extend(batch)


@pytest.fixture
def pager_channel(monkeypatch):
    """Registered as the deferred "pager" channel for the test only."""
    channel = PagerChannel()
    monkeypatch.setitem(notifications._channels, "pager", channel)
    monkeypatch.setattr(notifications, "_deferred", notifications._deferred | {"pager"})
    return channel


@pytest.fixture
def failed_over(user, pager_channel):
    """A "take meds" reminder whose pager delivery failed for good and went to chat instead."""
    from assistant.planner import services
    from assistant.planner.tests.test_dispatch import NOW, make

    reminder = make(user, text="take meds", channel="pager")
    services.reminders_dispatch(now=NOW + timedelta(minutes=1))
    (notification,) = pager_channel.queued
    services.reminder_deliveries_fail(delivery_ids=[notification.delivery_id], reason="number refused")
    return reminder
