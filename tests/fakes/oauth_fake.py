"""The shared plumbing of our local stand-ins for OAuth 2.0 providers (Google, Microsoft, Notion).

A FakeOAuthProvider is a real HTTP server on 127.0.0.1 (deploy/local/servers.py: a free port, a
daemon thread) speaking HTTP/1.1 with keep-alive, like tests/fakes/twilio_server.py. Subclasses
add the provider's own paths and wire format; this module reproduces what the three share, the
RFC 6749 authorization-code flow:

- the authorize endpoint stands for a user who consents at once: a GET with a registered client_id,
  a redirect_uri (one of the client's, when it registered some), response_type=code and a state
  answers 302 to `{redirect_uri}?code=...&state=...` (state echoed exactly); with
  `deny_next_consent = True`, to `?error=access_denied&state=...` instead. Anything else is a 400
  error page, as providers show the user rather than redirecting. `authorize(url)` plays the
  browser: it GETs the URL our app built and returns the callback URL, without following it.
- authorization codes are single use, bound to the client, redirect_uri, scope and account, and
  expire after `code_lifetime` seconds.
- the token endpoint redeems codes and refresh tokens, authenticating the client in the body or
  with HTTP Basic (as each provider accepts), and answers errors in RFC 6749 §5.2's shape
  ({"error", "error_description"}, which a provider may extend).
- access tokens are random opaque strings living `access_token_lifetime` seconds;
  `expire_access_tokens()` ends every current one. API routes answer the provider's 401 for a
  missing, unknown, expired or revoked Bearer token.
- refresh tokens die with `revoke_grants()` (the user removed the app: its access tokens die too)
  or `revoke_refresh_token(token)`; refreshing then answers invalid_grant. `omit_refresh_token`
  leaves refresh_token out of every token response.
- `fail_next(status, ...)` answers the next matching requests with that status, in the shape of
  the endpoint's errors (OAuth errors on the token endpoint, the provider's API errors elsewhere),
  with Retry-After when given. Without a path_prefix it never hits the authorize page, which the
  browser (the test) loads rather than our app.

Subclasses also share opaque page cursors and sync tokens (`_page`, `_resume`, `_issue_sync_token`,
`invalidate_sync_tokens()`) and ChangeFeed, objects stamped with the sequence number of their
last change, from which sync tokens compute what changed. `fake.clock` gives every timestamp and
expiry; `fake.requests` records every request with the status answered.
"""

import base64
import binascii
import html
import http.client
import json
import re
import secrets
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from deploy.local.servers import LocalServer

JsonDict = dict[str, Any]
FakeT = TypeVar("FakeT", bound="FakeOAuthProvider")

# What kind of endpoint a route is: it decides the shape of its errors.
AUTHORIZE = "authorize"  # a page in the user's browser
OAUTH = "oauth"  # token / revoke endpoints: RFC 6749 error bodies
API = "api"  # the provider's API: its own error bodies


# --- records --------------------------------------------------------------------------------
@dataclass
class Account:
    """The user who consents. Data on the fake belongs to whoever the access token was issued for."""

    id: str
    email: str
    name: str
    picture: str | None = None

    @property
    def given_name(self) -> str:
        return self.name.partition(" ")[0]

    @property
    def family_name(self) -> str:
        return self.name.partition(" ")[2]


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...] = ()  # empty: any redirect_uri is accepted


@dataclass(eq=False)
class Grant:
    """What one consent gave one client; every token issued from it dies with it."""

    client_id: str
    account: Account
    scope: str
    params: dict[str, str]  # the authorization request's query
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    revoked: bool = False


@dataclass(eq=False)
class AuthorizationCode:
    value: str
    client_id: str
    redirect_uri: str
    scope: str
    account: Account
    params: dict[str, str]
    expires_at: datetime
    used: bool = False


@dataclass(eq=False)
class AccessToken:
    value: str
    grant: Grant
    expires_at: datetime | None  # None: never (Notion)
    expired: bool = False


