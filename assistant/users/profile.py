"""Profile fields that other apps keep: shown and changed on /auth/me, stored by their app.

An app above users keeps a person's preferences in its own models (so a new preference never
needs a migration here) and registers a ProfileExtension from its AppConfig.ready(). /auth/me
shows the extension's fields beside users' own, validates them with its serializer fields, and
saves them through it in the same transaction and audit event as the rest of the profile.
"""

from collections.abc import Mapping
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from assistant.users.models import User

AnyField = serializers.Field[Any, Any, Any, Any]


class ProfileExtension(Protocol):
    def fields(self) -> dict[str, AnyField]:
        """New serializer fields, by name, not required: they check PATCH input, format the
        values in responses and describe both in the API schema."""
        ...

    def values(self, *, user: User) -> Mapping[str, object]:
        """The person's current values of every field (the defaults when never set)."""
        ...

    def update(self, *, user: User, changes: Mapping[str, Any]) -> list[str]:
        """Save these checked values (some of its fields); returns the names that changed.
        A rule they break is a ServiceError naming the field."""
        ...


_extensions: list[ProfileExtension] = []
_owners: dict[str, ProfileExtension] = {}  # field name -> the extension that keeps it


def profile_extension_register(extension: ProfileExtension) -> None:
    if any(type(existing) is type(extension) for existing in _extensions):
        return
    taken = extension.fields().keys() & _owners.keys()
    if taken:
        raise ImproperlyConfigured(f"The profile fields {sorted(taken)} are already registered.")
    _extensions.append(extension)
    _owners.update(dict.fromkeys(extension.fields(), extension))


def profile_extension_fields() -> dict[str, tuple[ProfileExtension, AnyField]]:
    """Every registered field, new, by name, with the extension that keeps it."""
    return {
        name: (extension, field) for extension in _extensions for name, field in extension.fields().items()
    }


def profile_extensions_update(*, user: User, changes: Mapping[str, Any]) -> list[str]:
    """Hand each extension its fields' checked values; returns the names that changed."""
    unknown = changes.keys() - _owners.keys()
    if unknown:
        raise ValueError(f"No profile extension keeps {sorted(unknown)}.")
    changed: list[str] = []
    for extension in _extensions:
        own = {name: value for name, value in changes.items() if _owners[name] is extension}
        if own:
            changed += extension.update(user=user, changes=own)
    return changed
