"""Data retention: people's history is kept DATA_RETENTION_DAYS, then purged.

Each app owns its rows and decides what purging one means (deleting it, or blanking what is
personal in it and keeping what accounting needs). It registers, from its AppConfig.ready(),
one service per kind of row that purges a batch; core never imports the apps, and a new app
adds its kind here without a change to this module or to the task. The beat task
(`data_retention_purge`, assistant/core/tasks.py) runs every kind's service in turn, a batch
at a time, so no statement touches more than DATA_RETENTION_BATCH_SIZE rows or holds its
locks for long, until every kind is done or the run's time budget is spent (the next run goes
on from there).
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from assistant.core import metrics

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=models.Model)


class PurgeBatch(Protocol):
    def __call__(self, *, before: datetime, limit: int) -> int:
        """Purge at most `limit` rows of one kind written before `before` and not purged yet;
        returns how many it purged (fewer than `limit`: none are left)."""
        ...


_purgers: dict[str, PurgeBatch] = {}


def retention_purger_register(kind: str, purge: PurgeBatch) -> None:
    """Let the retention task purge `kind` (a label value of data_retention_purged_rows_total)."""
    if _purgers.get(kind, purge) is not purge:
        raise ImproperlyConfigured(f"The retention kind {kind!r} is registered twice.")
    _purgers[kind] = purge


def retention_kinds() -> list[str]:
    return sorted(_purgers)


def retention_batch(queryset: models.QuerySet[M], *, limit: int) -> models.QuerySet[M]:
    """At most `limit` rows of `queryset`, selected by primary key: the UPDATE or DELETE run on
    it touches that many rows at most, however large the backlog. It keeps the conditions, so a
    row that changed since it was selected (an SMS queued again) is left out."""
    ids = list(queryset.order_by().values_list("pk", flat=True)[:limit])
    return queryset.filter(pk__in=ids)


def data_retention_purge(
    *, now: datetime | None = None, clock: Callable[[], float] = time.monotonic
) -> dict[str, int]:
    """Purge every registered kind's rows older than DATA_RETENTION_DAYS; returns the rows
    purged by kind. Idempotent: a purged row is never counted again."""
    before = (now or timezone.now()) - timedelta(days=settings.DATA_RETENTION_DAYS)
    limit = settings.DATA_RETENTION_BATCH_SIZE
    deadline = clock() + settings.DATA_RETENTION_TIME_BUDGET_SECONDS
    purged = dict.fromkeys(retention_kinds(), 0)
    pending = list(purged)
    # A batch of each kind in turn, so that a large backlog of one kind cannot use up the
    # budget before the others had a batch.
    while pending and clock() < deadline:
        for kind in list(pending):
            with transaction.atomic():
                count = _purgers[kind](before=before, limit=limit)
            purged[kind] += count
            metrics.data_retention_purged_rows_total.labels(kind=kind).inc(count)
            if count < limit:
                pending.remove(kind)
    details: dict[str, Any] = {"event": "data_retention_purged", "before": before.isoformat(), **purged}
    if pending:
        details["unfinished"] = pending
    logger.info("Data retention purge", extra=details)
    return purged
