"""A local stand-in for Notion's public OAuth integration flow and API version 2025-09-03.

FakeNotion (a FakeOAuthProvider, see oauth_fake.py) reproduces the documented behaviours:

- Every /v1/ request but the authorize page needs `Notion-Version: 2025-09-03`: without it, 400
  missing_version ("Notion-Version header failed validation: ... instead was `undefined`."); with
  another version, 400 validation_error (the fake speaks only this one).
- GET /v1/oauth/authorize?client_id&response_type=code&owner=user&redirect_uri&state: consents at
  once (owner=user is required).
- POST /v1/oauth/token with HTTP Basic client credentials (only) and a JSON body, for
  authorization_code (code, redirect_uri) and refresh_token grants: {access_token, token_type:
  "bearer", refresh_token, bot_id, workspace_name, workspace_icon, workspace_id, owner: {type:
  "user", user: {...}}, duplicated_template_id: null, request_id}, with no expires_in: access tokens
  do not expire by time (only `expire_access_tokens()` ends them). A refresh answers a new access
  token and a new refresh token; the old refresh token keeps working. Errors {error,
  error_description}: 400 invalid_grant ("Invalid code: ..."), 401 invalid_client.
- POST /v1/oauth/revoke, Basic auth, JSON {token}: revokes the grant, 200 {request_id}.
- POST /v1/search (Bearer), JSON {query?, filter? {property: "object", value: "data_source" |
  "page"}, start_cursor?, page_size?}: data sources (and/or pages) whose title contains the query.
- POST /v1/data_sources/{id}/query (Bearer), JSON {start_cursor?, page_size? (1-100), filter?,
  sorts?}: the data source's pages, without archived / in-trash ones. Filters: created_time /
  last_edited_time timestamp conditions (equals, before, after, on_or_before, on_or_after), nested
  in "and" / "or"; sorts: by those timestamps. Anything else answers 400 validation_error saying the
  fake does not support it, rather than being silently ignored. Unknown id: 404 object_not_found.
- Lists {object: "list", results, next_cursor, has_more, type: "page_or_data_source",
  page_or_data_source: {}, request_id}; cursors are opaque; `fake.page_size` overrides page_size.
- created_time and last_edited_time are rounded down to the minute, as Notion documents: an
  incremental query with on_or_after must allow for it.
- Errors {object: "error", status, code, message, request_id}: 400 invalid_json ("Error parsing
  JSON body."), 400 validation_error, 400 invalid_request_url (an unknown path), 401 unauthorized
  ("API token is invalid."), 404 object_not_found, 429 rate_limited, 500 internal_server_error, 503
  service_unavailable; `notion_error()` builds others.

Data sources have a title property "Name", a date property "Due" and a completion property: a
checkbox "Done", or a status "Status" (options Not started, In progress, Done).

Test API: add_data_source(title, *, completion="checkbox"|"status") -> id, add_page(data_source_id,
title, *, due, done) -> page, update_page(page_id, **changes), archive_page(page_id),
add_raw_page(data_source_id, dict), `page_size`, `workspace_name`, `workspace_id`.
"""

import json
import operator
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import pytest

from tests.fakes.oauth_fake import (
    AUTHORIZE,
    OAUTH,
    Account,
    ChangeFeed,
    FakeOAuthProvider,
    Grant,
    JsonDict,
    Record,
    RecordedRequest,
    Reply,
    Route,
    check_times,
    iso_utc,
    serve,
)

NOTION_VERSION = "2025-09-03"
TEST_NOTION_CLIENT_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
TEST_NOTION_CLIENT_SECRET = "secret_FakeNotionClientSecret0123456789abcdefABCDEF"

AUTHORIZE_PATH = "/v1/oauth/authorize"  # api.notion.com, as are the following
TOKEN_PATH = "/v1/oauth/token"
REVOKE_PATH = "/v1/oauth/revoke"
SEARCH_PATH = "/v1/search"
QUERY_PATH = "/v1/data_sources/{data_source_id}/query"

