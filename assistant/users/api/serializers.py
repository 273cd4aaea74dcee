"""Input and output shapes of the auth API. Format checks here; rules in services."""

from typing import Any

from rest_framework import serializers

from assistant.users.models import AuditEvent, AuthToken, Channel, Language
from assistant.users.profile import AnyField
from assistant.users.serializers import PhoneNumberField, UserOutput, profile_extension_serializer_fields
from assistant.users.validators import validate_timezone


class TimezoneField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=64, validators=[validate_timezone], **kwargs)


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
        fields.update(
            {name: field for name, (_, field) in profile_extension_serializer_fields(fields).items()}
        )
        return fields


class LoginInput(serializers.Serializer[None]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp_code = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        default="",
        help_text="Authenticator code, required once two-factor authentication is on; "
        "or one of your backup codes (each works once).",
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


def _current_password() -> serializers.CharField:
    return serializers.CharField(
        max_length=128, trim_whitespace=False, help_text="Your current password: a token alone is not enough."
    )


class TotpCodeInput(serializers.Serializer[None]):
    code = serializers.RegexField(
        r"^\s*\d{3}\s?\d{3}\s*$", max_length=10, error_messages={"invalid": "Enter the 6-digit code."}
    )


class PasswordInput(serializers.Serializer[None]):
    password = _current_password()


class TotpDisableInput(serializers.Serializer[None]):
    password = _current_password()
    code = serializers.CharField(
        max_length=16, help_text="A current code from the authenticator app, or an unused backup code."
    )


class TotpEnrolOutput(serializers.Serializer[dict[str, Any]]):
    secret = serializers.CharField(help_text="Base32 seed, shown only now.")
    otpauth_uri = serializers.CharField(help_text="Render as a QR code for the authenticator app.")


class BackupCodesOutput(serializers.Serializer[dict[str, Any]]):
    backup_codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Ten one-time codes for signing in without the app (in `otp_code`). Shown only now: "
        "keep them somewhere safe.",
    )


class TotpConfirmOutput(UserOutput):
    backup_codes = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Ten one-time codes for signing in without the app (in `otp_code`). Shown only now: "
        "keep them somewhere safe.",
    )

    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "backup_codes"]
        read_only_fields = fields


class DetailOutput(serializers.Serializer[dict[str, Any]]):
    detail = serializers.CharField()


class DataExportOutput(serializers.Serializer[dict[str, Any]]):
    format = serializers.CharField(help_text="The layout's name and version (docs/data-export.md).")
    exported_at = serializers.DateTimeField()
    profile = serializers.DictField()
    sessions = serializers.ListField(child=serializers.DictField())
    activity = serializers.ListField(child=serializers.DictField())
    security_events = serializers.ListField(child=serializers.DictField())


class AccountEraseInput(serializers.Serializer[None]):
    password = _current_password()
    code = serializers.CharField(
        max_length=16,
        required=False,
        default="",
        help_text="With two-factor on: a current code from the authenticator app, or an unused backup code.",
    )
