"""Google Calendar: social-core's google-oauth2 for the grant, Calendar API v3 for events.

Events of the primary calendar in the sync window, expanded to single instances; later
syncs ask only for what changed (`syncToken`), and a 410 from Google starts a full sync again.
"""

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from social_core.backends.google import GoogleOAuth2

from integrations.providers.base import (
    EventData,
    EventText,
    Provider,
    SyncChanges,
    SyncContext,
    SyncStateExpired,
    parse_instant,
)

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar.readonly"


class GoogleCalendarOAuth2(GoogleOAuth2[HttpResponse]):
    """google-oauth2, connect-only, with offline access so a refresh token comes back.

    Every endpoint comes from settings (GOOGLE_ACCOUNTS_URL, GOOGLE_OAUTH2_URL,
    GOOGLE_API_URL), so tests and proxies can stand in for Google's hosts.
    """

    ASSOCIATION_ONLY = True
    DEFAULT_SCOPE = ["openid", "email", "profile", CALENDAR_SCOPE]
    REVOKE_TOKEN_METHOD = "POST"

    def authorization_url(self) -> str:
        return f"{settings.GOOGLE_ACCOUNTS_URL}/o/oauth2/v2/auth"

    def access_token_url(self) -> str:
        return f"{settings.GOOGLE_OAUTH2_URL}/token"

    def revoke_token_url(self, token: str, uid: str) -> str:
        return f"{settings.GOOGLE_OAUTH2_URL}/revoke"

    def revoke_token_headers(self, token: str, uid: str) -> dict[str, str]:
        return {}  # Google's /revoke takes a form body, not the JSON type social-core declares

    def auth_extra_arguments(self) -> dict[str, str]:
        # "consent" makes Google send a refresh token even to someone who connected before.
        return {**super().auth_extra_arguments(), "access_type": "offline", "prompt": "consent"}

    def user_data(self, access_token: str, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        response = self.get_json(
            f"{settings.GOOGLE_API_URL}/oauth2/v3/userinfo",
            headers={"Authorization": f"Bearer {access_token}"},
        )
        self.validate_email_verified(response)
        return response


class GoogleProvider(Provider):
    name = "google"
    title = "Google Calendar"
    backend_class = GoogleCalendarOAuth2
    calendar_id = "primary"

    def sync(self, context: SyncContext) -> Iterator[SyncChanges]:
        yield self._calendar(context, self.calendar_id)

    def _calendar(self, context: SyncContext, calendar_id: str) -> SyncChanges:
        resource = f"calendar:{calendar_id}"
        cursor = context.cursor(resource)
        if cursor is not None:
            try:
                return self._read(
                    context, resource, calendar_id, {"syncToken": cursor["sync_token"]}, full=False
                )
            except SyncStateExpired:
                pass  # Google dropped our sync token: list the window again
        window = {
            "timeMin": context.window_start.isoformat(),
            "timeMax": context.window_end.isoformat(),
            "singleEvents": "true",
        }
        return self._read(context, resource, calendar_id, window, full=True)

    def _read(
        self, context: SyncContext, resource: str, calendar_id: str, params: dict[str, str], *, full: bool
    ) -> SyncChanges:
        changes = SyncChanges(kind="event", resource=resource, full=full)
        url = f"{settings.GOOGLE_API_URL}/calendar/v3/calendars/{calendar_id}/events"
        page_token = None
        while True:
            page = context.api.get(url, params={**params, "maxResults": 250, "pageToken": page_token})
            for item in page.get("items") or []:
                _collect(changes, item)
            page_token = page.get("nextPageToken")
            if not page_token:
                break
        if sync_token := page.get("nextSyncToken"):
            changes.cursor = context.new_cursor(sync_token=sync_token)
        return changes


def _collect(changes: SyncChanges, item: Any) -> None:
    if not isinstance(item, dict) or not item.get("id"):
        changes.malformed += 1
        return
    if item.get("status") == "cancelled":
        changes.removed.append(item["id"])
        return
    event = _event(item)
    if event is None:
        changes.malformed += 1
    else:
        changes.upserts.append(event)


def _event(item: dict[str, Any]) -> EventData | None:
    """An event resource; None when its start cannot be read. A missing end means the
    event is a moment (timed) or lasts its one day (all-day)."""
    start, end = item.get("start") or {}, item.get("end") or {}
    common: EventText = {
        "external_id": str(item["id"]),
        "title": str(item.get("summary") or "(no title)")[:300],
        "location": str(item.get("location") or "")[:300],
        "url": str(item.get("htmlLink") or "")[:1000],
    }
    try:
        if start.get("dateTime"):
            starts_at = parse_instant(start["dateTime"], start.get("timeZone"))
            ends_at = parse_instant(end["dateTime"], end.get("timeZone")) if end.get("dateTime") else None
            return EventData.timed(starts_at, ends_at, **common)
        if start.get("date"):
            end_date = date.fromisoformat(end["date"]) if end.get("date") else None
            return EventData.whole_days(date.fromisoformat(start["date"]), end_date, **common)
    except (TypeError, ValueError):
        return None
    return None
