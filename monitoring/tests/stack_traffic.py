"""Traffic shaped like real use, sent to a running native stack: accounts and sign-ins, chat,
todos, reminders, the agenda, phone verification, Twilio's signed webhooks, a Google
connection and its syncs. Each step goes through the public interfaces only (the API, the
webhooks, the consent page, the OAuth redirect), so every counter it moves is moved by the
production code path.
"""

import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pyotp

from deploy.local.stack import Stack
from monitoring.tests.stack_fixtures import StackClient, StackWithFakes
from tests.fakes.twilio_server import TEST_FROM_NUMBER, inbound_sms_request, status_callback_request

PASSWORD = "a long proof passphrase"
ONCALL_EMAIL = "oncall@example.com"
ONCALL_PHONE = "+33612345001"
SMS_USER_PHONE = "+33612345002"
STRANGER_PHONE = "+33612345999"
UNSUBSCRIBED_PHONE = "+33612345777"  # Twilio refuses it for good (21610)
FAILING_TASK = "auth_tokens_purge_expired"
# What proof_traffic needs from the app to finish within seconds rather than minutes.
STACK_ENV = {
    "REMINDER_DISPATCH_INTERVAL_SECONDS": "1",
    "SMS_RETRY_BASE_SECONDS": "1",
    "INTEGRATION_RETRY_BASE_SECONDS": "1",
    "CELERY_QUEUE_LENGTH_INTERVAL_SECONDS": "1",
    "BUSINESS_METRICS_REFRESH_SECONDS": "1",
    "ALERT_ONCALL_EMAIL": ONCALL_EMAIL,
}
_CODE = re.compile(r"\b(\d{6})\b")


@dataclass
class Traffic:
    """What the traffic created, for the checks that follow it."""

    sms_user: StackClient
    chat_user: StackClient
    reminders: list[int] = field(default_factory=list)  # ids of reminders due within seconds


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def register(env: StackWithFakes, email: str, **profile: str) -> StackClient:
    anonymous = StackClient(env.stack)
    anonymous.call(
        "POST", "/api/v1/auth/register", json={"email": email, "password": PASSWORD, **profile}, expect=202
    )
    token = anonymous.call("POST", "/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()[
        "token"
    ]
    return StackClient(env.stack, token)


def verify_phone(env: StackWithFakes, client: StackClient, phone: str) -> None:
    """The real flow: the code goes out by SMS through the worker and the Twilio fake."""
    client.call("POST", "/api/v1/phone/verify", json={"phone_number": phone}, expect=202)

    def code() -> str | None:
        for message in reversed(env.twilio.messages):
            if message["to"] == phone and (found := _CODE.search(message["body"])):
                return found.group(1)
        return None

    client.call(
        "POST",
        "/api/v1/phone/confirm",
        json={"code": env.stack.wait_until(code, f"a code texted to {phone}")},
    )


