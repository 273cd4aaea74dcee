"""Secrets fed through every log path never reach the JSON output; every line keeps its context."""

import logging
import re
from datetime import timedelta

import pyotp
import pytest
from django.core.mail import EmailMessage
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from assistant.core.masking import mask_phone
from assistant.users.models import User
from tests.logs import CapturedLogs

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
RESET_ROUTE = "/account/reset/<uidb64>/<token>/"
REQUIRED_KEYS = {"timestamp", "level", "logger", "service", "event", "request_id"}
_RESET_LINK = re.compile(r"/account/reset/(?P<uid>[^/\s]+)/(?P<token>[^/\s]+)/")
_GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


def _wrong_code(totp: pyotp.TOTP) -> str:
    """A code the server is certain to refuse (not valid for any step it would accept)."""
    now = timezone.now()
    accepted = {totp.at(now + timedelta(seconds=offset)) for offset in (-30, 0, 30, 60)}
    return next(code for code in ("493817", "582039", "670142", "715264") if code not in accepted)


def _reset_link(
    api_client: APIClient,
    email: str,
    mailoutbox: list[EmailMessage],
    capture_on_commit: DjangoCaptureOnCommitCallbacks,
) -> re.Match:
    # The email task is queued on commit; the test transaction never commits by itself.
    with capture_on_commit(execute=True):
        response = api_client.post("/api/v1/auth/password/reset", {"email": email}, format="json")
    assert response.status_code == 202
    match = _RESET_LINK.search(mailoutbox[-1].body)
    assert match, mailoutbox[-1].body
    return match


