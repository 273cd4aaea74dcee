from celery import shared_task

from assistant.planner import services


@shared_task(ignore_result=True)
def reminders_dispatch() -> dict[str, int]:
    """Beat runs this every REMINDER_DISPATCH_INTERVAL_SECONDS; rows are claimed with
    skip_locked, so overlapping runs or several workers never send one reminder twice."""
    result = services.reminders_dispatch()
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed}
