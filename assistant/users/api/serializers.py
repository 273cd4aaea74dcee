"""Input and output shapes of the auth API. Format checks here; rules in services."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.drainage import set_override
from rest_framework import serializers

from assistant.core.phone import phone_normalize
from assistant.users import selectors
from assistant.users.models import AuditEvent, AuthToken, Channel, Language, User
from assistant.users.profile import AnyField, ProfileExtension, profile_extension_fields
from assistant.users.validators import validate_timezone


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


class TimezoneField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=64, validators=[validate_timezone], **kwargs)


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


def _extension_fields(
    own: dict[str, AnyField],
) -> dict[str, tuple[ProfileExtension, AnyField]]:
    """The fields other apps keep (see profile.py), which may not shadow users' own."""
    registered = profile_extension_fields()
    if shadowed := sorted(registered.keys() & own.keys()):
        raise ImproperlyConfigured(f"Profile extensions register {shadowed}, fields users has.")
    return registered


class RegisterInput(serializers.Serializer[None]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    display_name = serializers.CharField(max_length=150, required=False, default="")
    phone_number = PhoneNumberField(required=False, default=None)
    timezone = TimezoneField(required=False, default="UTC")
    preferred_channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.CHAT)
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        default="",
        allow_blank=True,
        help_text="The language we write to you in. Left out: the best match of the request's "
        "Accept-Language header, else found from your first messages.",
    )


class UserOutput(serializers.ModelSerializer[User]):
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
            "date_joined",
        ]
        read_only_fields = fields

    def get_fields(self) -> dict[str, AnyField]:
        fields = super().get_fields()
        for name, (extension, field) in _extension_fields(fields).items():
            fields[name] = ProfileExtensionValue(name=name, extension=extension, field=field)
        return fields

    def get_roles(self, user: User) -> list[str]:
        return selectors.user_roles(user=user)

    def get_mfa_enabled(self, user: User) -> bool:
        return selectors.user_totp_device(user=user) is not None


class MeUpdateInput(serializers.Serializer[None]):
    display_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone_number = PhoneNumberField(required=False)
    timezone = TimezoneField(required=False)
    preferred_channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        help_text="The language of every reply, reminder, text message and e-mail we send you.",
    )

    def get_fields(self) -> dict[str, AnyField]:
        fields = super().get_fields()
        fields.update({name: field for name, (_, field) in _extension_fields(fields).items()})
        return fields


class LoginInput(serializers.Serializer[None]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp_code = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        default="",
        help_text="Authenticator code, required once two-factor authentication is on.",
    )


class TokenOutput(serializers.Serializer[dict[str, Any]]):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`.")
    expiry = serializers.DateTimeField()
    user = UserOutput()


class SessionOutput(serializers.Serializer[AuthToken]):
    id = serializers.CharField(source="token_key", help_text="Public prefix of the token.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()
    current = serializers.SerializerMethodField()

    def get_current(self, token: AuthToken) -> bool:
        current: AuthToken | None = self.context.get("current_token")
        return current is not None and current.pk == token.pk


class ActivityOutput(serializers.Serializer[AuditEvent]):
    action = serializers.CharField()
    ip = serializers.IPAddressField(allow_null=True)
    created_at = serializers.DateTimeField()


class PasswordChangeInput(serializers.Serializer[None]):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordResetInput(serializers.Serializer[None]):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInput(serializers.Serializer[None]):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class TotpCodeInput(serializers.Serializer[None]):
    code = serializers.RegexField(
        r"^\s*\d{3}\s?\d{3}\s*$", max_length=10, error_messages={"invalid": "Enter the 6-digit code."}
    )


class TotpEnrolOutput(serializers.Serializer[dict[str, Any]]):
    secret = serializers.CharField(help_text="Base32 seed, shown only now.")
    otpauth_uri = serializers.CharField(help_text="Render as a QR code for the authenticator app.")


class DetailOutput(serializers.Serializer[dict[str, Any]]):
    detail = serializers.CharField()


class DataExportOutput(serializers.Serializer[dict[str, Any]]):
    profile = serializers.DictField()
    sessions = serializers.ListField(child=serializers.DictField())
    activity = serializers.ListField(child=serializers.DictField())
