"""`event_nudge_minutes` on /auth/me: a preference this app keeps (in Preferences) and users
serves beside the profile through its profile-extension registry."""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from assistant.core.unset import UNSET
from assistant.users.models import User
from assistant.users.profile import AnyField
from integrations import selectors, services
from integrations.models import EVENT_NUDGE_MINUTES_MAX


class NudgeProfileExtension:
    def fields(self) -> dict[str, AnyField]:
        return {
            "event_nudge_minutes": serializers.IntegerField(
                min_value=0,
                max_value=EVENT_NUDGE_MINUTES_MAX,
                required=False,
                help_text="Minutes before a calendar event to nudge; 0: never.",
            )
        }

    def values(self, *, user: User) -> Mapping[str, object]:
        return {"event_nudge_minutes": selectors.event_nudge_minutes_for_user(user=user)}

    def update(self, *, user: User, changes: Mapping[str, Any]) -> list[str]:
        return services.integration_preferences_update(
            user=user, event_nudge_minutes=changes.get("event_nudge_minutes", UNSET)
        )
