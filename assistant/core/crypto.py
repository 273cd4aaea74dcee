"""Symmetric encryption for secrets kept in the database (TOTP seeds, OAuth tokens).

Keys come from FIELD_ENCRYPTION_KEYS: the first encrypts, every one decrypts, so a key is
rotated by prepending a new one and re-encrypting. Outside production, with no key set, one
is derived from SECRET_KEY so the embedded default needs no configuration; production refuses
to (see assistant/core/checks.py).
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "reencrypt"]


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _keys() -> tuple[str, ...]:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if keys:
        return keys
    if settings.REQUIRE_PRODUCTION_CONFIGURATION:
        # The checks already refuse to start; this covers a process that skipped them.
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is empty: production never derives a key from SECRET_KEY"
        )
    derived = hashlib.sha256(f"field-encryption:{settings.SECRET_KEY}".encode()).digest()
    return (base64.urlsafe_b64encode(derived).decode(),)


def encrypt(plaintext: str) -> str:
    return _fernet(_keys()).encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    return _fernet(_keys()).decrypt(ciphertext.encode()).decode()


def reencrypt(ciphertext: str) -> str:
    """The same secret under the newest key (MultiFernet.rotate), for key rotation."""
    return _fernet(_keys()).rotate(ciphertext.encode()).decode()
