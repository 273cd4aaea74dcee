"""A local stand-in for the Microsoft identity platform (v2.0 endpoints) and Microsoft Graph v1.0.

FakeMicrosoft (a FakeOAuthProvider, see oauth_fake.py) serves on one base URL the paths of
login.microsoftonline.com and graph.microsoft.com, with the documented behaviours:

- GET /{tenant}/oauth2/v2.0/authorize (client_id, redirect_uri, response_type=code, scope, state,
  response_mode=query; any tenant: common, organizations, a GUID...): consents at once; the callback
  carries code, state and session_state. A denied consent also carries AADSTS65004's
  error_description.
- POST /{tenant}/oauth2/v2.0/token, form-encoded, client credentials in the body (or HTTP Basic).
  Both grants answer {token_type: "Bearer", scope, expires_in: 3599, ext_expires_in: 3599,
  access_token, refresh_token}; the refresh token only when offline_access was asked, and a
  refresh rotates it (the new one works; so does the old). `scope` lists the granted scopes without
  offline_access, which is not an access-token scope. Errors: {error, error_description:
  "AADSTS70008: ...", error_codes, timestamp, trace_id, correlation_id, error_uri}.
- GET /v1.0/me: the user ({id, displayName, givenName, surname, mail, userPrincipalName, ...}).
- GET /v1.0/me/calendarView/delta?startDateTime&endDateTime: one round of delta query. Pages of
  `Prefer: odata.maxpagesize=N` (default 10; `fake.page_size` overrides) linked by an absolute
  @odata.nextLink ($skiptoken); the last page has an @odata.deltaLink ($deltatoken). Tokens carry
  the window: links need no startDateTime/endDateTime. Following a deltaLink answers what changed
  since, within the window: new or updated events in full, deleted ones (and ones that left the
  window) as {"id", "@removed": {"reason": "deleted"}}. Times are always in UTC, as with
  `Prefer: outlook.timezone="UTC"` (acknowledged in Preference-Applied). An invalidated or unknown
  token answers 410 SyncStateNotFound; a first request without the window, 400.
- GET /v1.0/me/todo/lists: the default "Tasks" list (wellknownListName defaultList) and any added.
- GET /v1.0/me/todo/lists/{id}/tasks/delta: the same paging and @removed semantics, for todoTasks.
- Graph paths are case-insensitive, as Graph's are; ids are long URL-safe base64 with a trailing
  "=", so our app must quote them in paths.
- Graph errors {"error": {code, message, innerError: {date, request-id, client-request-id}}}: 401
  InvalidAuthenticationToken (with WWW-Authenticate), 404 ErrorItemNotFound, 410 SyncStateNotFound,
  429 TooManyRequests, 500 generalException, 503 serviceNotAvailable; `graph_error()` builds others.

Test API: add_event(subject, start, end, *, all_day, location, event_id), update_event,
delete_event, add_raw_event, add_task(title, *, due, status, list_id), update_task, delete_task,
add_task_list(name), default_list_id, invalidate_sync_tokens(), `page_size`.
"""

import base64
import re
import secrets
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, unquote

import pytest