@dataclass(eq=False)
class RefreshToken:
    value: str
    grant: Grant
    revoked: bool = False


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]  # the last value of each parameter
    headers: dict[str, str]  # repeated headers joined with ", "
    body: bytes
    form: dict[str, str] | None  # a form-encoded body, parsed
    json: Any  # a JSON body, parsed (None when absent or malformed)
    json_malformed: bool
    auth: tuple[str, str] | None  # the HTTP Basic credentials sent, if any
    peer: tuple[str, int] | None = None  # the same port means a reused connection
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: int = 0  # what the fake answered
    grant: Grant | None = field(default=None, repr=False)  # whose Bearer token it carried

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def bearer(self) -> str | None:
        scheme, _, token = (self.header("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return token.strip() or None


@dataclass
class Reply:
    status: int
    body: Any = None  # dict/list: JSON; str: an HTML page; None: empty
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str  # a regular expression for the whole path; its named groups become arguments
    handler: Callable[..., Reply]
    kind: str = API
    bearer: bool = True  # needs a live access token


@dataclass
class ScriptedFailure:
    status: int
    remaining: int
    retry_after: float | str | None
    path_prefix: str | None
    body: Any


@dataclass
class Cursor:
    items: list[JsonDict]  # what is left to answer, as it was when the listing began
    context: JsonDict


# --- objects that change, for sync tokens -----------------------------------------------------
@dataclass(eq=False)
class Record:
    id: str
    fields: JsonDict  # what the test gave: the add_* arguments (or {"raw": {...}}) and later changes
    created: datetime
    modified: datetime
    seq: int  # the change sequence number of its last change
    group: str = ""  # e.g. the task list or data source it is in
    deleted: bool = False


class ChangeFeed:
    """Objects by id, each stamped with the sequence number of its last change."""

    def __init__(self, fake: "FakeOAuthProvider") -> None:
        self._fake = fake
        self.records: dict[str, Record] = {}

    def add(self, record_id: str, fields: JsonDict, group: str = "") -> Record:
        with self._fake._lock:
            now = self._fake.clock()
            record = Record(record_id, dict(fields), now, now, self._fake._next_seq(), group)
            self.records[record_id] = record
            return record

    def update(self, record_id: str, changes: JsonDict) -> Record:
        with self._fake._lock:
            record = self.get(record_id)
            record.fields.update(changes)
            record.modified, record.seq = self._fake.clock(), self._fake._next_seq()
            return record

    def delete(self, record_id: str) -> Record:
        with self._fake._lock:
            record = self.get(record_id)
            record.deleted = True
            record.modified, record.seq = self._fake.clock(), self._fake._next_seq()
            return record

    def get(self, record_id: str) -> Record:
        record = self.records.get(record_id)
        if record is None or record.deleted:
            raise KeyError(f"no object {record_id!r} (or it was deleted)")
        return record

    def live(self, group: str | None = None) -> list[Record]:
        return [r for r in self.records.values() if not r.deleted and group in (None, r.group)]

    def changed_since(self, seq: int, group: str | None = None) -> list[Record]:
        changed = [r for r in self.records.values() if r.seq > seq and group in (None, r.group)]
        return sorted(changed, key=lambda r: r.seq)


# --- wire helpers shared by the providers ----------------------------------------------------
def iso_utc(moment: datetime, digits: int = 3) -> str:
    """'2026-11-20T10:00:00.000Z' (Google, Notion); digits=7 gives Graph's '.0000000Z'."""
    moment = moment.astimezone(UTC)
    fraction = f"{moment.microsecond:06d}0"[:digits]
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if digits else "") + "Z"


def wire_instant(when: Any, default_tz: str = "UTC") -> datetime | None:
    """The moment of a {"dateTime"[, "timeZone"]} or {"date"} object; None when it has none."""
    if not isinstance(when, dict):
        return None
    try:
        if when.get("dateTime"):
            moment = datetime.fromisoformat(when["dateTime"])
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=ZoneInfo(when.get("timeZone") or default_tz))
            return moment
        if when.get("date"):
            return datetime.combine(date.fromisoformat(when["date"]), time(), tzinfo=ZoneInfo(default_tz))
    except (TypeError, ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None
    return None


def overlaps(
    start: datetime | None, end: datetime | None, window: tuple[datetime | None, datetime | None]
) -> bool:
    """Whether [start, end) meets the window (an instant when end is missing or not after start).

    An object without a start is always in, so that malformed payloads reach our app.
    """
    if start is None:
        return True
    low, high = window
    after_low = low is None or (end > low if end is not None and end > start else start >= low)
    return after_low and (high is None or start < high)


def as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def check_times(fields: JsonDict, names: Iterable[str] = ("start", "end"), *, dates: bool = False) -> None:
    """Refuse, before storing them, times the wire format could not render: naive datetimes, and
    dates where a moment is needed (unless `dates`, or the fields say all_day).
    """
    dates = dates or bool(fields.get("all_day"))
    for name in names:
        value = fields.get(name)
        naive = isinstance(value, datetime) and value.tzinfo is None
        if naive or (isinstance(value, date) and not isinstance(value, datetime) and not dates):
            raise ValueError(f"{name}={value!r}: pass an aware datetime (or a date, for all-day)")


def with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))


