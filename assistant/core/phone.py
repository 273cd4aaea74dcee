"""Phone numbers as E.164 strings, parsed by Google's libphonenumber."""

import phonenumbers


def phone_normalize(raw: str, *, region: str | None = None) -> str:
    """'+33 6 12 34 56 78' -> '+33612345678'. Raises ValueError for anything not dialable."""
    try:
        parsed = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException as error:
        raise ValueError("Enter a phone number in international format, e.g. +33612345678.") from error
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("This phone number does not exist.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
