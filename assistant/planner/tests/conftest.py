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
