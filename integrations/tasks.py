from celery import shared_task

from integrations import services
from integrations.models import Integration
from integrations.providers.base import ProviderError


@shared_task(ignore_result=True)
def integrations_refresh_due() -> dict[str, int]:
    """Beat runs this every minute. Each row is locked while it is refreshed and re-checked
    once locked, so two workers never refresh one integration twice."""
    run = services.integrations_refresh_due()
    return {"refreshed": run.refreshed, "failed": run.failed, "skipped": run.skipped}


@shared_task(ignore_result=True)
def integrations_sync_due() -> int:
    """Beat runs this every minute: one sync task per integration whose time has come."""
    due = services.integrations_sync_due()
    for integration_id in due:
        integration_sync.delay(integration_id)
    return len(due)


@shared_task(ignore_result=True)
def integration_sync(integration_id: int) -> str:
    """Claims the integration first: a duplicate or overlapping task does nothing. Failures are
    retried by the schedule the service records (Retry-After, backoff), not by Celery."""
    return services.integration_sync(integration_id=integration_id).result


@shared_task(ignore_result=True)
def integration_token_refresh(integration_id: int) -> bool:
    integration = Integration.objects.filter(pk=integration_id).first()
    if integration is None:
        return False
    try:
        return services.integration_token_refresh(integration=integration)
    except ProviderError:
        return False  # recorded on the row (backoff, or needs_reauth) by the service
