"""The one small interface every SMS backend follows."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class SendResult:
    sid: str  # the provider's message id (Twilio's MessageSid)
    status: str  # the provider's status on acceptance, e.g. "queued" or "accepted"
    segments: int | None = None
    price: Decimal | None = None  # usually unknown until the status callback
    price_unit: str | None = None


class SmsError(Exception):
    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code  # the provider's error code (Twilio's 21211, 21610, ...)
        self.http_status = http_status
        self.retry_after = retry_after  # seconds, from a Retry-After header


class TransientSmsError(SmsError):
    """Try again later: rate limited (429), provider error (5xx), timeout, connection lost."""


class PermanentSmsError(SmsError):
    """Never try again: invalid number (21211), unsubscribed recipient (21610), opted out."""


class BaseSmsBackend:
    def send(self, *, to: str, body: str, status_callback: str | None = None) -> SendResult:
        """Hand one message (E.164 `to`) to the provider; raise an SmsError subclass on failure."""
        raise NotImplementedError
