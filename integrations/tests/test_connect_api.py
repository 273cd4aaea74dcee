"""Connecting and disconnecting, through the API, the providers' fakes and our callback page."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from social_django.models import UserSocialAuth

from assistant.core.masking import mask_email
from assistant.users.models import AuditEvent, SecurityEvent
from assistant.users.tests.factories import UserFactory
from assistant.users.tests.helpers import enable_totp, fresh_code, sign_in
from integrations.events import AuditAction, SecurityKind
from integrations.models import AuthorizationRequest, Event, Integration
from integrations.tests.conftest import (
    PASSWORD,
    confirm_on_consent_page,
    connect,
    connect_link,
    consent,
    follow_callback,
)

pytestmark = pytest.mark.django_db

PROVIDERS = ["google", "microsoft", "notion"]


def test_connect_answers_a_one_time_link_to_our_consent_page(auth_client, google):
    response = auth_client.post("/api/v1/integrations/google/connect")

    assert response.status_code == 200
    link = urlsplit(response.json()["authorization_url"])
    assert link.netloc == "127.0.0.1:8000"
    assert link.path.startswith("/integrations/google/connect/")
    pending = AuthorizationRequest.objects.get()
    assert pending.state is None  # no provider state exists before the owner confirms
    assert link.path.rsplit("/", 1)[1] not in pending.link_hash  # the token is kept as a hash only


def test_the_consent_page_names_the_masked_account_and_asks_its_password(auth_client, user, google):
    page = Client().get(connect_link(auth_client, "google"))

    html = page.content.decode()
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    assert mask_email(user.email) in html
    assert user.email not in html
    assert 'name="password"' in html
    assert 'name="otp_code"' not in html  # no two-factor on this account


def test_the_owners_password_sends_the_browser_to_the_provider_with_a_bound_cookie(
    auth_client, google, settings
):
    settings.SESSION_COOKIE_SECURE = True  # as in production
    browser = Client()

    page = confirm_on_consent_page(connect_link(auth_client, "google"), browser)

    assert page.status_code == 302
    url = urlsplit(page["Location"])
    query = parse_qs(url.query)
    assert url.path == "/o/oauth2/v2/auth"
    assert query["redirect_uri"] == ["http://127.0.0.1:8000/integrations/google/callback"]
    assert query["access_type"] == ["offline"]  # so a refresh token comes back
    assert "https://www.googleapis.com/auth/calendar.readonly" in query["scope"][0].split()
    assert AuthorizationRequest.objects.get().state == query["state"][0]
    cookie = page.cookies["integration_consent"]
    assert (cookie["httponly"], cookie["samesite"], cookie["secure"]) == (True, "Lax", True)
    assert cookie["path"] == "/integrations/"


class TestConsentIsBoundToItsAccount:
    """Whoever opens a connect link must prove the account that made it, in the browser that
    comes back to the callback."""

    def test_another_browser_opening_the_link_cannot_get_past_the_password(self, auth_client, google):
        link = connect_link(auth_client, "google")
        attacker = Client()

        page = confirm_on_consent_page(link, attacker, password="a guess")

        assert page.status_code == 401
        assert "This password is wrong." in page.content.decode()
        assert "integration_consent" not in page.cookies
        assert AuthorizationRequest.objects.get().state is None  # no way to the provider
        assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_FAILED).count() == 1
        assert google.requests_to("/o/oauth2/v2/auth") == []

    def test_another_browser_consenting_with_the_owners_provider_url_is_refused(
        self, auth_client, google, django_capture_on_commit_callbacks
    ):
        """The owner confirmed, but the provider's page was opened (and consented to) elsewhere."""
        consented = consent(auth_client, google, "google")

        with django_capture_on_commit_callbacks(execute=True):
            page = follow_callback(consented.url, browser=Client())

        assert page.status_code == 400
        assert "not the one that confirmed the connection" in page.content.decode()
        assert not Integration.objects.exists()
        assert len(google.requests_to("/token")) == 0  # the code was never spent
        event = SecurityEvent.objects.get(kind=SecurityKind.OAUTH_CONSENT_REFUSED)
        assert event.details == {"reason": "no_consent_cookie", "provider": "google"}
        assert follow_callback(consented).status_code == 400  # and the state is spent

    def test_a_consent_cookie_from_another_link_is_refused(self, auth_client, google, password):
        mine = consent(auth_client, google, "google")
        other = UserFactory(password=password)
        theirs = consent(sign_in(other.email, password), google, "google")

        page = follow_callback(theirs.url, browser=mine.browser)

        assert page.status_code == 400
        assert not Integration.objects.exists()
        event = SecurityEvent.objects.get(kind=SecurityKind.OAUTH_CONSENT_REFUSED)
        assert event.details == {"reason": "consent_cookie_mismatch", "provider": "google"}
        assert event.user == other

    def test_a_cross_site_form_cannot_confirm_for_the_browser(self, auth_client, google):
        """Another site posting its own link and password into a victim's browser would send the
        victim's consent to the attacker's account: the page's CSRF check stops it."""
        victims_browser = Client(enforce_csrf_checks=True)

        page = victims_browser.post(connect_link(auth_client, "google"), {"password": PASSWORD})

        assert page.status_code == 403
        assert "integration_consent" not in page.cookies
        assert AuthorizationRequest.objects.get().state is None

    def test_the_consent_page_works_with_its_own_csrf_token(self, auth_client, google):
        browser = Client(enforce_csrf_checks=True)
        link = connect_link(auth_client, "google")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(link).content.decode())

        page = browser.post(link, {"password": PASSWORD, "csrfmiddlewaretoken": token.group(1)})

        assert page.status_code == 302

    def test_the_owner_with_the_right_password_links_the_account(
        self, auth_client, user, google, django_capture_on_commit_callbacks
    ):
        consented = consent(auth_client, google, "google")

        with django_capture_on_commit_callbacks(execute=True):
            page = follow_callback(consented)

        assert page.status_code == 200, page.content.decode()
        assert Integration.objects.get().user == user
        assert not SecurityEvent.objects.filter(kind=SecurityKind.OAUTH_CONSENT_REFUSED).exists()
        assert page.cookies["integration_consent"].value == ""  # spent: deleted

    def test_a_replayed_link_is_refused(self, auth_client, google):
        link = connect_link(auth_client, "google")
        assert confirm_on_consent_page(link, Client()).status_code == 302

        for replay in (Client().get(link), Client().post(link, {"password": PASSWORD})):
            assert replay.status_code == 410
            assert "expired or was already used" in replay.content.decode()
        assert SecurityEvent.objects.filter(kind=SecurityKind.OAUTH_CONSENT_REFUSED).count() == 2
        assert AuthorizationRequest.objects.count() == 1

    def test_an_expired_link_is_refused(self, auth_client, google):
        link = connect_link(auth_client, "google")
        AuthorizationRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

        assert Client().get(link).status_code == 410

    def test_a_browser_signed_in_as_the_account_only_confirms(self, auth_client, user, google):
        browser = Client()
        browser.force_login(user)
        link = connect_link(auth_client, "google")

        assert 'name="password"' not in browser.get(link).content.decode()
        assert browser.post(link).status_code == 302

    def test_a_browser_signed_in_as_someone_else_still_needs_the_password(self, auth_client, google):
        browser = Client()
        browser.force_login(UserFactory())
        link = connect_link(auth_client, "google")

        assert browser.post(link).status_code == 401

    def test_an_account_with_two_factor_needs_its_code_too(self, auth_client, user, google):
        totp = enable_totp(user)
        link = connect_link(auth_client, "google")
        browser = Client()

        assert 'name="otp_code"' in browser.get(link).content.decode()
        assert browser.post(link, {"password": PASSWORD}).status_code == 401
        assert browser.post(link, {"password": PASSWORD, "otp_code": fresh_code(totp)}).status_code == 302


