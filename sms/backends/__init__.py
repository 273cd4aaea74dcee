"""SMS backends, chosen like Django's email backends: SMS_BACKEND is a dotted path."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from sms.backends.base import BaseSmsBackend, PermanentSmsError, SendResult, SmsError, TransientSmsError

__all__ = [
    "BaseSmsBackend",
    "PermanentSmsError",
    "SendResult",
    "SmsError",
    "TransientSmsError",
    "get_backend",
]


@cache
def _backend(path: str) -> BaseSmsBackend:
    backend: BaseSmsBackend = import_string(path)()
    return backend


def get_backend() -> BaseSmsBackend:
    return _backend(settings.SMS_BACKEND)