MAX_PAGE_SIZE = 100
STATUS_OPTIONS = {  # name -> (id, color)
    "Not started": ("0c1f5f2a-0d3b-4b8e-9f3e-1b6a6d1e2f01", "default"),
    "In progress": ("0c1f5f2a-0d3b-4b8e-9f3e-1b6a6d1e2f02", "blue"),
    "Done": ("0c1f5f2a-0d3b-4b8e-9f3e-1b6a6d1e2f03", "green"),
}
_PROPERTY_IDS = {"Name": "title", "Due": "%3AdUe", "Done": "dOn%3D", "Status": "sT%40t"}
_PAGE_ARGUMENTS = ("title", "due", "done", "archived")
_NOTION_ERRORS = {  # status -> (code, message)
    400: ("validation_error", "body failed validation."),
    401: ("unauthorized", "API token is invalid."),
    403: ("restricted_resource", "API token does not have access to this resource."),
    404: ("object_not_found", "Could not find object."),
    409: ("conflict_error", "Conflict occurred while saving. Please try again."),
    429: ("rate_limited", "You have been rate limited. Please try again in a few minutes."),
    500: ("internal_server_error", "Unexpected error occurred."),
    502: ("bad_gateway", "Bad Gateway."),
    503: ("service_unavailable", "Notion is unavailable, please try again later."),
    504: ("gateway_timeout", "Notion timed out while handling the request."),
}
_TIMESTAMP_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": operator.eq,
    "before": operator.lt,
    "after": operator.gt,
    "on_or_before": operator.le,
    "on_or_after": operator.ge,
}


def notion_error(
    status: int, message: str | None = None, code: str | None = None, *, request_id: str
) -> JsonDict:
    """Notion's error body: {object: "error", status, code, message, request_id}."""
    default_code, default_message = _NOTION_ERRORS.get(
        status,
        ("internal_server_error" if status >= 500 else "invalid_request", "Unexpected error occurred."),
    )
    return {
        "object": "error",
        "status": status,
        "code": code or default_code,
        "message": message or default_message,
        "request_id": request_id,
    }


class Unsupported(ValueError):
    """A filter or sort the fake does not implement: answered 400, never silently ignored."""


@dataclass
class DataSource:
    id: str
    database_id: str
    title: str
    completion: str  # "checkbox" or "status"
    created: datetime

    @property
    def completion_property(self) -> str:
        return "Done" if self.completion == "checkbox" else "Status"


