"""The user's API shapes other apps' endpoints share (the phone number field, the profile an
endpoint answers with). Public, unlike `api/`, which is this app's own endpoints."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.drainage import set_override
from rest_framework import serializers

from assistant.core.api import ModelOutput
from assistant.core.phone import phone_normalize
from assistant.users import selectors
from assistant.users.models import Language, User
from assistant.users.profile import AnyField, ProfileExtension, profile_extension_fields


class PhoneNumberField(serializers.CharField):
    """Accepts any dialable format, returns E.164; an empty value clears the number."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=32, allow_blank=True, allow_null=True, **kwargs)

    # None, not "", for an empty number: CharField's declared `str` does not say so.
    def to_internal_value(self, data: str) -> str | None:  # type: ignore[override]
        value = super().to_internal_value(data)
        if not value:
            return None
        try:
            return phone_normalize(value, region=settings.DEFAULT_PHONE_REGION)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None


class ProfileExtensionValue(serializers.Field[Any, Any, Any, User]):
    """A profile value another app keeps, read through its extension, shown and documented
    as that app's field describes it."""

    def __init__(self, *, name: str, extension: ProfileExtension, field: AnyField) -> None:
        super().__init__(read_only=True, source="*", help_text=field.help_text)
        self.value_name = name
        self.extension = extension
        self.shape = field
        set_override(self, "field", field)  # drf-spectacular documents the app's field

    def to_representation(self, value: User) -> Any:
        return self.shape.to_representation(self.extension.values(user=value)[self.value_name])


def profile_extension_serializer_fields(
    own: dict[str, AnyField],
) -> dict[str, tuple[ProfileExtension, AnyField]]:
    """The fields other apps keep (see profile.py), which may not shadow users' own."""
    registered = profile_extension_fields()
    if shadowed := sorted(registered.keys() & own.keys()):
        raise ImproperlyConfigured(f"Profile extensions register {shadowed}, fields users has.")
    return registered


class UserOutput(ModelOutput[User]):
    language = serializers.ChoiceField(
        choices=Language.choices,
        allow_blank=True,
        read_only=True,
        help_text="The language we write to you in; empty until known (English meanwhile).",
    )
    roles = serializers.SerializerMethodField()
    mfa_enabled = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "phone_number",
            "phone_verified",
            "timezone",
            "preferred_channel",
            "language",
            "roles",
            "mfa_enabled",
            "mfa_enrolment_required",
            "date_joined",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "mfa_enrolment_required": {
                "help_text": "Support reset your lost second factor: set up a new one "
                "(POST auth/mfa/totp, then auth/mfa/totp/confirm) before anything else answers."
            }
        }

    def get_fields(self) -> dict[str, AnyField]:
        fields = super().get_fields()
        for name, (extension, field) in profile_extension_serializer_fields(fields).items():
            fields[name] = ProfileExtensionValue(name=name, extension=extension, field=field)
        return fields

    def get_roles(self, user: User) -> list[str]:
        return selectors.user_roles(user=user)

    def get_mfa_enabled(self, user: User) -> bool:
        return selectors.user_totp_device(user=user) is not None
