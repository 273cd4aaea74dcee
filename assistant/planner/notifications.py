"""One way to reach a user, whatever the channel.

Channels register themselves (chat always; sms when its app is installed), so this app
never imports them. A channel's deliver function only writes to the database (a chat
message, an SMS outbox row) inside the caller's transaction: the reminder is marked sent in
that same transaction, which is what makes delivery happen exactly once.
"""

from collections.abc import Callable

from assistant.users.models import User

DeliverFn = Callable[[User, str], None]

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


def notify(*, user: User, text: str, channel: str) -> str:
    """Deliver text to user on channel (or the chat fallback when it is absent); returns the channel used."""
    used = channel if channel in _channels else FALLBACK_CHANNEL
    _channels[used](user, text)
    return used