class FakeNotion(FakeOAuthProvider):
    authorize_path = re.escape(AUTHORIZE_PATH)
    token_path = re.escape(TOKEN_PATH)
    authorize_required = ("client_id", "redirect_uri", "response_type", "owner", "state")
    client_auth = frozenset({"basic"})
    token_body = "json"
    rotates_refresh_tokens = True
    access_tokens_expire = False
    token_prefixes = ("", "ntn_", "nrt_")
    OAUTH_ERRORS: ClassVar[dict[str, tuple[int, str, str]]] = {
        **FakeOAuthProvider.OAUTH_ERRORS,
        "malformed_body": (400, "invalid_request", "body failed validation: body should be an object."),
        "missing_param": (400, "invalid_request", "body.{param} should be defined, instead was `undefined`."),
        "bad_code": (400, "invalid_grant", "Invalid code: this code is not valid."),
        "code_used": (400, "invalid_grant", "Invalid code: this code has been revoked."),
        "code_expired": (400, "invalid_grant", "Invalid code: this code has expired."),
        "client_mismatch": (
            400,
            "invalid_grant",
            "Invalid code: this code was issued to another integration.",
        ),
        "redirect_mismatch": (
            400,
            "invalid_grant",
            "Invalid redirect_uri: it does not match the authorization.",
        ),
        "refresh_invalid": (
            400,
            "invalid_grant",
            "Invalid refresh token: it has been revoked or has expired.",
        ),
    }

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.workspace_id = str(uuid.uuid4())
        self.workspace_name = "Ada's Notion"
        self.data_sources: dict[str, DataSource] = {}
        self.pages = ChangeFeed(self)

    def default_account(self) -> Account:
        return Account(
            id="5e7a2c91-3b4d-4f6e-8a9b-0c1d2e3f4a5b", email="ada.lovelace@example.com", name="Ada Lovelace"
        )

    def api_routes(self) -> list[Route]:
        return [
            Route("POST", re.escape(REVOKE_PATH), self._revoke, OAUTH, bearer=False),
            Route("POST", re.escape(SEARCH_PATH), self._search),
            Route("POST", r"/v1/data_sources/(?P<data_source_id>[^/]+)/query", self._query),
        ]

    # --- protocol specifics -----------------------------------------------------------------------
    def check_authorize(self, params: dict[str, str]) -> str | None:
        return (
            None if params["owner"] == "user" else f"owner should be `user`, instead was `{params['owner']}`"
        )

    def token_response(
        self, request: RecordedRequest, grant: Grant, access_token: str, refresh_token: str | None
    ) -> JsonDict:
        account = grant.account
        body: JsonDict = {"access_token": access_token, "token_type": "bearer"}
        if refresh_token:
            body["refresh_token"] = refresh_token
        user = {"object": "user", "id": account.id, "name": account.name, "avatar_url": account.picture}
        user |= {"type": "person", "person": {"email": account.email}}
        return body | {
            "bot_id": grant.id,
            "workspace_name": self.workspace_name,
            "workspace_icon": None,
            "workspace_id": self.workspace_id,
            "owner": {"type": "user", "user": user},
            "duplicated_template_id": None,
            "request_id": request.request_id,
        }

    def oauth_error_body(self, request: RecordedRequest, error: str, description: str, what: str) -> JsonDict:
        return (
            {"error": error}
            if error == "invalid_client"
            else {"error": error, "error_description": description}
        )

    def api_error(self, request: RecordedRequest, status: int, message: str | None = None) -> JsonDict:
        return notion_error(status, message, request_id=request.request_id)

    def preflight(self, request: RecordedRequest, route: Route) -> Reply | None:
        version = request.header("Notion-Version")
        if route.kind == AUTHORIZE or version == NOTION_VERSION:
            return None
        if version is None:
            message = (
                "Notion-Version header failed validation: Notion-Version header should be defined, "
                "instead was `undefined`."
            )
            return self._error(request, 400, message, "missing_version")
        message = (
            f"Notion-Version header failed validation: the fake speaks only `{NOTION_VERSION}`, "
            f"instead was `{version}`."
        )
        return self._error(request, 400, message, "validation_error")

    def unknown_route(self, request: RecordedRequest) -> Reply:
        return self._error(request, 400, "Invalid request URL.", "invalid_request_url")

    def response_headers(self, request: RecordedRequest) -> dict[str, str]:
        return {"x-notion-request-id": request.request_id}

    def _revoke(self, request: RecordedRequest) -> Reply:
        params = self._token_params(request)
        if params is None:
            return self._oauth_failure(request, "malformed_body")
        client, problem = self._authenticate_client(request, params)
        if client is None:
            return self._oauth_failure(request, problem)
        if not params.get("token"):
            return self._oauth_failure(request, "missing_param", param="token")
        self._revoke_token(params["token"])
        return Reply(200, {"request_id": request.request_id})

    # --- the test's controls ---------------------------------------------------------------------
    def add_data_source(self, title: str, *, completion: str = "checkbox") -> str:
        if completion not in ("checkbox", "status"):
            raise ValueError("completion is 'checkbox' or 'status'")
        source = DataSource(str(uuid.uuid4()), str(uuid.uuid4()), title, completion, self.clock())
        with self._lock:
            self.data_sources[source.id] = source
        return source.id

    def add_page(
        self, data_source_id: str, title: str, *, due: date | datetime | None = None, done: bool | str = False
    ) -> JsonDict:
        """A page; `done` is the checkbox, or for a status data source True/False or an option's name."""
        if data_source_id not in self.data_sources:
            raise KeyError(f"no data source {data_source_id!r}")
        fields = {"title": title, "due": due, "done": done, "archived": False}
        check_times(fields, ["due"], dates=True)
        return self._page_object(self.pages.add(str(uuid.uuid4()), fields, group=data_source_id))

    def update_page(self, page_id: str, **changes: Any) -> JsonDict:
        """Change add_page's title, due or done (or archived), or set any other key of the page verbatim."""
        check_times(changes, ["due"], dates=True)
        return self._page_object(self.pages.update(page_id, changes))

    def archive_page(self, page_id: str) -> JsonDict:
        """In the trash (archived and in_trash): queries no longer answer it."""
        return self.update_page(page_id, archived=True)

    def add_raw_page(self, data_source_id: str, page: JsonDict) -> JsonDict:
        """A page answered exactly as given (its "id", when it has one, names it for updates)."""
        self.pages.add(str(page.get("id") or uuid.uuid4()), {"raw": page}, group=data_source_id)
        return page

    # --- the wire format ---------------------------------------------------------------------------
    def _data_source_object(self, source: DataSource) -> JsonDict:
        properties = {
            "Name": {"id": "title", "name": "Name", "type": "title", "title": {}},
            "Due": {"id": _PROPERTY_IDS["Due"], "name": "Due", "type": "date", "date": {}},
        }
        if source.completion == "checkbox":
            properties["Done"] = {
                "id": _PROPERTY_IDS["Done"],
                "name": "Done",
                "type": "checkbox",
                "checkbox": {},
            }
        else:
            options = [
                {"id": option_id, "name": name, "color": color, "description": None}
                for name, (option_id, color) in STATUS_OPTIONS.items()
            ]
            groups = [
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, name)),
                    "name": name,
                    "color": color,
                    "option_ids": [ids],
                }
                for name, color, ids in (
                    ("To-do", "gray", STATUS_OPTIONS["Not started"][0]),
                    ("In progress", "blue", STATUS_OPTIONS["In progress"][0]),
                    ("Complete", "green", STATUS_OPTIONS["Done"][0]),
                )
            ]
            status = {"options": options, "groups": groups}
            properties["Status"] = {
                "id": _PROPERTY_IDS["Status"],
                "name": "Status",
                "type": "status",
                "status": status,
            }
        user = {"object": "user", "id": self.account.id}
        return {
            "object": "data_source",
            "id": source.id,
            "created_time": _notion_time(source.created),
            "last_edited_time": _notion_time(source.created),
            "created_by": user,
            "last_edited_by": user,
            "title": [_rich_text(source.title)],
            "description": [],
            "icon": None,
            "parent": {"type": "database_id", "database_id": source.database_id},
            "database_parent": {"type": "workspace", "workspace": True},
            "properties": properties,
            "url": f"https://www.notion.so/{source.database_id.replace('-', '')}",
            "public_url": None,
            "archived": False,
            "in_trash": False,
        }

    def _page_object(self, record: Record) -> JsonDict:
        fields = dict(record.fields)
        if "raw" in fields:
            return {**fields.pop("raw"), **fields}
        source = self.data_sources[record.group]
        title, due, done, archived = (fields.pop(name) for name in _PAGE_ARGUMENTS)
        properties: JsonDict = {
            "Name": {"id": "title", "type": "title", "title": [_rich_text(title)]},
            "Due": {"id": _PROPERTY_IDS["Due"], "type": "date", "date": _date_value(due)},
        }
        if source.completion == "checkbox":
            properties["Done"] = {"id": _PROPERTY_IDS["Done"], "type": "checkbox", "checkbox": bool(done)}
        else:
            name = done if isinstance(done, str) else "Done" if done else "Not started"
            option_id, color = STATUS_OPTIONS[name]
            properties["Status"] = {
                "id": _PROPERTY_IDS["Status"],
                "type": "status",
                "status": {"id": option_id, "name": name, "color": color},
            }
        user = {"object": "user", "id": self.account.id}
        slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-")
        page = {
            "object": "page",
            "id": record.id,
            "created_time": _notion_time(record.created),
            "last_edited_time": _notion_time(record.modified),
            "created_by": user,
            "last_edited_by": user,
            "cover": None,
            "icon": None,
            "parent": {
                "type": "data_source_id",
                "data_source_id": source.id,
                "database_id": source.database_id,
            },
            "archived": archived,
            "in_trash": archived,
            "is_locked": False,
            "properties": properties,
            "url": f"https://www.notion.so/{slug}-{record.id.replace('-', '')}",
            "public_url": None,
        }
        return {**page, **fields}

    # --- the API -----------------------------------------------------------------------------------
    def _search(self, request: RecordedRequest) -> Reply:
        body = self._body(request)
        if isinstance(body, Reply):
            return body
        kinds = ("data_source", "page")
        if (search_filter := body.get("filter")) is not None:
            value = search_filter.get("value") if isinstance(search_filter, dict) else None
            if (
                not isinstance(search_filter, dict)
                or search_filter.get("property") != "object"
                or value not in kinds
            ):
                message = (
                    'body failed validation: body.filter.value should be `"page"` or `"data_source"`, '
                    f"instead was `{json.dumps(value)}`."
                )
                return self._error(request, 400, message, "validation_error")
            kinds = (value,)
        results: list[JsonDict] = []
        if "data_source" in kinds:
            results += [self._data_source_object(source) for source in self.data_sources.values()]
        if "page" in kinds:
            results += [page for page in map(self._page_object, self.pages.live()) if _visible(page)]
        text = str(body.get("query") or "").lower()
        results = [item for item in results if text in _title(item).lower()]
        return self._list(request, body, results)

    def _query(self, request: RecordedRequest, data_source_id: str) -> Reply:
        body = self._body(request)
        if isinstance(body, Reply):
            return body
        if data_source_id not in self.data_sources:
            message = (
                f"Could not find data_source with ID: {data_source_id}. "
                "Make sure the relevant pages and databases are shared with your integration."
            )
            return self._error(request, 404, message, "object_not_found")
        pages = [page for page in map(self._page_object, self.pages.live(data_source_id)) if _visible(page)]
        try:
            if body.get("filter") is not None:
                pages = [page for page in pages if _matches(page, body["filter"])]
            for sort in reversed(body.get("sorts") or []):
                pages = _sorted(pages, sort)
        except ValueError as problem:  # Unsupported, or a timestamp that is not ISO 8601
            return self._error(request, 400, f"body failed validation: {problem}", "validation_error")
        return self._list(request, body, pages)

    def _list(self, request: RecordedRequest, body: JsonDict, results: list[JsonDict]) -> Reply:
        size = body.get("page_size", MAX_PAGE_SIZE)
        if not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
            message = (
                f"body failed validation: body.page_size should be ≤ `100` and ≥ `1`, instead was `{size}`."
            )
            return self._error(request, 400, message, "validation_error")
        if cursor_token := body.get("start_cursor"):
            cursor = self._resume(str(cursor_token))
            if cursor is None:
                message = (
                    f"body failed validation: body.start_cursor is not a valid cursor: `{cursor_token}`."
                )
                return self._error(request, 400, message, "validation_error")
            results = cursor.items
        page, next_cursor = self._page(results, self.page_size or size, {})
        return Reply(
            200,
            {
                "object": "list",
                "results": page,
                "next_cursor": next_cursor,
                "has_more": next_cursor is not None,
                "type": "page_or_data_source",
                "page_or_data_source": {},
                "request_id": request.request_id,
            },
        )

    def _body(self, request: RecordedRequest) -> JsonDict | Reply:
        if request.json_malformed:
            return self._error(request, 400, "Error parsing JSON body.", "invalid_json")
        if request.json is None:
            return {}
        if not isinstance(request.json, dict):
            return self._error(
                request, 400, "body failed validation: body should be an object.", "validation_error"
            )
        return request.json

    def _error(self, request: RecordedRequest, status: int, message: str, code: str) -> Reply:
        return Reply(status, notion_error(status, message, code, request_id=request.request_id))


