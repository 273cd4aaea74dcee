"""integrations/health.py: each provider's health from its configuration and our Integration
rows (never a call to the provider), in the monitoring app's check protocol."""

from datetime import timedelta
from itertools import count

import pytest
from django.utils.timezone import now
from social_django.models import UserSocialAuth

from assistant.users.tests.factories import UserFactory
from integrations import health
from integrations.models import Integration

pytestmark = pytest.mark.django_db

_uid = count()


@pytest.fixture
def google_configured(settings):
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = "client-id"
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = "client-secret"
    settings.INTEGRATION_SYNC_INTERVAL_SECONDS = 600


def integration(status: str = "connected", **fields) -> Integration:
    user = UserFactory()
    social = UserSocialAuth.objects.create(user=user, provider="google-oauth2", uid=f"uid-{next(_uid)}")
    defaults = {
        "access_token": "token",
        "token_expires_at": now() + timedelta(hours=1),
        "last_synced_at": now(),
    }
    return Integration.objects.create(
        user=user, provider="google", social=social, status=status, **defaults | fields
    )


def test_every_provider_contributes_a_check():
    assert [check["component"] for check in health.HEALTH_CHECKS] == ["google", "microsoft", "notion"]
    assert all(callable(check["check"]) for check in health.HEALTH_CHECKS)


def test_a_provider_without_credentials_is_healthy_and_says_so(settings, django_assert_num_queries):
    settings.SOCIAL_AUTH_NOTION_KEY = ""

    with django_assert_num_queries(0):
        result = health.provider_health("notion")

    assert result == {"status": "healthy", "detail": "not configured"}


@pytest.mark.usefixtures("google_configured")
def test_a_configured_provider_with_syncing_integrations_is_healthy(django_assert_num_queries):
    integration()
    integration()
    integration("needs_reauth")  # a user who revoked our access: not an outage

    with django_assert_num_queries(1):
        result = health.provider_health("google")

    assert result["status"] == "healthy"
    assert result["detail"] == "2 connected"
    assert (result["connected"], result["needs_reauth"], result["failing_share"]) == (2, 1, 0.0)
    assert result["last_synced_at"]


@pytest.mark.usefixtures("google_configured")
def test_integrations_failing_to_sync_or_refresh_degrade_then_break_the_provider():
    for _ in range(8):
        integration()
    integration("error")
    integration(token_expires_at=now() - timedelta(minutes=5))  # refresh is behind
    degraded = health.provider_health("google")

    Integration.objects.filter(status="connected").update(status="error")

    assert (degraded["status"], degraded["error"]) == ("degraded", "20% of integrations failing")
    assert health.provider_health("google")["status"] == "unhealthy"


@pytest.mark.usefixtures("google_configured")
def test_no_successful_sync_for_three_intervals_is_degraded():
    integration(last_synced_at=now() - timedelta(minutes=45))

    result = health.provider_health("google")

    assert (result["status"], result["error"]) == ("degraded", "no successful sync for 45 min")
