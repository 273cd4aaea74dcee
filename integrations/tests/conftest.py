"""Each provider's local fake, with the settings pointed at it, and the connect flow as a
person goes through it: our API, the provider's consent page, our callback page."""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client
from rest_framework.test import APIClient

from integrations.models import Integration
from tests.fakes.google_server import TEST_GOOGLE_CLIENT_ID, TEST_GOOGLE_CLIENT_SECRET, google_fake  # noqa: F401
from tests.fakes.microsoft_server import (  # noqa: F401 - fixtures, used by name
    TEST_MICROSOFT_CLIENT_ID,
    TEST_MICROSOFT_CLIENT_SECRET,
    microsoft_fake,
)
from tests.fakes.notion_server import TEST_NOTION_CLIENT_ID, TEST_NOTION_CLIENT_SECRET, notion_fake  # noqa: F401
from tests.fakes.oauth_fake import FakeOAuthProvider


@pytest.fixture
def google(google_fake, settings):  # noqa: F811
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = TEST_GOOGLE_CLIENT_ID
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = TEST_GOOGLE_CLIENT_SECRET
    settings.GOOGLE_ACCOUNTS_URL = settings.GOOGLE_OAUTH2_URL = settings.GOOGLE_API_URL = google_fake.base_url
    return google_fake


@pytest.fixture
def microsoft(microsoft_fake, settings):  # noqa: F811
    settings.SOCIAL_AUTH_MICROSOFT_GRAPH_KEY = TEST_MICROSOFT_CLIENT_ID
    settings.SOCIAL_AUTH_MICROSOFT_GRAPH_SECRET = TEST_MICROSOFT_CLIENT_SECRET
    settings.MICROSOFT_LOGIN_URL = settings.MICROSOFT_GRAPH_URL = microsoft_fake.base_url
    return microsoft_fake


@pytest.fixture
def notion(notion_fake, settings):  # noqa: F811
    settings.SOCIAL_AUTH_NOTION_KEY = TEST_NOTION_CLIENT_ID
    settings.SOCIAL_AUTH_NOTION_SECRET = TEST_NOTION_CLIENT_SECRET
    settings.NOTION_API_URL = notion_fake.base_url
    return notion_fake


@pytest.fixture
def fakes(google, microsoft, notion) -> dict[str, FakeOAuthProvider]:
    return {"google": google, "microsoft": microsoft, "notion": notion}


# The factory's default password, which the `password` fixture's users have too.
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Consented:
    """Where the provider sends the browser back, and the browser that went through consent."""

    url: str
    browser: Client


def connect_link(api: APIClient, provider: str) -> str:
    """Ask our API to connect: the one-time link to our consent page, as a path."""
    response = api.post(f"/api/v1/integrations/{provider}/connect")
    assert response.status_code == 200, response.content
    link = urlsplit(response.json()["authorization_url"])
    return link.path


def confirm_on_consent_page(link: str, browser: Client, password: str = PASSWORD) -> HttpResponse:
    """The browser opens the link and confirms with the account's password."""
    assert browser.get(link).status_code == 200
    return browser.post(link, {"password": password})


def consent(
    api: APIClient, fake: FakeOAuthProvider, provider: str, browser: Client | None = None
) -> Consented:
    """Ask our API to connect, confirm on our consent page, and consent at the provider."""
    browser = browser or Client()
    page = confirm_on_consent_page(connect_link(api, provider), browser)
    assert page.status_code == 302, page.content.decode()
    return Consented(fake.authorize(page["Location"]), browser)


def follow_callback(callback: Consented | str, browser: Client | None = None) -> HttpResponse:
    """A browser arriving at our callback page (with no API token: a plain browser): the one
    that consented unless another is given; a bare URL comes in a fresh browser."""
    if isinstance(callback, Consented):
        callback, browser = callback.url, browser or callback.browser
    parts = urlsplit(callback)
    return (browser or Client()).get(f"{parts.path}?{parts.query}")


def connect(api: APIClient, fake: FakeOAuthProvider, provider: str, capture) -> Integration:
    """The whole flow, with the first sync the callback enqueues run (Celery is eager in tests)."""
    callback = consent(api, fake, provider)
    with capture(execute=True):
        page = follow_callback(callback)
    assert page.status_code == 200, page.content.decode()
    return Integration.objects.get(provider=provider)
