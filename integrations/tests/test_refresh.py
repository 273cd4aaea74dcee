"""Refreshing access tokens before they expire: once per integration, backoff on transient
failures, and re-authorization (told once) when the grant is gone."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections
from django.utils import timezone

from assistant.chat.models import Message
from assistant.users.models import SecurityEvent
from integrations import services
from integrations.events import SecurityKind
from integrations.models import Integration
from integrations.tests.conftest import connect

pytestmark = pytest.mark.django_db


def expiring_in(integration: Integration, minutes: float) -> None:
    Integration.objects.filter(pk=integration.pk).update(
        token_expires_at=timezone.now() + timedelta(minutes=minutes)
    )


def refresh_requests(fake) -> list:
    return [
        request
        for request in fake.requests_to("/")
        if (request.form or request.json or {}).get("grant_type") == "refresh_token"
    ]


@pytest.mark.parametrize("provider", ["google", "microsoft"])
def test_tokens_expiring_within_the_lead_time_are_refreshed(
    provider, fakes, auth_client, django_capture_on_commit_callbacks
):
    fake = fakes[provider]
    integration = connect(auth_client, fake, provider, django_capture_on_commit_callbacks)
    old_access = integration.access_token
    expiring_in(integration, 5)

    run = services.integrations_refresh_due()

    integration.refresh_from_db()
    assert (run.refreshed, run.failed) == (1, 0)
    assert integration.access_token != old_access
    assert integration.access_token in fake.access_tokens
    assert integration.token_expires_at > timezone.now() + timedelta(minutes=50)
    if provider == "microsoft":  # Microsoft rotates refresh tokens: the new one is kept
        assert integration.refresh_token == fake.refresh_tokens[-1]


def test_tokens_with_time_left_are_left_alone(auth_client, google, django_capture_on_commit_callbacks):
    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    expiring_in(integration, 30)

    assert services.integrations_refresh_due().refreshed == 0
    assert refresh_requests(google) == []


def test_notion_tokens_never_expire_but_refresh_on_a_401(
    auth_client, notion, django_capture_on_commit_callbacks
):
    source = notion.add_data_source("Tasks")
    integration = connect(auth_client, notion, "notion", django_capture_on_commit_callbacks)
    assert integration.token_expires_at is None
    Integration.objects.filter(pk=integration.pk).update(task_source_id=source, next_sync_at=None)
    notion.expire_access_tokens()

    outcome = services.integration_sync(integration_id=integration.pk)

    assert outcome.result == "success"
    (refresh,) = refresh_requests(notion)
    assert refresh.auth is not None  # client credentials in HTTP Basic, as Notion wants
    assert refresh.header("Notion-Version") == "2025-09-03"


@pytest.mark.django_db(transaction=True)
def test_two_workers_refresh_an_integration_once(auth_client, google, django_capture_on_commit_callbacks):
    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    expiring_in(integration, 1)
    start = threading.Barrier(2)
    runs = []

    def worker() -> None:
        start.wait()
        try:
            runs.append(services.integrations_refresh_due())
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(run.refreshed for run in runs) == [0, 1]
    assert len(refresh_requests(google)) == 1


def test_a_revoked_grant_asks_the_user_to_reconnect_once(
    user, auth_client, google, django_capture_on_commit_callbacks
):
    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    google.revoke_grants()
    expiring_in(integration, 5)

    first = services.integrations_refresh_due()
    integration.refresh_from_db()
    assert first.failed == 1
    assert integration.status == Integration.Status.NEEDS_REAUTH
    notices = Message.objects.filter(
        conversation__user=user, text__contains="Google Calendar connection stopped"
    )
    assert notices.count() == 1
    event = SecurityEvent.objects.get(kind=SecurityKind.OAUTH_GRANT_REVOKED)
    assert event.user == user
    assert event.details["provider"] == "google"

    # Nothing more is tried or said: the integration waits for the user to connect again.
    assert services.integrations_refresh_due().refreshed == 0
    assert services.integration_sync(integration_id=integration.pk).result == "skipped"
    assert notices.count() == 1
    assert auth_client.get("/api/v1/integrations").json()[0]["status"] == "needs_reauth"


def test_reconnecting_clears_needs_reauth(auth_client, google, django_capture_on_commit_callbacks):
    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    services.integration_mark_needs_reauth(integration=integration, reason="test")

    again = connect(auth_client, google, "google", django_capture_on_commit_callbacks)

    assert again.pk == integration.pk
    assert again.status == Integration.Status.CONNECTED
    assert again.reauth_notified_at is None


def test_a_transient_failure_backs_off_and_is_retried_later(
    auth_client, google, django_capture_on_commit_callbacks
):
    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    expiring_in(integration, 5)
    google.fail_next(503, path_prefix="/token", retry_after=90)
    before = timezone.now()

    run = services.integrations_refresh_due()

    integration.refresh_from_db()
    assert run.failed == 1
    assert integration.status == Integration.Status.CONNECTED
    assert integration.refresh_failures == 1
    assert integration.refresh_not_before >= before + timedelta(seconds=90)
    assert services.integrations_refresh_due().refreshed == 0  # still backing off

    Integration.objects.filter(pk=integration.pk).update(refresh_not_before=timezone.now())
    assert services.integrations_refresh_due().refreshed == 1
    integration.refresh_from_db()
    assert (integration.refresh_failures, integration.refresh_not_before) == (0, None)


def test_a_grant_without_refresh_token_needs_reauth_when_it_expires(
    auth_client, google, django_capture_on_commit_callbacks
):
    google.omit_refresh_token = True
    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    expiring_in(integration, 5)

    services.integrations_refresh_due()

    integration.refresh_from_db()
    assert integration.status == Integration.Status.NEEDS_REAUTH
    assert "no refresh token" in integration.last_error
