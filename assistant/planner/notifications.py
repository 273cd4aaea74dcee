"""One way to reach users, whatever the channel.

Channels register themselves (chat always; sms when its app is installed), so this app
never imports them. A channel's deliver function takes a batch of notifications and only
writes to the database (chat messages, SMS outbox rows) inside the caller's transaction: the
reminders are marked sent in that same transaction, which is what makes delivery happen
exactly once. Taking a batch lets a channel write it in a few statements.
"""

from collections.abc import Callable
from typing import NamedTuple

from assistant.users.models import User


class Notification(NamedTuple):
    user: User
    text: str


DeliverFn = Callable[[list[Notification]], None]

FALLBACK_CHANNEL = "chat"
_channels: dict[str, DeliverFn] = {}


class DeliveryError(Exception):
    """A channel could not take the message now (retried later with backoff).

    Raised before the channel wrote anything: the failed reminder's batch still commits.
    """


class PermanentDeliveryError(DeliveryError):
    """A channel will never take this message (e.g. the number opted out): do not retry."""


def channel_register(name: str, deliver: DeliverFn) -> None:
    _channels[name] = deliver


def notify_many(*, notifications: list[Notification], channel: str) -> str:
    """Deliver on channel (or the chat fallback when it is absent); returns the channel used."""
    used = channel if channel in _channels else FALLBACK_CHANNEL
    if notifications:
        _channels[used](notifications)
    return used


def notify(*, user: User, text: str, channel: str) -> str:
    return notify_many(notifications=[Notification(user, text)], channel=channel)
