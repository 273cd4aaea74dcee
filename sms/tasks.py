from celery import Task, shared_task

from sms import services


@shared_task(bind=True, ignore_result=True, max_retries=None)
def sms_outbound_send(self: Task[[int], None], sms_id: int) -> None:
    """Send one outbox row; a transient failure comes back after the row's own backoff.
    Idempotent: only a `queued` row is claimed, so a duplicate task does nothing."""
    delay = services.sms_outbound_deliver(sms_id=sms_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(ignore_result=True)
def sms_outbox_sweep() -> int:
    return services.sms_outbox_sweep()
