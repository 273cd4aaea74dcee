"""A local stand-in for Google's OAuth 2.0 server, its userinfo endpoint and Calendar API v3 events.

FakeGoogle (a FakeOAuthProvider, see oauth_fake.py) serves on one base URL the paths of
accounts.google.com, oauth2.googleapis.com and www.googleapis.com, with the documented behaviours:

- GET /o/oauth2/v2/auth (client_id, redirect_uri, response_type=code, scope, state, access_type,
  prompt, include_granted_scopes): consents at once; the callback carries state, code, scope,
  authuser and prompt, as Google's does.
- POST /token, form-encoded, client credentials in the body or HTTP Basic. Redeeming a code answers
  {access_token, expires_in: 3599, scope, token_type: "Bearer"}, with a refresh_token only when
  access_type=offline was asked; refreshing answers a new access token and no new refresh token.
  Errors: 400 invalid_grant ("Token has been expired or revoked." for refresh tokens), 401
  invalid_client ("The OAuth client was not found."), 400 invalid_request, redirect_uri_mismatch.
- POST /revoke with token=... (an access or refresh token): revokes the whole grant, 200 {};
  an unknown or already revoked token answers 400 invalid_token.
- GET /oauth2/v3/userinfo (Bearer): {sub, name, given_name, family_name, picture, email,
  email_verified}; its 401 is {"error": "invalid_request", "error_description": "Invalid Credentials"}.
- GET /calendar/v3/calendars/primary/events (Bearer):
  - a full listing keeps events overlapping timeMin/timeMax (RFC 3339 with an offset, else 400) and
    drops cancelled ones unless showDeleted=true; orderBy=startTime needs singleEvents=true (400);
  - with syncToken, every event changed since the token was issued, whatever its dates, deleted ones
    as {kind, etag, id, status: "cancelled"}; syncToken with timeMin, timeMax, orderBy, q,
    updatedMin, iCalUID or extended-property filters answers 400; an unknown or invalidated token
    answers 410 fullSyncRequired;
  - pages of maxResults (default 250, at most 2500; `fake.page_size` overrides), opaque
    nextPageToken, and nextSyncToken on the last page only.
- API errors in Google's JSON shape {"error": {code, message, errors: [{domain, reason, message}],
  status?}}: 401 authError / UNAUTHENTICATED with WWW-Authenticate, 429 rateLimitExceeded /
  RESOURCE_EXHAUSTED, 403 rateLimitExceeded (Calendar's other rate limit answer), 500 backendError,
  410 fullSyncRequired. `google_error()` builds others for `fail_next(..., body=...)`.

Test API: add_event(summary, start, end=None, *, all_day, location, timezone, event_id),
update_event(event_id, **changes), delete_event(event_id), add_raw_event(dict) (answered verbatim),
invalidate_sync_tokens(), `page_size`, `calendar_timezone`.
"""

import base64
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest

from tests.fakes.oauth_fake import (
    OAUTH,
    Account,
    AuthorizationCode,
    ChangeFeed,
    FakeOAuthProvider,
    Grant,
    JsonDict,
    Record,
    RecordedRequest,
    Reply,
    Route,
    as_date,
    check_times,
    iso_utc,
    overlaps,
    serve,
    wire_instant,
)

TEST_GOOGLE_CLIENT_ID = "123456789012-fakeclient0123456789abcdef.apps.googleusercontent.com"
TEST_GOOGLE_CLIENT_SECRET = "GOCSPX-fake-google-client-secret"

AUTHORIZE_PATH = "/o/oauth2/v2/auth"  # accounts.google.com
TOKEN_PATH = "/token"  # oauth2.googleapis.com
REVOKE_PATH = "/revoke"  # oauth2.googleapis.com
USERINFO_PATH = "/oauth2/v3/userinfo"  # www.googleapis.com (also openidconnect.googleapis.com/v1/userinfo)
EVENTS_PATH = "/calendar/v3/calendars/primary/events"  # www.googleapis.com