def api_traffic(env: StackWithFakes) -> Traffic:
    stack = env.stack
    sms_user = register(
        env,
        "sms-user@example.com",
        timezone="Europe/Paris",
        phone_number=SMS_USER_PHONE,
        preferred_channel="sms",
    )
    chat_user = register(env, "chat-user@example.com", timezone="America/New_York")
    oncall = register(env, ONCALL_EMAIL, timezone="UTC", phone_number=ONCALL_PHONE)
    verify_phone(env, sms_user, SMS_USER_PHONE)
    verify_phone(env, oncall, ONCALL_PHONE)
    # Staff is granted in the admin; there is no API for it.
    stack.sql("UPDATE users_user SET is_staff = %s WHERE email = %s", (True, ONCALL_EMAIL))

    # A number that opted out at Twilio: the code's SMS fails for good.
    env.twilio.unsubscribed.add(UNSUBSCRIBED_PHONE)
    chat_user.call("POST", "/api/v1/phone/verify", json={"phone_number": UNSUBSCRIBED_PHONE}, expect=202)

    anonymous = StackClient(stack)
    anonymous.call(
        "POST", "/api/v1/auth/login", json={"email": "chat-user@example.com", "password": "wrong"}, expect=401
    )
    anonymous.call(
        "POST", "/api/v1/auth/password/reset", json={"email": "chat-user@example.com"}, expect=(200, 202, 204)
    )

    # Two-factor: enrol, confirm, and sign in with a code. Each code works once: confirm with
    # the previous step's (one step of drift is accepted), sign in with the current one.
    totp = pyotp.TOTP(
        chat_user.call("POST", "/api/v1/auth/mfa/totp", json={"password": PASSWORD}, expect=201).json()[
            "secret"
        ]
    )
    chat_user.call(
        "POST", "/api/v1/auth/mfa/totp/confirm", json={"code": totp.at(time.time() - totp.interval)}
    )
    anonymous.call(
        "POST",
        "/api/v1/auth/login",
        json={"email": "chat-user@example.com", "password": PASSWORD, "otp_code": totp.now()},
    )

    # What load balancers probe (anonymous: live and ready) and operators read (the detailed
    # pages, with the metrics token): plain HTTP from inside the network, no proxy.
    # A page with dependencies may say 503: on two busy cores a worker can miss the 2 s ping.
    probe = StackClient(stack, proxied=False)
    probe.call("GET", "/health/live")
    probe.call("GET", "/health/ready", expect=(200, 503))
    operator = StackClient(stack, stack.metrics_token, proxied=False)
    for page in ("overall", "database", "database/performance", "redis", "celery"):
        operator.call("GET", f"/health/{page}", expect=(200, 503))

    traffic = Traffic(sms_user=sms_user, chat_user=chat_user)
    for client in (sms_user, chat_user):
        client.call("GET", "/api/v1/auth/me")
        for text in ("add call the dentist", "remind me to drink water in 1 minute", "what's next?"):
            client.call("POST", "/api/v1/chat/messages", json={"text": text}, expect=(200, 201))
        client.call("GET", "/api/v1/chat/messages")

        todo = client.call("POST", "/api/v1/todos", json={"title": "buy milk"}, expect=201).json()
        client.call("GET", "/api/v1/todos")
        client.call("GET", f"/api/v1/todos/{todo['id']}")
        client.call("PATCH", f"/api/v1/todos/{todo['id']}", json={"status": "done"})
        doomed = client.call("POST", "/api/v1/todos", json={"title": "never mind"}, expect=201).json()
        client.call("DELETE", f"/api/v1/todos/{doomed['id']}", expect=204)

        now = datetime.now(UTC)
        later = client.call(
            "POST",
            "/api/v1/reminders",
            json={"text": "stretch", "due_at": _iso(now + timedelta(hours=2))},
            expect=201,
        ).json()
        client.call("GET", "/api/v1/reminders")
        client.call("PATCH", f"/api/v1/reminders/{later['id']}", json={"text": "stretch a lot"})
        client.call(
            "POST", f"/api/v1/reminders/{later['id']}/snooze", json={"minutes": 10}, expect=(200, 201)
        )
        client.call("DELETE", f"/api/v1/reminders/{later['id']}", expect=(200, 204))
        # Due in a few seconds: beat's dispatcher sends it (chat, or SMS for the SMS user).
        soon = client.call(
            "POST",
            "/api/v1/reminders",
            json={"text": "take a break", "due_at": _iso(now + timedelta(seconds=3))},
            expect=201,
        ).json()
        traffic.reminders.append(soon["id"])

        for day in ("today", "tomorrow", "week"):
            client.call("GET", f"/api/v1/agenda?day={day}")
    return traffic


