"""One way to reach users, whatever the channel.

Channels register themselves (chat always; sms when its app is installed), so this app
never imports them. A channel's deliver function takes a batch of notifications and only
writes to the database (chat messages, SMS outbox rows) inside the caller's transaction: the
reminders are marked sent in that same transaction, which is what makes delivery happen
exactly once. Taking a batch lets a channel write it in a few statements.

A reminder's notification carries the id of its ReminderDelivery. A channel that delivers
in the caller's transaction (chat) has delivered it on return; a channel registered as
`deferred` (sms) has only queued it, and reports later through the planner's delivery
services (sent, delivered, or failed, which fails it over to chat).
"""

from collections.abc import Callable
from typing import NamedTuple

from assistant.users.models import User


class Notification(NamedTuple):
    user: User
    text: str
    delivery_id: int | None = None  # the ReminderDelivery it fulfils, for a reminder
    # Must reach the person even when a channel rations its use (an on-call page passes the
    # SMS caps); everything else may be moved to chat.
    essential: bool = False


DeliverFn = Callable[[list[Notification]], None]

FALLBACK_CHANNEL = "chat"
_channels: dict[str, DeliverFn] = {}
_deferred: set[str] = set()


class DeliveryError(Exception):
    """A channel could not take the message now (retried later with backoff).

    Raised before the channel wrote anything: the failed reminder's batch still commits.
    """


class PermanentDeliveryError(DeliveryError):
    """A channel will never take this message (e.g. the number opted out): do not retry."""


def channel_register(name: str, deliver: DeliverFn, *, deferred: bool = False) -> None:
    """deferred: the channel only queues what it is given and confirms each delivery later."""
    _channels[name] = deliver
    if deferred:
        _deferred.add(name)
    else:
        _deferred.discard(name)


def channel_resolve(channel: str) -> str:
    """The channel that will carry a notification asked for on `channel`: it, or the fallback."""
    return channel if channel in _channels else FALLBACK_CHANNEL


def channel_is_deferred(channel: str) -> bool:
    return channel in _deferred


def notify_many(*, notifications: list[Notification], channel: str) -> str:
    """Deliver on channel (or the chat fallback when it is absent); returns the channel used."""
    used = channel_resolve(channel)
    if notifications:
        _channels[used](notifications)
    return used


def notify(*, user: User, text: str, channel: str, essential: bool = False) -> str:
    return notify_many(notifications=[Notification(user, text, essential=essential)], channel=channel)


def notify_on_own_channel(user: User, text: str) -> None:
    """A notice on the channel the person chose (or chat), for services below this app."""
    notify(user=user, text=text, channel=user.preferred_channel)
