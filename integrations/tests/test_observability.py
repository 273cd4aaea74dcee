"""What operators see of integrations: metrics, `event=oauth` logs without tokens, the admin,
and key rotation reaching the tokens."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from assistant.users.models import SecurityEvent
from integrations import services
from integrations.events import SecurityKind
from integrations.models import Integration
from integrations.providers.base import ReauthRequired
from integrations.tests.conftest import connect, consent, follow_callback

pytestmark = pytest.mark.django_db


def scrape(client) -> dict[tuple[str, frozenset], float]:
    text = client.get("/metrics").content.decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_connects_refreshes_syncs_and_statuses_are_on_metrics(
    client, auth_client, google, django_capture_on_commit_callbacks
):
    google.add_event("Dentist", timezone.now() + timedelta(hours=2), timezone.now() + timedelta(hours=3))
    before = scrape(client)
    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    Integration.objects.filter(pk=integration.pk).update(token_expires_at=timezone.now())
    services.integrations_refresh_due()
    consented = consent(auth_client, google, "google")
    follow_callback(consented.url.replace("state=", "state=forged"), browser=consented.browser)
    cache.clear()  # the status gauge is cached for 30 s; the first scrape cached the zeros

    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("oauth_integration_total", provider="google", result="connected") == 1
    assert delta("oauth_integration_total", provider="google", result="invalid_state") == 1
    assert delta("oauth_token_refresh_total", provider="google", result="success") == 1
    assert delta("integration_sync_total", provider="google", result="success") == 1
    assert delta("integration_items_synced_total", provider="google", kind="event") == 1
    assert delta("integration_sync_duration_seconds_count", provider="google") == 1
    assert delta("integration_api_request_duration_seconds_count", provider="google", outcome="ok") >= 1
    assert value(after, "oauth_integrations_active", provider="google", status="connected") == 1
    assert value(after, "oauth_integrations_active", provider="notion", status="needs_reauth") == 0


def test_oauth_logs_say_what_happened_and_hold_no_token(
    logs, auth_client, fakes, django_capture_on_commit_callbacks
):
    for provider, fake in fakes.items():
        integration = connect(auth_client, fake, provider, django_capture_on_commit_callbacks)
        if integration.token_expires_at is not None:
            services.integration_token_refresh(integration=integration)
    fakes["google"].revoke_grants()
    with pytest.raises(ReauthRequired):
        services.integration_token_refresh(integration=Integration.objects.get(provider="google"))
    auth_client.delete("/api/v1/integrations/notion")

    oauth = [line for line in logs.lines() if line["event"] == "oauth"]
    outcomes = {(line["provider"], line.get("action"), line.get("result")) for line in oauth}
    assert {
        ("google", None, "connected"),
        ("google", "refresh", "invalid_grant"),
        ("notion", None, "disconnected"),
    } <= outcomes
    assert ("microsoft", "refresh", "success") in outcomes
    searchable = logs.searchable()
    secrets = [token for fake in fakes.values() for token in fake.access_tokens + fake.refresh_tokens]
    assert not [secret for secret in secrets if secret in searchable]
    assert "code=" not in searchable  # the callback's authorization code is never logged


def test_encryption_key_rotation_reencrypts_the_tokens(
    settings, auth_client, google, django_capture_on_commit_callbacks
):
    from cryptography.fernet import Fernet

    old_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    token = integration.access_token
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]

    output = io.StringIO()
    call_command("encryption_keys_rotate", stdout=output)

    assert "integrations.Integration.access_token: 1 value(s) re-encrypted" in output.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # the old key is gone
    assert Integration.objects.get().access_token == token
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM integrations_integration")
        (raw,) = cursor.fetchone()
    assert token not in raw


@pytest.fixture
def staff_client(client, password):
    from assistant.users.tests.factories import UserFactory

    staff = UserFactory(password=password)
    staff.groups.add(Group.objects.get(name="staff"))
    client.force_login(staff)
    return client


def admin_action(client, name: str, ids: list[int]):
    url = reverse("admin:integrations_integration_changelist")
    return client.post(url, {"action": name, "_selected_action": ids}, follow=True)


def test_the_admin_lists_integrations_without_tokens(
    staff_client, auth_client, google, django_capture_on_commit_callbacks
):
    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)

    listing = staff_client.get(reverse("admin:integrations_integration_changelist")).content.decode()
    detail = staff_client.get(
        reverse("admin:integrations_integration_change", args=[integration.pk])
    ).content.decode()

    assert google.account.email in listing
    for page in (listing, detail):
        assert integration.access_token not in page
        assert integration.refresh_token not in page
    assert "calendar.readonly" in detail


def test_admin_actions_refresh_sync_and_flag(
    staff_client, user, auth_client, google, django_capture_on_commit_callbacks
):
    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    old_token = integration.access_token

    admin_action(staff_client, "refresh_now", [integration.pk])
    integration.refresh_from_db()
    assert integration.access_token != old_token

    listings = len(google.requests_to("/calendar"))
    with django_capture_on_commit_callbacks(execute=True):
        admin_action(staff_client, "sync_now", [integration.pk])
    assert len(google.requests_to("/calendar")) == listings + 1

    response = admin_action(staff_client, "mark_needs_reauth", [integration.pk])
    integration.refresh_from_db()
    assert b"1 integration(s) marked" in response.content
    assert integration.status == Integration.Status.NEEDS_REAUTH
    event = SecurityEvent.objects.get(kind=SecurityKind.OAUTH_GRANT_REVOKED)
    assert event.details == {"provider": "google", "reason": "marked by staff", "by_staff": True}
