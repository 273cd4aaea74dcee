from celery import shared_task

from monitoring.business import business_snapshot_refresh


@shared_task
def business_metrics_refresh() -> bool:
    """Recompute the business gauges for /metrics (beat, every BUSINESS_METRICS_REFRESH_SECONDS).
    Whether they could be computed: a database error is logged and retried at the next run."""
    return business_snapshot_refresh() is not None