@pytest.mark.parametrize("provider", PROVIDERS)
def test_connecting_links_the_account_and_keeps_the_tokens(
    provider, fakes, user, auth_client, django_capture_on_commit_callbacks
):
    fake = fakes[provider]

    integration = connect(auth_client, fake, provider, django_capture_on_commit_callbacks)

    assert integration.user == user
    assert integration.status == Integration.Status.CONNECTED
    assert integration.access_token in fake.access_tokens
    assert integration.refresh_token in fake.refresh_tokens
    assert integration.account == fake.account.email
    assert integration.last_synced_at is not None  # the first sync ran
    assert UserSocialAuth.objects.get(user=user).extra_data == {}
    audit = AuditEvent.objects.get(action=AuditAction.INTEGRATION_CONNECTED)
    assert audit.details["provider"] == provider


def test_the_list_shows_every_provider_with_its_status(
    auth_client, google, django_capture_on_commit_callbacks
):
    connect(auth_client, google, "google", django_capture_on_commit_callbacks)

    rows = {row["provider"]: row for row in auth_client.get("/api/v1/integrations").json()}

    assert rows["google"]["status"] == "connected"
    assert "https://www.googleapis.com/auth/calendar.readonly" in rows["google"]["scopes"]
    assert rows["google"]["last_synced_at"] is not None
    assert rows["google"]["last_error"] == ""
    assert rows["microsoft"]["status"] == "not_connected"
    assert rows["microsoft"]["configured"] is False  # no client id in this test
    assert not any("token" in key and "expires" not in key for key in rows["google"])