def sms_traffic(env: StackWithFakes) -> None:
    """Twilio's side: signed inbound messages (from a user, a keyword, a stranger), a forged one,
    a reply Twilio first answers with a 500 (the outbox retries it), and status callbacks: the
    first message undelivered (carrier error 30003), the others delivered with their price."""
    twilio = StackClient(env.stack)
    for sender, body in (
        (SMS_USER_PHONE, "add water the plants"),
        (SMS_USER_PHONE, "HELP"),
        (STRANGER_PHONE, "hello?"),
    ):
        _inbound(env, twilio, sender, body)
    _inbound(env, twilio, SMS_USER_PHONE, "forged", signature="forged", expect=403)
    env.twilio.fail_next(500)
    _inbound(env, twilio, SMS_USER_PHONE, "what's next?")

    status_url = f"{twilio.public_url}/sms/twilio/status"
    for index, message in enumerate(list(env.twilio.messages)):
        final = ("undelivered", {"error_code": 30003}) if index == 0 else ("delivered", {"price": "-0.07980"})
        for status, extra in (("sent", {}), final):
            params, signature = status_callback_request(
                status_url,
                env.twilio.auth_token,
                message_sid=message["sid"],
                status=status,
                to=message["to"],
                from_=message["from"] or TEST_FROM_NUMBER,
                **extra,
            )
            headers = {"X-Twilio-Signature": signature}
            twilio.call("POST", "/sms/twilio/status", data=params, headers=headers, expect=(200, 204))


def _inbound(
    env: StackWithFakes,
    twilio: StackClient,
    sender: str,
    body: str,
    *,
    signature: str = "",
    expect: int = 200,
) -> None:
    """A text to our number, as Twilio posts it (signed on the URL the app sees behind the proxy)."""
    url = f"{twilio.public_url}/sms/twilio/inbound"
    params, signed = inbound_sms_request(
        url,
        env.twilio.auth_token,
        message_sid=f"SM{uuid.uuid4().hex}",
        from_=sender,
        to=TEST_FROM_NUMBER,
        body=body,
    )
    headers = {"X-Twilio-Signature": signature or signed}
    twilio.call("POST", "/sms/twilio/inbound", data=params, headers=headers, expect=expect)


def integration_traffic(env: StackWithFakes, client: StackClient) -> None:
    """Google as a person and Google itself go through it: a refused consent, a connection and
    its first sync, a sync that meets an expired token (refreshed), and a grant the user
    revoked at Google (the refresh fails, the integration needs a new consent)."""
    google, stack = env.google, env.stack
    google.add_event("Dentist", datetime.now(UTC) + timedelta(hours=3))
    google.deny_next_consent = True
    _consent(env, client, expect=400)
    _consent(env, client, expect=200)
    client.call("GET", "/api/v1/integrations")
    stack.wait_until(lambda: _integration(stack, "last_synced_at IS NOT NULL"), "the first Google sync")

    google.expire_access_tokens()
    synced_before = _last_synced(stack)
    client.call("POST", "/api/v1/integrations/google/sync", expect=202)
    # The whole sync, not just its refresh: revoking the grant mid-sync would make Google refuse
    # the fresh token instead of the refresh after it.
    stack.wait_until(lambda: _last_synced(stack) != synced_before, "a sync through a token refresh")
    assert _refreshes(env) == 1

    google.revoke_grants()
    client.call("POST", "/api/v1/integrations/google/sync", expect=202)
    stack.wait_until(
        lambda: _integration(stack, "status = 'needs_reauth'"), "the revoked grant to be noticed"
    )
    assert _refreshes(env) == 2