@pytest.mark.django_db
def test_secrets_fed_through_every_log_path_never_appear_in_the_json_output(
    logs: CapturedLogs,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = APIClient()
    email, phone, password = "ada.lovelace@example.com", "+33612345678", "Correct-Horse-Battery-9"
    direct_phone = "+15551234567"
    wrong_passwords = [f"wrong-password-{n}-xyzzy" for n in range(5)]
    new_password = "Brand-New-Passphrase-42"

    response = client.post(
        REGISTER, {"email": email, "password": password, "phone_number": phone}, format="json"
    )
    assert response.status_code == 202, response.content

    response = client.post(LOGIN, {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    token, user_id = response.json()["token"], response.json()["user"]["id"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = client.post(
        "/api/v1/auth/mfa/totp",
        {"password": password},
        format="json",
        headers={"X-Request-ID": "mfa-enrol-1"},
    )
    assert response.status_code == 201, response.content
    secret = response.json()["secret"]
    totp = pyotp.TOTP(secret)
    confirm_code = totp.at(timezone.now())
    response = client.post("/api/v1/auth/mfa/totp/confirm", {"code": confirm_code}, format="json")
    assert response.status_code == 200, response.content
    backup_codes = response.json()["backup_codes"]

    # The next step's code: the one used to confirm cannot be replayed.
    login_code = totp.at(timezone.now() + timedelta(seconds=30))
    anonymous = APIClient()
    response = anonymous.post(
        LOGIN, {"email": email, "password": password, "otp_code": login_code}, format="json"
    )
    assert response.status_code == 200, response.content
    mfa_token = response.json()["token"]
    wrong_code = _wrong_code(totp)
    response = anonymous.post(
        LOGIN, {"email": email, "password": password, "otp_code": wrong_code}, format="json"
    )
    assert response.status_code == 401, response.content

    link = _reset_link(anonymous, email, mailoutbox, django_capture_on_commit_callbacks)
    response = anonymous.post(
        "/api/v1/auth/password/reset/confirm",
        {"uid": link["uid"], "token": link["token"], "new_password": new_password},
        format="json",
    )
    assert response.status_code == 204, response.content

    # Enough failures to lock the account, so the lockout warning is written too.
    statuses = [
        anonymous.post(LOGIN, {"email": email, "password": wrong}, format="json").status_code
        for wrong in wrong_passwords
    ]
    assert statuses == [401, 401, 401, 401, 429]

    logger = logging.getLogger("x")
    logger.info(
        "Bearer %s phone %s",
        token,
        direct_phone,
        extra={
            "password": password,
            "otp_code": "123456",
            "authorization": "Bearer abc",
            "nested": {"refresh_token": "r"},
        },
    )
    try:
        raise ValueError(f"could not text {phone}")
    except ValueError:
        logger.exception("SMS to %s failed", phone)

    output = logs.searchable()
    secrets = {
        "password": password,
        "new password": new_password,
        "api token": token,
        "mfa token": mfa_token,
        "totp secret": secret,
        "confirm code": confirm_code,
        "login code": login_code,
        "wrong code": wrong_code,
        "direct otp_code": "123456",
        "authorization value": "Bearer abc",
        "phone": phone,
        "phone digits": phone.lstrip("+"),
        "direct phone": direct_phone,
        "reset token": link["token"],
        "email": email,
        **{f"wrong password {n}": wrong for n, wrong in enumerate(wrong_passwords)},
        **{f"backup code {n}": code for n, code in enumerate(backup_codes)},
    }
    leaked = {name: value for name, value in secrets.items() if value in output}
    assert not leaked, f"leaked {sorted(leaked)} in:\n{logs.stream.getvalue()}"

    lines = logs.lines()
    for line in lines:
        assert line.keys() >= REQUIRED_KEYS, line
    direct, failure = (line for line in lines if line["logger"] == "x")
    assert direct["message"] == f"Bearer [REDACTED] phone {mask_phone(direct_phone)}"
    assert mask_phone(direct_phone) == "+1******4567"
    assert direct["password"] == direct["otp_code"] == direct["authorization"] == "[REDACTED]"
    assert direct["nested"] == {"refresh_token": "[REDACTED]"}
    assert failure["message"] == f"SMS to {mask_phone(phone)} failed"
    assert mask_phone(phone) == "+3******5678"
    assert mask_phone(phone) in failure["exc_info"]
    assert "ValueError" in failure["exc_info"]
    assert any(line["event"] == "login_lockout" for line in lines)

    requests = logs.requests()
    assert len(requests) == 13
    for line in requests:
        assert {"method", "path", "status", "duration_ms", "user_id"} <= line.keys()
        assert isinstance(line["duration_ms"], int | float)
    enrol = next(line for line in requests if line["request_id"] == "mfa-enrol-1")
    assert (enrol["method"], enrol["path"], enrol["status"]) == ("POST", "/api/v1/auth/mfa/totp", 201)
    assert enrol["user_id"] == user_id
    assert all(line["user_id"] is None for line in requests if line["path"] == LOGIN)


@pytest.mark.django_db
def test_request_id_sent_by_the_client_is_echoed_and_stamped_on_every_line_of_its_request(
    logs: CapturedLogs, api_client: APIClient, user
) -> None:
    response = api_client.post(
        LOGIN,
        {"email": user.email, "password": "not the password"},
        format="json",
        headers={"X-Request-ID": "client-id_1.2:3"},
    )

    assert response.status_code == 401
    assert response["X-Request-ID"] == "client-id_1.2:3"
    ours = [line for line in logs.lines() if line["request_id"] == "client-id_1.2:3"]
    assert {line["event"] for line in ours} >= {"security_event", "http_request"}
    assert all(line["request_id"] in (None, "client-id_1.2:3") for line in logs.lines())


@pytest.mark.parametrize(
    "supplied",
    ["has spaces", "forged\nline", "x" * 500, 'quote"and{brace}', "ünïcode"],
    ids=["spaces", "newline", "500-chars", "punctuation", "non-ascii"],
)
@pytest.mark.django_db
def test_invalid_request_id_is_replaced_by_a_generated_one(
    logs: CapturedLogs, api_client: APIClient, supplied: str
) -> None:
    response = api_client.post(LOGIN, {}, format="json", headers={"X-Request-ID": supplied})

    assert response.status_code == 400
    generated = response["X-Request-ID"]
    assert _GENERATED_ID.match(generated)
    (line,) = logs.requests()
    assert line["request_id"] == generated
    assert supplied not in logs.searchable()


@pytest.mark.django_db
def test_requests_without_a_request_id_get_a_distinct_generated_one_each(
    logs: CapturedLogs, api_client: APIClient
) -> None:
    first = api_client.post(LOGIN, {}, format="json")["X-Request-ID"]
    second = api_client.post(LOGIN, {}, format="json")["X-Request-ID"]

    assert _GENERATED_ID.match(first)
    assert _GENERATED_ID.match(second)
    assert first != second
    assert [line["request_id"] for line in logs.requests()] == [first, second]


def test_password_reset_link_is_logged_as_its_route_pattern_not_with_its_token(
    logs: CapturedLogs,
    api_client: APIClient,
    user: User,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    link = _reset_link(api_client, user.email, mailoutbox, django_capture_on_commit_callbacks)
    path = link.group(0)

    page = api_client.get(path)
    assert page.status_code == 302  # Django moves the token into the session, then redirects
    form = api_client.get(page["Location"])
    assert form.status_code == 200
    assert b"new_password1" in form.content

    assert [(line["method"], line["path"], line["status"]) for line in logs.requests()[-2:]] == [
        ("GET", RESET_ROUTE, 302),
        ("GET", RESET_ROUTE, 200),
    ]
    assert link["token"] not in logs.searchable()
