"""Microsoft: social-core's microsoft-graph for the grant; Graph's delta queries for Outlook
events (calendarView in the sync window) and every Microsoft To Do list.

Delta queries return a deltaLink after the last page; following it later gives only what
changed, deletions as `@removed`. A 410 means the delta state expired: list again.
Microsoft has no endpoint to revoke one app's grant, so disconnecting only forgets ours.
"""

from collections.abc import Iterator
from typing import Any, Literal
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from social_core.backends.microsoft import MicrosoftOAuth2

from integrations.providers.base import (
    EventData,
    EventText,
    Provider,
    SyncChanges,
    SyncContext,
    SyncStateExpired,
    TaskData,
    parse_instant,
)

PAGE_SIZE = 100
# Times in UTC whatever the mailbox's zone, so every dateTime we read means one instant.
_DELTA_HEADERS = {"Prefer": f'outlook.timezone="UTC", odata.maxpagesize={PAGE_SIZE}'}


class MicrosoftGraphOAuth2(MicrosoftOAuth2[HttpResponse]):
    """microsoft-graph, connect-only; offline_access brings the refresh token. Endpoints come
    from MICROSOFT_LOGIN_URL, MICROSOFT_TENANT and MICROSOFT_GRAPH_URL."""

    ASSOCIATION_ONLY = True
    DEFAULT_SCOPE = ["offline_access", "User.Read", "Calendars.Read", "Tasks.Read"]

    def _login(self, path: str) -> str:
        return f"{settings.MICROSOFT_LOGIN_URL}/{settings.MICROSOFT_TENANT}/oauth2/v2.0/{path}"

    def authorization_url(self) -> str:
        return self._login("authorize")

    def access_token_url(self) -> str:
        return self._login("token")

    def user_data(self, access_token: str, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        return self.get_json(
            f"{settings.MICROSOFT_GRAPH_URL}/v1.0/me",
            headers={"Accept": "application/json", "Authorization": f"Bearer {access_token}"},
        )


class MicrosoftProvider(Provider):
    name = "microsoft"
    title = "Microsoft Outlook and To Do"
    backend_class = MicrosoftGraphOAuth2

    def sync(self, context: SyncContext) -> Iterator[SyncChanges]:
        graph = f"{settings.MICROSOFT_GRAPH_URL}/v1.0"
        window = {
            "startDateTime": context.window_start.isoformat(),
            "endDateTime": context.window_end.isoformat(),
        }
        yield _delta(context, "calendar:default", "event", f"{graph}/me/calendarView/delta", window, _event)
        lists = context.api.get(f"{graph}/me/todo/lists").get("value") or []
        seen = set()
        for task_list in lists:
            if not isinstance(task_list, dict) or not task_list.get("id"):
                continue
            resource = f"todo:{task_list['id']}"
            seen.add(resource)
            url = f"{graph}/me/todo/lists/{quote(task_list['id'], safe='')}/tasks/delta"
            yield _delta(context, resource, "task", url, {}, _task)
        # A list deleted at Microsoft: a full listing with nothing in it removes its tasks.
        for resource in context.cursors:
            if resource.startswith("todo:") and resource not in seen:
                yield SyncChanges(kind="task", resource=resource, full=True)


def _delta(
    context: SyncContext,
    resource: str,
    kind: Literal["event", "task"],
    url: str,
    params: dict[str, str],
    parse: Any,
) -> SyncChanges:
    cursor = context.cursor(resource)
    if cursor is not None:
        try:
            return _follow(context, resource, kind, cursor["delta_link"], None, parse, full=False)
        except SyncStateExpired:
            pass
    return _follow(context, resource, kind, url, params, parse, full=True)


def _follow(
    context: SyncContext,
    resource: str,
    kind: Literal["event", "task"],
    url: str,
    params: dict[str, str] | None,
    parse: Any,
    *,
    full: bool,
) -> SyncChanges:
    """Read every page: nextLink until the deltaLink, which is kept as the cursor."""
    changes = SyncChanges(kind=kind, resource=resource, full=full)
    next_url: str | None = url
    while next_url:
        page = context.api.get(next_url, params=params, headers=_DELTA_HEADERS)
        params = None  # the links carry their own query
        for item in page.get("value") or []:
            if not isinstance(item, dict) or not item.get("id"):
                changes.malformed += 1
            elif "@removed" in item or item.get("isCancelled"):
                changes.removed.append(item["id"])
            elif (parsed := parse(item)) is None:
                changes.malformed += 1
            else:
                changes.upserts.append(parsed)
        next_url = page.get("@odata.nextLink")
        if delta_link := page.get("@odata.deltaLink"):
            changes.cursor = context.new_cursor(delta_link=delta_link)
    return changes


def _event(item: dict[str, Any]) -> EventData | None:
    start, end = item.get("start") or {}, item.get("end") or {}
    try:
        starts_at = parse_instant(start["dateTime"], start.get("timeZone"))
        ends_at = parse_instant(end["dateTime"], end.get("timeZone")) if end.get("dateTime") else None
    except (KeyError, TypeError, ValueError):
        return None
    common: EventText = {
        "external_id": str(item["id"]),
        "title": str(item.get("subject") or "(no title)")[:300],
        "location": str((item.get("location") or {}).get("displayName") or "")[:300],
        "url": str(item.get("webLink") or "")[:1000],
    }
    if item.get("isAllDay"):
        # Graph gives all-day events as midnights; the dates are what they mean, in any zone.
        return EventData.whole_days(starts_at.date(), ends_at.date() if ends_at else None, **common)
    return EventData.timed(starts_at, ends_at, **common)


def _task(item: dict[str, Any]) -> TaskData | None:
    due = item.get("dueDateTime") or {}
    try:
        due_date = parse_instant(due["dateTime"], due.get("timeZone")).date() if due.get("dateTime") else None
    except (TypeError, ValueError):
        return None
    return TaskData(
        external_id=str(item["id"]),
        title=str(item.get("title") or "(no title)")[:300],
        due_date=due_date,
        completed=item.get("status") == "completed",
    )
