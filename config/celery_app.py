"""The Celery app: settings come from Django's (CELERY_* names), tasks from every app."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

from assistant.core import context

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("assistant")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect
def _propagate_request_id(headers: dict, **_: object) -> None:
    """Carry the request id of the request that enqueued a task into the task's logs."""
    request_id = context.request_id.get()
    if request_id:
        headers.setdefault("request_id", request_id)


@task_prerun.connect
def _bind_request_id(task, **_: object) -> None:
    context.request_id.set(getattr(task.request, "request_id", None) or task.request.id)


@task_postrun.connect
def _unbind_request_id(**_: object) -> None:
    context.request_id.set(None)
