"""A text field whose value is encrypted in the database and plain in Python."""

from typing import Any

from django.db import models
from django.db.models.expressions import Combinable

from assistant.core.crypto import decrypt, encrypt


class EncryptedTextField(models.TextField[str | Combinable, str]):
    """Fernet-encrypted at rest with FIELD_ENCRYPTION_KEYS (see assistant.core.crypto).

    Not searchable or orderable: each encryption of a value differs. After a new key is
    prepended, `manage.py encryption_keys_rotate` rewrites every such column under it.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)
