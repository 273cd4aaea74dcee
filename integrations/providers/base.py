"""What every provider module implements, and the HTTP client they all call through.

A provider is one module: a social-core OAuth2 backend (authorization, token exchange,
refresh, revocation) and a `sync` generator that reads the provider's API and yields one
`SyncChanges` per resource (a calendar, a task list, a Notion database). The services apply
the changes and keep the cursors; a provider never touches the database.
"""

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, Literal, TypedDict, Unpack
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.http import HttpResponse
from social_core.backends.oauth import BaseOAuth2

from assistant.core.backoff import retry_after_from_headers
from integrations import metrics

# --- Errors: each tells the caller what to do next -----------------------------------------


class ProviderError(Exception):
    """The provider could not do what we asked."""


class TransientProviderError(ProviderError):
    """Try again later (5xx, network trouble, rate limit)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(TransientProviderError):
    """429: wait for Retry-After before the next request."""


class ReauthRequired(ProviderError):
    """Our grant is gone (invalid_grant, revoked, no refresh token): the user must reconnect."""


class SyncStateExpired(ProviderError):
    """410: the sync token or delta link is no longer valid; a full sync is needed."""


class PermanentProviderError(ProviderError):
    """The provider refused the request itself; repeating it will not help."""


# --- What a sync yields --------------------------------------------------------------------


class EventText(TypedDict):
    """What an event says besides its times."""

    external_id: str
    title: str
    location: str
    url: str


@dataclass(frozen=True)
class EventData:
    """An event as a provider describes it. Timed: the two instants. All day: the dates
    (end exclusive), which mean the same days in every time zone."""

    external_id: str
    title: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    start_date: date | None = None
    end_date: date | None = None
    location: str = ""
    url: str = ""

    @property
    def all_day(self) -> bool:
        return self.start_date is not None

    @classmethod
    def timed(cls, starts_at: datetime, ends_at: datetime | None, **fields: Unpack[EventText]) -> "EventData":
        """An event with times; with no end (or one before its start) it is a moment."""
        return cls(starts_at=starts_at, ends_at=max(ends_at or starts_at, starts_at), **fields)

    @classmethod
    def whole_days(cls, start_date: date, end_date: date | None, **fields: Unpack[EventText]) -> "EventData":
        """An all-day event; with no end (or one not after its start) it lasts its one day."""
        end_date = max(end_date or start_date, start_date + timedelta(days=1))
        return cls(start_date=start_date, end_date=end_date, **fields)


@dataclass(frozen=True)
class TaskData:
    external_id: str
    title: str
    due_date: date | None = None
    due_at: datetime | None = None
    completed: bool = False
    url: str = ""


@dataclass
class SyncChanges:
    """One resource's changes. `full`: a complete listing, so rows of this resource that it
    does not mention are gone. `cursor`: what to keep for the next (incremental) sync."""

    kind: Literal["event", "task"]
    resource: str
    upserts: list[EventData | TaskData] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    full: bool = False
    cursor: dict[str, Any] | None = None
    malformed: int = 0


@dataclass(frozen=True)
class SyncContext:
    api: "ProviderApi"
    cursors: dict[str, dict[str, Any]]
    window_start: datetime
    window_end: datetime
    timezone: ZoneInfo
    task_source_id: str = ""

    def cursor(self, resource: str) -> dict[str, Any] | None:
        """The resource's cursor, unless the window has since moved on by more than a day:
        an incremental sync only reports changes inside the window it started with."""
        cursor = self.cursors.get(resource)
        if not cursor:
            return None
        window_end = cursor.get("window_end")
        if window_end and datetime.fromisoformat(window_end) + timedelta(days=1) < self.window_end:
            return None
        return cursor

    def new_cursor(self, **values: str) -> dict[str, str]:
        return {**values, "window_end": self.window_end.isoformat()}


# --- The provider interface ----------------------------------------------------------------


class Provider(ABC):
    name: ClassVar[str]  # ours: "google", "microsoft", "notion" (URLs, metrics labels)
    title: ClassVar[str]
    backend_class: ClassVar[type[BaseOAuth2[HttpResponse]]]
    # Extra headers on every API call (Notion's API version).
    api_headers: ClassVar[dict[str, str]] = {}

    def is_configured(self) -> bool:
        backend_name = self.backend_class.name.upper().replace("-", "_")
        return bool(
            getattr(settings, f"SOCIAL_AUTH_{backend_name}_KEY", "")
            and getattr(settings, f"SOCIAL_AUTH_{backend_name}_SECRET", "")
        )

    @abstractmethod
    def sync(self, context: SyncContext) -> Iterator[SyncChanges]:
        """Read the provider and yield each resource's changes."""

    def sources(self, api: "ProviderApi") -> list[dict[str, str]]:
        """What the user may pick to sync from (Notion's databases); most have nothing to pick."""
        return []


