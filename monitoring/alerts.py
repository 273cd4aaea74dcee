"""Alertmanager's notifications, kept as AlertEvent rows, and the on-call page for critical ones.

The page is a notification like a reminder's: it goes through the planner's notification
service on the SMS channel (the outbox: retried, never lost), which falls back to chat when
the number cannot be texted (STOP) or SMS is not installed."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from assistant.planner.notifications import DeliveryError, notify
from assistant.users.models import Channel, User
from assistant.users.selectors import staff_member_with_phone
from monitoring.models import AlertEvent

logger = logging.getLogger(__name__)
_SEVERITIES = set(AlertEvent.Severity.values)


@dataclass(frozen=True)
class Recorded:
    created: list[AlertEvent]
    repeated: int
    paged: bool


def _event(alert: dict[str, Any]) -> AlertEvent:
    labels, annotations = alert.get("labels") or {}, alert.get("annotations") or {}
    ends_at = alert.get("endsAt")
    severity = labels.get("severity", "")
    return AlertEvent(
        fingerprint=alert.get("fingerprint") or "",
        alertname=labels.get("alertname", "")[:200],
        status=alert["status"],
        severity=severity if severity in _SEVERITIES else "",
        summary=annotations.get("summary", "")[:500],
        description=annotations.get("description", ""),
        labels=labels,
        annotations=annotations,
        starts_at=alert.get("startsAt"),
        # Alertmanager sends year 1 as the end of an alert still firing.
        ends_at=ends_at if ends_at and ends_at.year > 1 else None,
        generator_url=(alert.get("generatorURL") or "")[:1000],
    )


def _is_new(event: AlertEvent) -> bool:
    """Insert unless this state change was recorded already: Alertmanager repeats itself until
    an alert resolves, and retries a webhook that did not answer in time."""
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        return False
    return True


def alert_notifications_record(*, alerts: Iterable[dict[str, Any]]) -> Recorded:
    """Keep each alert's new state once; page on-call about critical alerts that just fired."""
    from monitoring import metrics

    created, repeated = [], 0
    for alert in alerts:
        event = _event(alert)
        if _is_new(event):
            created.append(event)
            metrics.alert_webhook_notifications_total.labels(
                status=event.status, severity=event.severity or "other"
            ).inc()
        else:
            repeated += 1
    firing = [event for event in created if event.status == "firing" and event.severity == "critical"]
    paged = bool(firing) and _page_oncall(firing)
    for event in created:
        logger.info(
            "alert %s %s",
            event.alertname,
            event.status,
            extra={
                "event": "alert_received",
                "alertname": event.alertname,
                "status": event.status,
                "severity": event.severity,
                "paged": event in firing and paged,
            },
        )
    return Recorded(created=created, repeated=repeated, paged=paged)


def _oncall() -> User | None:
    email = settings.ALERT_ONCALL_EMAIL
    if not email:
        return None
    return staff_member_with_phone(email=email)


@transaction.atomic
def _page_oncall(events: list[AlertEvent]) -> bool:
    """One notification for the batch to the on-call staff member, by SMS (or its fallback)."""
    person = _oncall()
    if person is None:
        logger.warning("critical alert with nobody to page", extra={"event": "alert_page_skipped"})
        return False
    names = ", ".join(sorted({event.alertname for event in events}))
    first = events[0]
    # The frame is in the person's language; alert names and summaries are the rules' own words.
    with translation.override(person.effective_language):
        body = gettext("CRITICAL %(alerts)s: %(summary)s") % {
            "alerts": names,
            "summary": first.summary or first.description,
        }
    try:
        # Essential: a page passes the SMS caps, the daily spend's own page included.
        channel = notify(user=person, text=body[:300], channel=Channel.SMS, essential=True)
    except DeliveryError as error:
        logger.warning(
            "critical alert not paged",
            extra={"event": "alert_page_failed", "error": type(error).__name__},
        )
        return False
    AlertEvent.objects.filter(pk__in=[event.pk for event in events]).update(paged_at=timezone.now())
    logger.info("on-call paged", extra={"event": "alert_paged", "channel": channel})
    return True
