"""The native stack (deploy/local) with the Twilio and Google fakes, for tests that drive it
from outside the way clients, Twilio, Google and Prometheus do.

The stack runs production settings in separate processes; these helpers talk to it over HTTP
only (as nginx would forward: X-Forwarded-Proto https) and read its database through
`stack.sql`, never through the test process's Django.
"""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from deploy.local.stack import Stack, StackOptions
from tests.fakes.google_server import TEST_GOOGLE_CLIENT_ID, TEST_GOOGLE_CLIENT_SECRET, FakeGoogle
from tests.fakes.twilio_server import TEST_FROM_NUMBER, FakeTwilio


@dataclass
class StackWithFakes:
    stack: Stack
    twilio: FakeTwilio
    google: FakeGoogle


def fake_provider_env(twilio: FakeTwilio, google: FakeGoogle) -> dict[str, str]:
    """The app's settings pointing SMS at the Twilio fake and Google at its fake."""
    return {
        "SMS_BACKEND": "sms.backends.twilio.TwilioSmsBackend",
        "TWILIO_API_BASE_URL": twilio.base_url,
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_FROM_NUMBER": TEST_FROM_NUMBER,
        "TWILIO_TIMEOUT_SECONDS": "5",
        "GOOGLE_CLIENT_ID": TEST_GOOGLE_CLIENT_ID,
        "GOOGLE_CLIENT_SECRET": TEST_GOOGLE_CLIENT_SECRET,
        "GOOGLE_ACCOUNTS_URL": google.base_url,
        "GOOGLE_OAUTH2_URL": google.base_url,
        "GOOGLE_API_URL": google.base_url,
    }


@contextmanager
def stack_with_fakes(options: StackOptions) -> Iterator[StackWithFakes]:
    """Start the fakes, then the stack pointed at them (options.env adds to their settings)."""
    with ExitStack() as stop:
        twilio = stop.enter_context(FakeTwilio())
        google = stop.enter_context(FakeGoogle())
        google.register_client(TEST_GOOGLE_CLIENT_ID, TEST_GOOGLE_CLIENT_SECRET)
        options.env = {**fake_provider_env(twilio, google), **options.env}
        stack = stop.enter_context(Stack(options))
        yield StackWithFakes(stack=stack, twilio=twilio, google=google)


class StackClient:
    """HTTP to the stack's gunicorn, as nginx forwards it (the request came over HTTPS), or,
    with `proxied=False`, straight from inside the network (probes, Prometheus)."""

    def __init__(self, stack: Stack, token: str | None = None, *, proxied: bool = True) -> None:
        self.stack = stack
        self.session = requests.Session()
        if proxied:
            self.session.headers.update(stack.proxy_headers)
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    @property
    def public_url(self) -> str:
        """The web server's address as the app sees it behind the proxy (Twilio signs this)."""
        return self.stack.url("web").replace("http://", "https://", 1)

    def call(
        self, method: str, path: str, *, expect: int | tuple[int, ...] = 200, **kwargs: Any
    ) -> requests.Response:
        response = self.session.request(
            method, self.stack.url("web") + path, timeout=30, allow_redirects=False, **kwargs
        )
        expected = (expect,) if isinstance(expect, int) else expect
        assert response.status_code in expected, (
            f"{method} {path}: {response.status_code} {response.text[:800]}"
        )
        return response
