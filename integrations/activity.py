"""The integrations' part of the user's admin page (assistant/users/activity.py): each
provider, with the person's connection's status and what last went wrong."""

from assistant.users.activity import ActivityPanel, Column
from integrations import selectors
from integrations.selectors import ProviderStatus


def _status(row: ProviderStatus) -> str:
    return row.integration.get_status_display() if row.integration else "Not connected"


INTEGRATIONS_PANEL = ActivityPanel(
    key="integrations",
    title="Integrations",
    rows=lambda user: selectors.integrations_for_user(user=user),
    columns=[
        Column("Provider", lambda row: row.provider.title),
        Column("Status", _status),
        Column("Connected", lambda row: row.integration.connected_at if row.integration else None),
        Column("Last sync", lambda row: row.integration.last_synced_at if row.integration else None),
        Column("Last error", lambda row: row.integration.last_error if row.integration else None),
        Column("Last error at", lambda row: row.integration.last_error_at if row.integration else None),
    ],
    position=40,
)
