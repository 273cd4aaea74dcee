import pytest

from assistant.core.masking import REDACTED, mask_email, mask_phone, scrub


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+15551234567", "+1******4567"),
        ("from +33 6 12 34 56 78.", "from +3******5678."),
        ("+1 (514) 555-0199", "+1******0199"),
        ("Authorization: Bearer abcdef0123456789", "Authorization: Bearer " + REDACTED),
        ("Token 0123456789abcdef", "Token " + REDACTED),
        ("ada.lovelace@example.com", "a***@example.com"),
        ("at 2026-11-27 06:46:00, order 12345678", "at 2026-11-27 06:46:00, order 12345678"),
    ],
)
def test_scrub_masks_phones_credentials_and_emails_in_text(text, expected):
    assert scrub(text) == expected


def test_scrub_redacts_secret_keys_at_any_depth():
    record = {
        "password": "p",
        "new_password": "p",
        "otp_code": "123456",
        "code": "123456",
        "headers": {"Authorization": "Bearer x", "X-Request-ID": "abc"},
        "items": [{"refresh_token": "r", "count": 2}],
        "status": 200,
    }

    assert scrub(record) == {
        "password": REDACTED,
        "new_password": REDACTED,
        "otp_code": REDACTED,
        "code": REDACTED,
        "headers": {"Authorization": REDACTED, "X-Request-ID": "abc"},
        "items": [{"refresh_token": REDACTED, "count": 2}],
        "status": 200,
    }


def test_short_or_empty_values_mask_safely():
    assert mask_phone("") == ""
    assert mask_phone("+123") == "+***"
    assert mask_email(None) == ""