def _consent(env: StackWithFakes, client: StackClient, *, expect: int) -> None:
    """Our connect API, our consent page (the account's password), the consent page at Google
    (the fake consents or refuses), and our callback in the browser that confirmed."""
    link = urlsplit(
        client.call("POST", "/api/v1/integrations/google/connect").json()["authorization_url"]
    ).path
    browser = StackClient(env.stack)
    page = browser.call("GET", link)
    csrf_form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert csrf_form_token, page.text[:800]
    # Production cookies are Secure, and this hop is plain HTTP behind the (pretended) TLS
    # proxy: carry them by hand, as a browser over HTTPS would. Django's CSRF check for HTTPS
    # also wants a same-origin Referer.
    confirmed = browser.call(
        "POST",
        link,
        data={"csrfmiddlewaretoken": csrf_form_token.group(1), "password": PASSWORD},
        headers={"Referer": browser.public_url + link, "Cookie": f"csrftoken={page.cookies['csrftoken']}"},
        expect=302,
    )
    callback = urlsplit(env.google.authorize(confirmed.headers["Location"]))
    browser.call(
        "GET",
        f"{callback.path}?{callback.query}",
        headers={"Cookie": f"integration_consent={confirmed.cookies['integration_consent']}"},
        expect=expect,
    )


def _last_synced(stack: Stack) -> object:
    return stack.sql("SELECT last_synced_at FROM integrations_integration")


def _integration(stack: Stack, condition: str) -> bool:
    return bool(stack.sql(f"SELECT 1 FROM integrations_integration WHERE {condition}"))  # noqa: S608 - ours


def _refreshes(env: StackWithFakes) -> int:
    return sum(
        r.path == "/token" and (r.form or {}).get("grant_type") == "refresh_token"
        for r in env.google.requests
    )


def celery_traffic(env: StackWithFakes) -> None:
    """What beat would do a minute from now, and a task that fails: through the celery command,
    as an operator would. The outbox sweep sets the backlog gauge; the failure proves the
    failed-task series and panels work."""
    env.stack.celery("call", "sms.tasks.sms_outbox_sweep")
    failing_task(env)


def failing_task(env: StackWithFakes) -> None:
    """A task that fails for good: it rejects an argument it does not take."""
    env.stack.celery("call", f"assistant.users.tasks.{FAILING_TASK}", "--args", '["unexpected"]')


def worker_logged(stack: Stack, task: str, outcome: str) -> bool:
    """Celery's own line for a task run: "Task <name>[<id>] succeeded in ..." or "... raised ..."."""
    return any(
        f".{task}[" in line and outcome in line
        for line in stack.log("worker").read_text(errors="replace").splitlines()
    )


def proof_traffic(env: StackWithFakes) -> Traffic:
    """All of the above, and until what it set off has finished: the reminders due now sent,
    the outbox swept, the failing task failed."""
    stack = env.stack
    traffic = api_traffic(env)
    celery_traffic(env)
    sms_traffic(env)
    integration_traffic(env, traffic.sms_user)
    stack.wait_until(lambda: not _scheduled(stack, traffic.reminders), "the reminders due now to go out")
    stack.wait_until(lambda: worker_logged(stack, "sms_outbox_sweep", "succeeded"), "the outbox sweep")
    stack.wait_until(lambda: worker_logged(stack, FAILING_TASK, "raised"), "the failing task")
    return traffic


def _scheduled(stack: Stack, reminders: list[int]) -> list[int]:
    return [
        r
        for r in reminders
        if stack.sql("SELECT status FROM planner_reminder WHERE id = %s", (r,)) == [("scheduled",)]
    ]


def first_events(env: StackWithFakes) -> None:
    """One of each event issue 15 names, on fresh processes: a sign-in (after its account's
    registration), a signed inbound SMS through the real webhook (from a number no account
    has), a task that fails, and a Google connection through the consent flow (and the first
    sync it starts); until all of it has finished."""
    stack = env.stack
    client = register(env, "first-events@example.com", timezone="Europe/Paris")
    _inbound(env, StackClient(stack), STRANGER_PHONE, "hello?")
    failing_task(env)
    _consent(env, client, expect=200)
    stack.wait_until(lambda: _integration(stack, "last_synced_at IS NOT NULL"), "the first Google sync")
    stack.wait_until(lambda: worker_logged(stack, FAILING_TASK, "raised"), "the failing task")