def test_a_replayed_callback_is_refused_and_recorded(auth_client, google, django_capture_on_commit_callbacks):
    callback = consent(auth_client, google, "google")
    with django_capture_on_commit_callbacks(execute=True):
        assert follow_callback(callback).status_code == 200

    replay = follow_callback(callback)

    assert replay.status_code == 400
    assert "expired or was already used" in replay.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.FORGED_REQUEST)
    assert event.details == {"reason": "oauth_unknown_state", "provider": "google"}


def test_a_callback_with_a_state_we_never_issued_is_refused(auth_client, google):
    callback = consent(auth_client, google, "google")

    page = follow_callback(callback.url.replace("state=", "state=x"), browser=callback.browser)

    assert page.status_code == 400
    assert not Integration.objects.exists()
    assert len(google.requests_to("/token")) == 0  # the code was never spent


def test_a_callback_for_another_signed_in_user_is_refused(auth_client, google):
    browser = Client()
    browser.force_login(UserFactory())
    callback = consent(auth_client, google, "google", browser=browser)

    page = follow_callback(callback)

    assert page.status_code == 400
    assert not Integration.objects.exists()


def test_declining_at_the_provider_says_so_plainly(auth_client, google):
    google.deny_next_consent = True

    page = follow_callback(consent(auth_client, google, "google"))

    assert page.status_code == 400
    assert "allow access to Google Calendar, so nothing was connected" in page.content.decode()
    assert not Integration.objects.exists()


def test_a_grant_without_refresh_token_is_kept_with_a_warning(auth_client, google):
    google.omit_refresh_token = True

    page = follow_callback(consent(auth_client, google, "google"))

    assert page.status_code == 200
    text = page.content.decode()
    assert "did not grant lasting access" in text
    assert google.account.email in text  # the provider account and ours are both named
    assert Integration.objects.get().refresh_token == ""


def test_one_provider_account_cannot_be_linked_to_two_users(
    auth_client, google, password, django_capture_on_commit_callbacks
):
    connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    other = UserFactory(password=password)

    page = follow_callback(consent(sign_in(other.email, password), google, "google"))

    assert page.status_code == 400
    assert "already connected to another account" in page.content.decode()
    assert not Integration.objects.filter(user=other).exists()


def test_a_provider_error_at_the_token_endpoint_is_a_clear_page_not_a_500(auth_client, google):
    google.fail_next(500, path_prefix="/token")

    page = follow_callback(consent(auth_client, google, "google"))

    assert page.status_code == 400
    assert "try again in a few minutes" in page.content.decode()


def test_unknown_and_unconfigured_providers(auth_client, settings):
    settings.SOCIAL_AUTH_NOTION_KEY = ""

    assert auth_client.post("/api/v1/integrations/dropbox/connect").status_code == 404
    response = auth_client.post("/api/v1/integrations/notion/connect")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "provider_not_configured"


def test_disconnecting_revokes_at_google_and_forgets_everything(
    user, auth_client, google, django_capture_on_commit_callbacks
):
    google.add_event("Dentist", timezone.now() + timedelta(hours=3), timezone.now() + timedelta(hours=4))
    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    assert Event.objects.count() == 1

    response = auth_client.delete("/api/v1/integrations/google")

    assert response.status_code == 204
    revoke = google.requests_to("/revoke")
    assert len(revoke) == 1
    assert revoke[0].status == 200
    assert not Integration.objects.exists()
    assert not Event.objects.exists()
    assert not UserSocialAuth.objects.exists()
    nudge = user.reminders.get()
    assert nudge.status == "cancelled"
    audit = AuditEvent.objects.get(action=AuditAction.INTEGRATION_DISCONNECTED)
    assert audit.details == {"provider": "google", "revoked_at_provider": True}
    assert audit.target_id == str(integration.pk)


def test_disconnecting_what_is_not_connected_is_a_404(auth_client, google):
    assert auth_client.delete("/api/v1/integrations/google").status_code == 404


def test_no_token_sits_in_the_database_in_plain_text(fakes, auth_client, django_capture_on_commit_callbacks):
    for provider, fake in fakes.items():
        connect(auth_client, fake, provider, django_capture_on_commit_callbacks)
    secrets = [token for fake in fakes.values() for token in fake.access_tokens + fake.refresh_tokens]
    assert len(secrets) >= 6

    dump = _every_text_value_in_the_database()

    assert not [secret for secret in secrets if secret in dump]


def _every_text_value_in_the_database() -> str:
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own tables
            values += [str(value) for row in cursor.fetchall() for value in row]
    return "\n".join(values)