USERINFO = "userinfo"  # a route kind: the userinfo endpoint answers OAuth-style errors
MAX_RESULTS_DEFAULT, MAX_RESULTS_LIMIT = 250, 2500
SYNC_TOKEN_EXCLUDES = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)
FULL_SYNC_REQUIRED = "Sync token is no longer valid, a full sync is required."
_EVENT_ARGUMENTS = ("summary", "start", "end", "all_day", "location", "timezone")

# status -> (message, reason, domain, status name)
_API_ERRORS: dict[int, tuple[str, str, str, str | None]] = {
    400: ("Bad Request", "invalid", "global", None),
    401: (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
        "or other valid authentication credential.",
        "authError",
        "global",
        "UNAUTHENTICATED",
    ),
    403: ("Rate Limit Exceeded", "rateLimitExceeded", "usageLimits", None),
    404: ("Not Found", "notFound", "global", None),
    410: (FULL_SYNC_REQUIRED, "fullSyncRequired", "global", None),
    429: ("Rate Limit Exceeded", "rateLimitExceeded", "usageLimits", "RESOURCE_EXHAUSTED"),
    500: ("Backend Error", "backendError", "global", None),
    503: ("Backend Error", "backendError", "global", None),
}


def google_error(status: int, message: str | None = None, reason: str | None = None) -> JsonDict:
    """Google's API error body: {"error": {code, message, errors: [...], status?}}."""
    default_message, default_reason, domain, status_name = _API_ERRORS.get(
        status, ("Backend Error" if status >= 500 else "Bad Request", "backendError", "global", None)
    )
    message = message or default_message
    detail = {"domain": domain, "reason": reason or default_reason, "message": message}
    if status == 401:
        detail = {**detail, "message": "Invalid Credentials", "location": "Authorization"}
        detail["locationType"] = "header"
    body: JsonDict = {"code": status, "message": message, "errors": [detail]}
    if status_name:
        body["status"] = status_name
    return {"error": body}


