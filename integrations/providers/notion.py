"""Notion: an OAuth2 backend for social-core (which ships none), and the tasks of the one
database the user picked.

Notion's public-connection flow (developers.notion.com, API version 2025-09-03): authorize at
/v1/oauth/authorize with owner=user; exchange the code at /v1/oauth/token with HTTP Basic
client credentials and a JSON body; the answer names the connection (bot_id) and the person
who granted it, and carries a refresh token but no expiry. /v1/oauth/revoke ends the grant.

A database is read through its data source. Notion offers no sync token, so every sync lists
the whole data source and whatever is no longer there (deleted, archived) is removed.
"""

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from requests.auth import HTTPBasicAuth
from social_core.backends.oauth import BaseOAuth2

from integrations.providers.base import (
    Provider,
    ProviderApi,
    SyncChanges,
    SyncContext,
    TaskData,
    parse_instant,
)

NOTION_VERSION = "2025-09-03"
PAGE_SIZE = 100
_DONE_STATUSES = {"done", "complete", "completed"}


class NotionOAuth2(BaseOAuth2[HttpResponse]):
    name = "notion"
    title = "Notion"
    ASSOCIATION_ONLY = True
    ID_KEY = "bot_id"
    REQUIRES_USER_ID = True
    USE_BASIC_AUTH = True
    ACCESS_TOKEN_METHOD = "POST"
    ACCESS_TOKEN_PAYLOAD = "json"
    REDIRECT_STATE = False
    STATE_PARAMETER = True
    DEFAULT_SCOPE: list[str] = []  # Notion has no scopes: the user picks pages and databases

    def _url(self, path: str) -> str:
        return f"{settings.NOTION_API_URL}/v1/oauth/{path}"

    def authorization_url(self) -> str:
        return self._url("authorize")

    def access_token_url(self) -> str:
        return self._url("token")

    def auth_extra_arguments(self) -> dict[str, str]:
        return {**super().auth_extra_arguments(), "owner": "user"}

    def auth_headers(self) -> dict[str, str | bytes]:
        return {**super().auth_headers(), "Notion-Version": NOTION_VERSION}

    def user_data(self, access_token: str, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        return {}  # the token response already names the workspace and the person

    def get_user_details(self, response: dict[str, Any]) -> dict[str, Any]:
        person = ((response.get("owner") or {}).get("user")) or {}
        name = person.get("name") or ""
        return {
            "username": name or response.get("workspace_name") or "",
            "email": (person.get("person") or {}).get("email") or "",
            "fullname": name,
        }

    def get_provider_error(self, data: object, **kwargs: Any) -> Any:
        """Notion may answer its OAuth errors in its API's shape ({"object": "error", "code",
        "message"}); read them as RFC 6749's so invalid_grant still means "reconnect"."""
        if isinstance(data, dict) and data.get("object") == "error" and "error" not in data:
            data = {"error": data.get("code"), "error_description": data.get("message", "")}
        return super().get_provider_error(data, **kwargs)

    def _client_auth(self) -> HTTPBasicAuth:
        return HTTPBasicAuth(*self.get_key_and_secret())

    def refresh_token(self, token: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # Notion wants the refresh as JSON with Basic credentials, not social-core's form body.
        response = self.request_access_token(
            self.access_token_url(),
            method="POST",
            headers=self.auth_headers(),
            json={"grant_type": "refresh_token", "refresh_token": token},
            auth=self._client_auth(),
            stage="refresh",
        )
        self.get_access_token(response)
        return response

    def revoke_token(self, token: str, uid: str) -> bool:
        response = self.request(
            self._url("revoke"),
            method="POST",
            headers=self.auth_headers(),
            json={"token": token},
            auth=self._client_auth(),
            stage="disconnect",
        )
        return response.status_code == 200


class NotionProvider(Provider):
    name = "notion"
    title = "Notion"
    backend_class = NotionOAuth2
    api_headers = {"Notion-Version": NOTION_VERSION}

    def sources(self, api: ProviderApi) -> list[dict[str, str]]:
        """The data sources (databases) the user shared with us."""
        found = []
        body: dict[str, Any] = {
            "filter": {"property": "object", "value": "data_source"},
            "page_size": PAGE_SIZE,
        }
        for item in _pages(api, f"{settings.NOTION_API_URL}/v1/search", body):
            if isinstance(item, dict) and item.get("object") == "data_source" and item.get("id"):
                parent = item.get("parent") or {}
                found.append(
                    {
                        "id": item["id"],
                        "title": _plain_text(item.get("title")) or "(untitled)",
                        "database_id": parent.get("database_id") or "",
                    }
                )
        return found

    def sync(self, context: SyncContext) -> Iterator[SyncChanges]:
        if not context.task_source_id:
            return  # nothing picked yet
        source = context.task_source_id
        changes = SyncChanges(kind="task", resource=f"notion:{source}", full=True)
        url = f"{settings.NOTION_API_URL}/v1/data_sources/{source}/query"
        for page in _pages(context.api, url, {"page_size": PAGE_SIZE}):
            task = _task(page, context) if isinstance(page, dict) else None
            if task is None:
                changes.malformed += 1
            elif not (page.get("archived") or page.get("in_trash")):
                changes.upserts.append(task)
        yield changes


def _pages(api: ProviderApi, url: str, body: dict[str, Any]) -> Iterator[Any]:
    """Every result of a paginated Notion list (start_cursor / next_cursor)."""
    cursor = None
    while True:
        page = api.post(url, json={**body, **({"start_cursor": cursor} if cursor else {})})
        yield from page.get("results") or []
        cursor = page.get("next_cursor")
        if not page.get("has_more") or not cursor:
            return


def _plain_text(rich_text: Any) -> str:
    if not isinstance(rich_text, list):
        return ""
    return "".join(str(part.get("plain_text") or "") for part in rich_text if isinstance(part, dict)).strip()


def _task(page: dict[str, Any], context: SyncContext) -> TaskData | None:
    """A page of the task database: its title property, the first date property (one whose
    name says "due" first), and a checkbox or a status named Done for completion."""
    properties = page.get("properties")
    if not page.get("id") or not isinstance(properties, dict):
        return None
    by_type: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for name, prop in properties.items():
        if isinstance(prop, dict):
            by_type.setdefault(str(prop.get("type")), []).append((name.lower(), prop))
    title = _plain_text(by_type["title"][0][1].get("title")) if by_type.get("title") else ""
    dates = sorted(by_type.get("date", []), key=lambda named: "due" not in named[0])
    due_date, due_at = _due(dates[0][1].get("date") if dates else None, context)
    completed = any(prop.get("checkbox") is True for _, prop in by_type.get("checkbox", [])) or any(
        str((prop.get("status") or {}).get("name", "")).lower() in _DONE_STATUSES
        for _, prop in by_type.get("status", [])
    )
    return TaskData(
        external_id=str(page["id"]),
        title=(title or "(untitled)")[:300],
        due_date=due_date,
        due_at=due_at,
        completed=completed,
        url=str(page.get("url") or "")[:1000],
    )


def _due(value: Any, context: SyncContext) -> tuple[date | None, datetime | None]:
    """A date property's start: a bare date stays a date; a time is also the user's local day."""
    start = value.get("start") if isinstance(value, dict) else None
    if not start:
        return None, None
    try:
        if "T" not in start:
            return date.fromisoformat(start), None
        due_at = parse_instant(start, value.get("time_zone"))
    except (TypeError, ValueError):
        return None, None
    return due_at.astimezone(context.timezone).date(), due_at
