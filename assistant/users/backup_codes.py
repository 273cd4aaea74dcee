"""One-time backup codes for the second factor: how they look, and how they are hashed.

A code has 10 characters from an alphabet without look-alikes (about 49 bits), shown as
"abcde-23456". That is far beyond guessing under the lockout, so a fast keyed hash is enough:
an HMAC-SHA256 with a random salt per code, keyed by SECRET_KEY (or one of
SECRET_KEY_FALLBACKS, so rotating the key keeps codes working).
"""

import hmac
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

BACKUP_CODE_COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_LENGTH = 10
_KEY_SALT = "assistant.users.backup_codes"


def backup_code_new() -> str:
    code = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def backup_code_normalize(code: str) -> str:
    """The code as hashed: spaces and dashes dropped, lower case."""
    return "".join(code.split()).replace("-", "").lower()


def backup_code_looks_valid(code: str) -> bool:
    normalized = backup_code_normalize(code)
    return len(normalized) == _LENGTH and all(character in _ALPHABET for character in normalized)


def backup_code_digest(*, code: str, salt: str, secret: str | None = None) -> str:
    value = salt + backup_code_normalize(code)
    return salted_hmac(_KEY_SALT, value, secret=secret, algorithm="sha256").hexdigest()


def backup_code_matches(*, code: str, salt: str, digest: str) -> bool:
    return any(
        hmac.compare_digest(backup_code_digest(code=code, salt=salt, secret=secret), digest)
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    )


def backup_code_salt() -> str:
    return secrets.token_hex(16)