class FakeGoogle(FakeOAuthProvider):
    authorize_path = re.escape(AUTHORIZE_PATH)
    token_path = re.escape(TOKEN_PATH)
    authorize_required = ("client_id", "redirect_uri", "response_type", "scope", "state")
    www_authenticate = 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
    token_prefixes = ("4/0A", "ya29.a0", "1//0")
    OAUTH_ERRORS: ClassVar[dict[str, tuple[int, str, str]]] = {
        **FakeOAuthProvider.OAUTH_ERRORS,
        "no_client": (401, "invalid_client", "The OAuth client was not found."),
        "unknown_client": (401, "invalid_client", "The OAuth client was not found."),
        "bad_secret": (401, "invalid_client", "Unauthorized"),
        "bad_code": (400, "invalid_grant", "Malformed auth code."),
        "code_used": (400, "invalid_grant", "Bad Request"),
        "code_expired": (400, "invalid_grant", "Bad Request"),
        "client_mismatch": (400, "invalid_grant", "Bad Request"),
        "redirect_mismatch": (400, "redirect_uri_mismatch", "Bad Request"),
        "refresh_invalid": (400, "invalid_grant", "Token has been expired or revoked."),
        "unsupported_grant": (400, "unsupported_grant_type", "Invalid grant_type: {grant_type}"),
    }

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.calendar_timezone = "UTC"  # the primary calendar's: all-day events start at its midnight
        self.events = ChangeFeed(self)

    def default_account(self) -> Account:
        return Account(
            id="109876543210987654321",
            email="ada.lovelace@gmail.com",
            name="Ada Lovelace",
            picture="https://lh3.googleusercontent.com/a/fake-picture=s96-c",
        )

    def api_routes(self) -> list[Route]:
        return [
            Route("POST", re.escape(REVOKE_PATH), self._revoke, OAUTH, bearer=False),
            Route("GET", re.escape(USERINFO_PATH), self._userinfo, USERINFO),
            Route("GET", re.escape(EVENTS_PATH), self._list_events),
        ]

    # --- OAuth specifics ---------------------------------------------------------------------------
    def check_authorize(self, params: dict[str, str]) -> str | None:
        if params.get("access_type", "online") not in ("online", "offline"):
            return f"Invalid access_type: {params['access_type']}"
        return None

    def callback_params(self, code: AuthorizationCode) -> dict[str, str]:
        return {
            "state": code.params["state"],
            "code": code.value,
            "scope": code.scope,
            "authuser": "0",
            "prompt": "consent",
        }

    def wants_refresh_token(self, params: dict[str, str]) -> bool:
        return params.get("access_type") == "offline"

    def token_response(
        self, request: RecordedRequest, grant: Grant, access_token: str, refresh_token: str | None
    ) -> JsonDict:
        body = {
            "access_token": access_token,
            "expires_in": self.expires_in,
            "scope": grant.scope,
            "token_type": "Bearer",
        }
        return {**body, "refresh_token": refresh_token} if refresh_token else body

    def api_error(self, request: RecordedRequest, status: int, message: str | None = None) -> JsonDict:
        return google_error(status, message)

    def error_body(self, request: RecordedRequest, kind: str, status: int, message: str | None = None) -> Any:
        if kind == USERINFO and status == 401:
            return {"error": "invalid_request", "error_description": "Invalid Credentials"}
        return super().error_body(request, kind, status, message)

    def _revoke(self, request: RecordedRequest) -> Reply:
        token = (request.form or {}).get("token") or request.query.get("token", "")
        if not self._revoke_token(token):
            return Reply(400, {"error": "invalid_token", "error_description": "Token expired or revoked"})
        return Reply(200, {})

    def _userinfo(self, request: RecordedRequest) -> Reply:
        account = request.grant.account
        return Reply(
            200,
            {
                "sub": account.id,
                "name": account.name,
                "given_name": account.given_name,
                "family_name": account.family_name,
                "picture": account.picture,
                "email": account.email,
                "email_verified": True,
            },
        )

    # --- Calendar: the test's controls -----------------------------------------------------------
    def add_event(
        self,
        summary: str,
        start: datetime | date,
        end: datetime | date | None = None,
        *,
        all_day: bool = False,
        location: str | None = None,
        timezone: str = "UTC",
        event_id: str | None = None,
    ) -> JsonDict:
        """A confirmed event. Without an end, a timed event has none (malformed); all-day ones last a day."""
        if all_day and end is None:
            end = as_date(start) + timedelta(days=1)
        fields = {"summary": summary, "start": start, "end": end, "all_day": all_day}
        fields |= {"location": location, "timezone": timezone}
        check_times(fields)
        return self._event(self.events.add(event_id or uuid.uuid4().hex, fields))

    def update_event(self, event_id: str, **changes: Any) -> JsonDict:
        """Change add_event's arguments, or set any other key of the event verbatim (status=...)."""
        record = self.events.get(event_id)
        check_times({**record.fields, **changes})
        return self._event(self.events.update(event_id, changes))

    def delete_event(self, event_id: str) -> None:
        self.events.delete(event_id)

    def add_raw_event(self, event: JsonDict) -> JsonDict:
        """An event answered exactly as given (its "id", when it has one, names it for updates)."""
        self.events.add(str(event.get("id") or uuid.uuid4().hex), {"raw": event})
        return event

    # --- Calendar: the API -----------------------------------------------------------------------
    def _event(self, record: Record) -> JsonDict:
        etag = f'"{3_400_000_000_000_000 + record.seq}"'
        if record.deleted:
            return {"kind": "calendar#event", "etag": etag, "id": record.id, "status": "cancelled"}
        fields = dict(record.fields)
        if "raw" in fields:
            return {**fields.pop("raw"), **fields}
        summary, start, end, all_day, location, timezone = (fields.pop(name) for name in _EVENT_ARGUMENTS)
        email = self.account.email
        eid = base64.urlsafe_b64encode(f"{record.id} {email}".encode()).decode().rstrip("=")
        event: JsonDict = {
            "kind": "calendar#event",
            "etag": etag,
            "id": record.id,
            "status": "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={eid}",
            "created": iso_utc(record.created),
            "updated": iso_utc(record.modified),
            "summary": summary,
        }
        if location:
            event["location"] = location
        event |= {
            "creator": {"email": email, "self": True},
            "organizer": {"email": email, "self": True},
            "start": _when(start, all_day, timezone),
        }
        if end is not None:
            event["end"] = _when(end, all_day, timezone)
        event |= {
            "iCalUID": f"{record.id}@google.com",
            "sequence": 0,
            "reminders": {"useDefault": True},
            "eventType": "default",
        }
        return {**event, **fields}

    def _bounds(self, event: JsonDict) -> tuple[datetime | None, datetime | None]:
        return (
            wire_instant(event.get("start"), self.calendar_timezone),
            wire_instant(event.get("end"), self.calendar_timezone),
        )

    def _list_events(self, request: RecordedRequest) -> Reply:
        query = request.query
        try:
            size = int(query.get("maxResults", MAX_RESULTS_DEFAULT))
            if not 1 <= size <= MAX_RESULTS_LIMIT:
                raise ValueError
        except ValueError:
            message = f"Invalid value '{query['maxResults']}'. Values must be within the range: [1, 2500]"
            return Reply(400, google_error(400, message))
        size = self.page_size or size
        seq = self._seq
        if query.get("pageToken"):
            cursor = self._resume(query["pageToken"])
            if cursor is None:
                return Reply(400, google_error(400, "Invalid page token value."))
            events, seq = cursor.items, cursor.context["seq"]
        elif query.get("syncToken"):
            if clash := next((name for name in SYNC_TOKEN_EXCLUDES if name in query), None):
                return Reply(400, google_error(400, f"The parameter {clash} cannot be used with syncToken."))
            context = self._sync_context(query["syncToken"])
            if context is None:
                return Reply(410, google_error(410))
            events = [self._event(record) for record in self.events.changed_since(context["seq"])]
        else:
            listing = self._full_listing(query)
            if isinstance(listing, Reply):
                return listing
            events = listing
        page, next_token = self._page(events, size, {"seq": seq})
        body: JsonDict = {
            "kind": "calendar#events",
            "etag": f'"p{seq:016d}"',
            "summary": request.grant.account.email,
            "description": "",
            "updated": iso_utc(self.clock()),
            "timeZone": self.calendar_timezone,
            "accessRole": "owner",
            "defaultReminders": [],
            "items": page,
        }
        if next_token:
            body["nextPageToken"] = next_token
        else:
            body["nextSyncToken"] = self._issue_sync_token({"seq": seq})
        return Reply(200, body)

    def _full_listing(self, query: dict[str, str]) -> list[JsonDict] | Reply:
        try:
            window = (_rfc3339(query.get("timeMin")), _rfc3339(query.get("timeMax")))
        except ValueError:
            return Reply(400, google_error(400, "Bad Request", "badRequest"))
        order = query.get("orderBy")
        if order == "startTime" and query.get("singleEvents") != "true":
            message = "The requested ordering is not available for the particular query."
            return Reply(400, google_error(400, message, "badRequest"))
        show_deleted = query.get("showDeleted") == "true"
        events = [
            event
            for event in map(self._event, self.events.records.values())
            if (show_deleted or event.get("status") != "cancelled") and overlaps(*self._bounds(event), window)
        ]
        if order == "startTime":
            far = datetime.max.replace(tzinfo=UTC)
            events.sort(key=lambda event: self._bounds(event)[0] or far)
        elif order == "updated":
            events.sort(key=lambda event: str(event.get("updated", "")))
        return events


def _when(value: datetime | date, all_day: bool, timezone: str) -> JsonDict:
    if all_day:
        return {"date": as_date(value).isoformat()}
    assert isinstance(value, datetime)
    text = value.astimezone(ZoneInfo(timezone)).isoformat()
    if text.endswith("+00:00"):
        text = text.removesuffix("+00:00") + "Z"
    return {"dateTime": text, "timeZone": timezone}


def _rfc3339(value: str | None) -> datetime | None:
    """timeMin/timeMax: RFC 3339 with a mandatory offset."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value} has no time zone offset")
    return moment


@pytest.fixture
def google_fake() -> Iterator[FakeGoogle]:
    """A running FakeGoogle with the TEST_GOOGLE_CLIENT_ID client registered (settings untouched)."""
    yield from serve(FakeGoogle(), TEST_GOOGLE_CLIENT_ID, TEST_GOOGLE_CLIENT_SECRET)
