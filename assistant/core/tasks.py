from celery import shared_task

from assistant.core import retention


@shared_task
def data_retention_purge() -> dict[str, int]:
    return retention.data_retention_purge()