class ConsentPageError(AssertionError):
    """The authorize endpoint showed an error page instead of redirecting back to our app."""

    def __init__(self, status: int, page: str) -> None:
        super().__init__(f"the authorize endpoint answered {status}: {page}")
        self.status, self.page = status, page


# --- the provider ----------------------------------------------------------------------------
class FakeOAuthProvider(LocalServer):
    # Subclasses set these.
    authorize_path: ClassVar[str]  # regular expressions for the whole path
    token_path: ClassVar[str]
    authorize_required: ClassVar[tuple[str, ...]] = ("client_id", "redirect_uri", "response_type", "state")
    client_auth: ClassVar[frozenset[str]] = frozenset({"body", "basic"})
    token_body: ClassVar[str] = "form"  # or "json"
    rotates_refresh_tokens: ClassVar[bool] = False  # a refresh also answers a new refresh token
    access_tokens_expire: ClassVar[bool] = True
    www_authenticate: ClassVar[str | None] = None  # sent with the API's 401
    consent_denied_params: ClassVar[dict[str, str]] = {}
    token_prefixes: ClassVar[tuple[str, str, str]] = ("", "", "")  # code, access token, refresh token
    # Token endpoint errors: what went wrong -> (status, error, error_description).
    OAUTH_ERRORS: ClassVar[dict[str, tuple[int, str, str]]] = {
        "malformed_body": (400, "invalid_request", "The request body could not be parsed."),
        "missing_param": (400, "invalid_request", "Missing required parameter: {param}"),
        "no_client": (401, "invalid_client", "Client authentication failed."),
        "unknown_client": (401, "invalid_client", "Client authentication failed."),
        "bad_secret": (401, "invalid_client", "Client authentication failed."),
        "bad_code": (400, "invalid_grant", "The authorization code is invalid."),
        "code_used": (400, "invalid_grant", "The authorization code was already redeemed."),
        "code_expired": (400, "invalid_grant", "The authorization code has expired."),
        "client_mismatch": (400, "invalid_grant", "The authorization code was issued to another client."),
        "redirect_mismatch": (400, "invalid_grant", "The redirect_uri does not match the authorization."),
        "refresh_invalid": (400, "invalid_grant", "The refresh token is invalid, expired or revoked."),
        "unsupported_grant": (400, "unsupported_grant_type", "Unsupported grant_type: {grant_type}"),
    }

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.account: Account = self.default_account()
        self.clients: dict[str, Client] = {}
        self.requests: list[RecordedRequest] = []
        self.omit_refresh_token = False
        self.deny_next_consent = False
        self.access_token_lifetime = 3600  # seconds
        self.code_lifetime = 600  # seconds
        self.page_size: int | None = None  # overrides the page size our app asks for
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self._lock = threading.RLock()
        self._seq = 0
        self._codes: dict[str, AuthorizationCode] = {}
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, RefreshToken] = {}
        self._grants: list[Grant] = []
        self._failures: list[ScriptedFailure] = []
        self._cursors: dict[str, Cursor] = {}
        self._sync_tokens: dict[str, JsonDict] = {}
        self._routes = [
            Route("GET", self.authorize_path, self._authorize, AUTHORIZE, bearer=False),
            Route("POST", self.token_path, self._token, OAUTH, bearer=False),
            *self.api_routes(),
        ]

    # --- what subclasses provide ---------------------------------------------------------------
    def default_account(self) -> Account:
        raise NotImplementedError

    def api_routes(self) -> list[Route]:
        raise NotImplementedError

    def api_error(self, request: RecordedRequest, status: int, message: str | None = None) -> Any:
        """The provider's API error body for this status."""
        raise NotImplementedError

    def wants_refresh_token(self, params: dict[str, str]) -> bool:
        """Whether an authorization with these parameters gets a refresh token."""
        return True

    def token_response(
        self, request: RecordedRequest, grant: Grant, access_token: str, refresh_token: str | None
    ) -> JsonDict:
        raise NotImplementedError

    def check_authorize(self, params: dict[str, str]) -> str | None:
        """A provider's own objection to an authorization request (shown on the error page)."""
        return None

    def callback_params(self, code: AuthorizationCode) -> dict[str, str]:
        return {"code": code.value, "state": code.params["state"]}

    def oauth_error_body(self, request: RecordedRequest, error: str, description: str, what: str) -> JsonDict:
        return {"error": error, "error_description": description}

    def preflight(self, request: RecordedRequest, route: Route) -> Reply | None:
        """A check every request to a known route passes first (Notion's version header)."""
        return None

    def response_headers(self, request: RecordedRequest) -> dict[str, str]:
        return {}

    def unknown_route(self, request: RecordedRequest) -> Reply:
        return Reply(404, self.error_body(request, API, 404))

    def error_body(self, request: RecordedRequest, kind: str, status: int, message: str | None = None) -> Any:
        phrase = _phrase(status)
        if kind == AUTHORIZE:
            return _error_page(status, phrase, message or phrase)
        if kind == OAUTH:
            error = {400: "invalid_request", 401: "invalid_client"}.get(status, "server_error")
            if status in (429, 503):
                error = "temporarily_unavailable"
            return self.oauth_error_body(request, error, message or phrase, "scripted")
        return self.api_error(request, status, message)

    # --- lifecycle ------------------------------------------------------------------------------
    def handler(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_Handler,), {"fake": self, "server_version": f"{type(self).__name__}/1.0"})

    # --- the test's controls --------------------------------------------------------------------
    def register_client(
        self, client_id: str, client_secret: str, *, redirect_uris: Iterable[str] = ()
    ) -> Client:
        with self._lock:
            client = self.clients[client_id] = Client(client_id, client_secret, tuple(redirect_uris))
            return client

    def authorize(self, url: str) -> str:
        """Load our app's authorization URL as the user's browser would; return the callback URL."""
        parts = urlsplit(url)
        if (parts.hostname, parts.port) != (self.host, self.port):
            raise AssertionError(f"{url} does not point at this fake ({self.base_url}): check the settings")
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.request("GET", urlunsplit(("", "", parts.path, parts.query, "")))
            response = connection.getresponse()
            page = response.read().decode(errors="replace")
        finally:
            connection.close()
        if response.status != HTTPStatus.FOUND:
            raise ConsentPageError(response.status, page)
        return response.headers["Location"]

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: float | str | None = None,
        path_prefix: str | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next `times` matching requests with `status` (and `body`, or the usual error body)."""
        with self._lock:
            self._failures.append(ScriptedFailure(status, times, retry_after, path_prefix, body))

    def expire_access_tokens(self) -> None:
        with self._lock:
            for token in self._access.values():
                token.expired = True

    def revoke_grants(self) -> None:
        """As if the user removed the app: every token issued so far stops working."""
        with self._lock:
            for grant in self._grants:
                grant.revoked = True

    def revoke_refresh_token(self, token: str) -> None:
        with self._lock:
            self._refresh[token].revoked = True

    def invalidate_sync_tokens(self) -> None:
        """Every sync token / delta link issued so far now asks for a full sync."""
        with self._lock:
            self._sync_tokens.clear()

    @property
    def access_tokens(self) -> list[str]:
        """Every access token issued, live or not."""
        with self._lock:
            return list(self._access)

    @property
    def refresh_tokens(self) -> list[str]:
        """Every refresh token issued, live or not."""
        with self._lock:
            return list(self._refresh)

    def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(path_prefix)]

    # --- requests -------------------------------------------------------------------------------
    def _record(self, method: str, target: str, headers: Message, raw: bytes, peer: Any) -> RecordedRequest:
        path, _, query = target.partition("?")
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        form, parsed, malformed = None, None, False
        if content_type == "application/x-www-form-urlencoded":
            form = dict(parse_qsl(raw.decode(errors="replace"), keep_blank_values=True))
        elif raw and content_type in ("application/json", ""):
            try:
                parsed = json.loads(raw)
            except ValueError:
                malformed = True
        joined: dict[str, str] = {}
        for name, value in headers.items():
            joined[name] = f"{joined[name]}, {value}" if name in joined else value
        record = RecordedRequest(
            method=method,
            path=path,
            query=dict(parse_qsl(query, keep_blank_values=True)),
            headers=joined,
            body=raw,
            form=form,
            json=parsed,
            json_malformed=malformed,
            auth=_basic_credentials(headers.get("Authorization", "")),
            peer=tuple(peer[:2]) if peer else None,
        )
        with self._lock:
            self.requests.append(record)
        return record

    def _dispatch(self, request: RecordedRequest) -> Reply:
        with self._lock:
            reply = self._answer(request)
            reply.headers = {**self.response_headers(request), **reply.headers}
            request.status = reply.status
            return reply

    def _answer(self, request: RecordedRequest) -> Reply:
        route, arguments = self._match(request)
        kind = route.kind if route else API
        if (failure := self._take_failure(request.path, kind)) is not None:
            reply = Reply(failure.status, failure.body)
            if failure.body is None:
                reply.body = self.error_body(request, kind, failure.status)
            if failure.retry_after is not None:
                reply.headers["Retry-After"] = str(failure.retry_after)
            if failure.status == 401 and route and route.bearer and self.www_authenticate:
                reply.headers["WWW-Authenticate"] = self.www_authenticate
            return reply
        if route is None:
            return self.unknown_route(request)
        if (objection := self.preflight(request, route)) is not None:
            return objection
        if route.bearer:
            request.grant = self._bearer_grant(request)
            if request.grant is None:
                headers = {"WWW-Authenticate": self.www_authenticate} if self.www_authenticate else {}
                return Reply(401, self.error_body(request, kind, 401), headers)
        return route.handler(request, **arguments)

    def _match(self, request: RecordedRequest) -> tuple[Route | None, dict[str, str]]:
        for route in self._routes:
            if route.method == request.method and (match := re.fullmatch(route.pattern, request.path)):
                return route, match.groupdict()
        return None, {}

    def _take_failure(self, path: str, kind: str) -> ScriptedFailure | None:
        for failure in self._failures:
            if path.startswith(failure.path_prefix) if failure.path_prefix else kind != AUTHORIZE:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _bearer_grant(self, request: RecordedRequest) -> Grant | None:
        token = self._access.get(request.bearer or "")
        if token is None or token.expired or token.grant.revoked:
            return None
        if token.expires_at is not None and self.clock() >= token.expires_at:
            return None
        return token.grant

    # --- the authorization endpoint -----------------------------------------------------------
    def _authorize(self, request: RecordedRequest, **_: str) -> Reply:
        params = request.query
        missing = next((name for name in self.authorize_required if not params.get(name)), None)
        client = self.clients.get(params.get("client_id", ""))
        if missing:
            problem = ("invalid_request", f"Missing required parameter: {missing}")
        elif client is None:
            problem = ("invalid_client", f"The OAuth client was not found: {params['client_id']}")
        elif client.redirect_uris and params["redirect_uri"] not in client.redirect_uris:
            problem = ("redirect_uri_mismatch", f"{params['redirect_uri']} is not registered for the client")
        elif params["response_type"] != "code":
            problem = ("unsupported_response_type", f"response_type={params['response_type']}")
        elif objection := self.check_authorize(params):
            problem = ("invalid_request", objection)
        else:
            return self._consent(params)
        return Reply(400, _error_page(400, *problem))

    def _consent(self, params: dict[str, str]) -> Reply:
        if self.deny_next_consent:
            self.deny_next_consent = False
            denied = {"error": "access_denied", **self.consent_denied_params, "state": params["state"]}
            return Reply(302, headers={"Location": with_query(params["redirect_uri"], denied)})
        code = AuthorizationCode(
            value=self._new_secret(0),
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            scope=params.get("scope", ""),
            account=self.account,
            params=dict(params),
            expires_at=self.clock() + timedelta(seconds=self.code_lifetime),
        )
        self._codes[code.value] = code
        return Reply(302, headers={"Location": with_query(code.redirect_uri, self.callback_params(code))})

    # --- the token endpoint -----------------------------------------------------------------------
    def _token(self, request: RecordedRequest, **_: str) -> Reply:
        params = self._token_params(request)
        if params is None:
            return self._oauth_failure(request, "malformed_body")
        client, problem = self._authenticate_client(request, params)
        if client is None:
            client_id = request.auth[0] if request.auth else params.get("client_id", "")
            return self._oauth_failure(request, problem, client_id=client_id)
        grant_type = params.get("grant_type")
        if not grant_type:
            return self._oauth_failure(request, "missing_param", param="grant_type")
        if grant_type == "authorization_code":
            return self._redeem_code(request, client, params)
        if grant_type == "refresh_token":
            return self._redeem_refresh_token(request, client, params)
        return self._oauth_failure(request, "unsupported_grant", grant_type=grant_type)

    def _token_params(self, request: RecordedRequest) -> dict[str, str] | None:
        if self.token_body == "json":
            if not isinstance(request.json, dict):
                return None
            return {k: v if isinstance(v, str) else json.dumps(v) for k, v in request.json.items()}
        return request.form if request.form is not None else {}

    def _authenticate_client(
        self, request: RecordedRequest, params: dict[str, str]
    ) -> tuple[Client | None, str]:
        if request.auth and "basic" in self.client_auth:
            client_id, secret = request.auth
        elif params.get("client_id") and "body" in self.client_auth:
            client_id, secret = params["client_id"], params.get("client_secret", "")
        else:
            return None, "no_client"
        client = self.clients.get(client_id)
        if client is None:
            return None, "unknown_client"
        if not secrets.compare_digest(secret, client.client_secret):
            return None, "bad_secret"
        return client, ""

    def _redeem_code(self, request: RecordedRequest, client: Client, params: dict[str, str]) -> Reply:
        for name in ("code", "redirect_uri"):
            if not params.get(name):
                return self._oauth_failure(request, "missing_param", param=name)
        code = self._codes.get(params["code"])
        if code is None:
            return self._oauth_failure(request, "bad_code")
        if code.used:
            return self._oauth_failure(request, "code_used")
        if self.clock() >= code.expires_at:
            return self._oauth_failure(request, "code_expired")
        if code.client_id != client.client_id:
            return self._oauth_failure(request, "client_mismatch")
        if code.redirect_uri != params["redirect_uri"]:
            return self._oauth_failure(request, "redirect_mismatch")
        code.used = True
        grant = Grant(client.client_id, code.account, code.scope, code.params)
        self._grants.append(grant)
        refresh = self._issue_refresh_token(grant) if self.wants_refresh_token(code.params) else None
        return self._token_reply(request, grant, refresh)

    def _redeem_refresh_token(
        self, request: RecordedRequest, client: Client, params: dict[str, str]
    ) -> Reply:
        if not params.get("refresh_token"):
            return self._oauth_failure(request, "missing_param", param="refresh_token")
        token = self._refresh.get(params["refresh_token"])
        if token is None or token.revoked or token.grant.revoked or token.grant.client_id != client.client_id:
            return self._oauth_failure(request, "refresh_invalid")
        refresh = self._issue_refresh_token(token.grant) if self.rotates_refresh_tokens else None
        return self._token_reply(request, token.grant, refresh)

    def _token_reply(self, request: RecordedRequest, grant: Grant, refresh: str | None) -> Reply:
        lifetime = timedelta(seconds=self.access_token_lifetime)
        access = AccessToken(
            self._new_secret(1), grant, self.clock() + lifetime if self.access_tokens_expire else None
        )
        self._access[access.value] = access
        body = self.token_response(request, grant, access.value, refresh)
        return Reply(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _issue_refresh_token(self, grant: Grant) -> str | None:
        if self.omit_refresh_token:
            return None
        token = RefreshToken(self._new_secret(2), grant)
        self._refresh[token.value] = token
        return token.value

    def _revoke_token(self, value: str) -> bool:
        """Revoke the grant this access or refresh token belongs to; False if unknown or already revoked."""
        token = self._access.get(value) or self._refresh.get(value)
        if token is None or token.grant.revoked:
            return False
        token.grant.revoked = True
        return True

    def _oauth_failure(self, request: RecordedRequest, what: str, **details: str) -> Reply:
        status, error, description = self.OAUTH_ERRORS[what]
        description = description.format_map(defaultdict(str, details))
        return Reply(status, self.oauth_error_body(request, error, description, what))

    @property
    def expires_in(self) -> int:
        """What token responses announce: providers count the second already begun (3600 -> 3599)."""
        return max(self.access_token_lifetime - 1, 0)

    # --- paging and sync tokens, for subclasses -------------------------------------------------
    def _next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def _new_secret(self, kind: int) -> str:
        return self.token_prefixes[kind] + secrets.token_urlsafe(32)

    def _page(self, items: list[JsonDict], size: int, context: JsonDict) -> tuple[list[JsonDict], str | None]:
        """The first `size` items, and an opaque token for the rest (None when there is no rest)."""
        size = max(size, 1)
        page, rest = items[:size], items[size:]
        if not rest:
            return page, None
        token = secrets.token_urlsafe(24)
        self._cursors[token] = Cursor(rest, context)
        return page, token

    def _resume(self, token: str) -> Cursor | None:
        return self._cursors.get(token)

    def _issue_sync_token(self, context: JsonDict) -> str:
        token = secrets.token_urlsafe(24)
        self._sync_tokens[token] = context
        return token

    def _sync_context(self, token: str) -> JsonDict | None:
        return self._sync_tokens.get(token)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOAuthProvider
    protocol_version = "HTTP/1.1"  # keep-alive, as requests' pooled session expects

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests read fake.requests instead

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        request = self.fake._record(self.command, self.path, self.headers, raw, self.client_address)
        reply = self.fake._dispatch(request)
        if isinstance(reply.body, str):
            data, content_type = reply.body.encode(), "text/html; charset=utf-8"
        elif reply.body is not None:
            data, content_type = json.dumps(reply.body).encode(), "application/json; charset=utf-8"
        else:
            data, content_type = b"", None
        self.send_response(reply.status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, _, password = base64.b64decode(encoded.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return username, password


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _error_page(status: int, error: str, description: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><title>Error {status}</title></head><body>"
        f"<h1>Error {status}: {html.escape(error)}</h1><p>{html.escape(description)}</p></body></html>"
    )


def serve(fake: FakeT, client_id: str, client_secret: str) -> Iterator[FakeT]:
    """The body of each module's fixture: start the fake, register the test client, yield, stop."""
    with fake:
        fake.register_client(client_id, client_secret)
        yield fake
