"""The user's API shapes other apps' endpoints share (the phone number field, the profile an
endpoint answers with). Public, unlike `api/`, which is this app's own endpoints."""

from typing import Any

from django.conf import settings
from rest_framework import serializers

from assistant.core.phone import phone_normalize
from assistant.users import selectors
from assistant.users.models import Language, User


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
            "event_nudge_minutes",
            "language",
            "roles",
            "mfa_enabled",
            "date_joined",
        ]
        read_only_fields = fields

    def get_roles(self, user: User) -> list[str]:
        return selectors.user_roles(user=user)

    def get_mfa_enabled(self, user: User) -> bool:
        return selectors.user_totp_device(user=user) is not None