def _notion_time(moment: datetime) -> str:
    """Notion rounds created_time and last_edited_time down to the minute."""
    return iso_utc(moment.replace(second=0, microsecond=0))


def _rich_text(content: str) -> JsonDict:
    annotations = {"bold": False, "italic": False, "strikethrough": False, "underline": False, "code": False}
    return {
        "type": "text",
        "text": {"content": content, "link": None},
        "annotations": {**annotations, "color": "default"},
        "plain_text": content,
        "href": None,
    }


def _date_value(due: date | datetime | None) -> JsonDict | None:
    if due is None:
        return None
    start = due.isoformat(timespec="milliseconds") if isinstance(due, datetime) else due.isoformat()
    return {"start": start, "end": None, "time_zone": None}


def _visible(page: JsonDict) -> bool:
    return not (page.get("archived") or page.get("in_trash"))


def _title(item: JsonDict) -> str:
    """The plain text of a data source's title, or of a page's title property."""
    if item.get("object") == "data_source":
        parts = item.get("title") or []
    else:
        prop = next((p for p in (item.get("properties") or {}).values() if p.get("type") == "title"), {})
        parts = prop.get("title") or []
    return "".join(part.get("plain_text", "") for part in parts)


def _sorted(pages: list[JsonDict], sort: Any) -> list[JsonDict]:
    timestamp = sort.get("timestamp") if isinstance(sort, dict) else None
    if timestamp not in ("created_time", "last_edited_time"):
        raise Unsupported(f"FakeNotion only sorts by created_time or last_edited_time, not {sort}")
    descending = sort.get("direction") == "descending"
    return sorted(pages, key=lambda page: str(page.get(timestamp, "")), reverse=descending)