# --- HTTP ----------------------------------------------------------------------------------


def _outcome(status: int) -> str:
    if status < 400:
        return "ok"
    if status == 401:
        return "unauthorized"
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server_error"
    return "client_error"


class ProviderApi:
    """Calls to one provider for one integration: the bearer token, timeouts, the request
    histogram, one refresh-and-retry on 401, and failures sorted into the errors above."""

    def __init__(
        self,
        *,
        provider: str,
        access_token: str,
        refresh: Callable[[], str],
        headers: dict[str, str] | None = None,
    ) -> None:
        self.provider = provider
        self._access_token = access_token
        self._refresh = refresh
        self._session = requests.Session()
        self._session.headers.update({"Accept": "application/json", **(headers or {})})

    def get(
        self, url: str, *, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        return self.request("GET", url, params=params, headers=headers)

    def post(self, url: str, *, json: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.request("POST", url, json=json)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = self._send(method, url, params=params, json=json, headers=headers)
        if response.status_code == 401:
            # Expired early or revoked: refresh once (ReauthRequired if that fails too).
            self._access_token = self._refresh()
            response = self._send(method, url, params=params, json=json, headers=headers)
            if response.status_code == 401:
                raise ReauthRequired(f"{self.provider} refused a freshly refreshed token")
        return self._parse(response)

    def close(self) -> None:
        self._session.close()

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._access_token}", **(kwargs.pop("headers") or {})}
        started = time.perf_counter()
        try:
            response = self._session.request(
                method, url, headers=headers, timeout=settings.INTEGRATION_HTTP_TIMEOUT_SECONDS, **kwargs
            )
        except requests.RequestException as error:
            self._observe("network_error", started)
            raise TransientProviderError(f"{self.provider}: {type(error).__name__}") from None
        self._observe(_outcome(response.status_code), started)
        return response

    def _observe(self, outcome: str, started: float) -> None:
        metrics.integration_api_request_duration_seconds.labels(
            provider=self.provider, outcome=outcome
        ).observe(time.perf_counter() - started)

    def _parse(self, response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        if status == 429:
            raise RateLimited(
                f"{self.provider} rate limit",
                retry_after=retry_after_from_headers(response.headers),
            )
        if status >= 500:
            raise TransientProviderError(
                f"{self.provider} answered {status}",
                retry_after=retry_after_from_headers(response.headers),
            )
        if status == 410:
            raise SyncStateExpired(f"{self.provider}: sync state expired")
        if status >= 400:
            raise PermanentProviderError(f"{self.provider} answered {status}: {_error_summary(response)}")
        try:
            body = response.json()
        except ValueError:
            raise PermanentProviderError(
                f"{self.provider} answered {status} with a body that is not JSON"
            ) from None
        if not isinstance(body, dict):
            raise PermanentProviderError(f"{self.provider} answered {status} with JSON that is not an object")
        return body


def _error_summary(response: requests.Response) -> str:
    """The provider's error code and message, never the request (it may carry a token)."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code', '')} {error.get('message', '')}".strip()[:200]
    if isinstance(body, dict):
        return f"{body.get('code') or error or ''} {body.get('message', '')}".strip()[:200]
    return ""


def parse_instant(value: str, zone: str | None = None) -> datetime:
    """An RFC 3339 / ISO 8601 time; one without an offset is read in `zone` (UTC if none).

    Graph writes seven fractional digits ("2026-11-27T09:00:00.0000000"), one more than
    Python reads, so the fraction is cut to microseconds first.
    """
    head, dot, rest = value.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        value = f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(zone))
    return moment


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ValueError, KeyError):  # a Windows zone name or garbage: UTC, as we asked Graph for
        return ZoneInfo("UTC")