from tests.fakes.oauth_fake import (
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

TEST_MICROSOFT_CLIENT_ID = "3f2b8c4e-1d5a-4e6f-9a7b-0c1d2e3f4a5b"
TEST_MICROSOFT_CLIENT_SECRET = "fake~Microsoft.Client-Secret_0123456789abcdef"
TEST_MICROSOFT_TENANT = "common"

AUTHORIZE_PATH = "/{tenant}/oauth2/v2.0/authorize"  # login.microsoftonline.com
TOKEN_PATH = "/{tenant}/oauth2/v2.0/token"  # login.microsoftonline.com
ME_PATH = "/v1.0/me"  # graph.microsoft.com, as are the following
CALENDAR_DELTA_PATH = "/v1.0/me/calendarView/delta"
TODO_LISTS_PATH = "/v1.0/me/todo/lists"
TASKS_DELTA_PATH = "/v1.0/me/todo/lists/{list_id}/tasks/delta"

GRAPH = "https://graph.microsoft.com/v1.0"
DEFAULT_PAGE_SIZE = 10
Window = tuple[datetime | None, datetime | None]
_EVENT_ARGUMENTS = ("subject", "start", "end", "all_day", "location")
_TASK_ARGUMENTS = ("title", "due", "status")

# What went wrong at the token endpoint -> AADSTS code.
_AADSTS = {
    "malformed_body": 900144,
    "missing_param": 900144,
    "no_client": 900144,
    "unknown_client": 700016,
    "bad_secret": 7000215,
    "bad_code": 9002313,
    "code_used": 54005,
    "code_expired": 70008,
    "client_mismatch": 70000,
    "redirect_mismatch": 70000,
    "refresh_invalid": 70008,
    "unsupported_grant": 70003,
}
_GRAPH_ERRORS = {
    400: ("BadRequest", "Invalid request."),
    401: ("InvalidAuthenticationToken", "Access token has expired or is not yet valid."),
    403: ("ErrorAccessDenied", "Access is denied. Check credentials and try again."),
    404: ("ErrorItemNotFound", "The specified object was not found in the store."),
    410: ("SyncStateNotFound", "The sync state generation is not found."),
    429: ("TooManyRequests", "Too many requests."),
    500: ("generalException", "General exception while processing."),
    503: ("serviceNotAvailable", "Service Unavailable"),
}


def graph_error(
    status: int,
    message: str | None = None,
    code: str | None = None,
    *,
    request_id: str = "",
    client_request_id: str = "",
    when: datetime,
) -> JsonDict:
    """Graph's error body: {"error": {code, message, innerError: {date, request-id, client-request-id}}}."""
    default_code, default_message = _GRAPH_ERRORS.get(
        status, ("generalException" if status >= 500 else "BadRequest", "An error occurred.")
    )
    inner = {
        "date": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": request_id,
        "client-request-id": client_request_id or request_id,
    }
    return {
        "error": {"code": code or default_code, "message": message or default_message, "innerError": inner}
    }


class FakeMicrosoft(FakeOAuthProvider):
    authorize_path = r"/(?P<tenant>[^/]+)/oauth2/v2\.0/authorize"
    token_path = r"/(?P<tenant>[^/]+)/oauth2/v2\.0/token"
    authorize_required = ("client_id", "redirect_uri", "response_type", "scope", "state")
    rotates_refresh_tokens = True
    www_authenticate = (
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
        'client_id="00000003-0000-0000-c000-000000000000"'
    )
    consent_denied_params = {
        "error_description": "AADSTS65004: User declined to consent to access the app.",
    }
    token_prefixes = ("1.AXkA", "EwBYA8l6BAAU", "M.C540_BAY.0.U.-")
    OAUTH_ERRORS: ClassVar[dict[str, tuple[int, str, str]]] = {
        **FakeOAuthProvider.OAUTH_ERRORS,
        "malformed_body": (
            400,
            "invalid_request",
            "The request body must contain the following parameter: 'grant_type'.",
        ),
        "missing_param": (
            400,
            "invalid_request",
            "The request body must contain the following parameter: '{param}'.",
        ),
        "no_client": (
            400,
            "invalid_request",
            "The request body must contain the following parameter: 'client_id'.",
        ),
        "unknown_client": (
            400,
            "unauthorized_client",
            "Application with identifier '{client_id}' was not found in the directory 'Fake'.",
        ),
        "bad_secret": (
            401,
            "invalid_client",
            "Invalid client secret provided. Ensure the secret being sent in the request is the client "
            "secret value, not the client secret ID, for a secret added to app '{client_id}'.",
        ),
        "bad_code": (400, "invalid_grant", "Invalid request. Request is malformed or invalid."),
        "code_used": (
            400,
            "invalid_grant",
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an "
            "existing refresh token.",
        ),
        "code_expired": (
            400,
            "invalid_grant",
            "The provided authorization code or refresh token has expired due to inactivity. Send a new "
            "interactive authorization request for this user and resource.",
        ),
        "client_mismatch": (400, "invalid_grant", "Provided grant is invalid or malformed."),
        "redirect_mismatch": (400, "invalid_grant", "Provided grant is invalid or malformed."),
        "refresh_invalid": (
            400,
            "invalid_grant",
            "The provided authorization code or refresh token has expired due to inactivity. Send a new "
            "interactive authorization request for this user and resource.",
        ),
        "unsupported_grant": (
            400,
            "unsupported_grant_type",
            "The app requested an unsupported grant type '{grant_type}'.",
        ),
    }

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.events = ChangeFeed(self)
        self.tasks = ChangeFeed(self)
        self.task_lists: dict[str, JsonDict] = {}
        self.default_list_id = self.add_task_list("Tasks", wellknown="defaultList")

    def default_account(self) -> Account:
        return Account(
            id="6f1d9c2a-8b3e-4f5a-9c6d-7e8f9a0b1c2d", email="ada.lovelace@outlook.com", name="Ada Lovelace"
        )

    def api_routes(self) -> list[Route]:
        return [
            Route("GET", r"(?i)/v1\.0/me", self._me),
            Route("GET", r"(?i)/v1\.0/me/calendarView/delta", self._events_delta),
            Route("GET", r"(?i)/v1\.0/me/todo/lists", self._task_lists),
            Route("GET", r"(?i)/v1\.0/me/todo/lists/(?P<list_id>[^/]+)/tasks/delta", self._tasks_delta),
        ]

    # --- OAuth specifics -----------------------------------------------------------------------------
    def check_authorize(self, params: dict[str, str]) -> str | None:
        if params.get("response_mode", "query") != "query":
            return (
                f"response_mode={params['response_mode']}: the fake only redirects with response_mode=query"
            )
        return None

    def callback_params(self, code: AuthorizationCode) -> dict[str, str]:
        return {"code": code.value, "state": code.params["state"], "session_state": str(uuid.uuid4())}

    def wants_refresh_token(self, params: dict[str, str]) -> bool:
        return "offline_access" in params.get("scope", "").split()

    def token_response(
        self, request: RecordedRequest, grant: Grant, access_token: str, refresh_token: str | None
    ) -> JsonDict:
        body = {
            "token_type": "Bearer",
            "scope": " ".join(s for s in grant.scope.split() if s != "offline_access"),
            "expires_in": self.expires_in,
            "ext_expires_in": self.expires_in,
            "access_token": access_token,
        }
        return {**body, "refresh_token": refresh_token} if refresh_token else body

    def oauth_error_body(self, request: RecordedRequest, error: str, description: str, what: str) -> JsonDict:
        code = _AADSTS.get(what)
        trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
        timestamp = self.clock().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        if code is not None:
            description = f"AADSTS{code}: {description}"
        description += (
            f"\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}"
        )
        body = {"error": error, "error_description": description}
        if code is not None:
            body |= {"error_codes": [code]}
        body |= {"timestamp": timestamp, "trace_id": trace_id, "correlation_id": correlation_id}
        if code is not None:
            body |= {"error_uri": f"https://login.microsoftonline.com/error?code={code}"}
        return body

    def api_error(self, request: RecordedRequest, status: int, message: str | None = None) -> JsonDict:
        if status == 401 and request.bearer is None:
            message = message or "Access token is empty."
        return self._error(request, status, message)

    def response_headers(self, request: RecordedRequest) -> dict[str, str]:
        if not request.path.lower().startswith("/v1.0/"):
            return {}
        return {
            "request-id": request.request_id,
            "client-request-id": request.header("client-request-id") or request.request_id,
        }

    # --- the test's controls ---------------------------------------------------------------------
    def add_event(
        self,
        subject: str,
        start: datetime | date,
        end: datetime | date | None,
        *,
        all_day: bool = False,
        location: str | None = None,
        event_id: str | None = None,
    ) -> JsonDict:
        """An event (times as aware datetimes, or dates with all_day). end=None leaves "end" out."""
        fields = {"subject": subject, "start": start, "end": end, "all_day": all_day, "location": location}
        check_times(fields)
        return self._event(self.events.add(event_id or _graph_id(), fields))

    def update_event(self, event_id: str, **changes: Any) -> JsonDict:
        """Change add_event's arguments, or set any other key of the event verbatim (isCancelled=...)."""
        check_times({**self.events.get(event_id).fields, **changes})
        return self._event(self.events.update(event_id, changes))

    def delete_event(self, event_id: str) -> None:
        self.events.delete(event_id)

    def add_raw_event(self, event: JsonDict) -> JsonDict:
        """An event answered exactly as given (its "id", when it has one, names it for updates)."""
        self.events.add(str(event.get("id") or _graph_id()), {"raw": event})
        return event

    def add_task_list(self, name: str, *, wellknown: str = "none") -> str:
        list_id = _graph_id()
        self.task_lists[list_id] = {
            "@odata.etag": f'W/"{secrets.token_urlsafe(12)}"',
            "displayName": name,
            "isOwner": True,
            "isShared": False,
            "wellknownListName": wellknown,
            "id": list_id,
        }
        return list_id

    def add_task(
        self, title: str, *, due: date | None = None, status: str = "notStarted", list_id: str | None = None
    ) -> JsonDict:
        list_id = list_id or self.default_list_id
        if list_id not in self.task_lists:
            raise KeyError(f"no task list {list_id!r}")
        record = self.tasks.add(_graph_id(), {"title": title, "due": due, "status": status}, group=list_id)
        return self._task(record)

    def update_task(self, task_id: str, **changes: Any) -> JsonDict:
        """Change add_task's title, due or status, or set any other key of the task verbatim."""
        return self._task(self.tasks.update(task_id, changes))

    def delete_task(self, task_id: str) -> None:
        self.tasks.delete(task_id)

    # --- the wire format ---------------------------------------------------------------------------
    def _event(self, record: Record) -> JsonDict:
        fields = dict(record.fields)
        if "raw" in fields:
            return {**fields.pop("raw"), **fields}
        subject, start, end, all_day, location = (fields.pop(name) for name in _EVENT_ARGUMENTS)
        if all_day and end is None:
            end = as_date(start) + timedelta(days=1)
        change_key = _change_key(record)
        event: JsonDict = {
            "@odata.etag": f'W/"{change_key}"',
            "id": record.id,
            "createdDateTime": iso_utc(record.created, 7),
            "lastModifiedDateTime": iso_utc(record.modified, 7),
            "changeKey": change_key,
            "subject": subject,
            "isAllDay": all_day,
            "isCancelled": False,
            "type": "singleInstance",
            "showAs": "busy",
            "webLink": f"https://outlook.office365.com/owa/?itemid={quote(record.id, safe='')}"
            "&exvsurl=1&path=/calendar/item",
            "location": {"displayName": location or "", "locationType": "default"},
            "start": _graph_when(start, all_day),
        }
        if end is not None:
            event["end"] = _graph_when(end, all_day)
        return {**event, **fields}

    def _task(self, record: Record) -> JsonDict:
        fields = dict(record.fields)
        title, due, status = (fields.pop(name) for name in _TASK_ARGUMENTS)
        task: JsonDict = {
            "@odata.etag": f'W/"{_change_key(record)}"',
            "importance": "normal",
            "isReminderOn": False,
            "status": status,
            "title": title,
            "createdDateTime": iso_utc(record.created, 7),
            "lastModifiedDateTime": iso_utc(record.modified, 7),
            "hasAttachments": False,
            "categories": [],
            "id": record.id,
            "body": {"content": "", "contentType": "text"},
        }
        if due is not None:
            task["dueDateTime"] = _graph_when(due, True)
        if status == "completed":
            task["completedDateTime"] = _graph_when(record.modified.date(), True)
        return {**task, **fields}

    # --- the API -----------------------------------------------------------------------------------
    def _me(self, request: RecordedRequest) -> Reply:
        account = request.grant.account
        return Reply(
            200,
            {
                "@odata.context": f"{GRAPH}/$metadata#users/$entity",
                "businessPhones": [],
                "displayName": account.name,
                "givenName": account.given_name,
                "jobTitle": None,
                "mail": account.email,
                "mobilePhone": None,
                "officeLocation": None,
                "preferredLanguage": None,
                "surname": account.family_name,
                "userPrincipalName": account.email,
                "id": account.id,
            },
        )

    def _task_lists(self, request: RecordedRequest) -> Reply:
        context = f"{GRAPH}/$metadata#users('{request.grant.account.id}')/todo/lists"
        return Reply(200, {"@odata.context": context, "value": list(self.task_lists.values())})

    def _events_delta(self, request: RecordedRequest) -> Reply:
        query = {name.lower(): value for name, value in request.query.items()}
        window: Window = (None, None)
        if "$deltatoken" not in query and "$skiptoken" not in query:
            try:
                window = (_graph_time(query["startdatetime"]), _graph_time(query["enddatetime"]))
            except (KeyError, ValueError):
                message = (
                    "This request requires a time window specified by the query string parameters "
                    "StartDateTime and EndDateTime."
                )
                return Reply(400, self._error(request, 400, message, "ErrorInvalidParameter"))
        return self._delta(request, CALENDAR_DELTA_PATH, "event", self.events, "", window, self._event)

    def _tasks_delta(self, request: RecordedRequest, list_id: str) -> Reply:
        list_id = unquote(list_id)
        if list_id not in self.task_lists:
            return Reply(404, self._error(request, 404))
        path = TASKS_DELTA_PATH.format(list_id=quote(list_id, safe=""))
        return self._delta(request, path, "todoTask", self.tasks, list_id, (None, None), self._task)

    def _delta(
        self,
        request: RecordedRequest,
        path: str,
        entity: str,
        feed: ChangeFeed,
        group: str,
        window: Window,
        render: Callable[[Record], JsonDict],
    ) -> Reply:
        """One request of a delta round: a first page, a $skiptoken page or a $deltatoken's changes."""
        query = {name.lower(): value for name, value in request.query.items()}
        key = f"{entity}:{group}"
        if "$skiptoken" in query:
            cursor = self._resume(query["$skiptoken"])
            if cursor is None or cursor.context["key"] != key:
                return Reply(410, self._error(request, 410))
            items, context = cursor.items, cursor.context
        elif "$deltatoken" in query:
            previous = self._sync_context(query["$deltatoken"])
            if previous is None or previous["key"] != key:
                return Reply(410, self._error(request, 410))
            items, known = self._changes(feed, previous, render)
            context = {**previous, "seq": self._seq, "known": known}
        else:
            items = [item for item in map(render, feed.live(group)) if _in_window(item, window)]
            known = frozenset(item["id"] for item in items if "id" in item)
            context = {"key": key, "group": group, "window": window, "seq": self._seq, "known": known}
        preferences = _preferences(request)
        size = self.page_size or int(preferences.get("odata.maxpagesize") or DEFAULT_PAGE_SIZE)
        page, next_token = self._page(items, size, context)
        body: JsonDict = {"@odata.context": f"{GRAPH}/$metadata#Collection({entity})", "value": page}
        if next_token:
            body["@odata.nextLink"] = f"{self.base_url}{path}?$skiptoken={next_token}"
        else:
            body["@odata.deltaLink"] = f"{self.base_url}{path}?$deltatoken={self._issue_sync_token(context)}"
        applied = [f"odata.maxpagesize={size}"] if "odata.maxpagesize" in preferences else []
        if preferences.get("outlook.timezone", "").upper() == "UTC":
            applied.append('outlook.timezone="UTC"')
        return Reply(200, body, {"Preference-Applied": ", ".join(applied)} if applied else {})

    def _changes(
        self, feed: ChangeFeed, context: JsonDict, render: Callable[[Record], JsonDict]
    ) -> tuple[list[JsonDict], frozenset[str]]:
        """What changed since the context's sequence number, and the ids our app then knows."""
        items, known = [], set(context["known"])
        for record in feed.changed_since(context["seq"], context["group"]):
            item = None if record.deleted else render(record)
            if item is not None and _in_window(item, context["window"]):
                items.append(item)
                known.add(record.id)
            elif record.id in known:
                items.append({"id": record.id, "@removed": {"reason": "deleted"}})
                known.discard(record.id)
        return items, frozenset(known)

    def _error(
        self, request: RecordedRequest, status: int, message: str | None = None, code: str | None = None
    ) -> JsonDict:
        client_request_id = request.header("client-request-id") or request.request_id
        return graph_error(
            status,
            message,
            code,
            request_id=request.request_id,
            client_request_id=client_request_id,
            when=self.clock(),
        )


def _graph_id() -> str:
    """Ids like Graph's: long URL-safe base64 ending in "=" (so they need quoting in paths)."""
    return "AAMkAGI2" + base64.urlsafe_b64encode(secrets.token_bytes(66)).decode().rstrip("=") + "AAA="


def _change_key(record: Record) -> str:
    return base64.b64encode(f"fake-change-{record.seq}".encode()).decode()


def _graph_when(value: datetime | date, all_day: bool) -> JsonDict:
    """{"dateTime": "2026-11-27T09:00:00.0000000", "timeZone": "UTC"}; all-day: midnight."""
    if all_day:
        moment = datetime.combine(as_date(value), time())
    elif isinstance(value, datetime) and value.tzinfo is not None:
        moment = value.astimezone(UTC)
    else:
        raise ValueError(f"{value!r}: timed events need aware datetimes (or all_day=True)")
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0", "timeZone": "UTC"}


def _graph_time(value: str) -> datetime:
    """startDateTime/endDateTime: ISO 8601; without an offset, UTC."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _in_window(item: JsonDict, window: Window) -> bool:
    return overlaps(wire_instant(item.get("start")), wire_instant(item.get("end")), window)


def _preferences(request: RecordedRequest) -> dict[str, str]:
    """The Prefer header's preferences: {"odata.maxpagesize": "2", "outlook.timezone": "UTC"}."""
    preferences = {}
    for preference in re.split(r",\s*", request.header("Prefer") or ""):
        name, _, value = preference.partition("=")
        if name.strip():
            preferences[name.strip().lower()] = value.strip().strip('"')
    return preferences


@pytest.fixture
def microsoft_fake() -> Iterator[FakeMicrosoft]:
    """A running FakeMicrosoft with the TEST_MICROSOFT_CLIENT_ID client registered (settings untouched)."""
    yield from serve(FakeMicrosoft(), TEST_MICROSOFT_CLIENT_ID, TEST_MICROSOFT_CLIENT_SECRET)
