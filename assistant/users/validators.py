import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError

from assistant.core.phone import phone_normalize


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _timezones():
        raise ValidationError(f"'{value[:64]}' is not an IANA time zone (e.g. Europe/Paris).")


def validate_e164(value: str) -> None:
    try:
        normalized = phone_normalize(value)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    if normalized != value:
        raise ValidationError(f"Store phone numbers in E.164 form ({normalized}).")