def _matches(page: JsonDict, condition: Any) -> bool:
    if not isinstance(condition, dict):
        raise Unsupported(f"a filter should be an object, not {condition!r}")
    if "and" in condition:
        return all(_matches(page, part) for part in condition["and"])
    if "or" in condition:
        return any(_matches(page, part) for part in condition["or"])
    timestamp = condition.get("timestamp")
    if timestamp not in ("created_time", "last_edited_time") or not isinstance(
        condition.get(timestamp), dict
    ):
        raise Unsupported(
            f"FakeNotion only filters on created_time / last_edited_time timestamps, not {condition}"
        )
    conditions = list(condition[timestamp].items())
    compare = _TIMESTAMP_OPERATORS.get(conditions[0][0]) if len(conditions) == 1 else None
    if compare is None:
        raise Unsupported(f"FakeNotion does not support the timestamp condition {condition[timestamp]}")
    moment = datetime.fromisoformat(str(conditions[0][1]))  # a date alone means its midnight, UTC
    actual = page.get(timestamp)
    if actual is None:
        return False
    return compare(datetime.fromisoformat(actual), moment if moment.tzinfo else moment.replace(tzinfo=UTC))


@pytest.fixture
def notion_fake() -> Iterator[FakeNotion]:
    """A running FakeNotion with the TEST_NOTION_CLIENT_ID client registered (settings untouched)."""
    yield from serve(FakeNotion(), TEST_NOTION_CLIENT_ID, TEST_NOTION_CLIENT_SECRET)
