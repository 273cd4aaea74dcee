"""The Celery app: settings come from Django's (CELERY_* names), tasks from every app."""

import os
from contextvars import Token
from typing import Any

from celery import Celery, Task
from celery.signals import before_task_publish, task_postrun, task_prerun

from assistant.core import context

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("assistant")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect
def _propagate_request_id(headers: dict[str, Any], **_: object) -> None:
    """Carry the request id of the request that enqueued a task into the task's logs."""
    request_id = context.request_id.get()
    if request_id:
        headers.setdefault("request_id", request_id)


# Tokens to restore the caller's request id: an eager task runs inside the request itself.
_request_id_tokens: dict[str, Token[str | None]] = {}


@task_prerun.connect
def _bind_request_id(task_id: str, task: Task[Any, Any], **_: object) -> None:
    request_id = getattr(task.request, "request_id", None) or context.request_id.get() or task_id
    _request_id_tokens[task_id] = context.request_id.set(request_id)


@task_postrun.connect
def _unbind_request_id(task_id: str, **_: object) -> None:
    if token := _request_id_tokens.pop(task_id, None):
        context.request_id.reset(token)
