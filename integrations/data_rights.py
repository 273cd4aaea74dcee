"""The integrations' share of a person's export and erasure (see assistant/users/data_rights.py).

The export describes each connection (never a token) and holds what was copied from it; the
erasure revokes each grant at its provider first (services.integrations_erase).
"""

from social_django.models import UserSocialAuth

from assistant.users.data_rights import DataRightsPart, Section, iso
from assistant.users.models import User
from integrations import services
from integrations.models import EVENT_NUDGE_MINUTES_DEFAULT, Event, ExternalTask, Integration, Preferences


def _export(user: User) -> Section:
    preferences = Preferences.objects.filter(user=user).first()
    return {
        "connections": [
            {
                "provider": integration.provider,
                "account": integration.account,
                "provider_account_id": integration.social.uid,
                "status": integration.status,
                "scopes": integration.scopes,
                "connected_at": integration.connected_at.isoformat(),
                "last_synced_at": iso(integration.last_synced_at),
                "last_error": integration.last_error,
                "last_error_at": iso(integration.last_error_at),
            }
            for integration in Integration.objects.filter(user=user).select_related("social")
        ],
        "events": [
            {
                "provider": event.integration.provider,
                "resource": event.resource,
                "title": event.title,
                "location": event.location,
                "url": event.url,
                "starts_at": event.starts_at.isoformat(),
                "ends_at": event.ends_at.isoformat(),
                "all_day": event.all_day,
            }
            for event in Event.objects.filter(user=user).select_related("integration")
        ],
        "tasks": [
            {
                "provider": task.integration.provider,
                "resource": task.resource,
                "title": task.title,
                "url": task.url,
                "due_date": iso(task.due_date),
                "due_at": iso(task.due_at),
                "completed": task.completed,
            }
            for task in ExternalTask.objects.filter(user=user).select_related("integration")
        ],
        "preferences": {
            "event_nudge_minutes": preferences.event_nudge_minutes
            if preferences
            else EVENT_NUDGE_MINUTES_DEFAULT
        },
    }


def _erase(user: User) -> Section:
    return {"revocations": services.integrations_erase(user=user)}


PART = DataRightsPart(
    name="integrations",
    export=_export,
    erase=_erase,
    exported=(
        "integrations.integration",
        "integrations.event",
        "integrations.externaltask",
        "integrations.preferences",
        UserSocialAuth._meta.label_lower,
    ),
    left_out={
        "integrations.authorizationrequest": "A connection link not yet used: it lives minutes and "
        "holds only the OAuth state of the provider's consent page.",
    },
)
